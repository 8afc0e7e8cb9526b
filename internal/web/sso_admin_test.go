package web

import (
	"context"
	"net/http"
	"net/url"
	"testing"

	"github.com/rapport/rapport/internal/agent"
	"github.com/rapport/rapport/internal/audit"
	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/store/storetest"
)

// TestTwoFactorRolesSetting: an admin requires two-factor authentication
// of a role on /admin/sso; its agents are then sent to enrol, the change
// is in the audit log, and the server's --require-2fa-roles stay a floor.
func TestTwoFactorRolesSetting(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, fixtureOpts{require2FA: []agent.Role{agent.RoleManager}})
		mgr := f.newClient(t)
		page := mgr.get(t, "/login")
		mustCode(t, mgr.post(t, "/login", url.Values{"csrf": {csrfIn(t, page.body)}, "email": {"manager@rapport.test"},
			"password": {testPassword}}), http.StatusSeeOther, "manager password")
		mustCode(t, mgr.get(t, "/admin/sso"), http.StatusSeeOther, "manager without two-factor sent to enrol first")
		enrolWeb(t, f, mgr)
		mustCode(t, mgr.get(t, "/admin/sso"), http.StatusForbidden, "manager on the admin page")

		ag := f.login(t, "agent")
		mustCode(t, ag.get(t, "/"), http.StatusOK, "agent before the setting")

		admin := f.login(t, "admin")
		page = admin.get(t, "/admin/sso")
		mustCode(t, page, http.StatusOK, "sso page")
		contains(t, page.body, []string{`value="manager" checked disabled`, "required by the server&#39;s configuration"}, nil)
		admin.csrf = csrfIn(t, page.body)
		mustCode(t, admin.post(t, "/admin/two-factor-roles", url.Values{"roles": {"agent", "owner"}}),
			http.StatusUnprocessableEntity, "unknown role")
		mustCode(t, admin.post(t, "/admin/two-factor-roles", url.Values{"roles": {"agent"}}), http.StatusSeeOther, "require of agents")
		page = admin.get(t, "/admin/sso")
		contains(t, page.body, []string{"Two-factor requirement saved.", `value="agent" checked`}, nil)

		res := ag.get(t, "/")
		mustCode(t, res, http.StatusSeeOther, "agent after the setting")
		if loc := res.header.Get("Location"); loc != "/preferences#twofactor" {
			t.Errorf("agent sent to %q, want the enrolment", loc)
		}
		// Unticking everything leaves the floor in force.
		mustCode(t, admin.post(t, "/admin/two-factor-roles", nil), http.StatusSeeOther, "require of none")
		mustCode(t, ag.get(t, "/"), http.StatusOK, "agent free again")
		contains(t, admin.get(t, "/admin/sso").body, []string{`value="manager" checked disabled`}, []string{`value="agent" checked`})

		rows, err := audit.New(f.db, f.clock).List(context.Background(), audit.Filter{TargetID: "two_factor_roles", Limit: 10})
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != 2 || rows[0].AgentID != f.ids["admin"] {
			t.Fatalf("audit entries %+v, want two by the admin", rows)
		}
	})
}
