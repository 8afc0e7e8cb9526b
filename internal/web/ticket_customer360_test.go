package web

import (
	"context"
	"fmt"
	"github.com/rapport/rapport/internal/ratelimit"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/rapport/rapport/internal/clv"
	"github.com/rapport/rapport/internal/customer"
	"github.com/rapport/rapport/internal/customer360"
	"github.com/rapport/rapport/internal/purchases"
	"github.com/rapport/rapport/internal/recommit"
	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/store/storetest"
	"github.com/rapport/rapport/internal/ticket"
)

// loyaltyServices are the services behind purchases, lifetime values,
// re-commitments and the customer-360 panel.
type loyaltyServices struct {
	purchases *purchases.Service
	values    *clv.Service
	recommits *recommit.Service
	panels    *customer360.Service
}

// newLoyaltyServices builds the loyalty services over f's, as the app does.
func newLoyaltyServices(t testing.TB, f *fixture) loyaltyServices {
	t.Helper()
	var ls loyaltyServices
	var err error
	if ls.purchases, err = purchases.New(purchases.Opts{DB: f.db, Clock: f.clock, Customers: f.customers}); err != nil {
		t.Fatal(err)
	}
	if ls.values, err = clv.New(clv.Opts{DB: f.db, Clock: f.clock, Jobs: f.jobs}); err != nil {
		t.Fatal(err)
	}
	if ls.recommits, err = recommit.New(recommit.Opts{DB: f.db, Clock: f.clock, Jobs: f.jobs, Tickets: f.tickets,
		Values: ls.values}); err != nil {
		t.Fatal(err)
	}
	if ls.panels, err = customer360.New(customer360.Opts{DB: f.db, Purchases: ls.purchases, Values: ls.values,
		Recommits: ls.recommits}); err != nil {
		t.Fatal(err)
	}
	return ls
}

// newLoyaltyFixture is newFixture with the loyalty services wired in, as
// the app wires them, serving a UI of its own.
func newLoyaltyFixture(t testing.TB, db *store.DB) (*fixture, loyaltyServices) {
	t.Helper()
	f := newFixture(t, db)
	ls := newLoyaltyServices(t, f)
	h, err := New(Opts{Limits: ratelimit.New(f.db, f.clock),
		Agents: f.agents, Customers: f.customers, Tickets: f.tickets, I18n: f.cat, Clock: f.clock,
		Version: "test", MaxBodyBytes: testMaxBody, Intake: f.intake, SLA: f.sla, Router: f.router,
		Reviews: f.reviews, Purchases: ls.purchases, Values: ls.values, Recommits: ls.recommits, Customer360: ls.panels,
	})
	if err != nil {
		t.Fatal(err)
	}
	f.srv.Close()
	f.srv = httptest.NewServer(h)
	t.Cleanup(f.srv.Close)
	return f, ls
}

// buy records purchases for customer id: n purchases, every 'every' days,
// ending 'ago' days before the fixture's now.
func buy(t testing.TB, p *purchases.Service, now time.Time, id int64, n, every, ago int, amount string) {
	t.Helper()
	var ns []purchases.NewPurchase
	for i := range n {
		at := now.AddDate(0, 0, -ago-(n-1-i)*every)
		ns = append(ns, purchases.NewPurchase{Customer: purchases.CustomerRef{ID: id}, PurchasedAt: at, Amount: amount,
			Currency: "EUR", Reference: fmt.Sprintf("C%d-%d", id, i), Channel: "shop"})
	}
	if _, err := p.AddBatch(context.Background(), ns, purchases.AddOpts{}); err != nil {
		t.Fatal(err)
	}
}

// pageText is the page's text with tags removed and spaces collapsed, for
// matching what an agent reads.
func pageText(body string) string {
	s := regexp.MustCompile(`<[^>]+>`).ReplaceAllString(body, " ")
	return strings.Join(strings.Fields(html2text(s)), " ")
}

func html2text(s string) string {
	return strings.NewReplacer("&#39;", "'", "&quot;", `"`, "&amp;", "&", "&lt;", "<", "&gt;", ">", "&#34;", `"`).Replace(s)
}

// section returns the HTML element of body with id, up to its closing
// </section>.
func section(t testing.TB, body, id string) string {
	t.Helper()
	i := strings.Index(body, `id="`+id+`"`)
	if i < 0 {
		t.Fatalf("no #%s in page: %s", id, body)
	}
	j := strings.Index(body[i:], "</section>")
	if j < 0 {
		return body[i:]
	}
	return body[i : i+j]
}

func TestTicketCustomer360AndRecommitment(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f, ls := newLoyaltyFixture(t, db)
		now := f.clock.Now()
		carla := f.ids["customer"]

		// Before any purchase and refit the panel says so, with no made-up figures.
		c := f.login(t, "agent")
		pg := c.get(t, idPath("/tickets/", f.ids["ticket"], ""))
		mustCode(t, pg, http.StatusOK, "ticket page")
		panel := pageText(section(t, pg.body, "customer360"))
		for _, want := range []string{"No purchases yet", "Predicted value not computed yet", "Churn risk not scored yet"} {
			if !strings.Contains(panel, want) {
				t.Errorf("empty panel lacks %q: %s", want, panel)
			}
		}

		// Carla buys every two weeks; others give the model a population.
		buy(t, ls.purchases, now, carla, 12, 14, 3, "42.50")
		for i := range 40 {
			o, err := f.customers.Create(ctx, customer.NewCustomer{Name: fmt.Sprintf("Other %d", i), Emails: []string{fmt.Sprintf("o%d@example.com", i)}})
			if err != nil {
				t.Fatal(err)
			}
			buy(t, ls.purchases, now, o.ID, 1+i%4, 30+i, 20+3*i, "19.90")
		}
		if _, err := ls.values.Refit(ctx); err != nil {
			t.Fatal(err)
		}
		v, err := ls.values.Value(ctx, carla)
		if err != nil {
			t.Fatal(err)
		}
		complaint := f.newTicket(t, ticket.NewTicket{Subject: "Broken vase", Kind: "complaint"})

		pg = c.get(t, idPath("/tickets/", f.ids["ticket"], ""))
		mustCode(t, pg, http.StatusOK, "ticket page")
		panelHTML := section(t, pg.body, "customer360")
		panel = pageText(panelHTML)
		en := &page{s: &server{cat: f.cat}, Lang: "en"}
		wantValue := en.Worth(v.ExpectedValue, "EUR")
		for _, want := range []string{"Total spend 510.00 EUR", "Purchases 12", "repeat purchases: 11", "Last purchase 3 days ago",
			"Predicted value " + wantValue, "Regular", "Churn risk not scored yet", "#" + fmt.Sprint(complaint) + " Broken vase", "All purchases"} {
			if !strings.Contains(panel, want) {
				t.Errorf("panel lacks %q: %s", want, panel)
			}
		}
		if n := strings.Count(panelHTML, "42.50 EUR"); n != 10 {
			t.Errorf("panel lists %d purchases, want the last 10", n)
		}
		if !strings.Contains(panel, "Still a customer "+en.Pct(v.PAlive)) {
			t.Errorf("panel lacks P(alive) %.3f: %s", v.PAlive, panel)
		}
		// The inbox row shows the regular badge.
		inbox := c.get(t, "/?view=all")
		mustCode(t, inbox, http.StatusOK, "inbox")
		if !strings.Contains(inbox.body, `<span class="badge regular">Regular</span>`) {
			t.Errorf("inbox row without the regular badge")
		}
		// All purchases, on the customer's page.
		all := c.get(t, idPath("/customers/", carla, "/purchases"))
		mustCode(t, all, http.StatusOK, "purchases page")
		if n := strings.Count(all.body, "42.50 EUR"); n < 12 {
			t.Errorf("purchases page lists %d purchases, want 12", n)
		}

		// The churn model's figures show once they exist.
		if _, err := db.W.Exec(`UPDATE customer_values SET churn_risk = 0.62, churn_reasons = '[{"feature":"open_complaints","contribution":0.9},{"feature":"recency_days","contribution":-0.3}]' WHERE customer_id = $1`, carla); err != nil {
			t.Fatal(err)
		}
		pg = c.get(t, idPath("/customers/", carla, ""))
		mustCode(t, pg, http.StatusOK, "customer page")
		panel = pageText(section(t, pg.body, "customer360"))
		for _, want := range []string{"Churn risk " + en.Pct(0.62), "Main reasons Open complaints ▲"} {
			if !strings.Contains(panel, want) {
				t.Errorf("customer panel lacks %q: %s", want, panel)
			}
		}
		// What lowers the risk is no reason for it.
		if strings.Contains(panel, "Days since last purchase") {
			t.Errorf("customer panel gives a reason that lowers the risk: %s", panel)
		}
		// When nothing raises the risk, the panel says so.
		if _, err := db.W.Exec(`UPDATE customer_values SET churn_reasons = '[{"feature":"recency_days","contribution":-0.3}]' WHERE customer_id = $1`, carla); err != nil {
			t.Fatal(err)
		}
		panel = pageText(section(t, c.get(t, idPath("/customers/", carla, "")).body, "customer360"))
		if want := "Main reasons Nothing raises the risk above an average customer's."; !strings.Contains(panel, want) || strings.Contains(panel, "Days since last purchase") {
			t.Errorf("customer panel with nothing raising the risk: %s, want %q", panel, want)
		}

		// Bo owns the ticket; Al marks the re-commitment: Bo gets the credit.
		if _, err := f.tickets.Assign(ctx, ticket.AgentActor(f.ids["agent2"]), f.ids["ticket"], f.ids["agent2"]); err != nil {
			t.Fatal(err)
		}
		res := c.post(t, idPath("/tickets/", f.ids["ticket"], "/recommit"), url.Values{"words": {""}})
		mustCode(t, res, http.StatusUnprocessableEntity, "empty words")
		res = c.post(t, idPath("/tickets/", f.ids["ticket"], "/recommit"), url.Values{"words": {"I'll keep ordering from you."}, "csrf": {"forged"}})
		mustCode(t, res, http.StatusForbidden, "forged CSRF")
		res = c.post(t, idPath("/tickets/", f.ids["ticket"], "/recommit"), url.Values{"words": {"I'll keep ordering from you."}})
		mustCode(t, res, http.StatusSeeOther, "recommit")
		pg = c.get(t, idPath("/tickets/", f.ids["ticket"], ""))
		body := pageText(pg.body)
		for _, want := range []string{"Re-commitment recorded.", "Credited to Bo Agent, worth " + wantValue,
			"Al Agent recorded a re-commitment, credited to Bo Agent: “I'll keep ordering from you.”"} {
			if !strings.Contains(body, want) {
				t.Errorf("ticket page lacks %q", want)
			}
		}

		// A proposal (as the phrase detector makes them) is confirmed from the page.
		p, _, err := ls.recommits.Propose(ctx, complaint, "Ok, I will order again.", recommit.SourceMessage, 0)
		if err != nil {
			t.Fatal(err)
		}
		pg = c.get(t, idPath("/tickets/", complaint, ""))
		if !strings.Contains(pageText(pg.body), "Proposed from a customer message: Ok, I will order again.") {
			t.Errorf("no proposal prompt on the ticket page")
		}
		rpath := idPath("/tickets/", complaint, "/recommitments/") + fmt.Sprint(p.ID)
		mustCode(t, c.post(t, rpath, url.Values{"decision": {"maybe"}}), http.StatusBadRequest, "bad decision")
		mustCode(t, c.post(t, rpath, url.Values{"decision": {"confirm"}}), http.StatusSeeOther, "confirm")
		mustCode(t, c.post(t, rpath, url.Values{"decision": {"reject"}}), http.StatusConflict, "decide again")

		// Bo's scorecard: one re-commitment on his ticket, valued at Carla's CLV.
		if _, err := f.tickets.Reply(ctx, ticket.AgentActor(f.ids["agent2"]), f.ids["ticket"], "Thank you, Carla!", ticket.Solved); err != nil {
			t.Fatal(err)
		}
		bo := f.login(t, "agent2")
		sc := bo.get(t, idPath("/agents/", f.ids["agent2"], "/scorecard"))
		mustCode(t, sc, http.StatusOK, "scorecard")
		card := pageText(section(t, sc.body, "recommitments"))
		for _, want := range []string{"Re-commitments 1", "solved tickets: 1", "Per solved ticket " + en.Pct(1), "Value " + wantValue} {
			if !strings.Contains(card, want) {
				t.Errorf("scorecard lacks %q: %s", want, card)
			}
		}
		// Al confirmed the proposal on an unowned ticket: his credit.
		sc = c.get(t, idPath("/agents/", f.ids["agent"], "/scorecard"))
		if card := pageText(section(t, sc.body, "recommitments")); !strings.Contains(card, "Re-commitments 1") {
			t.Errorf("Al's scorecard: %s", card)
		}
	})
}
