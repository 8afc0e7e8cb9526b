package metrics

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Rebucketing. Histogram rows written before the buckets became steps of
// at most 10 % (migration 0055; see percentile.go) hold two significant
// digits of seconds. They are exact as they are: every read puts a row's
// bucket through bucketOf, and an old bucket lies inside one step. Merging
// them into their steps only makes the rows fewer, so the background
// rebuild job does it after any ticket rebuild, one business day per
// transaction: that day's metric_hist rows at every grain and, on each of
// the first six days of a week, its metric_week_hist rows at one grain.
//
// metric_zone.rebucket_day is the next day to merge (NULL: none left) and
// rebucket_to the last. Only rows from before the migration have other
// buckets than steps (the change hook and the rebuild write steps only),
// so a step merges exactly the rows it read; on PostgreSQL it locks them
// first, and writes the merged rows in the key order of apply, so a ticket
// change adding to the same step rows waits for it or it for the change.

// rebucketStep merges the next day's rows into their steps in one
// transaction, and reports the day after it and whether the rebucketing is
// finished (true at once when none is left).
func (s *Service) rebucketStep(ctx context.Context) (int64, bool, error) {
	done := false
	var next sql.NullInt64
	err := s.o.DB.Tx(ctx, func(tx *sql.Tx) error {
		var day sql.NullInt64
		var to int64
		if err := tx.QueryRowContext(ctx, s.q.Get("rebucket-state")).Scan(&day, &to); err != nil {
			return fmt.Errorf("metrics: rebucket: %w", err)
		}
		if !day.Valid {
			done = true
			return nil
		}
		d := day.Int64
		if err := s.rebucket(ctx, tx, false, GrainAll, d); err != nil {
			return err
		}
		w := weekOfDay(d)
		if g := d - weekStartDay(w); g < int64(len(grains)) {
			if err := s.rebucket(ctx, tx, true, grains[g], w); err != nil {
				return err
			}
		}
		next = sql.NullInt64{Int64: d + 1, Valid: d < to}
		done = !next.Valid
		if _, err := tx.ExecContext(ctx, s.q.Get("rebucket-next"), next); err != nil {
			return fmt.Errorf("metrics: rebucket: %w", err)
		}
		return nil
	})
	return next.Int64, done, err
}

// rebucket merges the rows of one day of metric_hist (every grain; grain
// is then ignored) or of one week and grain of metric_week_hist that are
// not in their steps.
func (s *Service) rebucket(ctx context.Context, tx *sql.Tx, week bool, grain string, unit int64) error {
	read, del := "rebucket-days", "rebucket-delete-days"
	args := []any{unit}
	if week {
		read, del = "rebucket-weeks", "rebucket-delete-weeks"
		args = []any{unit, grain}
	}
	rows, err := tx.QueryContext(ctx, s.q.Get(read), args...)
	if err != nil {
		return fmt.Errorf("metrics: rebucket: %w", err)
	}
	merged := map[histKey]int64{}
	old := map[[2]string]map[int64]bool{} // grain, measure → old buckets
	for rows.Next() {
		k := histKey{Week: week, Day: unit}
		var n int64
		if err := rows.Scan(&k.D.Grain, &k.Measure, &k.D.Team, &k.D.Agent, &k.D.Channel, &k.D.Language, &k.Bucket, &n); err != nil {
			rows.Close()
			return fmt.Errorf("metrics: rebucket: %w", err)
		}
		step := bucketOf(k.Bucket)
		if step == k.Bucket {
			continue
		}
		gm := [2]string{k.D.Grain, k.Measure}
		if old[gm] == nil {
			old[gm] = map[int64]bool{}
		}
		old[gm][k.Bucket] = true
		k.Bucket = step
		merged[k] += n
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("metrics: rebucket: %w", err)
	}
	// Only rows written before the steps have these buckets, and this
	// transaction read (and on PostgreSQL locked) every one of them.
	for gm, buckets := range old {
		list := make([]string, 0, len(buckets))
		for b := range buckets {
			list = append(list, strconv.FormatInt(b, 10))
		}
		slices.Sort(list)
		q := s.q.Get(del) + " (" + strings.Join(list, ", ") + ")"
		if _, err := tx.ExecContext(ctx, q, unit, gm[0], gm[1]); err != nil {
			return fmt.Errorf("metrics: rebucket: %w", err)
		}
	}
	d := newDelta()
	for k, n := range merged {
		d.hist[k] = n
	}
	return s.apply(ctx, tx, d)
}

// rebucketNone marks every histogram row as in its step (a full Rebuild
// writes them so).
func (s *Service) rebucketNone(ctx context.Context, tx execer) error {
	if _, err := tx.ExecContext(ctx, s.q.Get("rebucket-next"), sql.NullInt64{}); err != nil {
		return fmt.Errorf("metrics: rebucket: %w", err)
	}
	return nil
}
