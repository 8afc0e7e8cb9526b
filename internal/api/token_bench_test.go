package api

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/store/storetest"
)

// BenchmarkTokenAuth measures what a token check adds to a request: GET
// /me without a token (401 before any lookup), with a live token (the
// hash's one indexed lookup, the agent's teams, the answer), and with a
// revoked one (the lookup, then 401). The last use is written at most
// once a minute, so the steady state is reads only.
func BenchmarkTokenAuth(b *testing.B) {
	storetest.EachB(b, func(b *testing.B, db *store.DB) {
		f := newFixture(b, db)
		revoked := f.tokens["agent2"]
		ts, err := f.agents.Tokens(b.Context(), f.ids["agent2"])
		if err != nil || len(ts) != 1 {
			b.Fatal(ts, err)
		}
		if _, err := f.agents.RevokeToken(b.Context(), ts[0].ID); err != nil {
			b.Fatal(err)
		}
		cases := []struct {
			name, token string
			status      int
		}{
			{"unauthenticated", "", http.StatusUnauthorized},
			{"token", f.tokens["agent"], http.StatusOK},
			{"revoked", revoked, http.StatusUnauthorized},
		}
		for _, tc := range cases {
			b.Run(tc.name, func(b *testing.B) {
				for b.Loop() {
					req := httptest.NewRequest(http.MethodGet, Prefix+"/me", nil)
					if tc.token != "" {
						req.Header.Set("Authorization", "Bearer "+tc.token)
					}
					rec := httptest.NewRecorder()
					f.h.ServeHTTP(rec, req)
					if rec.Code != tc.status {
						b.Fatalf("status %d, want %d", rec.Code, tc.status)
					}
				}
			})
		}
	})
}
