package api

import (
	"context"
	"net/http"
	"testing"

	"github.com/rapport/rapport/internal/jobs"
	"github.com/rapport/rapport/internal/routing"
	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/store/storetest"
)

func TestRoutingSettingsEndpoint(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		mustStatus(t, f.do(t, http.MethodGet, "/api/v1/settings/routing", "", "admin"), http.StatusServiceUnavailable, "without a router")
		router := routing.NewRouter(routing.Opts{DB: db, Jobs: jobs.New(db, f.clock, nil), Tickets: f.tickets, Clock: f.clock})
		f.h = New(Opts{Agents: f.agents, Customers: f.customers, Tickets: f.tickets, Routing: router, MaxBodyBytes: testMaxBody})
		f.run(t, []scenario{
			{name: "no token", method: "GET", path: "/settings/routing", status: 401},
			{name: "agent may not read", method: "GET", path: "/settings/routing", as: "agent", status: 403},
			{name: "manager may not change", method: "PUT", path: "/settings/routing", as: "manager", body: `{"regulars_first":true}`, status: 403},
			{name: "off by default", method: "GET", path: "/settings/routing", as: "admin", status: 200, json: map[string]string{"regulars_first": "false"}},
			{name: "field required", method: "PUT", path: "/settings/routing", as: "admin", body: `{}`, status: 400,
				json: map[string]string{"error.code": "invalid_input", "error.fields.regulars_first": "is required"}},
			{name: "unknown field", method: "PUT", path: "/settings/routing", as: "admin", body: `{"regulars_first":true,"loyal_first":true}`, status: 400,
				json: map[string]string{"error.code": "invalid_json"}},
			{name: "switch on", method: "PUT", path: "/settings/routing", as: "admin", body: `{"regulars_first":true}`, status: 200,
				json: map[string]string{"regulars_first": "true"}},
			{name: "read back", method: "GET", path: "/settings/routing", as: "admin", status: 200, json: map[string]string{"regulars_first": "true"}},
		})
		if st, err := router.Settings(context.Background()); err != nil || !st.RegularsFirst {
			t.Fatalf("router settings after PUT: %+v %v", st, err)
		}
	})
}
