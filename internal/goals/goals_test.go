package goals_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
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
	"github.com/rapport/rapport/internal/valid"
)

// march2 is the Monday of the goals' week; the four weeks of February
// before it are the history of the suggestions.
var march2 = time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)

// world is a ticket service keeping the metrics rollups, two agents in one
// team, and the goals service, on a fresh database.
type world struct {
	t       *testing.T
	ctx     context.Context
	db      *store.DB
	clock   *jobs.FakeClock
	tickets *ticket.Service
	svc     *goals.Service
	agents  map[string]int64
	team    int64
	cust    int64
}

func newWorld(t *testing.T, db *store.DB) *world {
	t.Helper()
	ctx := context.Background()
	clock := jobs.NewFakeClock(march2.AddDate(0, 0, -35))
	q := jobs.New(db, clock, nil)
	m := metrics.New(metrics.Opts{DB: db, Clock: clock})
	an, err := quality.New(quality.Opts{})
	if err != nil {
		t.Fatal(err)
	}
	w := &world{t: t, ctx: ctx, db: db, clock: clock, agents: map[string]int64{}}
	w.tickets = ticket.NewService(ticket.Opts{DB: db, Clock: clock, Jobs: q, Customers: customer.New(db, clock)})
	if err := w.tickets.Subscribe(ticket.Subscriber{Name: "metrics", InTx: m.TicketChanged}); err != nil {
		t.Fatal(err)
	}
	if w.svc, err = goals.New(goals.Opts{DB: db, Metrics: m, Analyzer: an, Clock: clock}); err != nil {
		t.Fatal(err)
	}
	now := clock.Now().UnixMilli()
	w.team = w.insertID(`INSERT INTO teams (name, created_at) VALUES ('Desk', $1) RETURNING id`, now)
	for _, name := range []string{"al", "bo", "cy"} {
		w.agents[name] = w.insertID(`INSERT INTO agents (email, name, role, created_at, updated_at) VALUES ($1, $2, 'agent', $3, $3) RETURNING id`,
			name+"@rapport.test", name, now)
	}
	for _, name := range []string{"al", "bo"} {
		w.exec(`INSERT INTO team_members (team_id, agent_id) VALUES ($1, $2)`, w.team, w.agents[name])
	}
	w.cust = w.insertID(`INSERT INTO customers (name, created_at, updated_at) VALUES ('Carla', $1, $1) RETURNING id`, now)
	return w
}

func (w *world) insertID(q string, args ...any) int64 {
	w.t.Helper()
	var id int64
	if err := w.db.W.QueryRowContext(w.ctx, q, args...).Scan(&id); err != nil {
		w.t.Fatalf("%s: %v", q, err)
	}
	return id
}

func (w *world) exec(q string, args ...any) {
	w.t.Helper()
	if _, err := w.db.W.ExecContext(w.ctx, q, args...); err != nil {
		w.t.Fatalf("%s: %v", q, err)
	}
}

// answered makes a ticket owned by who at when, answered after wait and,
// when solve, solved right after; it returns the ticket id.
func (w *world) answered(who string, when time.Time, wait time.Duration, solve bool) int64 {
	w.t.Helper()
	w.clock.Set(when)
	tk, err := w.tickets.Create(w.ctx, ticket.SystemActor, ticket.NewTicket{Subject: "Help", Body: "My order has not arrived, can you help?",
		CustomerID: w.cust, OwnerID: w.agents[who]})
	if err != nil {
		w.t.Fatal(err)
	}
	w.clock.Set(when.Add(wait))
	st := ticket.Status("")
	if solve {
		st = ticket.Solved
	}
	if _, err := w.tickets.Reply(w.ctx, ticket.AgentActor(w.agents[who]),
		tk.ID, "Hi Carla, I'm sorry it is late. I have checked with the courier: it arrives tomorrow morning. Best wishes", st); err != nil {
		w.t.Fatal(err)
	}
	return tk.ID
}

func TestSuggestAndProgress(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		// February: al answers in 40, 30, 50 and 20 minutes (median 35),
		// bo in 10 every week.
		for i, mins := range []int{40, 30, 50, 20} {
			week := march2.AddDate(0, 0, -7*(4-i)).Add(9 * time.Hour)
			w.answered("al", week, time.Duration(mins)*time.Minute, true)
			w.answered("bo", week.Add(time.Hour), 10*time.Minute, true)
		}
		w.clock.Set(march2.Add(8 * time.Hour))
		al := goals.Subject{AgentID: w.agents["al"]}
		sg, err := w.svc.Suggest(w.ctx, al, goals.FRTCalendar, goals.Week, march2.Add(time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		// Peers (al and bo, the team): medians 35 and 10; the best
		// quartile 10 + 0.25·25 = 16.25; 10 % of the gap is 1.875 → 33.
		var hist []float64
		for _, s := range sg.History {
			hist = append(hist, s.V)
		}
		if !sg.OK || sg.Baseline != 35 || sg.Reference != 16.25 || sg.Target != 33 || sg.Peers != 2 ||
			len(hist) != 4 || hist[0] != 40 || hist[3] != 20 {
			t.Fatalf("suggestion = %+v (history %v), want baseline 35, reference 16.25, target 33", sg, hist)
		}
		// cy joins the team but solved nothing: no peer for tickets
		// solved (al and bo, 1 a week each: hold 1).
		w.exec(`INSERT INTO team_members (team_id, agent_id) VALUES ($1, $2)`, w.team, w.agents["cy"])
		solvedSg, err := w.svc.Suggest(w.ctx, al, goals.Solved, goals.Week, march2)
		if err != nil {
			t.Fatal(err)
		}
		if !solvedSg.OK || solvedSg.Peers != 2 || solvedSg.Baseline != 1 || solvedSg.Target != 1 {
			t.Errorf("solved suggestion = %+v, want 2 peers, hold 1", solvedSg)
		}
		// Set ahead for next week, the history is still the last four
		// complete weeks, not the one running.
		ahead, err := w.svc.Suggest(w.ctx, al, goals.FRTCalendar, goals.Week, march2.AddDate(0, 0, 7))
		if err != nil {
			t.Fatal(err)
		}
		if !ahead.History[0].Start.Equal(march2.AddDate(0, 0, -28)) || ahead.Target != 33 {
			t.Errorf("suggestion ahead = %+v, want the same four weeks of February", ahead)
		}
		// The team's suggestion compares it with its own best weeks.
		teamSg, err := w.svc.Suggest(w.ctx, goals.Subject{TeamID: w.team}, goals.Solved, goals.Week, march2)
		if err != nil {
			t.Fatal(err)
		}
		if !teamSg.OK || len(teamSg.History) != 4 {
			t.Fatalf("team suggestion = %+v", teamSg)
		}

		base := sg.Baseline
		g, err := w.svc.Create(w.ctx, goals.NewGoal{Subject: al, Metric: goals.FRTCalendar, Period: goals.Week,
			Start: march2.Add(50 * time.Hour), Target: sg.Target, Baseline: &base, Suggested: &sg.Target})
		if err != nil {
			t.Fatal(err)
		}
		if !g.Start.Equal(march2) || !g.End.Equal(march2.AddDate(0, 0, 7)) || g.Name != "al" {
			t.Fatalf("goal = %+v, want the week of 2 March", g)
		}
		solved, err := w.svc.Create(w.ctx, goals.NewGoal{Subject: al, Metric: goals.Solved, Period: goals.Week, Start: march2, Target: 2})
		if err != nil {
			t.Fatal(err)
		}

		// Tuesday: one ticket answered in 2,000 s (33⅓ minutes),
		// (35 − 33⅓)/(35 − 33) = 5/6 of the way; one ticket of two solved.
		w.answered("al", march2.Add(33*time.Hour), 2000*time.Second, true)
		ps := w.progress("al")
		frt, cnt := ps[g.ID], ps[solved.ID]
		if !frt.HasData || math.Abs(frt.Value-100.0/3) > 1e-9 || math.Abs(frt.Share-5.0/6) > 1e-9 || frt.Status != goals.StatusBehind {
			t.Errorf("first response = %+v, want 33⅓ min, 5/6 of the way, behind", frt.Progress)
		}
		if cnt.Value != 1 || cnt.Share != 0.5 || cnt.Status != goals.StatusOnTrack {
			t.Errorf("solved = %+v, want 1 of 2, on track", cnt.Progress)
		}

		// Thursday: two more answered in 20 minutes: median 20, met now
		// but not final; three solved: the count is met for good.
		w.answered("al", march2.Add(81*time.Hour), 20*time.Minute, true)
		w.answered("al", march2.Add(82*time.Hour), 20*time.Minute, true)
		ps = w.progress("al")
		if p := ps[g.ID]; p.Value != 20 || !p.Met || p.Status != goals.StatusOnTrack {
			t.Errorf("first response = %+v, want 20, met, on track", p.Progress)
		}
		if p := ps[solved.ID]; p.Status != goals.StatusMet {
			t.Errorf("solved = %+v, want met", p.Progress)
		}
		// The week over, the first-response goal is met too; Collect adds
		// its kudos, and nothing twice.
		w.clock.Set(march2.AddDate(0, 0, 8))
		if _, err := w.svc.Collect(w.ctx); err != nil {
			t.Fatal(err)
		}
		if _, err := w.svc.Collect(w.ctx); err != nil {
			t.Fatal(err)
		}
		ks, err := w.svc.Kudos(w.ctx, w.agents["al"], 20)
		if err != nil {
			t.Fatal(err)
		}
		met := map[int64]bool{}
		for _, k := range ks {
			if k.Kind == goals.KindGoal {
				if met[k.GoalID] {
					t.Errorf("goal %d has two kudos", k.GoalID)
				}
				met[k.GoalID] = true
			}
		}
		if len(met) != 2 || !met[g.ID] || !met[solved.ID] {
			t.Errorf("goal kudos = %v, want goals %d and %d", met, g.ID, solved.ID)
		}
		if p := w.progress("al")[g.ID]; p.Status != goals.StatusMet || p.MetAt.IsZero() {
			t.Errorf("after the week: %+v, want met", p)
		}
		// The peers' fast path (one Compute for every agent) gives what
		// each agent's own Compute gives.
		for i, sv := range []struct {
			who       string
			csat, nps int
		}{{"al", 5, 6}, {"bo", 2, 10}, {"al", 4, 9}} {
			at := march2.AddDate(0, 0, -20).Add(time.Duration(i) * time.Hour)
			tk := w.answered(sv.who, at, time.Minute, true)
			w.exec(`INSERT INTO surveys (ticket_id, customer_id, agent_id, channel, token_hash, sent_at, expires_at, answered_at, csat, nps)
				VALUES ($1, $2, $3, 'email', $4, $5, $6, $5, $7, $8)`, tk, w.cust, w.agents[sv.who], fmt.Sprintf("fast-%d", i),
				at.Add(time.Hour).UnixMilli(), at.Add(48*time.Hour).UnixMilli(), sv.csat, sv.nps)
		}
		w.clock.Set(march2.AddDate(0, 0, 8))
		checked := 0
		for _, m := range []goals.Metric{goals.FRTCalendar, goals.CSAT, goals.NPS, goals.Solved, goals.ReopenRate, goals.Transfers} {
			for _, from := range []time.Time{march2.AddDate(0, 0, -28), march2.AddDate(0, 0, -14)} {
				to := from.AddDate(0, 0, 14)
				all, ok, err := goals.AgentValues(w.svc, w.ctx, m, from, to)
				if err != nil || !ok {
					t.Fatalf("%s: %v, %v", m, ok, err)
				}
				for _, who := range []string{"al", "bo", "cy"} {
					one, err := w.svc.Value(w.ctx, goals.Subject{AgentID: w.agents[who]}, m, from, to)
					if err != nil {
						t.Fatal(err)
					}
					got, has := all[w.agents[who]]
					if m == goals.Solved && one.V == 0 {
						one.OK = false // no row: nothing solved
					}
					if has {
						checked++
					}
					if has != one.OK || has && math.Abs(got.V-one.V) > 1e-9 {
						t.Errorf("%s of %s from %s: every agent's %+v (%v), own %+v", m, who, from.Format("Jan 2"), got, has, one)
					}
				}
			}
		}
		if checked < 20 {
			t.Errorf("only %d values compared", checked)
		}
		if _, ok, _ := goals.AgentValues(w.svc, w.ctx, goals.QAScore, march2, march2.AddDate(0, 0, 7)); ok {
			t.Error("QA scores have no per-agent rows in metrics")
		}
	})
}

// progress measures the agent's goals, by goal id.
func (w *world) progress(who string) map[int64]goals.GoalProgress {
	w.t.Helper()
	gs, err := w.svc.OfAgent(w.ctx, w.agents[who], march2.AddDate(0, 0, -1))
	if err != nil {
		w.t.Fatal(err)
	}
	ps, err := w.svc.Progress(w.ctx, gs)
	if err != nil {
		w.t.Fatal(err)
	}
	out := map[int64]goals.GoalProgress{}
	for _, p := range ps {
		out[p.ID] = p
	}
	return out
}

func TestCreateGoalRejects(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		al := goals.Subject{AgentID: w.agents["al"]}
		tests := []struct {
			name  string
			goal  goals.NewGoal
			field string
		}{
			{"no subject", goals.NewGoal{Metric: goals.CSAT, Period: goals.Week, Start: march2, Target: 80}, "subject"},
			{"both subjects", goals.NewGoal{Subject: goals.Subject{AgentID: 1, TeamID: w.team}, Metric: goals.CSAT, Period: goals.Week, Start: march2, Target: 80}, "subject"},
			{"unknown metric", goals.NewGoal{Subject: al, Metric: "speed", Period: goals.Week, Start: march2, Target: 80}, "metric"},
			{"unknown period", goals.NewGoal{Subject: al, Metric: goals.CSAT, Period: "year", Start: march2, Target: 80}, "period"},
			{"share above 100", goals.NewGoal{Subject: al, Metric: goals.CSAT, Period: goals.Week, Start: march2, Target: 120}, "target"},
			{"negative minutes", goals.NewGoal{Subject: al, Metric: goals.FRTBusiness, Period: goals.Week, Start: march2, Target: -5}, "target"},
			{"not a number", goals.NewGoal{Subject: al, Metric: goals.NPS, Period: goals.Week, Start: march2, Target: math.NaN()}, "target"},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				_, err := w.svc.Create(w.ctx, tc.goal)
				var verr valid.Errors
				if !errors.As(err, &verr) || verr[tc.field] == "" {
					t.Fatalf("Create = %v, want a problem with %s", err, tc.field)
				}
			})
		}
		if _, err := w.svc.Create(w.ctx, goals.NewGoal{Subject: goals.Subject{AgentID: 9999}, Metric: goals.CSAT,
			Period: goals.Week, Start: march2, Target: 80}); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("unknown agent: %v, want not found", err)
		}
		gs, err := w.svc.Recent(w.ctx, time.Time{}, 10)
		if err != nil || len(gs) != 0 {
			t.Errorf("goals after rejections = %v, %v; want none", gs, err)
		}
	})
}

func TestKudos(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		w.clock.Set(march2)
		survey := func(n int, agentKey string, csat, nps any, comment string) {
			tk := w.answered(agentKey, march2.Add(time.Duration(n)*time.Hour), time.Minute, true)
			at := march2.Add(time.Duration(n)*time.Hour + time.Hour).UnixMilli()
			w.exec(`INSERT INTO surveys (ticket_id, customer_id, agent_id, channel, token_hash, sent_at, expires_at, answered_at, csat, nps, comment)
				VALUES ($1, $2, $3, 'email', $4, $5, $6, $5, $7, $8, $9)`,
				tk, w.cust, w.agents[agentKey], "hash-"+string(rune('a'+n)), at, at+1e9, csat, nps, comment)
		}
		survey(1, "al", 5, nil, "Ana was wonderful, thank you!")
		survey(2, "al", 5, nil, "")            // no comment
		survey(3, "bo", 5, 3, "Quick, but...") // mixed answers
		survey(4, "bo", nil, 10, "Bo saved my day")
		survey(5, "bo", 2, nil, "Slow and rude") // unhappy
		// A save: a customer at risk recommitted on bo's ticket, and one
		// not at risk.
		tk := w.answered("bo", march2.Add(6*time.Hour), time.Minute, false)
		for i, risk := range []bool{true, false} {
			w.exec(`INSERT INTO recommitments (ticket_id, customer_id, agent_id, words, source, status, at_risk_at_start, created_at, confirmed_at)
				VALUES ($1, $2, $3, $4, 'agent', 'confirmed', $5, $6, $6)`, tk, w.cust, w.agents["bo"],
				[]string{"I'll stay with you", "See you next year"}[i], risk, march2.Add(7*time.Hour).UnixMilli())
		}
		w.clock.Set(march2.AddDate(0, 0, 1))
		if _, err := w.svc.Give(w.ctx, w.agents["al"], w.agents["bo"], "  Thanks for covering my shift!  "); err != nil {
			t.Fatal(err)
		}
		for _, bad := range []struct {
			name     string
			from, to int64
			msg      string
		}{
			{"to oneself", w.agents["al"], w.agents["al"], "Well done me"},
			{"empty", w.agents["al"], w.agents["bo"], "   "},
			{"too long", w.agents["al"], w.agents["bo"], strings.Repeat("x", goals.MaxKudosMessage+1)},
		} {
			if _, err := w.svc.Give(w.ctx, bad.from, bad.to, bad.msg); !errors.As(err, new(valid.Errors)) {
				t.Errorf("%s: %v, want a validation error", bad.name, err)
			}
		}
		if _, err := w.svc.Give(w.ctx, w.agents["al"], 9999, "Thanks"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("to an unknown agent: %v", err)
		}
		n, err := w.svc.Collect(w.ctx)
		if err != nil || n != 3 {
			t.Fatalf("Collect = %d, %v; want 3", n, err)
		}
		if n, err := w.svc.Collect(w.ctx); err != nil || n != 0 {
			t.Fatalf("Collect again = %d, %v; want 0", n, err)
		}
		all, err := w.svc.Kudos(w.ctx, 0, 50)
		if err != nil {
			t.Fatal(err)
		}
		type key struct{ kind, who, msg string }
		got := map[key]bool{}
		for _, k := range all {
			got[key{k.Kind, k.AgentName, k.Message}] = true
		}
		want := []key{
			{goals.KindSurvey, "al", "Ana was wonderful, thank you!"},
			{goals.KindSurvey, "bo", "Bo saved my day"},
			{goals.KindSave, "bo", "I'll stay with you"},
			{goals.KindManual, "bo", "Thanks for covering my shift!"},
		}
		for _, k := range want {
			if !got[k] {
				t.Errorf("missing kudos %+v in %+v", k, all)
			}
		}
		if len(all) != len(want) {
			t.Errorf("%d kudos, want %d: %+v", len(all), len(want), all)
		}
		if all[0].Kind != goals.KindManual || all[0].FromName != "al" {
			t.Errorf("newest kudos = %+v, want al's thanks", all[0])
		}
		mine, err := w.svc.Kudos(w.ctx, w.agents["al"], 50)
		if err != nil || len(mine) != 1 || mine[0].CSAT != 5 {
			t.Errorf("al's kudos = %+v, %v; want the one survey comment", mine, err)
		}
	})
}

func TestLeaderboardOptIn(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		// bo solves three tickets this month, al one, cy two.
		for i := 0; i < 3; i++ {
			w.answered("bo", march2.Add(time.Duration(i+1)*time.Hour), 5*time.Minute, true)
		}
		w.answered("al", march2.Add(5*time.Hour), 30*time.Minute, true)
		w.answered("cy", march2.Add(6*time.Hour), 30*time.Minute, true)
		w.answered("cy", march2.Add(7*time.Hour), 30*time.Minute, true)
		w.clock.Set(march2.AddDate(0, 0, 2))
		board := func() map[goals.Metric][]goals.Standing {
			t.Helper()
			from, _, bs, err := w.svc.Leaderboard(w.ctx)
			if err != nil {
				t.Fatal(err)
			}
			if !from.Equal(time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)) {
				t.Errorf("leaderboard from %v, want 1 March", from)
			}
			out := map[goals.Metric][]goals.Standing{}
			for _, b := range bs {
				out[b.Metric] = b.Rows
			}
			return out
		}
		if b := board(); len(b[goals.Solved]) != 0 {
			t.Fatalf("nobody opted in, yet %+v", b[goals.Solved])
		}
		for _, who := range []string{"al", "cy"} {
			if err := w.svc.SetLeaderboard(w.ctx, w.agents[who], true); err != nil {
				t.Fatal(err)
			}
		}
		// Twice is the same as once.
		if err := w.svc.SetLeaderboard(w.ctx, w.agents["al"], true); err != nil {
			t.Fatal(err)
		}
		b := board()
		solved := b[goals.Solved]
		if len(solved) != 2 || solved[0].Name != "cy" || solved[0].Rank != 1 || solved[1].Name != "al" || solved[1].Rank != 2 {
			t.Fatalf("solved board = %+v, want cy then al, bo left out", solved)
		}
		frt := b[goals.FRTCalendar]
		if len(frt) != 2 || frt[0].Rank != 1 || frt[1].Rank != 1 || frt[0].Value != 30 {
			t.Errorf("first-response board = %+v, want al and cy sharing rank 1 at 30 min", frt)
		}
		if on, err := w.svc.OnLeaderboard(w.ctx, w.agents["bo"]); err != nil || on {
			t.Errorf("bo on the board = %v, %v", on, err)
		}
		if err := w.svc.SetLeaderboard(w.ctx, w.agents["bo"], true); err != nil {
			t.Fatal(err)
		}
		if err := w.svc.SetLeaderboard(w.ctx, w.agents["cy"], false); err != nil {
			t.Fatal(err)
		}
		solved = board()[goals.Solved]
		if len(solved) != 2 || solved[0].Name != "bo" || solved[0].Value != 3 || solved[1].Name != "al" {
			t.Errorf("after bo in, cy out: %+v", solved)
		}
		if err := w.svc.SetLeaderboard(w.ctx, 9999, true); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("unknown agent: %v", err)
		}
	})
}

func TestStandard(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		al := w.agents["al"]
		unread := func() bool {
			t.Helper()
			u, err := w.svc.StandardUnread(w.ctx, al)
			if err != nil {
				t.Fatal(err)
			}
			return u
		}
		if _, err := w.svc.Standard(w.ctx, "en"); !errors.Is(err, goals.ErrNoStandard) {
			t.Fatalf("no standard: %v", err)
		}
		if unread() {
			t.Fatal("nothing to read, yet unread")
		}
		v1, err := w.svc.SaveStandard(w.ctx, "en", "We answer like a person.\r\n\r\nWe own the problem.", w.agents["bo"])
		if err != nil || v1 != 1 {
			t.Fatalf("save = %d, %v", v1, err)
		}
		if !unread() {
			t.Fatal("a new standard is not unread")
		}
		st, err := w.svc.Standard(w.ctx, "ru") // falls back to the default
		if err != nil || st.Language != "en" || st.Version != 1 || len(st.Paragraphs()) != 2 || st.Paragraphs()[1] != "We own the problem." {
			t.Fatalf("standard = %+v, %v", st, err)
		}
		if err := w.svc.AcknowledgeStandard(w.ctx, al, st.Version); err != nil {
			t.Fatal(err)
		}
		if unread() {
			t.Fatal("acknowledged, yet unread")
		}
		if _, err := w.svc.SaveStandard(w.ctx, "it", "Rispondiamo come persone.", 0); err != nil {
			t.Fatal(err)
		}
		if !unread() {
			t.Fatal("an edit is not shown again")
		}
		if st, err := w.svc.Standard(w.ctx, "it"); err != nil || st.Language != "it" || st.Version != 2 {
			t.Fatalf("italian = %+v, %v", st, err)
		}
		// Removing the default's text falls back to what there is.
		if _, err := w.svc.SaveStandard(w.ctx, "en", "  ", 0); err != nil {
			t.Fatal(err)
		}
		if st, err := w.svc.Standard(w.ctx, "lv"); err != nil || st.Language != "it" || st.Version != 2 {
			t.Fatalf("after removing en = %+v, %v", st, err)
		}
		for _, bad := range []struct{ lang, body string }{{"english!", "x"}, {"en", "a\x00b"}, {"en", strings.Repeat("y", goals.MaxStandard+1)}} {
			if _, err := w.svc.SaveStandard(w.ctx, bad.lang, bad.body, 0); !errors.As(err, new(valid.Errors)) {
				t.Errorf("save %q: %v, want a validation error", bad.lang, err)
			}
		}
		if err := w.svc.AcknowledgeStandard(w.ctx, 9999, 1); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("unknown agent: %v", err)
		}
	})
}
