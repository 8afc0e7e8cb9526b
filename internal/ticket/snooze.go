package ticket

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/rapport/rapport/internal/jobs"
	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/valid"
)

// JobWake wakes a snoozed ticket at its time. Payload: {"ticket_id", "until"}.
const JobWake = "ticket.wake"

// NotifyWoke is the notification an owner gets when a snoozed ticket wakes.
const NotifyWoke = "ticket_woke"

// MaxSnooze is the longest a ticket may be snoozed.
const MaxSnooze = 365 * 24 * time.Hour

func wakeKey(id int64) string { return JobWake + ":" + strconv.FormatInt(id, 10) }

// Snooze takes ticket id out of the inbox views until the given time, when
// it wakes and its owner is told; a customer message wakes it at once, and
// solving it ends the snooze. Whether its SLA clock stops meanwhile is the
// SLA policy's choice. Snoozing again moves the wake-up time.
func (s *Service) Snooze(ctx context.Context, a Actor, id int64, until time.Time) (Ticket, error) {
	err := s.run(ctx, a, func(c *change) error {
		r, err := c.lockOpen(id)
		if err != nil {
			return err
		}
		if err := c.mayChange(r); err != nil {
			return err
		}
		switch {
		case until.IsZero() || !until.After(c.now):
			return valid.Field("until", valid.Msg("valid.snooze_future", "must be a time in the future"))
		case until.Sub(c.now) > MaxSnooze:
			return valid.Field("until", valid.Msg("valid.snooze_year", "must be within a year"))
		case r.Status == Solved:
			return valid.Field("until", valid.Msg("valid.snooze_solved", "a solved ticket cannot be snoozed"))
		}
		until = until.UTC().Truncate(time.Millisecond)
		r.SnoozedUntil = store.NullMillis(until)
		payload, _ := json.Marshal(map[string]int64{"ticket_id": r.ID, "until": store.Millis(until)})
		if err := c.s.o.Jobs.Enqueue(c.ctx, c.tx, jobs.Job{Kind: JobWake, Payload: payload, RunAt: until, UniqueKey: wakeKey(r.ID)}); err != nil {
			return err
		}
		c.notify = true
		if err := c.event(r.ID, EventSnoozed, map[string]any{"until": until.Format(time.RFC3339)}); err != nil {
			return err
		}
		return c.save(&r)
	})
	if err != nil {
		return Ticket{}, changeErr("snooze", id, err)
	}
	return s.Get(ctx, id)
}

// Unsnooze wakes ticket id now; a ticket that is not snoozed is left as it is.
func (s *Service) Unsnooze(ctx context.Context, a Actor, id int64) (Ticket, error) {
	err := s.run(ctx, a, func(c *change) error {
		r, err := c.lockOpen(id)
		if err != nil || !r.SnoozedUntil.Valid {
			return err
		}
		if err := c.wake(&r, "agent"); err != nil {
			return err
		}
		return c.save(&r)
	})
	if err != nil {
		return Ticket{}, changeErr("unsnooze", id, err)
	}
	return s.Get(ctx, id)
}

// wake ends r's snooze, if it has one, for the reason given, and cancels
// its wake-up job. The caller saves r.
func (c *change) wake(r *row, reason string) error {
	if !r.SnoozedUntil.Valid {
		return nil
	}
	r.SnoozedUntil = sql.NullInt64{}
	if err := c.s.o.Jobs.Cancel(c.ctx, c.tx, wakeKey(r.ID)); err != nil {
		return err
	}
	return c.event(r.ID, EventWoke, map[string]any{"reason": reason})
}

// wakeJob is the JobWake handler: the ticket comes back into the inbox and
// its owner is told. A job made stale by a later snooze or wake does nothing.
func (s *Service) wakeJob(ctx context.Context, raw json.RawMessage) error {
	var pl struct {
		TicketID int64 `json:"ticket_id"`
		Until    int64 `json:"until"`
	}
	if err := json.Unmarshal(raw, &pl); err != nil || pl.TicketID <= 0 {
		return fmt.Errorf("%w: wake payload %s", jobs.ErrPermanent, raw)
	}
	return s.run(ctx, SystemActor, func(c *change) error {
		r, err := c.lock(pl.TicketID)
		if errors.Is(err, ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		if !r.SnoozedUntil.Valid || r.SnoozedUntil.Int64 != pl.Until {
			return nil
		}
		r.SnoozedUntil = sql.NullInt64{}
		if err := c.event(r.ID, EventWoke, map[string]any{"reason": "time"}); err != nil {
			return err
		}
		if err := c.save(&r); err != nil {
			return err
		}
		if r.OwnerID == 0 {
			return nil
		}
		data, _ := json.Marshal(map[string]any{"subject": r.Subject})
		_, err = c.tx.ExecContext(c.ctx, c.s.q.Get("insert-notification"), r.OwnerID, r.ID, NotifyWoke, string(data), store.Millis(c.now))
		return err
	})
}
