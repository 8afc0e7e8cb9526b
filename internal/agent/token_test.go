package agent_test

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/rapport/rapport/internal/agent"
	"github.com/rapport/rapport/internal/audit"
	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/store/storetest"
	"github.com/rapport/rapport/internal/valid"
)

func TestTokenLife(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s, clock := newService(t, db)
		log := audit.New(db, clock)
		mia, _ := s.Create(ctx, agent.NewAgent{Email: "mia@example.com", Name: "Mia", Role: agent.RoleManager, Password: "long enough"})

		if _, _, err := s.MakeToken(ctx, mia.ID, agent.NewToken{Name: "x", Scopes: []agent.Scope{agent.ScopeAdmin}}); !isField(err, "scopes") {
			t.Errorf("a manager's admin-scoped token: %v, want a scopes error", err)
		}
		if _, _, err := s.MakeToken(ctx, mia.ID, agent.NewToken{Name: "x", Scopes: []agent.Scope{agent.ScopeRead}, ExpiresAt: clock.Now()}); !isField(err, "expires_at") {
			t.Errorf("a token expiring now: %v, want an expires_at error", err)
		}

		short, tk, err := s.MakeToken(ctx, mia.ID, agent.NewToken{Name: "report", Scopes: []agent.Scope{agent.ScopeRead, agent.ScopeRead},
			ExpiresAt: clock.Now().Add(time.Hour)})
		if err != nil || len(tk.Scopes) != 1 {
			t.Fatalf("MakeToken = %+v, %v", tk, err)
		}
		t1, _ := s.CreateTeam(ctx, "Billing", "")
		t2, _ := s.CreateTeam(ctx, "Returns", "")
		if err := s.SetTeamMembers(ctx, t2.ID, []int64{mia.ID}); err != nil {
			t.Fatal(err)
		}
		if err := s.SetTeamMembers(ctx, t1.ID, []int64{mia.ID}); err != nil {
			t.Fatal(err)
		}
		a, got, err := s.ByToken(ctx, short, "192.0.2.1")
		if err != nil || a.ID != mia.ID || !got.Has(agent.ScopeRead) || got.Has(agent.ScopeWrite) {
			t.Fatalf("ByToken = %+v %+v %v", a, got, err)
		}
		if len(a.TeamIDs) != 2 || a.TeamIDs[0] != t1.ID || a.TeamIDs[1] != t2.ID || a.Role != agent.RoleManager || a.Email != "mia@example.com" {
			t.Errorf("the token's agent = %+v; want Mia with both teams", a)
		}
		clock.Advance(30 * time.Second)
		s.ByToken(ctx, short, "192.0.2.2") // within the minute: not written
		listed, _ := s.GetToken(ctx, tk.ID)
		if listed.LastUsedAddr != "192.0.2.1" || !listed.LastUsedAt.Equal(clock.Now().Add(-30*time.Second)) {
			t.Errorf("last use = %s at %s; want the first use, kept for a minute", listed.LastUsedAddr, listed.LastUsedAt)
		}
		clock.Advance(31 * time.Second)
		s.ByToken(ctx, short, "192.0.2.2")
		if listed, _ = s.GetToken(ctx, tk.ID); listed.LastUsedAddr != "192.0.2.2" {
			t.Errorf("last address after a minute = %q", listed.LastUsedAddr)
		}
		clock.Advance(time.Hour)
		if _, _, err := s.ByToken(ctx, short, ""); !errors.Is(err, agent.ErrBadCredentials) {
			t.Errorf("an expired token: %v", err)
		}

		if _, err := s.CreateToken(ctx, mia.ID, "ci"); err != nil {
			t.Fatal(err)
		}
		pw, err := s.CreateToken(ctx, mia.ID, "pw")
		if err != nil {
			t.Fatal(err)
		}
		if err := s.ResetPassword(ctx, mia.ID, "another long one", false); err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.ByToken(ctx, pw, ""); err != nil {
			t.Errorf("a password reset without ending tokens ended one: %v", err)
		}
		_, pwTok, _ := s.ByToken(ctx, pw, "")
		if err := s.ResetPassword(ctx, mia.ID, "yet another one", true); err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.ByToken(ctx, pw, ""); !errors.Is(err, agent.ErrBadCredentials) {
			t.Errorf("a token after a reset that ends them: %v", err)
		}
		if got, _ := s.GetToken(ctx, pwTok.ID); got.RevokedReason != agent.RevokedPassword {
			t.Errorf("revoked reason = %q", got.RevokedReason)
		}

		long, err := s.CreateToken(ctx, mia.ID, "ci2")
		if err != nil {
			t.Fatal(err)
		}
		off, on := false, true
		if _, err := s.Update(ctx, mia.ID, agent.AgentUpdate{Active: &off}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Update(ctx, mia.ID, agent.AgentUpdate{Active: &on}); err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.ByToken(ctx, long, ""); !errors.Is(err, agent.ErrBadCredentials) {
			t.Errorf("a deactivated agent's token works after reactivation: %v", err)
		}

		_, ciTok, _ := s.MakeToken(ctx, mia.ID, agent.NewToken{Name: "last", Scopes: []agent.Scope{agent.ScopeWrite}})
		if _, err := s.RevokeToken(ctx, ciTok.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := s.RevokeToken(ctx, 99999); !errors.Is(err, agent.ErrNotFound) {
			t.Errorf("revoking no token: %v", err)
		}
		rows, err := log.List(ctx, audit.Filter{TargetKind: "token", TargetID: audit.ID(ciTok.ID)})
		if err != nil || len(rows) != 2 || rows[0].Action != "token.revoke" || rows[1].Action != "token.create" {
			t.Errorf("audit of a token = %+v %v", rows, err)
		}
		uses, _ := log.List(ctx, audit.Filter{Action: "token.use", TargetID: audit.ID(tk.ID)})
		if len(uses) != 2 {
			t.Errorf("%d token.use rows, want 2 (first use, new address)", len(uses))
		}
		all, _ := s.Tokens(ctx, 0)
		if len(all) != 5 || all[0].ID != ciTok.ID || all[0].RevokedReason != agent.RevokedByHand || all[1].RevokedReason != agent.RevokedDeactivated {
			t.Errorf("Tokens = %+v; want 5, newest first, each with why it ended", all)
		}
		deact, _ := log.List(ctx, audit.Filter{Action: "agent.update", TargetID: audit.ID(mia.ID)})
		if len(deact) != 2 {
			t.Errorf("%d agent.update rows for a deactivation and reactivation, want 2", len(deact))
		}
	})
}

func isField(err error, field string) bool {
	var f valid.Fields
	if !errors.As(err, &f) {
		return false
	}
	_, ok := f[field]
	return ok
}

func FuzzParseScopes(f *testing.F) {
	for _, s := range []string{"read", "read,write", " Admin , read ", "", ",", "read,,write", "root", "read;write"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		sc, err := agent.ParseScopes(s)
		if err != nil {
			return
		}
		if len(sc) == 0 || len(sc) > 3 {
			t.Fatalf("ParseScopes(%q) = %v", s, sc)
		}
		for _, x := range sc {
			if x != agent.ScopeRead && x != agent.ScopeWrite && x != agent.ScopeAdmin {
				t.Fatalf("ParseScopes(%q) gave %q", s, x)
			}
		}
	})
}

func TestFirstAdminRecorded(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s, clock := newService(t, db)
		var id int64
		err := db.Tx(ctx, func(tx *sql.Tx) error {
			var err error
			id, _, err = s.FirstAdminTx(ctx, tx, agent.NewAgent{Email: "ada@example.com", Name: "Ada", Password: "long enough"}, "Support")
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		rows, err := audit.New(db, clock).List(ctx, audit.Filter{Action: "agent.first_admin"})
		if err != nil || len(rows) != 1 || rows[0].AgentID != id || rows[0].AgentName != "Ada" || strings.Contains(rows[0].After, "long enough") {
			t.Errorf("first admin's record = %+v, %v", rows, err)
		}
	})
}
