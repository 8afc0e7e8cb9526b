package api

import (
	"context"
	"net/http"
	"testing"

	"github.com/rapport/rapport/internal/business"
	"github.com/rapport/rapport/internal/i18n"
	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/store/storetest"
)

func TestBusinessSettingsEndpoint(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		mustStatus(t, f.do(t, http.MethodGet, "/api/v1/settings/business", "", "admin"), http.StatusServiceUnavailable, "without the settings")
		biz := business.New(business.Opts{DB: db, Clock: f.clock, Languages: i18n.Supported, Defaults: business.Profile{Name: "Support"}})
		f.h = New(Opts{Agents: f.agents, Customers: f.customers, Tickets: f.tickets, Business: biz, MaxBodyBytes: testMaxBody})
		good := `{"name":"Aurora Home & Garden","sender_name":"Aurora customer care","logo_url":"https://aurora.example/logo.png",` +
			`"signature":"The Aurora team","time_zone":"Europe/Rome","languages":["it","en"],"default_language":"it",` +
			`"registers":{"it":"informal"},"set_up":true}`
		f.run(t, []scenario{
			{name: "no token", method: "GET", path: "/settings/business", status: 401},
			{name: "agent may not read", method: "GET", path: "/settings/business", as: "agent", status: 403},
			{name: "manager may not change", method: "PUT", path: "/settings/business", as: "manager", body: good, status: 403},
			{name: "the defaults", method: "GET", path: "/settings/business", as: "admin", status: 200,
				json: map[string]string{"name": "Support", "set_up": "false"}},
			{name: "every problem at once", method: "PUT", path: "/settings/business", as: "admin", status: 400,
				body: `{"name":"","logo_url":"http://x.example/l.png","time_zone":"Mars/Base","languages":["it","xx"],"registers":{"it":"casual"}}`,
				json: map[string]string{"error.code": "invalid_input", "error.fields.name": "is required", "error.fields.logo_url": "must be an https:// address",
					"error.fields.time_zone": "is not a time zone (for example Europe/Rome)", "error.fields.registers": "must be formal or informal"}},
			{name: "unknown field", method: "PUT", path: "/settings/business", as: "admin", body: `{"name":"A","colour":"red"}`, status: 400,
				json: map[string]string{"error.code": "invalid_json"}},
			{name: "save, set_up stays the first run's", method: "PUT", path: "/settings/business", as: "admin", body: good, status: 200,
				json: map[string]string{"name": "Aurora Home & Garden", "languages.1": "en", "registers.it": "informal", "set_up": "false"}},
			{name: "read back", method: "GET", path: "/settings/business", as: "admin", status: 200,
				json: map[string]string{"sender_name": "Aurora customer care", "time_zone": "Europe/Rome", "default_language": "it"}},
		})
		p, err := biz.Profile(context.Background())
		if err != nil || p.From() != "Aurora customer care" || p.Serves("ru") || p.SetUp {
			t.Fatalf("profile after PUT: %+v %v", p, err)
		}
	})
}
