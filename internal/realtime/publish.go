package realtime

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	"github.com/rapport/rapport/internal/jobs"
)

// JobPublish is the job that publishes events queued by a transaction
// once it has committed: the outbox of ticket changes and notifications.
const JobPublish = "realtime.publish"

// Handle registers the JobPublish handler on q: the broker publishes what
// a committed change queued.
func (b *Broker) Handle(q *jobs.Queue) {
	q.Handle(JobPublish, func(ctx context.Context, payload json.RawMessage) error {
		evs, err := ParseEvents(payload)
		if err != nil {
			return fmt.Errorf("%w: %w", jobs.ErrPermanent, err)
		}
		return b.Publish(ctx, evs...)
	})
}

// publishAttempts: a publish that fails (the database is away) is tried a
// few times; an event that comes very late helps nobody.
const publishAttempts = 3

// Outbox is what a change's transaction offers to queue a job in it
// (ticket.Outbox is one).
type Outbox interface {
	Enqueue(j jobs.Job) error
}

// EnqueueTicket queues the events of one change of ticket id in the
// change's transaction, to be published after its commit: a job of its own
// per change, so that every change's events are published in the order
// the changes were queued. (A job reused per ticket would merge them, but
// a job that runs again after it ran confuses Queue.RunDue and hides
// events from whoever counts jobs.)
func EnqueueTicket(_ context.Context, out Outbox, id int64, evs []Event) error {
	if len(evs) == 0 {
		return nil
	}
	if len(evs) > maxEvents {
		evs = evs[len(evs)-maxEvents:]
	}
	payload, err := json.Marshal(evs)
	if err != nil {
		return fmt.Errorf("realtime: %w", err)
	}
	if err := out.Enqueue(jobs.Job{Kind: JobPublish, Payload: payload, MaxAttempts: publishAttempts}); err != nil {
		return fmt.Errorf("realtime: queue events of ticket %d: %w", id, err)
	}
	return nil
}

// EnqueueTx queues evs in tx, to be published after its commit; for a
// notification written outside a ticket change.
func EnqueueTx(ctx context.Context, q *jobs.Queue, tx *sql.Tx, evs ...Event) error {
	if len(evs) == 0 {
		return nil
	}
	payload, err := json.Marshal(evs)
	if err != nil {
		return fmt.Errorf("realtime: %w", err)
	}
	if err := q.Enqueue(ctx, tx, jobs.Job{Kind: JobPublish, Payload: payload, MaxAttempts: publishAttempts}); err != nil {
		return fmt.Errorf("realtime: queue events: %w", err)
	}
	return nil
}

// TicketEvents are the events of one change of a ticket, from the types of
// the events the change wrote (ticket.Event* names) and their message ids;
// one event per kind, except messages, one each.
func TicketEvents(id int64, types []string, messageIDs []int64) []Event {
	var out []Event
	seen := map[string]bool{}
	add := func(kind string, msg int64) {
		if msg == 0 && seen[kind] {
			return
		}
		seen[kind] = true
		out = append(out, Event{Kind: kind, Ticket: id, Message: msg})
	}
	for i, typ := range types {
		var msg int64
		if i < len(messageIDs) {
			msg = messageIDs[i]
		}
		add(kindOf(typ), msg)
	}
	return out
}

// kindOf is the event kind of a ticket event type.
func kindOf(typ string) string {
	switch typ {
	case "created":
		return KindTicketCreated
	case "replied", "customer_message":
		return KindMessage
	case "noted":
		return KindNote
	case "status_changed", "reopened", "closed", "snoozed", "woke", "fix_confirmed":
		return KindStatus
	case "assigned", "transferred", "team_changed", "collaborator_added", "collaborator_removed":
		return KindAssigned
	}
	return KindChanged
}
