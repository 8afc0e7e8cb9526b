package web

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"testing"

	"github.com/rapport/rapport/internal/customer"
	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/store/storetest"
)

// TestReferrals: a promoter's thanks page offers a referral link; a new
// customer writing through it is recorded as referred by the promoter; a
// detractor sees no link; an agent records or clears a referrer on the
// customer page by email or number, bad input next to the field.
func TestReferrals(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newSurveyFixture(t, db)
		ctx := context.Background()
		_, page := f.solveAndSend(t, f.ids["ticket"], "5")
		c := f.newClient(t)
		mustCode(t, c.post(t, page, url.Values{"nps": {"10"}}), http.StatusSeeOther, "promoter answers")
		res := c.get(t, page+"/thanks")
		mustCode(t, res, http.StatusOK, "thanks")
		m := regexp.MustCompile(`value="[^"]*/contact\?lang=en&amp;ref=([a-z2-7]{10})" id="referral-link"`).FindStringSubmatch(res.body)
		if m == nil {
			t.Fatalf("no referral link on the promoter's thanks page: %s", res.body)
		}
		code := m[1]
		contains(t, res.body, []string{`id="referral-code">When they order, they can give the code ` + code}, nil)

		visitor := f.newClient(t)
		form := visitor.get(t, "/contact?lang=en&ref="+code)
		contains(t, form.body, []string{`name="ref" value="` + code + `"`}, nil)
		values := contactForm(csrfIn(t, form.body), "en", "nina@example.com", "Hello", "Carla told me about you.")
		values.Set("ref", code)
		mustCode(t, visitor.post(t, "/contact", values), http.StatusSeeOther, "contact through the link")
		nina, err := f.customers.FindByIdentity(ctx, customer.Email, "nina@example.com")
		if err != nil {
			t.Fatal(err)
		}
		if by, err := f.customers.Referrer(ctx, nina.ID); err != nil || by != f.ids["customer"] {
			t.Fatalf("nina referred by %d (%v), want %d", by, err, f.ids["customer"])
		}
		if n := len(f.webTickets(t)); n != 1 {
			t.Fatalf("%d web tickets, want nina's one", n)
		}

		mustCode(t, c.post(t, page, url.Values{"nps": {"6"}}), http.StatusSeeOther, "now a detractor")
		contains(t, c.get(t, page+"/thanks").body, nil, []string{`id="referral"`})

		agentc := f.login(t, "agent")
		cust := idPath("/customers/", nina.ID, "")
		for _, tc := range []struct{ name, value, want string }{
			{"unknown email", "nobody@example.com", "There is no such customer."},
			{"garbled", "carla", "Give the customer&#39;s email address or number."},
			{"self", "#" + itoa(nina.ID), "A customer cannot refer themselves."},
		} {
			t.Run(tc.name, func(t *testing.T) {
				res := agentc.post(t, cust+"/referrer", url.Values{"referred_by": {tc.value}})
				mustCode(t, res, http.StatusUnprocessableEntity, tc.name)
				contains(t, res.body, []string{tc.want}, nil)
			})
		}
		mustCode(t, agentc.post(t, cust+"/referrer", url.Values{"referred_by": {""}}), http.StatusSeeOther, "clear")
		contains(t, agentc.get(t, cust).body, []string{"Nobody recorded."}, []string{`id="referred-by"`})
		mustCode(t, agentc.post(t, cust+"/referrer", url.Values{"referred_by": {"carla@example.com"}}), http.StatusSeeOther, "by email")
		contains(t, agentc.get(t, cust).body, []string{`id="referred-by"`, "Carla Customer"}, nil)
	})
}
