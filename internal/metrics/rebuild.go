package metrics

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"strconv"

	"github.com/rapport/rapport/internal/sla"
	"github.com/rapport/rapport/internal/store"
)

// JobRebuild is the job kind of the background rebuild of the rollups,
// queued when the business's zone changes. Payload: {}.
const JobRebuild = "metrics.rebuild"

// The background rebuild. It recomputes each ticket's contribution in the
// rollups' zone and, where it moved, retracts the stored one and adds the
// new one: what the change hook does for one ticket, for a batch of
// tickets in id order per transaction. It is exact at every step, so the
// rollups are always the sum of the stored contributions, some of them
// still counted in the old zone's days until their batch comes: the
// dashboard says so meanwhile. A ticket changed during the rebuild is
// counted in the new zone by its change (the hook reads the zone in its
// transaction), and its batch, finding nothing moved, leaves it. The last
// ticket id done is stored with each batch (metric_zone.rebuild_after),
// so a rebuild stopped anywhere goes on from there.
//
// Each batch is one short transaction: on SQLite it holds the single
// writer for about as long as fifteen ticket changes (see
// docs/PERFORMANCE.md), so ticket changes wait for no longer than that
// between batches. On PostgreSQL it locks the batch's tickets, in id
// order, as a change locks its ticket, and the rollup rows it adds to,
// which ticket changes do not write (they append deltas, fold.go): there
// a batch is larger, as its cost is mostly round trips, one a statement,
// whatever the tickets it carries (its rollup rows go in four statements,
// see execRows), and a larger batch delays only changes of its own
// tickets and the fold, and writes each shared rollup row (a day's "all"
// row, its week's) once where smaller batches wrote it many times.

// RebuildBatch is how many tickets one rebuild transaction takes on
// SQLite.
const RebuildBatch = 25

// RebuildBatchPostgres is how many tickets one rebuild transaction takes
// on PostgreSQL (docs/PERFORMANCE.md, branches boot and rebuild).
const RebuildBatchPostgres = 500

// ticketsPerRun is how many tickets one run of the job rebuilds before it
// queues its continuation: a run stays well inside the job queue's lease.
const ticketsPerRun = 5000

// batch is the default batch of the database's dialect.
func (s *Service) batch() int {
	if s.o.DB.Dialect == store.Postgres {
		return RebuildBatchPostgres
	}
	return RebuildBatch
}

// StartRebuild starts a rebuild of the rollups in their zone, from the
// first ticket, in the background (see RebuildStep); RunRebuild does it
// in the foreground.
func (s *Service) StartRebuild(ctx context.Context) error {
	err := s.o.DB.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, s.q.Get("start-rebuild"), store.Millis(s.o.Clock.Now())); err != nil {
			return fmt.Errorf("metrics: start rebuild: %w", err)
		}
		return s.queueRebuild(ctx, tx, 0)
	})
	if err == nil && s.o.Jobs != nil {
		s.o.Jobs.Notify()
	}
	return err
}

// RebuildStep rebuilds the next batch of at most batch tickets (0:
// RebuildBatch, or RebuildBatchPostgres on PostgreSQL) in one
// transaction, or once no ticket is left fills the greeting facts of the
// next GreetBatch chats (greetfacts.go), or once none is left merges the
// next day's histogram rows into their steps (rebucket.go), and reports
// the progress after it and whether the rebuild is finished (true at once
// when none is running).
func (s *Service) RebuildStep(ctx context.Context, batch int) (Progress, bool, error) {
	p, _, done, err := s.step(ctx, batch)
	return p, done, err
}

// step is RebuildStep, also naming where the rebuild goes on (the last
// ticket done, or the next day to merge) for the key of its continuation.
func (s *Service) step(ctx context.Context, batch int) (Progress, string, bool, error) {
	p, done, err := s.ticketStep(ctx, batch)
	if err != nil || !done {
		return p, strconv.FormatInt(p.Done, 10), done, err
	}
	chat, done, err := s.greetStep(ctx)
	if err != nil || !done {
		return p, "greet:" + strconv.FormatInt(chat, 10), done, err
	}
	day, done, err := s.rebucketStep(ctx)
	return p, "rebucket:" + strconv.FormatInt(day, 10), done, err
}

// ticketStep is RebuildStep's batch of tickets.
func (s *Service) ticketStep(ctx context.Context, batch int) (Progress, bool, error) {
	if batch <= 0 {
		batch = s.batch()
	}
	var p Progress
	// finished: this batch was the last (done is also set when no
	// rebuild of tickets runs, as the steps after it go on).
	done, finished := false, false
	err := s.o.DB.Tx(ctx, func(tx *sql.Tx) error {
		done, finished = false, false
		var name string
		var st zoneState
		if err := tx.QueryRowContext(ctx, s.q.Get("rebuild-state")).Scan(&name, &st.RebuildAfter, &p.Total, &st.WeeksAfter); err != nil {
			return fmt.Errorf("metrics: rebuild: %w", err)
		}
		after := st.cursor()
		if !after.Valid {
			done = true
			return nil
		}
		loc := zoneNamed(name)
		ids, err := store.Int64s(tx.QueryContext(ctx, s.q.Get("lock-tickets-after"), after.Int64, batch))
		if err != nil {
			return fmt.Errorf("metrics: rebuild: lock tickets: %w", err)
		}
		last := after.Int64
		if len(ids) > 0 {
			last = ids[len(ids)-1]
		}
		old, err := s.facts(ctx, tx, "facts-between", after.Int64, last)
		if err != nil {
			return err
		}
		if len(ids) < batch {
			// The last batch also drops the facts of tickets that are gone.
			gone, err := s.facts(ctx, tx, "facts-gone-after", last, math.MaxInt64)
			if err != nil {
				return err
			}
			maps.Copy(old, gone)
		}
		var cal *sla.Calendar
		if len(ids) > 0 {
			if cal, err = s.calendar(ctx, tx); err != nil {
				return err
			}
		}
		rows, err := tx.QueryContext(ctx, s.q.Get("ticket-facts-after"), after.Int64, batch)
		if err != nil {
			return fmt.Errorf("metrics: rebuild: %w", err)
		}
		d := newDelta()
		var moved [][]any
		for rows.Next() {
			var r ticketRow
			if err := r.scan(rows); err != nil {
				rows.Close()
				return fmt.Errorf("metrics: rebuild: %w", err)
			}
			if r.ID > last {
				break // a ticket made after the lock; the next batch takes it
			}
			nf := factOf(r, cal, loc)
			of, ok := old[r.ID]
			delete(old, r.ID)
			weeks := st.hasWeeks(r.ID)
			if ok && of == nf && weeks {
				continue
			}
			if ok {
				d.add(of, -1, weeks)
			}
			// A ticket the week fill has not reached adds its whole
			// contribution to the week rows now.
			d.add(nf, 1, true)
			if !ok || of != nf {
				moved = append(moved, factArgs(nf))
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("metrics: rebuild: %w", err)
		}
		for _, of := range old {
			d.add(of, -1, st.hasWeeks(of.TicketID))
		}
		if err := s.apply(ctx, tx, d); err != nil {
			return err
		}
		if err := s.execRows(ctx, tx, "put-fact", moved); err != nil {
			return err
		}
		for id := range old {
			if _, err := tx.ExecContext(ctx, s.q.Get("delete-fact"), id); err != nil {
				return fmt.Errorf("metrics: rebuild: drop fact %d: %w", id, err)
			}
		}
		now := store.Millis(s.o.Clock.Now())
		if len(ids) < batch {
			done, finished = true, true
			p.Done = p.Total
			_, err = tx.ExecContext(ctx, s.q.Get("rebuild-done"), now)
		} else {
			p.Done = last
			_, err = tx.ExecContext(ctx, s.q.Get("rebuild-after"), last, now)
		}
		if err != nil {
			return fmt.Errorf("metrics: rebuild: %w", err)
		}
		return nil
	})
	if err != nil {
		return Progress{}, false, err
	}
	if finished && p.Total > 0 {
		s.log.Info("metrics rollups rebuilt", "tickets", p.Total)
	}
	return p, done, nil
}

// facts reads stored facts with the named query over tickets (after, upTo].
func (s *Service) facts(ctx context.Context, tx execer, query string, after, upTo int64) (map[int64]fact, error) {
	rows, err := tx.QueryContext(ctx, s.q.Get(query), after, upTo)
	if err != nil {
		return nil, fmt.Errorf("metrics: rebuild: facts: %w", err)
	}
	defer rows.Close()
	out := map[int64]fact{}
	for rows.Next() {
		var f fact
		if err := scanFact(rows, &f, &f.TicketID); err != nil {
			return nil, fmt.Errorf("metrics: rebuild: facts: %w", err)
		}
		out[f.TicketID] = f
	}
	return out, rows.Err()
}

// RunRebuild runs the rebuild in the foreground until it is finished,
// calling progress (when not nil) after each batch: `rapport metrics
// rebuild`. With fresh set it first starts one from the first ticket in
// the business's zone; else it goes on with the one running, if any.
func (s *Service) RunRebuild(ctx context.Context, fresh bool, progress func(Progress)) error {
	if fresh {
		changed, err := s.SwitchZone(ctx, s.businessZone(ctx))
		if err != nil {
			return err
		}
		if !changed {
			if err := s.StartRebuild(ctx); err != nil {
				return err
			}
		}
	}
	for {
		p, done, err := s.RebuildStep(ctx, 0)
		if err != nil {
			return err
		}
		if progress != nil {
			progress(p)
		}
		if done {
			return nil
		}
	}
}

// businessZone is the business's zone's name; the rollups' when the
// service has no business profile or it cannot be read.
func (s *Service) businessZone(ctx context.Context) string {
	if s.o.Business != nil {
		if p, err := s.o.Business.Profile(ctx); err == nil {
			return p.Location().String()
		}
	}
	if loc, err := s.Zone(ctx); err == nil {
		return loc.String()
	}
	return "UTC"
}

// rebuildJob runs batches until the rebuild is finished or ticketsPerRun
// tickets' batches have run, then queues its continuation.
func (s *Service) rebuildJob(ctx context.Context, _ json.RawMessage) error {
	var at string
	for range ticketsPerRun / s.batch() {
		var done bool
		var err error
		if _, at, done, err = s.step(ctx, 0); err != nil {
			return err
		}
		if done {
			return nil
		}
	}
	err := s.o.DB.Tx(ctx, func(tx *sql.Tx) error { return s.queueRebuildAt(ctx, tx, at) })
	if err == nil {
		s.o.Jobs.Notify()
	}
	return err
}
