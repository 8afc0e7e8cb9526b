package clv

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/store/storetest"
)

// seedBench writes n customers with about five purchases each over two
// years straight into the tables (setup, not what is measured).
func seedBench(b *testing.B, f *fixture, n int) int {
	b.Helper()
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(3, 5))
	now := f.clock.Now()
	purchases := 0
	err := f.db.Tx(ctx, func(tx *sql.Tx) error {
		for i := range n {
			var id int64
			if err := tx.QueryRowContext(ctx, `INSERT INTO customers (name, created_at, updated_at) VALUES ($1, $2, $2) RETURNING id`,
				fmt.Sprintf("C%d", i), store.Millis(now)).Scan(&id); err != nil {
				return err
			}
			k := 1 + rng.IntN(9)
			at := now.AddDate(0, 0, -rng.IntN(700))
			for j := range k {
				if at.After(now) {
					break
				}
				if _, err := tx.ExecContext(ctx, `INSERT INTO purchases (customer_id, purchased_at, amount_minor, currency, reference, channel, created_at)
					VALUES ($1, $2, $3, 'EUR', $4, 'shop', $2)`, id, store.Millis(at), 500+rng.IntN(20000), fmt.Sprint(j)); err != nil {
					return err
				}
				purchases++
				at = at.Add(time.Duration(1+rng.IntN(90)) * 24 * time.Hour)
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	return purchases
}

// BenchmarkRefit20k refits the lifetime-value models on 20,000 customers
// (about 100,000 purchases) and writes their values: the nightly job.
func BenchmarkRefit20k(b *testing.B) {
	storetest.EachB(b, func(b *testing.B, db *store.DB) {
		f := newFixture(b, db)
		p := seedBench(b, f, 20000)
		b.ResetTimer()
		for range b.N {
			res, err := f.s.Refit(context.Background())
			if err != nil || res.Customers != 20000 {
				b.Fatalf("refit: %+v, %v", res, err)
			}
		}
		b.ReportMetric(float64(p), "purchases")
	})
}
