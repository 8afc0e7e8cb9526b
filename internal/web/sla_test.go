package web

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/rapport/rapport/internal/agent"
	"github.com/rapport/rapport/internal/i18n"
	"github.com/rapport/rapport/internal/sla"
	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/store/storetest"
	"github.com/rapport/rapport/internal/ticket"
)

// slaTickets configures two policies (urgent: first response in 30
// minutes; the rest: 4 hours, paused while pending) at 09:00 and opens an
// urgent ticket owned by the agent, a standard one and a pending one. The
// fixture's own ticket predates the policies and has no deadline.
func slaTickets(t *testing.T, f *fixture) map[string]int64 {
	t.Helper()
	ctx := context.Background()
	for _, p := range []sla.Policy{
		{Name: "Urgent", Position: 1, Priority: ticket.Urgent, FirstResponse: 30 * time.Minute, Resolution: 4 * time.Hour, Active: true},
		{Name: "Standard", Position: 2, FirstResponse: 4 * time.Hour, PauseOnPending: true, Active: true},
	} {
		if _, err := f.sla.CreatePolicy(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	ids := map[string]int64{
		"urgent":   f.newTicket(t, ticket.NewTicket{Subject: "Urgent one", Priority: ticket.Urgent, OwnerID: f.ids["agent"]}),
		"standard": f.newTicket(t, ticket.NewTicket{Subject: "Standard one"}),
		"pending":  f.newTicket(t, ticket.NewTicket{Subject: "Waiting one", OwnerID: f.ids["agent"]}),
	}
	if _, err := f.tickets.Update(ctx, ticket.AgentActor(f.ids["agent"]), ids["pending"], ticket.Update{Status: ptr(ticket.Pending)}); err != nil {
		t.Fatal(err)
	}
	return ids
}

// slaCell matches the deadline cell of each row of a ticket table.
var slaCell = regexp.MustCompile(`<td class="sla"[^>]*>(?:<time class="(sla-[a-z]+)"[^>]*>([^<]*)</time>|<span class="(sla-[a-z]+)">([^<]*)</span>)?</td>`)

// deadlines lists the class and text of each row's deadline cell.
func deadlines(body string) []string {
	var out []string
	for _, m := range slaCell.FindAllStringSubmatch(body, -1) {
		out = append(out, m[1]+m[3]+" "+m[2]+m[4])
	}
	return out
}

func TestInboxSLA(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		c := f.login(t, "agent")

		// Without an active policy there is no deadline column or sort.
		res := c.get(t, "/?view=all")
		contains(t, res.body, nil, []string{`<option value="sla"`, `<td class="sla"`, `<th scope="col">Due</th>`})

		ids := slaTickets(t, f)
		f.clock.Advance(45 * time.Minute) // 09:45: the urgent one is 15 minutes late

		res = c.get(t, "/?view=all&sort=sla")
		mustCode(t, res, http.StatusOK, "inbox by deadline")
		contains(t, res.body, []string{`<option value="sla" selected>Deadline</option>`, `<th scope="col">Due</th>`}, nil)
		// Earliest deadline first; without one last, by number.
		want := []string{"Urgent one", "Standard one", "Parcel never arrived", "Waiting one"}
		if got := subjects(res.body); !slices.Equal(got, want) {
			t.Errorf("order %q, want %q", got, want)
		}
		wantDue := []string{"sla-over overdue 15m", "sla-ok in 3h 15m", " ", "sla-paused paused"}
		if got := deadlines(res.body); !slices.Equal(got, wantDue) {
			t.Errorf("deadlines %q, want %q", got, wantDue)
		}

		// Less than an hour left is amber; times are in the agent's language.
		f.clock.Advance(2*time.Hour + 50*time.Minute) // 12:35
		if got := deadlines(c.get(t, "/?view=all&sort=sla").body); len(got) < 2 || got[1] != "sla-soon in 25m" {
			t.Errorf("deadlines at 12:35: %q", got)
		}
		lv := "lv"
		if _, err := f.agents.Update(context.Background(), f.ids["agent"], agentLocale(lv)); err != nil {
			t.Fatal(err)
		}
		got := deadlines(c.get(t, "/?view=all&sort=sla").body)
		if len(got) < 2 || got[0] != "sla-over "+f.cat.T(lv, "sla.overdue", "3 h 5 min") || got[1] != "sla-soon "+f.cat.T(lv, "sla.in", "25 min") {
			t.Errorf("Latvian deadlines %q", got)
		}

		// The ticket page shows each timer and that the urgent one is missed.
		page := c.get(t, idPath("/tickets/", ids["urgent"], ""))
		mustCode(t, page, http.StatusOK, "ticket page")
		contains(t, page.body, []string{`id="sla"`, f.cat.T(lv, "sla.title"), f.cat.T(lv, "timer.first_response"),
			`class="badge sla-breached"`, f.cat.T(lv, "sla.not_running")}, nil)
		pending := c.get(t, idPath("/tickets/", ids["pending"], ""))
		contains(t, pending.body, []string{f.cat.T(lv, "sla.paused_hint")}, nil)
	})
}

// agentLocale is the update that sets an agent's UI language.
func agentLocale(l string) agent.AgentUpdate { return agent.AgentUpdate{Locale: &l} }

func TestNotifications(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		c := f.login(t, "agent")
		ids := slaTickets(t, f)
		urgent := strconv.FormatInt(ids["urgent"], 10)
		contains(t, c.get(t, "/").body, []string{`href="/notifications"`}, []string{`class="count"`})

		// At 09:25, 75 % of the 30 minutes have passed: the owner is warned.
		f.clock.Set(time.Date(2025, 3, 10, 9, 25, 0, 0, time.UTC))
		if _, err := f.jobs.RunDue(ctx); err != nil {
			t.Fatal(err)
		}
		contains(t, c.get(t, "/").body, []string{`<span class="count" title="Unread notifications">1</span>`}, nil)
		res := c.get(t, "/notifications")
		mustCode(t, res, http.StatusOK, "notifications")
		contains(t, res.body, []string{
			`<a href="/tickets/` + urgent + `">First response at risk on #` + urgent + ` “Urgent one”: due Mar 10, 2025, 09:30</a>`,
		}, nil)

		// At 09:45 the target is missed.
		f.clock.Set(time.Date(2025, 3, 10, 9, 45, 0, 0, time.UTC))
		if _, err := f.jobs.RunDue(ctx); err != nil {
			t.Fatal(err)
		}
		res = c.get(t, "/notifications")
		contains(t, res.body, []string{"First response missed on #" + urgent + " “Urgent one”: was due Mar 10, 2025, 09:30",
			`<span class="count" title="Unread notifications">2</span>`}, nil)
		// The history says so too, and a manager (no team: every manager) was told.
		contains(t, c.get(t, idPath("/tickets/", ids["urgent"], "")).body, []string{
			"SLA at risk: First response, due Mar 10, 2025, 09:30", "SLA missed: First response, was due Mar 10, 2025, 09:30"}, nil)
		contains(t, f.login(t, "manager").get(t, "/notifications").body, []string{"First response missed on #" + urgent}, nil)

		// Marking read clears the list and the count, up to what was shown.
		upTo := regexp.MustCompile(`name="upto" value="(\d+)"`).FindStringSubmatch(res.body)
		if upTo == nil {
			t.Fatalf("no upto in %s", res.body)
		}
		mustCode(t, c.post(t, "/notifications/read", url.Values{"upto": {"x"}}), http.StatusBadRequest, "bad upto")
		mustCode(t, c.post(t, "/notifications/read", url.Values{"upto": {upTo[1]}}), http.StatusSeeOther, "mark read")
		res = c.get(t, "/notifications")
		contains(t, res.body, []string{"Notifications marked as read.", "No unread notifications."}, []string{`class="count"`, `name="upto"`})

		// In the agent's language.
		if _, err := f.agents.Update(ctx, f.ids["agent"], agentLocale("ru")); err != nil {
			t.Fatal(err)
		}
		f.newTicket(t, ticket.NewTicket{Subject: "Срочно", Priority: ticket.Urgent, OwnerID: f.ids["agent"]})
		f.clock.Advance(time.Hour)
		if _, err := f.jobs.RunDue(ctx); err != nil {
			t.Fatal(err)
		}
		contains(t, c.get(t, "/notifications").body, []string{"Нарушен срок «Первый ответ»", "«Срочно»"}, nil)
	})
}

// The label of every timer, state and span reads as intended.
func TestDueLabels(t *testing.T) {
	now := time.Date(2025, 3, 10, 9, 0, 0, 0, time.UTC)
	p := &page{s: &server{cat: i18n.MustLoad()}, Lang: "en", Now: now}
	tests := []struct {
		name string
		t    ticket.Ticket
		want dueLabel
	}{
		{"days and hours", ticket.Ticket{Status: ticket.Open, SLADueAt: now.Add(50*time.Hour + 10*time.Minute)}, dueLabel{Text: "in 2d 2h", Class: "sla-ok"}},
		{"hours and minutes", ticket.Ticket{Status: ticket.New, SLADueAt: now.Add(2*time.Hour + 10*time.Minute)}, dueLabel{Text: "in 2h 10m", Class: "sla-ok"}},
		{"whole hours", ticket.Ticket{Status: ticket.New, SLADueAt: now.Add(3 * time.Hour)}, dueLabel{Text: "in 3h", Class: "sla-ok"}},
		{"under an hour", ticket.Ticket{Status: ticket.Open, SLADueAt: now.Add(59 * time.Minute)}, dueLabel{Text: "in 59m", Class: "sla-soon"}},
		{"seconds", ticket.Ticket{Status: ticket.Open, SLADueAt: now.Add(20 * time.Second)}, dueLabel{Text: "in 1m", Class: "sla-soon"}},
		{"due now", ticket.Ticket{Status: ticket.Open, SLADueAt: now}, dueLabel{Text: "overdue 1m", Class: "sla-over"}},
		{"overdue", ticket.Ticket{Status: ticket.Open, SLADueAt: now.Add(-35 * time.Minute)}, dueLabel{Text: "overdue 35m", Class: "sla-over"}},
		{"paused", ticket.Ticket{Status: ticket.Pending}, dueLabel{Text: "paused", Class: "sla-paused"}},
		{"none", ticket.Ticket{Status: ticket.Open}, dueLabel{}},
		{"solved", ticket.Ticket{Status: ticket.Solved, SLADueAt: now.Add(-time.Hour)}, dueLabel{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := p.Due(tc.t)
			if got.Text != tc.want.Text || got.Class != tc.want.Class {
				t.Errorf("Due = %q %q, want %q %q", got.Text, got.Class, tc.want.Text, tc.want.Class)
			}
		})
	}
	for _, tc := range []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"", 0, true}, {"90", 90 * time.Minute, true}, {"4h", 4 * time.Hour, true}, {"1h 30m", 90 * time.Minute, true},
		{"1.5h", 90 * time.Minute, true}, {"30M", 30 * time.Minute, true},
		{"soon", 0, false}, {"10s", 0, false}, {"-5", 0, false}, {"2d", 0, false},
	} {
		if got, ok := parseTarget(tc.in); got != tc.want || ok != tc.ok {
			t.Errorf("parseTarget(%q) = %v %v, want %v %v", tc.in, got, ok, tc.want, tc.ok)
		}
		if d, _ := parseTarget(p.TargetInput(tc.want)); d != tc.want {
			t.Errorf("TargetInput(%v) does not read back: %v", tc.want, d)
		}
	}
}
