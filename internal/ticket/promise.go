package ticket

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/rapport/rapport/internal/jobs"
	"github.com/rapport/rapport/internal/notify"
	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/text"
	"github.com/rapport/rapport/internal/valid"
)

// Promise events and job kinds.
const (
	EventPromiseMade   = "promise_made"   // data: promise_id, what, due
	EventPromiseKept   = "promise_kept"   // data: promise_id
	EventPromiseBroken = "promise_broken" // data: promise_id, due
	// EventPromiseCancelled: data: promise_id, reason.
	EventPromiseCancelled = "promise_cancelled"
	EventFollowUpSent     = "followup_sent" // data: due

	// JobPromiseRemind reminds the owner before a promise falls due;
	// JobPromiseDue records it broken if it is still open at its time.
	// Payload: {"promise_id": N}.
	JobPromiseRemind = "ticket.promise_remind"
	JobPromiseDue    = "ticket.promise_due"
)

// Notification kinds the ticket service writes for agents.
const (
	NotifyPromiseDueSoon = "promise_due_soon"
	NotifyPromiseBroken  = "promise_broken"
)

// Promise statuses.
const (
	PromiseOpen   = "open"
	PromiseKept   = "kept"
	PromiseBroken = "broken"
	// PromiseCancelled is a plan the agent withdrew, with a reason: it
	// counts neither as kept nor as broken.
	PromiseCancelled = "cancelled"
)

// Promise limits: what a plan says, a cancellation's reason, and how far
// ahead a promise may fall due.
const (
	MaxPromiseWhat  = 500
	MaxCancelReason = 500
	MaxPromiseAhead = 366 * 24 * time.Hour
)

// Promise is an action plan on a ticket: what will happen, by when, who
// promised it.
type Promise struct {
	ID       int64
	TicketID int64
	AgentID  int64
	What     string
	Due      time.Time
	Status   string
	Created  time.Time
	Resolved time.Time // zero while open
	// CancelReason is why the agent cancelled it.
	CancelReason string
}

// Overdue reports whether p is still open at or after its time.
func (p Promise) Overdue(now time.Time) bool {
	return p.Status == PromiseOpen && !now.Before(p.Due)
}

// remindBefore is how long before its time a promise's owner is reminded:
// a tenth of the time given, between 15 minutes and a day.
func remindBefore(given time.Duration) time.Duration {
	return min(max(given/10, 15*time.Minute), 24*time.Hour)
}

func promiseKey(kind string, id int64) string { return kind + ":" + strconv.FormatInt(id, 10) }

// MakePromise records an action plan the acting agent commits to and, when
// text is not empty, tells the customer in a public reply (text, which
// should say what will happen and by when); with no text the plan is
// recorded on its own. The owner is reminded before due, and a promise
// still open at due is recorded as broken.
func (s *Service) MakePromise(ctx context.Context, a Actor, id int64, what string, due time.Time, text string) (Promise, error) {
	errs := valid.Fields{}
	what = strings.TrimSpace(what)
	switch {
	case what == "":
		errs.Add("what", valid.Msg("valid.promise_what", "say what will happen"))
	case utf8.RuneCountInString(what) > MaxPromiseWhat:
		errs.Add("what", valid.Msg("valid.longer_than", "is longer than %d characters", MaxPromiseWhat))
	}
	now := s.o.Clock.Now()
	switch {
	case due.IsZero():
		errs.Add("due", valid.Msg("valid.required", "is required"))
	case !due.After(now):
		errs.Add("due", valid.Msg("valid.snooze_future", "must be a time in the future"))
	case due.Sub(now) > MaxPromiseAhead:
		errs.Add("due", valid.Msg("valid.snooze_year", "must be within a year"))
	}
	b := s.cleanBody(text, "")
	if a.Kind != "agent" {
		return Promise{}, fmt.Errorf("ticket: promise on %d: only an agent promises", id)
	}
	if err := errs.Err(); err != nil {
		return Promise{}, err
	}
	var p Promise
	err := s.run(ctx, a, func(c *change) error {
		r, err := c.lock(id)
		if err != nil {
			return err
		}
		switch r.Status {
		case Closed:
			return valid.Field("status", valid.Msg("valid.promise_closed", "the ticket is closed; a new message opens a new ticket"))
		case Solved:
			return valid.Field("status", valid.Msg("valid.promise_solved", "the ticket is solved; reopen it to promise more"))
		}
		p = Promise{TicketID: id, AgentID: a.AgentID, What: what, Due: due.UTC().Truncate(time.Millisecond), Status: PromiseOpen, Created: c.now}
		if err := c.tx.QueryRowContext(c.ctx, c.s.q.Get("insert-promise"), id, a.AgentID, what, store.Millis(p.Due), store.Millis(c.now)).Scan(&p.ID); err != nil {
			return err
		}
		if b.Text != "" {
			mid, err := c.addMessage(&r, Reply, a.AgentID, 0, b.Text, b.HTML)
			if err != nil {
				return err
			}
			if err := c.event(id, EventReplied, map[string]any{"message_id": mid}); err != nil {
				return err
			}
			if !r.FirstResponseAt.Valid {
				r.FirstResponseAt = store.NullMillis(c.now)
			}
		}
		if r.OwnerID == 0 {
			r.OwnerID = a.AgentID
			if err := c.event(id, EventAssigned, map[string]any{"to": a.AgentID, "from": 0}); err != nil {
				return err
			}
		}
		if r.Status == New && b.Text != "" {
			if err := c.setStatus(&r, Open); err != nil {
				return err
			}
		}
		if err := c.event(id, EventPromiseMade, map[string]any{"promise_id": p.ID, "what": what, "due": p.Due.Format(time.RFC3339)}); err != nil {
			return err
		}
		payload, _ := json.Marshal(map[string]int64{"promise_id": p.ID})
		remindAt := p.Due.Add(-remindBefore(p.Due.Sub(c.now)))
		if remindAt.After(c.now) {
			if err := c.s.o.Jobs.Enqueue(c.ctx, c.tx, jobs.Job{Kind: JobPromiseRemind, Payload: payload, RunAt: remindAt, UniqueKey: promiseKey(JobPromiseRemind, p.ID)}); err != nil {
				return err
			}
		}
		if err := c.s.o.Jobs.Enqueue(c.ctx, c.tx, jobs.Job{Kind: JobPromiseDue, Payload: payload, RunAt: p.Due, UniqueKey: promiseKey(JobPromiseDue, p.ID)}); err != nil {
			return err
		}
		c.notify = true
		return c.save(&r)
	})
	if err != nil {
		return Promise{}, changeErr("promise", id, err)
	}
	return p, nil
}

func scanPromise(sc scanner) (Promise, error) {
	var p Promise
	var due, created, resolved int64
	err := sc.Scan(&p.ID, &p.TicketID, &p.AgentID, &p.What, &due, &p.Status, &created, &resolved, &p.CancelReason)
	p.Due, p.Created = store.Time(due), store.Time(created)
	if resolved != 0 {
		p.Resolved = store.Time(resolved)
	}
	return p, err
}

// lockPromise reads promise pid of ticket id under the ticket's lock; a
// promise of another ticket is not found.
func (c *change) lockPromise(id, pid int64) (Promise, error) {
	if _, err := c.lock(id); err != nil {
		return Promise{}, err
	}
	p, err := scanPromise(c.tx.QueryRowContext(c.ctx, c.s.q.Get("lock-promise"), pid))
	if errors.Is(err, sql.ErrNoRows) || (err == nil && p.TicketID != id) {
		return Promise{}, ErrNotFound
	}
	return p, err
}

// KeepPromise records that promise pid of ticket id was kept. Only an open
// promise can be kept.
func (s *Service) KeepPromise(ctx context.Context, a Actor, id, pid int64) error {
	err := s.run(ctx, a, func(c *change) error {
		p, err := c.lockPromise(id, pid)
		if err != nil {
			return err
		}
		if p.Status != PromiseOpen {
			return valid.Field("promise", valid.Message{Key: "valid.promise_resolved", Text: "is already " + p.Status})
		}
		return c.keep(p)
	})
	if err != nil {
		return changeErr("keep promise", pid, err)
	}
	return nil
}

// CancelPromise withdraws open promise pid of ticket id for reason, which
// the history keeps; its reminder and deadline are cancelled with it.
func (s *Service) CancelPromise(ctx context.Context, a Actor, id, pid int64, reason string) error {
	reason = strings.TrimSpace(reason)
	switch {
	case reason == "":
		return valid.Field("reason", valid.Msg("valid.promise_reason", "say why the plan no longer holds"))
	case utf8.RuneCountInString(reason) > MaxCancelReason:
		return valid.Field("reason", valid.Msg("valid.longer_than", "is longer than %d characters", MaxCancelReason))
	}
	err := s.run(ctx, a, func(c *change) error {
		p, err := c.lockPromise(id, pid)
		if err != nil {
			return err
		}
		if p.Status != PromiseOpen {
			return valid.Field("promise", valid.Message{Key: "valid.promise_resolved", Text: "is already " + p.Status})
		}
		if _, err := c.tx.ExecContext(c.ctx, c.s.q.Get("cancel-promise"), p.ID, store.Millis(c.now), reason); err != nil {
			return err
		}
		for _, kind := range []string{JobPromiseRemind, JobPromiseDue} {
			if err := c.s.o.Jobs.Cancel(c.ctx, c.tx, promiseKey(kind, p.ID)); err != nil {
				return err
			}
		}
		return c.event(id, EventPromiseCancelled, map[string]any{"promise_id": p.ID, "what": p.What, "reason": reason})
	})
	if err != nil {
		return changeErr("cancel promise", pid, err)
	}
	return nil
}

// NextPromises returns, for each ticket of ids that has an open promise,
// the one due first: the inbox's "promised by" line, one query per page.
func (s *Service) NextPromises(ctx context.Context, ids []int64) (map[int64]Promise, error) {
	out := map[int64]Promise{}
	if len(ids) == 0 {
		return out, nil
	}
	list, _ := json.Marshal(ids)
	rows, err := s.o.DB.R.QueryContext(ctx, s.q.Get("next-promises"), string(list))
	if err != nil {
		return nil, fmt.Errorf("ticket: next promises: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		p, err := scanPromise(rows)
		if err != nil {
			return nil, fmt.Errorf("ticket: next promises: %w", err)
		}
		out[p.TicketID] = p
	}
	return out, rows.Err()
}

// keep marks p kept and cancels its timers.
func (c *change) keep(p Promise) error {
	if _, err := c.tx.ExecContext(c.ctx, c.s.q.Get("resolve-promise"), p.ID, PromiseKept, store.Millis(c.now)); err != nil {
		return err
	}
	for _, kind := range []string{JobPromiseRemind, JobPromiseDue} {
		if err := c.s.o.Jobs.Cancel(c.ctx, c.tx, promiseKey(kind, p.ID)); err != nil {
			return err
		}
	}
	return c.event(p.TicketID, EventPromiseKept, map[string]any{"promise_id": p.ID, "what": p.What})
}

// keepOpenPromises marks every open promise of ticket id kept: solving the
// ticket before a promise's time keeps it.
func (c *change) keepOpenPromises(id int64) error {
	rows, err := c.tx.QueryContext(c.ctx, c.s.q.Get("open-promises-of-ticket"), id)
	if err != nil {
		return err
	}
	var open []Promise
	for rows.Next() {
		p, err := scanPromise(rows)
		if err != nil {
			rows.Close()
			return err
		}
		open = append(open, p)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, p := range open {
		if !c.now.Before(p.Due) {
			continue // its time has passed: the due job records it broken
		}
		if err := c.keep(p); err != nil {
			return err
		}
	}
	return nil
}

// Promises returns ticket id's promises, oldest first.
func (s *Service) Promises(ctx context.Context, id int64) ([]Promise, error) {
	rows, err := s.o.DB.R.QueryContext(ctx, s.q.Get("promises-of-ticket"), id)
	if err != nil {
		return nil, fmt.Errorf("ticket: promises of %d: %w", id, err)
	}
	defer rows.Close()
	var out []Promise
	for rows.Next() {
		p, err := scanPromise(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// promiseJob is the handler of both promise jobs.
func (s *Service) promiseJob(due bool) jobs.Handler {
	return func(ctx context.Context, raw json.RawMessage) error {
		var pl struct {
			PromiseID int64 `json:"promise_id"`
		}
		if err := json.Unmarshal(raw, &pl); err != nil || pl.PromiseID <= 0 {
			return fmt.Errorf("%w: promise payload %s", jobs.ErrPermanent, raw)
		}
		return s.run(ctx, SystemActor, func(c *change) error {
			p, err := scanPromise(c.tx.QueryRowContext(c.ctx, c.s.q.Get("lock-promise"), pl.PromiseID))
			if errors.Is(err, sql.ErrNoRows) {
				return nil
			}
			if err != nil {
				return err
			}
			r, err := c.lock(p.TicketID)
			if errors.Is(err, ErrNotFound) || (err == nil && p.Status != PromiseOpen) {
				return nil
			}
			if err != nil {
				return err
			}
			data := map[string]any{"promise_id": p.ID, "what": p.What, "due": p.Due.Format(time.RFC3339)}
			kind, moment := NotifyPromiseDueSoon, time.Time{}
			if due {
				if _, err := c.tx.ExecContext(c.ctx, c.s.q.Get("resolve-promise"), p.ID, PromiseBroken, store.Millis(c.now)); err != nil {
					return err
				}
				if err := c.event(p.TicketID, EventPromiseBroken, map[string]any{"promise_id": p.ID, "what": p.What, "due": p.Due.Format(time.RFC3339)}); err != nil {
					return err
				}
				kind, moment = NotifyPromiseBroken, p.Due
			}
			owner := r.OwnerID
			if owner == 0 {
				owner = p.AgentID
			}
			people := []int64{owner}
			if due {
				// A broken promise is the managers' business too.
				if people, err = c.promisePeople(p.TicketID, p.AgentID); err != nil {
					return err
				}
			}
			for _, id := range people {
				err := c.s.o.Notes.Add(c.ctx, c.tx, c.now, notify.Note{AgentID: id, TicketID: p.TicketID, Kind: kind, Data: data, Moment: moment})
				if err != nil {
					return err
				}
			}
			return nil
		})
	}
}

// promisePeople lists who hears of a broken promise on ticket id: its
// owner (else maker, who made the promise) and the team's managers.
func (c *change) promisePeople(id, maker int64) ([]int64, error) {
	return store.Int64s(c.tx.QueryContext(c.ctx, c.s.q.Get("promise-people"), id, maker))
}

// DoneSaid is a message that says a promise's thing has happened: the
// promises card and the API offer to mark the promise kept (only offer:
// the agent decides).
type DoneSaid struct {
	MessageID int64
	// ByCustomer is set when the customer wrote it; else the agent's reply
	// said it.
	ByCustomer bool
	// Words are the words that say it, as written.
	Words string
	At    time.Time
}

// SaidDone returns the latest customer message or public reply among msgs
// (oldest first), written after open promise p was made, that says
// something promised has happened (text.SaysDone, in lang; all languages
// when lang is ""). ok is false when none does or p is not open.
func SaidDone(p Promise, msgs []Message, lang string) (d DoneSaid, ok bool) {
	if p.Status != PromiseOpen {
		return DoneSaid{}, false
	}
	for i := len(msgs) - 1; i >= 0; i-- {
		m := msgs[i]
		if !m.CreatedAt.After(p.Created) {
			break
		}
		if m.Kind != CustomerMessage && m.Kind != Reply {
			continue
		}
		if words, ok := text.SaysDone(m.BodyText, lang); ok {
			return DoneSaid{MessageID: m.ID, ByCustomer: m.Kind == CustomerMessage, Words: words, At: m.CreatedAt}, true
		}
	}
	return DoneSaid{}, false
}
