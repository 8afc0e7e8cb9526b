// Package purchasestest makes purchase histories for the tests of the
// packages that read purchases (lifetime value, re-commitments, the
// customer-360 panel).
package purchasestest

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/rapport/rapport/internal/customer"
	"github.com/rapport/rapport/internal/purchases"
)

// Simulate draws purchase days for n new customers from BG/NBD-like
// behaviour over the year before end and adds them through p: customer i
// is "heavy" (buys about weekly and stays) when i%10 == 0, else buys
// rarely and often drops out. The draw is the same on every run.
func Simulate(t testing.TB, customers *customer.Service, p *purchases.Service, n int, end time.Time) (heavy, light []int64) {
	t.Helper()
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(7, 11))
	var ns []purchases.NewPurchase
	for i := range n {
		email := fmt.Sprintf("sim%03d@example.com", i)
		c, err := customers.Create(ctx, customer.NewCustomer{Name: fmt.Sprintf("Sim %d", i), Emails: []string{email}})
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
			ns = append(ns, purchases.NewPurchase{Customer: purchases.CustomerRef{ID: c.ID}, PurchasedAt: at,
				Amount: fmt.Sprintf("%d.%02d", 10+rng.IntN(90), rng.IntN(100)), Currency: "EUR", Reference: fmt.Sprintf("r%d", k)})
			if rng.Float64() < drop {
				break
			}
			at = at.Add(time.Duration(rng.ExpFloat64()/rate*24) * time.Hour)
		}
	}
	if _, err := p.AddBatch(ctx, ns, purchases.AddOpts{}); err != nil {
		t.Fatal(err)
	}
	return heavy, light
}
