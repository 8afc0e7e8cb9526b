package web

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"testing"

	"github.com/rapport/rapport/internal/agent"
	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/store/storetest"
)

func TestAdminAgents(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		admin := f.login(t, "admin")

		res := admin.post(t, "/admin/agents", url.Values{
			"name": {"Līga Bērziņa"}, "email": {"liga@rapport.test"}, "role": {"manager"},
			"password": {"short"}, "locale": {"lv"}, "languages": {"lv, ru"},
		})
		mustCode(t, res, http.StatusUnprocessableEntity, "short password")
		contains(t, res.body, []string{"Needs at least 8 characters.", `value="liga@rapport.test"`}, nil)

		res = admin.post(t, "/admin/agents", url.Values{
			"name": {"Līga Bērziņa"}, "email": {"liga@rapport.test"}, "role": {"manager"},
			"password": {"a long password"}, "locale": {"lv"}, "languages": {"lv, ru"},
		})
		mustCode(t, res, http.StatusSeeOther, "create agent")
		list := admin.get(t, "/admin/agents")
		contains(t, list.body, []string{"Agent created.", "Līga Bērziņa", "liga@rapport.test", "lv, ru"}, nil)

		res = admin.post(t, "/admin/agents", url.Values{
			"name": {"Again"}, "email": {"LIGA@rapport.test"}, "role": {"agent"}, "password": {"a long password"},
		})
		mustCode(t, res, http.StatusConflict, "taken email")
		contains(t, res.body, []string{"already in use"}, nil)

		liga, err := f.agents.GetByEmail(context.Background(), "liga@rapport.test")
		if err != nil || liga.Role != agent.RoleManager || liga.Locale != "lv" {
			t.Fatalf("created agent: %+v %v", liga, err)
		}
		// The new manager can sign in, and sees the UI in Latvian.
		c := f.newClient(t)
		token := csrfIn(t, c.get(t, "/login").body)
		mustCode(t, c.post(t, "/login", url.Values{"csrf": {token}, "email": {"liga@rapport.test"}, "password": {"a long password"}}),
			http.StatusSeeOther, "new agent logs in")
		contains(t, c.get(t, "/").body, []string{`<html lang="lv">`, f.cat.T("lv", "nav.inbox")}, nil)

		page := idPath("/admin/agents/", liga.ID, "")
		res = admin.post(t, page, url.Values{"name": {"Līga B."}, "role": {"agent"}, "active": {"on"}, "locale": {""}, "languages": {"lv"}})
		mustCode(t, res, http.StatusSeeOther, "edit agent")
		liga, _ = f.agents.Get(context.Background(), liga.ID)
		if liga.Name != "Līga B." || liga.Role != agent.RoleAgent || liga.Locale != "" || !liga.Active {
			t.Errorf("after edit: %+v", liga)
		}

		// An admin cannot lock themself out.
		res = admin.post(t, idPath("/admin/agents/", f.ids["admin"], ""), url.Values{"name": {"Ada Admin"}, "role": {"agent"}, "active": {"on"}})
		mustCode(t, res, http.StatusUnprocessableEntity, "demote self")
		contains(t, res.body, []string{"You cannot deactivate your own account"}, nil)

		mustCode(t, admin.post(t, page+"/password", url.Values{"password": {"another long one"}}), http.StatusSeeOther, "set password")
		if _, err := f.agents.Authenticate(context.Background(), "liga@rapport.test", "another long one", "test"); err != nil {
			t.Errorf("new password does not work: %v", err)
		}
		mustCode(t, c.get(t, "/"), http.StatusSeeOther, "old session after password change")
		mustCode(t, admin.get(t, "/admin/agents/999999"), http.StatusNotFound, "unknown agent")
	})
}

func TestAdminTeams(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		m := f.login(t, "manager")
		mustCode(t, m.post(t, "/admin/teams", url.Values{"name": {""}}), http.StatusUnprocessableEntity, "team without name")
		res := m.post(t, "/admin/teams", url.Values{"name": {"Returns"}, "description": {"Refunds and returns"}})
		mustCode(t, res, http.StatusSeeOther, "create team")
		page := res.header.Get("Location")
		contains(t, m.get(t, "/admin/teams").body, []string{"Returns", "Refunds and returns"}, nil)
		mustCode(t, m.post(t, "/admin/teams", url.Values{"name": {"Returns"}}), http.StatusConflict, "duplicate team")

		res = m.post(t, page+"/members", url.Values{"member": {strconv.FormatInt(f.ids["agent"], 10), strconv.FormatInt(f.ids["agent2"], 10)}})
		mustCode(t, res, http.StatusSeeOther, "members")
		teams, _ := f.agents.ListTeams(context.Background())
		if len(teams) != 1 || len(teams[0].MemberIDs) != 2 {
			t.Fatalf("teams after members: %+v", teams)
		}
		contains(t, m.get(t, page).body, []string{"Team members saved.", `value="` + strconv.FormatInt(f.ids["agent"], 10) + `" checked`}, nil)

		mustCode(t, m.post(t, page, url.Values{"name": {"Returns & refunds"}, "description": {"All of it"}}), http.StatusSeeOther, "rename")
		contains(t, m.get(t, page).body, []string{"Returns &amp; refunds"}, nil)

		mustCode(t, m.post(t, page+"/delete", nil), http.StatusSeeOther, "delete")
		contains(t, m.get(t, "/admin/teams").body, []string{"Team deleted.", "No teams yet."}, nil)
		mustCode(t, m.get(t, page), http.StatusNotFound, "deleted team")
	})
}
