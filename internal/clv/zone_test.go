package clv

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/rapport/rapport/internal/metrics"
	"github.com/rapport/rapport/internal/purchases"
	"github.com/rapport/rapport/internal/purchases/purchasestest"
	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/store/storetest"
)

// TestRefitCountsBusinessDays: the lifetime-value inputs (repeat purchase
// days, recency and the age T up to "today") are counted in the business's
// calendar days, the zone the metrics count in.
func TestRefitCountsBusinessDays(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		purchasestest.Simulate(t, f.customers, f.purchases, 60, f.clock.Now())
		// Two purchases on 20 May UTC, 19:00 on 20 May and 01:00 on 21 May
		// in Tokyo (UTC+9).
		var id int64
		for i, at := range []time.Time{time.Date(2025, 5, 20, 10, 0, 0, 0, time.UTC), time.Date(2025, 5, 20, 16, 0, 0, 0, time.UTC)} {
			a, err := f.purchases.Add(ctx, purchases.NewPurchase{Customer: purchases.CustomerRef{Email: "tokyo@example.com"},
				PurchasedAt: at, Amount: "40", Currency: "EUR", Reference: string(rune('a' + i))}, purchases.AddOpts{CreateCustomers: true})
			if err != nil {
				t.Fatal(err)
			}
			id = a.Purchase.CustomerID
		}
		// 16:00 UTC on 2 June is already 3 June in Tokyo.
		f.clock.Set(time.Date(2025, 6, 2, 16, 0, 0, 0, time.UTC))
		m := metrics.New(metrics.Opts{DB: db, Clock: f.clock})
		zoned, err := New(Opts{DB: db, Clock: f.clock, Jobs: f.queue, Log: slog.New(slog.DiscardHandler), Zone: m.Zone})
		if err != nil {
			t.Fatal(err)
		}
		check := func(name string, s *Service, freq int, recency, age float64) {
			t.Helper()
			if _, err := s.Refit(ctx); err != nil {
				t.Fatalf("%s: refit: %v", name, err)
			}
			v, err := s.Value(ctx, id)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			if v.Frequency != freq || v.Recency != recency || v.T != age {
				t.Errorf("%s: frequency %d, recency %g, T %g; want %d, %g, %g", name, v.Frequency, v.Recency, v.T, freq, recency, age)
			}
		}
		// No zone set: UTC days, one purchase day, 20 May to 2 June.
		check("UTC", zoned, 0, 0, 13)
		if _, err := m.SwitchZone(ctx, "Asia/Tokyo"); err != nil {
			t.Fatal(err)
		}
		// Tokyo: 20 and 21 May, today 3 June.
		check("Tokyo", zoned, 1, 1, 14)
		// A service without the zone still counts UTC days.
		check("no zone", f.s, 0, 0, 13)
	})
}
