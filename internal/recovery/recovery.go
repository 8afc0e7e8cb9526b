// Package recovery keeps what a business does to make a failure right:
// compensation granted within per-role limits (or requested from a
// manager above them), written to a ledger with an event on the ticket,
// and told to the customer in their language; and root causes, the
// tickets they caused, and the prevention actions that stop them, with
// timers for their owners and the recurrences after them.
package recovery

import (
	"context"
	"embed"
	"errors"
	"log/slog"
	"time"

	"github.com/rapport/rapport/internal/audit"
	"github.com/rapport/rapport/internal/channel/mailout"
	"github.com/rapport/rapport/internal/i18n"
	"github.com/rapport/rapport/internal/jobs"
	"github.com/rapport/rapport/internal/notify"
	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/ticket"
)

//go:embed queries*.sql
var queriesFS embed.FS

// Jobs handled by this package.
const (
	// JobRequestDue notifies the managers of a compensation request still
	// waiting after the settings' RequestDueHours. Payload:
	// {"compensation_id": N}.
	JobRequestDue = "recovery.request_due"
	// JobNotice tells the customer, in their language, of a compensation
	// granted to them. Payload: {"compensation_id": N}.
	JobNotice = "recovery.notice"
)

// Events recorded on tickets.
const (
	EventGranted   = "compensation_granted"   // data: compensation_id, kind, name, amount, currency
	EventRequested = "compensation_requested" // data: the same
	EventDeclined  = "compensation_declined"  // data: compensation_id, reason
)

// Notifications of compensation requests: managers hear of one waiting
// too long; the agent who asked hears of the manager's decision.
const (
	NotifyRequestWaiting = "compensation_waiting"
	NotifyRequestDecided = "compensation_decided"
)

// Sender sends a customer notice (mailout.Service does).
type Sender interface {
	SendNotice(ctx context.Context, n mailout.Notice) error
}

// Voicer tells the register (formal or informal) the business speaks a
// language in; *mailout.Service is one. A Sender without it writes
// formally.
type Voicer interface {
	Voice(ctx context.Context, lang string) i18n.Voice
}

// Opts are the dependencies of a Service.
type Opts struct {
	DB *store.DB
	// Tickets records the compensation events on their tickets and gives
	// the customer's address and language for the notice.
	Tickets *ticket.Service
	// Jobs gets JobRequestDue's and JobNotice's handlers.
	Jobs *jobs.Queue
	// I18n and Mail write and send the customer's notice.
	I18n  *i18n.Catalog
	Mail  Sender
	Clock jobs.Clock
	Log   *slog.Logger
	// Notes tells managers of requests waiting and owners of prevention
	// actions due (in their list, and by mail in batches); nil writes the
	// list only.
	Notes *notify.Service
}

// Service keeps compensation: kinds, limits and the ledger.
type Service struct {
	o     Opts
	q     store.Queries
	audit *audit.Log // settings changes, recorded in their transaction
}

// New returns a Service and registers its job handlers on o.Jobs.
func New(o Opts) (*Service, error) {
	if o.DB == nil || o.Tickets == nil || o.Jobs == nil || o.I18n == nil || o.Mail == nil {
		return nil, errors.New("recovery: DB, Tickets, Jobs, I18n and Mail are required")
	}
	if o.Clock == nil {
		o.Clock = jobs.SystemClock{}
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	s := &Service{o: o, q: store.MustLoadQueries(queriesFS, o.DB.Dialect), audit: audit.New(o.DB, o.Clock)}
	o.Jobs.Handle(JobRequestDue, s.requestDueJob)
	o.Jobs.Handle(JobNotice, s.noticeJob)
	o.Jobs.Handle(JobPreventionRemind, s.preventionJob(false))
	o.Jobs.Handle(JobPreventionDue, s.preventionJob(true))
	return s, nil
}

func (s *Service) now() time.Time { return s.o.Clock.Now().UTC().Truncate(time.Millisecond) }

// monthOf is the calendar month (UTC) holding t, as [from, to).
func monthOf(t time.Time) (time.Time, time.Time) {
	from := time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC)
	return from, from.AddDate(0, 1, 0)
}
