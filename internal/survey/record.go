package survey

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/rapport/rapport/internal/store"
)

// Historical is a survey that was sent, and perhaps answered, before
// Rapport took it in: imported history, or the demo's made-up past.
type Historical struct {
	TicketID   int64
	SentAt     time.Time
	AnsweredAt time.Time // zero: never answered
	Answers    Answers
}

// Record stores h as its ticket's survey, with the ticket's agent, team,
// channel and language as they are now, and a token nobody holds: it counts
// in the metrics like any survey but cannot be answered again. A ticket
// that has a survey already is store.ErrConflict.
func (s *Service) Record(ctx context.Context, h Historical) (int64, error) {
	if err := h.Answers.Validate(); err != nil {
		return 0, err
	}
	if !h.AnsweredAt.IsZero() && (h.Answers.Empty() || h.AnsweredAt.Before(h.SentAt)) {
		return 0, fmt.Errorf("survey: record for ticket %d: answered without answers, or before it was sent", h.TicketID)
	}
	t, err := s.o.Tickets.Get(ctx, h.TicketID)
	if err != nil {
		return 0, fmt.Errorf("survey: record: %w", err)
	}
	_, hash := newToken()
	sent := h.SentAt.UTC()
	var id int64
	err = s.o.DB.Tx(ctx, func(tx *sql.Tx) error {
		var custLang string
		if err := tx.QueryRowContext(ctx, s.q.Get("lock-customer"), t.CustomerID).Scan(&custLang); err != nil {
			return err
		}
		err := tx.QueryRowContext(ctx, s.q.Get("insert-survey"), t.ID, t.CustomerID, nullID(t.OwnerID), nullID(t.TeamID),
			t.Channel, s.language(t.Language, custLang), hash, store.Millis(sent), store.Millis(sent.Add(30*24*time.Hour))).Scan(&id)
		if store.IsUniqueViolation(err) {
			return store.ErrConflict
		}
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, s.q.Get("mark-mailed"), id, store.Millis(sent)); err != nil {
			return err
		}
		if h.AnsweredAt.IsZero() {
			return nil
		}
		a := h.Answers
		var ret, comment any
		if a.Return != "" {
			ret = a.Return
		}
		if a.Comment != nil {
			comment = *a.Comment
		}
		at := store.Millis(h.AnsweredAt.UTC())
		args := []any{ptrArg(a.CSAT), ptrArg(a.NPS), ptrArg(a.Speed), ptrArg(a.Wait), ptrArg(a.Feeling), ret, comment}
		if _, err := tx.ExecContext(ctx, s.q.Get("answer-survey"), append([]any{id, at, int64(0)}, args...)...); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, s.q.Get("insert-survey-answer"), append([]any{id, at}, args...)...)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("survey: record for ticket %d: %w", h.TicketID, err)
	}
	return id, nil
}

// ptrArg is a score as a query argument: NULL for none.
func ptrArg(p *int) any {
	if p == nil {
		return nil
	}
	return int64(*p)
}
