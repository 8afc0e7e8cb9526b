// Package notify tells agents what needs them: every notification is a row
// in the agent's in-app list, and the kinds an agent can act on (SLA
// warnings, promises, prevention actions, compensation waiting for a
// manager, a ticket assigned) are also mailed, in the recipient's language
// and time zone. Mail is batched: the first notification of a recipient
// queues a flush a short delay later, and the flush sends one mail with
// everything that came in the meantime. Warnings whose moment passed long
// ago (a server that was down, generated history) are not mailed one by
// one: the mail counts them and points to the list.
package notify

import (
	"context"
	"database/sql"
	"embed"
	"encoding/json"
	"fmt"
	"log/slog"
	"time"

	"github.com/rapport/rapport/internal/business"
	"github.com/rapport/rapport/internal/i18n"
	"github.com/rapport/rapport/internal/jobs"
	"github.com/rapport/rapport/internal/realtime"
	"github.com/rapport/rapport/internal/store"
)

// JobFlush is the job kind that mails a recipient's pending notifications.
// Payload: {"agent_id": n}.
const JobFlush = "notify.flush"

// The kinds of notification that are mailed. They are written by the
// packages named beside them, which import this one; the names are
// repeated here, and a test of internal/app checks they agree.
const (
	KindAtRisk            = "sla_at_risk"          // sla.EventAtRisk; data: timer, due
	KindBreached          = "sla_breached"         // sla.EventBreached; data: timer, due
	KindPromiseDueSoon    = "promise_due_soon"     // ticket.NotifyPromiseDueSoon; data: what, due
	KindPromiseBroken     = "promise_broken"       // ticket.NotifyPromiseBroken; data: what, due
	KindPreventionDueSoon = "prevention_due_soon"  // recovery.NotifyPreventionDueSoon; data: title, due
	KindPreventionOverdue = "prevention_overdue"   // recovery.NotifyPreventionOverdue; data: title, due
	KindCompensationWaits = "compensation_waiting" // recovery.NotifyRequestWaiting; data: name, amount, agent
	KindAssigned          = "assigned"             // a ticket given to the agent by someone else
)

// mailed are the kinds that are mailed as well as listed in the app.
var mailed = map[string]bool{
	KindAtRisk: true, KindBreached: true, KindPromiseDueSoon: true, KindPromiseBroken: true,
	KindPreventionDueSoon: true, KindPreventionOverdue: true, KindCompensationWaits: true, KindAssigned: true,
}

// Mailed reports whether notifications of kind are mailed.
func Mailed(kind string) bool { return mailed[kind] }

// DefaultDelay is how long after a recipient's first pending notification
// their mail goes out, so that a burst becomes one message.
const DefaultDelay = 2 * time.Minute

// DefaultStaleAfter is how old a notification's moment may be, when its
// mail goes out, to be listed in it one by one.
const DefaultStaleAfter = time.Hour

// Sender queues an email to a member of the team inside tx (mailout's
// InternalTx), so that a batch is taken from the pending list and its mail
// queued in one transaction.
type Sender func(ctx context.Context, tx *sql.Tx, to, name, subject, text, lang string) error

// Opts configure a Service.
type Opts struct {
	DB       *store.DB
	Jobs     *jobs.Queue
	Clock    jobs.Clock
	Log      *slog.Logger
	I18n     *i18n.Catalog
	Business *business.Service // the time zone of agents who chose none; nil: UTC
	BaseURL  string            // the web UI's public address, for links
	Send     Sender
	// Delay is how long the first notification of a burst waits for
	// others (DefaultDelay when zero).
	Delay time.Duration
	// StaleAfter is the age past which a notification is only counted in
	// the mail, not listed (DefaultStaleAfter when zero).
	StaleAfter time.Duration
}

// Service writes notifications and mails them in batches.
type Service struct {
	o Opts
	q store.Queries
}

//go:embed queries*.sql
var queriesFS embed.FS

// New returns a Service and registers its flush job.
func New(o Opts) *Service {
	if o.Clock == nil {
		o.Clock = jobs.SystemClock{}
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	if o.Delay <= 0 {
		o.Delay = DefaultDelay
	}
	if o.StaleAfter <= 0 {
		o.StaleAfter = DefaultStaleAfter
	}
	s := &Service{o: o, q: store.MustLoadQueries(queriesFS, o.DB.Dialect)}
	o.Jobs.Handle(JobFlush, s.flush)
	return s
}

// Note is one notification for one agent.
type Note struct {
	AgentID  int64
	TicketID int64 // 0 for none
	Kind     string
	Data     map[string]any
	// Moment is when what it tells of happened: the deadline of an
	// overdue warning. Zero is now. It decides whether the mail lists the
	// notification or only counts it as old.
	Moment time.Time
}

// insertNotification is the in-app row, the same SQL in both dialects;
// it is a constant so that Add works on a nil *Service.
const insertNotification = `INSERT INTO notifications (agent_id, ticket_id, kind, data, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id`

// Add writes n into its agent's list inside tx, at now, queues its live
// event (realtime.publish: the agent's open pages count it up after the
// commit), and, when its kind is mailed, puts it in the agent's next mail,
// queueing that mail's flush when it is the first to wait. On a nil Service (the demo generator,
// tests of one service) it only writes the list's row.
func (s *Service) Add(ctx context.Context, tx *sql.Tx, now time.Time, n Note) error {
	data := n.Data
	if data == nil {
		data = map[string]any{}
	}
	b, err := json.Marshal(data)
	if err != nil {
		return fmt.Errorf("notify: %w", err)
	}
	var ticketID sql.NullInt64
	if n.TicketID > 0 {
		ticketID = sql.NullInt64{Int64: n.TicketID, Valid: true}
	}
	var id int64
	if err := tx.QueryRowContext(ctx, insertNotification, n.AgentID, ticketID, n.Kind, string(b), store.Millis(now)).Scan(&id); err != nil {
		return fmt.Errorf("notify: %s for agent %d: %w", n.Kind, n.AgentID, err)
	}
	if s == nil {
		return nil
	}
	// The agent's open pages count it up after the commit (issue 15).
	if err := realtime.EnqueueTx(ctx, s.o.Jobs, tx, realtime.Event{Kind: realtime.KindNotification, Agent: n.AgentID, Ticket: n.TicketID}); err != nil {
		return fmt.Errorf("notify: %w", err)
	}
	if !mailed[n.Kind] || s.o.Send == nil {
		return nil
	}
	// Taken before the pending row is written and counted, so that a
	// flush of the same agent sees all of this or none of it, and one
	// that ran meanwhile leaves the count at one.
	var locked int64
	if err := tx.QueryRowContext(ctx, s.q.Get("lock-agent"), n.AgentID).Scan(&locked); err != nil {
		return fmt.Errorf("notify: agent %d: %w", n.AgentID, err)
	}
	moment := n.Moment
	if moment.IsZero() || moment.After(now) {
		moment = now
	}
	if _, err := tx.ExecContext(ctx, s.q.Get("insert-pending"), id, n.AgentID, store.Millis(moment), store.Millis(now)); err != nil {
		return fmt.Errorf("notify: pending %d: %w", id, err)
	}
	var waiting int
	if err := tx.QueryRowContext(ctx, s.q.Get("count-pending"), n.AgentID).Scan(&waiting); err != nil {
		return fmt.Errorf("notify: pending of agent %d: %w", n.AgentID, err)
	}
	if waiting > 1 {
		return nil // a flush is already queued for the ones before
	}
	payload, _ := json.Marshal(flushPayload{AgentID: n.AgentID})
	return s.o.Jobs.Enqueue(ctx, tx, jobs.Job{Kind: JobFlush, Payload: payload, RunAt: now.Add(s.o.Delay),
		UniqueKey: fmt.Sprintf("%s:%d:%d", JobFlush, n.AgentID, id)})
}

// AddNow is Add in a transaction of its own at the service's clock, for
// callers outside a change; the workers are woken when it queued a flush.
func (s *Service) AddNow(ctx context.Context, db *store.DB, now time.Time, notes ...Note) error {
	err := db.Tx(ctx, func(tx *sql.Tx) error {
		for _, n := range notes {
			if err := s.Add(ctx, tx, now, n); err != nil {
				return err
			}
		}
		return nil
	})
	if err == nil && s != nil {
		s.o.Jobs.Notify()
	}
	return err
}

// flushPayload is a flush job's payload.
type flushPayload struct {
	AgentID int64 `json:"agent_id"`
}
