package realtime

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"

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

// pendingPayload reads the events of a ticket's publish job that has not
// run yet, so that a second change before it runs adds to them.
const pendingPayload = `SELECT payload FROM jobs WHERE unique_key = $1 AND status = 'pending'`

// Outbox is what a change's transaction offers to queue a job and read
// the pending one (ticket.Outbox has both).
type Outbox interface {
	Enqueue(j jobs.Job) error
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// EnqueueTicket queues the events of one change of ticket id in the
// change's transaction, to be published after its commit. A ticket has one
// publish job (its unique key), reused from change to change; when the
// previous change's events have not been published yet, these are added
// to them, so that none is lost (beyond maxEvents the oldest go: clients
// fetch the ticket anyway).
func EnqueueTicket(ctx context.Context, out Outbox, id int64, evs []Event) error {
	if len(evs) == 0 {
		return nil
	}
	key := JobPublish + ":ticket:" + strconv.FormatInt(id, 10)
	var pending []byte
	err := out.QueryRowContext(ctx, pendingPayload, key).Scan(&pending)
	switch {
	case errors.Is(err, sql.ErrNoRows):
	case err != nil:
		return fmt.Errorf("realtime: pending events of ticket %d: %w", id, err)
	default:
		if before, perr := ParseEvents(pending); perr == nil {
			evs = append(before, evs...)
		}
	}
	if len(evs) > maxEvents {
		evs = evs[len(evs)-maxEvents:]
	}
	payload, err := json.Marshal(evs)
	if err != nil {
		return fmt.Errorf("realtime: %w", err)
	}
	if err := out.Enqueue(jobs.Job{Kind: JobPublish, Payload: payload, UniqueKey: key, MaxAttempts: publishAttempts}); err != nil {
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
