package customer_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/rapport/rapport/internal/customer"
	"github.com/rapport/rapport/internal/jobs"
	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/store/storetest"
	"github.com/rapport/rapport/internal/valid"
)

var t0 = time.Date(2025, 3, 10, 9, 0, 0, 0, time.UTC)

func TestNormalizeIdentity(t *testing.T) {
	tests := []struct {
		name, kind, in, want string
		ok                   bool
	}{
		{"email lower-cased", customer.Email, " Carla@Example.COM ", "carla@example.com", true},
		{"email with display name", customer.Email, "Carla <carla@example.com>", "", false},
		{"not an email", customer.Email, "carla", "", false},
		{"email without a dot in the domain", customer.Email, "carla@localhost", "", false},
		{"phone spaces removed", customer.Phone, "+39 333 123-4567", "+393331234567", true},
		{"phone with brackets", customer.Phone, "(020) 7946 0018", "02079460018", true},
		{"phone with letters", customer.Phone, "call me", "", false},
		{"phone too short", customer.Phone, "12", "", false},
		{"external kept", customer.External, " shop-42 ", "shop-42", true},
		{"external empty", customer.External, " ", "", false},
		{"unknown kind", "fax", "123", "", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, msg := customer.NormalizeIdentity(tc.kind, tc.in)
			if (msg == "") != tc.ok || got != tc.want {
				t.Errorf("NormalizeIdentity(%s, %q) = %q, %q", tc.kind, tc.in, got, msg)
			}
		})
	}
}

func TestCreateGetUpdate(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := customer.New(db, jobs.NewFakeClock(t0))
		c, err := s.Create(ctx, customer.NewCustomer{Name: "Carla Client", Language: "IT", VIP: true,
			Tags: []string{"Wholesale", "wholesale", " b2b "}, Emails: []string{"Carla@Example.com"},
			Phones: []string{"+39 333 1234567"}, ExternalIDs: []string{"shop-1"}})
		if err != nil {
			t.Fatal(err)
		}
		if c.Email() != "carla@example.com" || c.Language != "it" || !c.VIP || len(c.Identities) != 3 ||
			fmt.Sprint(c.Tags) != "[b2b wholesale]" || !c.CreatedAt.Equal(t0) {
			t.Fatalf("created %+v", c)
		}
		found, err := s.FindByIdentity(ctx, customer.Phone, "+39 333 123 4567")
		if err != nil || found.ID != c.ID {
			t.Fatalf("FindByIdentity: %v", err)
		}
		if _, err := s.Create(ctx, customer.NewCustomer{Name: "Imposter", Emails: []string{"CARLA@example.com"}}); !errors.Is(err, store.ErrConflict) {
			t.Fatalf("taken email: %v", err)
		}
		var n int
		db.R.QueryRowContext(ctx, `SELECT count(*) FROM customers`).Scan(&n)
		if n != 1 {
			t.Fatalf("a failed create left %d customers", n)
		}
		if _, err := s.Create(ctx, customer.NewCustomer{}); err == nil {
			t.Fatal("empty customer accepted")
		}
		var ve valid.Errors
		if _, err := s.Create(ctx, customer.NewCustomer{Name: "X", Emails: []string{"not an email"}}); !errors.As(err, &ve) || ve["emails"] == "" {
			t.Fatalf("bad email: %v", err)
		}
		notes, tags := "Prefers phone", []string{"vip-lounge"}
		c, err = s.Update(ctx, c.ID, customer.Update{Notes: &notes, Tags: &tags})
		if err != nil || c.Notes != notes || fmt.Sprint(c.Tags) != "[vip-lounge]" || c.Name != "Carla Client" {
			t.Fatalf("update: %+v %v", c, err)
		}
		if _, err := s.Update(ctx, 999999, customer.Update{Notes: &notes}); !errors.Is(err, customer.ErrNotFound) {
			t.Fatalf("unknown customer: %v", err)
		}
		id, err := s.AddIdentity(ctx, c.ID, customer.Email, "carla.work@example.com")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.AddIdentity(ctx, c.ID, "fax", "1"); err == nil {
			t.Fatal("bad identity kind accepted")
		}
		if err := s.RemoveIdentity(ctx, c.ID, id.ID); err != nil {
			t.Fatal(err)
		}
		if err := s.RemoveIdentity(ctx, c.ID, id.ID); !errors.Is(err, customer.ErrNotFound) {
			t.Fatalf("second remove: %v", err)
		}
	})
}

func TestEnsureByEmail(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := customer.New(db, jobs.NewFakeClock(t0))
		var first, second customer.Customer
		err := db.Tx(ctx, func(tx *sql.Tx) error {
			var err error
			if first, err = s.EnsureByEmailTx(ctx, tx, "New@Example.com", "Nora New"); err != nil {
				return err
			}
			second, err = s.EnsureByEmailTx(ctx, tx, "new@example.com", "Someone Else")
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if first.ID != second.ID || second.Name != "Nora New" {
			t.Fatalf("first %+v second %+v", first, second)
		}
		err = db.Tx(ctx, func(tx *sql.Tx) error {
			_, err := s.EnsureByEmailTx(ctx, tx, "broken", "")
			return err
		})
		var ve valid.Errors
		if !errors.As(err, &ve) {
			t.Fatalf("bad email: %v", err)
		}
	})
}

// EnsureIDByEmailTx gives the id EnsureByEmailTx gives: the existing
// customer's for a known address (in any case), a new customer's, made
// once and with no tags, for an unknown one, and a field error, with
// nothing written, for a bad one.
func TestEnsureIDByEmail(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := customer.New(db, jobs.NewFakeClock(t0))
		known, err := s.Create(ctx, customer.NewCustomer{Name: "Kim Known", Emails: []string{"kim@example.com"}, Tags: []string{"vip-list"}})
		if err != nil {
			t.Fatal(err)
		}
		var kim, nora, again int64
		err = db.Tx(ctx, func(tx *sql.Tx) error {
			var err error
			if kim, err = s.EnsureIDByEmailTx(ctx, tx, "KIM@example.com", "Someone"); err != nil {
				return err
			}
			if nora, err = s.EnsureIDByEmailTx(ctx, tx, "nora@example.com", "Nora New"); err != nil {
				return err
			}
			again, err = s.EnsureIDByEmailTx(ctx, tx, "Nora@Example.com", "Other")
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if kim != known.ID {
			t.Errorf("known address gave customer %d, want %d", kim, known.ID)
		}
		if nora == 0 || nora == kim || again != nora {
			t.Errorf("new address gave %d, then %d (kim %d)", nora, again, kim)
		}
		got, err := s.Get(ctx, nora)
		if err != nil {
			t.Fatal(err)
		}
		if got.Name != "Nora New" || len(got.Tags) != 0 || len(got.Identities) != 1 {
			t.Errorf("new customer = %+v", got)
		}
		if k, err := s.Get(ctx, kim); err != nil || len(k.Tags) != 1 || k.Name != "Kim Known" {
			t.Errorf("known customer after ensure = %+v, %v", k, err)
		}
		before := countCustomers(t, db)
		err = db.Tx(ctx, func(tx *sql.Tx) error {
			_, err := s.EnsureIDByEmailTx(ctx, tx, "broken", "")
			return err
		})
		var ve valid.Errors
		if !errors.As(err, &ve) {
			t.Fatalf("bad email: %v", err)
		}
		if n := countCustomers(t, db); n != before {
			t.Errorf("a bad email left %d customers, had %d", n, before)
		}
	})
}

// countCustomers counts the customer rows.
func countCustomers(t *testing.T, db *store.DB) int {
	t.Helper()
	var n int
	if err := db.R.QueryRow(`SELECT count(*) FROM customers`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestListPagesAndSearch(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := customer.New(db, jobs.NewFakeClock(t0))
		names := []string{"anna", "Bruno", "carla", "Dmitrij", "Ēriks", "Фёдор", "zoe", "Bruno"}
		for i, n := range names {
			if _, err := s.Create(ctx, customer.NewCustomer{Name: n, Emails: []string{fmt.Sprintf("c%d@example.com", i)}}); err != nil {
				t.Fatal(err)
			}
		}
		seen := map[int64]bool{}
		cursor := ""
		pages := 0
		for {
			p, err := s.List(ctx, customer.ListOptions{Limit: 3, Cursor: cursor})
			if err != nil {
				t.Fatal(err)
			}
			pages++
			for _, c := range p.Customers {
				if seen[c.ID] {
					t.Fatalf("customer %d on two pages", c.ID)
				}
				seen[c.ID] = true
			}
			if p.NextCursor == "" {
				break
			}
			cursor = p.NextCursor
			if pages > 10 {
				t.Fatal("paging does not end")
			}
		}
		if len(seen) != len(names) || pages != 3 {
			t.Fatalf("saw %d customers on %d pages", len(seen), pages)
		}
		p, err := s.List(ctx, customer.ListOptions{Query: "BRU"})
		if err != nil || len(p.Customers) != 2 {
			t.Fatalf("search by name: %d %v", len(p.Customers), err)
		}
		p, _ = s.List(ctx, customer.ListOptions{Query: "c6@example"})
		if len(p.Customers) != 1 || p.Customers[0].Name != "zoe" {
			t.Fatalf("search by email: %+v", p.Customers)
		}
		p, _ = s.List(ctx, customer.ListOptions{Query: "100%_"})
		if len(p.Customers) != 0 {
			t.Fatalf("LIKE wildcards in the query matched %d", len(p.Customers))
		}
		if _, err := s.List(ctx, customer.ListOptions{Cursor: "garbage!"}); err == nil {
			t.Fatal("a bad cursor was accepted")
		}
	})
}
