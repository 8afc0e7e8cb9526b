package api

import (
	"log/slog"
	"testing"

	"github.com/rapport/rapport/internal/audit"
	"github.com/rapport/rapport/internal/i18n"
	"github.com/rapport/rapport/internal/sso"
	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/store/storetest"
)

func TestSSOScenarios(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		log := slog.New(slog.DiscardHandler)
		signOn := sso.New(sso.Opts{DB: db, Agents: f.agents, Clock: f.clock, Log: log,
			CallbackURL: "https://help.example.com/login/sso/callback"})
		f.h = New(Opts{Agents: f.agents, Customers: f.customers, Tickets: f.tickets, Log: log, Mailboxes: []string{"support@rapport.test"},
			MaxMessageBytes: testMaxBody, MaxBodyBytes: testMaxBody, Version: "test", I18n: i18n.MustLoad(), Clock: f.clock,
			SSO: signOn, Audit: audit.New(db, f.clock)})
		provider := `{"name": "Okta", "issuer": "https://id.example.com", "client_id": "rapport", "client_secret": "top-secret-4321",
			"scopes": ["email", "groups"], "role_claim": "groups", "role_rules": [{"value": "leads", "role": "manager"}],
			"jit": true, "default_role": "agent", "allowed_domains": ["example.com"]}`
		f.run(t, []scenario{
			{name: "a manager cannot list them", method: "GET", path: "/sso/providers", as: "manager", status: 403},
			{name: "none yet", method: "GET", path: "/sso/providers", as: "admin", status: 200, want: []string{`"data":[]`}},
			{name: "create", method: "POST", path: "/sso/providers", as: "admin", body: provider, status: 201,
				json: map[string]string{"name": "Okta", "scopes.0": "openid", "role_rules.0.role": "manager", "jit": "true",
					"client_secret_set": "true", "callback_url": "https://help.example.com/login/sso/callback"},
				not: []string{"top-secret"}, save: map[string]string{"p": "id"}},
			{name: "bad rule role", method: "POST", path: "/sso/providers", as: "admin",
				body:   `{"name": "X", "issuer": "https://x.example.com", "client_id": "c", "client_secret": "s", "role_claim": "g", "role_rules": [{"value": "a", "role": "owner"}]}`,
				status: 400, want: []string{`"role_rules"`}},
			{name: "no issuer", method: "POST", path: "/sso/providers", as: "admin",
				body: `{"name": "X", "client_id": "c", "client_secret": "s"}`, status: 400, want: []string{`"issuer"`}},
			{name: "unknown field", method: "POST", path: "/sso/providers", as: "admin",
				body: `{"name": "X", "issuer": "https://x.example.com", "client_id": "c", "client_secret": "s", "secret": "x"}`, status: 400},
			{name: "get", method: "GET", path: "/sso/providers/{p}", as: "admin", status: 200,
				json: map[string]string{"client_secret_masked": "••••••••4321", "allowed_domains.0": "example.com"}, not: []string{"top-secret"}},
			{name: "switch off, secret kept", method: "PUT", path: "/sso/providers/{p}", as: "admin",
				body:   `{"name": "Okta", "issuer": "https://id.example.com", "client_id": "rapport", "active": false}`,
				status: 200, json: map[string]string{"active": "false", "client_secret_set": "true"}},
			{name: "unknown", method: "GET", path: "/sso/providers/999", as: "admin", status: 404},
			{name: "two-factor roles none", method: "GET", path: "/settings/two-factor", as: "admin", status: 200, want: []string{`"roles":[]`}},
			{name: "two-factor roles set", method: "PUT", path: "/settings/two-factor", as: "admin", body: `{"roles": ["admin", "agent"]}`,
				status: 200, json: map[string]string{"roles.0": "agent", "roles.1": "admin"}},
			{name: "two-factor unknown role", method: "PUT", path: "/settings/two-factor", as: "admin", body: `{"roles": ["owner"]}`, status: 400},
			{name: "two-factor manager", method: "PUT", path: "/settings/two-factor", as: "manager", body: `{"roles": []}`, status: 403},
			{name: "audit has the changes, not the secret", method: "GET", path: "/audit?action=sso", as: "admin", status: 200,
				want: []string{"sso.provider_create", "sso.provider_update"}, not: []string{"top-secret"}},
			{name: "delete", method: "DELETE", path: "/sso/providers/{p}", as: "admin", status: 204},
			{name: "gone", method: "GET", path: "/sso/providers/{p}", as: "admin", status: 404},
		})
	})
}
