package web

import (
	"context"
	"encoding/csv"
	"github.com/rapport/rapport/internal/ratelimit"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/rapport/rapport/internal/metrics"
	"github.com/rapport/rapport/internal/metrics/metricstest"
	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/store/storetest"
)

// newDashboardFixture is the fixture with the metrics service, over the
// seeded week of metricstest.Seed (agent: a, agent2: b).
func newDashboardFixture(t *testing.T, db *store.DB) (*fixture, *metrics.Service) {
	t.Helper()
	f := newFixture(t, db)
	m := metrics.New(metrics.Opts{DB: db, Clock: f.clock})
	h, err := New(Opts{Limits: ratelimit.New(f.db, f.clock), Agents: f.agents, Customers: f.customers, Tickets: f.tickets, I18n: f.cat, Clock: f.clock,
		Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Version: "test", Metrics: m})
	if err != nil {
		t.Fatal(err)
	}
	f.srv.Close()
	f.srv = httptest.NewServer(h)
	t.Cleanup(f.srv.Close)
	metricstest.Seed(t, db, f.ids["agent"], f.ids["agent2"])
	if _, err := m.Rebuild(context.Background()); err != nil {
		t.Fatal(err)
	}
	return f, m
}

// seededWeek is the query of the seeded week.
const seededWeek = "period=custom&from=2025-03-03&to=2025-03-09"

func TestDashboard(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f, _ := newDashboardFixture(t, db)
		agentOnly := f.login(t, "agent")
		mustCode(t, agentOnly.get(t, "/dashboard"), http.StatusForbidden, "an agent on the dashboard")
		mustCode(t, agentOnly.get(t, "/feedback"), http.StatusForbidden, "an agent on the feedback record")
		mustCode(t, agentOnly.get(t, "/dashboard/kpis.csv"), http.StatusForbidden, "an agent exporting")

		c := f.login(t, "manager")
		home := c.get(t, "/")
		contains(t, home.body, []string{`href="/dashboard"`, `href="/feedback"`}, nil)
		tests := []struct {
			name      string
			query     string
			want, not []string
		}{
			// FRT median 30 min against 1 h the week before: −30 min, down, good.
			{"the week", seededWeek, []string{
				`id="kpi-frt_median"`, `<strong class="kpi-value">30 min</strong>`, `trend-down good`, `−30 min`, "before: 1 h",
				`<strong class="kpi-value">50%</strong>`, // CSAT
				`id="chart-frt"`, `id="chart-csat"`, `id="chart-complaints"`, `id="chart-csat-dist"`, `id="chart-nps-dist"`, `id="chart-agents"`,
				`href="/agents/` + itoa(f.ids["agent2"]) + `/scorecard"`, "Bo Agent", "Mar 3, 2025 – Mar 9, 2025", "compared with Feb 24, 2025 – Mar 2, 2025",
				// Every rate with its base, marked when it is under metrics.MinBase.
				`<small class="kpi-base">answers: 2</small> <small class="too-few" title="Fewer than 10: one more or one fewer moves this number a lot.">too few to judge</small>`,
				`id="too-few-note"`}, nil},
			{"one agent", seededWeek + "&agent=" + itoa(f.ids["agent2"]), []string{
				`<strong class="kpi-value">10 min</strong>`, `<strong class="kpi-value">−100</strong>`}, nil},
			{"by phone", seededWeek + "&channel=phone", []string{`<strong class="kpi-value">10 min</strong>`, "before: no data"}, nil},
			{"nothing in Catalan", seededWeek + "&language=ca", []string{`kpi nodata`, "no data"}, []string{`kpi-value">30 min`}},
			{"a bad filter is reset", "period=12&channel=fax", []string{"Some filters could not be used and were reset: channel, period"}, nil},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				r := c.get(t, "/dashboard?"+tc.query)
				mustCode(t, r, http.StatusOK, "dashboard")
				contains(t, r.body, tc.want, tc.not)
			})
		}

		// The KPI export: raw numbers, no data empty.
		r := c.get(t, "/dashboard/kpis.csv?"+seededWeek)
		mustCode(t, r, http.StatusOK, "kpis.csv")
		rows, err := csv.NewReader(strings.NewReader(r.body)).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		byKey := map[string][]string{}
		for _, row := range rows {
			byKey[row[0]] = row
		}
		if got := byKey["frt_median"]; len(got) < 6 || got[3] != "1800" || got[4] != "3600" || got[5] != "-1800" {
			t.Errorf("frt_median row = %v", got)
		}
		if got := byKey["promises"]; len(got) < 6 || got[3] != "" {
			t.Errorf("promises row = %v, want no data", got)
		}
		r = c.get(t, "/dashboard/agents.csv?"+seededWeek)
		mustCode(t, r, http.StatusOK, "agents.csv")
		contains(t, r.body, []string{"Bo Agent,1,600,0,1,-100,1,0,0"}, nil)

		// The feedback record: two answers and two complaints.
		r = c.get(t, "/feedback?"+seededWeek)
		mustCode(t, r, http.StatusOK, "feedback")
		contains(t, r.body, []string{"Lovely", "Too slow", "Seeded message about a complaint", "CSAT 2/5", "NPS 3", "(oral)"}, nil)
		r = c.get(t, "/feedback?"+seededWeek+"&mode=oral&kind=survey")
		contains(t, r.body, []string{"Too slow"}, []string{"Lovely"})
		r = c.get(t, "/feedback?"+seededWeek+"&score=9")
		mustCode(t, r, http.StatusOK, "feedback with a bad score")
		contains(t, r.body, []string{"were reset: score", "Lovely"}, nil)
		r = c.get(t, "/feedback.csv?"+seededWeek+"&q=slow")
		mustCode(t, r, http.StatusOK, "feedback.csv")
		rows, err = csv.NewReader(strings.NewReader(r.body)).ReadAll()
		if err != nil || len(rows) != 2 || rows[1][0] != "survey" || rows[1][4] != "2" || rows[1][12] != "oral" {
			t.Errorf("feedback.csv = %v, %v", rows, err)
		}
	})
}

func itoa(id int64) string { return idPath("", id, "") }

// TestDashboardCatchingUp: after the business's zone changes the dashboard
// serves at once, says the numbers are being recounted, and stops saying
// so when the rebuild is done; the period is the business's days, shown as
// its dates to an agent in another zone.
func TestDashboardCatchingUp(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f, m := newDashboardFixture(t, db)
		ctx := context.Background()
		if _, err := db.W.ExecContext(ctx, `UPDATE agents SET time_zone = 'America/New_York' WHERE id = $1`, f.ids["manager"]); err != nil {
			t.Fatal(err)
		}
		if changed, err := m.SwitchZone(ctx, "Asia/Tokyo"); err != nil || !changed {
			t.Fatalf("switch: %v %v", changed, err)
		}
		c := f.login(t, "manager")
		r := c.get(t, "/dashboard?"+seededWeek)
		mustCode(t, r, http.StatusOK, "dashboard while rebuilding")
		contains(t, r.body, []string{`id="dash-rebuilding"`, "The numbers are being recounted in the business&#39;s time zone, Asia/Tokyo (0% done).",
			"Days run from midnight to midnight in Asia/Tokyo.", "Mar 3, 2025 – Mar 9, 2025"}, nil)
		if err := m.RunRebuild(ctx, false, nil); err != nil {
			t.Fatal(err)
		}
		r = c.get(t, "/dashboard?"+seededWeek)
		contains(t, r.body, []string{"Mar 3, 2025 – Mar 9, 2025"}, []string{`id="dash-rebuilding"`})
		it := f.login(t, "manager")
		if _, err := db.W.ExecContext(ctx, `UPDATE agents SET locale = 'it' WHERE id = $1`, f.ids["manager"]); err != nil {
			t.Fatal(err)
		}
		if _, err := m.SwitchZone(ctx, "Europe/Rome"); err != nil {
			t.Fatal(err)
		}
		contains(t, it.get(t, "/dashboard?"+seededWeek).body, []string{"I numeri vengono ricalcolati nel fuso orario dell&#39;azienda, Europe/Rome"}, nil)
	})
}

// TestDashboardWeeksFilling: on a database whose week rollups are still
// being filled (migration 0048 on rollups from before), the dashboard
// serves at once and says so, and stops when the fill is done.
func TestDashboardWeeksFilling(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f, m := newDashboardFixture(t, db)
		ctx := context.Background()
		if _, err := db.W.ExecContext(ctx, `UPDATE metric_zone SET weeks_after = 0, rebuild_to = (SELECT MAX(id) FROM tickets)`); err != nil {
			t.Fatal(err)
		}
		c := f.login(t, "manager")
		r := c.get(t, "/dashboard?"+seededWeek)
		mustCode(t, r, http.StatusOK, "dashboard while the weeks fill")
		contains(t, r.body, []string{`id="dash-weeks-filling"`, "Weekly totals are being built in the background (0% done)."},
			[]string{`id="dash-rebuilding"`})
		if err := m.RunRebuild(ctx, false, nil); err != nil {
			t.Fatal(err)
		}
		r = c.get(t, "/dashboard?"+seededWeek)
		contains(t, r.body, []string{"Mar 3, 2025 – Mar 9, 2025"}, []string{`id="dash-weeks-filling"`})
	})
}
