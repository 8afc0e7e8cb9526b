package metrics

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/rapport/rapport/internal/jobs"
)

// The fold. A ticket change does not add its contribution to the shared
// rollup rows: every change of the day adds to the same "all" row (and to
// its week's), and a change holding that row locked until its commit made
// the others wait behind it, so that on PostgreSQL concurrent writers ran
// one at a time (docs/PERFORMANCE.md, "Writers without shared rollup
// rows"). Instead the change appends what moved (its new contribution
// minus its stored one) as rows of its own, metric_day_deltas and
// metric_hist_deltas, in its transaction: at the full grain and by day
// only, a few rows that no other change touches, committed atomically
// with the change.
//
// The fold adds the deltas to metric_days, metric_weeks, metric_hist and
// metric_week_hist at every grain and deletes them, in one transaction.
// It is woken in memory once a change has committed (JobFold, no row) and
// runs periodically on any node (JobFoldSweep), which folds the deltas of
// a node that stopped between its commit and its fold. Folders take the
// delta rows they fold with FOR UPDATE SKIP LOCKED on PostgreSQL, so two
// nodes folding at once fold different rows (and meet only on the rollup
// rows, which apply writes in key order); on SQLite the single writer
// makes them take turns.
//
// The dashboard reads the rollups through the views metric_days_now,
// metric_weeks_now, metric_hist_now and metric_week_hist_now (migration
// 0052), which add the deltas not yet folded, at every grain, in the same
// statement: a change counts at once, and a fold committing meanwhile
// neither hides nor doubles it. The deltas are few, as a fold follows
// every commit.

// JobFold folds the deltas; woken after every change's commit.
const JobFold = "metrics.fold"

// JobFoldSweep is the periodic fold that makes the in-memory wake
// durable: it queues its next run, then folds.
const JobFoldSweep = "metrics.fold_sweep"

// FoldEvery is how often the periodic fold runs.
const FoldEvery = 30 * time.Second

// foldBatch is how many rows of each delta table one fold transaction
// takes.
const foldBatch = 5000

// appendDelta writes d, one change's delta at the full grain by day, as
// delta rows; weeks says whether the fold adds them to the week rows too
// (see zoneState.hasWeeks).
func (s *Service) appendDelta(ctx context.Context, tx execer, d *delta, weeks bool) error {
	w := b2i(weeks)
	var days, hist [][]any
	for k, c := range d.days {
		if c.zero() {
			continue
		}
		days = append(days, []any{w, k.Day, k.D.Team, k.D.Agent, k.D.Channel, k.D.Language,
			c.Created, c.Complaints, c.Responded, c.FRTms, c.FRTBizN, c.FRTBizms, c.Solved, c.Resms, c.ResBizN,
			c.ResBizms, c.Reopened, c.Transfers, c.FirstOwner, c.SLATarget, c.SLAMet, c.Referrals})
	}
	for k, n := range d.hist {
		if n != 0 {
			hist = append(hist, []any{w, k.Measure, k.Day, k.D.Team, k.D.Agent, k.D.Channel, k.D.Language, k.Bucket, n})
		}
	}
	if err := s.execRows(ctx, tx, "add-day-deltas", days); err != nil {
		return err
	}
	return s.execRows(ctx, tx, "add-hist-deltas", hist)
}

// Fold adds every delta committed so far to the rollups and deletes it,
// a batch per transaction, and returns how many delta rows it folded.
// Deltas that another process is folding at that moment are left to it.
func (s *Service) Fold(ctx context.Context) (int, error) {
	total := 0
	for {
		n, more, err := s.foldStep(ctx)
		total += n
		if err != nil || !more {
			return total, err
		}
	}
}

// foldStep folds at most foldBatch rows of each delta table in one
// transaction and reports whether more may be waiting.
func (s *Service) foldStep(ctx context.Context) (int, bool, error) {
	var n int
	var more bool
	err := s.o.DB.Tx(ctx, func(tx *sql.Tx) error {
		d := newDelta()
		days, err := s.takeDeltas(ctx, tx, "take-day-deltas", func(sc scanner) error {
			var weeks, day int64
			dm := dims{Grain: GrainFull}
			var c counters
			if err := sc.Scan(&weeks, &day, &dm.Team, &dm.Agent, &dm.Channel, &dm.Language,
				&c.Created, &c.Complaints, &c.Responded, &c.FRTms, &c.FRTBizN, &c.FRTBizms, &c.Solved, &c.Resms,
				&c.ResBizN, &c.ResBizms, &c.Reopened, &c.Transfers, &c.FirstOwner, &c.SLATarget, &c.SLAMet,
				&c.Referrals); err != nil {
				return err
			}
			for _, g := range grains {
				d.day(false, day, dm.at(g)).plus(c)
				if weeks != 0 {
					d.day(true, weekOfDay(day), dm.at(g)).plus(c)
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
		hist, err := s.takeDeltas(ctx, tx, "take-hist-deltas", func(sc scanner) error {
			var weeks, day, bucket, count int64
			var measure string
			dm := dims{Grain: GrainFull}
			if err := sc.Scan(&weeks, &measure, &day, &dm.Team, &dm.Agent, &dm.Channel, &dm.Language, &bucket, &count); err != nil {
				return err
			}
			for _, g := range grains {
				d.hist[histKey{false, measure, day, dm.at(g), bucket}] += count
				if weeks != 0 {
					d.hist[histKey{true, measure, weekOfDay(day), dm.at(g), bucket}] += count
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
		n, more = days+hist, days == foldBatch || hist == foldBatch
		if n == 0 {
			return nil
		}
		return s.apply(ctx, tx, d)
	})
	if err != nil {
		return 0, false, fmt.Errorf("metrics: fold: %w", err)
	}
	return n, more, nil
}

// scanner is a row being read.
type scanner interface{ Scan(dest ...any) error }

// takeDeltas deletes at most foldBatch delta rows with the named query,
// which returns them, calls fn for each, and returns how many it took.
func (s *Service) takeDeltas(ctx context.Context, tx *sql.Tx, query string, fn func(scanner) error) (int, error) {
	rows, err := tx.QueryContext(ctx, s.q.Get(query), foldBatch)
	if err != nil {
		return 0, fmt.Errorf("%s: %w", query, err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		if err := fn(rows); err != nil {
			return 0, fmt.Errorf("%s: %w", query, err)
		}
		n++
	}
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("%s: %w", query, err)
	}
	return n, rows.Close()
}

// wakeFold asks for a fold once tx, a ticket change, commits, and reports
// whether it queued a job instead (tx is not store.DB.Tx's; see
// jobs.Queue.WakeAfterCommit). Without a job queue the deltas wait for
// the next Fold; the dashboard counts them meanwhile.
func (s *Service) wakeFold(ctx context.Context, tx *sql.Tx) (bool, error) {
	if s.o.Jobs == nil {
		return false, nil
	}
	queued, err := s.o.Jobs.WakeAfterCommit(ctx, tx, JobFold)
	if err != nil {
		return false, fmt.Errorf("metrics: wake the fold: %w", err)
	}
	return queued, nil
}

// foldPause is how long a woken fold waits before it folds. Wakes that
// come meanwhile make one more run after it, not one each (jobs.Queue.Wake),
// so under load a fold takes the deltas of many changes at once and adds
// each shared row once for all of them; without the pause, on SQLite's
// single writer, a fold after nearly every commit cost as much writing as
// the changes saved (docs/PERFORMANCE.md). The dashboard does not wait
// for it: it reads the deltas too.
const foldPause = 100 * time.Millisecond

// foldJob is JobFold's handler: after foldPause, it folds what has
// committed.
func (s *Service) foldJob(ctx context.Context, _ json.RawMessage) error {
	pause := time.NewTimer(foldPause)
	defer pause.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-pause.C:
	}
	_, err := s.Fold(ctx)
	return err
}

// foldSweep is JobFoldSweep's handler: it queues its next run first,
// under its own key, so that a crash mid-fold cannot end the cycle, then
// folds.
func (s *Service) foldSweep(ctx context.Context, _ json.RawMessage) error {
	err := s.o.DB.Tx(ctx, func(tx *sql.Tx) error {
		return s.o.Jobs.Enqueue(ctx, tx, jobs.Job{Kind: JobFoldSweep, UniqueKey: JobFoldSweep, RunAt: s.o.Clock.Now().Add(FoldEvery)})
	})
	if err != nil {
		return fmt.Errorf("metrics: schedule the fold: %w", err)
	}
	_, err = s.Fold(ctx)
	return err
}

// scheduleFold makes sure the periodic fold is queued unless it already
// is; every node calls it at start (Start).
func (s *Service) scheduleFold(ctx context.Context) error {
	if s.o.Jobs == nil {
		return nil
	}
	return s.o.Jobs.Ensure(ctx, jobs.Job{Kind: JobFoldSweep, UniqueKey: JobFoldSweep, RunAt: s.o.Clock.Now()})
}
