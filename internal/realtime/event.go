// Package realtime tells open browsers that something changed: one
// in-process broker per node fans events out to WebSocket and Server-Sent
// Events connections, and with PostgreSQL the events cross nodes through
// LISTEN/NOTIFY.
//
// An event holds kinds and ids only, never content: a client that hears
// of a change fetches what its role may see through the normal pages and
// API, so a notification cannot leak data across roles. Events of ticket
// changes and notifications are queued inside the change's transaction
// (the job outbox, JobPublish) and published after the commit; presence
// is published directly, as it is not transactional.
package realtime

import (
	"encoding/json"
	"errors"
	"fmt"
)

// Kinds of events. The ticket kinds say what a change did, so a client can
// pick what to fetch; they are hints, and a client that missed some can
// always fetch the ticket again.
const (
	KindTicketCreated = "ticket.created"  // a new ticket
	KindMessage       = "ticket.message"  // a public message: the customer's or an agent's reply
	KindNote          = "ticket.note"     // an internal note (agents only)
	KindStatus        = "ticket.status"   // status: solved, pending, reopened, closed, snoozed, woke
	KindAssigned      = "ticket.assigned" // owner, team or collaborators
	KindChanged       = "ticket.changed"  // anything else: priority, tags, subject, promises
	KindNotification  = "notification"    // a new in-app notification for Agent
	KindPresence      = "presence"        // Agent opened, left or writes on Ticket
	// KindTyping: on a chat ticket, Agent (0: the visitor) started or
	// stopped (Typing) writing; never the text.
	KindTyping = "chat.typing"
	// KindRead: on a chat ticket, Agent (0: the visitor) has seen the
	// messages up to Message.
	KindRead = "chat.read"
	// KindResync is made by a node, never published: it may have missed
	// events (its LISTEN connection was lost), so clients fetch afresh.
	KindResync = "resync"
)

// kinds are the kinds an event may have, for ParseEvents.
var kinds = map[string]bool{
	KindTicketCreated: true, KindMessage: true, KindNote: true, KindStatus: true, KindAssigned: true,
	KindChanged: true, KindNotification: true, KindPresence: true, KindResync: true,
	KindTyping: true, KindRead: true,
}

// IsTicket reports whether kind is one of a ticket's changes.
func IsTicket(kind string) bool {
	switch kind {
	case KindTicketCreated, KindMessage, KindNote, KindStatus, KindAssigned, KindChanged:
		return true
	}
	return false
}

// Event is one change, told by kinds and ids only.
type Event struct {
	Kind    string `json:"kind"`
	Ticket  int64  `json:"ticket,omitempty"`
	Agent   int64  `json:"agent,omitempty"`   // a notification's recipient; whose presence changed
	Message int64  `json:"message,omitempty"` // the message a KindMessage or KindNote added
	Typing  bool   `json:"typing,omitempty"`  // KindTyping: writing now
}

// maxEvents bounds the events of one payload; PostgreSQL's NOTIFY takes
// under 8,000 bytes, and a payload of 100 events is about 6,000.
const maxEvents = 100

// ErrBadPayload is the error of a payload ParseEvents rejects.
var ErrBadPayload = errors.New("realtime: bad payload")

// ParseEvents reads a payload of events (a JSON array), as a NOTIFY from
// another node or a queued JobPublish carries it. Unknown kinds, negative
// ids and more than maxEvents events are rejected.
func ParseEvents(b []byte) ([]Event, error) {
	var evs []Event
	if err := json.Unmarshal(b, &evs); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadPayload, err)
	}
	if len(evs) > maxEvents {
		return nil, fmt.Errorf("%w: %d events, at most %d", ErrBadPayload, len(evs), maxEvents)
	}
	for _, ev := range evs {
		if !kinds[ev.Kind] {
			return nil, fmt.Errorf("%w: kind %q", ErrBadPayload, ev.Kind)
		}
		if ev.Ticket < 0 || ev.Agent < 0 || ev.Message < 0 {
			return nil, fmt.Errorf("%w: negative id", ErrBadPayload)
		}
	}
	return evs, nil
}

// A Filter decides whether one connection may hear of an event. It is
// called on the publishing path for every connection, so it only compares
// ids: it never reads the database.
type Filter func(Event) bool

// ForAgent is the filter of a signed-in agent's connection: every ticket's
// changes and presence (every agent may open every ticket), and only their
// own notifications.
func ForAgent(agentID int64) Filter {
	return func(ev Event) bool {
		switch {
		case ev.Kind == KindNotification:
			return ev.Agent == agentID
		case ev.Kind == KindPresence:
			return ev.Agent != agentID
		}
		return true
	}
}

// ForTicket is the filter of a connection that follows one ticket only,
// as a chat visitor holding that ticket's token will: its public messages,
// status and assignment, never internal notes, presence or notifications.
func ForTicket(ticketID int64) Filter {
	return func(ev Event) bool {
		if ev.Kind == KindResync {
			return true
		}
		if ev.Ticket != ticketID {
			return false
		}
		switch ev.Kind {
		case KindMessage, KindStatus, KindAssigned:
			return true
		}
		return false
	}
}
