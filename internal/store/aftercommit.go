package store

import (
	"database/sql"
	"sync"
)

// afterCommit holds what runs once one transaction of Tx has committed.
type afterCommit struct {
	mu  sync.Mutex
	fns []func()
}

// AfterCommit arranges for fn to run once tx, a transaction that Tx is
// running, has committed: after the commit returns, in the goroutine that
// called Tx, in the order the functions were given. fn does not run when
// the transaction rolls back, nor for an attempt that Tx runs again (the
// new attempt registers its own). It is for what must not happen before
// other connections can see the change, and must not cost a row: waking
// in-process workers, say.
//
// It reports false, and keeps nothing, when tx is not one of Tx's (a
// transaction the caller began itself), so that the caller can fall back
// on a durable way such as a job row.
func (db *DB) AfterCommit(tx *sql.Tx, fn func()) bool {
	v, ok := db.after.Load(tx)
	if !ok {
		return false
	}
	ac := v.(*afterCommit)
	ac.mu.Lock()
	ac.fns = append(ac.fns, fn)
	ac.mu.Unlock()
	return true
}

// runAfterCommit runs what AfterCommit kept for tx and forgets it.
func (db *DB) runAfterCommit(tx *sql.Tx, committed bool) {
	v, ok := db.after.LoadAndDelete(tx)
	if !ok || !committed {
		return
	}
	ac := v.(*afterCommit)
	ac.mu.Lock()
	fns := ac.fns
	ac.fns = nil
	ac.mu.Unlock()
	for _, fn := range fns {
		fn()
	}
}
