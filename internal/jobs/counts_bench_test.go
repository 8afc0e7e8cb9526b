package jobs_test

import (
	"context"
	"os"
	"strconv"
	"testing"

	"github.com/rapport/rapport/internal/jobs"
	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/store/storetest"
)

// BenchmarkMetricsJobCounts measures what a /metrics scrape costs the
// database for the job gauges, on a jobs table of RAPPORT_BENCH_JOBS done
// rows (default 1,000,000, as a year of an unpruned busy server leaves)
// and 10,000 pending ones: "scan" is the count by status every scrape ran
// before (Stats), "backlog" the uncached index count that replaced it
// (a fresh Queue each time, so the cache never answers), "cached" what a
// scrape within jobs.BacklogMaxAge of the last one costs.
//
//	go test -run '^$' -bench MetricsJobCounts -benchtime 20x ./internal/jobs
func BenchmarkMetricsJobCounts(b *testing.B) {
	done := 1_000_000
	if v, err := strconv.Atoi(os.Getenv("RAPPORT_BENCH_JOBS")); err == nil && v > 0 {
		done = v
	}
	storetest.EachB(b, func(b *testing.B, db *store.DB) {
		ctx := context.Background()
		fill := `INSERT INTO jobs (kind, payload, status, run_at, created_at, updated_at)
			WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < $1)
			SELECT 'bench', '{}', CASE WHEN x <= $2 THEN 'done' ELSE 'pending' END, x, x, x FROM n`
		if _, err := db.W.ExecContext(ctx, fill, done+10_000, done); err != nil {
			b.Fatal(err)
		}
		if db.Dialect == store.Postgres {
			db.W.ExecContext(ctx, `ANALYZE jobs`)
		}
		b.Run("scan", func(b *testing.B) {
			q := jobs.New(db, jobs.SystemClock{}, nil)
			for range b.N {
				if s, err := q.Stats(ctx); err != nil || s["done"] != done {
					b.Fatal(s, err)
				}
			}
		})
		b.Run("backlog", func(b *testing.B) {
			for range b.N {
				q := jobs.New(db, jobs.SystemClock{}, nil)
				if s, err := q.Backlog(ctx); err != nil || s["pending"] != 10_000 {
					b.Fatal(s, err)
				}
			}
		})
		b.Run("cached", func(b *testing.B) {
			q := jobs.New(db, jobs.SystemClock{}, nil)
			q.Backlog(ctx)
			b.ResetTimer()
			for range b.N {
				if _, err := q.Backlog(ctx); err != nil {
					b.Fatal(err)
				}
			}
		})
	})
}
