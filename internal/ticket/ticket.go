// Package ticket is the only code that changes tickets. Every change writes,
// in one transaction, the new state, an append-only ticket_events row and any
// jobs it causes, then tells the subscribers (subscribe.go).
//
// It is a little over the 3,000 lines of non-test code the project allows
// itself elsewhere, on purpose: every kind of change (replies, assignment,
// transfers, promises, snooze, collaborators) goes through the one
// unexported change type with its lock order (change.go), which must not be
// reachable from outside; the inbox listing beside it reads the same rows
// with the same queries.
package ticket

import (
	"embed"
	"errors"
	"log/slog"
	"time"

	"github.com/microcosm-cc/bluemonday"

	"github.com/rapport/rapport/internal/attachment"
	"github.com/rapport/rapport/internal/customer"
	"github.com/rapport/rapport/internal/jobs"
	"github.com/rapport/rapport/internal/notify"
	"github.com/rapport/rapport/internal/search"
	"github.com/rapport/rapport/internal/store"
)

// Status is where a ticket is in its life.
type Status string

// Statuses. New: nobody has answered yet. Open: being worked. Pending:
// waiting for the customer. Solved: fixed, can still reopen. Closed: final.
const (
	New     Status = "new"
	Open    Status = "open"
	Pending Status = "pending"
	Solved  Status = "solved"
	Closed  Status = "closed"
)

// Statuses lists every status in lifecycle order.
var Statuses = []Status{New, Open, Pending, Solved, Closed}

// Priority values, lowest first.
const (
	Low    = "low"
	Normal = "normal"
	High   = "high"
	Urgent = "urgent"
)

// Priorities lists every priority, lowest first.
var Priorities = []string{Low, Normal, High, Urgent}

// Kinds of ticket.
var Kinds = []string{"question", "complaint", "request", "praise", "other"}

// Channels a ticket can come from.
var Channels = []string{"email", "web", "phone", "chat", "api", "hook"}

// Message kinds.
const (
	CustomerMessage = "customer"
	Reply           = "reply"
	Note            = "note"
)

// Event types written to ticket_events.
const (
	EventCreated     = "created"
	EventReplied     = "replied" // public reply by an agent
	EventNoted       = "noted"   // internal note
	EventCustomerMsg = "customer_message"
	EventAssigned    = "assigned"       // data: to, from (0 if none)
	EventTransferred = "transferred"    // data: from, to, from_team, to_team, reason
	EventStatus      = "status_changed" // data: from, to
	EventReopened    = "reopened"       // data: from (status), by ("customer" or "agent")
	EventPriority    = "priority_changed"
	EventKind        = "kind_changed"
	EventLanguage    = "language_changed"
	EventSubject     = "subject_changed"
	EventTeam        = "team_changed"
	EventTags        = "tags_changed"         // data: added, removed
	EventClosed      = "closed"               // by the auto-close job
	EventSnoozed     = "snoozed"              // data: until
	EventWoke        = "woke"                 // data: reason ("time", "customer", "agent", "solved")
	EventCollabAdded = "collaborator_added"   // data: agent
	EventCollabGone  = "collaborator_removed" // data: agent
)

// JobAutoClose is the job kind that closes a solved ticket after the
// configured number of days. Payload: {"ticket_id": N}.
const JobAutoClose = "ticket.autoclose"

// Errors returned (wrapped) by the service.
var (
	ErrNotFound       = store.ErrNotFound
	ErrClosed         = errors.New("ticket is closed")
	ErrNeedsTransfer  = errors.New("ticket has an owner: transfer it with a reason")
	ErrReasonRequired = errors.New("a transfer needs a reason")
	// ErrTransferAgain is a second (or later) transfer the caller has not
	// confirmed: the customer has already been passed on once.
	ErrTransferAgain = errors.New("ticket was transferred before: confirm a further transfer")
	// ErrNotYours is a change of status or a transfer by an agent who may
	// not make it (see mayChange).
	ErrNotYours = errors.New("only the ticket's owner, a collaborator or a manager changes its status or transfers it")
)

// Actor is who makes a change: an agent (AgentID), the customer or the system.
type Actor struct {
	Kind    string // "agent", "customer" or "system"
	AgentID int64
}

// AgentActor returns the Actor for agent id.
func AgentActor(id int64) Actor { return Actor{Kind: "agent", AgentID: id} }

// SystemActor is the Actor for jobs and automatic rules.
var SystemActor = Actor{Kind: "system"}

// Ticket is one customer's issue, one owned thread.
type Ticket struct {
	ID              int64 // also the human-friendly number, shown as #ID
	Subject         string
	Channel         string
	Status          Status
	Priority        string
	Kind            string
	Language        string
	CustomerID      int64
	CustomerName    string
	CustomerEmail   string
	OwnerID         int64 // 0: unassigned
	OwnerName       string
	TeamID          int64 // 0: no team
	TeamName        string
	Tags            []string
	CreatedAt       time.Time
	UpdatedAt       time.Time
	FirstResponseAt time.Time // zero until the first public reply
	SolvedAt        time.Time
	ClosedAt        time.Time
	ReopenCount     int
	TransferCount   int
	MessageCount    int
	SLADueAt        time.Time // the earliest running SLA deadline; zero when none runs (or the timers are paused)
	SnoozedUntil    time.Time // zero unless an agent snoozed the ticket: it leaves the inbox until then
	// Snippet is, in a List with search text, the passage that matched
	// (empty when only the customer's details or the number did); Rank
	// its relevance under the relevance sort (higher is better).
	Snippet search.Snippet
	Rank    float64
}

// Message is one entry of a ticket's thread.
type Message struct {
	ID               int64
	TicketID         int64
	Kind             string // CustomerMessage, Reply or Note
	AuthorAgentID    int64
	AuthorCustomerID int64
	AuthorName       string
	BodyText         string
	BodyHTML         string // sanitised; "" when the message is plain text
	CreatedAt        time.Time
	InboundID        int64 // the raw message as a channel delivered it, 0 for none
	// To and Cc are the recipients an agent chose for a reply ("" for
	// the customer's own address; Cc as FormatAddresses writes it).
	To string
	Cc string
}

// Event is one row of a ticket's history.
type Event struct {
	ID           int64
	TicketID     int64
	Type         string
	ActorKind    string
	ActorAgentID int64
	ActorName    string
	Data         map[string]any
	CreatedAt    time.Time
}

// NewTicket is what Create needs. The customer is CustomerID, or found or
// created by CustomerEmail (and CustomerName).
type NewTicket struct {
	Subject       string
	Body          string // the customer's first message, plain text
	BodyHTML      string // optional, sanitised before it is stored
	Channel       string // default "web"
	Priority      string // default "normal"
	Kind          string // default "question"
	Language      string
	CustomerID    int64
	CustomerEmail string
	CustomerName  string
	OwnerID       int64
	TeamID        int64
	Tags          []string
	// ChannelMessageID is the first message's id in its channel (an email's
	// Message-ID), for threading; InboundID its raw inbound row.
	ChannelMessageID string
	InboundID        int64
	// Acknowledge asks for the customer to be told at once that the ticket
	// arrived; the created event carries it to the mail subscriber.
	Acknowledge bool
}

// Update changes the fields that are not nil.
type Update struct {
	Subject  *string
	Status   *Status
	Priority *string
	Kind     *string
	Language *string
	TeamID   *int64 // 0 removes the team
	Tags     *[]string
}

// Views of the inbox.
const (
	ViewMine       = "mine"       // owned by the viewer, not solved or closed
	ViewUnassigned = "unassigned" // no owner, new or open
	ViewOpen       = "open"       // new or open
	ViewPending    = "pending"
	ViewSolved     = "solved" // solved or closed
	ViewAll        = "all"
	ViewSnoozed    = "snoozed" // snoozed, until they wake
)

// ListOptions selects, sorts and pages tickets. Zero fields do not filter.
type ListOptions struct {
	View       string // one of the View constants; default ViewOpen
	ViewerID   int64  // the agent for ViewMine
	Status     Status
	Priority   string
	Kind       string
	Channel    string
	Language   string
	TeamID     int64
	OwnerID    int64
	CustomerID int64
	Tag        string
	// CreatedFrom and CreatedBefore bound when the ticket was created: at
	// or after CreatedFrom, before CreatedBefore (zero: no bound).
	CreatedFrom   time.Time
	CreatedBefore time.Time
	Query         string // the search box's syntax (search.Parse): words, "phrases", -word, from:, #number, tag:
	Sort          string // "updated" (default, newest first), "created", "oldest", "priority", "sla" (earliest deadline first)
	Cursor        string // opaque, from a previous Page
	Limit         int    // default 25, at most 100
	// ID, when set, keeps only that ticket: whether it belongs to a view
	// with these filters, for one row of a live inbox.
	ID int64
}

// Page is one page of tickets.
type Page struct {
	Tickets    []Ticket
	NextCursor string // "" on the last page
}

// Opts are the dependencies of a Service.
type Opts struct {
	DB            *store.DB
	Clock         jobs.Clock
	Jobs          *jobs.Queue
	Customers     *customer.Service
	Log           *slog.Logger
	AutoCloseDays int // days after solving that a ticket closes; default 4
	// Notes tells agents of promises due and broken (in their list, and
	// by mail in batches) and of tickets given to them by someone else;
	// nil writes the promises' notifications to the list only and says
	// nothing of assignments (the demo generator's history).
	Notes *notify.Service
	// Attachments keeps the files of agents' replies; nil refuses them.
	Attachments *attachment.Service
}

// TimerTicket is a ticket as a Subscriber sees it after a change.
type TimerTicket struct {
	ID              int64
	Status          Status
	Priority        string
	Channel         string
	TeamID          int64
	OwnerID         int64 // 0: unassigned
	CustomerID      int64
	CreatedAt       time.Time
	FirstResponseAt time.Time // zero before the first public reply
	Snoozed         bool      // an agent snoozed it until a later time
	Now             time.Time // when the change happened
}

// TimerEvent is one event a change wrote.
type TimerEvent struct {
	Type string
	Data map[string]any
}

// ID reads the id the event's data holds under key (a message_id, say),
// whichever integer type the change wrote it as; 0 when it holds none.
func (e TimerEvent) ID(key string) int64 {
	switch v := e.Data[key].(type) {
	case int64:
		return v
	case int:
		return int64(v)
	case float64:
		return int64(v)
	}
	return 0
}

// Service changes and reads tickets.
type Service struct {
	o   Opts
	q   store.Queries
	ugc *bluemonday.Policy
	log *slog.Logger
	// subs react to every change, in order (see Subscribe).
	subs []Subscriber
	// idx is the full-text index, kept in step by every change (indexSearch).
	idx *search.Index
}

//go:embed queries*.sql
var queriesFS embed.FS

// NewService returns a Service and registers its job handlers on o.Jobs.
func NewService(o Opts) *Service {
	if o.Clock == nil {
		o.Clock = jobs.SystemClock{}
	}
	if o.AutoCloseDays <= 0 {
		o.AutoCloseDays = 4
	}
	log := o.Log
	if log == nil {
		log = slog.Default().With("component", "ticket")
	}
	s := &Service{
		o:   o,
		q:   store.MustLoadQueries(queriesFS, o.DB.Dialect),
		ugc: bluemonday.UGCPolicy(),
		log: log,
		idx: search.New(o.DB),
	}
	o.Jobs.Handle(JobAutoClose, s.autoClose)
	o.Jobs.Handle(JobPromiseRemind, s.promiseJob(false))
	o.Jobs.Handle(JobPromiseDue, s.promiseJob(true))
	o.Jobs.Handle(JobWake, s.wakeJob)
	return s
}

// autoCloseAfter is how long a solved ticket stays solved before the
// auto-close job closes it.
func (s *Service) autoCloseAfter() time.Duration {
	return time.Duration(s.o.AutoCloseDays) * 24 * time.Hour
}
