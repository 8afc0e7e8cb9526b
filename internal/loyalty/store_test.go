package loyalty

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/rapport/rapport/internal/agent"
	"github.com/rapport/rapport/internal/customer"
	"github.com/rapport/rapport/internal/jobs"
	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/store/storetest"
	"github.com/rapport/rapport/internal/ticket"
	"github.com/rapport/rapport/internal/valid"
)

// storeFixture is a Store over real services on a fresh database.
type storeFixture struct {
	db        *store.DB
	clock     *jobs.FakeClock
	queue     *jobs.Queue
	customers *customer.Service
	tickets   *ticket.Service
	agents    *agent.Service
	s         *Store
}

func newStoreFixture(t testing.TB, db *store.DB) *storeFixture {
	t.Helper()
	clock := jobs.NewFakeClock(time.Date(2025, 6, 2, 10, 0, 0, 0, time.UTC))
	log := slog.New(slog.DiscardHandler)
	q := jobs.New(db, clock, log)
	customers := customer.New(db, clock)
	tickets := ticket.NewService(ticket.Opts{DB: db, Clock: clock, Jobs: q, Customers: customers, Log: log})
	s, err := NewStore(StoreOpts{DB: db, Clock: clock, Jobs: q, Customers: customers, Tickets: tickets, Log: log})
	if err != nil {
		t.Fatal(err)
	}
	return &storeFixture{db: db, clock: clock, queue: q, customers: customers, tickets: tickets,
		agents: agent.New(db, clock), s: s}
}

func (f *storeFixture) count(t testing.TB, table string) int {
	t.Helper()
	var n int
	if err := f.db.R.QueryRow("SELECT count(*) FROM " + table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestParseMoney(t *testing.T) {
	tests := []struct {
		name, amount, currency string
		want                   Money
		wantErr                string
	}{
		{"cents", "12.50", "eur", Money{1250, "EUR"}, ""},
		{"whole", "7", "EUR", Money{700, "EUR"}, ""},
		{"one decimal", "7.5", "EUR", Money{750, "EUR"}, ""},
		{"leading dot", ".99", "USD", Money{99, "USD"}, ""},
		{"trailing zeros", "1.500", "EUR", Money{150, "EUR"}, ""},
		{"yen", "1200", "JPY", Money{1200, "JPY"}, ""},
		{"dinar", "1.234", "KWD", Money{1234, "KWD"}, ""},
		{"zero", "0", "EUR", Money{0, "EUR"}, ""},
		{"too many decimals", "1.234", "EUR", Money{}, "more decimals"},
		{"yen decimals", "1.5", "JPY", Money{}, "more decimals"},
		{"comma", "1,50", "EUR", Money{}, "not a decimal"},
		{"negative", "-3", "EUR", Money{}, "negative"},
		{"empty", "", "EUR", Money{}, "required"},
		{"dot only", ".", "EUR", Money{}, "not a decimal"},
		{"exponent", "1e5", "EUR", Money{}, "not a decimal"},
		{"huge", "99999999999999999999", "EUR", Money{}, "too large"},
		{"bad currency", "1", "euro", Money{}, "three-letter"},
		{"digits currency", "1", "E1R", Money{}, "three-letter"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseMoney(tc.amount, tc.currency)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("ParseMoney(%q, %q) = %v, %v; want error with %q", tc.amount, tc.currency, got, err, tc.wantErr)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("ParseMoney(%q, %q) = %v, %v; want %v", tc.amount, tc.currency, got, err, tc.want)
			}
			if back, err := ParseMoney(got.Decimal(), got.Currency); err != nil || back != got {
				t.Errorf("round trip of %v through %q gave %v, %v", got, got.Decimal(), back, err)
			}
		})
	}
}

func TestAddPurchases(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newStoreFixture(t, db)
		day := func(d int) time.Time { return time.Date(2025, 5, d, 12, 0, 0, 0, time.UTC) }

		// Unknown customer without creating: nothing stored.
		_, err := f.s.Add(ctx, NewPurchase{Customer: CustomerRef{Email: "new@example.com"}, PurchasedAt: day(1),
			Amount: "10", Currency: "EUR", Reference: "o-1"}, AddOpts{})
		var ve valid.Errors
		if !errors.As(err, &ve) || !strings.Contains(ve["email"], "no such customer") {
			t.Fatalf("unknown customer: err = %v, want a field error on email", err)
		}
		if n := f.count(t, "purchases"); n != 0 {
			t.Fatalf("%d purchases after a refused one", n)
		}

		a, err := f.s.Add(ctx, NewPurchase{Customer: CustomerRef{Email: "New@Example.com", Name: "Nina New"}, PurchasedAt: day(1),
			Amount: "10.40", Currency: "eur", Reference: "o-1", Channel: "Shop"}, AddOpts{CreateCustomers: true})
		if err != nil {
			t.Fatal(err)
		}
		if !a.Created || !a.CustomerCreated || a.Purchase.Amount != (Money{1040, "EUR"}) || a.Purchase.Channel != "shop" {
			t.Fatalf("added = %+v", a)
		}
		c, err := f.customers.FindByIdentity(ctx, customer.Email, "new@example.com")
		if err != nil || c.ID != a.Purchase.CustomerID || c.Name != "Nina New" {
			t.Fatalf("created customer = %+v, %v", c, err)
		}
		// The same reference again (a retried delivery) adds nothing.
		again, err := f.s.Add(ctx, NewPurchase{Customer: CustomerRef{ID: c.ID}, PurchasedAt: day(1),
			Amount: "10.40", Currency: "EUR", Reference: "o-1"}, AddOpts{})
		if err != nil || again.Created || again.Purchase.ID != a.Purchase.ID {
			t.Fatalf("replay = %+v, %v; want the first purchase, not created", again, err)
		}

		// A batch with one bad item stores none of it.
		_, err = f.s.AddBatch(ctx, []NewPurchase{
			{Customer: CustomerRef{ID: c.ID}, PurchasedAt: day(3), Amount: "5", Currency: "EUR", Reference: "o-2"},
			{Customer: CustomerRef{ID: c.ID}, PurchasedAt: day(4), Amount: "5,5", Currency: "EUR", Reference: "o-3"},
		}, AddOpts{})
		if !errors.As(err, &ve) || ve["purchases[1].amount"] == "" {
			t.Fatalf("bad batch: err = %v, want purchases[1].amount", err)
		}
		_, err = f.s.AddBatch(ctx, []NewPurchase{
			{Customer: CustomerRef{ID: c.ID}, PurchasedAt: day(3), Amount: "5", Currency: "EUR", Reference: "o-2"},
			{Customer: CustomerRef{Email: "ghost@example.com"}, PurchasedAt: day(4), Amount: "5", Currency: "EUR"},
		}, AddOpts{})
		if !errors.As(err, &ve) || ve["purchases[1].email"] == "" {
			t.Fatalf("batch with unknown customer: err = %v", err)
		}
		if n := f.count(t, "purchases"); n != 1 {
			t.Fatalf("%d purchases after refused batches, want 1", n)
		}
		added, err := f.s.AddBatch(ctx, []NewPurchase{
			{Customer: CustomerRef{ID: c.ID}, PurchasedAt: day(3), Amount: "5", Currency: "EUR", Reference: "o-2"},
			{Customer: CustomerRef{ID: c.ID}, PurchasedAt: day(3).Add(time.Hour), Amount: "2.5", Currency: "EUR"},
			{Customer: CustomerRef{ID: c.ID}, PurchasedAt: day(20), Amount: "3000", Currency: "JPY"},
		}, AddOpts{Channel: "api"})
		if err != nil || len(added) != 3 || added[1].Purchase.Channel != "api" {
			t.Fatalf("batch = %+v, %v", added, err)
		}

		list, next, err := f.s.Purchases(ctx, c.ID, nil, 2)
		if err != nil || len(list) != 2 || next == nil || list[0].Amount.Currency != "JPY" {
			t.Fatalf("first page = %+v, %v, %v", list, next, err)
		}
		rest, next2, err := f.s.Purchases(ctx, c.ID, next, 2)
		if err != nil || len(rest) != 2 || next2 != nil || rest[1].Reference != "o-1" {
			t.Fatalf("second page = %+v, %v, %v", rest, next2, err)
		}

		f.clock.Set(time.Date(2025, 5, 25, 9, 0, 0, 0, time.UTC))
		sum, err := f.s.Summary(ctx, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		// Days 1, 3 and 20: two repeat purchase days; 4 purchases in all.
		want := PurchaseSummary{Count: 4, Frequency: 2, DaysSinceLast: 4,
			Totals: []Money{{1790, "EUR"}, {3000, "JPY"}}, First: day(1), Last: day(20)}
		if fmt.Sprint(sum) != fmt.Sprint(want) {
			t.Fatalf("summary = %+v\nwant      %+v", sum, want)
		}
		empty, err := f.s.Summary(ctx, c.ID+1000)
		if err != nil || empty.Count != 0 || empty.DaysSinceLast != -1 {
			t.Fatalf("empty summary = %+v, %v", empty, err)
		}
	})
}

func TestImportPurchases(t *testing.T) {
	good := "email,name,date,amount,currency,reference,channel\n" +
		"ann@example.com,Ann,2025-05-01,19.90,EUR,A-1,shop\n" +
		"ann@example.com,Ann,2025-05-08T15:04:05+02:00,5,EUR,A-2,\n" +
		"bob@example.com,Bob,2025-05-09,120.00,,B-1,pos\n"
	bad := "email,date,amount,reference\n" +
		"ann@example.com,2025-05-01,19.90,A-1\n" +
		"not-an-email,2025-05-02,1,A-9\n" +
		"ann@example.com,yesterday,1,A-10\n" +
		"ann@example.com,2025-05-03,1;5,A-11\n" +
		"ann@example.com,2025-05-04,7,A-12\n"
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newStoreFixture(t, db)

		res, err := f.s.Import(ctx, strings.NewReader(bad), ImportOpts{CreateCustomers: true})
		if !errors.Is(err, ErrBadLines) {
			t.Fatalf("bad file: err = %v, want ErrBadLines", err)
		}
		var lines []int
		for _, b := range res.Bad {
			lines = append(lines, b.Line)
		}
		if fmt.Sprint(lines) != "[3 4 5]" || res.Added != 0 {
			t.Fatalf("bad file: bad lines %v, added %d; want [3 4 5], 0", lines, res.Added)
		}
		if n := f.count(t, "purchases") + f.count(t, "customers"); n != 0 {
			t.Fatalf("a bad file left %d rows", n)
		}

		res, err = f.s.Import(ctx, strings.NewReader(bad), ImportOpts{CreateCustomers: true, SkipBad: true})
		if err != nil || res.Added != 2 || len(res.Bad) != 3 || res.CustomersCreated != 1 {
			t.Fatalf("skip bad: %+v, %v", res, err)
		}

		// Unknown customers (Bob; Ann exists now) are bad lines unless
		// asked to create them.
		res, err = f.s.Import(ctx, strings.NewReader(good), ImportOpts{})
		if !errors.Is(err, ErrBadLines) || len(res.Bad) != 1 || res.Bad[0].Line != 4 || !strings.Contains(res.Bad[0].Error(), "no such customer") {
			t.Fatalf("unknown customers: %+v, %v", res, err)
		}
		if n := f.count(t, "purchases"); n != 2 {
			t.Fatalf("%d purchases after a refused import, want 2", n)
		}
		var progress []int
		res, err = f.s.Import(ctx, strings.NewReader(good), ImportOpts{CreateCustomers: true, Currency: "eur",
			Progress: func(done, total int) { progress = append(progress, done, total) }})
		if err != nil || res.Added != 2 || res.Duplicates != 1 || res.CustomersCreated != 1 || res.Lines != 3 {
			t.Fatalf("good file: %+v, %v", res, err)
		}
		if fmt.Sprint(progress) != "[3 3]" {
			t.Errorf("progress = %v", progress)
		}
		// Again: everything is a duplicate.
		res, err = f.s.Import(ctx, strings.NewReader(good), ImportOpts{CreateCustomers: true})
		if err != nil || res.Added != 0 || res.Duplicates != 3 {
			t.Fatalf("re-import: %+v, %v", res, err)
		}
		bob, err := f.customers.FindByIdentity(ctx, customer.Email, "bob@example.com")
		if err != nil {
			t.Fatal(err)
		}
		ps, _, err := f.s.Purchases(ctx, bob.ID, nil, 10)
		if err != nil || len(ps) != 1 || ps[0].Amount != (Money{12000, "EUR"}) || ps[0].Channel != "pos" {
			t.Fatalf("bob's purchases = %+v, %v", ps, err)
		}
		ann, _ := f.customers.FindByIdentity(ctx, customer.Email, "ann@example.com")
		ps, _, _ = f.s.Purchases(ctx, ann.ID, nil, 10)
		for _, p := range ps {
			if p.Reference == "A-2" && !p.PurchasedAt.Equal(time.Date(2025, 5, 8, 13, 4, 5, 0, time.UTC)) {
				t.Errorf("A-2 at %v, want 13:04:05 UTC", p.PurchasedAt)
			}
		}

		for _, hdr := range []string{"", "date,amount\n", "email,amount\n"} {
			if _, err := f.s.Import(ctx, strings.NewReader(hdr), ImportOpts{}); err == nil || errors.Is(err, ErrBadLines) {
				t.Errorf("header %q: err = %v, want a header error", hdr, err)
			}
		}
	})
}

// simulatePurchases draws purchase days for n customers from BG/NBD-like
// behaviour over the year before end: customer i is "heavy" (buys about
// weekly and stays) when i%10 == 0, else buys rarely and often drops out.
func simulatePurchases(t *testing.T, f *storeFixture, n int, end time.Time) (heavy, light []int64) {
	t.Helper()
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(7, 11))
	var ns []NewPurchase
	for i := range n {
		email := fmt.Sprintf("sim%03d@example.com", i)
		c, err := f.customers.Create(ctx, customer.NewCustomer{Name: fmt.Sprintf("Sim %d", i), Emails: []string{email}})
		if err != nil {
			t.Fatal(err)
		}
		rate, drop := 1/60.0, 0.5
		if i%10 == 0 {
			rate, drop = 1/7.0, 0.0
			heavy = append(heavy, c.ID)
		} else {
			light = append(light, c.ID)
		}
		at := end.AddDate(0, 0, -365+rng.IntN(60))
		for k := 0; at.Before(end); k++ {
			ns = append(ns, NewPurchase{Customer: CustomerRef{ID: c.ID}, PurchasedAt: at,
				Amount: fmt.Sprintf("%d.%02d", 10+rng.IntN(90), rng.IntN(100)), Currency: "EUR", Reference: fmt.Sprintf("r%d", k)})
			if rng.Float64() < drop {
				break
			}
			at = at.Add(time.Duration(rng.ExpFloat64()/rate*24) * time.Hour)
		}
	}
	if _, err := f.s.AddBatch(ctx, ns, AddOpts{}); err != nil {
		t.Fatal(err)
	}
	return heavy, light
}

func TestRefitJob(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newStoreFixture(t, db)
		if _, err := f.s.Refit(ctx); !errors.Is(err, ErrNoData) {
			t.Fatalf("refit without purchases: %v, want ErrNoData", err)
		}
		end := f.clock.Now()
		heavy, light := simulatePurchases(t, f, 200, end)
		// A purchase in another currency is left out of the EUR fit.
		if _, err := f.s.Add(ctx, NewPurchase{Customer: CustomerRef{ID: light[0]}, PurchasedAt: end.Add(-time.Hour),
			Amount: "100", Currency: "USD"}, AddOpts{}); err != nil {
			t.Fatal(err)
		}

		if err := f.s.Schedule(ctx); err != nil {
			t.Fatal(err)
		}
		info, err := f.queue.GetByKey(ctx, refitNightlyKey)
		if err != nil || info.Status != "pending" || !info.RunAt.Equal(time.Date(2025, 6, 3, 3, 0, 0, 0, time.UTC)) {
			t.Fatalf("nightly job = %+v, %v", info, err)
		}
		if n, _ := f.queue.RunDue(ctx); n != 0 {
			t.Fatalf("%d jobs ran before the night", n)
		}
		f.clock.Set(info.RunAt)
		if n, err := f.queue.RunDue(ctx); n != 1 || err != nil {
			t.Fatalf("RunDue = %d, %v", n, err)
		}
		info, err = f.queue.GetByKey(ctx, refitNightlyKey)
		if err != nil || info.Status != "pending" || !info.RunAt.Equal(time.Date(2025, 6, 4, 3, 0, 0, 0, time.UTC)) {
			t.Fatalf("next nightly job = %+v, %v", info, err)
		}
		if n := f.count(t, "customer_values"); n != 200 {
			t.Fatalf("%d customer values, want 200", n)
		}
		fit, err := f.s.LatestFit(ctx)
		if err != nil || fit.Currency != "EUR" || fit.Customers != 200 || fit.GammaGamma == nil {
			t.Fatalf("fit = %+v, %v", fit, err)
		}

		mean := func(ids []int64, get func(CustomerValue) float64) float64 {
			var sum float64
			for _, id := range ids {
				v, err := f.s.Value(ctx, id)
				if err != nil {
					t.Fatal(err)
				}
				if v.PAlive < 0 || v.PAlive > 1 || v.ExpectedValue < 0 || math.IsNaN(v.ExpectedValue) || v.ChurnRisk != nil {
					t.Fatalf("customer %d: implausible %+v", id, v)
				}
				sum += get(v)
			}
			return sum / float64(len(ids))
		}
		ePurchases := func(v CustomerValue) float64 { return v.ExpectedPurchases }
		// Heavy buyers buy weekly: about 52 purchases a year ahead; the
		// light ones far fewer.
		if h, l := mean(heavy, ePurchases), mean(light, ePurchases); h < 25 || h > 80 || l > h/4 {
			t.Errorf("expected purchases in a year: heavy %.1f, light %.1f", h, l)
		}
		regular := func(v CustomerValue) float64 {
			if v.Regular {
				return 1
			}
			return 0
		}
		if h := mean(heavy, regular); h != 1 {
			t.Errorf("%.0f%% of heavy buyers are regulars, want all", h*100)
		}
		if l := mean(light, regular); l > 0.2 {
			t.Errorf("%.0f%% of light buyers are regulars", l*100)
		}
		if st, err := f.s.Standing(ctx, heavy[0]); err != nil || st != StandingRegular {
			t.Errorf("standing of a heavy buyer = %q, %v", st, err)
		}

		// The churn model's columns survive a refit.
		if _, err := db.W.Exec(`UPDATE customer_values SET churn_risk = 0.8, churn_reasons = '[{"feature":"recency","contribution":1.2}]' WHERE customer_id = $1`, heavy[0]); err != nil {
			t.Fatal(err)
		}
		if err := f.s.RefitSoon(ctx); err != nil {
			t.Fatal(err)
		}
		if n, err := f.queue.RunDue(ctx); n != 1 || err != nil {
			t.Fatalf("refit now: RunDue = %d, %v", n, err)
		}
		v, err := f.s.Value(ctx, heavy[0])
		if err != nil || v.ChurnRisk == nil || *v.ChurnRisk != 0.8 || len(v.ChurnReasons) != 1 || v.ChurnReasons[0].Feature != "recency" {
			t.Fatalf("after refit: %+v, %v", v, err)
		}
		if info, _ := f.queue.GetByKey(ctx, refitNightlyKey); !info.RunAt.Equal(time.Date(2025, 6, 4, 3, 0, 0, 0, time.UTC)) {
			t.Errorf("the refit on demand moved the nightly one to %v", info.RunAt)
		}
	})
}

func TestRecommitments(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newStoreFixture(t, db)
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
		heavy, light := simulatePurchases(t, f, 60, end)
		if _, err := f.s.Refit(ctx); err != nil {
			t.Fatal(err)
		}
		// A light buyer who last bought long ago is at risk; find one.
		var atRisk int64
		for _, id := range light {
			v, _ := f.s.Value(ctx, id)
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
		v, _ := f.s.Value(ctx, atRisk)
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
		panel, err := f.s.Panel(ctx, atRisk)
		if err != nil || panel.Value == nil || len(panel.Recommitments) != 1 || len(panel.Recent) == 0 || panel.Summary.Count == 0 {
			t.Fatalf("panel = %+v, %v", panel, err)
		}
	})
}
