package web

import (
	"context"
	"encoding/csv"
	"github.com/rapport/rapport/internal/ratelimit"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/rapport/rapport/internal/channel/mailout"
	"github.com/rapport/rapport/internal/metrics"
	"github.com/rapport/rapport/internal/recovery"
	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/store/storetest"
)

// sentNotices records the customer notices compensation sends.
type sentNotices struct {
	mu   sync.Mutex
	sent []mailout.Notice
}

func (n *sentNotices) SendNotice(_ context.Context, m mailout.Notice) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.sent = append(n.sent, m)
	return nil
}

// newRecoveryFixture is the loyalty fixture with compensation wired in, as
// the app wires it.
func newRecoveryFixture(t testing.TB, db *store.DB) (*fixture, loyaltyServices, *recovery.Service, *sentNotices) {
	t.Helper()
	f := newFixture(t, db)
	ls := newLoyaltyServices(t, f)
	notices := &sentNotices{}
	rs, err := recovery.New(recovery.Opts{DB: f.db, Clock: f.clock, Jobs: f.jobs, Tickets: f.tickets, I18n: f.cat, Mail: notices})
	if err != nil {
		t.Fatal(err)
	}
	h, err := New(Opts{Limits: ratelimit.New(f.db, f.clock),
		Agents: f.agents, Customers: f.customers, Tickets: f.tickets, I18n: f.cat, Clock: f.clock,
		Version: "test", MaxBodyBytes: testMaxBody, Intake: f.intake, SLA: f.sla, Router: f.router,
		Reviews: f.reviews, Purchases: ls.purchases, Values: ls.values, Recommits: ls.recommits, Customer360: ls.panels,
		Recovery: rs, Metrics: metrics.New(metrics.Opts{DB: f.db, Clock: f.clock}),
	})
	if err != nil {
		t.Fatal(err)
	}
	f.srv.Close()
	f.srv = httptest.NewServer(h)
	t.Cleanup(f.srv.Close)
	return f, ls, rs, notices
}

func kindID(t testing.TB, rs *recovery.Service, kind string) string {
	t.Helper()
	ks, err := rs.Kinds(context.Background(), true)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range ks {
		if k.Kind == kind {
			return strconv.FormatInt(k.ID, 10)
		}
	}
	t.Fatalf("no kind %s", kind)
	return ""
}

func TestCompensationFromTicketToLedger(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f, ls, rs, notices := newRecoveryFixture(t, db)
		buy(t, ls.purchases, f.clock.Now(), f.ids["customer"], 1, 1, 3, "200.00")
		orders, _, err := ls.purchases.Purchases(ctx, f.ids["customer"], nil, 10)
		if err != nil || len(orders) != 1 {
			t.Fatalf("orders %v %v", orders, err)
		}
		order := strconv.FormatInt(orders[0].ID, 10)
		refund := kindID(t, rs, recovery.KindRefund)
		tk := ticketURL(f.ids["ticket"])
		al := f.login(t, "agent")

		page := al.get(t, tk)
		mustCode(t, page, http.StatusOK, "ticket page")
		card := section(t, page.body, "compensate")
		if !strings.Contains(card, "Make it right") || !strings.Contains(card, orders[0].Reference) {
			t.Fatalf("card: %s", card)
		}
		cases := []struct {
			name  string
			form  url.Values
			field string
		}{
			{"negative", url.Values{"kind_id": {refund}, "amount": {"-5"}, "reason": {"broken"}, "purchase_id": {order}}, "Cannot be negative"},
			{"no reason", url.Values{"kind_id": {refund}, "amount": {"5"}, "purchase_id": {order}}, "Say why"},
			{"unknown order", url.Values{"kind_id": {refund}, "amount": {"5"}, "reason": {"x"}, "purchase_id": {"98765"}}, "not one of the customer"},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				res := al.post(t, tk+"/compensations", tc.form)
				mustCode(t, res, http.StatusUnprocessableEntity, tc.name)
				if !strings.Contains(pageText(res.body), tc.field) {
					t.Fatalf("no %q in %s", tc.field, section(t, res.body, "compensate"))
				}
			})
		}
		// Within the agent's 50.00: granted at once.
		res := al.post(t, tk+"/compensations", url.Values{"kind_id": {refund}, "amount": {"40.00"}, "reason": {"arrived broken"}, "purchase_id": {order}})
		mustCode(t, res, http.StatusSeeOther, "grant")
		// Above it: a request.
		res = al.post(t, tk+"/compensations", url.Values{"kind_id": {refund}, "amount": {"60.00"}, "reason": {"and late"}, "purchase_id": {order}})
		mustCode(t, res, http.StatusSeeOther, "request")
		page = al.get(t, tk)
		text := pageText(page.body)
		for _, want := range []string{"granted Refund 40.00 EUR", "asked a manager to approve Refund 60.00 EUR", "waiting for a manager"} {
			if !strings.Contains(text, want) {
				t.Errorf("ticket page lacks %q", want)
			}
		}
		// Agents have no ledger.
		mustCode(t, al.get(t, "/manage/compensation"), http.StatusForbidden, "agent on the ledger")

		mia := f.login(t, "manager")
		led := mia.get(t, "/manage/compensation")
		mustCode(t, led, http.StatusOK, "ledger")
		reqs, err := rs.Ledger(ctx, recovery.Filter{Status: recovery.Requested})
		if err != nil || len(reqs) != 1 {
			t.Fatalf("requests %v %v", reqs, err)
		}
		if !strings.Contains(section(t, led.body, "compensation-requests"), "and late") {
			t.Fatal("the request is not listed")
		}
		res = mia.post(t, "/manage/compensation/"+strconv.FormatInt(reqs[0].ID, 10)+"/approve", nil)
		mustCode(t, res, http.StatusSeeOther, "approve")
		res = mia.post(t, "/manage/compensation/"+strconv.FormatInt(reqs[0].ID, 10)+"/decline", url.Values{"decline_reason": {"late"}})
		mustCode(t, res, http.StatusConflict, "decide twice")

		exp := mia.get(t, "/manage/compensation.csv?status=granted")
		mustCode(t, exp, http.StatusOK, "csv")
		rows, err := csv.NewReader(strings.NewReader(exp.body)).ReadAll()
		if err != nil || len(rows) != 3 || rows[1][7] != "60.00" || rows[2][7] != "40.00" || rows[1][9] != "granted" {
			t.Fatalf("csv %v %v", rows, err)
		}
		// Both grants are told to the customer.
		if _, err := f.jobs.RunDue(ctx); err != nil {
			t.Fatal(err)
		}
		if len(notices.sent) != 2 || notices.sent[0].To.Address != "carla@example.com" {
			t.Fatalf("notices %+v", notices.sent)
		}
	})
}

func TestCompensationSettings(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f, _, rs, _ := newRecoveryFixture(t, db)
		ada := f.login(t, "admin")
		page := ada.get(t, "/admin/compensation")
		mustCode(t, page, http.StatusOK, "settings")
		refund := kindID(t, rs, recovery.KindRefund)
		form := url.Values{"currency": {"EUR"}, "request_due_hours": {"6"}}
		ks, _ := rs.Kinds(ctx, true)
		for _, k := range ks {
			pre := "kind_" + strconv.FormatInt(k.ID, 10) + "_"
			form.Set(pre+"name", k.Name)
			form.Set(pre+"active", "on")
		}
		bad := url.Values{}
		for k, v := range form {
			bad[k] = v
		}
		bad.Set("kind_"+refund+"_agent_ticket", "-3")
		res := ada.post(t, "/admin/compensation", bad)
		mustCode(t, res, http.StatusUnprocessableEntity, "negative limit")
		form.Set("kind_"+refund+"_name", "Money back")
		form.Set("kind_"+refund+"_agent_ticket", "75.50")
		res = ada.post(t, "/admin/compensation", form)
		mustCode(t, res, http.StatusSeeOther, "save")
		id, _ := strconv.ParseInt(refund, 10, 64)
		k, err := rs.Kind(ctx, id)
		if err != nil || k.Name != "Money back" || k.Limits["agent"].Ticket == nil || *k.Limits["agent"].Ticket != 7550 || k.Limits["agent"].Month != nil {
			t.Fatalf("saved %+v %v", k, err)
		}
		if st, _ := rs.Settings(ctx); st.RequestDueHours != 6 {
			t.Fatalf("settings %+v", st)
		}
		mustCode(t, f.login(t, "manager").get(t, "/admin/compensation"), http.StatusForbidden, "manager on settings")
	})
}

func TestCompensationOnDashboardAndScorecard(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f, _, rs, _ := newRecoveryFixture(t, db)
		voucher, _ := strconv.ParseInt(kindID(t, rs, recovery.KindVoucher), 10, 64)
		if _, err := rs.Grant(ctx, f.ids["agent"], f.ids["ticket"], recovery.NewCompensation{KindID: voucher, Amount: "15", Reason: "late"}); err != nil {
			t.Fatal(err)
		}
		mia := f.login(t, "manager")
		dash := mia.get(t, "/dashboard?period=7")
		mustCode(t, dash, http.StatusOK, "dashboard")
		if got := pageText(section(t, dash.body, "kpi-recovery")); !strings.Contains(got, "Cost of recovery") || !strings.Contains(got, "15.00 EUR") || !strings.Contains(got, "Granted: 1") {
			t.Fatalf("dashboard tile: %s", got)
		}
		sc := mia.get(t, "/agents/"+strconv.FormatInt(f.ids["agent"], 10)+"/scorecard")
		mustCode(t, sc, http.StatusOK, "scorecard")
		if got := pageText(section(t, sc.body, "sc-compensation")); !strings.Contains(got, "15.00 EUR") || !strings.Contains(got, "Granted: 1") {
			t.Fatalf("scorecard card: %s", got)
		}
	})
}

// TestApproveAboveManagersLimit: on the requests page a manager's approval
// above their own limit is refused next to the request, with why and who
// can approve it; the request keeps waiting.
func TestApproveAboveManagersLimit(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f, _, rs, _ := newRecoveryFixture(t, db)
		c, err := rs.Grant(ctx, f.ids["agent"], f.ids["ticket"], recovery.NewCompensation{KindID: mustInt(t, kindID(t, rs, recovery.KindVoucher)),
			Amount: "150", Reason: "ruined holiday"})
		if err != nil || c.Status != recovery.Requested {
			t.Fatalf("request %+v %v", c, err)
		}
		mia := f.login(t, "manager")
		res := mia.post(t, "/manage/compensation/"+strconv.FormatInt(c.ID, 10)+"/approve", nil)
		mustCode(t, res, http.StatusUnprocessableEntity, "approve above the limit")
		if text := pageText(res.body); !strings.Contains(text, "150.00 EUR is above your own limit for Gift or voucher (100.00 EUR a ticket, 1000.00 EUR a month): an administrator must approve it.") {
			t.Fatalf("no clear error: %s", text)
		}
		if got, err := rs.Get(ctx, c.ID); err != nil || got.Status != recovery.Requested {
			t.Fatalf("after the refusal: %+v %v", got, err)
		}
	})
}

func mustInt(t testing.TB, s string) int64 {
	t.Helper()
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	return n
}
