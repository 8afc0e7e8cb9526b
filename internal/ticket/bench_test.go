package ticket

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/rapport/rapport/internal/jobs"
	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/store/storetest"
)

// benchRows is how many tickets a benchmark database starts with: enough
// for index depth and page shapes to be those of a busy help desk, few
// enough that seeding takes a second or two.
const benchRows = 20000

// eachBenchDB runs fn on a freshly seeded SQLite database and, when
// RAPPORT_TEST_POSTGRES_DSN is set, on a PostgreSQL one. PostgreSQL is
// analysed after seeding, as autovacuum would after a bulk load; SQLite is
// not, as Rapport does not run ANALYZE on it.
func eachBenchDB(b *testing.B, fn func(b *testing.B, db *store.DB, sd seeded)) {
	b.Run("sqlite", func(b *testing.B) {
		db := storetest.SQLite(b)
		fn(b, db, seedDB(b, db, benchRows))
	})
	b.Run("postgres", func(b *testing.B) {
		db := storetest.Postgres(b)
		sd := seedDB(b, db, benchRows)
		analyze(b, db)
		fn(b, db, sd)
	})
}

// BenchmarkCreate opens tickets for existing customers: the ticket, its
// first message and its event in one transaction, then reads it back.
func BenchmarkCreate(b *testing.B) {
	eachBenchDB(b, func(b *testing.B, db *store.DB, sd seeded) {
		svc := seededService(db)
		ctx := context.Background()
		by := AgentActor(sd.agents[0])
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			i++
			_, err := svc.Create(ctx, by, NewTicket{
				CustomerID: sd.customers[i%len(sd.customers)],
				Subject:    fmt.Sprintf("Refund for order %d", 100000+i),
				Body:       "Hello, the parcel arrived damaged. Can I have a refund, please?",
				Channel:    "email",
			})
			if err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkReply adds agent replies to open and pending tickets, one after
// another across up to 5,000 of them. A subscriber queues each reply's
// delivery job, as the mail package's subscriber does in the app (this
// package cannot import it), so the change does the same work as in use.
func BenchmarkReply(b *testing.B) {
	eachBenchDB(b, func(b *testing.B, db *store.DB, sd seeded) {
		svc := seededService(db)
		err := svc.Subscribe(Subscriber{Name: "mail", After: func(_ context.Context, out Outbox, t TimerTicket, evs []TimerEvent) error {
			for _, e := range evs {
				if e.Type == EventReplied {
					payload := fmt.Sprintf(`{"ticket_id":%d,"message_id":%d}`, t.ID, e.ID("message_id"))
					if err := out.Enqueue(jobs.Job{Kind: "ticket.deliver_reply", Payload: []byte(payload)}); err != nil {
						return err
					}
				}
			}
			return nil
		}})
		if err != nil {
			b.Fatal(err)
		}
		ctx := context.Background()
		by := AgentActor(sd.agents[1])
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			i++
			_, err := svc.Reply(ctx, by, sd.live[i%len(sd.live)],
				"Thanks for writing. I have sent a replacement; it should arrive within three days.", "")
			if err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkList reads one page (25 tickets) of the inbox views agents use
// most: open by last update, mine, unassigned, the second page of open
// through its cursor, and a search.
func BenchmarkList(b *testing.B) {
	eachBenchDB(b, func(b *testing.B, db *store.DB, sd seeded) {
		svc := seededService(db)
		ctx := context.Background()
		first, err := svc.List(ctx, ListOptions{View: ViewOpen, Sort: "updated"})
		if err != nil || first.NextCursor == "" {
			b.Fatalf("first page: %v (next %q)", err, first.NextCursor)
		}
		for _, bc := range []struct {
			name string
			o    ListOptions
		}{
			{"open_updated", ListOptions{View: ViewOpen, Sort: "updated"}},
			{"mine_updated", ListOptions{View: ViewMine, Sort: "updated", ViewerID: sd.agents[0]}},
			{"unassigned_oldest", ListOptions{View: ViewUnassigned, Sort: "oldest"}},
			{"open_updated_page2", ListOptions{View: ViewOpen, Sort: "updated", Cursor: first.NextCursor}},
			{"open_search", ListOptions{View: ViewOpen, Sort: "updated", Query: "refund"}},
		} {
			b.Run(bc.name, func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					p, err := svc.List(ctx, bc.o)
					if err != nil {
						b.Fatal(err)
					}
					if len(p.Tickets) != DefaultLimit {
						b.Fatalf("page of %d tickets, want %d", len(p.Tickets), DefaultLimit)
					}
				}
			})
		}
	})
}

// TestBenchSeedShape keeps the benchmarks honest: the seeded database has
// the spread they claim (several pages in each view they read).
func TestBenchSeedShape(t *testing.T) {
	db := storetest.SQLite(t)
	began := time.Now()
	sd := seedDB(t, db, benchRows)
	t.Logf("seeded %d tickets in %v", benchRows, time.Since(began))
	svc := seededService(db)
	for _, o := range []ListOptions{
		{View: ViewOpen}, {View: ViewPending}, {View: ViewSolved},
		{View: ViewMine, ViewerID: sd.agents[0]}, {View: ViewUnassigned},
		{View: ViewOpen, Query: "refund"},
	} {
		o.Limit = MaxLimit
		p, err := svc.List(context.Background(), o)
		if err != nil {
			t.Fatal(err)
		}
		if len(p.Tickets) != MaxLimit || p.NextCursor == "" {
			t.Errorf("view %s %q: %d tickets, next %q; want more than one page of %d", o.View, o.Query, len(p.Tickets), p.NextCursor, MaxLimit)
		}
	}
	var closed, all int
	if err := db.R.QueryRow(`SELECT count(*), coalesce(sum(CASE WHEN status = 'closed' THEN 1 ELSE 0 END), 0) FROM tickets`).Scan(&all, &closed); err != nil {
		t.Fatal(err)
	}
	if all != benchRows || closed < all/2 {
		t.Errorf("%d tickets, %d closed; want %d, most closed", all, closed, benchRows)
	}
}
