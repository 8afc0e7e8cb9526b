package ticket

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rapport/rapport/internal/customer"
	"github.com/rapport/rapport/internal/jobs"
	"github.com/rapport/rapport/internal/search"
	"github.com/rapport/rapport/internal/seed"
	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/store/storetest"
)

// This file fills a database with many tickets (internal/seed) for the
// benchmarks, the query plan test and the big-database report below.

// seedNow is the newest moment in a seeded database; a service working on
// it starts its clock here.
var seedNow = seed.Now

// seeded is what seedDB made.
type seeded struct {
	agents    []int64
	teams     []int64
	customers []int64
	live      []int64  // tickets that are open or pending, oldest first (at most 5000)
	stages    []string // how long each step took
}

// seedDB adds 20 agents, 4 teams, n/4 customers (with an email each) and n
// tickets (with one customer message and one "created" event each) to db
// with seed.Run, then builds the search index the way an upgraded
// database's is: by the backfill.
func seedDB(tb testing.TB, db *store.DB, n int) seeded {
	tb.Helper()
	ctx := context.Background()
	r, err := seed.Run(ctx, db, seed.Opts{Tickets: n})
	if err != nil {
		tb.Fatal(err)
	}
	if len(r.Live) == 0 {
		tb.Fatal("seed: no open or pending tickets")
	}
	sd := seeded{agents: r.Agents, teams: r.Teams, customers: r.Customers, live: r.Live, stages: r.Stages}
	began := time.Now()
	if err := search.New(db).Backfill(ctx, slog.New(slog.NewTextHandler(io.Discard, nil))); err != nil {
		tb.Fatalf("seed search index: %v", err)
	}
	sd.stages = append(sd.stages, fmt.Sprintf("search index (backfill): %v", time.Since(began).Round(time.Millisecond)))
	return sd
}

// seededService is a Service on db whose fake clock starts at seedNow.
func seededService(db *store.DB) *Service {
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	clock := jobs.NewFakeClock(seedNow)
	return NewService(Opts{DB: db, Clock: clock, Jobs: jobs.New(db, clock, log),
		Customers: customer.New(db, clock), Log: log})
}

// analyze refreshes the planner statistics of db.
func analyze(tb testing.TB, db *store.DB) {
	tb.Helper()
	if _, err := db.W.ExecContext(context.Background(), "ANALYZE"); err != nil {
		tb.Fatalf("analyze: %v", err)
	}
}

// bigViews are the inbox pages the big-database report times: the views
// and sorts of the inbox and two searches.
var bigViews = []struct {
	name string
	o    ListOptions
}{
	{"open/updated", ListOptions{View: ViewOpen, Sort: "updated"}},
	{"open/oldest", ListOptions{View: ViewOpen, Sort: "oldest"}},
	{"open/priority", ListOptions{View: ViewOpen, Sort: "priority"}},
	{"mine/updated", ListOptions{View: ViewMine, Sort: "updated"}},
	{"mine/created", ListOptions{View: ViewMine, Sort: "created"}},
	{"mine/priority", ListOptions{View: ViewMine, Sort: "priority"}},
	{"unassigned/updated", ListOptions{View: ViewUnassigned, Sort: "updated"}},
	{"unassigned/oldest", ListOptions{View: ViewUnassigned, Sort: "oldest"}},
	{"pending/updated", ListOptions{View: ViewPending, Sort: "updated"}},
	{"solved/updated", ListOptions{View: ViewSolved, Sort: "updated"}},
	{"solved/created", ListOptions{View: ViewSolved, Sort: "created"}},
	{"all/updated", ListOptions{View: ViewAll, Sort: "updated"}},
	{"all/created", ListOptions{View: ViewAll, Sort: "created"}},
	{"open/search:refund", ListOptions{View: ViewOpen, Query: "refund"}},
	{"all/search:customer7@", ListOptions{View: ViewAll, Query: "customer7@"}},
}

// TestBigDB fills a database with RAPPORT_BIGDB tickets and reports, for
// each inbox page of bigViews, its query plan and how long List takes: the
// first call, the median of three more, and the median of three calls for
// page 41 (reached by cursor). It is a report, not a speed check, and is
// skipped unless RAPPORT_BIGDB is set:
//
//	RAPPORT_BIGDB=1000000 go test -run TestBigDB/sqlite -v -timeout 30m ./internal/ticket/
//	RAPPORT_BIGDB=1000000 RAPPORT_TEST_POSTGRES_DSN=... go test -run TestBigDB/postgres -v -timeout 30m ./internal/ticket/
//
// It fails if a plan of an inbox view (not a search) scans tickets, sorts
// what an index walk reads (SQLite) or aggregates. PostgreSQL is reported
// twice: right after the load and ANALYZE, then after VACUUM ANALYZE (the
// state autovacuum keeps the table in; only this pass can fail). The SQLite
// file is kept at RAPPORT_BIGDB_SQLITE when that is set.
func TestBigDB(t *testing.T) {
	n, _ := strconv.Atoi(os.Getenv("RAPPORT_BIGDB"))
	if n <= 0 {
		t.Skip("RAPPORT_BIGDB not set")
	}
	run := func(t *testing.T, db *store.DB) {
		began := time.Now()
		sd := seedDB(t, db, n)
		t.Logf("seeded %d tickets in %v (%s)", n, time.Since(began).Round(time.Millisecond), strings.Join(sd.stages, ", "))
		for _, q := range []string{
			"SELECT status, count(*) FROM tickets GROUP BY status ORDER BY status",
			"SELECT CASE WHEN owner_id IS NULL THEN 'unassigned' ELSE 'owned' END, count(*) FROM tickets WHERE status IN ('new', 'open') GROUP BY 1 ORDER BY 1",
			fmt.Sprintf("SELECT status, count(*) FROM tickets WHERE owner_id = %d GROUP BY status ORDER BY status", sd.agents[0]),
		} {
			t.Logf("%s:\n%s", q, queryTable(t, db, q))
		}
		if db.Dialect == store.SQLite {
			t.Logf("sqlite_version: %s", queryTable(t, db, "SELECT sqlite_version()"))
			bigPass(t, db, sd, true)
			return
		}
		t.Logf("settings:\n%s", queryTable(t, db, `SELECT name, setting, unit FROM pg_settings WHERE name IN
			('server_version', 'shared_buffers', 'work_mem', 'effective_cache_size', 'random_page_cost',
			 'synchronous_commit', 'fsync', 'jit') ORDER BY name`))
		began = time.Now()
		analyze(t, db)
		t.Logf("ANALYZE in %v", time.Since(began).Round(time.Millisecond))
		t.Logf("== right after the load and ANALYZE ==")
		bigPass(t, db, sd, false)
		began = time.Now()
		vacuum(t, db)
		t.Logf("VACUUM ANALYZE tickets in %v", time.Since(began).Round(time.Millisecond))
		t.Logf("== after VACUUM ANALYZE ==")
		bigPass(t, db, sd, true)
		t.Logf("sizes:\n%s", queryTable(t, db, `SELECT c.relname, pg_size_pretty(pg_relation_size(c.oid))
			FROM pg_class c WHERE c.oid = 'tickets'::regclass
			   OR c.oid IN (SELECT indexrelid FROM pg_index WHERE indrelid = 'tickets'::regclass)
			ORDER BY pg_relation_size(c.oid) DESC`))
	}
	t.Run("sqlite", func(t *testing.T) {
		path := os.Getenv("RAPPORT_BIGDB_SQLITE")
		if path == "" {
			run(t, storetest.SQLite(t))
			return
		}
		for _, suffix := range []string{"", "-wal", "-shm"} {
			os.Remove(path + suffix)
		}
		db, err := store.Open(context.Background(), path)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		if err := db.Migrate(context.Background()); err != nil {
			t.Fatal(err)
		}
		run(t, db)
		if fi, err := os.Stat(path); err == nil {
			t.Logf("file %s: %d MB", path, fi.Size()>>20)
		}
	})
	t.Run("postgres", func(t *testing.T) { run(t, storetest.Postgres(t)) })
}

// bigPass times and explains every page of bigViews once; with strict, a
// problem in the plan of an inbox view fails the test.
func bigPass(t *testing.T, db *store.DB, sd seeded, strict bool) {
	ctx := context.Background()
	svc := seededService(db)
	median := func(o ListOptions) time.Duration {
		var ds []time.Duration
		for range 3 {
			began := time.Now()
			if _, err := svc.List(ctx, o); err != nil {
				t.Fatal(err)
			}
			ds = append(ds, time.Since(began))
		}
		slices.Sort(ds)
		return ds[1].Round(time.Microsecond)
	}
	for _, v := range bigViews {
		o := v.o
		if o.View == ViewMine {
			o.ViewerID = sd.agents[0]
		}
		bl, err := svc.buildList(o, search.ReachIndex)
		if err != nil {
			t.Fatal(err)
		}
		began := time.Now()
		p, err := svc.List(ctx, o)
		if err != nil {
			t.Fatal(err)
		}
		first := time.Since(began).Round(time.Microsecond)
		warm := median(o)
		deep := "-"
		next := o
		for page := 2; page <= 41 && p.NextCursor != "" && o.Query == ""; page++ {
			next.Cursor = p.NextCursor
			if p, err = svc.List(ctx, next); err != nil {
				t.Fatal(err)
			}
			if page == 41 {
				deep = median(next).String()
			}
		}
		deepPlan := ""
		if next.Cursor != "" {
			bl41, err := svc.buildList(next, search.ReachIndex)
			if err != nil {
				t.Fatal(err)
			}
			x41, err := explainList(ctx, db, bl41)
			if err != nil {
				t.Fatal(err)
			}
			if strict && len(x41.problems) > 0 {
				t.Errorf("%s, page 41: %v", v.name, x41.problems)
			}
			deepPlan = "plan of the last page read by cursor:\n" + x41.plan
		}
		x, err := explainList(ctx, db, bl)
		if err != nil {
			t.Fatal(err)
		}
		read := ""
		if db.Dialect == store.Postgres {
			most := 0
			for _, w := range x.walks {
				most = max(most, w.read)
			}
			read = fmt.Sprintf("; most tickets one index read took: %d", most)
		}
		t.Logf("%s %s: first call %v, then median %v; page 41 median %s%s; plan problems: %v\n%s%s",
			db.Dialect, v.name, first, warm, deep, read, x.problems, x.plan, deepPlan)
		if strict && o.Query == "" && len(x.problems) > 0 {
			t.Errorf("%s: %v", v.name, x.problems)
		}
		if db.Dialect == store.Postgres {
			t.Logf("EXPLAIN (ANALYZE, BUFFERS) %s:\n%s", v.name, explainAnalyze(t, db, bl))
		}
	}
}

// queryTable runs q and returns its rows, one a line, columns tab-separated.
func queryTable(tb testing.TB, db *store.DB, q string) string {
	tb.Helper()
	rows, err := db.R.QueryContext(context.Background(), q)
	if err != nil {
		tb.Fatal(err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var b strings.Builder
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			tb.Fatal(err)
		}
		for i, v := range vals {
			if i > 0 {
				b.WriteByte('\t')
			}
			if bs, ok := v.([]byte); ok {
				v = string(bs)
			}
			fmt.Fprint(&b, v)
		}
		b.WriteByte('\n')
	}
	if err := rows.Err(); err != nil {
		tb.Fatal(err)
	}
	return b.String()
}

// explainAnalyze runs bl under PostgreSQL's EXPLAIN ANALYZE and returns the
// text plan with the actual rows and times.
func explainAnalyze(tb testing.TB, db *store.DB, bl builtList) string {
	tb.Helper()
	rows, err := db.R.QueryContext(context.Background(), "EXPLAIN (ANALYZE, BUFFERS) "+bl.sql, bl.args...)
	if err != nil {
		tb.Fatal(err)
	}
	defer rows.Close()
	var b strings.Builder
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			tb.Fatal(err)
		}
		b.WriteString(line)
		b.WriteByte('\n')
	}
	if err := rows.Err(); err != nil {
		tb.Fatal(err)
	}
	return b.String()
}
