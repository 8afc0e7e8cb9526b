package audit_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/rapport/rapport/internal/audit"
	"github.com/rapport/rapport/internal/jobs"
	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/store/storetest"
)

func TestRecordListPrune(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		clock := jobs.NewFakeClock(time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC))
		l := audit.New(db, clock)
		var agentID int64
		if err := db.W.QueryRowContext(ctx, `INSERT INTO agents (email, name, role, password_hash, locale, languages, availability, active, created_at, updated_at)
			VALUES ('a@x.test', 'Ada', 'admin', 'h', '', '', 'offline', TRUE, 0, 0) RETURNING id`).Scan(&agentID); err != nil {
			t.Fatal(err)
		}
		actx := audit.WithActor(ctx, audit.Actor{AgentID: agentID, Addr: "192.0.2.7"})
		type state struct {
			Role     string `json:"role"`
			Password string `json:"password"`
		}
		if err := l.Record(actx, audit.Entry{Action: "agent.update", TargetKind: "agent", TargetID: "9",
			Before: state{"agent", "old-secret"}, After: state{"manager", "new-secret"}}); err != nil {
			t.Fatal(err)
		}
		clock.Advance(48 * time.Hour)
		if err := l.Record(ctx, audit.Entry{Action: "token.revoke", TargetKind: "token", TargetID: "3", As: agentID}); err != nil {
			t.Fatal(err)
		}
		if err := l.Record(ctx, audit.Entry{Action: "login.failed", TargetKind: "agent"}); err != nil {
			t.Fatal(err)
		}

		all, err := l.List(ctx, audit.Filter{})
		if err != nil || len(all) != 3 {
			t.Fatalf("List = %d rows, %v; want 3", len(all), err)
		}
		if all[2].Action != "agent.update" || all[2].AgentName != "Ada" || all[2].Addr != "192.0.2.7" {
			t.Errorf("oldest row = %+v", all[2])
		}
		for _, r := range all {
			if strings.Contains(r.Before+r.After, "secret") {
				t.Errorf("a secret reached the log: %s %s", r.Before, r.After)
			}
		}
		if !strings.Contains(all[2].After, `"role":"manager"`) {
			t.Errorf("after = %s", all[2].After)
		}
		if all[0].AgentID != 0 || all[1].AgentID != agentID {
			t.Errorf("actors: system %d, As %d", all[0].AgentID, all[1].AgentID)
		}

		tests := []struct {
			name string
			f    audit.Filter
			want []string
		}{
			{"by area", audit.Filter{Action: "token"}, []string{"token.revoke"}},
			{"area is not a prefix of a word", audit.Filter{Action: "tok"}, nil},
			{"by actor", audit.Filter{AgentID: agentID}, []string{"token.revoke", "agent.update"}},
			{"by target", audit.Filter{TargetKind: "agent", TargetID: "9"}, []string{"agent.update"}},
			{"by dates", audit.Filter{From: clock.Now().Add(-time.Hour)}, []string{"login.failed", "token.revoke"}},
			{"until", audit.Filter{Until: clock.Now().Add(-time.Hour)}, []string{"agent.update"}},
			{"paging", audit.Filter{Limit: 1, Offset: 1}, []string{"token.revoke"}},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				rows, err := l.List(ctx, tc.f)
				if err != nil {
					t.Fatal(err)
				}
				var got []string
				for _, r := range rows {
					got = append(got, r.Action)
				}
				if strings.Join(got, ",") != strings.Join(tc.want, ",") {
					t.Errorf("got %v, want %v", got, tc.want)
				}
			})
		}

		if _, err := db.W.ExecContext(ctx, `UPDATE audit_log SET action = 'nothing'`); err == nil {
			t.Error("an UPDATE of the audit log succeeded; it must be append-only")
		}

		n, err := l.Prune(ctx, 24*time.Hour)
		if err != nil || n != 1 {
			t.Fatalf("Prune = %d, %v; want 1", n, err)
		}
		left, _ := l.List(ctx, audit.Filter{})
		if len(left) != 2 {
			t.Errorf("after pruning %d rows, want 2", len(left))
		}
	})
}

func TestSchedulePrunes(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		clock := jobs.NewFakeClock(time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC))
		q := jobs.New(db, clock, nil)
		l := audit.New(db, clock)
		if err := l.Record(ctx, audit.Entry{Action: "login"}); err != nil {
			t.Fatal(err)
		}
		if err := l.Schedule(ctx, q, 400*24*time.Hour, nil); err != nil {
			t.Fatal(err)
		}
		if err := l.Schedule(ctx, q, 400*24*time.Hour, nil); err != nil {
			t.Fatal(err)
		}
		clock.Advance(401 * 24 * time.Hour)
		if _, err := q.RunDue(ctx); err != nil {
			t.Fatal(err)
		}
		if rows, _ := l.List(ctx, audit.Filter{}); len(rows) != 0 {
			t.Errorf("%d rows older than the retention survived the pruning job", len(rows))
		}
		if info, err := q.GetByKey(ctx, audit.JobPrune); err != nil || info.Status != "pending" {
			t.Errorf("next pruning job: %+v, %v", info, err)
		}
	})
}
