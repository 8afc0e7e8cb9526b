package search

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/rapport/rapport/internal/store"
)

// Progress is how far the backfill of one kind has come.
type Progress struct {
	Kind    string
	LastRef int64 // the last ref indexed
	Total   int64 // the highest ref there was when the backfill began
	Done    bool
}

// Running reports whether the backfill is still under way.
func (p Progress) Running() bool { return !p.Done && p.Total > 0 }

// Percent is how much is indexed, 0 to 100.
func (p Progress) Percent() int {
	if p.Total <= 0 || p.Done {
		return 100
	}
	return int(min(100, p.LastRef*100/p.Total))
}

// backfillBatch is how many tickets one transaction of the backfill
// indexes on SQLite: small enough that its one writer is held only for a
// moment between the changes waiting for it.
const backfillBatch = 200

// On PostgreSQL, whose writers do not wait for one another, the backfill
// runs backfillWorkersPG transactions at once, of backfillBatchPG tickets
// each: most of a batch's time is PostgreSQL's (to_tsvector, the GIN
// index), so one transaction at a time left every core but one idle; at
// 200 tickets and one worker a million tickets took hours. A batch's
// tickets are locked for its transaction, so a change of one of them
// waits at most that long.
const (
	backfillBatchPG   = 500
	backfillWorkersPG = 3
)

// span is one batch of the backfill: the tickets with ids in (after, upto].
type span struct{ after, upto int64 }

// Backfill indexes the tickets a database held before the index existed,
// in batches of one transaction each, from where it last stopped, until
// all are done or ctx ends. Tickets changed meanwhile are indexed by their
// change; writing one of them again is harmless, the newer document wins.
// It logs its progress; Progress reads it for the search page.
//
// On PostgreSQL several batches are indexed at once (backfillWorkersPG).
// The progress row's last ticket only ever moves past batches that are all
// committed: a batch done ahead of an unfinished one is recorded when the
// gap closes, so a stop at any moment resumes without a gap (and indexes
// at most a few batches again).
func (ix *Index) Backfill(ctx context.Context, log *slog.Logger) error {
	batch, workers := backfillBatch, 1
	if ix.db.Dialect == store.Postgres {
		batch, workers = backfillBatchPG, backfillWorkersPG
	}
	if ix.batch > 0 {
		batch, workers = ix.batch, ix.workers
	}
	return ix.backfill(ctx, log, batch, workers)
}

func (ix *Index) backfill(ctx context.Context, log *slog.Logger, batch, workers int) error {
	var max int64
	if err := ix.db.R.QueryRowContext(ctx, ix.q.Get("max-ticket")).Scan(&max); err != nil {
		return fmt.Errorf("search: backfill: %w", err)
	}
	if _, err := ix.db.W.ExecContext(ctx, ix.q.Get("backfill-start"), KindTicket, max); err != nil {
		return fmt.Errorf("search: backfill: %w", err)
	}
	p, err := ix.Progress(ctx)
	if err != nil || p.Done {
		return err
	}
	if p.LastRef > 0 {
		log.Info("search backfill resumes", slog.Int64("last_ticket", p.LastRef), slog.Int64("total", p.Total))
	} else {
		log.Info("search backfill starts", slog.Int64("total", p.Total), slog.Int("batch", batch), slog.Int("workers", workers))
	}

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	type result struct {
		s   span
		err error
	}
	todo := make(chan span)
	done := make(chan result, workers)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for s := range todo {
				done <- result{s, ix.backfillSpan(ctx, s)}
			}
		}()
	}
	defer wg.Wait()

	began := time.Now()
	last := p.LastRef // every ticket up to it is indexed and recorded
	next := last      // the next batch starts after it
	var pending []span
	finished := map[int64]int64{} // batches done ahead of a gap: after → upto
	logged := last
	end := false // no ticket after next
	var failure error
	for {
		// Hand out batches while a worker is free and none failed.
		for !end && failure == nil && len(pending) < workers {
			var upto sql.NullInt64
			if err := ix.db.R.QueryRowContext(ctx, ix.q.Get("backfill-span"), next, batch).Scan(&upto); err != nil {
				failure = fmt.Errorf("search: backfill after ticket %d: %w", next, err)
				break
			}
			if !upto.Valid {
				end = true
				break
			}
			s := span{next, upto.Int64}
			select {
			case todo <- s:
				pending = append(pending, s)
				next = s.upto
			case <-ctx.Done():
				failure = fmt.Errorf("search: backfill after ticket %d: %w", next, ctx.Err())
			}
		}
		if len(pending) == 0 {
			break
		}
		r := <-done
		pending = slices.DeleteFunc(pending, func(s span) bool { return s == r.s })
		if r.err != nil {
			if failure == nil {
				failure = fmt.Errorf("search: backfill after ticket %d: %w", r.s.after, r.err)
				cancel() // the other batches stop; their transactions roll back
			}
			continue
		}
		if failure != nil {
			continue
		}
		// Record the batches done without a gap before them.
		finished[r.s.after] = r.s.upto
		advanced := last
		for upto, ok := finished[advanced]; ok; upto, ok = finished[advanced] {
			delete(finished, advanced)
			advanced = upto
		}
		if advanced == last {
			continue
		}
		if _, err := ix.db.W.ExecContext(ctx, ix.q.Get("backfill-advance"), KindTicket, advanced); err != nil {
			failure = fmt.Errorf("search: backfill after ticket %d: %w", advanced, err)
			cancel()
			continue
		}
		last = advanced
		if last-logged >= 10_000 {
			logged = last
			log.Info("search backfill", slog.Int64("last_ticket", last), slog.Int64("total", p.Total),
				slog.Int("percent", Progress{LastRef: last, Total: p.Total}.Percent()),
				slog.Int("tickets_a_minute", int(float64(last-p.LastRef)/time.Since(began).Minutes())))
		}
	}
	close(todo)
	if failure != nil {
		return failure
	}
	if _, err := ix.db.W.ExecContext(ctx, ix.q.Get("backfill-done"), KindTicket, true); err != nil {
		return fmt.Errorf("search: backfill: %w", err)
	}
	log.Info("search backfill done", slog.Int64("total", p.Total), slog.Duration("took", time.Since(began).Round(time.Second)))
	if ix.db.Dialect == store.Postgres {
		// ReachFor and the planner read which words are common from the
		// statistics of search_fts, which until its next ANALYZE describe
		// the table as it was before the backfill (when empty: every word
		// rare, and a common one read through the GIN index, seconds at a
		// million). Autovacuum may be off or long in coming.
		analyzed := time.Now()
		if _, err := ix.db.W.ExecContext(ctx, ix.q.Get("analyze-fts")); err != nil {
			return fmt.Errorf("search: backfill: analyze: %w", err)
		}
		log.Info("search index analysed", slog.Duration("took", time.Since(analyzed).Round(time.Millisecond)))
	}
	return nil
}

// backfillSpan indexes the tickets of s in one transaction, locking them
// first on PostgreSQL, as a change does, so that a change running meanwhile
// waits or is waited for and the newer document wins.
func (ix *Index) backfillSpan(ctx context.Context, s span) error {
	return ix.db.Tx(ctx, func(tx *sql.Tx) error {
		if ix.spanStarts != nil {
			ix.spanStarts(s.after, s.upto)
		}
		if ix.db.Dialect == store.Postgres {
			if _, err := tx.ExecContext(ctx, ix.q.Get("backfill-lock"), s.after, s.upto); err != nil {
				return err
			}
		}
		_, err := ix.indexTickets(ctx, tx, s.after, s.upto)
		return err
	})
}

// Progress reads the backfill's progress; Done when it has finished or
// never had to run.
func (ix *Index) Progress(ctx context.Context) (Progress, error) {
	p := Progress{Kind: KindTicket}
	err := ix.db.R.QueryRowContext(ctx, ix.q.Get("backfill-state"), KindTicket).Scan(&p.LastRef, &p.Total, &p.Done)
	if errors.Is(err, sql.ErrNoRows) {
		return p, nil // not started: Running is false until it is
	}
	if err != nil {
		return p, fmt.Errorf("search: backfill progress: %w", err)
	}
	return p, nil
}
