package metrics_test

import (
	"context"
	"fmt"
	"github.com/rapport/rapport/internal/ratelimit"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"syscall"
	"testing"
	"time"

	"github.com/rapport/rapport/internal/agent"
	"github.com/rapport/rapport/internal/api"
	"github.com/rapport/rapport/internal/customer"
	"github.com/rapport/rapport/internal/i18n"
	"github.com/rapport/rapport/internal/jobs"
	"github.com/rapport/rapport/internal/metrics"
	"github.com/rapport/rapport/internal/metrics/metricstest"
	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/store/storetest"
	"github.com/rapport/rapport/internal/ticket"
	"github.com/rapport/rapport/internal/web"
)

// BenchmarkDashboard measures the dashboard page, GET /api/v1/metrics and
// Compute itself over a generated year of 1,000,000 tickets and 5,000,000
// events (docs/PERFORMANCE.md, "Dashboard"). Generating takes minutes, so
// it runs only with RAPPORT_BENCH_DASHBOARD=1 (RAPPORT_BENCH_TICKETS
// changes the size):
//
//	RAPPORT_BENCH_DASHBOARD=1 RAPPORT_TEST_POSTGRES_DSN=… \
//	  go test -run '^$' -bench Dashboard -benchtime 20x -timeout 60m ./internal/metrics/
//
// RAPPORT_BENCH_DB (a SQLite file or a postgres:// DSN) keeps the
// generated database between runs: it is filled only when it has no
// tickets yet, and only that database is measured.
func BenchmarkDashboard(b *testing.B) {
	if os.Getenv("RAPPORT_BENCH_DASHBOARD") != "1" {
		b.Skip("set RAPPORT_BENCH_DASHBOARD=1 to generate a million tickets and measure the dashboard")
	}
	n := 1_000_000
	if v := os.Getenv("RAPPORT_BENCH_TICKETS"); v != "" {
		fmt.Sscan(v, &n)
	}
	each := storetest.EachB
	if dsn := os.Getenv("RAPPORT_BENCH_DB"); dsn != "" {
		each = func(b *testing.B, fn func(b *testing.B, db *store.DB)) {
			db, err := store.Open(context.Background(), dsn)
			if err != nil {
				b.Fatal(err)
			}
			defer db.Close()
			if err := db.Migrate(context.Background()); err != nil {
				b.Fatal(err)
			}
			b.Run(string(db.Dialect), func(b *testing.B) { fn(b, db) })
		}
	}
	each(b, func(b *testing.B, db *store.DB) {
		ctx := context.Background()
		end := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
		clock := jobs.NewFakeClock(end.Add(-12 * time.Hour)) // the last generated day is "today"
		m := metrics.New(metrics.Opts{DB: db, Clock: clock})
		var have int
		if err := db.R.QueryRowContext(ctx, `SELECT COUNT(*) FROM (SELECT 1 FROM tickets LIMIT 1) x`).Scan(&have); err != nil {
			b.Fatal(err)
		}
		if have == 0 {
			t0 := time.Now()
			g, err := metricstest.Generate(ctx, db, metricstest.GenOpts{Tickets: n, End: end, Seed: 1})
			if err != nil {
				b.Fatal(err)
			}
			fmt.Fprintf(os.Stderr, "%s: generated %d tickets, %d events, %d surveys, %d promises in %s\n",
				db.Dialect, g.Tickets, g.Events, g.Surveys, g.Promises, time.Since(t0).Round(time.Second))
		}
		var facts int
		if err := db.R.QueryRowContext(ctx, `SELECT COUNT(*) FROM (SELECT 1 FROM metric_facts LIMIT 1) x`).Scan(&facts); err != nil {
			b.Fatal(err)
		}
		if facts == 0 {
			// The business is in Tokyo, so that its days are not UTC's.
			if _, err := m.SwitchZone(ctx, "Asia/Tokyo"); err != nil {
				b.Fatal(err)
			}
			// Fresh statistics first: PostgreSQL plans the rebuild's
			// per-ticket lookups badly without them.
			if _, err := db.W.ExecContext(ctx, "ANALYZE"); err != nil {
				b.Fatal(err)
			}
			t0 := time.Now()
			if _, err := m.Rebuild(ctx); err != nil {
				b.Fatal(err)
			}
			fmt.Fprintf(os.Stderr, "%s: rollups rebuilt in %s\n", db.Dialect, time.Since(t0).Round(time.Second))
		}
		var weeksPending bool
		if err := db.R.QueryRowContext(ctx, `SELECT weeks_after IS NOT NULL FROM metric_zone`).Scan(&weeksPending); err != nil {
			b.Fatal(err)
		}
		if weeksPending {
			// A database built before the week rollups (migration 0048):
			// the background fill, run here in the foreground.
			t0 := time.Now()
			if err := m.RunRebuild(ctx, false, nil); err != nil {
				b.Fatal(err)
			}
			fmt.Fprintf(os.Stderr, "%s: week rollups filled in %s\n", db.Dialect, time.Since(t0).Round(time.Second))
		}
		var rebucket bool
		if err := db.R.QueryRowContext(ctx, `SELECT rebucket_day IS NOT NULL FROM metric_zone`).Scan(&rebucket); err != nil {
			b.Fatal(err)
		}
		if rebucket && os.Getenv("RAPPORT_BENCH_KEEP_FINER") != "1" {
			// A database from before the steps (migration 0055): the
			// background merge, run here in the foreground.
			t0 := time.Now()
			if err := m.RunRebuild(ctx, false, nil); err != nil {
				b.Fatal(err)
			}
			fmt.Fprintf(os.Stderr, "%s: histogram rows merged into their steps in %s\n", db.Dialect, time.Since(t0).Round(time.Second))
		}
		var g metricstest.Generated
		for _, q := range []struct {
			sql string
			ids *[]int64
		}{{`SELECT id FROM agents WHERE email LIKE '%@bench.test' ORDER BY id`, &g.AgentIDs}, {`SELECT id FROM teams ORDER BY id`, &g.TeamIDs}} {
			rows, err := db.R.QueryContext(ctx, q.sql)
			if err != nil {
				b.Fatal(err)
			}
			for rows.Next() {
				var id int64
				rows.Scan(&id)
				*q.ids = append(*q.ids, id)
			}
			rows.Close()
		}
		var nTickets, nEvents int
		db.R.QueryRowContext(ctx, `SELECT COUNT(*) FROM tickets`).Scan(&nTickets)
		db.R.QueryRowContext(ctx, `SELECT COUNT(*) FROM ticket_events`).Scan(&nEvents)
		fmt.Fprintf(os.Stderr, "%s: %d tickets, %d events\n", db.Dialect, nTickets, nEvents)
		var rollupDays, rollupHist int
		db.R.QueryRowContext(ctx, `SELECT COUNT(*) FROM metric_days`).Scan(&rollupDays)
		db.R.QueryRowContext(ctx, `SELECT COUNT(*) FROM metric_hist`).Scan(&rollupHist)
		var rollupWeeks, rollupWeekHist int
		db.R.QueryRowContext(ctx, `SELECT COUNT(*) FROM metric_weeks`).Scan(&rollupWeeks)
		db.R.QueryRowContext(ctx, `SELECT COUNT(*) FROM metric_week_hist`).Scan(&rollupWeekHist)
		fmt.Fprintf(os.Stderr, "%s: rollup rows: %d days, %d histogram; %d weeks, %d week histogram\n",
			db.Dialect, rollupDays, rollupHist, rollupWeeks, rollupWeekHist)
		if _, err := db.W.ExecContext(ctx, "ANALYZE"); err != nil {
			b.Fatal(err)
		}

		// The HTTP handlers as the app wires them, with a manager's session
		// and API token.
		log := slog.New(slog.NewTextHandler(io.Discard, nil))
		q := jobs.New(db, clock, log)
		agents := agent.New(db, clock)
		customers := customer.New(db, clock)
		tickets := ticket.NewService(ticket.Opts{DB: db, Clock: clock, Jobs: q, Customers: customers, Log: log})
		mgr, err := agents.GetByEmail(ctx, "boss@rapport.bench")
		if err != nil {
			mgr, err = agents.Create(ctx, agent.NewAgent{Email: "boss@rapport.bench", Name: "Boss", Role: agent.RoleManager,
				Password: "correct horse battery", Locale: "en"})
		}
		if err != nil {
			b.Fatal(err)
		}
		session, _, err := agents.CreateSession(ctx, mgr.ID, "bench", "127.0.0.1")
		if err != nil {
			b.Fatal(err)
		}
		token, err := agents.CreateToken(ctx, mgr.ID, "bench")
		if err != nil {
			b.Fatal(err)
		}
		ui, err := web.New(web.Opts{Limits: ratelimit.New(db, clock), Agents: agents, Customers: customers, Tickets: tickets, I18n: i18n.MustLoad(),
			Clock: clock, Log: log, Metrics: m})
		if err != nil {
			b.Fatal(err)
		}
		apiH := api.New(api.Opts{Agents: agents, Customers: customers, Tickets: tickets, Metrics: m, Log: log})

		// Compute alone, for the views of issue 14's goal: the median wall
		// time (p50-ms) and this process's CPU time per call.
		loc, err := m.Zone(ctx)
		if err != nil {
			b.Fatal(err)
		}
		today := metrics.DayOf(clock.Now(), loc)
		for _, tc := range []struct {
			name     string
			from, to int64 // day numbers, [from, to)
		}{
			{"30d", today - 29, today + 1},
			{"90d", today - 89, today + 1},
			{"365d", today - 364, today + 1},
			{"custom_100d", today - 250, today - 150},
		} {
			b.Run("compute_"+tc.name, func(b *testing.B) {
				f := metrics.Filter{From: metrics.DayStart(tc.from, loc), To: metrics.DayStart(tc.to, loc)}
				var walls []time.Duration
				defer reportCPU(b)()
				for b.Loop() {
					t0 := time.Now()
					if _, err := m.Compute(ctx, f); err != nil {
						b.Fatal(err)
					}
					walls = append(walls, time.Since(t0))
				}
				slices.Sort(walls)
				b.ReportMetric(float64(walls[len(walls)/2])/float64(time.Millisecond), "p50-ms")
			})
		}

		agentID := g.AgentIDs[7]
		for _, tc := range []struct{ name, query string }{
			{"30d", "period=30"},
			{"90d", "period=90"},
			{"30d_agent", fmt.Sprintf("period=30&agent=%d", agentID)},
			{"30d_team_channel", fmt.Sprintf("period=30&team=%d&channel=email", g.TeamIDs[1])},
			{"365d", "period=custom&from=2025-11-24&to=2026-11-22"},
		} {
			b.Run("page_"+tc.name, func(b *testing.B) {
				defer reportCPU(b)()
				for b.Loop() {
					req := httptest.NewRequest(http.MethodGet, "/dashboard?"+tc.query, nil)
					req.AddCookie(&http.Cookie{Name: "rapport_session", Value: session})
					rec := httptest.NewRecorder()
					ui.ServeHTTP(rec, req)
					if rec.Code != http.StatusOK {
						b.Fatalf("dashboard: %d %s", rec.Code, rec.Body.String())
					}
				}
			})
			b.Run("api_"+tc.name, func(b *testing.B) {
				defer reportCPU(b)()
				for b.Loop() {
					req := httptest.NewRequest(http.MethodGet, "/api/v1/metrics?"+tc.query, nil)
					req.Header.Set("Authorization", "Bearer "+token)
					rec := httptest.NewRecorder()
					apiH.ServeHTTP(rec, req)
					if rec.Code != http.StatusOK {
						b.Fatalf("api: %d %s", rec.Code, rec.Body.String())
					}
				}
			})
		}
		// One batch of the background rebuild after a zone change, in
		// which every ticket moves (New York's days against Tokyo's): how
		// long it holds the writer. The zone goes back and forth whenever
		// a rebuild is finished; the dataset is left in Tokyo.
		b.Run("rebuild_batch", func(b *testing.B) {
			zones := []string{"America/New_York", "Asia/Tokyo"}
			next := 0
			switchZone := func() {
				if _, err := m.SwitchZone(ctx, zones[next%2]); err != nil {
					b.Fatal(err)
				}
				next++
			}
			switchZone()
			for b.Loop() {
				_, done, err := m.RebuildStep(ctx, 0)
				if err != nil {
					b.Fatal(err)
				}
				if done {
					switchZone()
				}
			}
			b.StopTimer()
			if next%2 == 1 {
				switchZone()
			}
			if err := m.RunRebuild(ctx, false, nil); err != nil {
				b.Fatal(err)
			}
		})
		// One incremental change through the hook, for the write cost.
		b.Run("hook_solve", func(b *testing.B) {
			var ids []int64
			rows, err := db.R.QueryContext(ctx, `SELECT id FROM tickets WHERE status = 'open' ORDER BY id DESC LIMIT 200`)
			if err != nil {
				b.Fatal(err)
			}
			for rows.Next() {
				var id int64
				rows.Scan(&id)
				ids = append(ids, id)
			}
			rows.Close()
			hooked := ticket.NewService(ticket.Opts{DB: db, Clock: clock, Jobs: q, Customers: customers, Log: log})
			if err := hooked.Subscribe(ticket.Subscriber{Name: "metrics", InTx: m.TicketChanged}); err != nil {
				b.Fatal(err)
			}
			i := 0
			for b.Loop() {
				st := ticket.Solved
				if i >= len(ids) {
					b.Skip("out of open tickets")
				}
				if _, err := hooked.Update(ctx, ticket.SystemActor, ids[i], ticket.Update{Status: &st}); err != nil {
					b.Fatal(err)
				}
				i++
			}
		})
	})
}

// reportCPU reports, when the returned function runs, the CPU time this
// process spent per operation (user and system, every goroutine): on a
// machine other work loads, wall time says more about the load than about
// the code, while CPU time barely moves with it. It leaves out the
// PostgreSQL server's own time.
func reportCPU(b *testing.B) func() {
	cpu := func() time.Duration {
		var r syscall.Rusage
		if err := syscall.Getrusage(syscall.RUSAGE_SELF, &r); err != nil {
			b.Fatal(err)
		}
		return time.Duration(r.Utime.Nano() + r.Stime.Nano())
	}
	start := cpu()
	return func() {
		if b.N > 0 {
			b.ReportMetric(float64(cpu()-start)/float64(time.Millisecond)/float64(b.N), "cpu-ms/op")
		}
	}
}
