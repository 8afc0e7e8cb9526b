package ticket

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/rapport/rapport/internal/jobs"
	"github.com/rapport/rapport/internal/store"
)

// A Subscriber reacts to ticket changes. Subscribers are registered once,
// in one list, with Service.Subscribe, and run in that order for every
// ticket a change touched, after the change's own writes and before its
// commit. Each has exactly one of two kinds:
//
//   - InTx, for what must be consistent with the change (deadlines,
//     rollups): it runs inside the change's transaction and may write
//     there; an error rolls the whole change back.
//   - After, for everything else (mail, assignment, surveys, proposals):
//     it may only queue jobs, through the Outbox it is given, in the
//     change's transaction (the transactional outbox), reading what it
//     needs through the Outbox too. The jobs run after the commit, and
//     only if the change committed.
type Subscriber struct {
	Name  string
	InTx  InTxFunc
	After AfterFunc
}

// InTxFunc is an in-transaction subscriber. It returns the ticket's
// earliest deadline it keeps (zero for none) and whether it queued jobs.
type InTxFunc func(ctx context.Context, tx *sql.Tx, t TimerTicket, events []TimerEvent) (due time.Time, enqueued bool, err error)

// AfterFunc is an after-commit subscriber: it reads the change and queues
// the jobs that carry its reaction out.
type AfterFunc func(ctx context.Context, out Outbox, t TimerTicket, events []TimerEvent) error

// Outbox queues jobs inside a change's transaction on behalf of an
// after-commit subscriber.
type Outbox struct {
	ctx    context.Context
	tx     *sql.Tx
	db     *store.DB
	q      *jobs.Queue
	queued *bool
}

// Enqueue queues j to run after the change commits.
func (o Outbox) Enqueue(j jobs.Job) error {
	if err := o.q.Enqueue(o.ctx, o.tx, j); err != nil {
		return err
	}
	*o.queued = true
	return nil
}

// Wake runs the handler of job kind on this process's workers once the
// change has committed (jobs.Queue.WakeAfterCommit), without writing a
// row: for work that one later run does for any number of changes (an
// assignment round), whose one shared row concurrent changes would
// otherwise each lock until their commit. Not durable: the subscriber
// must have a durable job cover the same work (a periodic sweep).
func (o Outbox) Wake(kind string) error {
	queued, err := o.q.WakeAfterCommit(o.ctx, o.tx, kind)
	if queued {
		*o.queued = true
	}
	return err
}

// AfterCommit runs fn once the change has committed, in the goroutine
// that made it, and reports whether it will: false when the change runs
// in a transaction that store.DB.Tx does not run, and the subscriber
// queues a job instead. It is for reactions that no one misses if the
// process stops right after the commit (live pushes, which are hints),
// and costs no row.
func (o Outbox) AfterCommit(fn func()) bool {
	return o.db.AfterCommit(o.tx, fn)
}

// Cancel cancels the pending job with uniqueKey, if the change commits.
func (o Outbox) Cancel(uniqueKey string) error {
	return o.q.Cancel(o.ctx, o.tx, uniqueKey)
}

// QueryRowContext reads inside the change's transaction, for an
// after-commit subscriber deciding what to queue; it sees the change as
// written so far. Such a subscriber reads only this way, never from the
// connection pool: on PostgreSQL the change holds one of the pool's
// connections, and changes that each wait for a second one can starve it.
func (o Outbox) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	return o.tx.QueryRowContext(ctx, query, args...)
}

// QueryContext is QueryRowContext for several rows.
func (o Outbox) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return o.tx.QueryContext(ctx, query, args...)
}

// ErrSubscribed is returned by a second call of Service.Subscribe: the
// subscribers are one list, registered in one place.
var ErrSubscribed = errors.New("ticket: subscribers are already registered")

// Subscribe registers the subscribers to ticket changes, in the order they
// run. It is called once, while the application is built, before any
// change; a second call, a duplicate or empty name, or a subscriber with
// neither or both of InTx and After is an error.
func (s *Service) Subscribe(subs ...Subscriber) error {
	if s.subs != nil {
		return ErrSubscribed
	}
	seen := map[string]bool{}
	for _, sub := range subs {
		switch {
		case sub.Name == "":
			return errors.New("ticket: subscriber without a name")
		case seen[sub.Name]:
			return fmt.Errorf("ticket: subscriber %q registered twice", sub.Name)
		case (sub.InTx == nil) == (sub.After == nil):
			return fmt.Errorf("ticket: subscriber %q needs exactly one of InTx and After", sub.Name)
		}
		seen[sub.Name] = true
	}
	s.subs = append([]Subscriber{}, subs...)
	return nil
}

// Subscribers returns the registered subscribers' names in their order.
func (s *Service) Subscribers() []string {
	names := make([]string, len(s.subs))
	for i, sub := range s.subs {
		names[i] = sub.Name
	}
	return names
}

// runSubscribers tells the subscribers about every ticket the change
// touched, in the order it touched them, and stores each one's earliest
// running deadline.
func (c *change) runSubscribers() error {
	if len(c.s.subs) == 0 {
		return nil
	}
	out := Outbox{ctx: c.ctx, tx: c.tx, db: c.s.o.DB, q: c.s.o.Jobs, queued: &c.notify}
	for _, id := range c.touched {
		r, err := c.current(id)
		if err != nil {
			return err
		}
		t := TimerTicket{ID: r.ID, Status: r.Status, Priority: r.Priority, Channel: r.Channel, TeamID: r.TeamID,
			OwnerID: r.OwnerID, CustomerID: r.CustomerID, CreatedAt: store.Time(r.CreatedAt), FirstResponseAt: store.NullTime(r.FirstResponseAt),
			Snoozed: r.SnoozedUntil.Valid, Now: c.now}
		var due time.Time
		for _, sub := range c.s.subs {
			if sub.After != nil {
				if err := sub.After(c.ctx, out, t, c.events[id]); err != nil {
					return fmt.Errorf("%s after change of ticket %d: %w", sub.Name, id, err)
				}
				continue
			}
			d, enqueued, err := sub.InTx(c.ctx, c.tx, t, c.events[id])
			if err != nil {
				return fmt.Errorf("%s in change of ticket %d: %w", sub.Name, id, err)
			}
			if !d.IsZero() && (due.IsZero() || d.Before(due)) {
				due = d
			}
			c.notify = c.notify || enqueued
		}
		if _, err := c.tx.ExecContext(c.ctx, c.s.q.Get("set-sla-due"), id, store.NullMillis(due)); err != nil {
			return err
		}
	}
	return nil
}
