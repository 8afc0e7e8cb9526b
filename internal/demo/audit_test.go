package demo

import (
	"context"
	"testing"

	"github.com/rapport/rapport/internal/audit"
	"github.com/rapport/rapport/internal/jobs"
	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/store/storetest"
)

// TestDemoAuditLog checks that the demo's audit log is filled in through
// the services: sign-ins and a failed one, the admin's tokens made, used
// and revoked, the service standard, the setup's agents and teams.
func TestDemoAuditLog(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		generate(t, db, 3, 20, 60)
		rows, err := audit.New(db, jobs.SystemClock{}).List(context.Background(), audit.Filter{Limit: 1000})
		if err != nil {
			t.Fatal(err)
		}
		byAdmin := map[string]bool{}
		seen := map[string]int{}
		for _, r := range rows {
			seen[r.Action]++
			if r.AgentName == "Laura Bianchi" {
				byAdmin[r.Action] = true
			}
		}
		for _, a := range []string{"login", "login.failed", "token.create", "token.use", "token.revoke", "standard.update",
			"agent.create", "team.create", "settings.survey", "2fa.enable", "2fa.failed"} {
			if seen[a] == 0 {
				t.Errorf("the demo's audit log has no %s (has %v)", a, seen)
			}
		}
		for _, a := range []string{"login", "token.create", "token.revoke", "standard.update"} {
			if !byAdmin[a] {
				t.Errorf("%s is not the admin's", a)
			}
		}
	})
}
