package demo

import (
	"context"
	"testing"

	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/store/storetest"
	"github.com/rapport/rapport/internal/text"
	"github.com/rapport/rapport/internal/ticket"
)

// TestDemoFollowUps: the demo has follow-ups answered yes by the button
// (a solved ticket, closed by the answer as a confirmed fix), no in words (reopened as rework with its
// owner), and unclear in words: one an agent counted as rework, one still
// waiting for an agent's decision.
func TestDemoFollowUps(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		generate(t, db, 7, 60, 300)
		_, _, ts := services(db)
		rows, err := db.R.QueryContext(ctx, "SELECT ticket_id FROM followups ORDER BY id")
		if err != nil {
			t.Fatal(err)
		}
		var ids []int64
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				t.Fatal(err)
			}
			ids = append(ids, id)
		}
		rows.Close()
		if len(ids) != 4 {
			t.Fatalf("%d follow-ups, want 4", len(ids))
		}
		want := []struct {
			answer  text.Answer
			via     string
			status  ticket.Status
			waiting bool
		}{
			{text.AnswerYes, ticket.FollowUpByButton, ticket.Closed, false}, // closed by the answer, not the auto-close
			{text.AnswerNo, ticket.FollowUpByReply, ticket.Open, false},
			{text.AnswerUnclear, ticket.FollowUpByReply, ticket.Open, false},
			{text.AnswerUnclear, ticket.FollowUpByReply, ticket.Open, true},
		}
		for i, w := range want {
			f, err := ts.LatestFollowUp(ctx, ids[i])
			if err != nil {
				t.Fatal(err)
			}
			tk, err := ts.Get(ctx, ids[i])
			if err != nil {
				t.Fatal(err)
			}
			_, undecided := ts.UndecidedFollowUp(ctx, ids[i])
			if f.Answer != w.answer || f.Via != w.via || tk.Status != w.status || tk.OwnerID == 0 || (undecided == nil) != w.waiting {
				t.Errorf("follow-up %d: %+v, ticket %s owner %d, undecided err %v; want %+v", i, f, tk.Status, tk.OwnerID, undecided, w)
			}
			if w.answer == text.AnswerYes && (f.AnsweredAt == nil || !tk.ClosedAt.Equal(*f.AnsweredAt)) {
				t.Errorf("the yes was answered %s, the ticket closed %s: it was not solved when the customer answered", f.AnsweredAt, tk.ClosedAt)
			}
		}
		var fixes, decided int
		db.R.QueryRowContext(ctx, "SELECT count(*) FROM ticket_events WHERE type = $1", ticket.EventFixConfirmed).Scan(&fixes)
		db.R.QueryRowContext(ctx, "SELECT count(*) FROM ticket_events WHERE type = $1", ticket.EventFollowUpDecided).Scan(&decided)
		if fixes != 1 || decided != 1 {
			t.Errorf("%d confirmed fixes and %d decisions, want 1 and 1", fixes, decided)
		}
	})
}
