package jobs_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"os"
	"runtime"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rapport/rapport/internal/jobs"
	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/store/storetest"
)

// BenchmarkTimers100k measures the scheduler as SLA, promise, follow-up
// and snooze timers use it: 100,000 pending timers, of which
// RAPPORT_BENCH_FIRING (default: all) have deadlines spread evenly over the
// next RAPPORT_BENCH_TIMER_SPREAD seconds (default 200) and the rest a day
// later, run by two queues of two workers each (two processes' worth),
// with the wall clock. It reports how late each timer fired after its
// run_at (p50, p99, max), the enqueue rate, and the Go heap at its peak.
// Run it once per database:
//
//	go test -run '^$' -bench Timers100k -benchtime 1x ./internal/jobs
//
// (with RAPPORT_TEST_POSTGRES_DSN set it runs on PostgreSQL as well).
func BenchmarkTimers100k(b *testing.B) {
	total := 100_000
	if v, err := strconv.Atoi(os.Getenv("RAPPORT_BENCH_TIMERS")); err == nil && v > 0 {
		total = v
	}
	spread := 200 * time.Second
	if v, err := strconv.Atoi(os.Getenv("RAPPORT_BENCH_TIMER_SPREAD")); err == nil && v > 0 {
		spread = time.Duration(v) * time.Second
	}
	firing := total
	if v, err := strconv.Atoi(os.Getenv("RAPPORT_BENCH_FIRING")); err == nil && v > 0 && v < total {
		firing = v
	}
	storetest.EachB(b, func(b *testing.B, db *store.DB) {
		for range b.N {
			benchTimers(b, db, total, firing, spread)
		}
	})
}

func benchTimers(b *testing.B, db *store.DB, total, firing int, spread time.Duration) {
	ctx := context.Background()
	clock := jobs.SystemClock{}
	var mu sync.Mutex
	late := make([]time.Duration, 0, firing)
	var fired atomic.Int64
	all := make(chan struct{})
	handler := func(_ context.Context, p json.RawMessage) error {
		var v struct {
			At int64 `json:"at"`
		}
		if err := json.Unmarshal(p, &v); err != nil {
			return err
		}
		d := time.Since(time.UnixMilli(v.At))
		mu.Lock()
		late = append(late, d)
		mu.Unlock()
		if fired.Add(1) == int64(firing) {
			close(all)
		}
		return nil
	}
	queues := []*jobs.Queue{jobs.New(db, clock, nil), jobs.New(db, clock, nil)}
	for _, q := range queues {
		q.Handle("bench.timer", handler)
	}

	// The first deadline is after the enqueueing ends, so that every timer
	// waits in a table of up to 100,000 pending rows.
	const batch = 1000
	enqStart := time.Now()
	lead := 60 * time.Second
	first := enqStart.Add(lead)
	for i := 0; i < total; i += batch {
		err := db.Tx(ctx, func(tx *sql.Tx) error {
			for j := i; j < min(i+batch, total); j++ {
				// Every total/firing-th timer fires within the spread.
				at := first.Add(time.Duration(int64(spread) * int64(j) / int64(total))).Truncate(time.Millisecond)
				if j%(total/firing) != 0 || j/(total/firing) >= firing {
					at = at.Add(24 * time.Hour)
				}
				err := queues[0].Enqueue(ctx, tx, jobs.Job{Kind: "bench.timer", RunAt: at,
					Payload: json.RawMessage(fmt.Sprintf(`{"at":%d}`, at.UnixMilli())), UniqueKey: "bench:" + strconv.Itoa(j)})
				if err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	enqTook := time.Since(enqStart)
	if enqTook > lead {
		b.Logf("enqueueing took %s, longer than the %s lead: the first timers start late", enqTook, lead)
	}

	var peak uint64
	stop := make(chan struct{})
	var sampler sync.WaitGroup
	sampler.Add(1)
	go func() {
		defer sampler.Done()
		var ms runtime.MemStats
		t := time.NewTicker(250 * time.Millisecond)
		defer t.Stop()
		for {
			runtime.ReadMemStats(&ms)
			peak = max(peak, ms.HeapAlloc)
			select {
			case <-stop:
				return
			case <-t.C:
			}
		}
	}()

	b.ResetTimer()
	runCtx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	for _, q := range queues {
		wg.Add(1)
		go func() { defer wg.Done(); q.Run(runCtx, 2) }()
	}
	select {
	case <-all:
	case <-time.After(lead + spread + 10*time.Minute):
		b.Errorf("only %d of %d timers fired", fired.Load(), firing)
	}
	cancel()
	wg.Wait()
	b.StopTimer()
	close(stop)
	sampler.Wait()

	slices.Sort(late)
	pct := func(p float64) time.Duration {
		if len(late) == 0 {
			return 0
		}
		return late[min(len(late)-1, int(p*float64(len(late))))]
	}
	b.ReportMetric(float64(pct(0.50).Milliseconds()), "p50-late-ms")
	b.ReportMetric(float64(pct(0.99).Milliseconds()), "p99-late-ms")
	b.ReportMetric(float64(late[len(late)-1].Milliseconds()), "max-late-ms")
	b.ReportMetric(float64(total)/enqTook.Seconds(), "enqueued/s")
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
	b.Logf("%s: %d pending timers, %d firing over %s: late p50 %s, p99 %s, max %s; enqueued in %s; peak heap %.1f MiB",
		db.Dialect, total, firing, spread, pct(0.5), pct(0.99), late[len(late)-1], enqTook, float64(peak)/(1<<20))
}
