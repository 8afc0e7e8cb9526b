package store_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/store/storetest"
)

// Many transactions at once (on SQLite carried by shared commits) each
// commit or roll back alone: every third fails after writing, every
// seventh panics, one's caller has gone before it runs; exactly the
// others' rows are stored, each caller is answered with its own outcome,
// and the AfterCommit functions of exactly the committed ones run, in
// their callers' goroutines.
func TestConcurrentTxCommitAlone(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		if _, err := db.W.ExecContext(ctx, `CREATE TABLE group_t (n INTEGER NOT NULL)`); err != nil {
			t.Fatal(err)
		}
		const n = 120
		refused := errors.New("refused")
		gone, cancel := context.WithCancel(ctx)
		cancel()
		var mu sync.Mutex
		afterRan := map[int]int{}
		results := make([]error, n)
		panics := make([]any, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer func() { panics[i] = recover() }()
				c := ctx
				if i == 50 {
					c = gone
				}
				mine := false
				results[i] = db.Tx(c, func(tx *sql.Tx) error {
					if _, err := tx.ExecContext(c, `INSERT INTO group_t (n) VALUES ($1)`, i); err != nil {
						return err
					}
					db.AfterCommit(tx, func() {
						mine = true
						mu.Lock()
						afterRan[i]++
						mu.Unlock()
					})
					switch {
					case i%7 == 3:
						panic(fmt.Sprintf("boom %d", i))
					case i%3 == 1:
						return refused
					}
					return nil
				})
				if results[i] == nil && !mine {
					t.Errorf("tx %d: its AfterCommit function did not run before Tx returned", i)
				}
			}()
		}
		wg.Wait()
		rows, err := db.R.QueryContext(ctx, `SELECT n FROM group_t`)
		if err != nil {
			t.Fatal(err)
		}
		stored := map[int]int{}
		for rows.Next() {
			var v int
			if err := rows.Scan(&v); err != nil {
				t.Fatal(err)
			}
			stored[v]++
		}
		rows.Close()
		for i := range n {
			switch {
			case i == 50:
				if results[i] == nil || stored[i] != 0 {
					t.Errorf("tx %d of a gone caller: error %v, stored %d times", i, results[i], stored[i])
				}
			case i%7 == 3:
				if panics[i] != fmt.Sprintf("boom %d", i) || stored[i] != 0 {
					t.Errorf("tx %d panicked: caller saw %v, stored %d times", i, panics[i], stored[i])
				}
			case i%3 == 1:
				if !errors.Is(results[i], refused) || stored[i] != 0 {
					t.Errorf("tx %d failed: caller got %v, stored %d times", i, results[i], stored[i])
				}
			default:
				if results[i] != nil || stored[i] != 1 || afterRan[i] != 1 {
					t.Errorf("tx %d: error %v, stored %d times, after-commit ran %d times", i, results[i], stored[i], afterRan[i])
				}
				continue
			}
			if afterRan[i] != 0 {
				t.Errorf("tx %d did not commit but its after-commit function ran", i)
			}
		}
	})
}
