package survey

import (
	"errors"
	"testing"
	"time"

	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/store/storetest"
	"github.com/rapport/rapport/internal/ticket"
)

// Recorded history is stored like a sent survey, answered at its time,
// once per ticket, and nobody can answer it by link.
func TestRecord(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		st := DefaultSettings()
		st.Enabled = false // no mail from solving: this is history
		if _, err := e.svc.SaveSettings(e.ctx, st); err != nil {
			t.Fatal(err)
		}
		id := e.solve("old@example.com", "ru")
		sent := e.clock.Now().Add(-48 * time.Hour)
		sid, err := e.svc.Record(e.ctx, Historical{TicketID: id, SentAt: sent, AnsweredAt: sent.Add(time.Hour),
			Answers: Answers{CSAT: intp(2), NPS: intp(4), Comment: strp("Долго ждал ответа.")}})
		if err != nil {
			t.Fatal(err)
		}
		var lang string
		var csat, nps int
		var answered, mailed int64
		err = db.R.QueryRowContext(e.ctx, "SELECT language, csat, nps, answered_at, mailed_at FROM surveys WHERE id = $1", sid).
			Scan(&lang, &csat, &nps, &answered, &mailed)
		if err != nil {
			t.Fatal(err)
		}
		if lang != "ru" || csat != 2 || nps != 4 || answered != sent.Add(time.Hour).UnixMilli() || mailed != sent.UnixMilli() {
			t.Fatalf("recorded %s %d %d %d %d", lang, csat, nps, answered, mailed)
		}
		if _, err := e.svc.Record(e.ctx, Historical{TicketID: id, SentAt: sent}); !errors.Is(err, store.ErrConflict) {
			t.Fatalf("second record: %v", err)
		}
		if _, err := e.svc.Record(e.ctx, Historical{TicketID: e.solve("x@example.com", "en"), SentAt: sent, AnsweredAt: sent,
			Answers: Answers{CSAT: intp(9)}}); err == nil {
			t.Fatal("out-of-range history accepted")
		}
		if _, err := e.svc.Record(e.ctx, Historical{TicketID: 99999, SentAt: sent}); !errors.Is(err, ticket.ErrNotFound) {
			t.Fatalf("no such ticket: %v", err)
		}
	})
}
