package jobs_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rapport/rapport/internal/jobs"
	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/store/storetest"
)

// A job whose worker stopped renewing its lease (its process died) is
// taken over by another queue once the lease has lapsed, not before; the
// outcome recorded is the new holder's, and the old worker's late outcome
// does not overwrite it.
func TestLapsedLeaseIsTakenOver(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		clock := jobs.NewFakeClock(t0)
		// A's heartbeat beats every lease/3 of wall time, an hour here: it
		// never beats during the test, as if A's process had died.
		a := jobs.New(db, clock, nil)
		a.SetLease(3 * time.Hour)
		release := make(chan struct{})
		started := make(chan struct{})
		a.Handle("work", func(context.Context, json.RawMessage) error {
			close(started)
			<-release
			return nil
		})
		b := jobs.New(db, clock, nil)
		var bRan atomic.Int64
		b.Handle("work", func(context.Context, json.RawMessage) error { bRan.Add(1); return nil })

		enqueue(t, db, a, jobs.Job{Kind: "work", UniqueKey: "w"})
		aDone := make(chan struct{})
		go func() { defer close(aDone); a.RunDue(ctx) }()
		<-started

		if n, err := b.RunDue(ctx); n != 0 || err != nil {
			t.Fatalf("B ran %d jobs (err %v) while A's lease held", n, err)
		}
		clock.Advance(3*time.Hour - time.Second)
		if n, _ := b.RunDue(ctx); n != 0 {
			t.Fatal("B took the job over before the lease lapsed")
		}
		clock.Advance(time.Second)
		if n, err := b.RunDue(ctx); n != 1 || err != nil || bRan.Load() != 1 {
			t.Fatalf("after the lease: B ran %d (handler %d), err %v", n, bRan.Load(), err)
		}
		info, _ := b.GetByKey(ctx, "w")
		if info.Status != "done" || info.Attempts != 2 {
			t.Fatalf("after the takeover: %+v", info)
		}
		// A wakes up late and finishes: its outcome is not recorded over B's.
		clock.Advance(time.Minute)
		close(release)
		<-aDone
		if got := a.Finished(); len(got) != 0 {
			t.Errorf("A counted %v for a job it had lost", got)
		}
		if got := b.Finished(); len(got) != 1 || got[0] != (jobs.Finished{Kind: "work", Outcome: jobs.OutcomeDone, N: 1}) {
			t.Errorf("B counted %v", got)
		}
	})
}

// While a handler runs, its heartbeat keeps the lease alive, so a second
// queue on the wall clock does not take the job over however long it
// runs; when the row is taken from it, the handler's context ends.
func TestHeartbeatKeepsLease(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		// Long enough that a renewal (every third of it) that a loaded
		// machine delays by a second still lands in time.
		const lease = 3 * time.Second
		a := jobs.New(db, jobs.SystemClock{}, nil)
		a.SetLease(lease)
		started := make(chan struct{})
		ended := make(chan error, 1)
		a.Handle("long", func(hctx context.Context, _ json.RawMessage) error {
			close(started)
			<-hctx.Done()
			ended <- context.Cause(hctx)
			return hctx.Err()
		})
		b := jobs.New(db, jobs.SystemClock{}, nil)
		b.SetLease(lease)
		var bRan atomic.Int64
		b.Handle("long", func(context.Context, json.RawMessage) error { bRan.Add(1); return nil })

		enqueue(t, db, a, jobs.Job{Kind: "long", UniqueKey: "l"})
		go a.RunDue(ctx)
		<-started
		bDone := make(chan struct{})
		go func() { defer close(bDone); b.Run(ctx, 1) }()

		// Watch the lease being renewed four times, each a new locked_until;
		// B polls for lapsed leases all the while.
		var last int64
		for renewals := 0; renewals < 4; {
			var held sql.NullInt64
			if err := db.R.QueryRowContext(ctx, `SELECT locked_until FROM jobs WHERE unique_key = 'l'`).Scan(&held); err != nil {
				t.Fatal(err)
			}
			if !held.Valid {
				t.Fatalf("the job left A's hands while its handler ran (B ran it %d times)", bRan.Load())
			}
			until := held.Int64
			if last != 0 && until > last {
				renewals++
			}
			last = until
			b.Notify()
			time.Sleep(lease / 6)
		}
		if n := bRan.Load(); n != 0 {
			t.Fatalf("B ran the job %d times while A's heartbeat held it", n)
		}
		// Another worker holds the row now: A's heartbeat notices and ends
		// A's handler.
		if _, err := db.W.ExecContext(ctx, `UPDATE jobs SET locked_by = 'elsewhere.1' WHERE unique_key = 'l'`); err != nil {
			t.Fatal(err)
		}
		select {
		case cause := <-ended:
			if cause == nil || cause.Error() != "jobs: lease lost to another worker" {
				t.Fatalf("handler ended with cause %v", cause)
			}
		case <-time.After(30 * time.Second):
			t.Fatal("the handler ran on after its lease was taken")
		}
		cancel()
		<-bDone
	})
}
