package metrics_test

import (
	"context"
	"io"
	"log/slog"
	"math"
	"reflect"
	"strconv"
	"testing"
	"time"

	"github.com/rapport/rapport/internal/customer"
	"github.com/rapport/rapport/internal/i18n"
	"github.com/rapport/rapport/internal/jobs"
	"github.com/rapport/rapport/internal/metrics"
	"github.com/rapport/rapport/internal/sla"
	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/store/storetest"
	"github.com/rapport/rapport/internal/text"
	"github.com/rapport/rapport/internal/ticket"
)

// world is a ticket service whose changes keep the metrics rollups, with an
// SLA policy on a business-hours calendar, on a fresh database.
type world struct {
	t       *testing.T
	ctx     context.Context
	db      *store.DB
	clock   *jobs.FakeClock
	jobs    *jobs.Queue
	tickets *ticket.Service
	m       *metrics.Service
	agents  map[string]int64
	teams   map[string]int64
	cust    map[string]int64
	tk      map[string]int64
}

// day is a time in the fixture's weeks: d is the day of March 2026 (UTC),
// or of February when d is negative (-23 is 23 February).
func day(d, hour, minute int) time.Time {
	if d < 0 {
		return time.Date(2026, 2, -d, hour, minute, 0, 0, time.UTC)
	}
	return time.Date(2026, 3, d, hour, minute, 0, 0, time.UTC)
}

func newWorld(t *testing.T, db *store.DB) *world {
	t.Helper()
	ctx := context.Background()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	clock := jobs.NewFakeClock(day(-20, 8, 0))
	q := jobs.New(db, clock, log)
	w := &world{t: t, ctx: ctx, db: db, clock: clock, jobs: q,
		agents: map[string]int64{}, teams: map[string]int64{}, cust: map[string]int64{}, tk: map[string]int64{}}
	w.m = metrics.New(metrics.Opts{DB: db, Clock: clock, Log: log})
	tickets := ticket.NewService(ticket.Opts{DB: db, Clock: clock, Jobs: q, Customers: customer.New(db, clock), Log: log})
	slas := sla.New(sla.Opts{DB: db, Jobs: q, Clock: clock, Log: log, Tickets: tickets})
	if err := tickets.Subscribe(ticket.Subscriber{Name: "sla", InTx: slas.TicketChanged},
		ticket.Subscriber{Name: "metrics", InTx: w.m.TicketChanged}); err != nil {
		t.Fatal(err)
	}
	w.tickets = tickets
	for _, name := range []string{"billing", "tech"} {
		w.teams[name] = w.insertID(`INSERT INTO teams (name, created_at) VALUES ($1, $2) RETURNING id`, name, clock.Now().UnixMilli())
	}
	for _, a := range []struct{ key, name, role string }{{"al", "Al", "agent"}, {"bo", "Bo", "agent"}, {"mia", "Mia", "manager"}} {
		w.agents[a.key] = w.insertID(`INSERT INTO agents (email, name, role, created_at, updated_at) VALUES ($1, $2, $3, $4, $4) RETURNING id`,
			a.key+"@rapport.test", a.name, a.role, clock.Now().UnixMilli())
	}
	for _, c := range []string{"carla", "rob", "rita"} {
		w.cust[c] = w.insertID(`INSERT INTO customers (name, created_at, updated_at) VALUES ($1, $2, $2) RETURNING id`, c, clock.Now().UnixMilli())
	}
	// Rob and Rita came on Carla's word.
	w.exec(`UPDATE customers SET referred_by = $1 WHERE id IN ($2, $3)`, w.cust["carla"], w.cust["rob"], w.cust["rita"])
	// The calendar and policy go in by SQL, with their other columns at
	// their defaults (active, pausing on pending).
	calID := w.insertID(`INSERT INTO calendars (name, timezone, week, created_at, updated_at)
		VALUES ('Office', 'UTC', 'mon-fri 09:00-17:00', $1, $1) RETURNING id`, clock.Now().UnixMilli())
	w.exec(`INSERT INTO sla_policies (name, calendar_id, first_response_minutes, created_at, updated_at)
		VALUES ('All', $1, 60, $2, $2)`, calID, clock.Now().UnixMilli())
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

// at moves the clock to t and runs the jobs due by then (SLA breaches,
// broken promises, auto-close).
func (w *world) at(t time.Time) {
	w.t.Helper()
	w.clock.Set(t)
	if _, err := w.jobs.RunDue(w.ctx); err != nil {
		w.t.Fatal(err)
	}
}

func (w *world) create(key string, when time.Time, channel, kind, lang, cust, owner, team string) {
	w.t.Helper()
	w.at(when)
	tk, err := w.tickets.Create(w.ctx, ticket.SystemActor, ticket.NewTicket{Subject: "Ticket " + key, Body: "Help with " + key,
		Channel: channel, Kind: kind, Language: lang, CustomerID: w.cust[cust], OwnerID: w.agents[owner], TeamID: w.teams[team]})
	if err != nil {
		w.t.Fatalf("create %s: %v", key, err)
	}
	w.tk[key] = tk.ID
}

func (w *world) reply(key string, when time.Time, agent string) {
	w.t.Helper()
	w.at(when)
	if _, err := w.tickets.Reply(w.ctx, ticket.AgentActor(w.agents[agent]), w.tk[key], "Here is the answer.", ""); err != nil {
		w.t.Fatalf("reply %s: %v", key, err)
	}
}

func (w *world) status(key string, when time.Time, agent string, st ticket.Status) {
	w.t.Helper()
	w.at(when)
	if _, err := w.tickets.Update(w.ctx, ticket.AgentActor(w.agents[agent]), w.tk[key], ticket.Update{Status: &st}); err != nil {
		w.t.Fatalf("status %s %s: %v", key, st, err)
	}
}

// survey inserts an answered (or, with answered zero, unanswered) survey.
func (w *world) survey(key, tk, agent, team, channel, lang string, sent, answered time.Time, csat, nps any, comment string) {
	w.t.Helper()
	var ans any
	if !answered.IsZero() {
		ans = answered.UnixMilli()
	}
	w.exec(`INSERT INTO surveys (ticket_id, customer_id, agent_id, team_id, channel, language, token_hash, sent_at, expires_at,
		answered_at, updated_at, csat, nps, comment)
		SELECT id, customer_id, $2, $3, $4, $5, $6, $7, $8, $9, $9, $10, $11, $12 FROM tickets WHERE id = $1`,
		w.tk[tk], w.agents[agent], w.teams[team], channel, lang, "hash-"+key, sent.UnixMilli(),
		sent.Add(30*24*time.Hour).UnixMilli(), ans, csat, nps, comment)
}

// build makes the fixed dataset. The calendar is Monday to Friday,
// 09:00–17:00 UTC, and the only SLA policy gives every ticket one business
// hour for the first response. 2 March 2026 is a Monday.
//
// Previous week, 23 February – 1 March:
//
//	P1 email question, Al/billing, Rob (referred): created Mon 23 09:00,
//	   reply 09:30 (FRT 1,800 s), solved 10:00 (resolution 3,600 s), SLA met.
//	P2 web complaint, Bo/tech, ru: created Tue 24 09:00, SLA breached 10:00,
//	   reply 13:00 (FRT 14,400 s), never solved.
//
// This week, 2 – 8 March:
//
//	T1 email question, Al/billing: created Mon 09:00, reply 09:10 (600 s;
//	   business 600 s), promise due 12:00, solved 11:00 (7,200 s; 7,200 s),
//	   which keeps the promise. SLA met.
//	T2 email complaint, Al/billing: created Mon 10:00, SLA breached 11:00,
//	   reply 12:00 (7,200 s; 7,200 s), solved Tue 10:00 (86,400 s; business
//	   Mon 10–17 = 7 h + Tue 9–10 = 1 h = 28,800 s).
//	T3 phone complaint in Italian, created Mon 16:00 for Al/billing,
//	   transferred to Bo/tech 16:30, SLA breached 17:00 (one business hour),
//	   reply Tue 09:30 (63,000 s; business Mon 16–17 + Tue 9–9:30 = 5,400 s),
//	   solved Wed 09:30 (149,400 s; business 1 h + 8 h + 0.5 h = 34,200 s).
//	T4 API question, Bo/tech: created Tue 09:00, reply 09:05 (300 s; 300 s),
//	   solved 09:30, reopened 10:00, solved again 11:00 (7,200 s; 7,200 s).
//	T5 web question, Al/billing, Rita (referred, first ticket): created Wed
//	   09:00, reply 09:20 (1,200 s; 1,200 s), promise due 12:00 broken.
//	T6 email complaint, nobody's: created Sat 7 10:00, never answered.
func build(t *testing.T, db *store.DB) *world {
	w := newWorld(t, db)
	w.create("P1", day(-23, 9, 0), "email", "question", "en", "rob", "al", "billing")
	w.reply("P1", day(-23, 9, 30), "al")
	w.status("P1", day(-23, 10, 0), "al", ticket.Solved)
	w.create("P2", day(-24, 9, 0), "web", "complaint", "ru", "carla", "bo", "tech")
	w.reply("P2", day(-24, 13, 0), "bo")

	w.create("T1", day(2, 9, 0), "email", "question", "en", "carla", "al", "billing")
	w.reply("T1", day(2, 9, 10), "al")
	if _, err := w.tickets.MakePromise(w.ctx, ticket.AgentActor(w.agents["al"]), w.tk["T1"], "refund", day(2, 12, 0), "I will refund you by noon."); err != nil {
		t.Fatal(err)
	}
	w.create("T2", day(2, 10, 0), "email", "complaint", "en", "carla", "al", "billing")
	w.status("T1", day(2, 11, 0), "al", ticket.Solved)
	w.reply("T2", day(2, 12, 0), "al")
	w.create("T3", day(2, 16, 0), "phone", "complaint", "it", "carla", "al", "billing")
	w.at(day(2, 16, 30))
	if _, err := w.tickets.Transfer(w.ctx, ticket.AgentActor(w.agents["al"]), w.tk["T3"], w.agents["bo"], w.teams["tech"], "Needs tech", false); err != nil {
		t.Fatal(err)
	}
	w.at(day(2, 17, 0))
	w.create("T4", day(3, 9, 0), "api", "question", "en", "carla", "bo", "tech")
	w.reply("T4", day(3, 9, 5), "bo")
	w.status("T4", day(3, 9, 30), "bo", ticket.Solved)
	w.reply("T3", day(3, 9, 30), "bo")
	w.status("T2", day(3, 10, 0), "al", ticket.Solved)
	w.status("T4", day(3, 10, 0), "bo", ticket.Open)
	w.status("T4", day(3, 11, 0), "bo", ticket.Solved)
	w.create("T5", day(4, 9, 0), "web", "question", "en", "rita", "al", "billing")
	w.reply("T5", day(4, 9, 20), "al")
	if _, err := w.tickets.MakePromise(w.ctx, ticket.AgentActor(w.agents["al"]), w.tk["T5"], "call back", day(4, 12, 0), "I will call you by noon."); err != nil {
		t.Fatal(err)
	}
	w.status("T3", day(4, 9, 30), "bo", ticket.Solved)
	w.at(day(4, 12, 30)) // T5's promise breaks
	w.create("T6", day(7, 10, 0), "email", "complaint", "en", "carla", "", "")
	w.at(day(8, 12, 0))

	// Surveys. This week's answers: Al's customers gave NPS 10 and 6, Bo's
	// 7, 8, 9 and 10; CSAT 5, 2, 3, 4, 4. S7 was sent and not answered.
	w.survey("S1", "T1", "al", "billing", "email", "en", day(2, 11, 5), day(2, 12, 0), 5, 10, "Quick and kind")
	w.survey("S2", "T2", "al", "billing", "email", "en", day(3, 10, 5), day(3, 11, 0), 2, 6, "Too slow")
	w.survey("S3", "T3", "bo", "tech", "phone", "it", day(4, 9, 35), day(4, 10, 0), 3, 7, "")
	w.survey("S4", "T4", "bo", "tech", "api", "en", day(3, 11, 5), day(3, 12, 0), 4, 8, "")
	w.survey("S5", "T6", "bo", "tech", "email", "en", day(7, 11, 0), day(7, 12, 0), 4, 9, "Fine")
	w.survey("S6", "P2", "bo", "tech", "web", "ru", day(2, 8, 0), day(2, 9, 0), nil, 10, "")
	w.survey("S7", "T5", "al", "billing", "web", "en", day(5, 9, 0), time.Time{}, nil, nil, "")
	// Previous week: one unhappy answer, CSAT 1 and NPS 0.
	w.survey("S8", "P1", "al", "billing", "email", "en", day(-23, 10, 5), day(-24, 9, 0), 1, 0, "Bad")
	return w
}

// v is a valid metric value.
func v(x float64) metrics.Value { return metrics.Of(x) }

// none is no data.
var none = metrics.Value{}

func week(from time.Time, days int) metrics.Filter {
	return metrics.Filter{From: from, To: from.AddDate(0, 0, days)}
}

func near(a, b metrics.Value) bool {
	return a.Valid == b.Valid && (!a.Valid || math.Abs(a.V-b.V) < 1e-9)
}

// check compares named values and reports every difference.
func check(t *testing.T, what string, got, want metrics.Value) {
	t.Helper()
	if !near(got, want) {
		t.Errorf("%s = %+v, want %+v", what, got, want)
	}
}

func TestComputeFixedDataset(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := build(t, db)
		rep, err := w.m.Compute(w.ctx, week(day(2, 0, 0), 7))
		if err != nil {
			t.Fatal(err)
		}
		c, p := rep.Current, rep.Previous
		if !rep.Business {
			t.Error("Business = false, want the calendar's business hours")
		}
		if !p.From.Equal(day(-23, 0, 0)) || !p.To.Equal(day(2, 0, 0)) {
			t.Errorf("previous period = %v – %v", p.From, p.To)
		}

		// Tickets created: T1–T6 = 6; solved: T1, T2, T3, T4 = 4.
		check(t, "created", c.Created, v(6))
		check(t, "solved", c.Solved, v(4))
		// FRT sorted: 300, 600, 1200, 7200, 63000 (N = 5). Nearest rank:
		// median rank ceil(0.5·5) = 3 → 1,200 s; p90 rank ceil(0.9·5) = 5 →
		// 63,000 s, which the histogram keeps as its step, 60,000 s (4.8 %
		// low; the steps are at most 10 % apart, percentile.go).
		if c.FirstResponse.N != 5 {
			t.Errorf("FRT N = %d, want 5", c.FirstResponse.N)
		}
		check(t, "FRT median", c.FirstResponse.Median, v(1200))
		check(t, "FRT p90", c.FirstResponse.P90, v(60000))
		// Business FRT sorted: 300, 600, 1200, 5400, 7200 → 1,200 s and 7,200 s.
		check(t, "FRT business median", c.FirstResponseBiz.Median, v(1200))
		check(t, "FRT business p90", c.FirstResponseBiz.P90, v(7200))
		// Resolution sorted: 7200, 7200, 86400, 149400 (N = 4): median rank 2
		// → 7,200 s; p90 rank ceil(3.6) = 4 → 149,400 s, which the histogram
		// keeps as its step: 140,000 s (6.3 % low).
		check(t, "resolution median", c.Resolution.Median, v(7200))
		check(t, "resolution p90", c.Resolution.P90, v(140000))
		// Business: 7200, 7200, 28800, 34200 → 7,200 s; 34,200 → its step
		// 33,000 s (3.5 % low).
		check(t, "resolution business median", c.ResolutionBiz.Median, v(7200))
		check(t, "resolution business p90", c.ResolutionBiz.P90, v(33000))
		// Transfers: T3's one over 4 solved = 0.25; solved by their first
		// owner: T1, T2, T4 = 3/4; reopened: T4 = 1/4.
		check(t, "transfers per ticket", c.TransfersPerTicket, v(0.25))
		check(t, "first owner share", c.FirstOwnerShare, v(0.75))
		check(t, "reopen rate", c.ReopenRate, v(0.25))
		// SLA: all 4 solved had a target; T2 and T3 breached → 2/4.
		check(t, "SLA attainment", c.SLAAttainment, v(0.5))
		// Promises: T1's kept, T5's broken → 1/2.
		check(t, "promises kept", c.PromisesKept, v(0.5))
		// Complaints created: T2 (email), T3 (phone), T6 (email) = 3; 2 written, 1 oral.
		check(t, "complaints", c.Complaints, v(3))
		check(t, "complaints written", c.ComplaintsWritten, v(2))
		check(t, "complaints oral", c.ComplaintsOral, v(1))
		// CSAT answers 5, 2, 3, 4, 4: 4–5 = 3/5 = 0.6; mean 18/5 = 3.6.
		check(t, "CSAT", c.CSAT, v(0.6))
		check(t, "CSAT mean", c.CSATMean, v(3.6))
		if c.CSATDist != [5]int64{0, 1, 1, 2, 1} {
			t.Errorf("CSAT distribution = %v", c.CSATDist)
		}
		// NPS answers 10, 6 (Al) and 7, 8, 9, 10 (Bo), pooled: promoters
		// 10, 9, 10 = 3 (8 is not one), detractors 6 = 1 (7 is not one), of
		// 6 → (3 − 1)/6 · 100 = 33.33. Averaging the agents would give
		// (Al (1−1)/2 = 0 + Bo (2−0)/4 = 50)/2 = 25.
		check(t, "NPS", c.NPS, v(100*2.0/6))
		if c.NPSAnswers != 6 {
			t.Errorf("NPS answers = %d, want 6", c.NPSAnswers)
		}
		// Response rate: S1–S7 sent this week, S1–S6 answered → 6/7.
		check(t, "response rate", c.ResponseRate, v(6.0/7))
		// Referrals: Rita's first ticket (T5) is this week; Rob's was last week.
		check(t, "referrals", c.Referrals, v(1))
		check(t, "repeat business", c.RepeatBusiness, none) // no purchases (or no purchases table) yet

		// Previous week: P1 and P2 created, P1 solved.
		check(t, "prev created", p.Created, v(2))
		check(t, "prev solved", p.Solved, v(1))
		// FRT 1800, 14400: median rank 1 → 1,800 s; p90 rank 2 → 14,400 s,
		// kept as its step: 14,000 s.
		check(t, "prev FRT median", p.FirstResponse.Median, v(1800))
		check(t, "prev FRT p90", p.FirstResponse.P90, v(14000))
		check(t, "prev resolution median", p.Resolution.Median, v(3600))
		check(t, "prev transfers", p.TransfersPerTicket, v(0))
		check(t, "prev first owner", p.FirstOwnerShare, v(1))
		check(t, "prev reopen", p.ReopenRate, v(0))
		// P1 answered in 30 min and solved; P2 breached on Tue 24 10:00 and is
		// still open: its missed target counts all the same → 1/2.
		check(t, "prev SLA", p.SLAAttainment, v(0.5))
		if p.SLATickets != 2 {
			t.Errorf("prev SLA tickets = %d, want 2", p.SLATickets)
		}
		check(t, "prev promises", p.PromisesKept, none)
		check(t, "prev complaints", p.Complaints, v(1))
		check(t, "prev complaints oral", p.ComplaintsOral, v(0)) // a valid zero
		// One answer, CSAT 1 and NPS 0: CSAT 0 % (a valid zero), NPS −100.
		check(t, "prev CSAT", p.CSAT, v(0))
		check(t, "prev NPS", p.NPS, v(-100))
		check(t, "prev response rate", p.ResponseRate, v(1))
		check(t, "prev referrals", p.Referrals, v(1))

		// The KPI tiles: FRT median went from 1,800 s to 1,200 s.
		for _, k := range rep.KPIs() {
			if k.Key == "frt_median" {
				check(t, "FRT change", k.Delta(), v(-600))
				if k.Trend() != "down" || !k.Good() {
					t.Errorf("FRT trend %s good %v, want down and good", k.Trend(), k.Good())
				}
			}
		}

		// Agents: Al owns T1, T2 (solved) and T5; Bo owns T3, T4 (solved).
		byName := map[string]metrics.AgentRow{}
		for _, a := range rep.Agents {
			byName[a.Name] = a
		}
		al, bo := byName["Al"], byName["Bo"]
		if al.Solved != 2 || bo.Solved != 2 || al.Transfers != 0 || bo.Transfers != 1 || bo.Reopens != 1 || al.Reopens != 0 {
			t.Errorf("agents = %+v", rep.Agents)
		}
		// Al's FRT: 600, 7200, 1200 → median 1,200 s; Bo's: 300, 63000 → rank 1 → 300 s.
		check(t, "Al FRT", al.FirstResponse, v(1200))
		check(t, "Bo FRT", bo.FirstResponse, v(300))
		// Al's NPS (10, 6) = 0 and Bo's (7, 8, 9, 10) = 50: the pooled 33.3 is neither nor their mean.
		check(t, "Al NPS", al.NPS, v(0))
		check(t, "Bo NPS", bo.NPS, v(50))
		// Al's CSAT 5, 2 → 1/2; Bo's 3, 4, 4 → 2/3.
		check(t, "Al CSAT", al.CSAT, v(0.5))
		check(t, "Bo CSAT", bo.CSAT, v(2.0/3))

		// A week of its own: one trend point.
		if len(rep.Weeks) != 1 || rep.Weeks[0].Complaints != 3 || !near(rep.Weeks[0].FirstResponse, v(1200)) {
			t.Errorf("weeks = %+v", rep.Weeks)
		}

		// The same dataset rebuilt from the tickets gives the same report.
		n, err := w.m.Rebuild(w.ctx)
		if err != nil {
			t.Fatal(err)
		}
		if n != 8 {
			t.Errorf("Rebuild counted %d tickets, want 8", n)
		}
		again, err := w.m.Compute(w.ctx, week(day(2, 0, 0), 7))
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(rep, again) {
			t.Errorf("after Rebuild:\n got %+v\nwant %+v", again, rep)
		}
	})
}

func TestComputeFilters(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := build(t, db)
		this := week(day(2, 0, 0), 7)
		f := func(mod func(*metrics.Filter)) metrics.Filter {
			x := this
			mod(&x)
			return x
		}
		tests := []struct {
			name   string
			filter metrics.Filter
			check  func(t *testing.T, r metrics.Report)
		}{
			{"agent Al", f(func(x *metrics.Filter) { x.AgentID = w.agents["al"] }), func(t *testing.T, r metrics.Report) {
				// Al's tickets T1, T2, T5: FRT 600, 7200, 1200 → median 1,200, p90 rank 3 → 7,200.
				check(t, "FRT median", r.Current.FirstResponse.Median, v(1200))
				check(t, "FRT p90", r.Current.FirstResponse.P90, v(7200))
				check(t, "NPS", r.Current.NPS, v(0))
				check(t, "complaints", r.Current.Complaints, v(1)) // T2; T3 is Bo's now
				check(t, "promises", r.Current.PromisesKept, v(0.5))
				check(t, "referrals", r.Current.Referrals, v(1)) // Rita's T5 is Al's
			}},
			{"team tech", f(func(x *metrics.Filter) { x.TeamID = w.teams["tech"] }), func(t *testing.T, r metrics.Report) {
				// T3 and T4: SLA T3 breached, T4 met → 1/2; transfers 1/2.
				check(t, "SLA", r.Current.SLAAttainment, v(0.5))
				check(t, "transfers", r.Current.TransfersPerTicket, v(0.5))
				check(t, "NPS", r.Current.NPS, v(50)) // Bo's four answers
				check(t, "referrals", r.Current.Referrals, v(0))
			}},
			{"phone", f(func(x *metrics.Filter) { x.Channel = "phone" }), func(t *testing.T, r metrics.Report) {
				check(t, "complaints oral", r.Current.ComplaintsOral, v(1))
				check(t, "complaints written", r.Current.ComplaintsWritten, v(0))
				check(t, "FRT median", r.Current.FirstResponse.Median, v(60000)) // 63,000 s in its step
				check(t, "CSAT mean", r.Current.CSATMean, v(3))
				check(t, "prev created", r.Previous.Created, none) // no phone tickets last week
				check(t, "prev complaints", r.Previous.Complaints, none)
			}},
			{"language with nothing", f(func(x *metrics.Filter) { x.Language = "ca" }), func(t *testing.T, r metrics.Report) {
				for _, k := range r.KPIs() {
					if k.Cur.Valid || k.Prev.Valid {
						t.Errorf("%s = %+v / %+v, want no data", k.Key, k.Cur, k.Prev)
					}
				}
				if len(r.Agents) != 0 {
					t.Errorf("agents = %+v, want none", r.Agents)
				}
			}},
			{"a quiet year", week(time.Date(2025, 1, 6, 0, 0, 0, 0, time.UTC), 14), func(t *testing.T, r metrics.Report) {
				for _, k := range r.KPIs() {
					if k.Cur.Valid {
						t.Errorf("%s = %+v, want no data", k.Key, k.Cur)
					}
				}
				if len(r.Weeks) != 2 || r.Weeks[0].FirstResponse.Valid || r.Weeks[0].CSAT.Valid {
					t.Errorf("weeks = %+v", r.Weeks)
				}
			}},
			{"two weeks", week(day(-23, 0, 0), 14), func(t *testing.T, r metrics.Report) {
				// Week 1: FRT 1800, 14400 → median 1,800; week 2 → 1,200.
				// Complaints 1 and 3. CSAT: week 1 answer 1 → 0; week 2 → 0.6.
				if len(r.Weeks) != 2 {
					t.Fatalf("weeks = %+v", r.Weeks)
				}
				w1, w2 := r.Weeks[0], r.Weeks[1]
				check(t, "week 1 FRT", w1.FirstResponse, v(1800))
				check(t, "week 2 FRT", w2.FirstResponse, v(1200))
				check(t, "week 1 CSAT", w1.CSAT, v(0))
				check(t, "week 2 CSAT", w2.CSAT, v(0.6))
				if w1.Complaints != 1 || w2.Complaints != 3 || w2.ComplaintsOral != 1 {
					t.Errorf("complaints %d, %d (oral %d)", w1.Complaints, w2.Complaints, w2.ComplaintsOral)
				}
				// NPS pooled over both weeks: 0 (P1's S8 answer) plus the six →
				// promoters 3, detractors 6 and 0 = 2, of 7 → 100/7.
				check(t, "NPS", r.Current.NPS, v(100.0/7))
			}},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				r, err := w.m.Compute(w.ctx, tc.filter)
				if err != nil {
					t.Fatal(err)
				}
				tc.check(t, r)
			})
		}
	})
}

func TestComputeRejectsBadFilter(t *testing.T) {
	db := storetest.SQLite(t)
	m := metrics.New(metrics.Opts{DB: db})
	_, err := m.Compute(context.Background(), metrics.Filter{From: day(2, 5, 0), To: day(1, 0, 0), Channel: "fax"})
	if err == nil {
		t.Fatal("no error")
	}
	for _, field := range []string{"from", "to", "channel"} {
		if !contains(err.Error(), field+":") {
			t.Errorf("error %q does not name %s", err, field)
		}
	}
}

func contains(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return true
		}
	}
	return false
}

// Repeat business: the share of customers buying in the period who bought
// more than once so far. It needs the purchases table (a later
// migration); without it the metric is no data.
func TestRepeatBusiness(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := build(t, db)
		this := week(day(2, 0, 0), 7)
		rep, err := w.m.Compute(w.ctx, this)
		if err != nil {
			t.Fatal(err)
		}
		check(t, "repeat business without purchases", rep.Current.RepeatBusiness, none)
		if !rep.Purchases {
			return // the purchases migration is not there: no data is all there is to see
		}
		// Carla bought on 1 Feb and 3 Mar (returning); Rob once, on 4 Mar
		// (new); Rita on 5 and 6 Mar (came back within the week). Buyers 3,
		// returning 2 → 2/3. The week before: nobody bought → no data.
		for i, p := range []struct {
			who string
			at  time.Time
		}{{"carla", day(-1, 10, 0)}, {"carla", day(3, 10, 0)}, {"rob", day(4, 10, 0)}, {"rita", day(5, 10, 0)}, {"rita", day(6, 10, 0)}} {
			w.exec(`INSERT INTO purchases (customer_id, purchased_at, amount_minor, currency, reference, created_at)
				VALUES ($1, $2, 1000, 'EUR', $3, $2)`, w.cust[p.who], p.at.UnixMilli(), "order-"+strconv.Itoa(i))
		}
		rep, err = w.m.Compute(w.ctx, this)
		if err != nil {
			t.Fatal(err)
		}
		check(t, "repeat business", rep.Current.RepeatBusiness, v(2.0/3))
		check(t, "repeat business before", rep.Previous.RepeatBusiness, none)
		this.AgentID = w.agents["al"]
		if rep, err = w.m.Compute(w.ctx, this); err != nil {
			t.Fatal(err)
		}
		check(t, "repeat business for one agent", rep.Current.RepeatBusiness, none)
	})
}

func TestFeedbackRecord(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := build(t, db)
		base := metrics.FeedbackQuery{From: day(2, 0, 0), To: day(9, 0, 0)}
		q := func(mod func(*metrics.FeedbackQuery)) metrics.FeedbackQuery {
			x := base
			mod(&x)
			return x
		}
		// This week: answers S1–S6 and complaints T2, T3, T6 = 9 entries,
		// by time: S5 Sat 12:00, T6 Sat 10:00, S3 Wed 10:00, S4 Tue 12:00,
		// S2 Tue 11:00, T3 Mon 16:00, S1 Mon 12:00, T2 Mon 10:00, S6 Mon 09:00.
		tests := []struct {
			name  string
			query metrics.FeedbackQuery
			want  []string // survey keys or complaint tickets, newest first
			more  bool
		}{
			{"everything", base, []string{"S5", "T6", "S3", "S4", "S2", "T3", "S1", "T2", "S6"}, false},
			{"oral", q(func(x *metrics.FeedbackQuery) { x.Mode = "oral" }), []string{"S3", "T3"}, false},
			{"written complaints", q(func(x *metrics.FeedbackQuery) { x.Mode = "written"; x.Kind = metrics.FeedbackComplaint }), []string{"T6", "T2"}, false},
			{"score 4", q(func(x *metrics.FeedbackQuery) { x.Score = 4 }), []string{"S5", "S4"}, false},
			{"with a comment", q(func(x *metrics.FeedbackQuery) { x.HasComment = true }), []string{"S5", "T6", "S2", "T3", "S1", "T2"}, false},
			{"text in a comment", q(func(x *metrics.FeedbackQuery) { x.Text = "SLOW" }), []string{"S2"}, false},
			{"text in a complaint", q(func(x *metrics.FeedbackQuery) { x.Text = "help with t3" }), []string{"T3"}, false},
			{"a wildcard is a character", q(func(x *metrics.FeedbackQuery) { x.Text = "%" }), nil, false},
			{"agent Al", q(func(x *metrics.FeedbackQuery) { x.AgentID = w.agents["al"] }), []string{"S2", "S1", "T2"}, false},
			{"team tech on phone", q(func(x *metrics.FeedbackQuery) { x.TeamID = w.teams["tech"]; x.Channel = "phone" }), []string{"S3", "T3"}, false},
			{"page 1 of 3", q(func(x *metrics.FeedbackQuery) { x.Limit = 4 }), []string{"S5", "T6", "S3", "S4"}, true},
			{"page 3 of 3", q(func(x *metrics.FeedbackQuery) { x.Limit = 4; x.Page = 3 }), []string{"S6"}, false},
		}
		surveyKey := map[int64]string{}
		rows, err := db.R.Query(`SELECT id, token_hash FROM surveys`)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var id int64
			var h string
			rows.Scan(&id, &h)
			surveyKey[id] = h[len("hash-"):]
		}
		rows.Close()
		ticketKey := map[int64]string{}
		for k, id := range w.tk {
			ticketKey[id] = k
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				page, err := w.m.Feedback(w.ctx, tc.query)
				if err != nil {
					t.Fatal(err)
				}
				var got []string
				for _, it := range page.Items {
					if it.Kind == metrics.FeedbackSurvey {
						got = append(got, surveyKey[it.SurveyID])
					} else {
						got = append(got, ticketKey[it.TicketID])
					}
				}
				if !reflect.DeepEqual(got, tc.want) || page.More != tc.more {
					t.Errorf("got %v (more %v), want %v (more %v)", got, page.More, tc.want, tc.more)
				}
			})
		}
		// What an entry carries.
		page, err := w.m.Feedback(w.ctx, q(func(x *metrics.FeedbackQuery) { x.Text = "help with t3" }))
		if err != nil || len(page.Items) != 1 {
			t.Fatalf("%v %+v", err, page)
		}
		it := page.Items[0]
		if it.Comment != "Help with T3" || it.CustomerName != "carla" || it.AgentName != "Bo" || it.Written() || it.CSAT != 0 || it.NPS != -1 {
			t.Errorf("complaint entry = %+v", it)
		}
		page, _ = w.m.Feedback(w.ctx, q(func(x *metrics.FeedbackQuery) { x.Text = "slow" }))
		if it := page.Items[0]; it.CSAT != 2 || it.NPS != 6 || it.AgentName != "Al" || !it.Written() || it.TicketID != w.tk["T2"] {
			t.Errorf("survey entry = %+v", it)
		}
	})
}

func TestWeeklyDigest(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := build(t, db)
		w.exec(`UPDATE agents SET locale = 'it' WHERE id = $1`, w.agents["mia"])
		type mail struct{ to, subject, text, lang string }
		var sent []mail
		m := metrics.New(metrics.Opts{DB: db, Clock: w.clock, Jobs: w.jobs, Digest: &metrics.DigestOpts{
			I18n: i18n.MustLoad(), URL: "https://help.example.com",
			Send: func(_ context.Context, to, _, subject, text, lang string) error {
				sent = append(sent, mail{to, subject, text, lang})
				return nil
			}}})
		// The clock is at Sunday 8 March 12:00; the calendar is in UTC, so
		// the next digest is Monday 9 March 08:00.
		if err := m.ScheduleDigest(w.ctx); err != nil {
			t.Fatal(err)
		}
		if err := m.ScheduleDigest(w.ctx); err != nil { // twice is once
			t.Fatal(err)
		}
		job, err := w.jobs.GetByKey(w.ctx, "metrics.digest:2026-W11")
		if err != nil {
			t.Fatal(err)
		}
		if !job.RunAt.Equal(time.Date(2026, 3, 9, 8, 0, 0, 0, time.UTC)) {
			t.Errorf("digest runs at %v", job.RunAt)
		}
		w.at(day(9, 7, 59))
		if len(sent) != 0 {
			t.Fatalf("sent before time: %v", sent)
		}
		w.at(day(9, 8, 0))
		if len(sent) != 1 || sent[0].to != "mia@rapport.test" {
			t.Fatalf("sent = %+v, want one mail to the manager", sent)
		}
		if sent[0].lang != "it" {
			t.Errorf("digest sent with language %q, want the manager's it (Content-Language)", sent[0].lang)
		}
		// In Italian: last week 2–8 March against 23 February – 1 March.
		// First response median 1,200 s = 20 min, the week before 1,800 s =
		// 30 min; NPS 33.3 against −100.
		for _, want := range []string{
			"Riepilogo settimanale di Rapport: 2 mar 2026 – 8 mar 2026", "Com'è andato il servizio nella settimana 2 mar 2026 – 8 mar 2026",
			"Prima risposta, mediana: 20 min (settimana prima 30 min, −10 min)",
			"NPS: 33,3 (settimana prima −100, +133,3)",
			"Reclami orali (telefono): 1 (settimana prima 0, +1)",
			"Promesse mantenute: 50%",
			"https://help.example.com/dashboard?from=2026-03-02&period=custom&to=2026-03-08",
		} {
			if !contains(sent[0].subject+"\n"+sent[0].text, want) {
				t.Errorf("digest lacks %q:\n%s\n%s", want, sent[0].subject, sent[0].text)
			}
		}
		// The next one is queued for the Monday after.
		if _, err := w.jobs.GetByKey(w.ctx, "metrics.digest:2026-W12"); err != nil {
			t.Errorf("next digest: %v", err)
		}
	})
}

// Confirmed fixes: on the fixed dataset, Al's T2 (closed by then) is
// confirmed by the follow-up's yes button, Bo's new T7 (api, tech) by a
// written yes, and Bo's T3 answered no (not a confirmation): 2 this week,
// by the ticket's dimensions, none the week before.
func TestConfirmedFixes(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := build(t, db)
		answer := func(key string, a text.Answer) {
			t.Helper()
			token, err := w.tickets.NewFollowUp(w.ctx, w.tk[key])
			if err != nil {
				t.Fatal(err)
			}
			if _, err := w.tickets.AnswerFollowUp(w.ctx, token, a); err != nil {
				t.Fatal(err)
			}
		}
		w.at(day(5, 10, 0))
		answer("T2", text.AnswerYes)
		answer("T3", text.AnswerNo)
		w.create("T7", day(5, 10, 0), "api", "question", "en", "carla", "bo", "tech")
		w.reply("T7", day(5, 10, 10), "bo")
		w.status("T7", day(5, 10, 20), "bo", ticket.Solved)
		if _, err := w.tickets.NewFollowUp(w.ctx, w.tk["T7"]); err != nil {
			t.Fatal(err)
		}
		w.at(day(5, 11, 0))
		if _, err := w.tickets.AddCustomerMessage(w.ctx, w.tk["T7"], "Yes, it works now, thanks", ""); err != nil {
			t.Fatal(err)
		}
		this := week(day(2, 0, 0), 7)
		for _, tc := range []struct {
			name string
			mod  func(*metrics.Filter)
			want float64
		}{
			{"all", func(*metrics.Filter) {}, 2},
			{"agent Al", func(x *metrics.Filter) { x.AgentID = w.agents["al"] }, 1},
			{"team tech", func(x *metrics.Filter) { x.TeamID = w.teams["tech"] }, 1},
			{"api", func(x *metrics.Filter) { x.Channel = "api" }, 1},
			{"phone", func(x *metrics.Filter) { x.Channel = "phone" }, 0},
		} {
			t.Run(tc.name, func(t *testing.T) {
				f := this
				tc.mod(&f)
				rep, err := w.m.Compute(w.ctx, f)
				if err != nil {
					t.Fatal(err)
				}
				check(t, "confirmed fixes", rep.Current.ConfirmedFixes, v(tc.want))
				if tc.name == "all" {
					check(t, "previous confirmed fixes", rep.Previous.ConfirmedFixes, v(0))
				}
			})
		}
	})
}

// TestReferrerRecordedLater: a referrer recorded on a customer after their
// first ticket (an agent, or a purchase through a referral link) counts in
// the referral metric at once, without a rollup rebuild; a second ticket
// of that customer adds nothing, and clearing it takes it away.
func TestReferrerRecordedLater(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := build(t, db)
		this := week(day(2, 0, 0), 7)
		referrals := func() metrics.Value {
			t.Helper()
			rep, err := w.m.Compute(w.ctx, this)
			if err != nil {
				t.Fatal(err)
			}
			return rep.Current.Referrals
		}
		before := referrals()
		newc := w.insertID(`INSERT INTO customers (name, created_at, updated_at) VALUES ('Nina', $1, $1) RETURNING id`, w.clock.Now().UnixMilli())
		w.cust["nina"] = newc
		w.create("N1", day(5, 9, 0), "email", "question", "en", "nina", "al", "tech")
		w.create("N2", day(6, 9, 0), "email", "question", "en", "nina", "al", "tech")
		check(t, "referrals before the referrer is known", referrals(), before)
		if err := customer.New(db, w.clock).SetReferrer(w.ctx, newc, w.cust["carla"]); err != nil {
			t.Fatal(err)
		}
		check(t, "referrals once the referrer is recorded", referrals(), v(before.V+1))
		if err := customer.New(db, w.clock).SetReferrer(w.ctx, newc, 0); err != nil {
			t.Fatal(err)
		}
		check(t, "referrals once it is cleared", referrals(), before)

		// A friend who bought through a referral link and never wrote
		// counts for the whole business, not under an agent's filter.
		olga := w.insertID(`INSERT INTO customers (name, referred_by, created_at, updated_at) VALUES ('Olga', $1, $2, $2) RETURNING id`,
			w.cust["carla"], w.clock.Now().UnixMilli())
		w.exec(`INSERT INTO purchases (customer_id, purchased_at, amount_minor, currency, channel, created_at) VALUES ($1, $2, 900, 'EUR', 'shop', $2)`,
			olga, day(4, 12, 0).UnixMilli())
		check(t, "referrals with a buyer", referrals(), v(before.V+1))
		byAgent := this
		byAgent.AgentID = w.agents["al"]
		rep, err := w.m.Compute(w.ctx, byAgent)
		if err != nil {
			t.Fatal(err)
		}
		all, err := w.m.Compute(w.ctx, this)
		if err != nil {
			t.Fatal(err)
		}
		if rep.Current.Referrals.V >= all.Current.Referrals.V {
			t.Errorf("Al's referrals %v, the business's %v: the buyer counted under an agent", rep.Current.Referrals, all.Current.Referrals)
		}
	})
}
