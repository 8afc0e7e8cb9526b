package demo

import (
	"context"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rapport/rapport/internal/agent"
	"github.com/rapport/rapport/internal/customer"
	"github.com/rapport/rapport/internal/jobs"
	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/store/storetest"
	"github.com/rapport/rapport/internal/ticket"
)

// testNow is the fixed end of the demo period in tests.
var testNow = time.Date(2026, 3, 18, 14, 30, 0, 0, time.UTC)

const testPassword = "demo-password-1"

// TestTemplatesRender renders every text of every language for both genders,
// so a missing slot or a broken [m|f] choice fails here, not in a demo.
func TestTemplatesRender(t *testing.T) {
	vars := map[string]string{}
	for _, k := range []string{"name", "cname", "cfirst", "order", "product", "product_en", "date", "date2",
		"amount", "amount_en", "ref", "vat", "code", "address", "praised", "agent"} {
		vars[k] = "X"
	}
	for _, lang := range languages {
		lt := texts[lang]
		if lt == nil {
			t.Fatalf("no texts for %s", lang)
		}
		all := [][]string{{lt.AgentHello, lt.AgentBye}, lt.CustomerHello, lt.CustomerBye, lt.Working, lt.Rework, lt.Final, lt.NoAnswer}
		for _, sc := range scenarios {
			st, ok := lt.Scenarios[sc.Key]
			if !ok {
				t.Fatalf("%s: no texts for scenario %s", lang, sc.Key)
			}
			if len(st.Subjects) == 0 || len(st.Opening) == 0 || len(st.Solve) == 0 {
				t.Errorf("%s/%s: subjects, opening and solve are required", lang, sc.Key)
			}
			if (len(st.Ask) == 0) != (len(st.Answer) == 0) || (len(st.Ask) == 0) != (len(st.SolveAfter) == 0) {
				t.Errorf("%s/%s: ask, answer and solve-after go together", lang, sc.Key)
			}
			all = append(all, st.Subjects, st.Opening, st.Ask, st.Answer, st.Solve, st.SolveAfter, sc.Notes)
		}
		for _, group := range all {
			for _, tpl := range group {
				for _, g := range []byte{'m', 'f'} {
					out := render(tpl, vars, g, g)
					if strings.ContainsAny(out, "{}[]<>|") {
						t.Errorf("%s: %q renders as %q", lang, tpl, out)
					}
				}
			}
		}
	}
	if got := render("Я [заказал|заказала] <он|она>", nil, 'f', 'm'); got != "Я заказала он" {
		t.Errorf("gender choice: got %q", got)
	}
}

func TestDates(t *testing.T) {
	tests := []struct {
		name string
		f    func(time.Time) string
		day  int
		want string
	}{
		{"en", dateEN, 3, "3 March"},
		{"it", dateIT, 3, "il 3 marzo"},
		{"it elided", dateIT, 8, "l'8 marzo"},
		{"it first", dateIT, 1, "il 1º marzo"},
		{"ru", dateRU, 3, "3 марта"},
		{"lv on", dateLVOn, 3, "3. martā"},
		{"lv by", dateLVBy, 3, "3. martam"},
		{"ca", dateCA, 3, "el 3 de març"},
		{"ca elided", dateCA, 11, "l'11 de març"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.f(time.Date(2026, 3, tc.day, 0, 0, 0, 0, time.UTC)); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

// TestPlan checks the plan alone, without a database: order in time, owners
// who speak the language and belong to the team, every language and state.
func TestPlan(t *testing.T) {
	p := newPlanner(7, testNow)
	p.plan(60, 300)
	if len(p.customers) != 60 || len(p.tickets) != 300 {
		t.Fatalf("planned %d customers and %d tickets", len(p.customers), len(p.tickets))
	}
	langs := map[string]int{}
	for _, tk := range p.tickets {
		langs[tk.lang]++
		if tk.at.Before(p.start) || tk.at.After(p.now) {
			t.Errorf("ticket at %s is outside the demo period", tk.at)
		}
	}
	for _, l := range languages {
		if langs[l] == 0 {
			t.Errorf("no tickets in %s", l)
		}
	}
	if langs["en"] <= langs["it"] || langs["en"] <= langs["ca"] {
		t.Errorf("English should be the most common language: %v", langs)
	}

	last := map[*ticketPlan]*step{}
	created := map[*ticketPlan]bool{}
	customers := map[*custPlan]bool{}
	final := map[*ticketPlan]ticket.Status{}
	owner := map[*ticketPlan]int{}
	for i, s := range p.steps {
		if i > 0 && s.at.Before(p.steps[i-1].at) {
			t.Fatalf("step %d (%s) at %s comes before the previous one", i, s.kind, s.at)
		}
		if s.at.After(p.now) || s.at.Before(p.setup) {
			t.Errorf("step %s at %s is outside the timeline", s.kind, s.at)
		}
		if s.kind == stCustomer {
			customers[s.c] = true
			continue
		}
		tk := s.t
		if s.kind == stCreate {
			if !customers[tk.cust] {
				t.Errorf("ticket created before its customer")
			}
			created[tk] = true
		} else if !created[tk] {
			t.Fatalf("%s before the ticket was created", s.kind)
		}
		if prev := last[tk]; prev != nil && !s.at.After(prev.at) {
			t.Errorf("ticket steps not strictly in time: %s at %s after %s at %s", s.kind, s.at, prev.kind, prev.at)
		}
		last[tk] = s
		final[tk] = s.after
		switch s.kind {
		case stReply:
			owner[tk] = s.actor
		case stTransfer, stAssign:
			owner[tk] = s.to
		}
		for _, text := range []string{s.body, tk.subject, tk.body} {
			if strings.ContainsAny(text, "{}[]|") {
				t.Errorf("unrendered template: %q", text)
			}
		}
	}
	if len(created) != 300 {
		t.Errorf("%d tickets created, want 300", len(created))
	}
	states := map[ticket.Status]int{}
	for tk, st := range final {
		states[st]++
		if o, ok := owner[tk]; ok && !slices.Contains(eligible(tk.team, tk.lang), o) {
			t.Errorf("ticket in %s for %s owned by %s, who does not speak it or is not in the team",
				tk.lang, teamDefs[tk.team].Name, roster[o].Name)
		}
	}
	for _, st := range []ticket.Status{ticket.New, ticket.Open, ticket.Pending, ticket.Solved} {
		if states[st] == 0 {
			t.Errorf("no ticket left %s: %v", st, states)
		}
	}

	q := newPlanner(7, testNow)
	q.plan(60, 300)
	for i := range p.tickets {
		if p.tickets[i].subject != q.tickets[i].subject || p.tickets[i].body != q.tickets[i].body {
			t.Fatalf("same seed, different ticket %d: %q vs %q", i, p.tickets[i].subject, q.tickets[i].subject)
		}
	}
	r := newPlanner(8, testNow)
	r.plan(60, 300)
	same := 0
	for i := range p.tickets {
		if p.tickets[i].body == r.tickets[i].body {
			same++
		}
	}
	if same > 30 {
		t.Errorf("seeds 7 and 8 share %d of 300 first messages", same)
	}
}

func generate(t *testing.T, db *store.DB, seed int64, customers, tickets int) Result {
	t.Helper()
	res, err := Generate(context.Background(), Opts{
		DB: db, Seed: seed, Customers: customers, Tickets: tickets, Now: testNow,
		Password: testPassword, Log: slog.New(slog.DiscardHandler),
	})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// services returns read access to what Generate wrote.
// countRows runs a counting query on db, failing the test on error.
func countRows(t *testing.T, db *store.DB, q string) int {
	t.Helper()
	var n int
	if err := db.R.QueryRowContext(context.Background(), q).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

func services(db *store.DB) (*agent.Service, *customer.Service, *ticket.Service) {
	clock := jobs.NewFakeClock(testNow.Add(time.Minute))
	custs := customer.New(db, clock)
	q := jobs.New(db, clock, slog.New(slog.DiscardHandler))
	return agent.New(db, clock), custs, ticket.NewService(ticket.Opts{DB: db, Clock: clock, Jobs: q, Customers: custs, Log: slog.New(slog.DiscardHandler)})
}

// allTickets lists every ticket, oldest first.
func allTickets(t *testing.T, ts *ticket.Service) []ticket.Ticket {
	t.Helper()
	var out []ticket.Ticket
	o := ticket.ListOptions{View: ticket.ViewAll, Sort: "oldest", Limit: 100}
	for {
		page, err := ts.List(context.Background(), o)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, page.Tickets...)
		if page.NextCursor == "" {
			return out
		}
		o.Cursor = page.NextCursor
	}
}

func TestGenerate(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		started := time.Now()
		res := generate(t, db, 7, 60, 300)
		t.Logf("60 customers, 300 tickets, %d messages in %s", res.Messages, time.Since(started).Round(time.Millisecond))
		if res.Customers != 60 || res.Tickets != 300 || res.Messages < 600 {
			t.Errorf("result %+v: want 60 customers, 300 tickets, at least 600 messages", res)
		}
		agents, custs, ts := services(db)

		for _, email := range []string{res.AdminEmail, res.ManagerEmail, res.AgentEmail} {
			if _, err := agents.Authenticate(ctx, email, testPassword, "test"); err != nil {
				t.Errorf("log in as %s: %v", email, err)
			}
		}
		if _, err := agents.Authenticate(ctx, res.AgentEmail, "wrong-password", "test"); err == nil {
			t.Error("a wrong password logs in")
		}
		staff, err := agents.List(ctx)
		if err != nil {
			t.Fatal(err)
		}
		byID := map[int64]agent.Agent{}
		for _, a := range staff {
			byID[a.ID] = a
		}
		if len(staff) != len(roster)+res.Imported.Agents { // and a former colleague from the imported help desk
			t.Errorf("%d agents, want %d", len(staff), len(roster)+res.Imported.Agents)
		}

		page, err := custs.List(ctx, customer.ListOptions{Limit: 200})
		if err != nil {
			t.Fatal(err)
		}
		// and a friend who only bought, through a referral link, and the imported ones
		if len(page.Customers) != 61+res.Imported.Customers {
			t.Errorf("%d customers listed, want %d", len(page.Customers), 61+res.Imported.Customers)
		}
		for _, c := range page.Customers {
			if c.Name == "" || c.Language == "" || c.Email() == "" {
				t.Errorf("customer %+v lacks a name, language or email", c)
			}
		}

		all := allTickets(t, ts)
		if len(all) != 300+res.Imported.Tickets {
			t.Fatalf("%d tickets listed, want %d", len(all), 300+res.Imported.Tickets)
		}
		langs := map[string]bool{}
		statuses := map[ticket.Status]int{}
		unassigned, reopened, transferred := 0, 0, 0
		for _, tk := range all {
			langs[tk.Language] = true
			statuses[tk.Status]++
			if tk.CreatedAt.Before(testNow.AddDate(0, -6, 0)) || tk.CreatedAt.After(testNow) {
				t.Errorf("ticket %d created %s, outside the six months before %s", tk.ID, tk.CreatedAt, testNow)
			}
			if tk.OwnerID == 0 {
				unassigned++
			} else {
				o := byID[tk.OwnerID]
				if !slices.Contains(o.Languages, tk.Language) {
					t.Errorf("ticket %d in %s owned by %s, who speaks %v", tk.ID, tk.Language, o.Name, o.Languages)
				}
				if tk.TeamID != 0 && !slices.Contains(o.TeamIDs, tk.TeamID) {
					t.Errorf("ticket %d of team %s owned by %s, not in it", tk.ID, tk.TeamName, o.Name)
				}
			}
			if tk.ReopenCount > 0 {
				reopened++
			}
			if tk.TransferCount > 0 {
				transferred++
			}
			events, err := ts.Events(ctx, tk.ID)
			if err != nil {
				t.Fatal(err)
			}
			// Only a confirmed fix closes a ticket before the auto-close.
			confirmed := slices.ContainsFunc(events, func(e ticket.Event) bool { return e.Type == ticket.EventFixConfirmed })
			if tk.Status == ticket.Closed && tk.ClosedAt.Sub(tk.SolvedAt) < autoCloseDays*24*time.Hour && !confirmed {
				t.Errorf("ticket %d solved %s closed %s, before the auto-close delay", tk.ID, tk.SolvedAt, tk.ClosedAt)
			}
			if len(events) == 0 || events[0].Type != ticket.EventCreated {
				t.Fatalf("ticket %d: events do not start with %q: %+v", tk.ID, ticket.EventCreated, events)
			}
			for i := 1; i < len(events); i++ {
				if events[i].CreatedAt.Before(events[i-1].CreatedAt) {
					t.Errorf("ticket %d: event %s at %s before %s at %s", tk.ID,
						events[i].Type, events[i].CreatedAt, events[i-1].Type, events[i-1].CreatedAt)
				}
			}
			if last := events[len(events)-1]; last.CreatedAt.After(testNow) {
				t.Errorf("ticket %d: event %s at %s is after Now", tk.ID, last.Type, last.CreatedAt)
			}
		}
		for _, l := range languages {
			if !langs[l] {
				t.Errorf("no ticket in %s", l)
			}
		}
		for _, s := range ticket.Statuses {
			if statuses[s] == 0 {
				t.Errorf("no %s ticket: %v", s, statuses)
			}
		}
		if unassigned == 0 || reopened == 0 || transferred == 0 {
			t.Errorf("%d unassigned, %d reopened, %d transferred tickets; want some of each", unassigned, reopened, transferred)
		}
		t.Logf("statuses %v; %d unassigned, %d reopened, %d transferred", statuses, unassigned, reopened, transferred)

		msgs, err := ts.Messages(ctx, all[len(all)/2].ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(msgs) == 0 || msgs[0].Kind != ticket.CustomerMessage {
			t.Errorf("thread does not start with the customer's message: %+v", msgs)
		}
	})
}

func TestGenerateSameSeed(t *testing.T) {
	subjects := func(seed int64) []string {
		db := storetest.SQLite(t)
		generate(t, db, seed, 40, 120)
		_, _, ts := services(db)
		var out []string
		for _, tk := range allTickets(t, ts) {
			out = append(out, tk.Subject)
		}
		return out
	}
	a, b := subjects(42), subjects(42)
	if !slices.Equal(a, b) {
		t.Errorf("the same seed gave different subjects:\n%q\n%q", a[:5], b[:5])
	}
	if c := subjects(43); slices.Equal(a, c) {
		t.Error("seeds 42 and 43 gave the same subjects")
	}
}

// TestGenerateFull runs the default size, as `rapport demo` does.
func TestGenerateFull(t *testing.T) {
	if testing.Short() {
		t.Skip("full-size demo skipped with -short")
	}
	db := storetest.SQLite(t)
	started := time.Now()
	res, err := Generate(context.Background(), Opts{DB: db, Seed: 1, Now: testNow, Password: testPassword})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%+v in %s", res, time.Since(started).Round(time.Millisecond))
	if res.Customers < 500 || res.Tickets < 3000 {
		t.Errorf("generated %d customers and %d tickets, want at least 500 and 3000", res.Customers, res.Tickets)
	}
	_, _, ts := services(db)
	if n := len(allTickets(t, ts)); n != res.Tickets+res.Imported.Tickets {
		t.Errorf("%d tickets listed, %d reported", n, res.Tickets+res.Imported.Tickets)
	}
}
