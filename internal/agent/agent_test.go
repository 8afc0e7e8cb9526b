package agent_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/rapport/rapport/internal/agent"
	"github.com/rapport/rapport/internal/jobs"
	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/store/storetest"
	"github.com/rapport/rapport/internal/valid"
)

var t0 = time.Date(2025, 3, 10, 9, 0, 0, 0, time.UTC)

func TestRolePermissions(t *testing.T) {
	tests := []struct {
		name string
		role agent.Role
		perm agent.Permission
		want bool
	}{
		{"agent works tickets", agent.RoleAgent, agent.PermWorkTickets, true},
		{"agent sees no reports", agent.RoleAgent, agent.PermViewReports, false},
		{"agent manages no teams", agent.RoleAgent, agent.PermManageTeams, false},
		{"manager sees reports", agent.RoleManager, agent.PermViewReports, true},
		{"manager manages teams", agent.RoleManager, agent.PermManageTeams, true},
		{"manager manages no agents", agent.RoleManager, agent.PermManageAgents, false},
		{"admin manages agents", agent.RoleAdmin, agent.PermManageAgents, true},
		{"admin manages settings", agent.RoleAdmin, agent.PermManageSettings, true},
		{"manager keeps saved replies", agent.RoleManager, agent.PermManageSavedReplies, true},
		{"agent only uses saved replies", agent.RoleAgent, agent.PermManageSavedReplies, false},
		{"unknown role can do nothing", agent.Role("owner"), agent.PermWorkTickets, false},
		{"unknown permission is denied", agent.RoleAdmin, agent.Permission("launch"), false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.role.Can(tc.perm); got != tc.want {
				t.Errorf("%s.Can(%s) = %v", tc.role, tc.perm, got)
			}
		})
	}
}

func TestPasswordHash(t *testing.T) {
	h, err := agent.HashPassword("correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$") || strings.Contains(h, "correct horse") {
		t.Fatalf("hash = %q", h)
	}
	h2, _ := agent.HashPassword("correct horse battery")
	if h == h2 {
		t.Fatal("two hashes of one password are equal: no salt")
	}
	tests := []struct {
		name, hash, pw string
		want           bool
	}{
		{"right password", h, "correct horse battery", true},
		{"wrong password", h, "correct horse battery!", false},
		{"empty password", h, "", false},
		{"garbage hash", "$argon2id$nonsense", "x", false},
		{"bcrypt-looking hash", "$2a$10$abcdefghijklmnopqrstuv", "x", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := agent.VerifyPassword(tc.hash, tc.pw); got != tc.want {
				t.Errorf("VerifyPassword = %v", got)
			}
		})
	}
}

func newService(t *testing.T, db *store.DB) (*agent.Service, *jobs.FakeClock) {
	clock := jobs.NewFakeClock(t0)
	return agent.New(db, clock), clock
}

func TestCreateAndUpdate(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s, _ := newService(t, db)
		a, err := s.Create(ctx, agent.NewAgent{Email: " Ada@Example.COM ", Name: "Ada", Role: agent.RoleAdmin,
			Password: "long enough", Languages: []string{"EN", "it", "en"}})
		if err != nil {
			t.Fatal(err)
		}
		if a.Email != "ada@example.com" || a.Availability != agent.Offline || !a.Active ||
			strings.Join(a.Languages, ",") != "en,it" {
			t.Fatalf("created %+v", a)
		}
		bad := []struct {
			name  string
			n     agent.NewAgent
			field string
		}{
			{"bad email", agent.NewAgent{Email: "nope", Name: "X", Role: agent.RoleAgent, Password: "long enough"}, "email"},
			{"no name", agent.NewAgent{Email: "x@example.com", Name: " ", Role: agent.RoleAgent, Password: "long enough"}, "name"},
			{"bad role", agent.NewAgent{Email: "x@example.com", Name: "X", Role: "king", Password: "long enough"}, "role"},
			{"short password", agent.NewAgent{Email: "x@example.com", Name: "X", Role: agent.RoleAgent, Password: "short"}, "password"},
		}
		for _, tc := range bad {
			t.Run(tc.name, func(t *testing.T) {
				_, err := s.Create(ctx, tc.n)
				var ve valid.Errors
				if !errors.As(err, &ve) || ve[tc.field] == "" {
					t.Fatalf("err = %v, want a message for %s", err, tc.field)
				}
			})
		}
		if _, err := s.Create(ctx, agent.NewAgent{Email: "ADA@example.com", Name: "Copy", Role: agent.RoleAgent, Password: "long enough"}); !errors.Is(err, store.ErrConflict) {
			t.Fatalf("duplicate email: %v", err)
		}
		online, it := agent.Online, "it"
		a, err = s.Update(ctx, a.ID, agent.AgentUpdate{Availability: &online, Locale: &it})
		if err != nil || a.Availability != agent.Online || a.Locale != "it" || a.Name != "Ada" {
			t.Fatalf("update: %+v %v", a, err)
		}
		asleep := "asleep"
		if _, err := s.Update(ctx, a.ID, agent.AgentUpdate{Availability: &asleep}); err == nil {
			t.Fatal("bad availability accepted")
		}
		if _, err := s.Update(ctx, 999999, agent.AgentUpdate{Locale: &it}); !errors.Is(err, agent.ErrNotFound) {
			t.Fatalf("unknown agent: %v", err)
		}
		got, err := s.GetByEmail(ctx, "ADA@EXAMPLE.COM")
		if err != nil || got.ID != a.ID {
			t.Fatalf("GetByEmail: %+v %v", got, err)
		}
	})
}

func TestLoginSessionsAndRateLimit(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s, clock := newService(t, db)
		a, err := s.Create(ctx, agent.NewAgent{Email: "al@example.com", Name: "Al", Role: agent.RoleAgent, Password: "the right one"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.Authenticate(ctx, "al@example.com", "the wrong one", "10.0.0.1"); !errors.Is(err, agent.ErrBadCredentials) {
			t.Fatalf("wrong password: %v", err)
		}
		if _, err := s.Authenticate(ctx, "nobody@example.com", "the right one", "10.0.0.1"); !errors.Is(err, agent.ErrBadCredentials) {
			t.Fatalf("unknown email: %v", err)
		}
		got, err := s.Authenticate(ctx, "AL@example.com", "the right one", "10.0.0.1")
		if err != nil || got.ID != a.ID {
			t.Fatalf("right password: %v", err)
		}

		token, sess, err := s.CreateSession(ctx, a.ID, "test-browser", "10.0.0.1")
		if err != nil || token == "" || sess.CSRFToken == "" || sess.CSRFToken == token {
			t.Fatalf("session: %q %+v %v", token, sess, err)
		}
		var stored int
		db.R.QueryRowContext(ctx, `SELECT count(*) FROM sessions WHERE id = $1`, token).Scan(&stored)
		if stored != 0 {
			t.Fatal("the session token is stored in plain")
		}
		s2, who, err := s.SessionByToken(ctx, token)
		if err != nil || who.ID != a.ID || s2.CSRFToken != sess.CSRFToken {
			t.Fatalf("SessionByToken: %+v %v", who, err)
		}
		if _, _, err := s.SessionByToken(ctx, "forged"); !errors.Is(err, agent.ErrSessionExpired) {
			t.Fatalf("forged token: %v", err)
		}
		// A used session stays alive; an unused one expires.
		clock.Advance(agent.SessionTTL - time.Hour)
		if _, _, err := s.SessionByToken(ctx, token); err != nil {
			t.Fatalf("session used within its lifetime: %v", err)
		}
		clock.Advance(agent.SessionTTL + time.Minute)
		if _, _, err := s.SessionByToken(ctx, token); !errors.Is(err, agent.ErrSessionExpired) {
			t.Fatalf("expired session: %v", err)
		}
		token, _, _ = s.CreateSession(ctx, a.ID, "", "")
		if err := s.DeleteSession(ctx, token); err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.SessionByToken(ctx, token); !errors.Is(err, agent.ErrSessionExpired) {
			t.Fatalf("session after logout: %v", err)
		}
		// A new password ends every session.
		token, _, _ = s.CreateSession(ctx, a.ID, "", "")
		if err := s.SetPassword(ctx, a.ID, "a brand new one"); err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.SessionByToken(ctx, token); !errors.Is(err, agent.ErrSessionExpired) {
			t.Fatalf("session after a password change: %v", err)
		}

		// Thirty failures from one client, whatever the accounts, stop that
		// client, even with the right password, until the window passes.
		for i := 0; i < 30; i++ {
			s.Authenticate(ctx, fmt.Sprintf("other%d@example.com", i), "guess", "10.9.9.9")
		}
		if _, err := s.Authenticate(ctx, "al@example.com", "a brand new one", "10.9.9.9"); !errors.Is(err, agent.ErrRateLimited) {
			t.Fatalf("after 30 failures: %v", err)
		}
		if _, err := s.Authenticate(ctx, "al@example.com", "a brand new one", "10.1.1.1"); err != nil {
			t.Fatalf("another client is not limited: %v", err)
		}
		clock.Advance(16 * time.Minute)
		if _, err := s.Authenticate(ctx, "al@example.com", "a brand new one", "10.9.9.9"); err != nil {
			t.Fatalf("after the window: %v", err)
		}
		// Deactivated agents cannot log in.
		off := false
		s.Update(ctx, a.ID, agent.AgentUpdate{Active: &off})
		if _, err := s.Authenticate(ctx, "al@example.com", "a brand new one", "10.1.1.2"); !errors.Is(err, agent.ErrBadCredentials) {
			t.Fatalf("inactive agent: %v", err)
		}
	})
}

func TestAPITokens(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s, _ := newService(t, db)
		a, _ := s.Create(ctx, agent.NewAgent{Email: "mia@example.com", Name: "Mia", Role: agent.RoleManager, Password: "long enough"})
		tok, err := s.CreateToken(ctx, a.ID, "ci")
		if err != nil || !strings.HasPrefix(tok, "rpt_") {
			t.Fatalf("token %q %v", tok, err)
		}
		got, err := s.AgentByToken(ctx, tok)
		if err != nil || got.ID != a.ID {
			t.Fatalf("AgentByToken: %v", err)
		}
		if _, err := s.AgentByToken(ctx, tok+"x"); !errors.Is(err, agent.ErrBadCredentials) {
			t.Fatalf("wrong token: %v", err)
		}
		if _, err := s.CreateToken(ctx, 999999, "x"); !errors.Is(err, agent.ErrNotFound) {
			t.Fatalf("token for unknown agent: %v", err)
		}
		off := false
		s.Update(ctx, a.ID, agent.AgentUpdate{Active: &off})
		if _, err := s.AgentByToken(ctx, tok); !errors.Is(err, agent.ErrBadCredentials) {
			t.Fatalf("token of an inactive agent: %v", err)
		}
	})
}

func TestTeams(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s, _ := newService(t, db)
		al, _ := s.Create(ctx, agent.NewAgent{Email: "al@example.com", Name: "Al", Role: agent.RoleAgent, Password: "long enough"})
		bo, _ := s.Create(ctx, agent.NewAgent{Email: "bo@example.com", Name: "Bo", Role: agent.RoleAgent, Password: "long enough"})
		billing, err := s.CreateTeam(ctx, " Billing ", "Money")
		if err != nil || billing.Name != "Billing" {
			t.Fatalf("team %+v %v", billing, err)
		}
		if _, err := s.CreateTeam(ctx, "Billing", ""); !errors.Is(err, store.ErrConflict) {
			t.Fatalf("duplicate team: %v", err)
		}
		if _, err := s.CreateTeam(ctx, "", ""); err == nil {
			t.Fatal("team without a name accepted")
		}
		if err := s.SetTeamMembers(ctx, billing.ID, []int64{al.ID, bo.ID, al.ID}); err != nil {
			t.Fatal(err)
		}
		if err := s.SetTeamMembers(ctx, billing.ID, []int64{al.ID, 999999}); err == nil {
			t.Fatal("unknown member accepted")
		}
		team, _ := s.GetTeam(ctx, billing.ID)
		if len(team.MemberIDs) != 2 {
			t.Fatalf("a failed SetTeamMembers changed the members: %v", team.MemberIDs)
		}
		list, _ := s.List(ctx)
		for _, a := range list {
			if len(a.TeamIDs) != 1 || a.TeamIDs[0] != billing.ID {
				t.Errorf("agent %s teams %v", a.Name, a.TeamIDs)
			}
		}
		if _, err := s.UpdateTeam(ctx, billing.ID, "Billing & Refunds", "Money back"); err != nil {
			t.Fatal(err)
		}
		if err := s.DeleteTeam(ctx, billing.ID); err != nil {
			t.Fatal(err)
		}
		if err := s.DeleteTeam(ctx, billing.ID); !errors.Is(err, agent.ErrNotFound) {
			t.Fatalf("second delete: %v", err)
		}
		a, _ := s.Get(ctx, al.ID)
		if len(a.TeamIDs) != 0 {
			t.Fatalf("deleted team still on agent: %v", a.TeamIDs)
		}
	})
}

// TestLoginThrottleSparesTheOwner: wrong passwords slow the address that
// sends them, with waits that grow, and never lock the owner out elsewhere.
func TestLoginThrottleSparesTheOwner(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s, clock := newService(t, db)
		if _, err := s.Create(ctx, agent.NewAgent{Email: "owner@example.com", Name: "Owner", Role: agent.RoleAdmin, Password: "the right one"}); err != nil {
			t.Fatal(err)
		}
		// Ten wrong passwords from one address, each sent as soon as allowed.
		var waits []time.Duration
		for i := 0; i < 10; i++ {
			_, err := s.Authenticate(ctx, "owner@example.com", "wrong", "198.51.100.66")
			var we *agent.WaitError
			for errors.As(err, &we) {
				waits = append(waits, we.Wait)
				clock.Advance(we.Wait)
				_, err = s.Authenticate(ctx, "owner@example.com", "wrong", "198.51.100.66")
			}
			if !errors.Is(err, agent.ErrBadCredentials) {
				t.Fatalf("attempt %d: %v", i+1, err)
			}
		}
		want := []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second, 16 * time.Second, 32 * time.Second, 64 * time.Second}
		if fmt.Sprint(waits) != fmt.Sprint(want) {
			t.Errorf("waits %v, want %v", waits, want)
		}
		// The owner, elsewhere, signs in at once.
		if _, err := s.Authenticate(ctx, "owner@example.com", "the right one", "203.0.113.5"); err != nil {
			t.Fatalf("the owner from another address: %v", err)
		}
		// The attacker's address still waits, and is told how long, even
		// with the right password (which is not checked).
		_, err := s.Authenticate(ctx, "owner@example.com", "the right one", "198.51.100.66")
		var we *agent.WaitError
		if !errors.As(err, &we) || !errors.Is(err, agent.ErrRateLimited) || we.Wait != 128*time.Second {
			t.Fatalf("the attacker's address: %v, want a wait of 128s", err)
		}
		// A guesser spread over many addresses: after 20 failures of the
		// account every address waits, but never long.
		clock.Advance(time.Minute)
		for i := 0; i < 20; i++ {
			if _, err := s.Authenticate(ctx, "owner@example.com", "wrong", fmt.Sprintf("192.0.2.%d", i)); !errors.Is(err, agent.ErrBadCredentials) {
				t.Fatalf("spread attempt %d: %v", i, err)
			}
		}
		_, err = s.Authenticate(ctx, "owner@example.com", "the right one", "203.0.113.5")
		if !errors.As(err, &we) || we.Wait != time.Second {
			t.Fatalf("after 20 spread failures: %v, want a wait of 1s", err)
		}
		clock.Advance(time.Second)
		if _, err := s.Authenticate(ctx, "owner@example.com", "the right one", "203.0.113.5"); err != nil {
			t.Fatalf("the owner after the short wait: %v", err)
		}
	})
}
