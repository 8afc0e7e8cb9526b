package jobs_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/rapport/rapport/internal/jobs"
	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/store/storetest"
)

// TestHandlerWriteCommitsWithOutcome checks the writes a handler leaves to
// its job's outcome (jobs.WithOutcome): they commit with the outcome,
// whatever it is; when one fails, neither it nor the outcome is kept and
// the job runs again once its lease lapses; outside a job nothing is
// taken.
func TestHandlerWriteCommitsWithOutcome(t *testing.T) {
	cases := []struct {
		name       string
		handlerErr error
		badWrite   bool
		wantStatus string
		wantRows   int
	}{
		{name: "done", wantStatus: "done", wantRows: 1},
		{name: "retry", handlerErr: errors.New("relay busy"), wantStatus: "pending", wantRows: 1},
		{name: "failed", handlerErr: jobs.ErrPermanent, wantStatus: "failed", wantRows: 1},
		{name: "write fails", badWrite: true, wantStatus: "running", wantRows: 0},
	}
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		if _, err := db.W.ExecContext(ctx, `CREATE TABLE outcome_probe (kind TEXT NOT NULL)`); err != nil {
			t.Fatal(err)
		}
		if jobs.WithOutcome(ctx, func(context.Context, *sql.Tx) error { return nil }) {
			t.Error("WithOutcome took a write outside a job")
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				clock := jobs.NewFakeClock(t0)
				q := jobs.New(db, clock, nil)
				runs := 0
				q.Handle(tc.name, func(ctx context.Context, _ json.RawMessage) error {
					runs++
					query := `INSERT INTO outcome_probe (kind) VALUES ($1)`
					if tc.badWrite {
						query = `INSERT INTO outcome_probe (no_such_column) VALUES ($1)`
					}
					if !jobs.WithOutcome(ctx, func(ctx context.Context, tx *sql.Tx) error {
						_, err := tx.ExecContext(ctx, query, tc.name)
						return err
					}) {
						t.Error("WithOutcome took no write in a job's handler")
					}
					return tc.handlerErr
				})
				enqueue(t, db, q, jobs.Job{Kind: tc.name, UniqueKey: "probe:" + tc.name})
				if _, err := q.RunDue(ctx); err != nil {
					t.Fatal(err)
				}
				info, err := q.GetByKey(ctx, "probe:"+tc.name)
				if err != nil {
					t.Fatal(err)
				}
				if info.Status != tc.wantStatus {
					t.Errorf("job status %s, want %s", info.Status, tc.wantStatus)
				}
				var rows int
				if err := db.R.QueryRowContext(ctx, `SELECT count(*) FROM outcome_probe WHERE kind = $1`, tc.name).Scan(&rows); err != nil {
					t.Fatal(err)
				}
				if rows != tc.wantRows {
					t.Errorf("handler's rows %d, want %d", rows, tc.wantRows)
				}
				if !tc.badWrite {
					return
				}
				clock.Advance(jobs.DefaultLease + time.Second)
				if _, err := q.RunDue(ctx); err != nil {
					t.Fatal(err)
				}
				if runs != 2 {
					t.Errorf("after its lease lapsed the job ran %d times, want 2", runs)
				}
			})
		}
	})
}
