package sla

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/rapport/rapport/internal/jobs"
	"github.com/rapport/rapport/internal/notify"
	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/ticket"
)

// state is a ticket's running timers; a zero time is a timer not running.
type state struct {
	policy              int64
	first, next, resolv time.Time
	greet               time.Time
	paused              time.Time
}

func (st state) due(timer string) time.Time {
	switch timer {
	case TimerFirstResponse:
		return st.first
	case TimerNextResponse:
		return st.next
	case TimerGreeting:
		return st.greet
	default:
		return st.resolv
	}
}

// earliest is the first running deadline, zero when none runs.
func (st state) earliest() time.Time {
	if !st.paused.IsZero() {
		return time.Time{}
	}
	var e time.Time
	for _, d := range []time.Time{st.greet, st.first, st.next, st.resolv} {
		if !d.IsZero() && (e.IsZero() || d.Before(e)) {
			e = d
		}
	}
	return e
}

var timers = []string{TimerGreeting, TimerFirstResponse, TimerNextResponse, TimerResolution}

func target(p *Policy, timer string) time.Duration {
	switch timer {
	case TimerFirstResponse:
		return p.FirstResponse
	case TimerNextResponse:
		return p.NextResponse
	case TimerGreeting:
		return p.Greeting
	default:
		return p.Resolution
	}
}

func (s *Service) load(ctx context.Context, q querier, id int64) (state, bool, error) {
	var st state
	var first, next, resolv, paused, greet sql.NullInt64
	err := q.QueryRowContext(ctx, s.q.Get("get-state"), id).Scan(&st.policy, &first, &next, &resolv, &paused, &greet)
	if errors.Is(err, sql.ErrNoRows) {
		return state{}, false, nil
	}
	if err != nil {
		return state{}, false, err
	}
	st.first, st.next, st.resolv, st.paused = store.NullTime(first), store.NullTime(next), store.NullTime(resolv), store.NullTime(paused)
	st.greet = store.NullTime(greet)
	return st, true, nil
}

// TicketChanged is the ticket service's Timers hook: it picks the ticket's
// policy, starts, stops, pauses and resumes its timers according to what
// the change did, and schedules the at-risk and breach jobs of every timer
// whose deadline moved.
func (s *Service) TicketChanged(ctx context.Context, tx *sql.Tx, t ticket.TimerTicket, events []ticket.TimerEvent) (time.Time, bool, error) {
	ps, err := s.policies(ctx, tx)
	if err != nil {
		return time.Time{}, false, err
	}
	var vip bool
	if err := tx.QueryRowContext(ctx, s.q.Get("customer-vip"), t.CustomerID).Scan(&vip); err != nil && !errors.Is(err, sql.ErrNoRows) {
		return time.Time{}, false, err
	}
	old, exists, err := s.load(ctx, tx, t.ID)
	if err != nil {
		return time.Time{}, false, err
	}
	p := match(ps, t, vip)
	if p == nil {
		if !exists {
			return time.Time{}, false, nil
		}
		if _, err := tx.ExecContext(ctx, s.q.Get("delete-state"), t.ID); err != nil {
			return time.Time{}, false, err
		}
		return time.Time{}, false, s.reschedule(ctx, tx, t.ID, nil, nil, old, state{})
	}
	cal, err := s.calendar(ctx, tx, p.CalendarID)
	if err != nil {
		return time.Time{}, false, err
	}
	add := func(from time.Time, d time.Duration) (time.Time, error) {
		if d <= 0 {
			return time.Time{}, nil
		}
		return cal.Add(from, d)
	}
	done := t.Status == ticket.Solved || t.Status == ticket.Closed
	// The clock stops while the ticket waits on the customer, or has been
	// snoozed, when the policy says so.
	pause := (t.Status == ticket.Pending && p.PauseOnPending) || (t.Snoozed && p.PauseOnSnooze)
	st := old
	if !exists || old.policy != p.ID {
		// A new policy runs from the ticket's start, as if it had always
		// applied.
		st = state{policy: p.ID}
		if !done && t.FirstResponseAt.IsZero() {
			if st.first, err = add(t.CreatedAt, p.FirstResponse); err != nil {
				return time.Time{}, false, err
			}
			if slices.Contains(LiveChannels, t.Channel) {
				if st.greet, err = add(t.CreatedAt, p.Greeting); err != nil {
					return time.Time{}, false, err
				}
			}
		}
		if !done {
			if st.resolv, err = add(t.CreatedAt, p.Resolution); err != nil {
				return time.Time{}, false, err
			}
		}
	}
	if !st.paused.IsZero() && !done && !pause {
		// Resume: each timer that ran before the pause keeps the open time
		// it had left.
		for _, d := range []*time.Time{&st.greet, &st.first, &st.next, &st.resolv} {
			if d.IsZero() {
				continue
			}
			left := cal.Between(st.paused, *d)
			if *d, err = cal.Add(t.Now, left); err != nil {
				return time.Time{}, false, err
			}
		}
		st.paused = time.Time{}
	}
	for _, ev := range events {
		switch ev.Type {
		case ticket.EventReplied:
			st.greet, st.first, st.next = time.Time{}, time.Time{}, time.Time{}
		case ticket.EventCustomerMsg:
			if !t.FirstResponseAt.IsZero() && st.next.IsZero() {
				if st.next, err = add(t.Now, p.NextResponse); err != nil {
					return time.Time{}, false, err
				}
			}
		case ticket.EventReopened:
			if st.next, err = add(t.Now, p.NextResponse); err != nil {
				return time.Time{}, false, err
			}
			if st.resolv.IsZero() {
				if st.resolv, err = add(t.Now, p.Resolution); err != nil {
					return time.Time{}, false, err
				}
			}
		}
	}
	switch {
	case done:
		st.greet, st.first, st.next, st.resolv, st.paused = time.Time{}, time.Time{}, time.Time{}, time.Time{}, time.Time{}
	case pause:
		if st.paused.IsZero() {
			st.paused = t.Now
		}
	}
	if exists && st == old {
		return st.earliest(), false, nil
	}
	if _, err := tx.ExecContext(ctx, s.q.Get("upsert-state"), t.ID, p.ID, store.NullMillis(st.first), store.NullMillis(st.next),
		store.NullMillis(st.resolv), store.NullMillis(st.paused), store.Millis(t.Now), store.NullMillis(st.greet)); err != nil {
		return time.Time{}, false, err
	}
	return st.earliest(), true, s.reschedule(ctx, tx, t.ID, p, cal, old, st)
}

func jobKey(kind, timer string, id int64) string { return fmt.Sprintf("%s:%s:%d", kind, timer, id) }

// payload is what an SLA job carries: the deadline it was scheduled for,
// so that a job made stale by a later change does nothing.
type payload struct {
	TicketID int64  `json:"ticket_id"`
	Timer    string `json:"timer"`
	Due      int64  `json:"due"`
}

// reschedule replaces the jobs of every timer whose deadline (or pause)
// changed from old to st.
func (s *Service) reschedule(ctx context.Context, tx *sql.Tx, id int64, p *Policy, cal *Calendar, old, st state) error {
	for _, timer := range timers {
		was, now := old.due(timer), st.due(timer)
		if was.Equal(now) && old.paused.IsZero() == st.paused.IsZero() && old.policy == st.policy {
			continue
		}
		for _, kind := range []string{JobAtRisk, JobBreach} {
			if err := s.o.Jobs.Cancel(ctx, tx, jobKey(kind, timer, id)); err != nil {
				return err
			}
		}
		if now.IsZero() || !st.paused.IsZero() || p == nil {
			continue
		}
		pl := marshal(payload{TicketID: id, Timer: timer, Due: store.Millis(now)})
		if err := s.o.Jobs.Enqueue(ctx, tx, jobs.Job{Kind: JobBreach, Payload: pl, RunAt: now, UniqueKey: jobKey(JobBreach, timer, id)}); err != nil {
			return err
		}
		// Warn when AtRiskShare of the target has passed, in open time.
		clock := s.o.Clock.Now()
		margin := time.Duration(float64(target(p, timer)) * (1 - AtRiskShare))
		if left := cal.Between(clock, now); left > margin {
			riskAt, err := cal.Add(clock, left-margin)
			if err != nil {
				return err
			}
			if err := s.o.Jobs.Enqueue(ctx, tx, jobs.Job{Kind: JobAtRisk, Payload: pl, RunAt: riskAt, UniqueKey: jobKey(JobAtRisk, timer, id)}); err != nil {
				return err
			}
		}
	}
	return nil
}

// fireRisk is the JobAtRisk handler.
func (s *Service) fireRisk(ctx context.Context, raw json.RawMessage) error {
	return s.fire(ctx, raw, false)
}

// fireBreach is the JobBreach handler.
func (s *Service) fireBreach(ctx context.Context, raw json.RawMessage) error {
	return s.fire(ctx, raw, true)
}

// fire records a risk or breach on the ticket and tells its owner and the
// team's managers, in the app and by email. A job whose deadline has since
// moved does nothing, and a warning that runs late, after the deadline,
// gives way to the breach job.
func (s *Service) fire(ctx context.Context, raw json.RawMessage, breach bool) error {
	var p payload
	if err := json.Unmarshal(raw, &p); err != nil || p.TicketID <= 0 {
		return fmt.Errorf("%w: sla payload %s", jobs.ErrPermanent, raw)
	}
	st, ok, err := s.load(ctx, s.o.DB.R, p.TicketID)
	if err != nil {
		return err
	}
	if !ok || !st.paused.IsZero() || store.Millis(st.due(p.Timer)) != p.Due {
		return nil
	}
	if !breach && !s.o.Clock.Now().Before(store.Time(p.Due)) {
		return nil
	}
	kind := EventAtRisk
	if breach {
		kind = EventBreached
	}
	data := map[string]any{"timer": p.Timer, "due": store.Time(p.Due).Format(time.RFC3339)}
	if err := s.o.Tickets.RecordSystemEvent(ctx, p.TicketID, kind, data); err != nil {
		if errors.Is(err, ticket.ErrNotFound) {
			return nil
		}
		return err
	}
	return s.notify(ctx, p.TicketID, kind, data)
}

// notify tells each person who must hear of the ticket (its owner and
// the team's managers): in the app, and by mail in their next batch. A
// breach's moment is its deadline, so a breach recorded long after it (a
// server that was down) is not mailed on its own.
func (s *Service) notify(ctx context.Context, ticketID int64, kind string, data map[string]any) error {
	rows, err := s.o.DB.R.QueryContext(ctx, s.q.Get("ticket-people"), ticketID, true)
	if err != nil {
		return err
	}
	var people []int64
	for rows.Next() {
		var id int64
		var email, name, locale string
		if err := rows.Scan(&id, &email, &name, &locale); err != nil {
			rows.Close()
			return err
		}
		people = append(people, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	var moment time.Time
	if kind == EventBreached {
		moment, _ = time.Parse(time.RFC3339, fmt.Sprint(data["due"]))
	}
	notes := make([]notify.Note, 0, len(people))
	for _, id := range people {
		notes = append(notes, notify.Note{AgentID: id, TicketID: ticketID, Kind: kind, Data: data, Moment: moment})
	}
	return s.o.Notes.AddNow(ctx, s.o.DB, s.o.Clock.Now(), notes...)
}

// Notification is a message in an agent's notification list.
type Notification struct {
	ID       int64
	TicketID int64
	Kind     string
	Data     map[string]any
	Subject  string
	At       time.Time
}

// Unread returns an agent's unread notifications, newest first.
func (s *Service) Unread(ctx context.Context, agentID int64, limit int) ([]Notification, error) {
	rows, err := s.o.DB.R.QueryContext(ctx, s.q.Get("unread-notifications"), agentID, limit)
	if err != nil {
		return nil, fmt.Errorf("sla: notifications: %w", err)
	}
	defer rows.Close()
	var out []Notification
	for rows.Next() {
		var n Notification
		var tid sql.NullInt64
		var data string
		var at int64
		if err := rows.Scan(&n.ID, &tid, &n.Kind, &data, &at, &n.Subject); err != nil {
			return nil, err
		}
		n.TicketID, n.At = tid.Int64, store.Time(at)
		json.Unmarshal([]byte(data), &n.Data)
		out = append(out, n)
	}
	return out, rows.Err()
}

// MarkRead marks an agent's notifications up to id as read.
func (s *Service) MarkRead(ctx context.Context, agentID, upTo int64) error {
	_, err := s.o.DB.W.ExecContext(ctx, s.q.Get("mark-read"), agentID, upTo, store.Millis(s.o.Clock.Now()))
	return err
}

// Due returns the running deadline of one of a ticket's timers, zero when
// it does not run; the acknowledgement uses the first-response one to
// promise an answer.
func (s *Service) Due(ctx context.Context, ticketID int64, timer string) (time.Time, error) {
	st, _, err := s.load(ctx, s.o.DB.R, ticketID)
	if err != nil {
		return time.Time{}, err
	}
	if !st.paused.IsZero() {
		return time.Time{}, nil
	}
	return st.due(timer), nil
}

// FirstResponseDue returns when ticket id's first response is due, zero
// when no target runs (the acknowledgement promises a time with it).
func (s *Service) FirstResponseDue(ctx context.Context, id int64) (time.Time, error) {
	return s.Due(ctx, id, TimerFirstResponse)
}
