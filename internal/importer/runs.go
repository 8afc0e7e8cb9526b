package importer

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/rapport/rapport/internal/store"
)

// Run is one recorded import: what it brought in and what it skipped.
type Run struct {
	ID       int64
	Source   string
	Dir      string
	Status   string // running, done or failed
	New      Counts
	Existing Counts
	Skipped  []Skip
	Error    string
	Started  time.Time
	Finished time.Time // zero while running
}

// Runs reads the recorded imports, for the admin page.
type Runs struct {
	db *store.DB
	q  store.Queries
}

// NewRuns returns the reader of db's recorded imports.
func NewRuns(db *store.DB) *Runs {
	return &Runs{db: db, q: store.MustLoadQueries(queriesFS, db.Dialect)}
}

// List returns the latest limit imports, newest first.
func (rs *Runs) List(ctx context.Context, limit int) ([]Run, error) {
	rows, err := rs.db.R.QueryContext(ctx, rs.q.Get("list-runs"), limit)
	if err != nil {
		return nil, fmt.Errorf("importer: list runs: %w", err)
	}
	defer rows.Close()
	var out []Run
	for rows.Next() {
		r, err := scanRun(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// Get returns import id, or store.ErrNotFound.
func (rs *Runs) Get(ctx context.Context, id int64) (Run, error) {
	r, err := scanRun(rs.db.R.QueryRowContext(ctx, rs.q.Get("get-run"), id))
	if errors.Is(err, sql.ErrNoRows) {
		return Run{}, fmt.Errorf("importer: run %d: %w", id, store.ErrNotFound)
	}
	return r, err
}

func scanRun(sc interface{ Scan(...any) error }) (Run, error) {
	var r Run
	var counts, skipped string
	var started int64
	var finished sql.NullInt64
	if err := sc.Scan(&r.ID, &r.Source, &r.Dir, &r.Status, &counts, &skipped, &r.Error, &started, &finished); err != nil {
		return Run{}, err
	}
	var c struct{ New, Existing Counts }
	if err := json.Unmarshal([]byte(counts), &c); err != nil {
		return Run{}, fmt.Errorf("importer: run %d counts: %w", r.ID, err)
	}
	if err := json.Unmarshal([]byte(skipped), &r.Skipped); err != nil {
		return Run{}, fmt.Errorf("importer: run %d skipped: %w", r.ID, err)
	}
	r.New, r.Existing = c.New, c.Existing
	r.Started = store.Time(started)
	if finished.Valid {
		r.Finished = store.Time(finished.Int64)
	}
	return r, nil
}
