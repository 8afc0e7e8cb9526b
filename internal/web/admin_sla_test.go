package web

import (
	"context"
	"github.com/rapport/rapport/internal/ratelimit"
	"net/http"
	"net/url"
	"strconv"
	"testing"
	"time"

	"github.com/rapport/rapport/internal/agent"
	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/store/storetest"
	"github.com/rapport/rapport/internal/ticket"
)

// policyForm is the policy form filled in with fields on top of a valid policy.
func policyForm(fields map[string]string) url.Values {
	v := url.Values{"name": {"Urgent"}, "position": {"1"}, "priority": {"urgent"}, "first_response": {"30m"},
		"next_response": {"1h"}, "resolution": {"4h"}, "pause_on_pending": {"on"}, "active": {"on"}}
	for k, x := range fields {
		if x == "" {
			v.Del(k)
		} else {
			v.Set(k, x)
		}
	}
	return v
}

func TestAdminSLA(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		ctx := context.Background()

		// Only admins manage SLAs.
		for _, who := range []string{"agent", "manager"} {
			c := f.login(t, who)
			mustCode(t, c.get(t, "/admin/sla"), http.StatusForbidden, who+" opens the SLA admin")
			mustCode(t, c.post(t, "/admin/sla/policies", policyForm(nil)), http.StatusForbidden, who+" creates a policy")
			contains(t, c.get(t, "/").body, nil, []string{`href="/admin/sla"`})
		}
		if ps, _ := f.sla.Policies(ctx); len(ps) != 0 {
			t.Fatalf("a refused request created policies: %+v", ps)
		}
		admin := f.login(t, "admin")
		contains(t, admin.get(t, "/").body, []string{`href="/admin/sla"`}, nil)
		res := admin.get(t, "/admin/sla")
		mustCode(t, res, http.StatusOK, "SLA admin")
		contains(t, res.body, []string{"No SLA policies yet", "No calendars yet"}, nil)

		// Calendars: the service's complaints show by field.
		res = admin.post(t, "/admin/sla/calendars", url.Values{"name": {"Rome office"}, "timezone": {"Mars/Olympus"}, "week": {"mon-fri 9-5"}})
		mustCode(t, res, http.StatusUnprocessableEntity, "bad calendar")
		contains(t, res.body, []string{"This is not a time zone; write one like Europe/Rome.",
			"Write opening hours like mon-fri 09:00-17:00; sat 10:00-14:00.", `value="Rome office"`}, nil)
		res = admin.post(t, "/admin/sla/calendars", url.Values{"name": {"Rome office"}, "timezone": {"Europe/Rome"},
			"week": {"mon-fri 09:00-17:00"}, "holidays": {"2025-12-25, Christmas"}})
		mustCode(t, res, http.StatusUnprocessableEntity, "bad holiday")
		contains(t, res.body, []string{"Write holidays as dates like 2025-12-25, separated by commas."}, nil)
		res = admin.post(t, "/admin/sla/calendars", url.Values{"name": {"Rome office"}, "timezone": {"Europe/Rome"},
			"week": {"mon-fri 09:00-17:00"}, "holidays": {"2025-12-25"}})
		mustCode(t, res, http.StatusSeeOther, "create calendar")
		cals, err := f.sla.Calendars(ctx)
		if err != nil || len(cals) != 1 || cals[0].Timezone != "Europe/Rome" || cals[0].Holidays != "2025-12-25" {
			t.Fatalf("calendars %+v %v", cals, err)
		}
		cal := strconv.FormatInt(cals[0].ID, 10)

		// Policies: malformed targets, and a calendar that does not exist.
		res = admin.post(t, "/admin/sla/policies", policyForm(map[string]string{"first_response": "soon"}))
		mustCode(t, res, http.StatusUnprocessableEntity, "bad target")
		contains(t, res.body, []string{"Write a time like 30m, 4h or 1h30m.", `value="soon"`}, nil)
		res = admin.post(t, "/admin/sla/policies", policyForm(map[string]string{"calendar_id": "999999"}))
		mustCode(t, res, http.StatusUnprocessableEntity, "unknown calendar")
		contains(t, res.body, []string{"There is no such calendar."}, nil)
		res = admin.post(t, "/admin/sla/policies", policyForm(map[string]string{"name": " "}))
		mustCode(t, res, http.StatusUnprocessableEntity, "no name")
		contains(t, res.body, []string{"This is required."}, nil)

		res = admin.post(t, "/admin/sla/policies", policyForm(map[string]string{"calendar_id": cal}))
		mustCode(t, res, http.StatusSeeOther, "create policy")
		list := admin.get(t, "/admin/sla")
		contains(t, list.body, []string{"SLA policy created.", "Urgent", "priority Urgent", "<td data-label=\"First response\">30m</td>",
			"<td data-label=\"Next response\">1h</td>", "<td data-label=\"Resolution\">4h</td>", "Rome office"}, nil)
		ps, _ := f.sla.Policies(ctx)
		if len(ps) != 1 || ps[0].FirstResponse != 30*time.Minute || ps[0].Resolution != 4*time.Hour || ps[0].Priority != ticket.Urgent ||
			ps[0].CalendarID != cals[0].ID || !ps[0].PauseOnPending || !ps[0].Active {
			t.Fatalf("policies %+v", ps)
		}
		page := "/admin/sla/policies/" + strconv.FormatInt(ps[0].ID, 10)
		mustCode(t, admin.post(t, "/admin/sla/policies", policyForm(nil)), http.StatusConflict, "duplicate name")

		// Edit: the form shows the policy; saving changes it.
		edit := admin.get(t, page)
		mustCode(t, edit, http.StatusOK, "edit policy")
		contains(t, edit.body, []string{`value="Urgent"`, `name="first_response" value="30m"`, `name="resolution" value="4h"`,
			`<option value="` + cal + `" selected>Rome office</option>`}, nil)
		res = admin.post(t, page, policyForm(map[string]string{"name": "Urgent tickets", "first_response": "45", "resolution": "1h 30m",
			"priority": "", "active": ""}))
		mustCode(t, res, http.StatusSeeOther, "save policy")
		ps, _ = f.sla.Policies(ctx)
		if len(ps) != 1 || ps[0].Name != "Urgent tickets" || ps[0].FirstResponse != 45*time.Minute || ps[0].Resolution != 90*time.Minute ||
			ps[0].Priority != "" || ps[0].Active || ps[0].CalendarID != 0 {
			t.Fatalf("after editing: %+v", ps)
		}
		res = admin.post(t, page, policyForm(map[string]string{"resolution": "9000h"}))
		mustCode(t, res, http.StatusUnprocessableEntity, "target over a year")
		contains(t, res.body, []string{"Resolution: Give whole minutes, at most a year.", `value="9000h"`}, nil)

		// Calendars edit the same way.
		calPage := "/admin/sla/calendars/" + cal
		contains(t, admin.get(t, calPage).body, []string{`value="Europe/Rome"`, `value="mon-fri 09:00-17:00"`}, nil)
		res = admin.post(t, calPage, url.Values{"name": {"Rome office"}, "timezone": {"Europe/Rome"}, "week": {"mon-fri 08:00-18:00; sat 09:00-12:00"}})
		mustCode(t, res, http.StatusSeeOther, "save calendar")
		if cals, _ := f.sla.Calendars(ctx); cals[0].Week != "mon-fri 08:00-18:00; sat 09:00-12:00" {
			t.Errorf("calendar after editing: %+v", cals[0])
		}
		res = admin.post(t, calPage, url.Values{"name": {"Rome office"}, "timezone": {"Europe/Rome"}, "week": {"mon 09:00-13:00 12:00-17:00"}})
		mustCode(t, res, http.StatusUnprocessableEntity, "overlapping hours")
		contains(t, res.body, []string{"Opening hours of the same day overlap."}, nil)

		// Delete.
		mustCode(t, admin.post(t, page+"/delete", nil), http.StatusSeeOther, "delete policy")
		contains(t, admin.get(t, "/admin/sla").body, []string{"SLA policy deleted.", "No SLA policies yet"}, nil)
		mustCode(t, admin.get(t, page), http.StatusNotFound, "deleted policy")
		mustCode(t, admin.post(t, page+"/delete", nil), http.StatusNotFound, "deleted twice")
		mustCode(t, admin.get(t, "/admin/sla/calendars/999999"), http.StatusNotFound, "unknown calendar")
	})
}

func TestAgentCapacityAndOnline(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		admin := f.login(t, "admin")
		page := idPath("/admin/agents/", f.ids["agent"], "")
		contains(t, admin.get(t, page).body, []string{`name="capacity" min="0" max="1000" value="10"`}, nil)

		res := admin.post(t, page+"/capacity", url.Values{"capacity": {"1001"}})
		mustCode(t, res, http.StatusUnprocessableEntity, "too much")
		contains(t, res.body, []string{"Give a number from 0 to 1000.", `value="1001"`}, nil)
		res = admin.post(t, page+"/capacity", url.Values{"capacity": {"lots"}})
		mustCode(t, res, http.StatusUnprocessableEntity, "not a number")
		contains(t, res.body, []string{"Give a whole number."}, nil)
		mustCode(t, admin.post(t, page+"/capacity", url.Values{"capacity": {"3"}}), http.StatusSeeOther, "save capacity")
		if n, err := f.router.Capacity(ctx, f.ids["agent"]); err != nil || n != 3 {
			t.Errorf("capacity %d %v, want 3", n, err)
		}
		contains(t, admin.get(t, page).body, []string{"Capacity saved.", `value="3"`}, nil)
		mustCode(t, f.login(t, "manager").post(t, page+"/capacity", url.Values{"capacity": {"5"}}), http.StatusForbidden, "manager sets capacity")

		// Nobody is online: the waiting ticket keeps waiting, and the router
		// looks again in a minute.
		if _, err := f.jobs.RunDue(ctx); err != nil {
			t.Fatal(err)
		}
		if tk, _ := f.tickets.Get(ctx, f.ids["ticket"]); tk.OwnerID != 0 {
			t.Fatalf("assigned while nobody is online: %+v", tk)
		}
		// The agent comes online: assignment runs now, not in a minute.
		c := f.login(t, "agent")
		mustCode(t, c.post(t, "/preferences", url.Values{"locale": {""}, "availability": {agent.Online}}), http.StatusSeeOther, "online")
		if _, err := f.jobs.RunDue(ctx); err != nil {
			t.Fatal(err)
		}
		if tk, _ := f.tickets.Get(ctx, f.ids["ticket"]); tk.OwnerID != f.ids["agent"] {
			t.Errorf("after coming online the waiting ticket has owner %d, want the agent", tk.OwnerID)
		}
	})
}

// Without the optional services their pages do not exist and nothing
// links to them.
func TestOptionalServicesHidden(t *testing.T) {
	f := newFixture(t, storetest.SQLite(t))
	h, err := New(Opts{Limits: ratelimit.New(f.db, f.clock), Agents: f.agents, Customers: f.customers, Tickets: f.tickets, I18n: f.cat, Clock: f.clock})
	if err != nil {
		t.Fatal(err)
	}
	f.srv.Config.Handler = h
	admin := f.login(t, "admin")
	for _, path := range []string{"/contact", "/calls/new", "/notifications", "/admin/sla"} {
		mustCode(t, admin.get(t, path), http.StatusNotFound, path)
	}
	mustCode(t, admin.post(t, idPath("/admin/agents/", f.ids["agent"], "/capacity"), url.Values{"capacity": {"1"}}), http.StatusNotFound, "capacity")
	contains(t, admin.get(t, "/").body, nil, []string{`href="/calls/new"`, `href="/notifications"`, `href="/admin/sla"`})
	contains(t, admin.get(t, idPath("/admin/agents/", f.ids["agent"], "")).body, nil, []string{`name="capacity"`})
	contains(t, admin.get(t, idPath("/tickets/", f.ids["ticket"], "")).body, nil, []string{`id="sla"`, `id="log-call"`})
}
