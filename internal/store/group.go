package store

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
)

// maxGroup is how many transactions of Tx one SQLite commit carries at
// most.
const maxGroup = 64

// group is SQLite's group commit. SQLite has one writer, so the writes of
// concurrent requests queue for it anyway; a commit writes every page the
// transaction changed to the WAL, one write call per page, and the pages
// that every change touches (the tickets' and messages' last leaves, their
// indexes, the jobs) were written again by each change. Tx on SQLite
// therefore queues its function; one caller at a time leads, running the
// functions waiting at that moment in one transaction, each after the
// first inside a savepoint of its own, and commits them together.
//
// Each function still commits or rolls back as a whole and alone: one that
// fails (or panics) is rolled back to its savepoint, leaving the others;
// a failed commit fails them all, and none is written. A caller is
// answered only after the commit that carries its change, and its
// AfterCommit functions run then, in its own goroutine.
type group struct {
	mu      sync.Mutex
	leading bool
	queue   []*member
}

// member is one call of Tx waiting for, or in, a group.
type member struct {
	ctx  context.Context
	fn   func(tx *sql.Tx) error
	done chan outcome // buffered: the leader never waits for the caller
}

// outcome is what a member's caller learns once its group has ended.
type outcome struct {
	err      error
	panicked bool
	panicVal any
	after    []func() // its AfterCommit functions, when committed
}

// groupTx is one attempt of Tx on SQLite: fn joins the group and its caller
// waits for the commit, leading the group itself when nobody does.
func (db *DB) groupTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	m := &member{ctx: ctx, fn: fn, done: make(chan outcome, 1)}
	g := &db.group
	g.mu.Lock()
	g.queue = append(g.queue, m)
	lead := !g.leading
	g.leading = true
	g.mu.Unlock()
	if lead {
		db.lead()
	}
	o := <-m.done
	if o.panicked {
		panic(o.panicVal)
	}
	if o.err != nil {
		return o.err
	}
	for _, f := range o.after {
		f()
	}
	return nil
}

// lead runs one group of the functions waiting now and, when more have
// come meanwhile, hands the lead to a new goroutine, so that the caller
// that led is answered without waiting for later groups.
func (db *DB) lead() {
	g := &db.group
	g.mu.Lock()
	n := min(len(g.queue), maxGroup)
	batch := g.queue[:n:n]
	g.queue = g.queue[n:]
	g.mu.Unlock()
	db.runGroup(batch)
	g.mu.Lock()
	more := len(g.queue) > 0
	if !more {
		g.leading = false
	}
	g.mu.Unlock()
	if more {
		go db.lead()
	}
}

// runGroup runs the members' functions in one transaction and tells each
// how it ended.
func (db *DB) runGroup(batch []*member) {
	for len(batch) > 0 {
		batch = db.runGroupOnce(batch)
	}
}

// runGroupOnce runs batch in one transaction. When the first function run
// fails, before any other ran, or the transaction is lost, it rolls back
// and returns the members still to run, for a new transaction.
func (db *DB) runGroupOnce(batch []*member) (rest []*member) {
	// Not a member's context: one caller going away must not roll back
	// the others. Each function's statements use its own.
	tx, err := db.W.BeginTx(context.Background(), nil)
	if err != nil {
		for _, m := range batch {
			m.done <- outcome{err: fmt.Errorf("store: begin: %w", err)}
		}
		return nil
	}
	ac := &afterCommit{}
	db.after.Store(tx, ac)
	defer db.after.Delete(tx)
	type ran struct {
		m     *member
		after []func()
	}
	var ok []ran
	first := true
	for i, m := range batch {
		if err := m.ctx.Err(); err != nil {
			m.done <- outcome{err: err}
			continue
		}
		if first {
			// The first function needs no savepoint: when it fails,
			// the transaction holds nothing else.
			o := call(m, tx)
			if o.err != nil || o.panicked {
				tx.Rollback()
				m.done <- o
				return batch[i+1:]
			}
			first = false
			ok = append(ok, ran{m, ac.take()})
			continue
		}
		if _, err := tx.ExecContext(context.Background(), "SAVEPOINT rapport_group"); err != nil {
			m.done <- outcome{err: fmt.Errorf("store: savepoint: %w", err)}
			continue
		}
		o := call(m, tx)
		if o.err == nil && !o.panicked {
			if _, err := tx.ExecContext(context.Background(), "RELEASE rapport_group"); err != nil {
				o.err = fmt.Errorf("store: release savepoint: %w", err)
			}
		}
		if o.err != nil || o.panicked {
			ac.take() // its AfterCommit functions go with it
			_, err := tx.ExecContext(context.Background(), "ROLLBACK TO rapport_group")
			if err == nil {
				_, err = tx.ExecContext(context.Background(), "RELEASE rapport_group")
			}
			m.done <- o
			if err != nil {
				// The transaction is gone with this function (SQLite
				// rolls back the whole transaction when a statement is
				// interrupted, as a cancelled request's is): nothing
				// was committed, and the others run again in a new one,
				// as Tx runs a function again after a collision.
				tx.Rollback()
				again := make([]*member, 0, len(ok)+len(batch)-i-1)
				for _, r := range ok {
					again = append(again, r.m)
				}
				return append(again, batch[i+1:]...)
			}
			continue
		}
		ok = append(ok, ran{m, ac.take()})
	}
	if err := tx.Commit(); err != nil {
		for _, r := range ok {
			r.m.done <- outcome{err: fmt.Errorf("store: commit: %w", err)}
		}
		return nil
	}
	for _, r := range ok {
		r.m.done <- outcome{after: r.after}
	}
	return nil
}

// call runs m's function in tx, turning a panic into an outcome for its
// caller to raise again.
func call(m *member, tx *sql.Tx) (o outcome) {
	defer func() {
		if p := recover(); p != nil {
			o = outcome{panicked: true, panicVal: p}
		}
	}()
	if err := m.fn(tx); err != nil {
		return outcome{err: err}
	}
	return outcome{}
}

// take returns the functions AfterCommit has kept since the last take and
// forgets them.
func (ac *afterCommit) take() []func() {
	ac.mu.Lock()
	defer ac.mu.Unlock()
	fns := ac.fns
	ac.fns = nil
	return fns
}
