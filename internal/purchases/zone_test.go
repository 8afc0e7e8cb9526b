package purchases

import (
	"context"
	"testing"
	"time"

	"github.com/rapport/rapport/internal/metrics"
	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/store/storetest"
)

// TestPurchaseDaysInBusinessZone: the purchase days of the summary (its
// frequency) are the business's calendar days, the zone the metrics count
// in, not UTC days.
func TestPurchaseDaysInBusinessZone(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newStoreFixture(t, db)
		m := metrics.New(metrics.Opts{DB: db, Clock: f.clock})
		zoned, err := New(Opts{DB: db, Clock: f.clock, Customers: f.customers, Zone: m.Zone})
		if err != nil {
			t.Fatal(err)
		}
		// Tokyo is UTC+9: 10:00 and 16:00 UTC on 1 May are 19:00 on 1 May
		// and 01:00 on 2 May there; 23:00 UTC is 08:00 on 2 May.
		add := func(ref string, at time.Time) int64 {
			t.Helper()
			a, err := f.s.Add(ctx, NewPurchase{Customer: CustomerRef{Email: "tokyo@example.com"}, PurchasedAt: at,
				Amount: "10", Currency: "JPY", Reference: ref}, AddOpts{CreateCustomers: true})
			if err != nil {
				t.Fatal(err)
			}
			return a.Purchase.CustomerID
		}
		id := add("t-1", time.Date(2025, 5, 1, 10, 0, 0, 0, time.UTC))
		add("t-2", time.Date(2025, 5, 1, 16, 0, 0, 0, time.UTC))
		add("t-3", time.Date(2025, 5, 1, 23, 0, 0, 0, time.UTC))

		bought := 3
		freq := func(s *Service) int {
			t.Helper()
			sum, err := s.Summary(ctx, id)
			if err != nil || sum.Count != bought {
				t.Fatalf("summary = %+v, %v; want %d purchases", sum, err, bought)
			}
			return sum.Frequency
		}
		// Before the business has a zone the metrics count UTC days: one day.
		if got := freq(zoned); got != 0 {
			t.Errorf("UTC business: frequency %d, want 0 (one purchase day)", got)
		}
		if _, err := m.SwitchZone(ctx, "Asia/Tokyo"); err != nil {
			t.Fatal(err)
		}
		if got := freq(zoned); got != 1 {
			t.Errorf("Tokyo business: frequency %d, want 1 (1 and 2 May there)", got)
		}
		// Without a zone the service keeps counting UTC days.
		if got := freq(f.s); got != 0 {
			t.Errorf("no zone: frequency %d, want 0", got)
		}
		// Los Angeles is UTC-7 in May: 10:00 UTC on 1 May is 03:00 there,
		// 16:00 and 23:00 UTC are 09:00 and 16:00, all on 1 May: one day.
		if _, err := m.SwitchZone(ctx, "America/Los_Angeles"); err != nil {
			t.Fatal(err)
		}
		add("t-4", time.Date(2025, 5, 2, 6, 0, 0, 0, time.UTC)) // 23:00 on 1 May in Los Angeles
		bought = 4
		if got := freq(zoned); got != 0 {
			t.Errorf("Los Angeles business: frequency %d, want 0 (all on 1 May there)", got)
		}
		if got := freq(f.s); got != 1 {
			t.Errorf("no zone: frequency %d, want 1 (1 and 2 May UTC)", got)
		}
	})
}
