package store

import (
	"context"
	"fmt"
)

// Analyze refreshes the planner's statistics after a bulk load (an
// import, a move). On PostgreSQL it runs ANALYZE: until autovacuum gets
// round to the new rows the planner believes the tables are as small as
// before the load and chooses sequential scans, reading every document of
// a large table. SQLite's planner works from its indexes without
// statistics, and this does nothing there.
func (db *DB) Analyze(ctx context.Context) error {
	if db.Dialect != Postgres {
		return nil
	}
	if _, err := db.W.ExecContext(ctx, "ANALYZE"); err != nil {
		return fmt.Errorf("store: analyze: %w", err)
	}
	return nil
}
