package purchases

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/store/storetest"
)

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
