package web

import (
	"context"
	"github.com/rapport/rapport/internal/ratelimit"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rapport/rapport/internal/agent"
	"github.com/rapport/rapport/internal/goals"
	"github.com/rapport/rapport/internal/metrics"
	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/store/storetest"
	"github.com/rapport/rapport/internal/ticket"
)

// goalsFixture is the fixture with metrics, QA reviews and goals.
type goalsFixture struct {
	*fixture
	m     *metrics.Service
	goals *goals.Service
}

func newGoalsFixture(t *testing.T, db *store.DB) *goalsFixture {
	t.Helper()
	f := newFixture(t, db)
	m := metrics.New(metrics.Opts{DB: db, Clock: f.clock})
	g, err := goals.New(goals.Opts{DB: db, Metrics: m, Analyzer: testAnalyzer(t), Clock: f.clock})
	if err != nil {
		t.Fatal(err)
	}
	h, err := New(Opts{Limits: ratelimit.New(f.db, f.clock), Agents: f.agents, Customers: f.customers, Tickets: f.tickets, I18n: f.cat, Clock: f.clock,
		Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Version: "test", Metrics: m,
		Quality: testAnalyzer(t), Reviews: f.reviews, Goals: g})
	if err != nil {
		t.Fatal(err)
	}
	f.srv.Close()
	f.srv = httptest.NewServer(h)
	t.Cleanup(f.srv.Close)
	return &goalsFixture{fixture: f, m: m, goals: g}
}

// answered makes a ticket owned by who at when, answered and solved after
// wait, and puts the clock back to now.
func (f *goalsFixture) answered(t *testing.T, who string, when time.Time, wait time.Duration) {
	t.Helper()
	ctx := context.Background()
	now := f.clock.Now()
	defer f.clock.Set(now)
	f.clock.Set(when)
	tk, err := f.tickets.Create(ctx, ticket.SystemActor, ticket.NewTicket{Subject: "Where is my order?", Body: "It has not arrived.",
		CustomerID: f.ids["customer"], OwnerID: f.ids[who]})
	if err != nil {
		t.Fatal(err)
	}
	f.clock.Set(when.Add(wait))
	if _, err := f.tickets.Reply(ctx, ticket.AgentActor(f.ids[who]), tk.ID,
		"Hi Carla, sorry for the wait: the courier has it and it arrives tomorrow. Best wishes", ticket.Solved); err != nil {
		t.Fatal(err)
	}
}

func (f *goalsFixture) rebuild(t *testing.T) {
	t.Helper()
	if _, err := f.m.Rebuild(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func TestManagerSetsSuggestedGoal(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newGoalsFixture(t, db)
		monday := f.clock.Now().Truncate(24 * time.Hour) // 10 March 2025
		// The four weeks before: Al answers in 40, 30, 50 and 20 minutes,
		// Bo in 10.
		for i, mins := range []int{40, 30, 50, 20} {
			week := monday.AddDate(0, 0, -7*(4-i)).Add(10 * time.Hour)
			f.answered(t, "agent", week, time.Duration(mins)*time.Minute)
			f.answered(t, "agent2", week.Add(time.Hour), 10*time.Minute)
		}
		f.rebuild(t)
		al := strconv.FormatInt(f.ids["agent"], 10)
		mgr := f.login(t, "manager")
		form := "/manage/goals?subject=agent:" + al + "&metric=frt_calendar&period=week&start=2025-03-12"
		page := mgr.get(t, form)
		mustCode(t, page, http.StatusOK, "goal form with a suggestion")
		// Median 35; peers (Al 35, Bo 10) best quartile 16.25; a tenth of
		// the gap, 1.875, rounds to 33.
		contains(t, page.body, []string{
			"Last 4 weeks: 40, 30, 50, 20 min. Median 35 min; best quartile of peers 16.2 min (2 compared). Suggested: 33 min",
			`name="target" inputmode="decimal" value="33"`,
		}, nil)

		// A bad target comes back with the field's problem and saves nothing.
		bad := mgr.post(t, "/manage/goals", url.Values{"subject": {"agent:" + al}, "metric": {"frt_calendar"},
			"period": {"week"}, "start": {"2025-03-12"}, "target": {"soon"}})
		mustCode(t, bad, http.StatusUnprocessableEntity, "bad target")
		contains(t, bad.body, []string{"Give a number within the metric"}, nil)

		res := mgr.post(t, "/manage/goals", url.Values{"subject": {"agent:" + al}, "metric": {"frt_calendar"},
			"period": {"week"}, "start": {"2025-03-12"}, "target": {"33"}, "note": {"Faster first answers"}})
		mustCode(t, res, http.StatusSeeOther, "save goal")
		gs, err := f.goals.Recent(context.Background(), time.Time{}, 10)
		if err != nil || len(gs) != 1 {
			t.Fatalf("goals = %+v, %v", gs, err)
		}
		g := gs[0]
		if g.Target != 33 || g.Suggested == nil || *g.Suggested != 33 || g.Baseline == nil || *g.Baseline != 35 ||
			!g.Start.Equal(monday) || g.CreatedBy != f.ids["manager"] {
			t.Fatalf("goal = %+v, want target 33 suggested from a baseline of 35, for the week of 10 March", g)
		}
		list := mgr.get(t, "/manage/goals")
		contains(t, list.body, []string{"Al Agent", "First response, median (minutes)", "33 min", "suggested 33 min"}, nil)

		// The agent's scorecard shows the goal with its progress: nothing
		// answered yet this week.
		agentC := f.login(t, "agent")
		sc := agentC.get(t, "/agents/"+al+"/scorecard")
		mustCode(t, sc, http.StatusOK, "scorecard")
		contains(t, sc.body, []string{`id="goals"`, "First response, median (minutes)", "of 33 min", "No data yet", "starting from 35 min"}, nil)
		// Tuesday: answered in 20 minutes, the target met while the week
		// runs.
		f.clock.Set(monday.Add(33 * time.Hour))
		f.answered(t, "agent", monday.Add(30*time.Hour), 20*time.Minute)
		f.rebuild(t)
		sc = agentC.get(t, "/agents/"+al+"/scorecard")
		contains(t, sc.body, []string{`<progress max="100" value="100"`, "20 min", "On track", "100% of the way"}, []string{"No data yet"})
		// Agents do not set goals.
		mustCode(t, agentC.get(t, "/manage/goals"), http.StatusForbidden, "agent on the goals page")
		mustCode(t, agentC.post(t, "/manage/goals", url.Values{"subject": {"agent:" + al}, "metric": {"solved"},
			"period": {"week"}, "start": {"2025-03-12"}, "target": {"99"}}), http.StatusForbidden, "agent setting a goal")
		del := mgr.post(t, "/manage/goals/"+strconv.FormatInt(g.ID, 10)+"/delete", nil)
		mustCode(t, del, http.StatusSeeOther, "delete goal")
		if gs, _ := f.goals.Recent(context.Background(), time.Time{}, 10); len(gs) != 0 {
			t.Errorf("after delete: %+v", gs)
		}
	})
}

func TestStandardOnFirstLogin(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newGoalsFixture(t, db)
		loginTo := func(who string) (*client, string) {
			t.Helper()
			c := f.newClient(t)
			page := c.get(t, "/login?next=/customers")
			res := c.post(t, "/login", url.Values{"csrf": {csrfIn(t, page.body)}, "email": {who + "@rapport.test"},
				"password": {testPassword}, "next": {"/customers"}})
			mustCode(t, res, http.StatusSeeOther, "login")
			home := c.get(t, "/")
			c.csrf = csrfIn(t, home.body)
			return c, res.header.Get("Location")
		}
		// No standard written: login goes where it was going.
		if _, loc := loginTo("agent"); loc != "/customers" {
			t.Fatalf("login without a standard went to %q", loc)
		}
		admin, _ := loginTo("admin")
		save := func(lang, body string) {
			t.Helper()
			res := admin.post(t, "/admin/standard", url.Values{"lang": {lang}, "body": {body}})
			mustCode(t, res, http.StatusSeeOther, "save standard")
		}
		save("en", "We answer like people, not like a policy.\n\nWe own every problem until it is solved.")
		ag, loc := loginTo("agent")
		if loc != "/standard?next=%2Fcustomers" {
			t.Fatalf("first login went to %q, want the standard", loc)
		}
		page := ag.get(t, "/standard?next=%2Fcustomers")
		mustCode(t, page, http.StatusOK, "standard")
		contains(t, page.body, []string{"<p>We answer like people, not like a policy.</p>", "<p>We own every problem until it is solved.</p>",
			`id="standard-ack"`, `name="version" value="1"`}, nil)
		ack := ag.post(t, "/standard/ack", url.Values{"version": {"1"}, "next": {"/customers"}})
		mustCode(t, ack, http.StatusSeeOther, "acknowledge")
		if got := ack.header.Get("Location"); got != "/customers" {
			t.Errorf("after acknowledging: %q", got)
		}
		// Shown once: the next login goes straight on.
		if _, loc := loginTo("agent"); loc != "/customers" {
			t.Fatalf("second login went to %q", loc)
		}
		if page := ag.get(t, "/standard"); strings.Contains(page.body, `id="standard-ack"`) {
			t.Error("the acknowledged standard still asks to be acknowledged")
		}
		// An edit (here, the Italian text) shows it again, and an Italian
		// reader gets the Italian text; others fall back to English.
		save("it", "Rispondiamo come persone, non come un regolamento.")
		if _, loc := loginTo("agent"); loc != "/standard?next=%2Fcustomers" {
			t.Fatalf("login after an edit went to %q", loc)
		}
		italian := "it"
		if _, err := f.agents.Update(context.Background(), f.ids["agent2"], agent.AgentUpdate{Locale: &italian}); err != nil {
			t.Fatal(err)
		}
		bo, _ := loginTo("agent2")
		contains(t, bo.get(t, "/standard").body, []string{"<p>Rispondiamo come persone, non come un regolamento.</p>"}, []string{"We answer like people"})
		contains(t, ag.get(t, "/standard").body, []string{"We answer like people"}, nil)
		// A bad language or an over-long text is refused and changes nothing.
		bad := admin.post(t, "/admin/standard", url.Values{"lang": {"xx"}, "body": {"Hello"}})
		mustCode(t, bad, http.StatusUnprocessableEntity, "unknown language")
		long := admin.post(t, "/admin/standard", url.Values{"lang": {"en"}, "body": {strings.Repeat("a", goals.MaxStandard+1)}})
		mustCode(t, long, http.StatusUnprocessableEntity, "too long")
		// Agents do not edit it.
		mustCode(t, ag.post(t, "/admin/standard", url.Values{"lang": {"en"}, "body": {"Mine now"}}), http.StatusForbidden, "agent edits")
		// The composer links to it beside the reply findings.
		tk := ag.get(t, idPath("/tickets/", f.ids["ticket"], ""))
		mustCode(t, tk, http.StatusOK, "ticket")
		contains(t, tk.body, []string{`id="standard-link" target="_blank" rel="noopener">Our service standard</a>`}, nil)
	})
}

func TestTeamPageKudosAndLeaderboard(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newGoalsFixture(t, db)
		ctx := context.Background()
		// A happy customer of Al's wrote a comment; an unhappy one too.
		now := f.clock.Now()
		for i, s := range []struct {
			csat    int
			comment string
		}{{5, "Al was brilliant, thank you"}, {1, "Terrible"}} {
			if _, err := db.W.ExecContext(ctx, `INSERT INTO surveys (ticket_id, customer_id, agent_id, channel, token_hash, sent_at, expires_at, answered_at, csat, comment)
				VALUES ($1, $2, $3, 'email', $4, $5, $6, $5, $7, $8)`, f.newTicket(t, ticket.NewTicket{Subject: "S", Body: "B", CustomerEmail: "carla@example.com"}),
				f.ids["customer"], f.ids["agent"], "tok"+strconv.Itoa(i), now.UnixMilli(), now.Add(time.Hour).UnixMilli(), s.csat, s.comment); err != nil {
				t.Fatal(err)
			}
		}
		// Bo solves two tickets this month, Al one.
		f.answered(t, "agent2", now.Add(-2*time.Hour), 5*time.Minute)
		f.answered(t, "agent2", now.Add(-3*time.Hour), 5*time.Minute)
		f.answered(t, "agent", now.Add(-4*time.Hour), 5*time.Minute)
		f.rebuild(t)

		bo := f.login(t, "agent2")
		page := bo.get(t, "/team")
		mustCode(t, page, http.StatusOK, "team page")
		contains(t, page.body, []string{"Al was brilliant, thank you", "Al Agent"}, []string{"Terrible"})
		// Nobody opted in: nobody on the board.
		if strings.Contains(page.body, `<span class="rank">`) {
			t.Error("the leaderboard shows agents who did not opt in")
		}
		res := bo.post(t, "/team/kudos", url.Values{"to": {strconv.FormatInt(f.ids["agent"], 10)}, "message": {"Thanks for taking my calls!"}})
		mustCode(t, res, http.StatusSeeOther, "give kudos")
		self := bo.post(t, "/team/kudos", url.Values{"to": {strconv.FormatInt(f.ids["agent2"], 10)}, "message": {"Me!"}})
		mustCode(t, self, http.StatusUnprocessableEntity, "kudos to oneself")
		contains(t, self.body, []string{"Choose a colleague (not yourself)."}, nil)

		// Bo opts in on the preferences page; only Bo appears.
		prefs := bo.get(t, "/preferences")
		contains(t, prefs.body, []string{`id="pref-leaderboard"`}, []string{`id="pref-leaderboard" checked`})
		mustCode(t, bo.post(t, "/preferences/leaderboard", url.Values{"leaderboard": {"on"}}), http.StatusSeeOther, "opt in")
		contains(t, bo.get(t, "/preferences").body, []string{`id="pref-leaderboard" checked`}, nil)
		page = bo.get(t, "/team")
		contains(t, page.body, []string{"Thanks for taking my calls!", "— from Bo Agent:", `<span class="rank">1.</span> Bo Agent <strong>2</strong>`},
			[]string{`<span class="rank">2.</span> Al Agent`})
		// Al opts in too and comes second on tickets solved.
		al := f.login(t, "agent")
		mustCode(t, al.post(t, "/preferences/leaderboard", url.Values{"leaderboard": {"on"}}), http.StatusSeeOther, "al opts in")
		contains(t, al.get(t, "/team").body, []string{`<span class="rank">2.</span> Al Agent <strong>1</strong>`}, nil)
		// And out again.
		mustCode(t, bo.post(t, "/preferences/leaderboard", url.Values{}), http.StatusSeeOther, "opt out")
		contains(t, al.get(t, "/team").body, []string{`<span class="rank">1.</span> Al Agent <strong>1</strong>`},
			[]string{`<span class="rank">1.</span> Bo Agent`})
	})
}
