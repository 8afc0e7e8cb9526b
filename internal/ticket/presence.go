package ticket

import (
	"context"
	"fmt"
	"time"

	"github.com/rapport/rapport/internal/store"
)

// Presence states: an agent has the ticket open, or is writing on it.
const (
	Viewing  = "viewing"
	Replying = "replying"
)

// PresenceTTL is how long a presence lasts without a fresh heartbeat; the
// ticket page beats well within it.
const PresenceTTL = 45 * time.Second

// Present is a colleague who has a ticket open right now.
type Present struct {
	AgentID int64
	Name    string
	State   string // Viewing or Replying
	SeenAt  time.Time
}

// SetPresence records that agent agentID has ticket id open (state Viewing
// or Replying), or, with state "", that they left it. Presence is kept in
// the database so that every server process sees it; it writes no event.
func (s *Service) SetPresence(ctx context.Context, id, agentID int64, state string) error {
	now := s.o.Clock.Now()
	var err error
	switch state {
	case Viewing, Replying:
		_, err = s.o.DB.W.ExecContext(ctx, s.q.Get("upsert-presence"), id, agentID, state, store.Millis(now))
		if store.IsForeignKeyViolation(err) {
			return fmt.Errorf("ticket: presence on %d: %w", id, ErrNotFound)
		}
	case "":
		_, err = s.o.DB.W.ExecContext(ctx, s.q.Get("delete-presence"), id, agentID)
	default:
		return fmt.Errorf("ticket: presence state %q", state)
	}
	if err != nil {
		return fmt.Errorf("ticket: presence on %d: %w", id, err)
	}
	// Old rows mean nothing; sweep them now and then, not on every beat.
	if now.Second()%10 == 0 {
		if _, err := s.o.DB.W.ExecContext(ctx, s.q.Get("sweep-presence"), store.Millis(now.Add(-10*PresenceTTL))); err != nil {
			return fmt.Errorf("ticket: sweep presence: %w", err)
		}
	}
	return nil
}

// Presence returns who else has ticket id open right now, those replying first.
func (s *Service) Presence(ctx context.Context, id, exceptAgentID int64) ([]Present, error) {
	since := s.o.Clock.Now().Add(-PresenceTTL)
	rows, err := s.o.DB.R.QueryContext(ctx, s.q.Get("list-presence"), id, exceptAgentID, store.Millis(since))
	if err != nil {
		return nil, fmt.Errorf("ticket: presence on %d: %w", id, err)
	}
	defer rows.Close()
	out := []Present{}
	for rows.Next() {
		var p Present
		var at int64
		if err := rows.Scan(&p.AgentID, &p.Name, &p.State, &at); err != nil {
			return nil, fmt.Errorf("ticket: presence on %d: %w", id, err)
		}
		p.SeenAt = store.Time(at)
		out = append(out, p)
	}
	return out, rows.Err()
}
