package demo

import (
	"context"

	"github.com/rapport/rapport/internal/sso"
)

// seedSSO adds an example single sign-on provider, set by the admin and
// left switched off: its address is an example one that answers nothing,
// so the login page offers no button for it. An admin puts the shop's
// real issuer, client id and secret in its place (or a new provider) and
// switches it on. Two-factor authentication by role stays unset, so the
// demo's sign-ins are not held up; the page shows the setting.
func (r *runner) seedSSO(ctx context.Context) error {
	signOn := sso.New(sso.Opts{DB: r.o.DB, Agents: r.agents, Clock: r.clock})
	_, err := signOn.Create(office(ctx, r.agentIDs[0]), sso.Input{
		Name:         "Aurora Workspace (demo)",
		Issuer:       "https://sso.aurora-demo.example",
		ClientID:     "rapport-demo",
		ClientSecret: "demo-client-secret-change-me",
		Scopes:       "openid email profile groups",
		RoleClaim:    "groups",
		Rules:        "support-leads = manager\nsupport = agent\nit-admins = admin",
		JIT:          true, DefaultRole: "agent", AllowedDomains: "demo.example.com",
		Active: false,
	})
	return err
}
