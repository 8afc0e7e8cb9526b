package routing_test

import (
	"context"
	"database/sql"
	"errors"
	"testing"
	"time"

	"github.com/rapport/rapport/internal/customer"
	"github.com/rapport/rapport/internal/routing"
	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/store/storetest"
	"github.com/rapport/rapport/internal/ticket"
)

// A new ticket nobody owns asks for an assignment round without locking
// anything that another new ticket needs: on PostgreSQL a second ticket
// commits while the first one's transaction is still open. (Every new
// ticket used to upsert the one routing.assign job row and hold it until
// its commit, so the second waited for the first.) Both are routed.
func TestNewTicketsDoNotWaitForEachOther(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		ada := f.agent(t, "ada", []string{"en"}, true, 5)
		newTicket := func(email string) ticket.NewTicket {
			return ticket.NewTicket{Subject: "Help", Body: "Please", CustomerEmail: email, Language: "en"}
		}

		holding := make(chan int64, 1) // the first transaction's backend, once its ticket is written
		release := make(chan struct{})
		firstDone := make(chan error, 1)
		var first int64
		go func() {
			firstDone <- db.Tx(ctx, func(tx *sql.Tx) error {
				id, err := f.tickets.CreateTx(ctx, tx, ticket.SystemActor, newTicket("first@example.com"))
				if err != nil {
					return err
				}
				first = id
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
			t.Fatalf("first ticket: %v", err)
		}

		var second int64
		if db.Dialect == store.Postgres {
			secondDone := make(chan error, 1)
			go func() {
				tk, err := f.tickets.Create(ctx, ticket.SystemActor, newTicket("second@example.com"))
				second = tk.ID
				secondDone <- err
			}()
			// The second either commits or waits for a lock the first
			// holds; whichever PostgreSQL shows first is the answer.
			err := waitUnlessBlocked(ctx, db, pid, secondDone)
			close(release)
			if ferr := <-firstDone; ferr != nil {
				t.Fatalf("first ticket: %v", ferr)
			}
			if errors.Is(err, errBlocked) {
				<-secondDone
				t.Fatal("the second new ticket waited for the first one's open transaction")
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
			tk, err := f.tickets.Create(ctx, ticket.SystemActor, newTicket("second@example.com"))
			if err != nil {
				t.Fatal(err)
			}
			second = tk.ID
		}
		if _, err := f.q.RunDue(ctx); err != nil {
			t.Fatal(err)
		}
		for _, id := range []int64{first, second} {
			if got := f.owner(t, id); got != ada {
				t.Errorf("ticket %d has owner %d, want %d", id, got, ada)
			}
		}
		if f.pendingAssign(t) {
			t.Error("a routing.assign row is pending: new tickets should wake the round, not queue it")
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

// A ticket committed on a node that stops before its assignment round
// runs (its wake lived only in that process's memory) is routed by
// another node's workers: the periodic sweep, a durable job row, runs
// there within routing.SweepEvery.
func TestTicketOfAStoppedNodeIsRoutedByTheSweep(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		dead := newFixture(t, db)                 // the node that creates the ticket and stops
		living := newFixtureAt(t, db, dead.clock) // another node on the same database
		if err := living.router.Schedule(ctx); err != nil {
			t.Fatal(err)
		}
		ada := living.agent(t, "ada", []string{"en"}, true, 5)
		if _, err := living.q.RunDue(ctx); err != nil { // the round her capacity kicked
			t.Fatal(err)
		}
		c, err := dead.custs.Create(ctx, customer.NewCustomer{Name: "C", Emails: []string{"orphan@example.com"}})
		if err != nil {
			t.Fatal(err)
		}
		tk, err := dead.tickets.Create(ctx, ticket.SystemActor, ticket.NewTicket{Subject: "Help", Body: "Please", CustomerID: c.ID, Language: "en"})
		if err != nil {
			t.Fatal(err)
		}
		// The dead node never runs its workers. The living one has nothing
		// due yet: the wake was the dead node's.
		if _, err := living.q.RunDue(ctx); err != nil {
			t.Fatal(err)
		}
		if got := living.owner(t, tk.ID); got != 0 {
			t.Fatalf("ticket owner %d before the sweep, want none", got)
		}
		living.clock.Advance(routing.SweepEvery)
		if _, err := living.q.RunDue(ctx); err != nil {
			t.Fatal(err)
		}
		if got := living.owner(t, tk.ID); got != ada {
			t.Fatalf("ticket owner %d after the sweep, want %d", got, ada)
		}
		// The sweep queued its next run.
		info, err := living.q.GetByKey(ctx, routing.JobSweep)
		if err != nil {
			t.Fatal(err)
		}
		if info.Status != "pending" || !info.RunAt.Equal(living.clock.Now().Add(routing.SweepEvery)) {
			t.Errorf("next sweep %s at %v, want pending at %v", info.Status, info.RunAt, living.clock.Now().Add(routing.SweepEvery))
		}
	})
}
