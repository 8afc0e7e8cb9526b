package demo

import (
	"context"
	"fmt"
	"time"

	"github.com/rapport/rapport/internal/agent"
	"github.com/rapport/rapport/internal/audit"
)

// seedAudit leaves the audit log what a few days of a real shop leave:
// sign-ins from the office, a mistyped password, the admin's API token for
// the shop's system and its first use, and an old script's token revoked.
// Everything goes through the services, which write the rows.
func (r *runner) seedAudit(ctx context.Context) error {
	now := r.clock.Now()
	defer r.clock.Set(now)
	adminID := r.agentIDs[0]
	steps := []struct {
		ago  time.Duration
		name string
		do   func() error
	}{
		{50 * time.Hour, "admin signs in", func() error {
			_, err := r.agents.Authenticate(office(ctx, 0), adminEmail, r.o.Password, "203.0.113.24")
			return err
		}},
		{49 * time.Hour, "an old token revoked", func() error {
			_, t, err := r.agents.MakeToken(office(ctx, adminID), adminID, agent.NewToken{Name: "Old export script", Scopes: []agent.Scope{agent.ScopeRead}})
			if err != nil {
				return err
			}
			r.clock.Advance(20 * time.Minute)
			_, err = r.agents.RevokeToken(office(ctx, adminID), t.ID)
			return err
		}},
		{48 * time.Hour, "the shop's token", func() error {
			secret, _, err := r.agents.MakeToken(office(ctx, adminID), adminID, agent.NewToken{Name: "Shop sync",
				Scopes: []agent.Scope{agent.ScopeRead, agent.ScopeWrite}})
			if err != nil {
				return err
			}
			r.clock.Advance(5 * time.Minute)
			_, _, err = r.agents.ByToken(ctx, secret, "198.51.100.40")
			return err
		}},
		{26 * time.Hour, "a mistyped password", func() error {
			if _, err := r.agents.Authenticate(office(ctx, 0), managerEmail, "not the password", "203.0.113.31"); err == nil {
				return fmt.Errorf("a wrong password signed in")
			}
			r.clock.Advance(time.Minute)
			_, err := r.agents.Authenticate(office(ctx, 0), managerEmail, r.o.Password, "203.0.113.31")
			return err
		}},
	}
	for _, s := range steps {
		r.clock.Set(now.Add(-s.ago))
		if err := s.do(); err != nil {
			return fmt.Errorf("demo: audit: %s: %w", s.name, err)
		}
	}
	return nil
}

// office is ctx acting as agent id (0: nobody yet, as before a sign-in)
// from the shop's office address.
func office(ctx context.Context, id int64) context.Context {
	return audit.WithActor(ctx, audit.Actor{AgentID: id, Addr: "203.0.113.24"})
}
