package api

import (
	"log/slog"
	"testing"

	"github.com/rapport/rapport/internal/chat"
	"github.com/rapport/rapport/internal/i18n"
	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/store/storetest"
)

func TestWidgetScenarios(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		log := slog.New(slog.DiscardHandler)
		cat := i18n.MustLoad()
		f.h = New(Opts{Agents: f.agents, Customers: f.customers, Tickets: f.tickets, Log: log, Mailboxes: []string{"support@rapport.test"},
			MaxMessageBytes: testMaxBody, MaxBodyBytes: testMaxBody, Version: "test", I18n: cat, Clock: f.clock,
			Chat: chat.New(chat.Opts{DB: db, Clock: f.clock, Catalog: cat})})
		f.run(t, []scenario{
			{name: "a manager cannot list them", method: "GET", path: "/widgets", as: "manager", status: 403},
			{name: "create", method: "POST", path: "/widgets", as: "admin",
				body:   `{"name": "Shop help", "origins": ["https://Shop.example"], "language": "it"}`,
				status: 201, json: map[string]string{"name": "Shop help", "origins.0": "https://shop.example", "prechat": "true", "position": "right"},
				want: []string{`"snippet":"\u003cscript src=`, `/widget.js\" data-widget=\"w`}, save: map[string]string{"w": "id"}},
			{name: "an origin with a path", method: "POST", path: "/widgets", as: "admin",
				body: `{"name": "x", "origins": ["https://shop.example/help"]}`, status: 400, want: []string{`"origins"`}},
			{name: "no name", method: "POST", path: "/widgets", as: "admin", body: `{"origins": []}`, status: 400, want: []string{`"name"`}},
			{name: "unknown field", method: "POST", path: "/widgets", as: "admin", body: `{"name": "x", "secret": "mine"}`, status: 400},
			{name: "list", method: "GET", path: "/widgets", as: "admin", status: 200, json: map[string]string{"data.0.id": "{w}", "data.0.language": "it"}},
			{name: "change", method: "PUT", path: "/widgets/{w}", as: "admin",
				body: `{"name": "Help", "origins": ["https://shop.example"], "position": "left", "prechat": false}`, status: 200,
				json: map[string]string{"position": "left", "prechat": "false"}},
			{name: "a colour", method: "PUT", path: "/widgets/{w}", as: "admin", body: `{"name": "Help", "color": "blue"}`, status: 400, want: []string{`"color"`}},
			{name: "rotate", method: "POST", path: "/widgets/{w}/rotate-secret", as: "admin", status: 200, want: []string{`"secret":"`}},
			{name: "delete", method: "DELETE", path: "/widgets/{w}", as: "admin", status: 204},
			{name: "gone", method: "PUT", path: "/widgets/{w}", as: "admin", body: `{"name": "Help"}`, status: 404},
		})
	})
}
