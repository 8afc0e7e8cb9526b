package api

import (
	"context"
	"testing"
	"time"

	"github.com/rapport/rapport/internal/audit"
	"github.com/rapport/rapport/internal/goals"
	"github.com/rapport/rapport/internal/metrics"
	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/store/storetest"
)

// TestAuditAndTokens walks the audit log and API tokens as an admin and an
// agent would: a role change, an edit of the service standard and a token
// revocation each show in GET /audit; a revoked or expired token gets 401
// at once; a read token gets 403 on a write route; a deactivated agent's
// token stays dead after reactivation.
func TestAuditAndTokens(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		f.seed(t)
		f.run(t, auditScenarios())
	})
}

func auditScenarios() []scenario {
	return []scenario{
		// A role change through the API, and who may read the log.
		{name: "promote an agent", method: "PATCH", path: "/agents/{agent}", as: "admin", status: 200,
			body: `{"role":"manager"}`, json: map[string]string{"role": "manager"}},
		{name: "the role change is in the log", method: "GET", path: "/audit?action=agent.update&target_id={agent}", as: "admin", status: 200,
			json: map[string]string{"data.0.action": "agent.update", "data.0.target_kind": "agent", "data.0.target_id": "{agent}",
				"data.0.agent_id": "{admin}", "data.0.agent_name": "Ada Admin", "data.0.before.role": "agent",
				"data.0.after.role": "manager", "data.0.addr": "192.0.2.1", "data.0.token_id": "*"}},
		{name: "the log by actor", method: "GET", path: "/audit?agent_id={admin}&action=agent", as: "admin", status: 200,
			json: map[string]string{"data.0.action": "agent.update"}},
		{name: "back to agent", method: "PATCH", path: "/agents/{agent}", as: "admin", status: 200, body: `{"role":"agent"}`},
		{name: "managers cannot read the log", method: "GET", path: "/audit", as: "manager", status: 403,
			json: map[string]string{"error.code": "forbidden"}},
		{name: "the log's bad filters", method: "GET", path: "/audit?agent_id=x&from=yesterday&limit=501&cursor=-1", as: "admin", status: 400,
			json: map[string]string{"error.fields.agent_id": "*", "error.fields.from": "*", "error.fields.limit": "*", "error.fields.cursor": "*"}},

		// The service standard, edited by an admin (on its web page, which
		// calls the same service with the same context).
		{name: "the standard's edit is in the log", method: "GET", path: "/audit?action=standard", as: "admin", status: 200,
			before: func(t *testing.T, f *fixture) {
				measure := metrics.New(metrics.Opts{DB: f.db, Clock: f.clock})
				g, err := goals.New(goals.Opts{DB: f.db, Metrics: measure, Clock: f.clock})
				if err != nil {
					t.Fatal(err)
				}
				ctx := audit.WithActor(context.Background(), audit.Actor{AgentID: f.ids["admin"], Addr: "198.51.100.9"})
				if _, err := g.SaveStandard(ctx, "en", "We answer within a day.", f.ids["admin"]); err != nil {
					t.Fatal(err)
				}
			},
			json: map[string]string{"data.0.action": "standard.update", "data.0.target_id": "en", "data.0.after.body": "We answer within a day.",
				"data.0.agent_id": "{admin}", "data.0.addr": "198.51.100.9", "data.0.token_id": "null", "data.0.before": "null"}},

		// Tokens: made with scopes, limited by them, revoked for good.
		{name: "an agent makes a read token", method: "POST", path: "/tokens", as: "agent", status: 201,
			body: `{"name":"reports","scopes":["read"]}`,
			json: map[string]string{"name": "reports", "scopes": `["read"]`, "agent_id": "{agent}", "expires_at": "null", "token": "*"},
			save: map[string]string{"reader_id": "id"}, saveToken: map[string]string{"reader": "token"}},
		{name: "an agent's admin scope is refused", method: "POST", path: "/tokens", as: "agent", status: 400,
			body: `{"name":"boss","scopes":["admin"]}`, json: map[string]string{"error.fields.scopes": "*"}},
		{name: "an unknown scope is refused", method: "POST", path: "/tokens", as: "agent", status: 400,
			body: `{"name":"x","scopes":["root"]}`, json: map[string]string{"error.fields.scopes": "*"}},
		{name: "a read token reads", method: "GET", path: "/tickets", as: "reader", status: 200},
		{name: "a read token cannot write", method: "POST", path: "/tickets", as: "reader", status: 403,
			body: `{"subject":"x","body":"y","customer_id":{customer}}`, json: map[string]string{"error.code": "forbidden"}},
		{name: "a read token cannot make tokens", method: "POST", path: "/tokens", as: "reader", status: 403,
			body: `{"name":"more","scopes":["read"]}`},
		{name: "the token's use is listed", method: "GET", path: "/tokens", as: "agent", status: 200,
			json: map[string]string{"data.0.id": "{reader_id}", "data.0.last_used_addr": "192.0.2.1", "data.0.last_used_at": "*"},
			not:  []string{`"token":`}},
		{name: "another agent's token is not found", method: "DELETE", path: "/tokens/{reader_id}", as: "agent2", status: 404},
		{name: "the agent revokes it", method: "DELETE", path: "/tokens/{reader_id}", as: "agent", status: 200,
			json: map[string]string{"revoked_reason": "revoked", "revoked_at": "*"}},
		{name: "a revoked token gets 401 at once", method: "GET", path: "/tickets", as: "reader", status: 401,
			json: map[string]string{"error.code": "unauthorized"}},
		{name: "the revocation is in the log", method: "GET", path: "/audit?action=token.revoke&target_id={reader_id}", as: "admin", status: 200,
			json: map[string]string{"data.0.action": "token.revoke", "data.0.agent_id": "{agent}", "data.0.after.reason": "revoked"}},
		{name: "its making is in the log", method: "GET", path: "/audit?target_kind=token&target_id={reader_id}&action=token.create", as: "admin", status: 200,
			json: map[string]string{"data.0.agent_id": "{agent}", "data.0.after.scopes.0": "read"}, not: []string{"rpt_"}},

		// Expiry.
		{name: "a token for an hour", method: "POST", path: "/tokens", as: "agent", status: 201,
			body: `{"name":"hour","scopes":["read","write"],"expires_at":"2025-03-10T10:00:00Z"}`,
			json: map[string]string{"expires_at": "2025-03-10T10:00:00.000Z"}, saveToken: map[string]string{"hour": "token"}},
		{name: "it works within the hour", method: "GET", path: "/me", as: "hour", status: 200},
		{name: "an expired token gets 401 at once", method: "GET", path: "/me", as: "hour", status: 401,
			before: func(t *testing.T, f *fixture) { f.clock.Advance(time.Hour) }},
		{name: "a past expiry is refused", method: "POST", path: "/tokens", as: "agent", status: 400,
			body: `{"name":"past","scopes":["read"],"expires_at":"2025-03-10T09:00:00Z"}`, json: map[string]string{"error.fields.expires_at": "*"}},

		// Admin scope and everyone's tokens.
		{name: "an admin's token without the admin scope", method: "POST", path: "/tokens", as: "admin", status: 201,
			body: `{"name":"no admin","scopes":["read","write"]}`, saveToken: map[string]string{"adminrw": "token"}},
		{name: "cannot read the log", method: "GET", path: "/audit", as: "adminrw", status: 403},
		{name: "cannot change roles", method: "PATCH", path: "/agents/{agent}", as: "adminrw", status: 403, body: `{"role":"manager"}`},
		{name: "but reads tickets", method: "GET", path: "/tickets", as: "adminrw", status: 200},
		{name: "an admin lists an agent's tokens", method: "GET", path: "/agents/{agent}/tokens", as: "admin", status: 200,
			want: []string{`"name":"reports"`, `"name":"hour"`}},
		{name: "a manager may not", method: "GET", path: "/agents/{agent}/tokens", as: "manager", status: 403},

		// Deactivation ends tokens for good.
		{name: "deactivate agent2", method: "PATCH", path: "/agents/{agent2}", as: "admin", status: 200, body: `{"active":false}`},
		{name: "reactivate agent2", method: "PATCH", path: "/agents/{agent2}", as: "admin", status: 200, body: `{"active":true}`},
		{name: "agent2's old token stays dead", method: "GET", path: "/me", as: "agent2", status: 401},
		{name: "it shows why", method: "GET", path: "/agents/{agent2}/tokens", as: "admin", status: 200,
			json: map[string]string{"data.0.revoked_reason": "deactivated", "data.0.revoked_at": "*"}},
		{name: "both changes are in the log", method: "GET", path: "/audit?action=agent.update&target_id={agent2}", as: "admin", status: 200,
			json: map[string]string{"data.0.after.active": "true", "data.1.after.active": "false", "data.1.before.active": "true"}},
	}
}
