package api

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/rapport/rapport/internal/metrics"
	"github.com/rapport/rapport/internal/metrics/metricstest"
	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/store/storetest"
)

func TestMetricsEndpoint(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		m := metrics.New(metrics.Opts{DB: db, Clock: f.clock})
		f.h = New(Opts{Agents: f.agents, Customers: f.customers, Tickets: f.tickets, Metrics: m})
		metricstest.Seed(t, db, f.ids["agent"], f.ids["agent2"])
		if _, err := m.Rebuild(context.Background()); err != nil {
			t.Fatal(err)
		}
		const week = "/api/v1/metrics?period=custom&from=2025-03-03&to=2025-03-09"
		mustStatus(t, f.do(t, http.MethodGet, week, "", ""), http.StatusUnauthorized, "no token")
		mustStatus(t, f.do(t, http.MethodGet, week, "", "agent"), http.StatusForbidden, "an agent")

		// The API's numbers are the dashboard's: both come from Compute.
		for _, q := range []string{"", "&agent={agent2}", "&channel=phone", "&language=ca"} {
			rec := f.do(t, http.MethodGet, f.expand(t, week+q), "", "manager")
			mustStatus(t, rec, http.StatusOK, "metrics"+q)
			var got metrics.Report
			decodeJSON(t, rec, &got)
			flt, err := metrics.ParseFilter(mustQuery(t, f.expand(t, week+q)), f.clock.Now(), time.UTC)
			if err != nil {
				t.Fatal(err)
			}
			want, err := m.Compute(context.Background(), flt)
			if err != nil {
				t.Fatal(err)
			}
			wantJSON, _ := json.Marshal(want)
			gotJSON, _ := json.Marshal(got)
			if string(wantJSON) != string(gotJSON) && !(want.Agents == nil && len(got.Agents) == 0) {
				t.Errorf("%s:\n got %s\nwant %s", q, gotJSON, wantJSON)
			}
		}
		// The seeded figures, and no data as null.
		rec := f.do(t, http.MethodGet, week, "", "manager")
		var raw map[string]any
		decodeJSON(t, rec, &raw)
		cur := raw["current"].(map[string]any)
		frt := cur["first_response"].(map[string]any)
		if frt["median"] != 1800.0 || cur["nps"] != 0.0 || cur["csat"] != 0.5 || cur["promises_kept"] != nil {
			t.Errorf("current = %v", cur)
		}
		// Every rate with the count it rests on, too few under min_base.
		if raw["min_base"] != float64(metrics.MinBase) {
			t.Errorf("min_base = %v", raw["min_base"])
		}
		rates := map[string]map[string]any{}
		for _, r := range raw["rates"].([]any) {
			rt := r.(map[string]any)
			rates[rt["key"].(string)] = rt
		}
		for key, base := range map[string]any{"csat": cur["csat_answers"], "nps": cur["nps_answers"], "sla": cur["sla_tickets"],
			"response_rate": cur["surveys_sent"], "reopen_rate": cur["tickets_solved"], "frt_median": frt["n"]} {
			rt := rates[key]
			if rt == nil {
				t.Errorf("no rate %s in %v", key, raw["rates"])
				continue
			}
			b, _ := base.(float64)
			if rt["base"] != b || rt["too_few"] != (b < float64(metrics.MinBase)) {
				t.Errorf("rate %s = %v, want base %v", key, rt, b)
			}
		}
		if _, ok := rates["created"]; ok {
			t.Error("a count is listed among the rates")
		}

		// Bad parameters: 400 naming each field.
		rec = f.do(t, http.MethodGet, "/api/v1/metrics?period=custom&from=yesterday&team=x&channel=fax", "", "manager")
		mustStatus(t, rec, http.StatusBadRequest, "bad parameters")
		var e errorBody
		decodeJSON(t, rec, &e)
		for _, field := range []string{"from", "team", "channel"} {
			if e.Error.Fields[field] == "" {
				t.Errorf("no message for %s: %+v", field, e.Error)
			}
		}
	})
}

func mustQuery(t *testing.T, path string) map[string][]string {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, path, nil)
	if err != nil {
		t.Fatal(err)
	}
	return req.URL.Query()
}
