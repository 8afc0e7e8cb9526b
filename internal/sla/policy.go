package sla

import (
	"context"
	"database/sql"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/rapport/rapport/internal/audit"
	"github.com/rapport/rapport/internal/jobs"
	"github.com/rapport/rapport/internal/notify"
	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/ticket"
	"github.com/rapport/rapport/internal/valid"
)

// Policy is a set of targets and the tickets it applies to. Empty
// conditions match every ticket; the first active policy by Position that
// matches a ticket is its policy.
type Policy struct {
	ID         int64
	Name       string
	Position   int
	Priority   string // "" any
	Channel    string // "" any
	VIPOnly    bool
	TeamID     int64 // 0 any
	CalendarID int64 // 0: calendar time
	// Targets; 0 means none.
	FirstResponse time.Duration
	NextResponse  time.Duration
	Resolution    time.Duration
	// Greeting is the target for the first reply to a live contact (the
	// chat channel), in whole seconds; DefaultGreeting unless set.
	Greeting       time.Duration
	PauseOnPending bool
	// PauseOnSnooze stops the clock while an agent has snoozed the ticket.
	PauseOnSnooze bool
	Active        bool
}

// DefaultGreeting is the greeting target of live contact: a person should
// answer a chat within half a minute.
const DefaultGreeting = 30 * time.Second

// LiveChannels are the channels whose customers wait on the line, which
// the greeting target applies to.
var LiveChannels = []string{"chat"}

// CalendarRow is a stored calendar, as people write it.
type CalendarRow struct {
	ID       int64
	Name     string
	Timezone string
	Week     string // "mon-fri 09:00-17:00"
	Holidays string // "2025-12-25, 2025-12-26"
}

// Build turns the row into a Calendar.
func (r CalendarRow) Build() (*Calendar, error) {
	errs := valid.Fields{}
	loc, err := time.LoadLocation(strings.TrimSpace(r.Timezone))
	if err != nil || strings.TrimSpace(r.Timezone) == "" {
		errs.Add("timezone", valid.Msg("valid.timezone", "is not a time zone such as Europe/Rome"))
	}
	week, err := ParseWeek(r.Week)
	if err != nil {
		errs.Add("week", valid.Message{Key: "valid.week", Text: err.Error()})
	}
	c := &Calendar{Name: r.Name, Location: loc, Week: week, Holidays: map[string]bool{}}
	for _, h := range strings.Split(r.Holidays, ",") {
		if h = strings.TrimSpace(h); h != "" {
			c.Holidays[h] = true
		}
	}
	if len(errs) == 0 {
		if err := c.Validate(); err != nil {
			switch {
			case errors.Is(err, ErrHoliday):
				errs.Add("holidays", valid.Message{Key: "valid.holidays", Text: err.Error()})
			case errors.Is(err, ErrOverlap):
				errs.Add("week", valid.Message{Key: "valid.week_overlap", Text: err.Error()})
			default:
				errs.Add("week", valid.Message{Key: "valid.week", Text: err.Error()})
			}
		}
	}
	if err := errs.Err(); err != nil {
		return nil, err
	}
	return c, nil
}

// Job kinds of the SLA timers. Payload: {"ticket_id", "timer", "due"}.
const (
	JobAtRisk = "sla.at_risk"
	JobBreach = "sla.breach"
)

// Timer names.
const (
	TimerFirstResponse = "first_response"
	TimerNextResponse  = "next_response"
	TimerResolution    = "resolution"
	TimerGreeting      = "greeting"
)

// Event types the SLA service writes to ticket_events.
const (
	EventAtRisk   = "sla_at_risk"  // data: timer, due
	EventBreached = "sla_breached" // data: timer, due
)

// AtRiskShare is how much of a target may pass before the owner is warned.
const AtRiskShare = 0.75

// Opts configure a Service.
type Opts struct {
	DB      *store.DB
	Jobs    *jobs.Queue
	Tickets *ticket.Service // records warnings and breaches in tickets' histories
	Clock   jobs.Clock
	Log     *slog.Logger
	// Notes writes the warnings into agents' lists and mails them in
	// batches; nil writes the lists only.
	Notes *notify.Service
}

// Service keeps policies and calendars and runs every ticket's timers.
type Service struct {
	o     Opts
	q     store.Queries
	audit *audit.Log // policy and calendar changes, recorded in their transaction
}

//go:embed queries.sql
var queriesFS embed.FS

// New returns a Service and registers its job handlers.
func New(o Opts) *Service {
	if o.Clock == nil {
		o.Clock = jobs.SystemClock{}
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	s := &Service{o: o, q: store.MustLoadQueries(queriesFS, o.DB.Dialect), audit: audit.New(o.DB, o.Clock)}
	o.Jobs.Handle(JobAtRisk, s.fireRisk)
	o.Jobs.Handle(JobBreach, s.fireBreach)
	return s
}

type querier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// Policies returns every policy by position.
func (s *Service) Policies(ctx context.Context) ([]Policy, error) {
	return s.policies(ctx, s.o.DB.R)
}

func (s *Service) policies(ctx context.Context, q querier) ([]Policy, error) {
	rows, err := q.QueryContext(ctx, s.q.Get("list-policies"))
	if err != nil {
		return nil, fmt.Errorf("sla: policies: %w", err)
	}
	defer rows.Close()
	var out []Policy
	for rows.Next() {
		var p Policy
		var frt, nrt, res, greet int64
		if err := rows.Scan(&p.ID, &p.Name, &p.Position, &p.Priority, &p.Channel, &p.VIPOnly, &p.TeamID, &p.CalendarID,
			&frt, &nrt, &res, &p.PauseOnPending, &p.Active, &greet, &p.PauseOnSnooze); err != nil {
			return nil, fmt.Errorf("sla: policies: %w", err)
		}
		p.FirstResponse, p.NextResponse, p.Resolution = time.Duration(frt)*time.Minute, time.Duration(nrt)*time.Minute, time.Duration(res)*time.Minute
		p.Greeting = time.Duration(greet) * time.Second
		out = append(out, p)
	}
	return out, rows.Err()
}

func (s *Service) checkPolicy(ctx context.Context, p Policy) error {
	errs := valid.Fields{}
	if strings.TrimSpace(p.Name) == "" {
		errs.Add("name", valid.Msg("valid.required", "is required"))
	}
	if p.Priority != "" && !slices.Contains(ticket.Priorities, p.Priority) {
		errs.Add("priority", valid.Msg("valid.choice", "must be empty or one of low, normal, high, urgent"))
	}
	if p.Channel != "" && !slices.Contains(ticket.Channels, p.Channel) {
		errs.Add("channel", valid.Msg("valid.choice", "must be empty or a channel"))
	}
	for field, d := range map[string]time.Duration{"first_response": p.FirstResponse, "next_response": p.NextResponse, "resolution": p.Resolution} {
		if d < 0 || d > 365*24*time.Hour || d%time.Minute != 0 {
			errs.Add(field, valid.Msg("valid.target_range", "must be whole minutes between 0 and a year"))
		}
	}
	if p.Greeting < 0 || p.Greeting > time.Hour || p.Greeting%time.Second != 0 {
		errs.Add("greeting", valid.Msg("valid.greeting_range", "must be whole seconds between 0 and an hour"))
	}
	if p.CalendarID != 0 {
		if _, err := s.calendar(ctx, s.o.DB.R, p.CalendarID); err != nil {
			errs.Add("calendar_id", valid.Msg("valid.no_calendar", "no such calendar"))
		}
	}
	return errs.Err()
}

func nullID(id int64) sql.NullInt64 { return sql.NullInt64{Int64: id, Valid: id != 0} }

// CreatePolicy adds a policy.
func (s *Service) CreatePolicy(ctx context.Context, p Policy) (Policy, error) {
	if err := s.checkPolicy(ctx, p); err != nil {
		return Policy{}, err
	}
	err := s.o.DB.Tx(ctx, func(tx *sql.Tx) error {
		if err := tx.QueryRowContext(ctx, s.q.Get("insert-policy"), strings.TrimSpace(p.Name), p.Position, p.Priority, p.Channel,
			p.VIPOnly, nullID(p.TeamID), nullID(p.CalendarID), int64(p.FirstResponse/time.Minute), int64(p.NextResponse/time.Minute),
			int64(p.Resolution/time.Minute), p.PauseOnPending, p.Active, store.Millis(s.o.Clock.Now()),
			int64(p.Greeting/time.Second), p.PauseOnSnooze).Scan(&p.ID); err != nil {
			return err
		}
		return s.audit.RecordTx(ctx, tx, audit.Entry{Action: "sla.policy_create", TargetKind: "sla_policy",
			TargetID: audit.ID(p.ID), After: p})
	})
	if store.IsUniqueViolation(err) {
		return Policy{}, fmt.Errorf("sla: policy %q: %w", p.Name, store.ErrConflict)
	}
	if err != nil {
		return Policy{}, fmt.Errorf("sla: create policy: %w", err)
	}
	return p, nil
}

// UpdatePolicy replaces policy p.ID. Running timers keep their deadlines
// until their tickets change.
func (s *Service) UpdatePolicy(ctx context.Context, p Policy) (Policy, error) {
	if err := s.checkPolicy(ctx, p); err != nil {
		return Policy{}, err
	}
	before, err := s.policyByID(ctx, p.ID)
	if err != nil {
		return Policy{}, err
	}
	err = s.o.DB.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, s.q.Get("update-policy"), p.ID, strings.TrimSpace(p.Name), p.Position, p.Priority, p.Channel,
			p.VIPOnly, nullID(p.TeamID), nullID(p.CalendarID), int64(p.FirstResponse/time.Minute), int64(p.NextResponse/time.Minute),
			int64(p.Resolution/time.Minute), p.PauseOnPending, p.Active, store.Millis(s.o.Clock.Now()),
			int64(p.Greeting/time.Second), p.PauseOnSnooze); err != nil {
			return err
		}
		return s.audit.RecordTx(ctx, tx, audit.Entry{Action: "sla.policy_update", TargetKind: "sla_policy",
			TargetID: audit.ID(p.ID), Before: before, After: p})
	})
	if store.IsUniqueViolation(err) {
		return Policy{}, fmt.Errorf("sla: policy %q: %w", p.Name, store.ErrConflict)
	}
	if err != nil {
		return Policy{}, fmt.Errorf("sla: update policy %d: %w", p.ID, err)
	}
	return p, nil
}

// policyByID is policy id, store.ErrNotFound when there is none.
func (s *Service) policyByID(ctx context.Context, id int64) (Policy, error) {
	ps, err := s.Policies(ctx)
	if err != nil {
		return Policy{}, err
	}
	for _, p := range ps {
		if p.ID == id {
			return p, nil
		}
	}
	return Policy{}, fmt.Errorf("sla: policy %d: %w", id, store.ErrNotFound)
}

// DeletePolicy removes a policy.
func (s *Service) DeletePolicy(ctx context.Context, id int64) error {
	before, err := s.policyByID(ctx, id)
	if err != nil {
		return err
	}
	err = s.o.DB.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, s.q.Get("delete-policy"), id); err != nil {
			return err
		}
		return s.audit.RecordTx(ctx, tx, audit.Entry{Action: "sla.policy_delete", TargetKind: "sla_policy",
			TargetID: audit.ID(id), Before: before})
	})
	if err != nil {
		return fmt.Errorf("sla: delete policy %d: %w", id, err)
	}
	return nil
}

// SaveCalendar adds (ID 0) or replaces a calendar.
func (s *Service) SaveCalendar(ctx context.Context, r CalendarRow) (CalendarRow, error) {
	if strings.TrimSpace(r.Name) == "" {
		return CalendarRow{}, valid.Field("name", valid.Msg("valid.required", "is required"))
	}
	if _, err := r.Build(); err != nil {
		return CalendarRow{}, err
	}
	now := store.Millis(s.o.Clock.Now())
	var before any
	if r.ID != 0 {
		cals, err := s.Calendars(ctx)
		if err != nil {
			return CalendarRow{}, err
		}
		for _, c := range cals {
			if c.ID == r.ID {
				before = c
			}
		}
		if before == nil {
			return CalendarRow{}, fmt.Errorf("sla: calendar %d: %w", r.ID, store.ErrNotFound)
		}
	}
	isNew := r.ID == 0 // outside: Tx may run the function again
	err := s.o.DB.Tx(ctx, func(tx *sql.Tx) error {
		action := "sla.calendar_update"
		if isNew {
			action = "sla.calendar_create"
			if err := tx.QueryRowContext(ctx, s.q.Get("insert-calendar"), strings.TrimSpace(r.Name), strings.TrimSpace(r.Timezone), r.Week, r.Holidays, now).Scan(&r.ID); err != nil {
				return err
			}
		} else if _, err := tx.ExecContext(ctx, s.q.Get("update-calendar"), r.ID, strings.TrimSpace(r.Name), strings.TrimSpace(r.Timezone), r.Week, r.Holidays, now); err != nil {
			return err
		}
		return s.audit.RecordTx(ctx, tx, audit.Entry{Action: action, TargetKind: "sla_calendar",
			TargetID: audit.ID(r.ID), Before: before, After: r})
	})
	if store.IsUniqueViolation(err) {
		return CalendarRow{}, fmt.Errorf("sla: calendar %q: %w", r.Name, store.ErrConflict)
	}
	if err != nil {
		return CalendarRow{}, fmt.Errorf("sla: save calendar: %w", err)
	}
	return r, nil
}

// CreateCalendarTx adds calendar r, which Build accepts, inside tx and
// returns its id: the first run makes the business-hours calendar with
// the first admin.
func (s *Service) CreateCalendarTx(ctx context.Context, tx *sql.Tx, r CalendarRow) (int64, error) {
	var id int64
	err := tx.QueryRowContext(ctx, s.q.Get("insert-calendar"), strings.TrimSpace(r.Name), strings.TrimSpace(r.Timezone), r.Week, r.Holidays,
		store.Millis(s.o.Clock.Now())).Scan(&id)
	if store.IsUniqueViolation(err) {
		return 0, fmt.Errorf("sla: calendar %q: %w", r.Name, store.ErrConflict)
	}
	if err != nil {
		return 0, fmt.Errorf("sla: save calendar: %w", err)
	}
	return id, nil
}

// Calendars returns every calendar by name.
func (s *Service) Calendars(ctx context.Context) ([]CalendarRow, error) {
	rows, err := s.o.DB.R.QueryContext(ctx, s.q.Get("list-calendars"))
	if err != nil {
		return nil, fmt.Errorf("sla: calendars: %w", err)
	}
	defer rows.Close()
	var out []CalendarRow
	for rows.Next() {
		var r CalendarRow
		if err := rows.Scan(&r.ID, &r.Name, &r.Timezone, &r.Week, &r.Holidays); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

func (s *Service) calendar(ctx context.Context, q querier, id int64) (*Calendar, error) {
	if id == 0 {
		return AlwaysOpen(), nil
	}
	var r CalendarRow
	err := q.QueryRowContext(ctx, s.q.Get("get-calendar"), id).Scan(&r.ID, &r.Name, &r.Timezone, &r.Week, &r.Holidays)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("sla: calendar %d: %w", id, store.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("sla: calendar %d: %w", id, err)
	}
	return r.Build()
}

// match returns the policy of a ticket, or nil.
func match(ps []Policy, t ticket.TimerTicket, vip bool) *Policy {
	for i := range ps {
		p := &ps[i]
		if !p.Active || (p.Priority != "" && p.Priority != t.Priority) || (p.Channel != "" && p.Channel != t.Channel) ||
			(p.VIPOnly && !vip) || (p.TeamID != 0 && p.TeamID != t.TeamID) {
			continue
		}
		return p
	}
	return nil
}

// marshal is json.Marshal for payloads that cannot fail.
func marshal(v any) []byte {
	b, _ := json.Marshal(v)
	return b
}
