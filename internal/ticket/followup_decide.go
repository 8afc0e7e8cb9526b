package ticket

// An unclear follow-up answer reopened its ticket without counting rework
// "until an agent decides": the agent reads the customer's words and
// either counts the reopen as rework or records that the fix held.

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/text"
)

// EventFollowUpDecided: an agent decided what an unclear follow-up answer
// meant. Data: fixed (bool).
const EventFollowUpDecided = "followup_decided"

// Errors of deciding an unclear follow-up answer.
var (
	// ErrNoUnclearFollowUp: the ticket's last follow-up has no unclear
	// answer to decide (none sent, unanswered, or answered yes or no).
	ErrNoUnclearFollowUp = errors.New("no unclear follow-up answer to decide")
	// ErrFollowUpDecided: an agent decided this answer already; the first
	// decision stands.
	ErrFollowUpDecided = errors.New("the follow-up answer is already decided")
)

// UnclearFollowUp is a written follow-up answer that said neither yes nor
// no and that no agent has decided yet.
type UnclearFollowUp struct {
	FollowUp
	// Message is the customer's answer; its ID is 0 when the message is
	// gone.
	Message Message
}

// UndecidedFollowUp returns ticket id's follow-up answer that waits for
// an agent's decision: ErrNotFound when there is none.
func (s *Service) UndecidedFollowUp(ctx context.Context, id int64) (UnclearFollowUp, error) {
	f, err := s.LatestFollowUp(ctx, id)
	if err != nil {
		return UnclearFollowUp{}, err
	}
	if f.Answer != text.AnswerUnclear || f.AnsweredAt == nil {
		return UnclearFollowUp{}, fmt.Errorf("ticket: undecided follow-up of %d: %w", id, ErrNotFound)
	}
	var n int
	if err := s.o.DB.R.QueryRowContext(ctx, s.q.Get("followup-decided"), id, EventFollowUpDecided, store.Millis(*f.AnsweredAt)).Scan(&n); err != nil {
		return UnclearFollowUp{}, fmt.Errorf("ticket: undecided follow-up of %d: %w", id, err)
	}
	if n > 0 {
		return UnclearFollowUp{}, fmt.Errorf("ticket: undecided follow-up of %d: %w", id, ErrNotFound)
	}
	u := UnclearFollowUp{FollowUp: f}
	var data string
	err = s.o.DB.R.QueryRowContext(ctx, s.q.Get("followup-unclear-event"), id, store.Millis(*f.AnsweredAt)).Scan(&data)
	if errors.Is(err, sql.ErrNoRows) {
		return u, nil
	}
	if err != nil {
		return UnclearFollowUp{}, fmt.Errorf("ticket: undecided follow-up of %d: %w", id, err)
	}
	var d struct {
		MessageID int64 `json:"message_id"`
	}
	if json.Unmarshal([]byte(data), &d) != nil || d.MessageID == 0 {
		return u, nil
	}
	m, err := scanMessage(s.o.DB.R.QueryRowContext(ctx, s.q.Get("get-message"), d.MessageID))
	if errors.Is(err, sql.ErrNoRows) {
		return u, nil
	}
	if err != nil {
		return UnclearFollowUp{}, fmt.Errorf("ticket: undecided follow-up of %d: %w", id, err)
	}
	u.Message = m
	return u, nil
}

// DecideFollowUp records agent a's decision on ticket id's unclear
// follow-up answer, in one transaction. fixed closes the ticket as a
// confirmed fix (EventFixConfirmed, via "agent"); otherwise the reopen the
// answer caused counts as rework (the reopen count goes up) and the ticket
// stays as it is. Either way EventFollowUpDecided is recorded. A second
// decision is ErrFollowUpDecided and changes nothing; a ticket without an
// unclear answer is ErrNoUnclearFollowUp.
func (s *Service) DecideFollowUp(ctx context.Context, a Actor, id int64, fixed bool) (Ticket, error) {
	err := s.run(ctx, a, func(c *change) error {
		r, err := c.lock(id)
		if err != nil {
			return err
		}
		f, err := scanFollowUp(c.tx.QueryRowContext(ctx, s.q.Get("latest-followup"), id))
		if errors.Is(err, ErrNotFound) {
			return ErrNoUnclearFollowUp
		}
		if err != nil {
			return err
		}
		if f.Answer != text.AnswerUnclear || f.AnsweredAt == nil {
			return ErrNoUnclearFollowUp
		}
		var n int
		if err := c.tx.QueryRowContext(ctx, s.q.Get("followup-decided"), id, EventFollowUpDecided, store.Millis(*f.AnsweredAt)).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return ErrFollowUpDecided
		}
		if fixed {
			if err := c.confirmFix(&r); err != nil {
				return err
			}
		} else {
			r.ReopenCount++
		}
		if err := c.event(r.ID, EventFollowUpDecided, map[string]any{"fixed": fixed}); err != nil {
			return err
		}
		return c.save(&r)
	})
	if err != nil {
		return Ticket{}, fmt.Errorf("ticket: decide follow-up of %d: %w", id, err)
	}
	return s.Get(ctx, id)
}

// confirmFix closes r as a confirmed fix on an agent's word. A ticket the
// unclear answer reopened is solved now, without the solve's jobs (no
// auto-close, survey or follow-up: it closes at once), so that it counts
// as solved.
func (c *change) confirmFix(r *row) error {
	if r.Status != Closed {
		if !r.SolvedAt.Valid {
			r.SolvedAt = store.NullMillis(c.now)
		}
		if err := c.setStatus(r, Closed); err != nil {
			return err
		}
	}
	return c.event(r.ID, EventFixConfirmed, map[string]any{"via": "agent"})
}
