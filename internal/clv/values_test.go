package clv

import (
	"context"
	"errors"
	"log/slog"
	"math"
	"testing"
	"time"

	"github.com/rapport/rapport/internal/customer"
	"github.com/rapport/rapport/internal/jobs"
	"github.com/rapport/rapport/internal/purchases"
	"github.com/rapport/rapport/internal/purchases/purchasestest"
	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/store/storetest"
)

// fixture is a Service, with the purchases it fits, on a fresh database.
type fixture struct {
	db        *store.DB
	clock     *jobs.FakeClock
	queue     *jobs.Queue
	customers *customer.Service
	purchases *purchases.Service
	s         *Service
}

func newFixture(t testing.TB, db *store.DB) *fixture {
	t.Helper()
	clock := jobs.NewFakeClock(time.Date(2025, 6, 2, 10, 0, 0, 0, time.UTC))
	log := slog.New(slog.DiscardHandler)
	q := jobs.New(db, clock, log)
	customers := customer.New(db, clock)
	p, err := purchases.New(purchases.Opts{DB: db, Clock: clock, Customers: customers})
	if err != nil {
		t.Fatal(err)
	}
	s, err := New(Opts{DB: db, Clock: clock, Jobs: q, Log: log})
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{db: db, clock: clock, queue: q, customers: customers, purchases: p, s: s}
}

func (f *fixture) count(t testing.TB, table string) int {
	t.Helper()
	var n int
	if err := f.db.R.QueryRow("SELECT count(*) FROM " + table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestRefitJob(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		if _, err := f.s.Refit(ctx); !errors.Is(err, ErrNoData) {
			t.Fatalf("refit without purchases: %v, want ErrNoData", err)
		}
		end := f.clock.Now()
		heavy, light := purchasestest.Simulate(t, f.customers, f.purchases, 200, end)
		// A purchase in another currency is left out of the EUR fit.
		if _, err := f.purchases.Add(ctx, purchases.NewPurchase{Customer: purchases.CustomerRef{ID: light[0]}, PurchasedAt: end.Add(-time.Hour),
			Amount: "100", Currency: "USD"}, purchases.AddOpts{}); err != nil {
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
