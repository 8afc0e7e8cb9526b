package ticket

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rapport/rapport/internal/customer"
	"github.com/rapport/rapport/internal/jobs"
	"github.com/rapport/rapport/internal/search"
	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/store/storetest"
)

// This file fills a database with many tickets, straight in SQL, for the
// benchmarks, the query plan test and the big-database report below. The
// rows follow the schema of internal/store/migrations/*/0001_core.sql.

// seedNow is the newest moment in a seeded database; a service working on
// it starts its clock here.
var seedNow = time.Date(2025, 6, 2, 12, 0, 0, 0, time.UTC)

// seeded is what seedDB made.
type seeded struct {
	agents    []int64
	teams     []int64
	customers []int64
	live      []int64  // tickets that are open or pending, oldest first (at most 5000)
	stages    []string // how long each step took
}

// seedDB adds 20 agents, 4 teams, n/4 customers (with an email each) and n
// tickets (with one customer message and one "created" event each) to db.
// The spread is fixed by a seeded generator: tickets are spaced evenly over
// max(30, n/900) days ending at seedNow; most old tickets are closed, recent
// ones are new, open, pending or solved; almost every worked ticket has an
// owner, most new ones have none.
func seedDB(tb testing.TB, db *store.DB, n int) seeded {
	tb.Helper()
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(20250602, uint64(n)))
	nowMS := seedNow.UnixMilli()
	var sd seeded
	began := time.Now()
	stage := func(name string) {
		sd.stages = append(sd.stages, fmt.Sprintf("%s %v", name, time.Since(began).Round(time.Millisecond)))
		began = time.Now()
	}

	err := db.Tx(ctx, func(tx *sql.Tx) error {
		var agents, teams [][]any
		for i := range 20 {
			agents = append(agents, []any{fmt.Sprintf("agent%02d@rapport.test", i), agentNames[i%len(agentNames)], "agent", true, nowMS, nowMS})
		}
		for _, name := range []string{"billing", "tech", "returns", "sales"} {
			teams = append(teams, []any{name, nowMS})
		}
		var err error
		if sd.agents, err = insertRows(ctx, tx, db.Dialect, "agents", "email, name, role, active, created_at, updated_at", agents, true); err != nil {
			return err
		}
		sd.teams, err = insertRows(ctx, tx, db.Dialect, "teams", "name, created_at", teams, true)
		return err
	})
	if err != nil {
		tb.Fatalf("seed agents: %v", err)
	}

	nc := max(100, n/4)
	custs := make([][]any, nc)
	for i := range custs {
		name := firstNames[rng.IntN(len(firstNames))] + " " + lastNames[rng.IntN(len(lastNames))]
		custs[i] = []any{name, nowMS, nowMS}
	}
	err = db.Tx(ctx, func(tx *sql.Tx) error {
		var err error
		if sd.customers, err = insertRows(ctx, tx, db.Dialect, "customers", "name, created_at, updated_at", custs, true); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO customer_identities (customer_id, kind, value, created_at)
			SELECT id, 'email', 'customer' || id || '@example.com', created_at FROM customers`)
		return err
	})
	if err != nil {
		tb.Fatalf("seed customers: %v", err)
	}
	stage("agents, teams, customers:")

	const day = int64(24 * time.Hour / time.Millisecond)
	span := max(30, int64(n)/900) * day
	oldest := nowMS - span
	const chunk = 100_000 // rows per transaction
	for lo := 0; lo < n; lo += chunk {
		hi := min(n, lo+chunk)
		rows := make([][]any, 0, hi-lo)
		for i := lo; i < hi; i++ {
			rows = append(rows, seedTicket(rng, &sd, oldest+int64(i)*span/int64(n), nowMS))
		}
		err := db.Tx(ctx, func(tx *sql.Tx) error {
			_, err := insertRows(ctx, tx, db.Dialect, "tickets", "subject, channel, status, priority, kind, language, customer_id, "+
				"owner_id, team_id, created_at, updated_at, first_response_at, solved_at, closed_at, message_count", rows, false)
			return err
		})
		if err != nil {
			tb.Fatalf("seed tickets: %v", err)
		}
	}
	stage("tickets:")

	err = db.Tx(ctx, func(tx *sql.Tx) error {
		for _, q := range []string{
			`INSERT INTO messages (ticket_id, kind, author_customer_id, body_text, created_at)
			 SELECT id, 'customer', customer_id, 'Hello, ' || subject || '. Can you help me, please?', created_at FROM tickets`,
			`INSERT INTO ticket_events (ticket_id, type, actor_kind, data, created_at)
			 SELECT id, 'created', 'customer', '{}', created_at FROM tickets`,
			`INSERT INTO ticket_tags (ticket_id, tag) SELECT id, 'billing' FROM tickets WHERE id % 5 = 0`,
			`INSERT INTO ticket_tags (ticket_id, tag) SELECT id, 'vip' FROM tickets WHERE id % 17 = 0`,
		} {
			if _, err := tx.ExecContext(ctx, q); err != nil {
				return fmt.Errorf("%.40s: %w", strings.TrimSpace(q), err)
			}
		}
		return nil
	})
	if err != nil {
		tb.Fatalf("seed messages: %v", err)
	}
	stage("messages, events, tags:")

	// The rows above bypass the ticket service, so the search index is
	// built the way an upgraded database's is: by the backfill.
	if err := search.New(db).Backfill(ctx, slog.New(slog.NewTextHandler(io.Discard, nil))); err != nil {
		tb.Fatalf("seed search index: %v", err)
	}
	stage("search index (backfill):")

	rows, err := db.R.QueryContext(ctx, `SELECT id FROM tickets WHERE status IN ('open', 'pending') ORDER BY id LIMIT 5000`)
	if err != nil {
		tb.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			tb.Fatal(err)
		}
		sd.live = append(sd.live, id)
	}
	if err := rows.Err(); err != nil {
		tb.Fatal(err)
	}
	if len(sd.live) == 0 {
		tb.Fatal("seed: no open or pending tickets")
	}
	return sd
}

// seedTicket is the column values of one ticket created at created.
func seedTicket(rng *rand.Rand, sd *seeded, created, now int64) []any {
	const hour = int64(time.Hour / time.Millisecond)
	const day = 24 * hour
	age := now - created
	var st Status
	switch p := rng.IntN(1000); {
	case age < 4*day:
		st = pick(p, []int{250, 350, 200, 200}, New, Open, Pending, Solved)
	case age < 30*day:
		st = pick(p, []int{20, 100, 100, 780}, New, Open, Pending, Closed)
	default:
		st = pick(p, []int{5, 15, 10, 970}, New, Open, Pending, Closed)
	}
	var owner, team, firstResponse, solved, closed any
	ownedPct := map[Status]int{New: 10, Open: 90}[st]
	if ownedPct == 0 {
		ownedPct = 97
	}
	if rng.IntN(100) < ownedPct {
		owner = sd.agents[rng.IntN(len(sd.agents))]
	}
	if rng.IntN(100) < 70 {
		team = sd.teams[rng.IntN(len(sd.teams))]
	}
	updated := created
	if st != New {
		firstResponse = min(now, created+1+rng.Int64N(8*hour))
	}
	switch st {
	case Open, Pending:
		updated = created + rng.Int64N(age+1)
	case Solved:
		updated = min(now, created+rng.Int64N(3*day))
		solved = updated
	case Closed:
		s := created + rng.Int64N(5*day)
		updated = min(now, s+4*day)
		solved, closed = s, updated
	}
	if fr, ok := firstResponse.(int64); ok && fr > updated {
		firstResponse = updated
	}
	subject := subjects[rng.IntN(len(subjects))]
	if strings.Contains(subject, "%d") {
		subject = fmt.Sprintf(subject, 10000+rng.IntN(90000))
	}
	return []any{
		subject,
		pick(rng.IntN(100), []int{50, 20, 15, 10, 3}, "email", "web", "chat", "phone", "api", "hook"),
		string(st),
		pick(rng.IntN(100), []int{20, 60, 15}, Low, Normal, High, Urgent),
		pick(rng.IntN(100), []int{50, 20, 20, 5}, Kinds...),
		pick(rng.IntN(100), []int{60, 15, 10, 5}, "en", "it", "ru", "lv", "ca"),
		sd.customers[rng.IntN(len(sd.customers))],
		owner, team, created, updated, firstResponse, solved, closed, 1,
	}
}

// pick returns the value whose share of [0, total) holds p: the first
// len(weights) values take weights[i] each, the last value the rest.
func pick[T any](p int, weights []int, values ...T) T {
	for i, w := range weights {
		if p < w {
			return values[i]
		}
		p -= w
	}
	return values[len(weights)]
}

// insertRows inserts rows into table with multi-row INSERTs inside tx and
// returns the new ids (in no promised order) when returning is set. On
// SQLite it writes anonymous "?" parameters: SQLite looks numbered ones up
// by name, which grows with the square of their number.
func insertRows(ctx context.Context, tx *sql.Tx, d store.Dialect, table, cols string, rows [][]any, returning bool) ([]int64, error) {
	if len(rows) == 0 {
		return nil, nil
	}
	width := len(rows[0])
	per := 30000 / width // under SQLite's 32766 and PostgreSQL's 65535 parameters
	var ids []int64
	var b strings.Builder
	args := make([]any, 0, per*width)
	for lo := 0; lo < len(rows); lo += per {
		part := rows[lo:min(len(rows), lo+per)]
		b.Reset()
		args = args[:0]
		fmt.Fprintf(&b, "INSERT INTO %s (%s) VALUES ", table, cols)
		for i, r := range part {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteByte('(')
			for j, v := range r {
				if j > 0 {
					b.WriteString(", ")
				}
				args = append(args, v)
				if d == store.SQLite {
					b.WriteByte('?')
				} else {
					b.WriteByte('$')
					b.WriteString(strconv.Itoa(len(args)))
				}
			}
			b.WriteByte(')')
		}
		if !returning {
			if _, err := tx.ExecContext(ctx, b.String(), args...); err != nil {
				return nil, fmt.Errorf("insert %s: %w", table, err)
			}
			continue
		}
		b.WriteString(" RETURNING id")
		res, err := tx.QueryContext(ctx, b.String(), args...)
		if err != nil {
			return nil, fmt.Errorf("insert %s: %w", table, err)
		}
		for res.Next() {
			var id int64
			if err := res.Scan(&id); err != nil {
				res.Close()
				return nil, err
			}
			ids = append(ids, id)
		}
		res.Close()
		if err := res.Err(); err != nil {
			return nil, fmt.Errorf("insert %s: %w", table, err)
		}
	}
	return ids, nil
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

var (
	agentNames = []string{"Al Agent", "Bo Agent", "Chiara Neri", "Dmitri Orlov", "Elza Ozola", "Ferran Puig", "Greta Lind"}
	firstNames = []string{"Anna", "Marco", "Giulia", "Luca", "Olga", "Ivan", "Līga", "Jānis", "Núria", "Jordi",
		"Emma", "James", "Sofia", "Pavel", "Marta", "Pere", "Laura", "Ilze", "Noah", "Chloe"}
	lastNames = []string{"Rossi", "Bianchi", "Ivanova", "Petrov", "Bērziņa", "Kalniņš", "Puig", "Vidal",
		"Smith", "Jones", "Brown", "Ferrari", "Sokolov", "Ozols", "Serra", "Taylor"}
	subjects = []string{
		"Refund for order %d", "Cannot log in", "Invoice %d is wrong", "Order %d arrived late",
		"Password reset email never arrives", "Please change my delivery address", "Question about pricing",
		"Cancel my subscription", "Damaged item in order %d", "Thank you for the quick help",
		"App crashes on start", "Where is my parcel?", "Wrong size received", "Discount code not accepted",
		"Update my payment card", "Charged twice for order %d", "How do I export my data?",
		"Rimborso per l'ordine %d", "Non riesco ad accedere", "Не могу войти в аккаунт",
		"Возврат заказа %d", "Rēķins %d ir nepareizs", "La comanda %d no ha arribat", "Feature request: dark mode",
	}
)

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
		bl, err := svc.buildList(o)
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
			bl41, err := svc.buildList(next)
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
