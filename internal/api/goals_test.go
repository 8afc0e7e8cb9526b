package api

import (
	"context"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/rapport/rapport/internal/goals"
	"github.com/rapport/rapport/internal/metrics"
	"github.com/rapport/rapport/internal/quality"
	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/store/storetest"
	"github.com/rapport/rapport/internal/ticket"
)

func TestAgentGoalsEndpoint(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		m := metrics.New(metrics.Opts{DB: db, Clock: f.clock})
		an, err := quality.New(quality.Opts{})
		if err != nil {
			t.Fatal(err)
		}
		g, err := goals.New(goals.Opts{DB: db, Metrics: m, Analyzer: an, Clock: f.clock})
		if err != nil {
			t.Fatal(err)
		}
		path := "/api/v1/agents/" + strconv.FormatInt(f.ids["agent"], 10) + "/goals"
		mustStatus(t, f.do(t, http.MethodGet, path, "", "agent"), http.StatusServiceUnavailable, "without goals")
		f.h = New(Opts{Agents: f.agents, Customers: f.customers, Tickets: f.tickets, Metrics: m, Goals: g})

		// Al solves one ticket this week of a goal of two.
		tk, err := f.tickets.Create(ctx, ticket.SystemActor, ticket.NewTicket{Subject: "Late", Body: "Where is it?",
			CustomerEmail: "carla@example.com", OwnerID: f.ids["agent"]})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.tickets.Reply(ctx, ticket.AgentActor(f.ids["agent"]), tk.ID, "Hi Carla, it arrives tomorrow. Best wishes", ticket.Solved); err != nil {
			t.Fatal(err)
		}
		if _, err := m.Rebuild(ctx); err != nil {
			t.Fatal(err)
		}
		goal, err := g.Create(ctx, goals.NewGoal{Subject: goals.Subject{AgentID: f.ids["agent"]}, Metric: goals.Solved,
			Period: goals.Week, Start: f.clock.Now(), Target: 2, Note: "Two a week"})
		if err != nil {
			t.Fatal(err)
		}
		f.clock.Set(f.clock.Now().Add(3 * 24 * time.Hour))

		mustStatus(t, f.do(t, http.MethodGet, path, "", ""), http.StatusUnauthorized, "no token")
		mustStatus(t, f.do(t, http.MethodGet, path, "", "agent2"), http.StatusForbidden, "another agent")
		mustStatus(t, f.do(t, http.MethodGet, path+"?days=x", "", "agent"), http.StatusBadRequest, "bad days")
		mustStatus(t, f.do(t, http.MethodGet, "/api/v1/agents/9999/goals", "", "manager"), http.StatusNotFound, "unknown agent")
		for _, who := range []string{"agent", "manager"} {
			rec := f.do(t, http.MethodGet, path, "", who)
			mustStatus(t, rec, http.StatusOK, "goals as "+who)
			var got struct {
				Data []struct {
					ID      int64    `json:"id"`
					AgentID *int64   `json:"agent_id"`
					TeamID  *int64   `json:"team_id"`
					Metric  string   `json:"metric"`
					Target  float64  `json:"target"`
					Value   *float64 `json:"value"`
					Share   float64  `json:"share"`
					OnTrack bool     `json:"on_track"`
					Status  string   `json:"status"`
					Note    string   `json:"note"`
				} `json:"data"`
			}
			decodeJSON(t, rec, &got)
			if len(got.Data) != 1 {
				t.Fatalf("%s: goals = %+v", who, got.Data)
			}
			d := got.Data[0]
			// One of two with 3/7 of the week gone keeps pace (needs 6/7).
			if d.ID != goal.ID || d.AgentID == nil || *d.AgentID != f.ids["agent"] || d.TeamID != nil || d.Metric != "solved" ||
				d.Target != 2 || d.Value == nil || *d.Value != 1 || d.Share != 0.5 || !d.OnTrack || d.Status != "on_track" || d.Note != "Two a week" {
				t.Errorf("%s: goal = %+v", who, d)
			}
		}
		// Long enough ago, the goal no longer shows.
		f.clock.Set(f.clock.Now().AddDate(0, 0, 60))
		rec := f.do(t, http.MethodGet, path+"?days=10", "", "agent")
		mustStatus(t, rec, http.StatusOK, "goals of the last 10 days")
		var none struct {
			Data []any `json:"data"`
		}
		decodeJSON(t, rec, &none)
		if none.Data == nil || len(none.Data) != 0 {
			t.Errorf("old goals = %+v, want an empty list", none.Data)
		}
	})
}
