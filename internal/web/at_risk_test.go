package web

import (
	"context"
	"encoding/csv"
	"github.com/rapport/rapport/internal/ratelimit"
	"math"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rapport/rapport/internal/agent"
	"github.com/rapport/rapport/internal/churn"
	"github.com/rapport/rapport/internal/purchases"
	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/store/storetest"
	"github.com/rapport/rapport/internal/ticket"
)

// newChurnFixture is newFixture with the loyalty services and the churn
// scorer wired in, and n customers (plus the fixture's own) with purchase
// and complaint histories, valued by the lifetime-value refit and scored
// by the churn model.
func newChurnFixture(t *testing.T, db *store.DB, n int) (*fixture, *churn.Scorer) {
	t.Helper()
	ctx := context.Background()
	f := newFixture(t, db)
	ls := newLoyaltyServices(t, f)
	scorer, err := churn.New(churn.Opts{DB: db, Clock: f.clock})
	if err != nil {
		t.Fatal(err)
	}
	h, err := New(Opts{Limits: ratelimit.New(f.db, f.clock),
		Agents: f.agents, Customers: f.customers, Tickets: f.tickets, I18n: f.cat, Clock: f.clock,
		Version: "test", MaxBodyBytes: testMaxBody, Intake: f.intake, SLA: f.sla, Router: f.router,
		Reviews: f.reviews, Purchases: ls.purchases, Values: ls.values, Recommits: ls.recommits, Customer360: ls.panels,
		Churn: scorer,
	})
	if err != nil {
		t.Fatal(err)
	}
	f.srv.Close()
	f.srv = httptest.NewServer(h)
	t.Cleanup(f.srv.Close)

	now := f.clock.Now()
	ref := now.AddDate(0, 0, -90)
	rng := rand.New(rand.NewPCG(5, 6))
	ins := func(q string, args ...any) int64 {
		var id int64
		if err := db.W.QueryRowContext(ctx, q+" RETURNING id", args...).Scan(&id); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		return id
	}
	ids := []int64{f.ids["customer"]}
	for i := range n {
		ids = append(ids, ins(`INSERT INTO customers (name, created_at, updated_at) VALUES ($1, 0, 0)`, "Customer "+strconv.Itoa(i)))
	}
	for i, c := range ids {
		recency := 1 + rng.Float64()*100
		last := ref.Add(-time.Duration(recency * 24 * float64(time.Hour)))
		at := last
		for k := range 1 + rng.IntN(5) {
			at = at.AddDate(0, 0, -(1+rng.IntN(60))*min(k, 1))
			buy := purchases.NewPurchase{Customer: purchases.CustomerRef{ID: c}, PurchasedAt: at,
				Amount: strconv.Itoa(20 + rng.IntN(200)), Currency: "EUR", Reference: "p" + strconv.Itoa(k)}
			if _, err := ls.purchases.Add(ctx, buy, purchases.AddOpts{}); err != nil {
				t.Fatal(err)
			}
		}
		complaints := 0
		if i == 0 || rng.Float64() < 0.4 {
			complaints = 1 + rng.IntN(2)
		}
		for range complaints {
			ins(`INSERT INTO tickets (subject, channel, status, priority, kind, customer_id, created_at, updated_at)
				VALUES ('Broken again', 'email', 'open', 'normal', 'complaint', $1, $2, $2)`, c, store.Millis(last.AddDate(0, 0, 1)))
		}
		logit := -1.2 + 1.8*float64(complaints) + 0.03*(recency-50)
		if i != 0 && rng.Float64() >= 1/(1+math.Exp(-logit)) {
			buy := purchases.NewPurchase{Customer: purchases.CustomerRef{ID: c}, PurchasedAt: ref.AddDate(0, 0, 1+rng.IntN(85)),
				Amount: "45", Currency: "EUR", Reference: "after"}
			if _, err := ls.purchases.Add(ctx, buy, purchases.AddOpts{}); err != nil {
				t.Fatal(err)
			}
		}
	}
	if _, err := ls.values.Refit(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := scorer.TrainAndScore(ctx, churn.RunOpts{}); err != nil {
		t.Fatal(err)
	}
	return f, scorer
}

var atRiskRow = regexp.MustCompile(`<tr data-customer="(\d+)">`)

// rowIDs are the customer ids of the list's rows, in order.
func rowIDs(body string) []int64 {
	var out []int64
	for _, m := range atRiskRow.FindAllStringSubmatch(body, -1) {
		id, _ := strconv.ParseInt(m[1], 10, 64)
		out = append(out, id)
	}
	return out
}

func TestAtRiskPage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f, scorer := newChurnFixture(t, db, 69)
		manager := f.login(t, "manager")

		// Sorted by value at risk by default, 50 a page, in the order the
		// model's scores give.
		for _, tc := range []struct {
			name, path, order string
			page              int
		}{
			{"by value", "/manage/at-risk", churn.AtRiskByValue, 1},
			{"by value, page 2", "/manage/at-risk?sort=value&page=2", churn.AtRiskByValue, 2},
			{"by risk", "/manage/at-risk?sort=risk", churn.AtRiskByRisk, 1},
		} {
			t.Run(tc.name, func(t *testing.T) {
				res := manager.get(t, tc.path)
				mustCode(t, res, http.StatusOK, tc.path)
				want, err := scorer.AtRisk(ctx, tc.order, (tc.page-1)*50, 50)
				if err != nil {
					t.Fatal(err)
				}
				got := rowIDs(res.body)
				if len(want.Customers) != len(got) || want.Total != 70 {
					t.Fatalf("%d rows, want %d of %d", len(got), len(want.Customers), want.Total)
				}
				for i, c := range want.Customers {
					if got[i] != c.CustomerID {
						t.Fatalf("row %d is customer %d, want %d", i, got[i], c.CustomerID)
					}
					if i > 0 {
						prev := want.Customers[i-1]
						if (tc.order == churn.AtRiskByValue && prev.ValueAtRisk() < c.ValueAtRisk()) ||
							(tc.order == churn.AtRiskByRisk && prev.ChurnRisk < c.ChurnRisk) {
							t.Fatalf("row %d out of order", i)
						}
					}
				}
				contains(t, res.body, []string{"Customers at risk", `id="at-risk-export"`, "Open complaints",
					"Page " + strconv.Itoa(tc.page) + " of 2", `aria-current="page">At risk`}, nil)
			})
		}
		// The fixture's customer has open complaints: the reasons say so,
		// and the row links to the customer and their latest ticket.
		res := manager.get(t, "/manage/at-risk?sort=risk")
		page, _ := scorer.AtRisk(ctx, churn.AtRiskByRisk, 0, 100)
		for _, c := range page.Customers {
			if c.CustomerID != f.ids["customer"] {
				continue
			}
			if c.OpenComplaints == 0 || c.LatestTicketID == 0 || !c.Valued {
				t.Fatalf("fixture customer: %+v", c)
			}
			if c.LatestTicketID != 0 && !strings.Contains(res.body+manager.get(t, "/manage/at-risk?sort=risk&page=2").body,
				`href="/tickets/`+strconv.FormatInt(c.LatestTicketID, 10)+`"`) {
				t.Errorf("no link to the latest ticket %d", c.LatestTicketID)
			}
		}
		contains(t, res.body, []string{"Open complaints", "▲"}, nil)

		// A manager who reads Italian.
		if _, err := f.agents.Create(ctx, agent.NewAgent{Email: "italo@rapport.test", Name: "Italo", Role: agent.RoleManager,
			Password: testPassword, Locale: "it", Languages: []string{"it"}}); err != nil {
			t.Fatal(err)
		}
		contains(t, f.login(t, "italo").get(t, "/manage/at-risk").body,
			[]string{"Clienti a rischio", "Valore a rischio", "Reclami aperti"}, nil)

		// The CSV has every scored customer, in the same order.
		csvRes := manager.get(t, "/manage/at-risk.csv?sort=risk")
		mustCode(t, csvRes, http.StatusOK, "csv")
		if ct := csvRes.header.Get("Content-Type"); !strings.HasPrefix(ct, "text/csv") {
			t.Errorf("content type %q", ct)
		}
		recs, err := csv.NewReader(strings.NewReader(csvRes.body)).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		if len(recs) != 71 || recs[0][0] != "customer_id" || recs[0][5] != "value_at_risk" {
			t.Fatalf("csv: %d records, header %v", len(recs), recs[0])
		}
		for i, c := range page.Customers {
			if recs[i+1][0] != strconv.FormatInt(c.CustomerID, 10) {
				t.Fatalf("csv row %d: %v, want customer %d", i+1, recs[i+1], c.CustomerID)
			}
		}
		risk, err := strconv.ParseFloat(recs[1][2], 64)
		if err != nil || risk != page.Customers[0].ChurnRisk || recs[1][10] == "" {
			t.Errorf("csv first row %v", recs[1])
		}

		// Bad input is a clear 400.
		mustCode(t, manager.get(t, "/manage/at-risk?sort=name"), http.StatusBadRequest, "bad sort")
		mustCode(t, manager.get(t, "/manage/at-risk?page=zero"), http.StatusBadRequest, "bad page")

		// Agents neither see the list nor its link.
		al := f.login(t, "agent")
		mustCode(t, al.get(t, "/manage/at-risk"), http.StatusForbidden, "agent at-risk")
		mustCode(t, al.get(t, "/manage/at-risk.csv"), http.StatusForbidden, "agent csv")
		contains(t, al.get(t, "/").body, nil, []string{"nav-at-risk"})
		contains(t, manager.get(t, "/").body, []string{"nav-at-risk"}, nil)

		// The ticket page shows the customer's churn risk and its reasons.
		tp := manager.get(t, idPath("/tickets/", f.ids["ticket"], ""))
		mustCode(t, tp, http.StatusOK, "ticket page")
		panel := section(t, tp.body, "customer360")
		if !regexp.MustCompile(`id="c360-churn"><span class="risk-\w+">[^<]*%</span>`).MatchString(panel) {
			t.Errorf("ticket page: churn risk not shown: %s", panel)
		}
		contains(t, panel, []string{`id="c360-reasons"`, "%"}, nil)

		// A customer who bought only in another currency has no lifetime
		// value: the churn model still scores them, and neither the panel
		// nor the list shows a value or P(alive) of zero.
		tk, err := f.tickets.Create(ctx, ticket.Actor{Kind: "customer"}, ticket.NewTicket{Subject: "Order in dollars",
			Body: "Where is it?", Channel: "email", CustomerEmail: "dora@example.com", CustomerName: "Dora Dollar"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.W.ExecContext(ctx, `INSERT INTO purchases (customer_id, purchased_at, amount_minor, currency, created_at)
			VALUES ($1, $2, 5000, 'USD', 0)`, tk.CustomerID, store.Millis(f.clock.Now().AddDate(0, 0, -200))); err != nil {
			t.Fatal(err)
		}
		if _, err := scorer.TrainAndScore(ctx, churn.RunOpts{}); err != nil {
			t.Fatal(err)
		}
		panel = section(t, manager.get(t, idPath("/tickets/", tk.ID, "")).body, "customer360")
		if !regexp.MustCompile(`id="c360-churn"><span class="risk-\w+">[^<]*%</span>`).MatchString(panel) {
			t.Errorf("USD customer: churn risk not shown: %s", panel)
		}
		contains(t, panel, []string{`id="c360-clv" class="muted">not computed yet`}, []string{`id="c360-palive"`})
		recs, err = csv.NewReader(strings.NewReader(manager.get(t, "/manage/at-risk.csv").body)).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, rec := range recs {
			if rec[0] == strconv.FormatInt(tk.CustomerID, 10) {
				found = true
				if rec[3] != "" || rec[5] != "" || rec[6] != "" || rec[2] == "" {
					t.Errorf("USD customer's CSV row %v", rec)
				}
			}
		}
		if !found || len(recs) != 72 {
			t.Errorf("USD customer in CSV: %v, %d records", found, len(recs))
		}
	})
}

func TestAtRiskPageEmpty(t *testing.T) {
	db := storetest.SQLite(t)
	f := newFixture(t, db)
	scorer, err := churn.New(churn.Opts{DB: db, Clock: f.clock})
	if err != nil {
		t.Fatal(err)
	}
	h, err := New(Opts{Limits: ratelimit.New(f.db, f.clock), Agents: f.agents, Customers: f.customers, Tickets: f.tickets, I18n: f.cat, Clock: f.clock,
		Version: "test", MaxBodyBytes: testMaxBody, Churn: scorer})
	if err != nil {
		t.Fatal(err)
	}
	f.srv.Close()
	f.srv = httptest.NewServer(h)
	t.Cleanup(f.srv.Close)
	res := f.login(t, "manager").get(t, "/manage/at-risk")
	mustCode(t, res, http.StatusOK, "empty list")
	contains(t, res.body, []string{"No customer has been scored yet", "Page 1 of 1"}, nil)
}

// FuzzAtRiskQuery: any query string gives either a clear error or an order
// the list knows and a page within range; never a panic.
func FuzzAtRiskQuery(f *testing.F) {
	for _, s := range []string{"", "sort=value", "sort=risk&page=2", "sort=name", "page=0", "page=-1", "page=99999999999999999999",
		"sort=risk&sort=value", "page=%20", "sort=%00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		q, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		order, page, err := atRiskQuery(q)
		if err != nil {
			return
		}
		if order != churn.AtRiskByValue && order != churn.AtRiskByRisk {
			t.Fatalf("%q: order %q", raw, order)
		}
		if page < 1 || (page-1)*atRiskPageSize >= churn.MaxAtRiskLimit {
			t.Fatalf("%q: page %d", raw, page)
		}
	})
}
