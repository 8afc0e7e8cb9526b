// Package survey asks customers how they were served and agents what gets
// in their way. A solved ticket sends the customer a survey by email (at
// most one per customer in a configurable number of days) whose link
// carries an unguessable token; one click records the first answer and the
// page offers the rest. The employee pulse asks agents a few anonymous
// questions and shows managers only the aggregate.
package survey

import (
	"embed"
	"errors"
	"log/slog"

	"github.com/rapport/rapport/internal/audit"
	"github.com/rapport/rapport/internal/channel/mailout"
	"github.com/rapport/rapport/internal/i18n"
	"github.com/rapport/rapport/internal/jobs"
	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/ticket"
)

// JobSend is the job kind that sends the survey of a solved ticket.
// Payload: {"ticket_id": N}. The ticket service's change hook enqueues it
// when a ticket becomes solved.
const JobSend = "survey.send"

// Errors returned (wrapped) by the service.
var (
	ErrNotFound = store.ErrNotFound
	// ErrExpired is a survey link past its expiry.
	ErrExpired = errors.New("survey: the link has expired")
	// ErrFinal is a survey whose answers can no longer change (ChangeFor).
	ErrFinal = errors.New("survey: the answers can no longer be changed")
	// ErrAnswered is a pulse the agent has already answered.
	ErrAnswered = errors.New("survey: already answered")
)

//go:embed queries*.sql
var queriesFS embed.FS

// Opts are the dependencies of a Service.
type Opts struct {
	DB      *store.DB
	Jobs    *jobs.Queue
	Clock   jobs.Clock
	Log     *slog.Logger
	I18n    *i18n.Catalog
	Tickets *ticket.Service
	Mail    *mailout.Service // sends the invitations
	// BaseURL is where customers reach the survey pages
	// (https://help.example.com); links are BaseURL + "/survey/" + token.
	BaseURL string
	// Business names the sender in the email ("Aurora Home & Garden").
	Business string
}

// Service sends surveys, records answers and runs the employee pulse.
type Service struct {
	o     Opts
	q     store.Queries
	log   *slog.Logger
	audit *audit.Log // settings changes, recorded in their transaction
}

// New returns a Service and registers its job handler on o.Jobs.
func New(o Opts) *Service {
	if o.Clock == nil {
		o.Clock = jobs.SystemClock{}
	}
	log := o.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if o.I18n == nil {
		o.I18n = i18n.MustLoad()
	}
	if o.Business == "" {
		o.Business = "Support"
	}
	s := &Service{o: o, q: store.MustLoadQueries(queriesFS, o.DB.Dialect), log: log, audit: audit.New(o.DB, o.Clock)}
	if o.Jobs != nil {
		o.Jobs.Handle(JobSend, s.sendJob)
	}
	return s
}

// Catalog is the message catalogue the service writes email from.
func (s *Service) Catalog() *i18n.Catalog { return s.o.I18n }

// now is the service clock's time in UTC milliseconds, as rows keep it.
func (s *Service) now() int64 { return store.Millis(s.o.Clock.Now()) }
