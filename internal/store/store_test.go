package store_test

import (
	"context"
	"database/sql"
	"errors"
	"testing"

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
