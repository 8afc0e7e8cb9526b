package blob

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/rapport/rapport/internal/jobs"
	"github.com/rapport/rapport/internal/store"
)

// Objects in the bucket that no row names. An object is uploaded before
// the row that names it commits (a transaction cannot wait on a bucket),
// so a transaction that rolls back, or a process that dies before its
// commit, leaves an object no row names: an orphan. Nothing records the
// upload apart from the object itself (on SQLite a second write beside the
// caller's transaction would wait on it), so the sweep compares a listing
// of the bucket with the blobs table: an object whose name is a blob
// address, that no row in the bucket names, and that was last written more
// than Grace ago (long past any transaction) is removed. Deleted blobs
// (ForgetTx) have their objects removed by a job that runs after the
// delete commits, with the same checks; an object rewritten within Grace
// (a new upload of the same bytes, not yet committed) is left to the sweep.

// Grace is how long an object no row names is kept: longer than any
// transaction that uploads one runs.
const Grace = time.Hour

// SweepEvery is how often the sweep lists the bucket.
const SweepEvery = time.Hour

// Job kinds of the bucket's housekeeping.
const (
	JobSweep  = "blob.sweep"  // lists the bucket, removes orphans past Grace
	JobRemove = "blob.remove" // removes a deleted blob's object after the delete's commit
)

const sweepKey = "blob.sweep"

// Schedule registers the housekeeping jobs on s's queue and, with a
// bucket, queues the hourly sweep unless it is queued already. Without a
// bucket the handlers are registered (jobs queued while one was
// configured end quietly) and nothing is queued.
func (s *Store) Schedule(ctx context.Context) error {
	if s.jobs == nil {
		return errors.New("blob: schedule: no job queue")
	}
	next := func(ctx context.Context) error {
		return s.db.Tx(ctx, func(tx *sql.Tx) error {
			return s.jobs.Enqueue(ctx, tx, jobs.Job{Kind: JobSweep, RunAt: s.clock.Now().Add(SweepEvery), UniqueKey: sweepKey})
		})
	}
	s.jobs.Handle(JobSweep, func(ctx context.Context, _ json.RawMessage) error {
		if s.bucket == nil {
			return nil
		}
		if err := next(ctx); err != nil {
			return err
		}
		n, err := s.Sweep(ctx)
		if err != nil {
			s.log.Warn("bucket sweep", "removed", n, slog.Any("error", err))
		} else if n > 0 {
			s.log.Info("bucket swept", "removed", n)
		}
		return err
	})
	s.jobs.Handle(JobRemove, func(ctx context.Context, payload json.RawMessage) error {
		var p struct {
			SHA256 string `json:"sha256"`
		}
		if err := json.Unmarshal(payload, &p); err != nil {
			return fmt.Errorf("blob: remove: %w", err)
		}
		if s.bucket == nil || !isSum(p.SHA256) {
			return nil
		}
		_, err := s.removeIfOrphan(ctx, p.SHA256, time.Time{})
		return err
	})
	if s.bucket == nil {
		return nil
	}
	info, err := s.jobs.GetByKey(ctx, sweepKey)
	if err == nil && (info.Status == "pending" || info.Status == "running") {
		return nil
	}
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("blob: schedule the sweep: %w", err)
	}
	return next(ctx)
}

// ForgetTx tells the store, inside the transaction that deleted the blob
// rows of address sum, that its object may go: with a bucket it queues
// JobRemove, which runs after the commit. Without one it does nothing
// (the chunks went with the row).
func (s *Store) ForgetTx(ctx context.Context, tx *sql.Tx, sum string) error {
	if s.bucket == nil || s.jobs == nil {
		return nil
	}
	b, _ := json.Marshal(map[string]string{"sha256": sum})
	return s.jobs.Enqueue(ctx, tx, jobs.Job{Kind: JobRemove, Payload: b, RunAt: s.clock.Now()})
}

// Sweep removes the bucket's orphans (see above) and returns how many.
func (s *Store) Sweep(ctx context.Context) (int, error) {
	if s.bucket == nil {
		return 0, nil
	}
	before := s.clock.Now().Add(-Grace)
	var orphans []object
	err := s.bucket.list(ctx, func(o object) error {
		if !o.modified.Before(before) {
			return nil
		}
		named, err := s.named(ctx, o.sum)
		if err != nil {
			return err
		}
		if !named {
			orphans = append(orphans, o)
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	n := 0
	for _, o := range orphans {
		removed, err := s.removeIfOrphan(ctx, o.sum, before)
		if err != nil {
			return n, err
		}
		if removed {
			n++
		}
	}
	return n, nil
}

// removeIfOrphan removes the object of sum when no row names it and it was
// last written before Grace ago (before, or now less Grace when zero).
func (s *Store) removeIfOrphan(ctx context.Context, sum string, before time.Time) (bool, error) {
	if before.IsZero() {
		before = s.clock.Now().Add(-Grace)
	}
	named, err := s.named(ctx, sum)
	if err != nil || named {
		return false, err
	}
	at, ok, err := s.bucket.modified(ctx, sum)
	if err != nil || !ok || !at.Before(before) {
		return false, err
	}
	if err := s.bucket.remove(ctx, sum); err != nil {
		return false, err
	}
	return true, nil
}

// named reports whether a committed row says the bytes of sum are in the
// bucket.
func (s *Store) named(ctx context.Context, sum string) (bool, error) {
	var n int64
	if err := s.db.R.QueryRowContext(ctx, s.q.Get("in-bucket"), sum).Scan(&n); err != nil {
		return false, fmt.Errorf("blob: sweep %s: %w", sum, err)
	}
	return n > 0, nil
}

// InBucket counts the blobs whose bytes are in a bucket.
func (s *Store) InBucket(ctx context.Context) (int64, error) {
	var n int64
	if err := s.db.R.QueryRowContext(ctx, s.q.Get("count-in-bucket")).Scan(&n); err != nil {
		return 0, fmt.Errorf("blob: count: %w", err)
	}
	return n, nil
}
