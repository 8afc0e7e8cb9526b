package web

import (
	"net/http"
	"strings"
	"testing"

	"github.com/rapport/rapport/internal/clientaddr"
	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/store/storetest"
)

// TestSurveyLimitsPerForwardedClient: behind a trusted proxy, two customers
// at different forwarded addresses have separate survey limits; when the
// proxy is not trusted the header is ignored and they share the peer's.
func TestSurveyLimitsPerForwardedClient(t *testing.T) {
	proxies, err := clientaddr.Parse("127.0.0.0/8, ::1")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name    string
		proxies clientaddr.Proxies
		second  int // what the second customer gets once the first is limited
	}{
		{name: "trusted proxy", proxies: proxies, second: http.StatusNotFound},
		{name: "proxy not trusted", second: http.StatusTooManyRequests},
	} {
		t.Run(tc.name, func(t *testing.T) {
			storetest.Each(t, func(t *testing.T, db *store.DB) {
				f := newSurveyFixture(t, db, tc.proxies)
				ana, bo := f.newClient(t), f.newClient(t)
				ana.forwardedFor, bo.forwardedFor = "198.51.100.7, 203.0.113.10", "203.0.113.20"
				link := "/survey/" + strings.Repeat("E", 32)
				for i := 0; i < surveyLimit; i++ {
					mustCode(t, ana.get(t, link), http.StatusNotFound, "within the limit")
				}
				mustCode(t, ana.get(t, link), http.StatusTooManyRequests, "the first customer over the limit")
				mustCode(t, bo.get(t, link), tc.second, "the second customer")
				// A forged left part of the header does not give the
				// first customer a new limit behind the proxy.
				ana.forwardedFor = "192.0.2.99, 203.0.113.10"
				mustCode(t, ana.get(t, link), http.StatusTooManyRequests, "the first customer with a forged hop")
			})
		})
	}
}
