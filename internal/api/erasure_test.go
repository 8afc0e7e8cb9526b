package api

import (
	"context"
	"log/slog"
	"strconv"
	"testing"

	"github.com/rapport/rapport/internal/audit"
	"github.com/rapport/rapport/internal/channel/mailout"
	"github.com/rapport/rapport/internal/customer"
	"github.com/rapport/rapport/internal/i18n"
	"github.com/rapport/rapport/internal/jobs"
	"github.com/rapport/rapport/internal/portal"
	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/store/storetest"
)

// Erasure requests through the API: admins list, approve (the customer is
// anonymised) and decline; a decided request is a 409.
func TestErasureScenarios(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		log := slog.New(slog.DiscardHandler)
		q := jobs.New(db, f.clock, log)
		cat := i18n.MustLoad()
		mail := mailout.New(mailout.Opts{DB: db, Jobs: q, Tickets: f.tickets, I18n: cat, Clock: f.clock, Log: log,
			Transport: mailout.Outbox{Dir: t.TempDir()}, Mailbox: "support@rapport.test"})
		p := portal.New(portal.Opts{DB: db, Jobs: q, Clock: f.clock, Log: log, Customers: f.customers, Tickets: f.tickets,
			Mail: mail, I18n: cat, Audit: audit.New(db, f.clock)})
		f.h = New(Opts{Agents: f.agents, Customers: f.customers, Tickets: f.tickets, Log: log, Mailboxes: []string{"support@rapport.test"},
			MaxMessageBytes: testMaxBody, MaxBodyBytes: testMaxBody, Version: "test", I18n: cat, Clock: f.clock, Portal: p})
		ids := map[string]int64{}
		for _, who := range []string{"erin", "finn"} {
			c, err := f.customers.Create(ctx, customer.NewCustomer{Name: who + " Example", Emails: []string{who + "@example.com"}})
			if err != nil {
				t.Fatal(err)
			}
			e, err := p.RequestErasure(ctx, c.ID, "")
			if err != nil {
				t.Fatal(err)
			}
			ids[who] = e.ID
		}
		erin, finn := strconv.FormatInt(ids["erin"], 10), strconv.FormatInt(ids["finn"], 10)
		f.run(t, []scenario{
			{name: "a manager cannot list them", method: "GET", path: "/erasure-requests", as: "manager", status: 403},
			{name: "list", method: "GET", path: "/erasure-requests?status=pending", as: "admin", status: 200,
				want: []string{`"customer_name":"erin Example"`, `"customer_name":"finn Example"`}},
			{name: "bad status", method: "GET", path: "/erasure-requests?status=maybe", as: "admin", status: 400},
			{name: "approve", method: "POST", path: "/erasure-requests/" + erin + "/approve", as: "admin", status: 200,
				json: map[string]string{"status": "approved", "customer_name": portal.Erased}},
			{name: "approve again", method: "POST", path: "/erasure-requests/" + erin + "/approve", as: "admin", status: 409},
			{name: "decline", method: "POST", path: "/erasure-requests/" + finn + "/decline", as: "admin", status: 200,
				json: map[string]string{"status": "declined", "customer_name": "finn Example"}},
			{name: "unknown", method: "POST", path: "/erasure-requests/999/approve", as: "admin", status: 404},
			{name: "an agent cannot approve", method: "POST", path: "/erasure-requests/" + finn + "/approve", as: "agent", status: 403},
		})
		if _, err := f.customers.FindByIdentity(ctx, customer.Email, "erin@example.com"); err == nil {
			t.Errorf("the erased customer is still found by address")
		}
	})
}
