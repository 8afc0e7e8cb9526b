package api

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/rapport/rapport/internal/channel/mailout"
	"github.com/rapport/rapport/internal/i18n"
	"github.com/rapport/rapport/internal/jobs"
	"github.com/rapport/rapport/internal/purchases"
	"github.com/rapport/rapport/internal/recovery"
	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/store/storetest"
	"github.com/rapport/rapport/internal/ticket"
)

// noMail drops customer notices; the recovery tests read them.
type noMail struct{}

func (noMail) SendNotice(context.Context, mailout.Notice) error { return nil }

func TestCompensationScenarios(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		log := slog.New(slog.DiscardHandler)
		q := jobs.New(db, f.clock, log)
		rs, err := recovery.New(recovery.Opts{DB: db, Clock: f.clock, Jobs: q, Tickets: f.tickets, I18n: i18n.MustLoad(), Mail: noMail{}})
		if err != nil {
			t.Fatal(err)
		}
		bought, err := purchases.New(purchases.Opts{DB: db, Clock: f.clock, Customers: f.customers})
		if err != nil {
			t.Fatal(err)
		}
		f.h = New(Opts{Agents: f.agents, Customers: f.customers, Tickets: f.tickets, Log: log, Mailboxes: []string{"support@rapport.test"},
			MaxMessageBytes: testMaxBody, MaxBodyBytes: testMaxBody, Version: "test", Recovery: rs})
		tk, err := f.tickets.Create(ctx, ticket.Actor{Kind: "customer"}, ticket.NewTicket{Subject: "Broken", Body: "It arrived broken",
			Channel: "email", CustomerEmail: "carla@example.com"})
		if err != nil {
			t.Fatal(err)
		}
		a, err := bought.Add(ctx, purchases.NewPurchase{Customer: purchases.CustomerRef{ID: tk.CustomerID}, PurchasedAt: f.clock.Now().Add(-time.Hour),
			Amount: "150.00", Currency: "EUR", Reference: "A-1"}, purchases.AddOpts{})
		if err != nil {
			t.Fatal(err)
		}
		ks, err := rs.Kinds(ctx, true)
		if err != nil {
			t.Fatal(err)
		}
		f.ids["ticket"], f.ids["order"], f.ids["refund"] = tk.ID, a.Purchase.ID, ks[0].ID
		for _, k := range ks {
			if k.Kind == recovery.KindVoucher {
				f.ids["voucher"] = k.ID
			}
		}
		f.run(t, []scenario{
			{name: "grant within the limit", method: "POST", path: "/tickets/{ticket}/compensations", as: "agent",
				body:   `{"kind_id": {refund}, "amount": "30.00", "reason": "arrived broken", "purchase_id": {order}}`,
				status: 201, json: map[string]string{"status": "granted", "amount_minor": "3000", "order_reference": "A-1"}},
			{name: "above the limit is a request", method: "POST", path: "/tickets/{ticket}/compensations", as: "agent",
				body:   `{"kind_id": {refund}, "amount": 45, "reason": "and late", "purchase_id": {order}}`,
				status: 201, json: map[string]string{"status": "requested", "amount": "45.00"}, save: map[string]string{"request": "id"}},
			{name: "negative amount", method: "POST", path: "/tickets/{ticket}/compensations", as: "agent",
				body:   `{"kind_id": {refund}, "amount": "-1", "reason": "x", "purchase_id": {order}}`,
				status: 400, json: map[string]string{"error.fields.amount": "cannot be negative"}},
			{name: "unknown order", method: "POST", path: "/tickets/{ticket}/compensations", as: "agent",
				body:   `{"kind_id": {refund}, "amount": "1", "reason": "x", "purchase_id": 424242}`,
				status: 400, want: []string{"purchase"}},
			{name: "ticket list", method: "GET", path: "/tickets/{ticket}/compensations", as: "agent",
				status: 200, json: map[string]string{"data.0.status": "requested", "data.1.status": "granted"}},
			{name: "agents cannot read the ledger", method: "GET", path: "/compensations", as: "agent", status: 403},
			{name: "agents cannot approve", method: "POST", path: "/compensations/{request}/approve", as: "agent", status: 403},
			{name: "requests waiting", method: "GET", path: "/compensations?status=requested", as: "manager",
				status: 200, json: map[string]string{"data.0.id": "{request}"}},
			{name: "approve", method: "POST", path: "/compensations/{request}/approve", as: "manager",
				status: 200, json: map[string]string{"status": "granted", "decided_by": "{manager}"}},
			{name: "decide twice", method: "POST", path: "/compensations/{request}/decline", as: "manager",
				body: `{"reason": "too late"}`, status: 409, want: []string{"already_decided"}},
			{name: "ledger of granted", method: "GET", path: "/compensations?status=granted&agent_id={agent}", as: "manager",
				status: 200, json: map[string]string{"data.0.amount": "45.00", "data.1.amount": "30.00"}},
			{name: "bad filter", method: "GET", path: "/compensations?from=yesterday", as: "manager", status: 400},
			{name: "unknown request", method: "POST", path: "/compensations/999999/approve", as: "manager", status: 404},
			// A voucher of 150.00 is above the manager's own 100.00 a ticket:
			// refused, the request waits for an administrator.
			{name: "request above the manager's limit", method: "POST", path: "/tickets/{ticket}/compensations", as: "agent",
				body:   `{"kind_id": {voucher}, "amount": "150", "reason": "ruined holiday"}`,
				status: 201, json: map[string]string{"status": "requested"}, save: map[string]string{"big": "id"}},
			{name: "approve above the manager's limit", method: "POST", path: "/compensations/{big}/approve", as: "manager",
				status: 400, json: map[string]string{"error.fields.approve": "*"}, want: []string{"an administrator must approve it"}},
			{name: "still waiting", method: "GET", path: "/compensations?status=requested", as: "manager",
				status: 200, json: map[string]string{"data.0.id": "{big}"}},
			{name: "an administrator approves it", method: "POST", path: "/compensations/{big}/approve", as: "admin",
				status: 200, json: map[string]string{"status": "granted"}},
		})
	})
}

func TestCauseScenarios(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		log := slog.New(slog.DiscardHandler)
		rs, err := recovery.New(recovery.Opts{DB: db, Clock: f.clock, Jobs: jobs.New(db, f.clock, log), Tickets: f.tickets,
			I18n: i18n.MustLoad(), Mail: noMail{}})
		if err != nil {
			t.Fatal(err)
		}
		f.h = New(Opts{Agents: f.agents, Customers: f.customers, Tickets: f.tickets, Log: log, Mailboxes: []string{"support@rapport.test"},
			MaxMessageBytes: testMaxBody, MaxBodyBytes: testMaxBody, Version: "test", Recovery: rs})
		for _, name := range []string{"t1", "t2"} {
			tk, err := f.tickets.Create(ctx, ticket.Actor{Kind: "customer"}, ticket.NewTicket{Subject: "Lost parcel", Body: "lost",
				Channel: "email", CustomerEmail: "carla@example.com", Kind: "complaint"})
			if err != nil {
				t.Fatal(err)
			}
			f.ids[name] = tk.ID
		}
		f.run(t, []scenario{
			{name: "due in the past", method: "POST", path: "/causes", as: "agent",
				body:   `{"ticket_id": {t1}, "category": "delivery", "title": "Courier", "prevention": "switch", "due": "2020-01-01T00:00:00Z"}`,
				status: 400, want: []string{`"due"`}},
			{name: "create", method: "POST", path: "/causes", as: "agent",
				body:   `{"ticket_id": {t1}, "category": "delivery", "title": "Courier loses parcels", "prevention": "switch courier", "owner_id": {agent}, "due": "2025-03-20T17:00:00Z"}`,
				status: 201, json: map[string]string{"tickets": "1", "complaints": "1", "status": "open"}, save: map[string]string{"cause": "id"}},
			{name: "link", method: "POST", path: "/tickets/{t2}/causes", as: "agent2", body: `{"cause_id": {cause}}`,
				status: 200, json: map[string]string{"tickets": "2"}},
			{name: "link twice", method: "POST", path: "/tickets/{t2}/causes", as: "agent2", body: `{"cause_id": {cause}}`,
				status: 400, want: []string{"already linked"}},
			{name: "unknown cause", method: "POST", path: "/tickets/{t2}/causes", as: "agent2", body: `{"cause_id": 424242}`,
				status: 400, want: []string{`"cause"`}},
			{name: "done", method: "POST", path: "/causes/{cause}/done", as: "agent", status: 200, json: map[string]string{"status": "done"}},
			{name: "list", method: "GET", path: "/causes?q=courier", as: "agent", status: 200,
				json: map[string]string{"data.0.id": "{cause}", "data.0.tickets": "2"}},
			{name: "one with tickets", method: "GET", path: "/causes/{cause}", as: "agent", status: 200,
				json: map[string]string{"linked_tickets.1.ticket_id": "{t2}"}},
			{name: "unknown", method: "GET", path: "/causes/999999", as: "agent", status: 404},
			{name: "patch the title and owner", method: "PATCH", path: "/causes/{cause}", as: "agent",
				body:   `{"title": "Depot loses parcels", "owner_id": {agent2}}`,
				status: 200, json: map[string]string{"title": "Depot loses parcels", "owner_id": "{agent2}", "category": "delivery",
					"prevention": "switch courier", "status": "done", "tickets": "2"}},
			{name: "patch with an empty title", method: "PATCH", path: "/causes/{cause}", as: "agent", body: `{"title": " "}`,
				status: 400, json: map[string]string{"error.fields.title": "give the cause a title"}},
			{name: "patch with a bad category", method: "PATCH", path: "/causes/{cause}", as: "agent", body: `{"category": "weather"}`,
				status: 400, want: []string{`"category"`}},
			{name: "patch with an unknown owner", method: "PATCH", path: "/causes/{cause}", as: "agent", body: `{"owner_id": 424242}`,
				status: 400, json: map[string]string{"error.fields.owner_id": "is not an active agent"}},
			{name: "patch with a garbled due date", method: "PATCH", path: "/causes/{cause}", as: "agent", body: `{"due": "soon"}`,
				status: 400, want: []string{`"due"`}},
			{name: "put every field", method: "PUT", path: "/causes/{cause}", as: "agent",
				body: `{"category": "process", "title": "Scans skipped", "what_happened": "No scan at hand-over", "prevention": "Scan every parcel",
					"owner_id": {agent}, "due": "2025-04-30T17:00:00Z", "status": "open"}`,
				status: 200, json: map[string]string{"category": "process", "title": "Scans skipped", "what_happened": "No scan at hand-over",
					"status": "open", "due": "2025-04-30T17:00:00.000Z"}},
			{name: "put without a status", method: "PUT", path: "/causes/{cause}", as: "agent",
				body: `{"category": "process", "title": "Scans skipped"}`, status: 400, want: []string{`"status"`}},
			{name: "put an unknown cause", method: "PUT", path: "/causes/999999", as: "agent",
				body: `{"category": "process", "title": "x", "status": "open"}`, status: 404},
		})
	})
}
