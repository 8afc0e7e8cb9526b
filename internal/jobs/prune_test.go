package jobs_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/rapport/rapport/internal/jobs"
	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/store/storetest"
)

// Done jobs go after the retention period, failed ones after theirs,
// pending ones never; the prune job keeps itself scheduled every hour.
func TestPruneFinishedJobs(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		clock := jobs.NewFakeClock(t0)
		q := jobs.New(db, clock, nil)
		q.EnablePruning(jobs.Retention{Done: 7 * 24 * time.Hour, Failed: 30 * 24 * time.Hour})
		q.Handle("ok", func(context.Context, json.RawMessage) error { return nil })
		q.Handle("bad", func(context.Context, json.RawMessage) error { return fmt.Errorf("%w: no", jobs.ErrPermanent) })
		if err := q.SchedulePruning(ctx); err != nil {
			t.Fatal(err)
		}
		// Three batches' worth of done jobs, so pruning takes several
		// statements; one failed; one pending a month ahead.
		const done = 2*jobs.PruneBatch + 7
		err := db.Tx(ctx, func(tx *sql.Tx) error {
			for i := 0; i < done; i++ {
				if err := q.Enqueue(ctx, tx, jobs.Job{Kind: "ok"}); err != nil {
					return err
				}
			}
			if err := q.Enqueue(ctx, tx, jobs.Job{Kind: "bad", UniqueKey: "bad"}); err != nil {
				return err
			}
			return q.Enqueue(ctx, tx, jobs.Job{Kind: "ok", UniqueKey: "later", RunAt: t0.Add(60 * 24 * time.Hour)})
		})
		if err != nil {
			t.Fatal(err)
		}
		if n, err := q.RunDue(ctx); n != done+1 || err != nil {
			t.Fatalf("ran %d, %v", n, err)
		}
		count := func(status string) int {
			var n int
			db.R.QueryRowContext(ctx, `SELECT count(*) FROM jobs WHERE status = $1`, status).Scan(&n)
			return n
		}
		// An hour on, the prune job runs: nothing is old enough yet.
		clock.Advance(jobs.PruneEvery)
		if n, _ := q.RunDue(ctx); n != 1 {
			t.Fatalf("the prune job did not run alone: %d ran", n)
		}
		if got := count("done"); got != done {
			t.Fatalf("%d done jobs left after pruning none, want %d", got, done)
		}
		prune, err := q.GetByKey(ctx, jobs.JobPrune)
		if err != nil || prune.Status != "pending" || !prune.RunAt.Equal(t0.Add(2*jobs.PruneEvery)) {
			t.Fatalf("prune job after its run: %+v, %v", prune, err)
		}
		// A week and a bit later: the done jobs go, the failed one stays.
		clock.Set(t0.Add(7*24*time.Hour + jobs.PruneEvery))
		if n, _ := q.RunDue(ctx); n != 1 {
			t.Fatalf("%d jobs ran, want the prune job", n)
		}
		if got := count("done"); got != 0 {
			t.Errorf("%d done jobs left after their retention", got)
		}
		if got := count("failed"); got != 1 {
			t.Errorf("%d failed jobs, want the one kept for 30 days", got)
		}
		// After thirty days the failed one goes; the pending one never does.
		clock.Set(t0.Add(30*24*time.Hour + jobs.PruneEvery))
		q.RunDue(ctx)
		if got := count("failed"); got != 0 {
			t.Errorf("%d failed jobs left after their retention", got)
		}
		if info, err := q.GetByKey(ctx, "later"); err != nil || info.Status != "pending" {
			t.Errorf("pending job: %+v, %v", info, err)
		}
		// Scheduling again at start leaves the pending prune job alone.
		before, _ := q.GetByKey(ctx, jobs.JobPrune)
		if err := q.SchedulePruning(ctx); err != nil {
			t.Fatal(err)
		}
		after, _ := q.GetByKey(ctx, jobs.JobPrune)
		if !after.RunAt.Equal(before.RunAt) || after.Status != "pending" {
			t.Errorf("SchedulePruning moved the pending job: %+v -> %+v", before, after)
		}
		if _, err := q.Prune(ctx, "pending", clock.Now()); err == nil {
			t.Error("Prune accepted status pending")
		}
	})
}

// Backlog counts what is unfinished (and failed) across the database;
// Finished counts what this process recorded, by registered kind.
func TestBacklogAndFinished(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		clock := jobs.NewFakeClock(t0)
		q := jobs.New(db, clock, nil)
		q.Handle("ok", func(context.Context, json.RawMessage) error { return nil })
		q.Handle("flaky", func(context.Context, json.RawMessage) error { return fmt.Errorf("try later") })
		enqueue(t, db, q, jobs.Job{Kind: "ok"})
		enqueue(t, db, q, jobs.Job{Kind: "ok"})
		enqueue(t, db, q, jobs.Job{Kind: "flaky"})
		enqueue(t, db, q, jobs.Job{Kind: "no.such.kind"})
		enqueue(t, db, q, jobs.Job{Kind: "ok", RunAt: t0.Add(time.Hour)})
		q.RunDue(ctx)
		got, err := q.Backlog(ctx)
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]int{"pending": 2, "running": 0, "failed": 1}
		for k, v := range want {
			if got[k] != v {
				t.Errorf("backlog %s = %d, want %d (%v)", k, got[k], v, got)
			}
		}
		if _, ok := got["done"]; ok {
			t.Errorf("backlog counted done jobs: %v", got)
		}
		wantF := []jobs.Finished{
			{Kind: "flaky", Outcome: jobs.OutcomeRetry, N: 1},
			{Kind: "ok", Outcome: jobs.OutcomeDone, N: 2},
			{Kind: jobs.OtherKind, Outcome: jobs.OutcomeFailed, N: 1},
		}
		gotF := q.Finished()
		if fmt.Sprint(gotF) != fmt.Sprint(wantF) {
			t.Errorf("Finished = %v, want %v", gotF, wantF)
		}
	})
}
