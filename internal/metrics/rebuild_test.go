package metrics_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/rapport/rapport/internal/jobs"
	"github.com/rapport/rapport/internal/metrics"
	"github.com/rapport/rapport/internal/metrics/metricstest"
	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/store/storetest"
)

// TestRebuildBatchesEqualOnePass: the background rebuild, in batches of
// any size, leaves exactly the rollups and facts of Rebuild's one pass,
// both from empty rollups (a seeded or imported database) and when every
// ticket moves to another zone's days. The dataset puts about 25 tickets
// on each day, so a batch adds many tickets to the same rollup rows (the
// "all" row of a day, an agent's day, a histogram bucket): the keys a
// batch sums before it writes them, once each.
func TestRebuildBatchesEqualOnePass(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		clock := jobs.NewFakeClock(time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC))
		if _, err := metricstest.Generate(ctx, db, metricstest.GenOpts{Tickets: 1500, Days: 60, Agents: 6, Customers: 700, Seed: 11}); err != nil {
			t.Fatal(err)
		}
		m := metrics.New(metrics.Opts{DB: db, Clock: clock})
		exec := func(q string) {
			t.Helper()
			if _, err := db.W.ExecContext(ctx, q); err != nil {
				t.Fatal(err)
			}
		}
		onePass := func() string {
			t.Helper()
			if _, err := m.Rebuild(ctx); err != nil {
				t.Fatal(err)
			}
			return rollupState(t, db)
		}
		inBatches := func(batch int) {
			t.Helper()
			for range 100_000 {
				_, done, err := m.RebuildStep(ctx, batch)
				if err != nil {
					t.Fatal(err)
				}
				if done {
					return
				}
			}
			t.Fatal("the rebuild did not finish")
		}
		utc := onePass()
		if n := countRows(t, db, "metric_days WHERE grain = 'all' AND created > 20"); n < 30 {
			t.Fatalf("only %d days hold more than 20 tickets: the batches would not share rollup rows", n)
		}
		for _, batch := range []int{0, 7, 2000} {
			t.Run(fmt.Sprintf("from empty, batch %d", batch), func(t *testing.T) {
				// A seeded database: tickets, no rollups.
				for _, table := range []string{"metric_facts", "metric_days", "metric_weeks", "metric_hist", "metric_week_hist"} {
					exec("DELETE FROM " + table)
				}
				if err := m.StartRebuild(ctx); err != nil {
					t.Fatal(err)
				}
				inBatches(batch)
				if got := rollupState(t, db); got != utc {
					t.Errorf("rollups after the rebuild in batches of %d differ from one pass:\n got %.2000s\nwant %.2000s", batch, got, utc)
				}
			})
		}
		// Every ticket moves: Auckland's dates differ from UTC's from 11:00
		// UTC on. The batches retract each ticket's UTC contribution and add
		// its Auckland one.
		for i, batch := range []int{0, 13} {
			zone := []string{"Pacific/Auckland", "America/Los_Angeles"}[i]
			t.Run(fmt.Sprintf("to %s, batch %d", zone, batch), func(t *testing.T) {
				before := rollupState(t, db)
				if changed, err := m.SwitchZone(ctx, zone); err != nil || !changed {
					t.Fatalf("switch to %s: %v, %v", zone, changed, err)
				}
				inBatches(batch)
				got := rollupState(t, db)
				if got == before {
					t.Fatal("the rollups did not change with the zone")
				}
				if want := onePass(); got != want {
					t.Errorf("rollups after the rebuild in batches of %d differ from one pass:\n got %.2000s\nwant %.2000s", batch, got, want)
				}
			})
		}
	})
}

// countRows counts the rows of a table and condition ("t WHERE …").
func countRows(t *testing.T, db *store.DB, from string) int {
	t.Helper()
	var n int
	if err := db.R.QueryRowContext(context.Background(), "SELECT COUNT(*) FROM "+from).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}
