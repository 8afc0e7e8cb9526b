package api

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/rapport/rapport/internal/clv"
	"github.com/rapport/rapport/internal/customer"
	"github.com/rapport/rapport/internal/jobs"
	"github.com/rapport/rapport/internal/purchases"
	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/store/storetest"
)

// testHookSecret is the webhook secret of the purchase fixture.
const testHookSecret = "shop-shared-secret"

// newPurchaseFixture is newFixture with the purchases and lifetime-value
// services and the webhook switched on, and a customer "ann"
// (ann@example.com) to buy things.
func newPurchaseFixture(t testing.TB, db *store.DB) *fixture {
	t.Helper()
	f := newFixture(t, db)
	bought, err := purchases.New(purchases.Opts{DB: db, Clock: f.clock, Customers: f.customers})
	if err != nil {
		t.Fatal(err)
	}
	values, err := clv.New(clv.Opts{DB: db, Clock: f.clock, Jobs: jobs.New(db, f.clock, nil)})
	if err != nil {
		t.Fatal(err)
	}
	f.h = New(Opts{Agents: f.agents, Customers: f.customers, Tickets: f.tickets, Purchases: bought, Values: values,
		PurchaseHookSecret: testHookSecret,
		Log:                newTestLogger(f.logs), MaxBodyBytes: testMaxBody, Version: "test"})
	c, err := f.customers.Create(context.Background(), customer.NewCustomer{Name: "Ann", Emails: []string{"ann@example.com"}})
	if err != nil {
		t.Fatal(err)
	}
	f.ids["ann"] = c.ID
	return f
}

// hook posts body to the webhook with signature sig ("" for none, "good"
// for the right one).
func (f *fixture) hook(t testing.TB, body, sig string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(http.MethodPost, Prefix+"/hooks/purchases", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	switch sig {
	case "":
	case "good":
		req.Header.Set(SignatureHeader, Sign(testHookSecret, []byte(body)))
	default:
		req.Header.Set(SignatureHeader, sig)
	}
	rec := httptest.NewRecorder()
	f.h.ServeHTTP(rec, req)
	return rec
}

func TestPurchasesAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newPurchaseFixture(t, db)
		annCode, err := f.customers.ReferralCode(context.Background(), f.ids["ann"])
		if err != nil {
			t.Fatal(err)
		}
		tests := []struct {
			name   string
			method string
			path   string
			body   string
			status int
			json   map[string]string // dotted path → value
			fields []string          // error fields expected
		}{
			{name: "no customer", method: "POST", path: "/purchases", status: 400,
				body: `{"purchased_at":"2025-03-01","amount":"10","currency":"EUR"}`, fields: []string{"customer"}},
			{name: "unknown customer", method: "POST", path: "/purchases", status: 400,
				body: `{"email":"zed@example.com","purchased_at":"2025-03-01","amount":"10","currency":"EUR"}`, fields: []string{"email"}},
			{name: "bad fields", method: "POST", path: "/purchases", status: 400,
				body:   `{"email":"ann@example.com","purchased_at":"March 1st","amount":"1,5","currency":"EUR","channel":"` + strings.Repeat("x", 60) + `"}`,
				fields: []string{"purchased_at", "amount", "channel"}},
			{name: "wrong type", method: "POST", path: "/purchases", status: 400,
				body: `{"email":"ann@example.com","purchased_at":"2025-03-01","amount":true,"currency":"EUR"}`,
				json: map[string]string{"error.code": "invalid_json"}},
			{name: "unknown field", method: "POST", path: "/purchases", status: 400,
				body: `{"email":"ann@example.com","price":3}`, json: map[string]string{"error.code": "invalid_json"}},
			{name: "both forms", method: "POST", path: "/purchases", status: 400,
				body: `{"email":"ann@example.com","purchases":[]}`, fields: []string{"purchases"}},
			{name: "one purchase", method: "POST", path: "/purchases", status: 201,
				body: `{"email":"Ann@Example.com","purchased_at":"2025-03-01T10:00:00Z","amount":19.9,"currency":"eur","reference":"A-1"}`,
				json: map[string]string{"amount": "19.90", "amount_minor": "1990", "currency": "EUR", "created": "true", "channel": "api",
					"customer_id": "{ann}", "purchased_at": "2025-03-01T10:00:00.000Z"}},
			{name: "same reference again", method: "POST", path: "/purchases", status: 200,
				body: `{"customer_id":{ann},"purchased_at":"2025-03-01","amount":"19.90","currency":"EUR","reference":"A-1"}`,
				json: map[string]string{"created": "false", "amount": "19.90"}},
			{name: "batch with a bad item stores nothing", method: "POST", path: "/purchases", status: 400,
				body: `{"purchases":[{"email":"ann@example.com","purchased_at":"2025-03-02","amount":"5","currency":"EUR","reference":"A-2"},` +
					`{"email":"new@example.com","purchased_at":"2025-03-02","amount":"5","currency":"EUR"}]}`,
				fields: []string{"purchases[1].email"}},
			{name: "batch creating customers", method: "POST", path: "/purchases", status: 201,
				body: `{"create_customers":true,"purchases":[{"email":"ann@example.com","purchased_at":"2025-03-02","amount":"5","currency":"EUR","reference":"A-2"},` +
					`{"phone":"+371 2612 3456","customer_name":"Pēteris","purchased_at":"2025-03-05","amount":"1200","currency":"JPY"}]}`,
				json: map[string]string{"data.0.created": "true", "data.1.customer_created": "true", "data.1.amount": "1200", "data.1.reference": "null"}},
			{name: "unknown referral code", method: "POST", path: "/purchases", status: 400,
				body:   `{"email":"ann@example.com","purchased_at":"2025-03-06","amount":"5","currency":"EUR","referral_code":"nosuchcode"}`,
				fields: []string{"referral_code"}},
			{name: "through a referral link", method: "POST", path: "/purchases", status: 201,
				body: `{"email":"ref@example.com","create_customers":true,"purchased_at":"2025-03-06","amount":"5","currency":"EUR","referral_code":"` + annCode + `"}`,
				json: map[string]string{"customer_created": "true"}},
			{name: "list", method: "GET", path: "/customers/{ann}/purchases?limit=1", status: 200,
				json: map[string]string{"data.0.reference": "A-2", "summary.count": "2", "summary.totals.0.amount": "24.90",
					"summary.frequency": "1", "summary.lifetime_value": "null", "summary.churn_risk": "null"}},
			{name: "list bad cursor", method: "GET", path: "/customers/{ann}/purchases?cursor=zzz", status: 400, fields: []string{"cursor"}},
			{name: "list unknown customer", method: "GET", path: "/customers/999999/purchases", status: 404},
		}
		var next string
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				rec := f.do(t, tc.method, Prefix+f.expand(t, tc.path), f.expand(t, tc.body), "agent")
				mustStatus(t, rec, tc.status, tc.name)
				checkResponse(t, rec)
				var doc any
				decodeJSON(t, rec, &doc)
				for path, want := range tc.json {
					if got, ok := lookup(doc, path); !ok || got != f.expand(t, want) {
						t.Errorf("%s = %q, want %q in %s", path, got, f.expand(t, want), rec.Body.String())
					}
				}
				var e errorBody
				decodeJSON(t, rec, &e)
				for _, field := range tc.fields {
					if e.Error.Fields[field] == "" {
						t.Errorf("no message for field %s in %s", field, rec.Body.String())
					}
				}
				if tc.name == "list" {
					next, _ = lookup(doc, "next_cursor")
				}
			})
		}
		rec := f.do(t, "GET", Prefix+f.expand(t, "/customers/{ann}/purchases?cursor="+next), "", "agent")
		mustStatus(t, rec, 200, "second page")
		var page struct {
			Data       []purchaseJSON `json:"data"`
			NextCursor string         `json:"next_cursor"`
		}
		decodeJSON(t, rec, &page)
		if len(page.Data) != 1 || *page.Data[0].Reference != "A-1" || page.NextCursor != "" {
			t.Errorf("second page = %+v", page)
		}
	})
}

func TestPurchaseWebhook(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newPurchaseFixture(t, db)
		body := `{"purchases":[{"external_id":"POS-9","customer_name":"Walk-in","purchased_at":"2025-03-03T09:15:00+01:00","amount":"3.20","currency":"EUR","reference":"T-77","channel":"pos"}]}`
		tests := []struct {
			name, body, sig string
			status          int
			code            string
		}{
			{"no signature", body, "", 401, "bad_signature"},
			{"wrong secret", body, Sign("guess", []byte(body)), 401, "bad_signature"},
			{"signature of another body", body, Sign(testHookSecret, []byte(body+" ")), 401, "bad_signature"},
			{"not hex", body, "sha256=zz", 401, "bad_signature"},
			{"without prefix", body, strings.TrimPrefix(Sign(testHookSecret, []byte(body)), "sha256="), 401, "bad_signature"},
			{"malformed JSON", `{"purchases":[{"amount":}]}`, "good", 400, "invalid_json"},
			{"no reference", `{"email":"ann@example.com","purchased_at":"2025-03-03","amount":"1","currency":"EUR"}`, "good", 400, "invalid_input"},
			{"delivered", body, "good", 201, ""},
			{"replayed", body, "good", 200, ""},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				rec := f.hook(t, tc.body, tc.sig)
				mustStatus(t, rec, tc.status, tc.name)
				checkResponse(t, rec)
				if tc.code != "" && !strings.Contains(rec.Body.String(), `"code":"`+tc.code+`"`) {
					t.Errorf("body %s lacks code %s", rec.Body.String(), tc.code)
				}
			})
		}
		var n int
		if err := db.R.QueryRow(`SELECT count(*) FROM purchases WHERE reference = 'T-77'`).Scan(&n); err != nil || n != 1 {
			t.Fatalf("%d purchases T-77 after a replay, want 1 (%v)", n, err)
		}
		c, err := f.customers.FindByIdentity(context.Background(), customer.External, "POS-9")
		if err != nil || c.Name != "Walk-in" {
			t.Fatalf("webhook customer = %+v, %v", c, err)
		}
		rec := f.hook(t, `{"email":"x@example.com","purchased_at":"2025-03-03","amount":"1","currency":"EUR","reference":"R","create_customers":false}`, "good")
		mustStatus(t, rec, 400, "create_customers false")

		// Without a secret the webhook is off, whatever is signed.
		off := New(Opts{Agents: f.agents, Customers: f.customers, Tickets: f.tickets, Purchases: nil, Values: nil, Log: newTestLogger(f.logs)})
		req := httptest.NewRequest(http.MethodPost, Prefix+"/hooks/purchases", strings.NewReader(body))
		req.Header.Set(SignatureHeader, Sign("", []byte(body)))
		r2 := httptest.NewRecorder()
		off.ServeHTTP(r2, req)
		mustStatus(t, r2, http.StatusServiceUnavailable, "webhook without purchases")
	})
}

// FuzzPurchasesBody posts arbitrary bodies to POST /purchases and, signed,
// to the webhook: whatever arrives, the answer is never a 500, always JSON,
// and a purchase is stored only with a 200 or 201.
func FuzzPurchasesBody(f *testing.F) {
	seeds := []string{
		``, `{}`, `null`, `[]`, `"x"`, `{"purchases":null}`, `{"purchases":[{}]}`,
		`{"email":"ann@example.com","purchased_at":"2025-03-01","amount":"19.90","currency":"EUR","reference":"A-1"}`,
		`{"email":"ann@example.com","purchased_at":"2025-03-01T10:00:00Z","amount":19.9,"currency":"EUR","reference":"A-2"}`,
		`{"customer_id":1,"purchased_at":"2025-03-01","amount":1e300,"currency":"EUR"}`,
		`{"customer_id":-1,"purchased_at":"2025-03-01","amount":"-5","currency":"EUR"}`,
		`{"external_id":"` + strings.Repeat("x", 300) + `","purchased_at":"2025-03-01","amount":"1","currency":"EUR"}`,
		`{"phone":"+1 (555) 010-0000","purchased_at":"9999-12-31","amount":"1","currency":"JPY"}`,
		`{"email":"a\u0000b@example.com","purchased_at":"2025-03-01","amount":"1","currency":"EUR"}`,
		`{"create_customers":true,"purchases":[{"email":"new@example.com","purchased_at":"2025-03-01","amount":"0.001","currency":"KWD","reference":"k"}]}`,
		`{"amount":[1]}`, `{"amount":{"x":1}}`, `{"purchased_at":5}`, `{"purchases":[1,2]}`, `{"email":"x"}{}`,
	}
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	fx := newPurchaseFixture(f, storetest.SQLite(f))
	count := func(t *testing.T) int {
		var n int
		if err := fx.db.R.QueryRow(`SELECT count(*) FROM purchases`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, send := range []func() *httptest.ResponseRecorder{
			func() *httptest.ResponseRecorder {
				return fx.do(t, http.MethodPost, Prefix+"/purchases", string(body), "agent")
			},
			func() *httptest.ResponseRecorder { return fx.hook(t, string(body), "good") },
		} {
			before := count(t)
			rec := send()
			if rec.Code >= 500 {
				t.Fatalf("status %d for body %q: %s", rec.Code, body, rec.Body.String())
			}
			if !json.Valid(rec.Body.Bytes()) {
				t.Fatalf("response is not JSON for body %q: %s", body, rec.Body.String())
			}
			if rec.Code >= 400 && count(t) != before {
				t.Fatalf("status %d but purchases were stored for body %q", rec.Code, body)
			}
		}
	})
}
