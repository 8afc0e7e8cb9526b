package recovery

import (
	"context"
	"errors"
	"log/slog"
	"net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rapport/rapport/internal/agent"
	"github.com/rapport/rapport/internal/channel/mailout"
	"github.com/rapport/rapport/internal/customer"
	"github.com/rapport/rapport/internal/i18n"
	"github.com/rapport/rapport/internal/jobs"
	"github.com/rapport/rapport/internal/purchases"
	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/store/storetest"
	"github.com/rapport/rapport/internal/ticket"
	"github.com/rapport/rapport/internal/valid"
)

// notices records the customer notices the service sends.
type notices struct {
	mu   sync.Mutex
	sent []mailout.Notice
}

func (n *notices) SendNotice(_ context.Context, m mailout.Notice) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.sent = append(n.sent, m)
	return nil
}

type fixture struct {
	db        *store.DB
	clock     *jobs.FakeClock
	queue     *jobs.Queue
	tickets   *ticket.Service
	purchases *purchases.Service
	mail      *notices
	s         *Service
	agent     int64 // role agent
	manager   int64
	ticket    ticket.Ticket
}

func newFixture(t testing.TB, db *store.DB) *fixture {
	t.Helper()
	ctx := context.Background()
	clock := jobs.NewFakeClock(time.Date(2025, 6, 2, 10, 0, 0, 0, time.UTC))
	log := slog.New(slog.DiscardHandler)
	q := jobs.New(db, clock, log)
	customers := customer.New(db, clock)
	tickets := ticket.NewService(ticket.Opts{DB: db, Clock: clock, Jobs: q, Customers: customers, Log: log})
	p, err := purchases.New(purchases.Opts{DB: db, Clock: clock, Customers: customers})
	if err != nil {
		t.Fatal(err)
	}
	n := &notices{}
	s, err := New(Opts{DB: db, Clock: clock, Jobs: q, Tickets: tickets, I18n: i18n.MustLoad(), Mail: n, Log: log})
	if err != nil {
		t.Fatal(err)
	}
	agents := agent.New(db, clock)
	f := &fixture{db: db, clock: clock, queue: q, tickets: tickets, purchases: p, mail: n, s: s}
	for _, a := range []struct {
		email string
		role  agent.Role
		id    *int64
	}{{"al@rapport.test", agent.RoleAgent, &f.agent}, {"mia@rapport.test", agent.RoleManager, &f.manager}} {
		ag, err := agents.Create(ctx, agent.NewAgent{Email: a.email, Name: a.email, Role: a.role, Password: "correct horse battery", Locale: "en"})
		if err != nil {
			t.Fatal(err)
		}
		*a.id = ag.ID
	}
	f.ticket, err = tickets.Create(ctx, ticket.Actor{Kind: "customer"}, ticket.NewTicket{Subject: "Broken lamp", Body: "La lampada è arrivata rotta.",
		Channel: "email", CustomerEmail: "carla@example.com", CustomerName: "Carla", Language: "it"})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func (f *fixture) order(t testing.TB, ref, amount string) int64 {
	t.Helper()
	a, err := f.purchases.Add(context.Background(), purchases.NewPurchase{Customer: purchases.CustomerRef{ID: f.ticket.CustomerID},
		PurchasedAt: f.clock.Now().Add(-48 * time.Hour), Amount: amount, Currency: "EUR", Reference: ref}, purchases.AddOpts{})
	if err != nil {
		t.Fatal(err)
	}
	return a.Purchase.ID
}

func (f *fixture) kind(t testing.TB, k string) Kind {
	t.Helper()
	ks, err := f.s.Kinds(context.Background(), true)
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range ks {
		if x.Kind == k {
			return x
		}
	}
	t.Fatalf("no kind %s", k)
	return Kind{}
}

func (f *fixture) events(t testing.TB, typ string) int {
	t.Helper()
	evs, err := f.tickets.Events(context.Background(), f.ticket.ID)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range evs {
		if e.Type == typ {
			n++
		}
	}
	return n
}

func (f *fixture) count(t testing.TB) int {
	t.Helper()
	var n int
	if err := f.db.R.QueryRow("SELECT count(*) FROM compensations").Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestGrantWithinLimitAndRequestAbove(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		order := f.order(t, "A-100", "120.00")
		refund := f.kind(t, KindRefund) // agent: 50.00 per ticket, 300.00 a month

		c, err := f.s.Grant(ctx, f.agent, f.ticket.ID, NewCompensation{KindID: refund.ID, Amount: "30.00", Reason: "arrived broken", PurchaseID: order})
		if err != nil {
			t.Fatal(err)
		}
		if c.Status != Granted || c.Amount.Minor != 3000 || c.Amount.Currency != "EUR" || c.PurchaseRef != "A-100" {
			t.Fatalf("grant %+v", c)
		}
		if f.events(t, EventGranted) != 1 {
			t.Fatal("no compensation_granted event")
		}
		// 30 + 25 is above the agent's 50.00 per ticket: a request.
		req, err := f.s.Grant(ctx, f.agent, f.ticket.ID, NewCompensation{KindID: refund.ID, Amount: "25", Reason: "and late", PurchaseID: order})
		if err != nil {
			t.Fatal(err)
		}
		if req.Status != Requested || f.events(t, EventRequested) != 1 {
			t.Fatalf("request %+v", req)
		}
		// The customer hears of the grant, in Italian.
		if _, err := f.queue.RunDue(ctx); err != nil {
			t.Fatal(err)
		}
		if len(f.mail.sent) != 1 || f.mail.sent[0].Language != "it" || !strings.Contains(f.mail.sent[0].Text, "30.00 EUR") ||
			f.mail.sent[0].To != (mail.Address{Name: "Carla", Address: "carla@example.com"}) {
			t.Fatalf("notices %+v", f.mail.sent)
		}
		// The managers hear of the request at once and, four hours on,
		// again while it waits.
		managerNotes := func() int {
			t.Helper()
			var notes int
			if err := db.R.QueryRow("SELECT count(*) FROM notifications WHERE agent_id = $1 AND kind = $2", f.manager, NotifyRequestWaiting).Scan(&notes); err != nil {
				t.Fatal(err)
			}
			return notes
		}
		if n := managerNotes(); n != 1 {
			t.Fatalf("manager notifications at the request: %d", n)
		}
		f.clock.Advance(4*time.Hour + time.Minute)
		if _, err := f.queue.RunDue(ctx); err != nil {
			t.Fatal(err)
		}
		if n := managerNotes(); n != 2 {
			t.Fatalf("manager notifications after four hours: %d", n)
		}
		// The manager approves it in one step; a second decision conflicts.
		ok, err := f.s.Approve(ctx, f.manager, req.ID)
		if err != nil || ok.Status != Granted || ok.DecidedBy != f.manager {
			t.Fatalf("approve %+v %v", ok, err)
		}
		if _, err := f.s.Decline(ctx, f.manager, req.ID, "no"); !errors.Is(err, ErrDecided) {
			t.Fatalf("second decision: %v", err)
		}
		if f.events(t, EventGranted) != 2 {
			t.Fatal("approval wrote no event")
		}
		var told int
		if err := db.R.QueryRow("SELECT count(*) FROM notifications WHERE agent_id = $1 AND kind = $2", f.agent, NotifyRequestDecided).Scan(&told); err != nil || told != 1 {
			t.Fatalf("the agent was told %d times (%v)", told, err)
		}
		// The order had 120.00: 55 refunded, 70 more is too much.
		_, err = f.s.Grant(ctx, f.agent, f.ticket.ID, NewCompensation{KindID: refund.ID, Amount: "70", Reason: "x", PurchaseID: order})
		var ve valid.Errors
		if !errors.As(err, &ve) || ve["amount"] == "" {
			t.Fatalf("over-refund: %v", err)
		}
		tot, err := f.s.Totals(ctx, f.clock.Now().Add(-24*time.Hour), f.clock.Now().Add(time.Hour))
		if err != nil || tot.Count != 2 || tot.Amount != 5500 {
			t.Fatalf("totals %+v %v", tot, err)
		}
		at, err := f.s.AgentTotals(ctx, f.agent, f.clock.Now().Add(-24*time.Hour), f.clock.Now().Add(time.Hour))
		if err != nil || at.Count != 2 || at.Amount != 5500 {
			t.Fatalf("agent totals %+v %v", at, err)
		}
		led, err := f.s.Ledger(ctx, Filter{Status: Granted})
		if err != nil || len(led) != 2 {
			t.Fatalf("ledger %+v %v", led, err)
		}
	})
}

func TestMonthLimitAndDecline(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		voucher := f.kind(t, KindVoucher) // agent: 20.00 per ticket, 200.00 a month
		// Ten tickets at 20.00 fill the month; the eleventh is a request.
		for i := range 11 {
			tk, err := f.tickets.Create(ctx, ticket.Actor{Kind: "customer"}, ticket.NewTicket{Subject: "late", Body: "late",
				Channel: "email", CustomerEmail: "carla@example.com"})
			if err != nil {
				t.Fatal(err)
			}
			c, err := f.s.Grant(ctx, f.agent, tk.ID, NewCompensation{KindID: voucher.ID, Amount: "20", Reason: "late"})
			if err != nil {
				t.Fatal(err)
			}
			want := Granted
			if i == 10 {
				want = Requested
			}
			if c.Status != want {
				t.Fatalf("voucher %d: %s, want %s", i, c.Status, want)
			}
			if i == 10 {
				if _, err := f.s.Decline(ctx, f.manager, c.ID, " "); err == nil {
					t.Fatal("declined without a reason")
				}
				d, err := f.s.Decline(ctx, f.manager, c.ID, "already compensated this month")
				if err != nil || d.Status != Declined {
					t.Fatalf("decline %+v %v", d, err)
				}
			}
		}
		// Next month the agent's count starts again.
		f.clock.Advance(30 * 24 * time.Hour)
		c, err := f.s.Grant(ctx, f.agent, f.ticket.ID, NewCompensation{KindID: voucher.ID, Amount: "20", Reason: "late"})
		if err != nil || c.Status != Granted {
			t.Fatalf("next month %+v %v", c, err)
		}
	})
}

func TestGrantBadInput(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		refund, replacement := f.kind(t, KindRefund), f.kind(t, KindReplacement)
		other, err := f.tickets.Create(ctx, ticket.Actor{Kind: "customer"}, ticket.NewTicket{Subject: "x", Body: "x",
			Channel: "email", CustomerEmail: "someone@example.com"})
		if err != nil {
			t.Fatal(err)
		}
		f.ticket = other
		theirs := f.order(t, "B-1", "10.00")
		f.ticket, _ = f.tickets.Get(ctx, f.ticket.ID-1)
		mine := f.order(t, "A-1", "10.00")
		cases := []struct {
			name  string
			n     NewCompensation
			field string
		}{
			{"no reason", NewCompensation{KindID: refund.ID, Amount: "5", PurchaseID: mine}, "reason"},
			{"negative", NewCompensation{KindID: refund.ID, Amount: "-5", Reason: "x", PurchaseID: mine}, "amount"},
			{"zero", NewCompensation{KindID: refund.ID, Amount: "0", Reason: "x", PurchaseID: mine}, "amount"},
			{"too many decimals", NewCompensation{KindID: refund.ID, Amount: "1.234", Reason: "x", PurchaseID: mine}, "amount"},
			{"refund without order", NewCompensation{KindID: refund.ID, Amount: "5", Reason: "x"}, "purchase"},
			{"someone else's order", NewCompensation{KindID: refund.ID, Amount: "5", Reason: "x", PurchaseID: theirs}, "purchase"},
			{"unknown order", NewCompensation{KindID: refund.ID, Amount: "5", Reason: "x", PurchaseID: 99999}, "purchase"},
			{"more than the order", NewCompensation{KindID: refund.ID, Amount: "11", Reason: "x", PurchaseID: mine}, "amount"},
			{"unknown kind", NewCompensation{KindID: 999, Amount: "5", Reason: "x"}, "kind"},
			{"amount on a replacement", NewCompensation{KindID: replacement.ID, Amount: "5", Reason: "x"}, "amount"},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				_, err := f.s.Grant(ctx, f.agent, f.ticket.ID, tc.n)
				var ve valid.Errors
				if !errors.As(err, &ve) || ve[tc.field] == "" {
					t.Fatalf("got %v, want an error on %s", err, tc.field)
				}
			})
		}
		// A deactivated kind is not on offer.
		replacement.Active = false
		if _, err := f.s.SaveKind(ctx, replacement); err != nil {
			t.Fatal(err)
		}
		if _, err := f.s.Grant(ctx, f.agent, f.ticket.ID, NewCompensation{KindID: replacement.ID, Reason: "x"}); err == nil {
			t.Fatal("granted a deactivated kind")
		}
		// A closed ticket takes none.
		if _, err := db.W.Exec("UPDATE tickets SET status = 'closed' WHERE id = $1", f.ticket.ID); err != nil {
			t.Fatal(err)
		}
		_, err = f.s.Grant(ctx, f.agent, f.ticket.ID, NewCompensation{KindID: refund.ID, Amount: "5", Reason: "x", PurchaseID: mine})
		var ve valid.Errors
		if !errors.As(err, &ve) || ve["ticket"] == "" {
			t.Fatalf("closed ticket: %v", err)
		}
		if n := f.count(t); n != 0 {
			t.Fatalf("%d rows written by failed grants", n)
		}
		if f.events(t, EventGranted)+f.events(t, EventRequested) != 0 {
			t.Fatal("events written by failed grants")
		}
	})
}

func TestSettingsAndKinds(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		if _, err := f.s.SaveSettings(ctx, Settings{Currency: "euro", RequestDueHours: 0}); err == nil {
			t.Fatal("bad settings saved")
		}
		st, err := f.s.SaveSettings(ctx, Settings{Currency: "gbp", RequestDueHours: 8})
		if err != nil || st.Currency != "GBP" {
			t.Fatalf("%+v %v", st, err)
		}
		ks, err := f.s.Kinds(ctx, true)
		if err != nil || len(ks) != 6 {
			t.Fatalf("seeded kinds %d %v", len(ks), err)
		}
		k := ks[0]
		k.Name = "Money back"
		neg := int64(-1)
		k.Limits[agent.RoleAgent] = Limit{Ticket: &neg}
		if _, err := f.s.SaveKind(ctx, k); err == nil {
			t.Fatal("negative limit saved")
		}
		k.Limits[agent.RoleAgent] = Limit{}
		if _, err := f.s.SaveKind(ctx, k); err != nil {
			t.Fatal(err)
		}
		got, err := f.s.Kind(ctx, k.ID)
		if err != nil || got.Name != "Money back" || got.Limits[agent.RoleAgent].Ticket != nil {
			t.Fatalf("%+v %v", got, err)
		}
	})
}

// TestApproveWithinApproverLimit: a manager's approval must fit the
// manager's own limits, per ticket and per month (what they granted
// themselves counts); above them the approval is refused with a keyed
// error, the request stays open and an administrator approves it.
func TestApproveWithinApproverLimit(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		admin, err := agent.New(db, f.clock).Create(ctx, agent.NewAgent{Email: "ada@rapport.test", Name: "Ada", Role: agent.RoleAdmin,
			Password: "correct horse battery", Locale: "en"})
		if err != nil {
			t.Fatal(err)
		}
		overLimit := func(t *testing.T, err error) {
			t.Helper()
			var fields valid.Fields
			if !errors.As(err, &fields) || fields["approve"].Key != "valid.approve_over_limit" ||
				!strings.Contains(fields["approve"].Text, "an administrator must approve it") {
				t.Fatalf("approval above the manager's limit: %v", err)
			}
		}
		newTicket := func(t *testing.T) int64 {
			t.Helper()
			tk, err := f.tickets.Create(ctx, ticket.Actor{Kind: "customer"}, ticket.NewTicket{Subject: "late", Body: "late",
				Channel: "email", CustomerEmail: "carla@example.com"})
			if err != nil {
				t.Fatal(err)
			}
			return tk.ID
		}

		// Per ticket: a voucher of 150.00 is above the manager's 100.00.
		voucher := f.kind(t, KindVoucher)
		req, err := f.s.Grant(ctx, f.agent, f.ticket.ID, NewCompensation{KindID: voucher.ID, Amount: "150", Reason: "ruined holiday"})
		if err != nil || req.Status != Requested {
			t.Fatalf("request %+v %v", req, err)
		}
		_, err = f.s.Approve(ctx, f.manager, req.ID)
		overLimit(t, err)
		if c, err := f.s.Get(ctx, req.ID); err != nil || c.Status != Requested || f.events(t, EventGranted) != 0 {
			t.Fatalf("after the refused approval: %+v %v, %d grants", c, err, f.events(t, EventGranted))
		}
		if c, err := f.s.Approve(ctx, admin.ID, req.ID); err != nil || c.Status != Granted || c.DecidedBy != admin.ID {
			t.Fatalf("admin approval %+v %v", c, err)
		}

		// Per month: free shipping, the manager's 50.00 a ticket and
		// 500.00 a month, ten granted by the manager themselves fill it.
		shipping := f.kind(t, KindShipping)
		for range 10 {
			if c, err := f.s.Grant(ctx, f.manager, newTicket(t), NewCompensation{KindID: shipping.ID, Amount: "50", Reason: "late"}); err != nil || c.Status != Granted {
				t.Fatalf("manager's own grant %+v %v", c, err)
			}
		}
		req, err = f.s.Grant(ctx, f.agent, newTicket(t), NewCompensation{KindID: shipping.ID, Amount: "40", Reason: "late"})
		if err != nil || req.Status != Requested {
			t.Fatalf("request %+v %v", req, err)
		}
		_, err = f.s.Approve(ctx, f.manager, req.ID)
		overLimit(t, err)
		// Next month the manager's count starts again.
		f.clock.Advance(31 * 24 * time.Hour)
		if c, err := f.s.Approve(ctx, f.manager, req.ID); err != nil || c.Status != Granted {
			t.Fatalf("next month %+v %v", c, err)
		}
	})
}
