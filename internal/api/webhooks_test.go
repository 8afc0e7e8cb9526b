package api

import (
	"log/slog"
	"testing"

	"github.com/rapport/rapport/internal/i18n"
	"github.com/rapport/rapport/internal/jobs"
	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/store/storetest"
	"github.com/rapport/rapport/internal/webhook"
)

func TestWebhookScenarios(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		log := slog.New(slog.DiscardHandler)
		hooks := webhook.New(webhook.Opts{DB: db, Jobs: jobs.New(db, f.clock, log), Clock: f.clock, Log: log})
		f.h = New(Opts{Agents: f.agents, Customers: f.customers, Tickets: f.tickets, Log: log, Mailboxes: []string{"support@rapport.test"},
			MaxMessageBytes: testMaxBody, MaxBodyBytes: testMaxBody, Version: "test", I18n: i18n.MustLoad(), Clock: f.clock,
			Webhooks: hooks})
		f.run(t, []scenario{
			{name: "a manager cannot list them", method: "GET", path: "/webhooks", as: "manager", status: 403},
			{name: "create", method: "POST", path: "/webhooks", as: "admin",
				body:   `{"url": "https://crm.example.com/rapport", "events": ["ticket.created", "sla.breached"], "description": "CRM"}`,
				status: 201, json: map[string]string{"url": "https://crm.example.com/rapport", "events.1": "sla.breached", "active": "true"},
				want: []string{`"secret":"whsec_`}, save: map[string]string{"wh": "id"}},
			{name: "unknown event type", method: "POST", path: "/webhooks", as: "admin",
				body: `{"url": "https://crm.example.com/x", "events": ["ticket.exploded"]}`, status: 400, want: []string{`"events"`, "ticket.exploded"}},
			{name: "not an http address", method: "POST", path: "/webhooks", as: "admin",
				body: `{"url": "file:///etc/passwd", "events": ["ticket.created"]}`, status: 400, want: []string{`"url"`}},
			{name: "unknown field", method: "POST", path: "/webhooks", as: "admin",
				body: `{"url": "https://crm.example.com/x", "events": ["ticket.created"], "secret": "mine"}`, status: 400},
			{name: "list", method: "GET", path: "/webhooks", as: "admin", status: 200, json: map[string]string{"data.0.id": "{wh}"}},
			{name: "switch off", method: "PUT", path: "/webhooks/{wh}", as: "admin",
				body: `{"url": "https://crm.example.com/rapport", "events": ["ticket.created"], "active": false}`, status: 200,
				json: map[string]string{"active": "false", "events.0": "ticket.created"}},
			{name: "ping", method: "POST", path: "/webhooks/{wh}/ping", as: "admin", status: 202,
				json: map[string]string{"event_type": "webhook.ping", "status": "pending"}, save: map[string]string{"d": "id"}},
			{name: "deliveries", method: "GET", path: "/webhooks/{wh}/deliveries", as: "admin", status: 200,
				json: map[string]string{"data.0.id": "{d}", "data.0.event_type": "webhook.ping"}},
			{name: "bad before", method: "GET", path: "/webhooks/{wh}/deliveries?before=x", as: "admin", status: 400},
			{name: "replay", method: "POST", path: "/webhooks/{wh}/deliveries/{d}/replay", as: "admin", status: 202,
				json: map[string]string{"event_type": "webhook.ping"}},
			{name: "replay unknown delivery", method: "POST", path: "/webhooks/{wh}/deliveries/999/replay", as: "admin", status: 404},
			{name: "rotate", method: "POST", path: "/webhooks/{wh}/rotate-secret", as: "admin", status: 200, want: []string{`"secret":"whsec_`}},
			{name: "delete", method: "DELETE", path: "/webhooks/{wh}", as: "admin", status: 204},
			{name: "gone", method: "GET", path: "/webhooks/{wh}", as: "admin", status: 404},
		})
	})
}
