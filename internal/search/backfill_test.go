package search

import (
	"context"
	"database/sql"
	"errors"
	"log/slog"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/rapport/rapport/internal/seed"
	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/store/storetest"
)

// TestBackfillBatchesAtOnce seeds 300 tickets and backfills them in
// batches of 7 with three workers: on PostgreSQL the batches' transactions
// run at once (the first batch is held until another has begun; one at a
// time, as the backfill was, it would wait in vain), on SQLite one at a
// time, its one writer. Stopped after a few batches, the progress row
// never gets ahead of a batch not yet written (every ticket up to it has
// its document); resumed, it finishes, and every document is the one the
// ticket's own change writes. On PostgreSQL the index has statistics
// once it is done.
func TestBackfillBatchesAtOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		if _, err := seed.Run(ctx, db, seed.Opts{Tickets: 300, Messages: 900}); err != nil {
			t.Fatal(err)
		}
		ix := New(db)
		ix.batch, ix.workers = 7, 3
		log := slog.New(slog.DiscardHandler)

		// First run: stopped once ten batches have begun.
		stop, cancel := context.WithCancel(ctx)
		var mu sync.Mutex
		began := 0
		overlapped := make(chan struct{})
		ix.spanStarts = func(after, upto int64) {
			mu.Lock()
			began++
			n := began
			mu.Unlock()
			switch {
			case n == 1 && db.Dialect == store.Postgres:
				select { // held until a second batch begins beside it
				case <-overlapped:
				case <-time.After(30 * time.Second):
					t.Error("no second batch began while the first was open: batches run one at a time")
				}
			case n == 2 && db.Dialect == store.Postgres:
				close(overlapped)
			case n == 10:
				cancel()
			}
		}
		err := ix.Backfill(stop, log)
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("stopped backfill returned %v, want context.Canceled", err)
		}
		p, err := ix.Progress(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if p.Done || p.LastRef >= 300 || p.Total != 300 {
			t.Fatalf("after the stop: %+v, want under way", p)
		}
		var indexed int64
		if err := db.R.QueryRowContext(ctx, "SELECT COUNT(*) FROM search_docs WHERE kind = 'ticket' AND ref_id <= $1", p.LastRef).Scan(&indexed); err != nil {
			t.Fatal(err)
		}
		if indexed != p.LastRef {
			t.Fatalf("progress says tickets 1 to %d are indexed, %d of them are", p.LastRef, indexed)
		}

		// Resumed: it finishes.
		ix.spanStarts = nil
		if err := ix.Backfill(ctx, log); err != nil {
			t.Fatal(err)
		}
		if p, err = ix.Progress(ctx); err != nil || !p.Done || p.Percent() != 100 {
			t.Fatalf("after the resumed backfill: %+v, %v", p, err)
		}
		if db.Dialect == store.Postgres {
			// The finished backfill analysed the index: ReachFor reads
			// which words are common from these statistics.
			var lexemes int
			if err := db.R.QueryRowContext(ctx, "SELECT COALESCE(cardinality(most_common_elems::text::text[]), 0) FROM pg_stats"+
				" WHERE tablename = 'search_fts' AND attname = 'tsv'").Scan(&lexemes); err != nil || lexemes == 0 {
				t.Fatalf("search_fts.tsv has no common lexemes in pg_stats after the backfill (%v)", err)
			}
		}
		backfilled := docTexts(t, db)
		if len(backfilled) != 300 {
			t.Fatalf("%d documents, want 300", len(backfilled))
		}
		err = db.Tx(ctx, func(tx *sql.Tx) error {
			for id := int64(1); id <= 300; id++ {
				if err := ix.IndexTicket(ctx, tx, id); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if one := docTexts(t, db); !slices.Equal(one, backfilled) {
			for i := range one {
				if one[i] != backfilled[i] {
					t.Fatalf("document %d: backfill wrote\n%s\nIndexTicket writes\n%s", i, backfilled[i], one[i])
				}
			}
		}
	})
}

// docTexts returns every document as one line of text, in ticket order.
func docTexts(t *testing.T, db *store.DB) []string {
	t.Helper()
	q := "SELECT d.ref_id || '|' || d.language || '|' || f.title || '|' || f.body || '|' || f.extra FROM search_docs d JOIN search_fts f ON f.rowid = d.id ORDER BY d.ref_id"
	if db.Dialect == store.Postgres {
		q = "SELECT d.ref_id || '|' || d.language || '|' || f.cfg || '|' || f.title || '|' || f.body || '|' || f.extra || '|' || f.tsv::text FROM search_docs d JOIN search_fts f ON f.doc_id = d.id ORDER BY d.ref_id"
	}
	rows, err := db.R.QueryContext(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}
