package jobs

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/rapport/rapport/internal/store"
)

// JobPrune is the kind of the periodic job that deletes finished jobs past
// their retention. The queue runs it itself once EnablePruning is called.
const JobPrune = "jobs.prune"

// pruneKey is the unique key of the one pending prune job, however many
// nodes schedule it.
const pruneKey = JobPrune

// PruneEvery is how often finished jobs are pruned.
const PruneEvery = time.Hour

// PruneBatch is how many rows one delete statement removes: each batch is
// its own short transaction, so pruning never holds the SQLite writer (or
// PostgreSQL row locks) for long.
const PruneBatch = 500

// Retention is how long finished jobs are kept. Done jobs only record that
// something ran; failed ones record what went wrong (last_error) and are
// counted in /metrics (rapport_jobs{status="failed"}) for an operator to
// look at, so they are kept longer.
type Retention struct {
	Done   time.Duration
	Failed time.Duration
}

// DefaultRetention keeps done jobs a week and failed ones thirty days.
var DefaultRetention = Retention{Done: 7 * 24 * time.Hour, Failed: 30 * 24 * time.Hour}

// EnablePruning registers the prune job's handler with retention r (zero
// fields take DefaultRetention's). Call before Run, and SchedulePruning
// once the handlers are all registered.
func (q *Queue) EnablePruning(r Retention) {
	if r.Done <= 0 {
		r.Done = DefaultRetention.Done
	}
	if r.Failed <= 0 {
		r.Failed = DefaultRetention.Failed
	}
	q.Handle(JobPrune, func(ctx context.Context, _ json.RawMessage) error {
		// The next run is queued first, under the same key, so that a crash
		// mid-prune cannot end the cycle.
		if err := q.schedulePrune(ctx, "enqueue"); err != nil {
			return err
		}
		now := q.clock.Now()
		done, err := q.Prune(ctx, "done", now.Add(-r.Done))
		if err != nil {
			return err
		}
		failed, err := q.Prune(ctx, "failed", now.Add(-r.Failed))
		if err != nil {
			return err
		}
		if done+failed > 0 {
			q.log.Info("finished jobs pruned", "done", done, "failed", failed)
		}
		return nil
	})
}

// SchedulePruning makes sure the prune job is queued (a PruneEvery from
// now) unless it already is; every node calls it at start.
func (q *Queue) SchedulePruning(ctx context.Context) error {
	return q.schedulePrune(ctx, "ensure")
}

func (q *Queue) schedulePrune(ctx context.Context, query string) error {
	now := q.clock.Now()
	err := q.db.Tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, q.q.Get(query), JobPrune, "{}", pruneKey,
			store.Millis(now.Add(PruneEvery)), 3, store.Millis(now))
		return err
	})
	if err != nil {
		return fmt.Errorf("jobs: schedule pruning: %w", err)
	}
	return nil
}

// Prune deletes jobs with status ("done" or "failed") last updated before
// before, PruneBatch rows at a time, and returns how many it deleted.
func (q *Queue) Prune(ctx context.Context, status string, before time.Time) (int64, error) {
	if status != "done" && status != "failed" {
		return 0, fmt.Errorf("jobs: prune: status %q is not finished", status)
	}
	var total int64
	for {
		res, err := q.db.W.ExecContext(ctx, q.q.Get("prune"), status, store.Millis(before), PruneBatch)
		if err != nil {
			return total, fmt.Errorf("jobs: prune %s: %w", status, err)
		}
		n, _ := res.RowsAffected()
		total += n
		if n < PruneBatch {
			return total, nil
		}
	}
}
