package web

import (
	"net/http"
	"net/url"
	"strconv"
	"testing"
	"time"

	"github.com/rapport/rapport/internal/clientaddr"
	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/store/storetest"
)

// TestLoginThrottleSparesTheOwner: behind a trusted proxy, ten wrong
// passwords from one address slow that address down, with the wait told
// in the reader's language, and the owner signs in at once from another.
func TestLoginThrottleSparesTheOwner(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		proxies, err := clientaddr.Parse("127.0.0.1/32, ::1")
		if err != nil {
			t.Fatal(err)
		}
		f := newFixture(t, db, fixtureOpts{trustedProxies: proxies})
		attacker := f.newClient(t)
		attacker.forwardedFor = "198.51.100.66"
		token := csrfIn(t, attacker.get(t, "/login").body)
		form := func(password string, tok string) url.Values {
			return url.Values{"csrf": {tok}, "email": {"admin@rapport.test"}, "password": {password}}
		}
		// Ten wrong passwords, each sent as soon as the page allows.
		for wrong := 0; wrong < 10; {
			res := attacker.post(t, "/login", form("wrong password", token))
			switch res.code {
			case http.StatusUnauthorized:
				wrong++
			case http.StatusTooManyRequests:
				secs, err := strconv.Atoi(res.header.Get("Retry-After"))
				if err != nil {
					t.Fatalf("429 without Retry-After: %v", res.header)
				}
				f.clock.Advance(time.Duration(secs) * time.Second)
			default:
				t.Fatalf("wrong password: %d", res.code)
			}
		}
		last := attacker.post(t, "/login", form("wrong password", token))
		mustCode(t, last, http.StatusTooManyRequests, "an eleventh wrong password, sent at once")
		contains(t, last.body, []string{"wait 128 seconds"}, nil)
		if got := last.header.Get("Retry-After"); got != "128" {
			t.Errorf("Retry-After %q, want 128", got)
		}

		owner := f.newClient(t)
		owner.forwardedFor = "203.0.113.5"
		res := owner.post(t, "/login", form(testPassword, csrfIn(t, owner.get(t, "/login").body)))
		mustCode(t, res, http.StatusSeeOther, "the owner from another address")

		// In Italian the wait is told in Italian.
		attacker.lang = "it"
		res = attacker.post(t, "/login", form(testPassword, token))
		mustCode(t, res, http.StatusTooManyRequests, "the attacker with the right password")
		contains(t, res.body, []string{"attendi 128 secondi"}, nil)
	})
}
