package agent_test

import (
	"context"
	"testing"

	"github.com/rapport/rapport/internal/agent"
	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/store/storetest"
)

// Agent.Can: the role's permissions, plus the knowledge base for an agent
// given the right, and nothing more for them.
func TestAgentCan(t *testing.T) {
	tests := []struct {
		name string
		a    agent.Agent
		perm agent.Permission
		want bool
	}{
		{"agent without the right writes no articles", agent.Agent{Role: agent.RoleAgent}, agent.PermManageKB, false},
		{"agent with the right writes articles", agent.Agent{Role: agent.RoleAgent, KBEditor: true}, agent.PermManageKB, true},
		{"the right gives no reports", agent.Agent{Role: agent.RoleAgent, KBEditor: true}, agent.PermViewReports, false},
		{"the right gives no saved replies", agent.Agent{Role: agent.RoleAgent, KBEditor: true}, agent.PermManageSavedReplies, false},
		{"the right gives no admin pages", agent.Agent{Role: agent.RoleAgent, KBEditor: true}, agent.PermManageAgents, false},
		{"a manager writes articles without it", agent.Agent{Role: agent.RoleManager}, agent.PermManageKB, true},
		{"an unknown role with the right can do nothing else", agent.Agent{Role: "owner", KBEditor: true}, agent.PermWorkTickets, false},
		{"agent works tickets either way", agent.Agent{Role: agent.RoleAgent, KBEditor: true}, agent.PermWorkTickets, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.a.Can(tc.perm); got != tc.want {
				t.Errorf("Can(%s) = %v", tc.perm, got)
			}
		})
	}
}

// The right is stored, read back by every lookup the web and API use
// (session, token, list), and audited with before and after.
func TestKBEditorRight(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s, _ := newService(t, db)
		a, err := s.Create(ctx, agent.NewAgent{Email: "al@example.com", Name: "Al", Role: agent.RoleAgent, Password: "long enough"})
		if err != nil {
			t.Fatal(err)
		}
		if a.KBEditor || a.Can(agent.PermManageKB) || a.ChatCapacity != 3 {
			t.Fatalf("a new agent %+v", a)
		}
		token, err := s.CreateToken(ctx, a.ID, "t")
		if err != nil {
			t.Fatal(err)
		}
		session, _, err := s.CreateSession(ctx, a.ID, "test", "127.0.0.1")
		if err != nil {
			t.Fatal(err)
		}
		check := func(want bool) {
			t.Helper()
			got, err := s.Get(ctx, a.ID)
			if err != nil || got.KBEditor != want {
				t.Errorf("Get: KBEditor %v (%v), want %v", got.KBEditor, err, want)
			}
			_, bySession, err := s.SessionByToken(ctx, session)
			if err != nil || bySession.Can(agent.PermManageKB) != want {
				t.Errorf("by session: Can %v (%v), want %v", bySession.Can(agent.PermManageKB), err, want)
			}
			byToken, _, err := s.ByToken(ctx, token, "127.0.0.1")
			if err != nil || byToken.Can(agent.PermManageKB) != want || byToken.ChatCapacity != 3 {
				t.Errorf("by token: %+v (%v), want the right %v", byToken, err, want)
			}
			list, err := s.List(ctx)
			if err != nil || len(list) != 1 || list[0].KBEditor != want {
				t.Errorf("list %+v (%v), want the right %v", list, err, want)
			}
		}
		yes, no := true, false
		if _, err := s.Update(ctx, a.ID, agent.AgentUpdate{KBEditor: &yes}); err != nil {
			t.Fatal(err)
		}
		check(true)
		if _, err := s.Update(ctx, a.ID, agent.AgentUpdate{KBEditor: &no}); err != nil {
			t.Fatal(err)
		}
		check(false)
		var n int
		if err := db.R.QueryRowContext(ctx, `SELECT count(*) FROM audit_log WHERE action = 'agent.update'
			AND before_json LIKE '%"kb_editor":false%' AND after_json LIKE '%"kb_editor":true%'`).Scan(&n); err != nil || n != 1 {
			t.Errorf("%d audit rows giving the right (%v), want 1", n, err)
		}
	})
}
