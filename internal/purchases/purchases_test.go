package purchases

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/rapport/rapport/internal/csvtable"
	"github.com/rapport/rapport/internal/customer"
	"github.com/rapport/rapport/internal/jobs"
	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/store/storetest"
	"github.com/rapport/rapport/internal/valid"
)

// storeFixture is a Service over real services on a fresh database.
type storeFixture struct {
	db        *store.DB
	clock     *jobs.FakeClock
	customers *customer.Service
	s         *Service
}

func newStoreFixture(t testing.TB, db *store.DB) *storeFixture {
	t.Helper()
	clock := jobs.NewFakeClock(time.Date(2025, 6, 2, 10, 0, 0, 0, time.UTC))
	customers := customer.New(db, clock)
	s, err := New(Opts{DB: db, Clock: clock, Customers: customers})
	if err != nil {
		t.Fatal(err)
	}
	return &storeFixture{db: db, clock: clock, customers: customers, s: s}
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
		want := Summary{Count: 4, Frequency: 2, DaysSinceLast: 4,
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
		if !errors.Is(err, csvtable.ErrBadLines) {
			t.Fatalf("bad file: err = %v, want csvtable.ErrBadLines", err)
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
		if !errors.Is(err, csvtable.ErrBadLines) || len(res.Bad) != 1 || res.Bad[0].Line != 4 || !strings.Contains(res.Bad[0].Error(), "no such customer") {
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
			if _, err := f.s.Import(ctx, strings.NewReader(hdr), ImportOpts{}); err == nil || errors.Is(err, csvtable.ErrBadLines) {
				t.Errorf("header %q: err = %v, want a header error", hdr, err)
			}
		}
	})
}

// TestPurchaseReferralCode: a purchase through a promoter's referral link
// (its code sent with the purchase, by the API or a CSV import) records
// the promoter as the buyer's referrer; the first referrer stands, a
// promoter buying through their own link records nothing, and an unknown
// code is an error on referral_code that writes nothing.
func TestPurchaseReferralCode(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newStoreFixture(t, db)
		mk := func(name, email string) int64 {
			t.Helper()
			c, err := f.customers.Create(ctx, customer.NewCustomer{Name: name, Emails: []string{email}})
			if err != nil {
				t.Fatal(err)
			}
			return c.ID
		}
		pia, ugo := mk("Pia", "pia@example.com"), mk("Ugo", "ugo@example.com")
		piaCode, err := f.customers.ReferralCode(ctx, pia)
		if err != nil {
			t.Fatal(err)
		}
		ugoCode, err := f.customers.ReferralCode(ctx, ugo)
		if err != nil {
			t.Fatal(err)
		}
		buy := func(email, ref, code string) error {
			_, err := f.s.Add(ctx, NewPurchase{Customer: CustomerRef{Email: email}, PurchasedAt: f.clock.Now().Add(-time.Hour),
				Amount: "10", Currency: "EUR", Reference: ref, ReferralCode: code}, AddOpts{CreateCustomers: true})
			return err
		}
		referrer := func(email string) int64 {
			t.Helper()
			c, err := f.customers.FindByIdentity(ctx, customer.Email, email)
			if err != nil {
				t.Fatal(err)
			}
			by, err := f.customers.Referrer(ctx, c.ID)
			if err != nil {
				t.Fatal(err)
			}
			return by
		}

		err = buy("new@example.com", "N-1", "zzzzzzzzzz")
		var ve valid.Errors
		if !errors.As(err, &ve) || ve["referral_code"] != "no customer has this referral code" {
			t.Fatalf("unknown code: %v", err)
		}
		if n := f.count(t, "purchases"); n != 0 {
			t.Fatalf("an unknown code left %d purchases", n)
		}
		if err := buy("new@example.com", "N-1", " "+strings.ToUpper(piaCode)+" "); err != nil {
			t.Fatal(err)
		}
		if by := referrer("new@example.com"); by != pia {
			t.Fatalf("referrer %d, want Pia %d", by, pia)
		}
		if err := buy("new@example.com", "N-2", ugoCode); err != nil || referrer("new@example.com") != pia {
			t.Fatalf("a second link took the referral: %v", err)
		}
		if err := buy("pia@example.com", "P-1", piaCode); err != nil || referrer("pia@example.com") != 0 {
			t.Fatalf("Pia referred herself: %v", err)
		}
		// A CSV import carries the code in its referral_code column.
		file := "email,date,amount,reference,referral_code\nnadia@example.com,2025-05-01,5,C-1," + ugoCode + "\n"
		if res, err := f.s.Import(ctx, strings.NewReader(file), ImportOpts{CreateCustomers: true}); err != nil || res.Added != 1 {
			t.Fatalf("import %+v %v", res, err)
		}
		if by := referrer("nadia@example.com"); by != ugo {
			t.Fatalf("imported referrer %d, want Ugo %d", by, ugo)
		}
	})
}
