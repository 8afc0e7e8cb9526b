package store_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"sync/atomic"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/store/storetest"
)

func TestMigrationFoldersMatch(t *testing.T) {
	lite, err := store.Migrations(store.SQLite)
	if err != nil {
		t.Fatal(err)
	}
	pg, err := store.Migrations(store.Postgres)
	if err != nil {
		t.Fatal(err)
	}
	if len(lite) == 0 || len(lite) != len(pg) {
		t.Fatalf("sqlite has %d migrations, postgres %d", len(lite), len(pg))
	}
	for i := range lite {
		if lite[i].Version != pg[i].Version || lite[i].Name != pg[i].Name {
			t.Errorf("migration %d: sqlite %04d_%s, postgres %04d_%s", i, lite[i].Version, lite[i].Name, pg[i].Version, pg[i].Name)
		}
	}
}

func TestMigrateTwiceAndTx(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		if err := db.Migrate(ctx); err != nil {
			t.Fatalf("second migrate: %v", err)
		}
		if n, err := db.Pending(ctx); err != nil || n != 0 {
			t.Fatalf("pending = %d, %v", n, err)
		}
		// A failing transaction leaves nothing behind.
		boom := errors.New("boom")
		err := db.Tx(ctx, func(tx *sql.Tx) error {
			if _, err := tx.ExecContext(ctx, `INSERT INTO teams (name, created_at) VALUES ($1, $2)`, "Billing", 1); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("tx error = %v", err)
		}
		var n int
		if err := db.R.QueryRowContext(ctx, `SELECT count(*) FROM teams`).Scan(&n); err != nil || n != 0 {
			t.Fatalf("teams after rollback = %d, %v", n, err)
		}
		// Unique violations are recognised on both backends.
		ins := func() error {
			return db.Tx(ctx, func(tx *sql.Tx) error {
				_, err := tx.ExecContext(ctx, `INSERT INTO teams (name, created_at) VALUES ($1, $2)`, "Billing", 1)
				return err
			})
		}
		if err := ins(); err != nil {
			t.Fatal(err)
		}
		if err := ins(); !store.IsUniqueViolation(err) {
			t.Fatalf("duplicate insert: %v, want unique violation", err)
		}
	})
}

func TestLoadQueries(t *testing.T) {
	tests := []struct {
		name    string
		files   map[string]string
		want    map[string]string
		wantErr bool
	}{
		{name: "override", files: map[string]string{
			"queries.sql":          "-- name: a\nSELECT 1;\n-- name: b\nSELECT 2\nFROM x;\n",
			"queries_postgres.sql": "-- name: b\nSELECT 3;\n",
		}, want: map[string]string{"a": "SELECT 1;", "b": "SELECT 3;"}},
		{name: "duplicate", files: map[string]string{"queries.sql": "-- name: a\nSELECT 1;\n-- name: a\nSELECT 2;\n"}, wantErr: true},
		{name: "empty", files: map[string]string{"queries.sql": "-- name: a\n-- name: b\nSELECT 2;\n"}, wantErr: true},
		{name: "missing", files: map[string]string{}, wantErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fsys := mapFS(tc.files)
			q, err := store.LoadQueries(fsys, store.Postgres)
			if tc.wantErr {
				if err == nil {
					t.Fatalf("want error, got %v", q)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			for k, v := range tc.want {
				if q[k] != v {
					t.Errorf("%s = %q, want %q", k, q[k], v)
				}
			}
		})
	}
}

// TestTxRetriesDeadlock makes two transactions lock two rows in opposite
// orders, a real deadlock PostgreSQL breaks by aborting one of them; Tx
// runs the aborted one again, and both changes are committed.
func TestTxRetriesDeadlock(t *testing.T) {
	db := storetest.Postgres(t)
	ctx := context.Background()
	for _, name := range []string{"A", "B"} {
		if _, err := db.W.ExecContext(ctx, `INSERT INTO teams (name, description, created_at) VALUES ($1, '', 1)`, name); err != nil {
			t.Fatal(err)
		}
	}
	// Each side locks its first row, waits until the other has locked its
	// own, then asks for the other's: on the first attempt only.
	locked := [2]chan struct{}{make(chan struct{}), make(chan struct{})}
	var attempts [2]atomic.Int32
	side := func(i int, first, second string) error {
		return db.Tx(ctx, func(tx *sql.Tx) error {
			n := attempts[i].Add(1)
			if _, err := tx.ExecContext(ctx, `UPDATE teams SET description = description || $2 WHERE name = $1`, first, strconv.Itoa(i)); err != nil {
				return err
			}
			if n == 1 {
				close(locked[i])
				<-locked[1-i]
			}
			_, err := tx.ExecContext(ctx, `UPDATE teams SET description = description || $2 WHERE name = $1`, second, strconv.Itoa(i))
			return err
		})
	}
	errs := make(chan error, 2)
	go func() { errs <- side(0, "A", "B") }()
	go func() { errs <- side(1, "B", "A") }()
	for range 2 {
		if err := <-errs; err != nil {
			t.Fatalf("Tx: %v", err)
		}
	}
	if got := attempts[0].Load() + attempts[1].Load(); got != 3 {
		t.Errorf("%d attempts, want 3: one side deadlocked once and ran again", got)
	}
	for _, name := range []string{"A", "B"} {
		var d string
		if err := db.R.QueryRowContext(ctx, `SELECT description FROM teams WHERE name = $1`, name).Scan(&d); err != nil {
			t.Fatal(err)
		}
		if len(d) != 2 {
			t.Errorf("team %s = %q, want both transactions' marks", name, d)
		}
	}
}

func TestTxDoesNotRetryOtherErrors(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		n := 0
		boom := errors.New("boom")
		if err := db.Tx(context.Background(), func(*sql.Tx) error { n++; return boom }); !errors.Is(err, boom) || n != 1 {
			t.Fatalf("err %v after %d runs, want boom after 1", err, n)
		}
	})
}

func TestIsRetryable(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want bool
	}{
		{"deadlock", fmt.Errorf("wrapped: %w", &pgconn.PgError{Code: "40P01"}), true},
		{"serialization failure", &pgconn.PgError{Code: "40001"}, true},
		{"unique violation", &pgconn.PgError{Code: "23505"}, false},
		{"other", errors.New("deadlock detected"), false},
		{"nil", nil, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := store.IsRetryable(tc.err); got != tc.want {
				t.Errorf("IsRetryable(%v) = %v, want %v", tc.err, got, tc.want)
			}
		})
	}
}
