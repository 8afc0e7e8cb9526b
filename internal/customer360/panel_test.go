package customer360

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/rapport/rapport/internal/agent"
	"github.com/rapport/rapport/internal/clv"
	"github.com/rapport/rapport/internal/customer"
	"github.com/rapport/rapport/internal/jobs"
	"github.com/rapport/rapport/internal/purchases"
	"github.com/rapport/rapport/internal/purchases/purchasestest"
	"github.com/rapport/rapport/internal/recommit"
	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/store/storetest"
	"github.com/rapport/rapport/internal/ticket"
)

// The panel of a valued customer who re-committed shows their purchases,
// value and re-commitment; that of a customer without purchases is empty.
func TestPanel(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		clock := jobs.NewFakeClock(time.Date(2025, 6, 2, 10, 0, 0, 0, time.UTC))
		log := slog.New(slog.DiscardHandler)
		q := jobs.New(db, clock, log)
		customers := customer.New(db, clock)
		tickets := ticket.NewService(ticket.Opts{DB: db, Clock: clock, Jobs: q, Customers: customers, Log: log})
		bought, err := purchases.New(purchases.Opts{DB: db, Clock: clock, Customers: customers})
		if err != nil {
			t.Fatal(err)
		}
		values, err := clv.New(clv.Opts{DB: db, Clock: clock, Jobs: q, Log: log})
		if err != nil {
			t.Fatal(err)
		}
		recommits, err := recommit.New(recommit.Opts{DB: db, Clock: clock, Jobs: q, Tickets: tickets, Values: values, Log: log})
		if err != nil {
			t.Fatal(err)
		}
		s, err := New(Opts{DB: db, Purchases: bought, Values: values, Recommits: recommits})
		if err != nil {
			t.Fatal(err)
		}

		heavy, _ := purchasestest.Simulate(t, customers, bought, 60, clock.Now())
		if _, err := values.Refit(ctx); err != nil {
			t.Fatal(err)
		}
		owner, err := agent.New(db, clock).Create(ctx, agent.NewAgent{Email: "owner@rapport.test", Name: "Olga Owner",
			Role: agent.RoleAgent, Password: "correct horse battery"})
		if err != nil {
			t.Fatal(err)
		}
		tk, err := tickets.Create(ctx, ticket.Actor{Kind: "customer"}, ticket.NewTicket{Subject: "Unhappy", Body: "I am leaving.",
			CustomerID: heavy[0], OwnerID: owner.ID, Kind: "complaint"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := recommits.Recommit(ctx, ticket.AgentActor(owner.ID), tk.ID, "Fine, I will order again next month."); err != nil {
			t.Fatal(err)
		}
		nobody, err := customers.Create(ctx, customer.NewCustomer{Name: "Nobody", Emails: []string{"nobody@example.com"}})
		if err != nil {
			t.Fatal(err)
		}

		tests := []struct {
			name          string
			customer      int64
			valued        bool
			purchases     bool
			recommitments int
			standing      string
		}{
			{"valued, re-committed", heavy[0], true, true, 1, clv.StandingRegular},
			{"no purchases", nobody.ID, false, false, 0, ""},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				p, err := s.Panel(ctx, tc.customer)
				if err != nil {
					t.Fatal(err)
				}
				if (p.Value != nil) != tc.valued || (len(p.Recent) > 0) != tc.purchases || (p.Summary.Count > 0) != tc.purchases ||
					len(p.Recommitments) != tc.recommitments || p.Standing != tc.standing || p.CustomerID != tc.customer {
					t.Fatalf("panel = %+v", p)
				}
				if len(p.Recent) > PanelPurchases || p.More != (p.Summary.Count > PanelPurchases) {
					t.Errorf("%d recent purchases of %d, more %v", len(p.Recent), p.Summary.Count, p.More)
				}
			})
		}
	})
}
