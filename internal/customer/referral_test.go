package customer

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/rapport/rapport/internal/jobs"
	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/store/storetest"
	"github.com/rapport/rapport/internal/valid"
)

func TestSetReferrer(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := New(db, jobs.NewFakeClock(time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)))
		a, err := s.Create(ctx, NewCustomer{Name: "Ann", Emails: []string{"ann@example.com"}})
		if err != nil {
			t.Fatal(err)
		}
		b, err := s.Create(ctx, NewCustomer{Name: "Ben", Emails: []string{"ben@example.com"}})
		if err != nil {
			t.Fatal(err)
		}
		referrer := func() int64 {
			var by *int64
			db.R.QueryRowContext(ctx, "SELECT referred_by FROM customers WHERE id = $1", b.ID).Scan(&by)
			if by == nil {
				return 0
			}
			return *by
		}
		if err := s.SetReferrer(ctx, b.ID, a.ID); err != nil || referrer() != a.ID {
			t.Fatalf("set: %v, referrer %d", err, referrer())
		}
		var ve valid.Errors
		if err := s.SetReferrer(ctx, b.ID, b.ID); !errors.As(err, &ve) {
			t.Errorf("self: %v", err)
		}
		if err := s.SetReferrer(ctx, b.ID, 9999); !errors.As(err, &ve) {
			t.Errorf("no such referrer: %v", err)
		}
		if err := s.SetReferrer(ctx, 9999, a.ID); !errors.Is(err, ErrNotFound) {
			t.Errorf("no such customer: %v", err)
		}
		if referrer() != a.ID {
			t.Error("a rejected change changed the referrer")
		}
		if err := s.SetReferrer(ctx, b.ID, 0); err != nil || referrer() != 0 {
			t.Fatalf("clear: %v, referrer %d", err, referrer())
		}
	})
}

// TestReferralCode: a customer's code is made once and finds them again;
// an unknown or malformed code finds nobody.
func TestReferralCode(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := New(db, jobs.NewFakeClock(time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)))
		a, err := s.Create(ctx, NewCustomer{Name: "Ann", Emails: []string{"ann@example.com"}})
		if err != nil {
			t.Fatal(err)
		}
		code, err := s.ReferralCode(ctx, a.ID)
		if err != nil || len(code) != referralCodeLen {
			t.Fatalf("code %q, %v", code, err)
		}
		again, err := s.ReferralCode(ctx, a.ID)
		if err != nil || again != code {
			t.Errorf("second code %q, %v; want %q", again, err, code)
		}
		if id, err := s.ByReferralCode(ctx, strings.ToUpper(code)); err != nil || id != a.ID {
			t.Errorf("by code: %d, %v", id, err)
		}
		for _, bad := range []string{"", "short", "zzzzzzzzzz"} {
			if _, err := s.ByReferralCode(ctx, bad); !errors.Is(err, ErrNotFound) {
				t.Errorf("code %q: %v, want not found", bad, err)
			}
		}
		if _, err := s.ReferralCode(ctx, 9999); !errors.Is(err, ErrNotFound) {
			t.Errorf("no such customer: %v", err)
		}
		if by, err := s.Referrer(ctx, a.ID); err != nil || by != 0 {
			t.Errorf("referrer %d, %v", by, err)
		}
	})
}
