package recommit

import (
	"context"
	"errors"
	"log/slog"
	"math"
	"testing"
	"time"

	"github.com/rapport/rapport/internal/agent"
	"github.com/rapport/rapport/internal/clv"
	"github.com/rapport/rapport/internal/customer"
	"github.com/rapport/rapport/internal/jobs"
	"github.com/rapport/rapport/internal/purchases"
	"github.com/rapport/rapport/internal/purchases/purchasestest"
	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/store/storetest"
	"github.com/rapport/rapport/internal/ticket"
)

// fixture is a Service over real services on a fresh database.
type fixture struct {
	db        *store.DB
	clock     *jobs.FakeClock
	queue     *jobs.Queue
	customers *customer.Service
	tickets   *ticket.Service
	agents    *agent.Service
	purchases *purchases.Service
	values    *clv.Service
	s         *Service
}

// newFixture builds the services; det may be nil.
func newFixture(t testing.TB, db *store.DB, det *Detector) *fixture {
	t.Helper()
	clock := jobs.NewFakeClock(time.Date(2025, 6, 2, 10, 0, 0, 0, time.UTC))
	log := slog.New(slog.DiscardHandler)
	q := jobs.New(db, clock, log)
	customers := customer.New(db, clock)
	tickets := ticket.NewService(ticket.Opts{DB: db, Clock: clock, Jobs: q, Customers: customers, Log: log})
	p, err := purchases.New(purchases.Opts{DB: db, Clock: clock, Customers: customers})
	if err != nil {
		t.Fatal(err)
	}
	values, err := clv.New(clv.Opts{DB: db, Clock: clock, Jobs: q, Log: log})
	if err != nil {
		t.Fatal(err)
	}
	s, err := New(Opts{DB: db, Clock: clock, Jobs: q, Tickets: tickets, Values: values, Detector: det, Log: log})
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{db: db, clock: clock, queue: q, customers: customers, tickets: tickets, agents: agent.New(db, clock),
		purchases: p, values: values, s: s}
}

func TestRecommitments(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db, nil)
		owner, err := f.agents.Create(ctx, agent.NewAgent{Email: "owner@rapport.test", Name: "Olga Owner", Role: agent.RoleAgent,
			Password: "correct horse battery"})
		if err != nil {
			t.Fatal(err)
		}
		helper, err := f.agents.Create(ctx, agent.NewAgent{Email: "helper@rapport.test", Name: "Hal Helper", Role: agent.RoleAgent,
			Password: "correct horse battery"})
		if err != nil {
			t.Fatal(err)
		}
		end := f.clock.Now()
		heavy, light := purchasestest.Simulate(t, f.customers, f.purchases, 60, end)
		if _, err := f.values.Refit(ctx); err != nil {
			t.Fatal(err)
		}
		// A light buyer who last bought long ago is at risk; find one.
		var atRisk int64
		for _, id := range light {
			v, _ := f.values.Value(ctx, id)
			if v.Frequency > 0 && v.PAlive < 0.5 {
				atRisk = id
				break
			}
		}
		if atRisk == 0 {
			t.Fatal("no simulated customer at risk")
		}

		mk := func(cust int64) int64 {
			tk, err := f.tickets.Create(ctx, ticket.Actor{Kind: "customer"}, ticket.NewTicket{Subject: "Unhappy", Body: "I am leaving.",
				CustomerID: cust, OwnerID: owner.ID, Kind: "complaint"})
			if err != nil {
				t.Fatal(err)
			}
			return tk.ID
		}
		t1 := mk(atRisk)
		if _, err := f.s.Recommit(ctx, ticket.AgentActor(helper.ID), t1, "  "); err == nil {
			t.Fatal("empty words accepted")
		}
		rc, err := f.s.Recommit(ctx, ticket.AgentActor(helper.ID), t1, "Fine, I will order again next month.")
		if err != nil {
			t.Fatal(err)
		}
		v, _ := f.values.Value(ctx, atRisk)
		if rc.AgentID != owner.ID || rc.Value != v.ExpectedValue || rc.Currency != "EUR" || !rc.AtRiskAtStart || rc.Status != Confirmed {
			t.Fatalf("re-commitment = %+v; want credited to the owner %d, value %v, at risk", rc, owner.ID, v.ExpectedValue)
		}
		events, err := f.tickets.Events(ctx, t1)
		if err != nil {
			t.Fatal(err)
		}
		last := events[len(events)-1]
		if last.Type != ticket.EventRecommitted || last.ActorAgentID != helper.ID || last.Data["words"] != rc.Words {
			t.Fatalf("last event = %+v", last)
		}

		// A proposal from a message, confirmed by the owner.
		t2 := mk(heavy[0])
		p, ok, err := f.s.Propose(ctx, t2, "Ci vediamo al prossimo ordine!", SourceMessage, 0)
		if err != nil || !ok || p.Status != Proposed {
			t.Fatalf("propose = %+v, %v, %v", p, ok, err)
		}
		if _, err := f.s.Decide(ctx, ticket.AgentActor(owner.ID), t1, p.ID, true); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("decide on the wrong ticket: %v", err)
		}
		got, err := f.s.Decide(ctx, ticket.AgentActor(owner.ID), t2, p.ID, true)
		if err != nil || got.Status != Confirmed || got.AgentID != owner.ID || got.Value <= 0 || got.AtRiskAtStart {
			t.Fatalf("confirmed = %+v, %v", got, err)
		}
		if _, err := f.s.Decide(ctx, ticket.AgentActor(owner.ID), t2, p.ID, false); !errors.Is(err, ErrDecided) {
			t.Fatalf("deciding twice: %v", err)
		}
		// A rejected proposal earns nothing.
		p2, _, err := f.s.Propose(ctx, t2, "I'll stay, maybe", SourceSurvey, 0)
		if err != nil {
			t.Fatal(err)
		}
		if r, err := f.s.Decide(ctx, ticket.AgentActor(owner.ID), t2, p2.ID, false); err != nil || r.Status != Rejected {
			t.Fatalf("reject = %+v, %v", r, err)
		}
		list, err := f.s.ForTicket(ctx, t2)
		if err != nil || len(list) != 2 || list[0].AgentName != "Olga Owner" {
			t.Fatalf("for ticket = %+v, %v", list, err)
		}

		// Solve t1 so the rate has a base.
		if _, err := f.tickets.Reply(ctx, ticket.AgentActor(owner.ID), t1, "Glad to keep you.", ticket.Solved); err != nil {
			t.Fatal(err)
		}
		st, err := f.s.Agent(ctx, owner.ID, end.Add(-time.Hour), end.Add(time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		if st.Recommitments != 2 || math.Abs(st.Value-(rc.Value+got.Value)) > 1e-9 || st.Saved != 1 || st.Solved != 1 || st.Rate() != 2 {
			t.Fatalf("owner's stats = %+v", st)
		}
		if st, _ := f.s.Agent(ctx, helper.ID, end.Add(-time.Hour), end.Add(time.Hour)); st.Recommitments != 0 {
			t.Errorf("the helper got credit: %+v", st)
		}
	})
}
