package search

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
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
// indexes: small enough that SQLite's one writer is held only for a
// moment between the changes waiting for it.
const backfillBatch = 200

// Backfill indexes the tickets a database held before the index existed,
// in batches of one transaction each, from where it last stopped, until
// all are done or ctx ends. Tickets changed meanwhile are indexed by their
// change; writing one of them again is harmless, the newer document wins.
// It logs its progress; Progress reads it for the search page.
func (ix *Index) Backfill(ctx context.Context, log *slog.Logger) error {
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
		log.Info("search backfill starts", slog.Int64("total", p.Total))
	}
	last := p.LastRef
	for batches := 1; ; batches++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		var n int
		err := ix.db.Tx(ctx, func(tx *sql.Tx) error {
			ids, err := batchIDs(ctx, tx, ix.q.Get("backfill-batch"), last, backfillBatch)
			if err != nil || len(ids) == 0 {
				n = 0
				if err == nil {
					_, err = tx.ExecContext(ctx, ix.q.Get("backfill-done"), KindTicket, true)
				}
				return err
			}
			upto := ids[len(ids)-1]
			if n, err = ix.indexTickets(ctx, tx, last, upto); err != nil {
				return err
			}
			_, err = tx.ExecContext(ctx, ix.q.Get("backfill-advance"), KindTicket, upto)
			return err
		})
		if err != nil {
			return fmt.Errorf("search: backfill after ticket %d: %w", last, err)
		}
		if n == 0 {
			log.Info("search backfill done", slog.Int64("total", p.Total))
			return nil
		}
		if p, err = ix.Progress(ctx); err != nil {
			return err
		}
		last = p.LastRef
		if batches%50 == 0 {
			log.Info("search backfill", slog.Int64("last_ticket", last), slog.Int64("total", p.Total), slog.Int("percent", p.Percent()))
		}
	}
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

// batchIDs reads the ids of the next batch.
func batchIDs(ctx context.Context, tx *sql.Tx, query string, after int64, n int) ([]int64, error) {
	rows, err := tx.QueryContext(ctx, query, after, n)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}
