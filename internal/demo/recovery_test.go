package demo

import (
	"testing"

	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/store/storetest"
)

// The demo shows compensation granted within limits, a request a manager
// approved and one declined, each with its ticket event; and a root cause
// with three tickets linked before its prevention was done and a
// recurrence after it, plus an open prevention still due.
func TestGenerateRecovery(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		generate(t, db, 7, 60, 300)
		count := func(q string) int { return countRows(t, db, q) }
		if n := count(`SELECT count(*) FROM compensations WHERE status = 'granted' AND decided_by IS NULL`); n < 3 {
			t.Errorf("%d compensations granted within limits", n)
		}
		if n := count(`SELECT count(*) FROM compensations WHERE status = 'granted' AND decided_by IS NOT NULL`); n != 1 {
			t.Errorf("%d approved requests, want 1", n)
		}
		if n := count(`SELECT count(*) FROM compensations WHERE status = 'declined' AND decline_reason <> ''`); n != 1 {
			t.Errorf("%d declined requests, want 1", n)
		}
		granted := count(`SELECT count(*) FROM compensations WHERE status = 'granted'`)
		if n := count(`SELECT count(*) FROM ticket_events WHERE type = 'compensation_granted'`); n != granted {
			t.Errorf("%d grant events for %d grants", n, granted)
		}
		if n := count(`SELECT count(*) FROM jobs WHERE kind = 'recovery.notice' AND status <> 'done'`); n != 0 {
			t.Errorf("%d customer notices left to send at server start", n)
		}
		if n := count(`SELECT count(*) FROM root_causes c WHERE status = 'done'
			AND (SELECT count(*) FROM root_cause_tickets l WHERE l.cause_id = c.id AND l.linked_at < c.done_at) = 3
			AND (SELECT count(*) FROM root_cause_tickets l WHERE l.cause_id = c.id AND l.linked_at > c.done_at) = 1`); n != 1 {
			t.Errorf("%d causes with three tickets and a recurrence, want 1", n)
		}
		if n := count(`SELECT count(*) FROM root_causes WHERE status = 'open' AND owner_id IS NOT NULL AND due_at IS NOT NULL`); n != 1 {
			t.Errorf("%d open preventions with an owner and a due date, want 1", n)
		}
	})
}
