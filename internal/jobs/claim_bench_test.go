package jobs_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rapport/rapport/internal/jobs"
	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/store/storetest"
)

// BenchmarkClaimThroughput measures how many due jobs a second one queue
// with four workers claims, runs (a handler that does nothing) and records
// as done: the queue's own overhead per job, which the lease's heartbeat
// must not raise. Each iteration is one job; run it with a fixed count:
//
//	go test -run '^$' -bench ClaimThroughput -benchtime 3000x ./internal/jobs
func BenchmarkClaimThroughput(b *testing.B) {
	storetest.EachB(b, func(b *testing.B, db *store.DB) {
		ctx := context.Background()
		q := jobs.New(db, jobs.SystemClock{}, nil)
		var ran atomic.Int64
		all := make(chan struct{})
		total := int64(b.N)
		q.Handle("bench.nop", func(context.Context, json.RawMessage) error {
			if ran.Add(1) == total {
				close(all)
			}
			return nil
		})
		const batch = 1000
		for i := 0; i < b.N; i += batch {
			err := db.Tx(ctx, func(tx *sql.Tx) error {
				for j := i; j < min(i+batch, b.N); j++ {
					if err := q.Enqueue(ctx, tx, jobs.Job{Kind: "bench.nop"}); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				b.Fatal(err)
			}
		}
		b.ResetTimer()
		start := time.Now()
		runCtx, cancel := context.WithCancel(ctx)
		var wg sync.WaitGroup
		wg.Add(1)
		go func() { defer wg.Done(); q.Run(runCtx, 4) }()
		select {
		case <-all:
		case <-time.After(10 * time.Minute):
			b.Errorf("only %d of %d jobs ran", ran.Load(), total)
		}
		took := time.Since(start)
		cancel()
		wg.Wait()
		b.StopTimer()
		b.ReportMetric(float64(ran.Load())/took.Seconds(), "jobs/s")
	})
}
