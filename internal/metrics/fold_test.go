package metrics_test

import (
	"context"
	"database/sql"
	"errors"
	"io"
	"log/slog"
	"reflect"
	"testing"
	"time"

	"github.com/rapport/rapport/internal/customer"
	"github.com/rapport/rapport/internal/jobs"
	"github.com/rapport/rapport/internal/metrics"
	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/store/storetest"
	"github.com/rapport/rapport/internal/ticket"
)

// pendingDeltas counts the delta rows not yet folded.
func pendingDeltas(t *testing.T, db *store.DB) int {
	t.Helper()
	var n int
	if err := db.R.QueryRowContext(context.Background(),
		`SELECT (SELECT COUNT(*) FROM metric_day_deltas) + (SELECT COUNT(*) FROM metric_hist_deltas)`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// foldedCreated is the tickets created on day number d in the folded
// "all" rollup row alone (0 without one).
func foldedCreated(t *testing.T, db *store.DB, d int64) int64 {
	t.Helper()
	var n int64
	err := db.R.QueryRowContext(context.Background(), `SELECT created FROM metric_days WHERE grain = 'all' AND day = $1`, d).Scan(&n)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		t.Fatal(err)
	}
	return n
}

// node is another process on the world's database: its own job queue,
// metrics service (running the fold jobs) and ticket service subscribed
// to it.
type node struct {
	jobs    *jobs.Queue
	m       *metrics.Service
	tickets *ticket.Service
}

func (w *world) node() node {
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	q := jobs.New(w.db, w.clock, log)
	m := metrics.New(metrics.Opts{DB: w.db, Clock: w.clock, Log: log, Jobs: q})
	tickets := ticket.NewService(ticket.Opts{DB: w.db, Clock: w.clock, Jobs: q, Customers: customer.New(w.db, w.clock), Log: log})
	if err := tickets.Subscribe(ticket.Subscriber{Name: "metrics", InTx: m.TicketChanged}); err != nil {
		w.t.Fatal(err)
	}
	return node{jobs: q, m: m, tickets: tickets}
}

// TestChangesDoNotWaitForEachOther: on PostgreSQL a second ticket change
// commits while a first change's transaction, which has counted its
// ticket, is still open. Both count on the same day, in the same "all"
// rollup row, which each change used to upsert and hold locked until its
// commit. Both count once the first commits, before and after the fold.
func TestChangesDoNotWaitForEachOther(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		ctx := w.ctx
		w.at(day(2, 9, 0))
		newTicket := func(cust string) ticket.NewTicket {
			return ticket.NewTicket{Subject: "Help", Body: "Please", Channel: "email", Language: "en",
				CustomerID: w.cust[cust], OwnerID: w.agents["al"], TeamID: w.teams["billing"]}
		}
		holding := make(chan int64, 1) // the first transaction's backend, once its ticket is counted
		release := make(chan struct{})
		firstDone := make(chan error, 1)
		go func() {
			firstDone <- db.Tx(ctx, func(tx *sql.Tx) error {
				if _, err := w.tickets.CreateTx(ctx, tx, ticket.SystemActor, newTicket("carla")); err != nil {
					return err
				}
				var pid int64
				if db.Dialect == store.Postgres {
					if err := tx.QueryRowContext(ctx, `SELECT pg_backend_pid()`).Scan(&pid); err != nil {
						return err
					}
				}
				holding <- pid
				<-release
				return nil
			})
		}()
		var pid int64
		select {
		case pid = <-holding:
		case err := <-firstDone:
			t.Fatalf("first change: %v", err)
		}
		if db.Dialect == store.Postgres {
			secondDone := make(chan error, 1)
			go func() {
				_, err := w.tickets.Create(ctx, ticket.SystemActor, newTicket("rob"))
				secondDone <- err
			}()
			// The second either commits or waits for a lock the first
			// holds; whichever PostgreSQL shows first is the answer.
			err := waitUnlessBlocked(ctx, db, pid, secondDone)
			close(release)
			if ferr := <-firstDone; ferr != nil {
				t.Fatalf("first change: %v", ferr)
			}
			if errors.Is(err, errBlocked) {
				<-secondDone
				t.Fatal("the second ticket change waited for the first one's open transaction")
			}
			if err != nil {
				t.Fatal(err)
			}
		} else {
			// SQLite has one writer: the second begins after the first.
			close(release)
			if err := <-firstDone; err != nil {
				t.Fatal(err)
			}
			if _, err := w.tickets.Create(ctx, ticket.SystemActor, newTicket("rob")); err != nil {
				t.Fatal(err)
			}
		}
		if got := created(t, w.m, "2026-03-02"); got != 2 {
			t.Errorf("2 March before the fold: %d tickets created, want 2", got)
		}
		if _, err := w.m.Fold(ctx); err != nil {
			t.Fatal(err)
		}
		if got := created(t, w.m, "2026-03-02"); got != 2 {
			t.Errorf("2 March after the fold: %d tickets created, want 2", got)
		}
	})
}

var errBlocked = errors.New("blocked by the first transaction")

// waitUnlessBlocked waits for done, or returns errBlocked as soon as a
// PostgreSQL backend waits for a lock that backend pid holds.
func waitUnlessBlocked(ctx context.Context, db *store.DB, pid int64, done <-chan error) error {
	for {
		select {
		case err := <-done:
			return err
		default:
		}
		var blocked int
		if err := db.R.QueryRowContext(ctx, `SELECT count(*) FROM pg_stat_activity WHERE $1 = ANY(pg_blocking_pids(pid))`, pid).Scan(&blocked); err != nil {
			return err
		}
		if blocked > 0 {
			return errBlocked
		}
		select {
		case err := <-done:
			return err
		case <-time.After(5 * time.Millisecond):
		}
	}
}

// TestDashboardSameBeforeAndAfterFold: the changes of the fixed dataset
// (creations, replies, solves, a transfer, reopens, SLA breaches) count
// on the dashboard while their deltas wait, identically once they are
// folded into the rollup rows, and identically again after a rebuild from
// the tickets.
func TestDashboardSameBeforeAndAfterFold(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := build(t, db)
		if pendingDeltas(t, db) == 0 {
			t.Fatal("the changes left no deltas to fold: the test says nothing")
		}
		filters := []metrics.Filter{
			week(day(2, 0, 0), 7),
			{From: day(-23, 0, 0), To: day(16, 0, 0)},
			{From: day(-23, 0, 0), To: day(16, 0, 0), AgentID: w.agents["al"]},
			{From: day(2, 0, 0), To: day(9, 0, 0), TeamID: w.teams["tech"], Channel: "phone"},
		}
		var before []metrics.Report
		for _, f := range filters {
			rep, err := w.m.Compute(w.ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			before = append(before, rep)
		}
		if before[1].Current.Created.V == 0 || before[1].Current.Solved.V == 0 {
			t.Fatalf("the dashboard counts nothing before the fold: %+v", before[1].Current)
		}
		if n, err := w.m.Fold(w.ctx); err != nil || n == 0 {
			t.Fatalf("fold: %d rows, %v", n, err)
		}
		if n := pendingDeltas(t, db); n != 0 {
			t.Errorf("%d deltas left after the fold", n)
		}
		for i, f := range filters {
			rep, err := w.m.Compute(w.ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(rep, before[i]) {
				t.Errorf("%+v: the report changed with the fold:\n got %+v\nwant %+v", f, rep.Current, before[i].Current)
			}
		}
		equalsFresh(t, w, w.m, filters[1])
	})
}

// TestDeltasOfAStoppedNodeAreFolded: a node that committed ticket changes
// and stopped before its fold ran (the fold's wake lived only in its
// memory) loses nothing: the dashboard counts the changes meanwhile, and
// another node's periodic fold, a durable job, folds them.
func TestDeltasOfAStoppedNodeAreFolded(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		dead, living := w.node(), w.node()
		w.at(day(3, 9, 0))
		for _, c := range []string{"carla", "rob"} {
			tk, err := dead.tickets.Create(w.ctx, ticket.SystemActor, ticket.NewTicket{Subject: "Help", Body: "Please",
				Channel: "email", Language: "en", CustomerID: w.cust[c], OwnerID: w.agents["bo"]})
			if err != nil {
				t.Fatal(err)
			}
			st := ticket.Solved
			if _, err := dead.tickets.Update(w.ctx, ticket.AgentActor(w.agents["bo"]), tk.ID, ticket.Update{Status: &st}); err != nil {
				t.Fatal(err)
			}
		}
		// The dead node's queue never runs: its woken folds are lost.
		if pendingDeltas(t, db) == 0 {
			t.Fatal("no deltas were appended")
		}
		f := week(day(2, 0, 0), 7)
		before, err := living.m.Compute(w.ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		if before.Current.Created.V != 2 || before.Current.Solved.V != 2 {
			t.Fatalf("before the fold the dashboard counts %v created, %v solved; want 2, 2", before.Current.Created, before.Current.Solved)
		}
		d := metrics.DayOf(day(3, 0, 0), time.UTC)
		if n := foldedCreated(t, db, d); n != 0 {
			t.Fatalf("the rollup row holds %d before any fold", n)
		}
		// The living node starts: it queues the periodic fold, which its
		// workers run.
		if err := living.m.Start(w.ctx); err != nil {
			t.Fatal(err)
		}
		if _, err := living.jobs.RunDue(w.ctx); err != nil {
			t.Fatal(err)
		}
		if n := pendingDeltas(t, db); n != 0 {
			t.Errorf("%d deltas left after the periodic fold", n)
		}
		if n := foldedCreated(t, db, d); n != 2 {
			t.Errorf("the folded rollup row holds %d tickets created, want 2", n)
		}
		after, err := living.m.Compute(w.ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(before, after) {
			t.Errorf("the report changed with the fold:\n got %+v\nwant %+v", after.Current, before.Current)
		}
		// The periodic fold queued its next run.
		var next int
		if err := db.R.QueryRowContext(w.ctx, `SELECT COUNT(*) FROM jobs WHERE kind = $1 AND status = 'pending'`, metrics.JobFoldSweep).Scan(&next); err != nil {
			t.Fatal(err)
		}
		if next != 1 {
			t.Errorf("%d periodic folds pending, want 1", next)
		}
	})
}

// TestChangeWakesTheFold: a node's change wakes its fold once it has
// committed, without a job row.
func TestChangeWakesTheFold(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		n := w.node()
		w.at(day(3, 9, 0))
		if _, err := n.tickets.Create(w.ctx, ticket.SystemActor, ticket.NewTicket{Subject: "Help", Body: "Please",
			Channel: "email", Language: "en", CustomerID: w.cust["rita"]}); err != nil {
			t.Fatal(err)
		}
		var rows int
		if err := db.R.QueryRowContext(w.ctx, `SELECT COUNT(*) FROM jobs WHERE kind = $1`, metrics.JobFold).Scan(&rows); err != nil {
			t.Fatal(err)
		}
		if rows != 0 {
			t.Errorf("the change queued %d fold job rows, want none", rows)
		}
		if pendingDeltas(t, db) == 0 {
			t.Fatal("no deltas were appended")
		}
		if _, err := n.jobs.RunDue(w.ctx); err != nil {
			t.Fatal(err)
		}
		if got := pendingDeltas(t, db); got != 0 {
			t.Errorf("%d deltas left after the woken fold", got)
		}
		if got := foldedCreated(t, db, metrics.DayOf(day(3, 0, 0), time.UTC)); got != 1 {
			t.Errorf("the folded rollup row holds %d tickets created, want 1", got)
		}
	})
}
