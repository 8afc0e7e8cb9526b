package web

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/rapport/rapport/internal/audit"
	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/store/storetest"
)

// agentForm is the admin's agent form for the fixture agent "agent", as
// it stands, with kb_editor ticked or not.
func agentForm(kbEditor bool) url.Values {
	f := url.Values{"name": {"Al Agent"}, "role": {"agent"}, "active": {"on"}, "locale": {"en"}, "languages": {"en"}, "time_zone": {""}}
	if kbEditor {
		f.Set("kb_editor", "on")
	}
	return f
}

// An admin ticks "may write the knowledge base" on an agent's page: the
// agent, in the session they already have, gets the knowledge-base pages
// and its link, and can write; the agents list shows the right; unticked,
// the pages are refused on the agent's next request. Both changes are
// audited with before and after. The capacity form's changes are audited
// too.
func TestAgentKBRight(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		id := f.ids["agent"]
		page := adminAgentURL(id)
		al := f.login(t, "agent")
		mustCode(t, al.get(t, "/kb"), http.StatusForbidden, "agent on /kb without the right")
		contains(t, al.get(t, "/").body, nil, []string{`id="nav-kb"`})

		admin := f.login(t, "admin")
		edit := admin.get(t, page)
		mustCode(t, edit, http.StatusOK, "agent page")
		contains(t, edit.body, []string{`name="kb_editor" id="e-kb-editor"`, "May write the knowledge base"}, []string{`id="e-kb-editor" aria-describedby="e-kb-editor-hint" checked`})

		mustCode(t, admin.post(t, page, agentForm(true)), http.StatusSeeOther, "give the right")
		contains(t, admin.get(t, page).body, []string{`id="e-kb-editor" aria-describedby="e-kb-editor-hint" checked`}, nil)
		list := admin.get(t, "/admin/agents")
		row := list.body[strings.Index(list.body, `href="/admin/agents/`+strconv.FormatInt(id, 10)+`"`):]
		row = row[:strings.Index(row, "</tr>")]
		contains(t, row, []string{`class="tag kb-editor"`, "KB editor"}, nil)
		if n := strings.Count(list.body, `class="tag kb-editor"`); n != 1 {
			t.Errorf("%d agents shown with the right, want 1", n)
		}

		// The same session, no new sign-in: the right holds at once.
		mustCode(t, al.get(t, "/kb"), http.StatusOK, "agent on /kb with the right")
		contains(t, al.get(t, "/").body, []string{`id="nav-kb"`}, nil)
		mustCode(t, al.post(t, "/kb/categories", url.Values{"slug": {"parcels"}, "name_en": {"Parcels"}}), http.StatusSeeOther, "agent adds a category")
		if cats, _ := f.kb.Categories(ctx); len(cats) != 1 {
			t.Errorf("categories %+v, want the agent's", cats)
		}
		mustCode(t, f.login(t, "agent2").get(t, "/kb"), http.StatusForbidden, "another agent on /kb")

		mustCode(t, admin.post(t, page, agentForm(false)), http.StatusSeeOther, "take the right away")
		mustCode(t, al.get(t, "/kb"), http.StatusForbidden, "agent on /kb after the right is gone")
		mustCode(t, al.post(t, "/kb/categories", url.Values{"slug": {"boxes"}, "name_en": {"Boxes"}}), http.StatusForbidden, "agent adds a category after")
		contains(t, al.get(t, "/").body, nil, []string{`id="nav-kb"`})

		log := audit.New(db, f.clock)
		rows, err := log.List(ctx, audit.Filter{Action: "agent.update", TargetID: strconv.FormatInt(id, 10)})
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != 2 || !strings.Contains(rows[1].After, `"kb_editor":true`) || !strings.Contains(rows[1].Before, `"kb_editor":false`) ||
			!strings.Contains(rows[0].After, `"kb_editor":false`) || rows[0].AgentID != f.ids["admin"] {
			t.Errorf("audit rows %+v, want the right given and taken away by the admin", rows)
		}

		// The capacity form: the chat capacity's change is audited, the
		// unchanged ticket capacity is not.
		mustCode(t, admin.post(t, page+"/capacity", url.Values{"capacity": {"10"}, "chat_capacity": {"5"}}), http.StatusSeeOther, "capacity")
		rows, err = log.List(ctx, audit.Filter{Action: "agent.chat_capacity", TargetID: strconv.FormatInt(id, 10)})
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != 1 || rows[0].Before != `{"chat_capacity":3}` || rows[0].After != `{"chat_capacity":5}` || rows[0].AgentID != f.ids["admin"] {
			t.Errorf("chat capacity rows %+v, want 3 to 5 by the admin", rows)
		}
		if rows, _ := log.List(ctx, audit.Filter{Action: "agent.capacity"}); len(rows) != 0 {
			t.Errorf("an unchanged capacity audited: %+v", rows)
		}
		mustCode(t, admin.post(t, page+"/capacity", url.Values{"capacity": {"12"}, "chat_capacity": {"51"}}), http.StatusUnprocessableEntity, "chat capacity 51")
		// The ticket capacity, saved before the chat capacity was refused.
		if rows, _ := log.List(ctx, audit.Filter{Action: "agent.capacity"}); len(rows) != 1 || rows[0].After != `{"capacity":12}` {
			t.Errorf("capacity rows %+v, want 10 to 12", rows)
		}
		if rows, _ := log.List(ctx, audit.Filter{Action: "agent.chat_capacity"}); len(rows) != 1 {
			t.Errorf("a refused chat capacity audited: %+v", rows)
		}
	})
}
