package loyalty

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/store/storetest"
)

// seedBench writes n customers with about five purchases each over two
// years straight into the tables (setup, not what is measured).
func seedBench(b *testing.B, f *storeFixture, n int) int {
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
		f := newStoreFixture(b, db)
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

// BenchmarkImport10k imports a 10,000-line purchases file for 2,000 new
// customers in one transaction.
func BenchmarkImport10k(b *testing.B) {
	var sb strings.Builder
	sb.WriteString("email,date,amount,currency,reference\n")
	for i := range 10000 {
		fmt.Fprintf(&sb, "c%d@example.com,2025-0%d-%02d,%d.%02d,EUR,R%d\n", i%2000, 1+i%5, 1+i%28, 5+i%200, i%100, i)
	}
	data := sb.String()
	storetest.EachB(b, func(b *testing.B, db *store.DB) {
		for range b.N {
			b.StopTimer()
			f := newStoreFixture(b, db)
			b.StartTimer()
			res, err := f.s.Import(context.Background(), strings.NewReader(data), ImportOpts{CreateCustomers: true})
			if err != nil || res.Added != 10000 || res.CustomersCreated != 2000 {
				b.Fatalf("import: %+v, %v", res, err)
			}
			b.StopTimer()
			if _, err := db.W.Exec(`DELETE FROM customers`); err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
		}
	})
}
