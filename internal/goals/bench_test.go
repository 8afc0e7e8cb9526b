package goals_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/rapport/rapport/internal/customer"
	"github.com/rapport/rapport/internal/goals"
	"github.com/rapport/rapport/internal/jobs"
	"github.com/rapport/rapport/internal/metrics"
	"github.com/rapport/rapport/internal/quality"
	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/store/storetest"
	"github.com/rapport/rapport/internal/ticket"
)

// benchTeam is a team of 10 agents, each with 5 tickets answered and
// solved in each of the 8 weeks before march2 (400 tickets), and the
// service over it.
func benchTeam(b *testing.B, db *store.DB) (*goals.Service, []int64) {
	b.Helper()
	ctx := context.Background()
	clock := jobs.NewFakeClock(march2.AddDate(0, 0, -60))
	q := jobs.New(db, clock, nil)
	m := metrics.New(metrics.Opts{DB: db, Clock: clock})
	an, err := quality.New(quality.Opts{})
	if err != nil {
		b.Fatal(err)
	}
	tickets := ticket.NewService(ticket.Opts{DB: db, Clock: clock, Jobs: q, Customers: customer.New(db, clock)})
	if err := tickets.Subscribe(ticket.Subscriber{Name: "metrics", InTx: m.TicketChanged}); err != nil {
		b.Fatal(err)
	}
	svc, err := goals.New(goals.Opts{DB: db, Metrics: m, Analyzer: an, Clock: clock})
	if err != nil {
		b.Fatal(err)
	}
	now := clock.Now().UnixMilli()
	var team, cust int64
	if err := db.W.QueryRowContext(ctx, `INSERT INTO teams (name, created_at) VALUES ('Desk', $1) RETURNING id`, now).Scan(&team); err != nil {
		b.Fatal(err)
	}
	if err := db.W.QueryRowContext(ctx, `INSERT INTO customers (name, created_at, updated_at) VALUES ('Carla', $1, $1) RETURNING id`, now).Scan(&cust); err != nil {
		b.Fatal(err)
	}
	var ids []int64
	for i := range 10 {
		var id int64
		if err := db.W.QueryRowContext(ctx, `INSERT INTO agents (email, name, role, created_at, updated_at) VALUES ($1, $2, 'agent', $3, $3) RETURNING id`,
			fmt.Sprintf("a%d@rapport.test", i), fmt.Sprintf("Agent %d", i), now).Scan(&id); err != nil {
			b.Fatal(err)
		}
		if _, err := db.W.ExecContext(ctx, `INSERT INTO team_members (team_id, agent_id) VALUES ($1, $2)`, team, id); err != nil {
			b.Fatal(err)
		}
		ids = append(ids, id)
	}
	for w := 8; w >= 1; w-- {
		for i, id := range ids {
			for k := range 5 {
				at := march2.AddDate(0, 0, -7*w).Add(time.Duration(9+k) * time.Hour).Add(time.Duration(i) * time.Minute)
				clock.Set(at)
				tk, err := tickets.Create(ctx, ticket.SystemActor, ticket.NewTicket{Subject: "Help", Body: "My order is late, please help.", CustomerID: cust, OwnerID: id})
				if err != nil {
					b.Fatal(err)
				}
				clock.Set(at.Add(time.Duration(10+5*i+k) * time.Minute))
				if _, err := tickets.Reply(ctx, ticket.AgentActor(id), tk.ID, "Hi Carla, sorry for the wait: it arrives tomorrow. Best wishes", ticket.Solved); err != nil {
					b.Fatal(err)
				}
			}
		}
	}
	clock.Set(march2.Add(50 * time.Hour))
	return svc, ids
}

// BenchmarkSuggest is the goal form's suggestion for one agent of a team
// of 10: 4 weeks of the agent and of each team-mate.
func BenchmarkSuggest(b *testing.B) {
	storetest.EachB(b, func(b *testing.B, db *store.DB) {
		svc, ids := benchTeam(b, db)
		ctx := context.Background()
		for _, m := range []goals.Metric{goals.FRTCalendar, goals.SinRate} {
			b.Run(string(m), func(b *testing.B) {
				for b.Loop() {
					sg, err := svc.Suggest(ctx, goals.Subject{AgentID: ids[3]}, m, goals.Week, march2)
					if err != nil || !sg.OK || sg.Peers != 10 {
						b.Fatalf("suggestion %+v, %v", sg, err)
					}
				}
			})
		}
	})
}

// BenchmarkProgress measures three goals of an agent, as the scorecard
// shows them.
func BenchmarkProgress(b *testing.B) {
	storetest.EachB(b, func(b *testing.B, db *store.DB) {
		svc, ids := benchTeam(b, db)
		ctx := context.Background()
		var gs []goals.Goal
		for _, m := range []goals.Metric{goals.FRTCalendar, goals.Solved, goals.SinRate} {
			g, err := svc.Create(ctx, goals.NewGoal{Subject: goals.Subject{AgentID: ids[3]}, Metric: m, Period: goals.Month,
				Start: march2.AddDate(0, 0, -7), Target: 10})
			if err != nil {
				b.Fatal(err)
			}
			gs = append(gs, g)
		}
		for b.Loop() {
			if _, err := svc.Progress(ctx, gs); err != nil {
				b.Fatal(err)
			}
		}
	})
}
