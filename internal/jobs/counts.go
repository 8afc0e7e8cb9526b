package jobs

import (
	"context"
	"fmt"
	"sort"
	"sync"
	"time"
)

// Outcome is how one run of a job ended, as the queue recorded it.
type Outcome string

// The outcomes of a run.
const (
	OutcomeDone   Outcome = "done"   // the handler succeeded
	OutcomeFailed Outcome = "failed" // failed for good (permanent, or out of attempts)
	OutcomeRetry  Outcome = "retry"  // failed and will be tried again
)

// OtherKind is the kind under which Finished counts runs of a kind with no
// handler in this process, so that the kinds reported stay the registered
// ones whatever a row says.
const OtherKind = "other"

// Finished is how many runs of one kind this process recorded with one
// outcome since it started.
type Finished struct {
	Kind    string
	Outcome Outcome
	N       int64
}

// counts are the outcomes this process recorded, kept in memory so that
// /metrics reads them without touching the database.
type counts struct {
	mu sync.Mutex
	m  map[Finished]int64 // key with N zero
}

func (c *counts) finished(kind string, o Outcome, known bool) {
	if !known {
		kind = OtherKind
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = map[Finished]int64{}
	}
	c.m[Finished{Kind: kind, Outcome: o}]++
}

// Finished returns the runs this process has recorded since it started, by
// kind and outcome, sorted. A run counts when its outcome was written to
// its row: not one whose lease another worker took over, nor the run of a
// periodic job that queued its next run under its own key (jobs.prune, the
// nightly refits), whose row was pending again when the run ended.
func (q *Queue) Finished() []Finished {
	q.counts.mu.Lock()
	out := make([]Finished, 0, len(q.counts.m))
	for k, n := range q.counts.m {
		k.N = n
		out = append(out, k)
	}
	q.counts.mu.Unlock()
	sort.Slice(out, func(i, j int) bool {
		if out[i].Kind != out[j].Kind {
			return out[i].Kind < out[j].Kind
		}
		return out[i].Outcome < out[j].Outcome
	})
	return out
}

// BacklogMaxAge is how long Backlog reuses its last count: scrapes more
// often than this cost nothing.
const BacklogMaxAge = 15 * time.Second

// backlog caches the last count of unfinished jobs.
type backlog struct {
	mu     sync.Mutex
	at     time.Time
	counts map[string]int
}

// Backlog counts the jobs that are pending, running and failed, across
// every node. It reads only those rows (an index range that skips the
// done ones, which pruning keeps to the retention period anyway) and reuses
// its answer for BacklogMaxAge, so that /metrics never scans the table.
func (q *Queue) Backlog(ctx context.Context) (map[string]int, error) {
	q.backlog.mu.Lock()
	defer q.backlog.mu.Unlock()
	now := time.Now()
	if q.backlog.counts != nil && now.Sub(q.backlog.at) < BacklogMaxAge {
		return q.backlog.counts, nil
	}
	rows, err := q.db.R.QueryContext(ctx, q.q.Get("backlog"))
	if err != nil {
		return nil, fmt.Errorf("jobs: backlog: %w", err)
	}
	defer rows.Close()
	out := map[string]int{"pending": 0, "running": 0, "failed": 0}
	for rows.Next() {
		var status string
		var n int
		if err := rows.Scan(&status, &n); err != nil {
			return nil, fmt.Errorf("jobs: backlog: %w", err)
		}
		out[status] = n
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("jobs: backlog: %w", err)
	}
	q.backlog.at, q.backlog.counts = now, out
	return out, nil
}
