package store_test

import (
	"context"
	"net/url"
	"testing"

	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/store/storetest"
)

// TestPostgresJITOff checks that PostgreSQL's JIT compilation is off on
// the store's connections unless the DSN asks for it: a search at a
// million tickets was compiled for longer than it ran.
func TestPostgresJITOff(t *testing.T) {
	base := storetest.PostgresDSN(t)
	on, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	q := on.Query()
	q.Set("jit", "on")
	on.RawQuery = q.Encode()
	for _, tc := range []struct {
		name, dsn, want string
	}{
		{"default", base, "off"},
		{"asked for in the DSN", on.String(), "on"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			db, err := store.Open(ctx, tc.dsn)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			var jit string
			if err := db.R.QueryRowContext(ctx, "SHOW jit").Scan(&jit); err != nil {
				t.Fatal(err)
			}
			if jit != tc.want {
				t.Errorf("jit = %s, want %s", jit, tc.want)
			}
		})
	}
}
