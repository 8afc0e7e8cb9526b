package store_test

import (
	"context"
	"database/sql"
	"errors"
	"testing"

	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/store/storetest"
)

func TestAfterCommit(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		if _, err := db.W.ExecContext(ctx, `CREATE TABLE after_commit_t (n INTEGER)`); err != nil {
			t.Fatal(err)
		}
		// seen counts the committed rows as fn sees them from another connection.
		seen := func() int {
			var n int
			if err := db.R.QueryRowContext(ctx, `SELECT count(*) FROM after_commit_t`).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		tests := []struct {
			name    string
			fail    error
			wantRun bool
		}{
			{name: "runs after the commit, seeing it", wantRun: true},
			{name: "not after a rollback", fail: errors.New("no")},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				before := seen()
				ran, sawRow := false, false
				err := db.Tx(ctx, func(tx *sql.Tx) error {
					if _, err := tx.ExecContext(ctx, `INSERT INTO after_commit_t (n) VALUES (1)`); err != nil {
						return err
					}
					if !db.AfterCommit(tx, func() { ran, sawRow = true, seen() == before+1 }) {
						t.Error("AfterCommit refused a transaction of Tx")
					}
					return tc.fail
				})
				if !errors.Is(err, tc.fail) {
					t.Fatal(err)
				}
				if ran != tc.wantRun {
					t.Fatalf("ran %v, want %v", ran, tc.wantRun)
				}
				if ran && !sawRow {
					t.Error("fn ran before the commit was visible to another connection")
				}
			})
		}

		t.Run("not for a transaction the caller began", func(t *testing.T) {
			tx, err := db.W.BeginTx(ctx, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer tx.Rollback()
			if db.AfterCommit(tx, func() { t.Error("ran") }) {
				t.Error("AfterCommit took a transaction Tx does not run")
			}
		})
	})
}
