package store_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/store/storetest"
)

// Requests whose clients go away mid-query, many at once, must not break
// the requests whose clients are still there: every one of those gets its
// answer.
func TestCancelledQueriesLeaveOthersAlone(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		// A query that takes a few milliseconds on either database and
		// whose answer is known.
		const q = `WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 3000) SELECT count(*) FROM n`
		var mu sync.Mutex
		var failed []string
		normal := 0
		var wg sync.WaitGroup
		for g := range 64 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range 30 {
					if (g+i)%3 != 0 {
						// A client that goes away after up to 3 ms.
						ctx, cancel := context.WithCancel(context.Background())
						time.AfterFunc(time.Duration(rand.N(3000))*time.Microsecond, cancel)
						var n int64
						db.R.QueryRowContext(ctx, q).Scan(&n)
						cancel()
						continue
					}
					var n int64
					err := db.R.QueryRowContext(context.Background(), q).Scan(&n)
					mu.Lock()
					normal++
					if err != nil || n != 3000 {
						failed = append(failed, fmt.Sprintf("%d, %v", n, err))
					}
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		if len(failed) > 0 {
			t.Fatalf("%d of %d queries whose client stayed failed; first: %s", len(failed), normal, failed[0])
		}
	})
}

// On PostgreSQL a cancelled query closes its connection (pgx cannot tell
// where the protocol stands). The pool must drop such a connection when it
// is put back, not keep it for the next request: it used to hand closed
// connections to waiting requests, and a request that drew three in a row
// failed with "driver: bad connection" and answered 500 though its client
// was still there (seen after a load test's clients all went at once).
func TestCancelledQueryLeavesNoClosedConnection(t *testing.T) {
	db := storetest.Postgres(t)
	ctx, cancel := context.WithCancel(context.Background())
	var held sync.WaitGroup
	for range 20 {
		held.Add(1)
		go func() {
			defer held.Done()
			var n int64
			db.R.QueryRowContext(ctx, `SELECT count(*) FROM pg_sleep(60)`).Scan(&n)
		}()
	}
	// Wait until the pool holds 20 connections, each running its sleep.
	for i := 0; db.R.Stats().InUse < 20; i++ {
		if i == 600 {
			t.Fatalf("the 20 queries never started: %+v", db.R.Stats())
		}
		time.Sleep(100 * time.Millisecond)
	}
	time.Sleep(300 * time.Millisecond)
	cancel()
	held.Wait()
	// Every connection the pool keeps is one PostgreSQL still has. The
	// server's side of a closed connection ends on its own time (a busy
	// machine took seconds to end a cancelled sleep's backend), so the
	// count is read again until the two agree; a pool that kept closed
	// connections never agrees, as PostgreSQL has none of them.
	var pool, server int
	for i := 0; ; i++ {
		err := db.R.QueryRowContext(context.Background(),
			`SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'`).Scan(&server)
		if err != nil {
			t.Fatal(err)
		}
		// The query's own connection is open too, and not counted by it.
		if pool = db.R.Stats().OpenConnections - 1; pool == server {
			return
		}
		if i == 300 {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Errorf("the pool keeps %d connections besides this one, PostgreSQL has %d: the pool kept connections the cancels closed", pool, server)
}
