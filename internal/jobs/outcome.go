package jobs

import (
	"context"
	"database/sql"
	"sync"
)

// OutcomeWrite is a write a handler leaves to the transaction that records
// its job's outcome (WithOutcome).
type OutcomeWrite func(ctx context.Context, tx *sql.Tx) error

// outcomeWrites are the writes a running job's handler left to the
// transaction that records its outcome.
type outcomeWrites struct {
	mu  sync.Mutex
	fns []OutcomeWrite
}

type outcomeKey struct{}

// WithOutcome has fn run inside the transaction that records the outcome
// of the job that ctx is the handler's context of, whatever the outcome
// (done, retry or failed), instead of in a transaction of its own: the
// record of what the handler did and the job's outcome then commit
// together, one writing transaction a job fewer (on SQLite's one writer,
// an acknowledgement's record of its sent mail was one of three). It
// reports false, running nothing, when ctx is no job's handler's (a woken
// kind, a direct call): the caller then writes itself.
//
// When that transaction fails, fn is tried once more with the outcome; if
// that fails too, the job stays claimed until its lease lapses and runs
// again, as when a handler's own write fails. A handler's writes that must
// be committed before it returns do not belong here.
func WithOutcome(ctx context.Context, fn OutcomeWrite) bool {
	w, ok := ctx.Value(outcomeKey{}).(*outcomeWrites)
	if !ok {
		return false
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	w.fns = append(w.fns, fn)
	return true
}

// take returns the writes left so far and forgets them.
func (w *outcomeWrites) take() []OutcomeWrite {
	w.mu.Lock()
	defer w.mu.Unlock()
	fns := w.fns
	w.fns = nil
	return fns
}
