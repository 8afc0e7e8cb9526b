package api

import (
	"context"
	"log/slog"
	"testing"

	"github.com/rapport/rapport/internal/attachment"
	"github.com/rapport/rapport/internal/i18n"
	"github.com/rapport/rapport/internal/jobs"
	"github.com/rapport/rapport/internal/savedreply"
	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/store/storetest"
	"github.com/rapport/rapport/internal/ticket"
)

func TestSavedReplyScenarios(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		log := slog.New(slog.DiscardHandler)
		f.h = New(Opts{Agents: f.agents, Customers: f.customers, Tickets: f.tickets, Log: log, Mailboxes: []string{"support@rapport.test"},
			MaxMessageBytes: testMaxBody, MaxBodyBytes: testMaxBody, Version: "test", I18n: i18n.MustLoad(), Clock: f.clock,
			Saved: savedreply.New(db, f.clock)})
		f.run(t, []scenario{
			{name: "an agent cannot write one", method: "POST", path: "/saved-replies", as: "agent",
				body: `{"title": "Refund", "body": "Your refund is on its way.", "language": "en"}`, status: 403},
			{name: "create", method: "POST", path: "/saved-replies", as: "manager",
				body:   `{"title": "Refund", "body": "Your refund is on its way.", "language": "en"}`,
				status: 201, json: map[string]string{"title": "Refund", "language": "en", "created_by": "{manager}"}, save: map[string]string{"sr": "id"}},
			{name: "unknown language", method: "POST", path: "/saved-replies", as: "manager",
				body: `{"title": "Rückerstattung", "body": "x", "language": "de"}`, status: 400, want: []string{`"language"`}},
			{name: "no title", method: "POST", path: "/saved-replies", as: "admin",
				body: `{"title": " ", "body": "x", "language": "en"}`, status: 400, want: []string{`"title"`}},
			{name: "an agent lists them", method: "GET", path: "/saved-replies", as: "agent", status: 200,
				json: map[string]string{"data.0.id": "{sr}", "data.0.body": "Your refund is on its way."}},
			{name: "update", method: "PUT", path: "/saved-replies/{sr}", as: "manager",
				body: `{"title": "Rimborso", "body": "Il rimborso è partito.", "language": "it"}`, status: 200,
				json: map[string]string{"language": "it", "body": "Il rimborso è partito."}},
			{name: "get", method: "GET", path: "/saved-replies/{sr}", as: "agent", status: 200, json: map[string]string{"title": "Rimborso"}},
			{name: "an agent cannot delete", method: "DELETE", path: "/saved-replies/{sr}", as: "agent", status: 403},
			{name: "delete", method: "DELETE", path: "/saved-replies/{sr}", as: "manager", status: 204},
			{name: "gone", method: "GET", path: "/saved-replies/{sr}", as: "agent", status: 404},
			{name: "update gone", method: "PUT", path: "/saved-replies/{sr}", as: "manager",
				body: `{"title": "x", "body": "y", "language": "en"}`, status: 404},
		})
	})
}

func TestReplyRecipientsAndFiles(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		log := slog.New(slog.DiscardHandler)
		files := attachment.New(db, attachment.Dir{Path: t.TempDir()}, f.clock)
		f.tickets = ticket.NewService(ticket.Opts{DB: db, Clock: f.clock, Jobs: jobs.New(db, f.clock, log), Customers: f.customers, Log: log, Attachments: files})
		f.h = New(Opts{Agents: f.agents, Customers: f.customers, Tickets: f.tickets, Log: log, Mailboxes: []string{"support@rapport.test"},
			MaxMessageBytes: testMaxBody, MaxBodyBytes: testMaxBody, Version: "test", I18n: i18n.MustLoad(), Clock: f.clock})
		tk, err := f.tickets.Create(ctx, ticket.Actor{Kind: "customer"}, ticket.NewTicket{Subject: "Broken lamp", Body: "It flickers",
			Channel: "email", CustomerEmail: "carla@example.com"})
		if err != nil {
			t.Fatal(err)
		}
		f.ids["t"] = tk.ID
		f.run(t, []scenario{
			{name: "bad cc", method: "POST", path: "/tickets/{t}/reply", as: "agent",
				body: `{"body": "Here is the manual.", "cc": ["ok@example.com", "not an address"]}`, status: 400, want: []string{`"cc"`, "not an address"}},
			{name: "two addresses in to", method: "POST", path: "/tickets/{t}/reply", as: "agent",
				body: `{"body": "Here is the manual.", "to": "a@example.com, b@example.com"}`, status: 400, want: []string{`"to"`}},
			{name: "file not base64", method: "POST", path: "/tickets/{t}/reply", as: "agent",
				body: `{"body": "Here is the manual.", "attachments": [{"filename": "m.pdf", "data": "%%%"}]}`, status: 400, want: []string{`"attachments"`}},
			{name: "reply with cc and a file", method: "POST", path: "/tickets/{t}/reply", as: "agent",
				body:   `{"body": "Here is the manual.", "cc": ["Dan <dan@example.com>", "eve@example.com"], "attachments": [{"filename": "manual.pdf", "content_type": "application/pdf", "data": "JVBERi0xLjQ="}]}`,
				status: 201, json: map[string]string{"cc.0": "dan@example.com", "cc.1": "eve@example.com", "to": ""}},
		})
		// The refused replies wrote nothing: the thread is the customer's
		// message and the one reply.
		msgs, err := f.tickets.Messages(ctx, tk.ID)
		if err != nil || len(msgs) != 2 {
			t.Fatalf("messages %v %v", msgs, err)
		}
		got, data, err := files.ForMessage(ctx, msgs[1].ID)
		if err != nil || len(got) != 1 || got[0].Filename != "manual.pdf" || string(data[0]) != "%PDF-1.4" {
			t.Fatalf("the reply's files: %+v %q %v", got, data, err)
		}
	})
}
