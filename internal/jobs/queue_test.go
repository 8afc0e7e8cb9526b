package jobs_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rapport/rapport/internal/jobs"
	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/store/storetest"
)

var t0 = time.Date(2025, 3, 10, 9, 0, 0, 0, time.UTC)

func enqueue(t *testing.T, db *store.DB, q *jobs.Queue, j jobs.Job) {
	t.Helper()
	if err := db.Tx(context.Background(), func(tx *sql.Tx) error { return q.Enqueue(context.Background(), tx, j) }); err != nil {
		t.Fatal(err)
	}
}

func TestRunDue(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		clock := jobs.NewFakeClock(t0)
		q := jobs.New(db, clock, nil)
		var got []string
		q.Handle("greet", func(ctx context.Context, p json.RawMessage) error {
			var v struct{ Name string }
			if err := json.Unmarshal(p, &v); err != nil {
				return err
			}
			got = append(got, v.Name)
			return nil
		})
		enqueue(t, db, q, jobs.Job{Kind: "greet", Payload: json.RawMessage(`{"name":"now"}`)})
		enqueue(t, db, q, jobs.Job{Kind: "greet", Payload: json.RawMessage(`{"name":"later"}`), RunAt: t0.Add(time.Hour)})

		n, err := q.RunDue(ctx)
		if err != nil || n != 1 || len(got) != 1 || got[0] != "now" {
			t.Fatalf("first run: n=%d err=%v got=%v", n, err, got)
		}
		if n, _ := q.RunDue(ctx); n != 0 {
			t.Fatalf("a done job ran again: n=%d", n)
		}
		clock.Advance(time.Hour)
		if n, err := q.RunDue(ctx); err != nil || n != 1 || got[1] != "later" {
			t.Fatalf("after an hour: n=%d err=%v got=%v", n, err, got)
		}
		stats, err := q.Stats(ctx)
		if err != nil || stats["done"] != 2 || stats["pending"] != 0 {
			t.Fatalf("stats = %v, %v", stats, err)
		}
	})
}

func TestRollbackLeavesNoJob(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		q := jobs.New(db, jobs.NewFakeClock(t0), nil)
		ran := 0
		q.Handle("x", func(context.Context, json.RawMessage) error { ran++; return nil })
		boom := errors.New("boom")
		err := db.Tx(ctx, func(tx *sql.Tx) error {
			if err := q.Enqueue(ctx, tx, jobs.Job{Kind: "x"}); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("err = %v", err)
		}
		if n, _ := q.RunDue(ctx); n != 0 || ran != 0 {
			t.Fatalf("a job of a rolled-back change ran: n=%d ran=%d", n, ran)
		}
	})
}

func TestRetryBackoffAndFailure(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		clock := jobs.NewFakeClock(t0)
		q := jobs.New(db, clock, nil)
		calls := 0
		q.Handle("flaky", func(context.Context, json.RawMessage) error {
			calls++
			return fmt.Errorf("attempt %d failed", calls)
		})
		q.Handle("fatal", func(context.Context, json.RawMessage) error {
			return fmt.Errorf("bad payload: %w", jobs.ErrPermanent)
		})
		enqueue(t, db, q, jobs.Job{Kind: "flaky", UniqueKey: "flaky", MaxAttempts: 3})
		enqueue(t, db, q, jobs.Job{Kind: "fatal", UniqueKey: "fatal"})

		q.RunDue(ctx)
		info, err := q.GetByKey(ctx, "flaky")
		if err != nil {
			t.Fatal(err)
		}
		if info.Status != "pending" || info.Attempts != 1 || info.LastError != "attempt 1 failed" ||
			!info.RunAt.Equal(t0.Add(jobs.Backoff(1))) {
			t.Fatalf("after one failure: %+v", info)
		}
		fatal, _ := q.GetByKey(ctx, "fatal")
		if fatal.Status != "failed" || fatal.Attempts != 1 {
			t.Fatalf("a permanent error should fail at once: %+v", fatal)
		}
		// Not due yet: nothing runs.
		clock.Advance(jobs.Backoff(1) - time.Second)
		if n, _ := q.RunDue(ctx); n != 0 {
			t.Fatalf("ran %d jobs before the backoff ended", n)
		}
		clock.Advance(time.Second)
		q.RunDue(ctx)
		clock.Advance(jobs.Backoff(2))
		q.RunDue(ctx)
		info, _ = q.GetByKey(ctx, "flaky")
		if info.Status != "failed" || info.Attempts != 3 || calls != 3 {
			t.Fatalf("after max attempts: %+v, calls %d", info, calls)
		}
		clock.Advance(24 * time.Hour)
		if n, _ := q.RunDue(ctx); n != 0 {
			t.Fatalf("a failed job ran again")
		}
	})
}

func TestBackoffGrowsAndCaps(t *testing.T) {
	tests := []struct {
		name    string
		attempt int
		want    time.Duration
	}{
		{"first", 1, 10 * time.Second},
		{"second", 2, 20 * time.Second},
		{"fifth", 5, 160 * time.Second},
		{"capped", 30, time.Hour},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := jobs.Backoff(tc.attempt); got != tc.want {
				t.Errorf("Backoff(%d) = %v, want %v", tc.attempt, got, tc.want)
			}
		})
	}
}

func TestUniqueKeyReplacesAndCancel(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		clock := jobs.NewFakeClock(t0)
		q := jobs.New(db, clock, nil)
		var got []string
		q.Handle("close", func(_ context.Context, p json.RawMessage) error { got = append(got, string(p)); return nil })
		enqueue(t, db, q, jobs.Job{Kind: "close", UniqueKey: "close:1", Payload: json.RawMessage(`{"v":1}`), RunAt: t0.Add(time.Hour)})
		enqueue(t, db, q, jobs.Job{Kind: "close", UniqueKey: "close:1", Payload: json.RawMessage(`{"v":2}`), RunAt: t0.Add(2 * time.Hour)})
		stats, _ := q.Stats(ctx)
		if stats["pending"] != 1 {
			t.Fatalf("the same key made %d pending jobs", stats["pending"])
		}
		clock.Advance(time.Hour)
		if n, _ := q.RunDue(ctx); n != 0 {
			t.Fatal("the replaced run_at still fired")
		}
		clock.Advance(time.Hour)
		q.RunDue(ctx)
		if len(got) != 1 || got[0] != `{"v":2}` {
			t.Fatalf("ran %v", got)
		}
		// A done job's key can be used again, and Cancel removes a pending one.
		enqueue(t, db, q, jobs.Job{Kind: "close", UniqueKey: "close:1", RunAt: t0.Add(3 * time.Hour)})
		if err := db.Tx(ctx, func(tx *sql.Tx) error { return q.Cancel(ctx, tx, "close:1") }); err != nil {
			t.Fatal(err)
		}
		clock.Advance(5 * time.Hour)
		if n, _ := q.RunDue(ctx); n != 0 {
			t.Fatal("a cancelled job ran")
		}
	})
}

func TestBadJobs(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		q := jobs.New(db, jobs.NewFakeClock(t0), nil)
		tests := []struct {
			name string
			job  jobs.Job
		}{
			{"no kind", jobs.Job{}},
			{"payload not json", jobs.Job{Kind: "x", Payload: json.RawMessage(`{oops`)}},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				err := db.Tx(ctx, func(tx *sql.Tx) error { return q.Enqueue(ctx, tx, tc.job) })
				if err == nil {
					t.Fatal("Enqueue accepted a bad job")
				}
			})
		}
		// A job with no handler and one whose handler panics fail without
		// taking the queue down.
		q.Handle("panics", func(context.Context, json.RawMessage) error { panic("oh no") })
		enqueue(t, db, q, jobs.Job{Kind: "unknown", UniqueKey: "u"})
		enqueue(t, db, q, jobs.Job{Kind: "panics", UniqueKey: "p", MaxAttempts: 1})
		if n, err := q.RunDue(ctx); n != 2 || err != nil {
			t.Fatalf("n=%d err=%v", n, err)
		}
		for _, key := range []string{"u", "p"} {
			info, _ := q.GetByKey(ctx, key)
			if info.Status != "failed" || info.LastError == "" {
				t.Errorf("job %s: %+v", key, info)
			}
		}
	})
}

// TestWorkersRunEachJobOnce runs two queues (as two nodes would) with two
// workers each over one database, on the wall clock, and checks that every
// job ran exactly once.
func TestWorkersRunEachJobOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		const total = 60
		var mu sync.Mutex
		runs := map[int]int{}
		var done atomic.Int64
		all := make(chan struct{})
		handler := func(_ context.Context, p json.RawMessage) error {
			var v struct{ N int }
			json.Unmarshal(p, &v)
			mu.Lock()
			runs[v.N]++
			mu.Unlock()
			if done.Add(1) == total {
				close(all)
			}
			return nil
		}
		ctx, cancel := context.WithCancel(context.Background())
		var wg sync.WaitGroup
		queues := []*jobs.Queue{jobs.New(db, jobs.SystemClock{}, nil), jobs.New(db, jobs.SystemClock{}, nil)}
		for _, q := range queues {
			q.Handle("count", handler)
			wg.Add(1)
			go func() { defer wg.Done(); q.Run(ctx, 2) }()
		}
		for i := 0; i < total; i++ {
			q := queues[i%2]
			enqueue(t, db, q, jobs.Job{Kind: "count", Payload: json.RawMessage(fmt.Sprintf(`{"n":%d}`, i))})
			q.Notify()
		}
		select {
		case <-all:
		case <-time.After(60 * time.Second):
			t.Errorf("only %d of %d jobs ran", done.Load(), total)
		}
		cancel()
		wg.Wait()
		for i := 0; i < total; i++ {
			if runs[i] != 1 {
				t.Errorf("job %d ran %d times", i, runs[i])
			}
		}
	})
}

// TestRunStopsOnCancel checks that Run returns once its context ends.
func TestRunStopsOnCancel(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		q := jobs.New(db, jobs.SystemClock{}, nil)
		ctx, cancel := context.WithCancel(context.Background())
		stopped := make(chan error, 1)
		go func() { stopped <- q.Run(ctx, 3) }()
		cancel()
		select {
		case err := <-stopped:
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("Run returned %v", err)
			}
		case <-time.After(30 * time.Second):
			t.Fatal("Run did not stop after its context ended")
		}
	})
}

// A kind registered twice is a start-up error: CheckHandlers names it and
// Run refuses to start.
func TestHandlerRegisteredTwice(t *testing.T) {
	db := storetest.SQLite(t)
	q := jobs.New(db, jobs.NewFakeClock(t0), nil)
	nop := func(context.Context, json.RawMessage) error { return nil }
	q.Handle("mail.ack", nop)
	q.Handle("survey.send", nop)
	if err := q.CheckHandlers(); err != nil {
		t.Fatalf("CheckHandlers = %v with one handler a kind", err)
	}
	q.Handle("mail.ack", nop)
	err := q.CheckHandlers()
	if err == nil || !strings.Contains(err.Error(), "mail.ack") {
		t.Fatalf("CheckHandlers = %v, want an error naming mail.ack", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := q.Run(ctx, 1); err == nil || !strings.Contains(err.Error(), "mail.ack") {
		t.Fatalf("Run = %v, want the same error", err)
	}
}

// TestNotifyTellsOtherNodes checks that Notify, while Run runs and so
// leaves the telling to Run's notifier, still reaches another node's
// LISTEN after a burst of writes: the burst may be told as one
// notification, but never as none.
func TestNotifyTellsOtherNodes(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		if db.Dialect != store.Postgres {
			t.Skip("notifications between nodes are PostgreSQL's")
		}
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		conn, err := db.W.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		heard := make(chan error, 1)
		listening := make(chan struct{})
		go func() {
			heard <- conn.Raw(func(dc any) error {
				pc, err := store.PgxConn(dc)
				if err != nil {
					return err
				}
				if _, err := pc.Exec(ctx, "LISTEN rapport_jobs"); err != nil {
					return err
				}
				close(listening)
				wctx, wcancel := context.WithTimeout(ctx, 60*time.Second)
				defer wcancel()
				_, err = pc.WaitForNotification(wctx)
				return err
			})
		}()
		<-listening
		q := jobs.New(db, jobs.SystemClock{}, nil)
		q.Handle("count", func(context.Context, json.RawMessage) error { return nil })
		var wg sync.WaitGroup
		wg.Add(1)
		go func() { defer wg.Done(); q.Run(ctx, 1) }()
		for range 50 {
			q.Notify()
		}
		if err := <-heard; err != nil {
			t.Fatalf("no notification heard after 50 Notify calls: %v", err)
		}
		cancel()
		wg.Wait()
	})
}

// TestWorkerRecordsDoneBeforeTheNextJob runs a queue of jobs with one
// worker, which records each job done in the transaction that claims the
// next: when a job's handler runs, the job before it is already done, it
// is the one running, and the jobs after it are still pending for any
// worker to take.
func TestWorkerRecordsDoneBeforeTheNextJob(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		const total = 5
		q := jobs.New(db, jobs.SystemClock{}, nil)
		ids := make([]int64, total)
		for i := range total {
			key := fmt.Sprintf("chain:%d", i)
			enqueue(t, db, q, jobs.Job{Kind: "chain", UniqueKey: key, Payload: json.RawMessage(fmt.Sprintf(`{"n":%d}`, i))})
			info, err := q.GetByKey(context.Background(), key)
			if err != nil {
				t.Fatal(err)
			}
			ids[i] = info.ID
		}
		var mu sync.Mutex
		var problems []string
		ran := 0
		all := make(chan struct{})
		q.Handle("chain", func(ctx context.Context, p json.RawMessage) error {
			var v struct{ N int }
			json.Unmarshal(p, &v)
			mu.Lock()
			defer mu.Unlock()
			for i, id := range ids {
				info, err := q.Get(ctx, id)
				if err != nil {
					problems = append(problems, err.Error())
					continue
				}
				want := "pending"
				switch {
				case i < v.N:
					want = "done"
				case i == v.N:
					want = "running"
				}
				if info.Status != want {
					problems = append(problems, fmt.Sprintf("while job %d ran, job %d was %s, want %s", v.N, i, info.Status, want))
				}
			}
			if ran++; ran == total {
				close(all)
			}
			return nil
		})
		ctx, cancel := context.WithCancel(context.Background())
		stopped := make(chan error, 1)
		go func() { stopped <- q.Run(ctx, 1) }()
		select {
		case <-all:
		case <-time.After(60 * time.Second):
			t.Errorf("not all %d jobs ran", total)
		}
		cancel()
		<-stopped
		mu.Lock()
		defer mu.Unlock()
		for _, p := range problems {
			t.Error(p)
		}
		stats, err := q.Stats(context.Background())
		if err != nil || stats["done"] != total {
			t.Errorf("stats = %v, %v; want %d done", stats, err, total)
		}
	})
}
