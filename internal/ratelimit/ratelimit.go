// Package ratelimit counts hits per key in the database, so that a limit
// holds across every node behind a load balancer and across restarts. It is
// the limiter of the public pages (contact form, survey and follow-up
// links): one upsert per hit, rows of finished windows pruned now and then.
package ratelimit

import (
	"context"
	"embed"
	"fmt"
	"sync"
	"time"

	"github.com/rapport/rapport/internal/jobs"
	"github.com/rapport/rapport/internal/store"
)

//go:embed queries.sql
var queriesFS embed.FS

// MaxKey is the longest key kept; longer keys are cut (a key is a purpose
// and an address, far shorter).
const MaxKey = 200

// pruneEvery is how often a process deletes the rows of finished windows.
const pruneEvery = 10 * time.Minute

// Limiter allows each key at most a number of hits per fixed window. The
// windows are aligned to multiples of their length since the Unix epoch, so
// every node counts the same window; a client can get up to twice the limit
// across a window's edge, which is enough to stop a flood and costs one
// row per client.
type Limiter struct {
	db    *store.DB
	q     store.Queries
	clock jobs.Clock

	mu     sync.Mutex
	pruned time.Time // when this process last pruned
}

// New returns a Limiter over db; clock nil means the wall clock.
func New(db *store.DB, clock jobs.Clock) *Limiter {
	if clock == nil {
		clock = jobs.SystemClock{}
	}
	return &Limiter{db: db, q: store.MustLoadQueries(queriesFS, db.Dialect), clock: clock}
}

// Allow records a hit of key and reports whether it is within max hits in
// the current window of length window. Hits over the limit are counted too,
// so a client that keeps hammering stays limited until the window ends.
func (l *Limiter) Allow(ctx context.Context, key string, max int, window time.Duration) (bool, error) {
	if max < 1 || window < time.Millisecond {
		return false, fmt.Errorf("ratelimit: %q: max %d per %s is no limit", key, max, window)
	}
	if len(key) > MaxKey {
		key = key[:MaxKey]
	}
	now := l.clock.Now()
	w := window.Milliseconds()
	start := store.Millis(now) / w * w
	var hits int
	if err := l.db.W.QueryRowContext(ctx, l.q.Get("hit"), key, start, start+w).Scan(&hits); err != nil {
		return false, fmt.Errorf("ratelimit: hit %q: %w", key, err)
	}
	l.prune(ctx, now)
	return hits <= max, nil
}

// prune deletes the rows of finished windows, at most once per pruneEvery
// in this process; a failure only waits for the next time.
func (l *Limiter) prune(ctx context.Context, now time.Time) {
	l.mu.Lock()
	due := now.Sub(l.pruned) >= pruneEvery
	if due {
		l.pruned = now
	}
	l.mu.Unlock()
	if due {
		l.db.W.ExecContext(ctx, l.q.Get("prune"), store.Millis(now))
	}
}
