package ratelimit_test

import (
	"context"
	"testing"
	"time"

	"github.com/rapport/rapport/internal/jobs"
	"github.com/rapport/rapport/internal/ratelimit"
	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/store/storetest"
)

// TestLimitHoldsAcrossNodes runs two limiters over one database, as two
// nodes behind a load balancer: together they allow max hits per window,
// a new window starts the count again, and old rows are pruned.
func TestLimitHoldsAcrossNodes(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		clock := jobs.NewFakeClock(time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC))
		a, b := ratelimit.New(db, clock), ratelimit.New(db, clock)
		allow := func(l *ratelimit.Limiter, key string) bool {
			t.Helper()
			ok, err := l.Allow(ctx, key, 3, time.Minute)
			if err != nil {
				t.Fatal(err)
			}
			return ok
		}
		for i, l := range []*ratelimit.Limiter{a, b, a} {
			if !allow(l, "survey:192.0.2.1") {
				t.Fatalf("hit %d refused", i+1)
			}
		}
		if allow(b, "survey:192.0.2.1") {
			t.Fatal("the fourth hit across two nodes is allowed")
		}
		if !allow(b, "survey:192.0.2.2") {
			t.Fatal("another key is limited too")
		}
		if !allow(a, "contact:192.0.2.1") {
			t.Fatal("another purpose of the same address is limited too")
		}
		clock.Advance(time.Minute)
		if !allow(a, "survey:192.0.2.1") {
			t.Fatal("a new window still refuses")
		}
		clock.Advance(time.Hour)
		allow(ratelimit.New(db, clock), "other") // a fresh limiter prunes on its first hit
		var n int
		if err := db.R.QueryRowContext(ctx, "SELECT count(*) FROM rate_limits").Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 1 {
			t.Errorf("%d rows after pruning, want only the new one", n)
		}
		if _, err := a.Allow(ctx, "x", 0, time.Minute); err == nil {
			t.Error("a limit of 0 is accepted")
		}
	})
}
