package jobs

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"

	"github.com/rapport/rapport/internal/store"
)

// Waking a kind runs its handler on this process's workers soon, without
// a row: no write, and so no row that concurrent writers would all lock.
// It is for work that any later run does in full, such as an assignment
// round over every waiting ticket: wakes that come while one is pending
// make one run, and one that comes while it runs makes one more run after
// it, never two at once in this process. A woken run is not durable (it
// is lost if the process stops), so what needs it done must also be
// covered by a durable job, such as a periodic one that does the same
// work (internal/routing's sweep).

// wakes are the kinds woken and not yet run, and those running.
type wakes struct {
	mu      sync.Mutex
	pending map[string]bool
	running map[string]bool
}

// Wake runs the handler of kind on this process's workers soon, with an
// empty payload. Call it only once what the run must see has committed;
// WakeAfterCommit does that for a change in a transaction.
func (q *Queue) Wake(kind string) {
	q.wakes.mu.Lock()
	if q.wakes.pending == nil {
		q.wakes.pending, q.wakes.running = map[string]bool{}, map[string]bool{}
	}
	q.wakes.pending[kind] = true
	q.wakes.mu.Unlock()
	select {
	case q.wake <- struct{}{}:
	default:
	}
}

// WakeAfterCommit wakes kind once tx commits (store.DB.AfterCommit). For
// a transaction that store.DB.Tx is not running it queues a job of kind
// under the unique key kind instead, and reports that it did (the caller
// notifies the workers after its commit).
func (q *Queue) WakeAfterCommit(ctx context.Context, tx *sql.Tx, kind string) (queued bool, err error) {
	if q.db.AfterCommit(tx, func() { q.Wake(kind) }) {
		return false, nil
	}
	if err := q.Enqueue(ctx, tx, Job{Kind: kind, UniqueKey: kind}); err != nil {
		return false, err
	}
	return true, nil
}

// takeWake returns a woken kind that is not running and not in skip, and
// marks it running.
func (q *Queue) takeWake(skip map[string]bool) (string, bool) {
	q.wakes.mu.Lock()
	defer q.wakes.mu.Unlock()
	for kind := range q.wakes.pending {
		if q.wakes.running[kind] || skip[kind] {
			continue
		}
		delete(q.wakes.pending, kind)
		q.wakes.running[kind] = true
		return kind, true
	}
	return "", false
}

// wakePending reports whether a woken kind waits to run.
func (q *Queue) wakePending() bool {
	q.wakes.mu.Lock()
	defer q.wakes.mu.Unlock()
	for kind := range q.wakes.pending {
		if !q.wakes.running[kind] {
			return true
		}
	}
	return false
}

// runWoken runs the handler of a woken kind and marks it no longer
// running. A failure is logged: the durable job that covers the same work
// does it later.
func (q *Queue) runWoken(ctx context.Context, kind string) {
	defer func() {
		q.wakes.mu.Lock()
		delete(q.wakes.running, kind)
		again := q.wakes.pending[kind]
		q.wakes.mu.Unlock()
		if again { // woken while it ran: another worker may take it
			select {
			case q.wake <- struct{}{}:
			default:
			}
		}
	}()
	h, found := q.handler(kind)
	if !found {
		q.log.Error("woken job kind has no handler", "kind", kind)
		return
	}
	err := q.safeRun(ctx, h, claimed{kind: kind, payload: json.RawMessage("{}")})
	outcome := OutcomeDone
	if err != nil {
		outcome = OutcomeFailed
		if errors.Is(err, context.Canceled) && ctx.Err() != nil {
			return
		}
		q.log.Warn("woken job failed", "kind", kind, slog.Any("error", err))
	}
	q.counts.finished(kind, outcome, true)
}

// Ensure queues j under its UniqueKey unless a job with that key is
// already pending or running, which it leaves alone: every node calls it
// at start for the periodic jobs it keeps going.
func (q *Queue) Ensure(ctx context.Context, j Job) error {
	if j.Kind == "" || j.UniqueKey == "" {
		return errors.New("jobs: ensure: a kind and a unique key are needed")
	}
	payload := string(j.Payload)
	if payload == "" {
		payload = "{}"
	}
	now := q.clock.Now()
	runAt := j.RunAt
	if runAt.IsZero() {
		runAt = now
	}
	maxAttempts := j.MaxAttempts
	if maxAttempts <= 0 {
		maxAttempts = DefaultMaxAttempts
	}
	err := q.db.Tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, q.q.Get("ensure"), j.Kind, payload, j.UniqueKey,
			store.Millis(runAt), maxAttempts, store.Millis(now))
		return err
	})
	if err != nil {
		return fmt.Errorf("jobs: ensure %s: %w", j.Kind, err)
	}
	return nil
}
