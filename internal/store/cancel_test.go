package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/store/storetest"
)

// longQuery counts to a billion, minutes of work on either database, and
// carries a marker to find it among PostgreSQL's running queries.
const longQuery = `/* rapport-cancel-test */ WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 1000000000) SELECT count(*) FROM n`

// A request whose client has gone ends its context; the query it started
// must stop with it, on the reader pool the pages use, rather than run to
// the end. On PostgreSQL the server is asked to cancel it too, so the
// backend is free again rather than busy for minutes.
func TestCancelledContextStopsQuery(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx, cancel := context.WithCancel(context.Background())
		result := make(chan error, 1)
		go func() {
			var n int64
			result <- db.R.QueryRowContext(ctx, longQuery).Scan(&n)
		}()
		// Cancel once the query is running (PostgreSQL shows it; on SQLite
		// a moment is enough for it to have started).
		if db.Dialect == store.Postgres {
			waitActive(t, db, 1)
		} else {
			time.Sleep(200 * time.Millisecond)
		}
		cancel()
		select {
		case err := <-result:
			if err == nil {
				t.Fatal("the query finished instead of stopping")
			}
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("the query ended with %v, not because its context ended", err)
			}
			t.Logf("stopped with: %v", err)
		case <-time.After(60 * time.Second):
			t.Fatal("the query ran on after its context was cancelled")
		}
		if db.Dialect == store.Postgres {
			waitActive(t, db, 0)
		}
		// The pool is usable afterwards.
		var one int
		if err := db.R.QueryRowContext(context.Background(), `SELECT 1`).Scan(&one); err != nil || one != 1 {
			t.Fatalf("after the cancel: %d, %v", one, err)
		}
	})
}

// waitActive waits until PostgreSQL runs want copies of longQuery.
func waitActive(t *testing.T, db *store.DB, want int) {
	t.Helper()
	for range 600 {
		var n int
		err := db.W.QueryRowContext(context.Background(),
			`SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND state = 'active' AND query LIKE '/* rapport-cancel-test */%'`).Scan(&n)
		if err != nil {
			t.Fatal(err)
		}
		if n == want {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("PostgreSQL never ran %d copies of the long query", want)
}
