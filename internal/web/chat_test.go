package web

import (
	"context"
	"encoding/json"
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
	"github.com/rapport/rapport/internal/metrics"
	"github.com/rapport/rapport/internal/ratelimit"
	"github.com/rapport/rapport/internal/sla"
	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/store/storetest"
	"github.com/rapport/rapport/internal/ticket"
)

// chatPolicy makes the policy of live chats: greeted within 30 s.
func chatPolicy(t *testing.T, f *fixture) {
	t.Helper()
	if _, err := f.sla.CreatePolicy(context.Background(), sla.Policy{Name: "Chat", Position: 1, Channel: "chat",
		Greeting: sla.DefaultGreeting, FirstResponse: 5 * time.Minute, Active: true}); err != nil {
		t.Fatal(err)
	}
}

// greetIn returns the class of ticket id's greeting clock in body ("" for
// none) and its text.
func greetIn(body string, id int64) (class, text string) {
	row := body
	if i := strings.Index(body, `id="row-`+strconv.FormatInt(id, 10)+`"`); i >= 0 {
		row = body[i:]
		if j := strings.Index(row, "</tr>"); j >= 0 {
			row = row[:j]
		}
	}
	i := strings.Index(row, `<span class="greet `)
	if i < 0 {
		return "", ""
	}
	rest := row[i+len(`<span class="greet `):]
	class = rest[:strings.IndexByte(rest, '"')]
	if k := strings.Index(rest, `<span class="greet-text">`); k >= 0 {
		text = rest[k+len(`<span class="greet-text">`):]
		text = text[:strings.Index(text, "<")]
	}
	return class, text
}

// TestChatGreetingCountdown: with the injected clock, an unanswered chat
// counts down from 30 s in the inbox and on its page, turns amber at the
// at-risk mark for every agent, and at 30 s records the greeting breach,
// of which the managers hear; then an agent ends it.
func TestChatGreetingCountdown(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		chatPolicy(t, f)
		start := f.clock.Now()
		id := f.newTicket(t, ticket.NewTicket{Subject: "Is my order on its way?", Channel: "chat", Body: "Hi, anyone there?"})
		al, bo := f.login(t, "agent"), f.login(t, "agent2")

		inbox := al.get(t, "/?view=all")
		if class, text := greetIn(inbox.body, id); class != "greet-ok" || text != "Greet within 0:30" {
			t.Fatalf("at 0 s the inbox row shows %q %q, want greet-ok, Greet within 0:30", class, text)
		}
		if class, _ := greetIn(inbox.body, f.ids["ticket"]); class != "" {
			t.Error("an email ticket shows a greeting clock")
		}

		// 23 s: past 75 % of the target, the at-risk job fires and every
		// agent's inbox and the ticket page show the chat amber.
		f.clock.Set(start.Add(23 * time.Second))
		if _, err := f.jobs.RunDue(ctx); err != nil {
			t.Fatal(err)
		}
		for _, c := range []*client{al, bo} {
			if class, text := greetIn(c.get(t, "/?view=all").body, id); class != "greet-risk" || text != "Greet within 0:07" {
				t.Errorf("at 23 s the row shows %q %q, want amber greet-risk, Greet within 0:07", class, text)
			}
		}
		page := bo.get(t, "/tickets/"+strconv.FormatInt(id, 10))
		if !strings.Contains(page.body, `id="chat-card"`) || !strings.Contains(page.body, `class="greet greet-risk"`) {
			t.Errorf("the chat's page shows no amber countdown: %s", page.body)
		}
		if n := countEvents(t, f, id, sla.EventAtRisk); n != 1 {
			t.Errorf("%d at-risk events at 23 s, want 1", n)
		}
		if n := countEvents(t, f, id, sla.EventBreached); n != 0 {
			t.Fatalf("breached before 30 s")
		}

		// 30 s: the greeting breach is recorded, and the managers hear.
		f.clock.Set(start.Add(30 * time.Second))
		if _, err := f.jobs.RunDue(ctx); err != nil {
			t.Fatal(err)
		}
		if n := countEvents(t, f, id, sla.EventBreached); n != 1 {
			t.Fatalf("%d greeting breaches at 30 s, want 1", n)
		}
		for _, who := range []string{"manager", "admin"} {
			notes, err := f.sla.Unread(ctx, f.ids[who], 10)
			if err != nil {
				t.Fatal(err)
			}
			found := false
			for _, n := range notes {
				found = found || (n.TicketID == id && n.Kind == sla.EventBreached && n.Data["timer"] == sla.TimerGreeting)
			}
			if !found {
				t.Errorf("the %s was not told of the greeting breach: %+v", who, notes)
			}
		}
		if class, text := greetIn(al.get(t, "/?view=all").body, id); class != "greet-over" || text != "Not greeted: 0:00 late" {
			t.Errorf("at 30 s the row shows %q %q, want greet-over", class, text)
		}

		// It rings for an agent who could take it (online, with room); not
		// for one who is offline.
		online := agent.Online
		if _, err := f.agents.Update(ctx, f.ids["agent2"], agent.AgentUpdate{Availability: &online}); err != nil {
			t.Fatal(err)
		}
		ring := func(c *client) (out struct {
			Count int
			Muted bool
			Chats []struct{ ID int64 }
		}) {
			t.Helper()
			res := c.get(t, "/chats/ringing")
			mustCode(t, res, http.StatusOK, "ringing")
			if err := json.Unmarshal([]byte(res.body), &out); err != nil {
				t.Fatal(err)
			}
			return out
		}
		if r := ring(bo); r.Count != 1 || r.Chats[0].ID != id || r.Muted {
			t.Errorf("ringing for the online agent: %+v, want the chat, not muted", r)
		}
		if r := ring(al); r.Count != 0 {
			t.Errorf("a chat rings for an offline agent: %+v", r)
		}
		// Muting is stored; the chats page says so without script.
		mustCode(t, bo.post(t, "/chats/sound", url.Values{"muted": {"1"}}), http.StatusSeeOther, "mute")
		if r := ring(bo); !r.Muted || r.Count != 1 {
			t.Errorf("after muting: %+v", r)
		}
		chats := bo.get(t, "/chats")
		mustCode(t, chats, http.StatusOK, "chats page")
		if !strings.Contains(chats.body, `id="waiting-`+strconv.FormatInt(id, 10)+`"`) || !strings.Contains(chats.body, `aria-pressed="true"`) {
			t.Errorf("the chats page lacks the chat or the muted switch: %s", chats.body)
		}

		// End chat: solved, "chat ended" in the thread and the history.
		path := "/tickets/" + strconv.FormatInt(id, 10)
		mustCode(t, bo.post(t, path+"/end-chat", nil), http.StatusSeeOther, "end chat")
		tk, err := f.tickets.Get(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if tk.Status != ticket.Solved {
			t.Errorf("an ended chat is %s, want solved", tk.Status)
		}
		if n := countEvents(t, f, id, ticket.EventChatEnded); n != 1 {
			t.Errorf("%d chat_ended events, want 1", n)
		}
		page = bo.get(t, path)
		if !strings.Contains(page.body, `id="chat-ended"`) || !strings.Contains(page.body, "Bo Agent ended the chat") {
			t.Errorf("the thread does not say the chat ended: %s", page.body)
		}
		if strings.Contains(page.body, `id="end-chat"`) || strings.Contains(page.body, `class="greet `) {
			t.Error("an ended chat still offers End chat or a countdown")
		}
		if r := ring(bo); r.Count != 0 {
			t.Errorf("an ended chat still rings: %+v", r)
		}
		// Only a chat can be ended.
		res := bo.post(t, "/tickets/"+strconv.FormatInt(f.ids["ticket"], 10)+"/end-chat", nil)
		if res.code != http.StatusUnprocessableEntity || !strings.Contains(res.body, "is not a live chat") {
			t.Errorf("ending an email ticket: %d", res.code)
		}
	})
}

// TestChatTransferAndCollaborators: transfer with a reason and helpers work
// on a chat ticket as on any other, and its greeting target still counts
// the first reply, whoever sends it.
func TestChatTransferAndCollaborators(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		chatPolicy(t, f)
		id := f.newTicket(t, ticket.NewTicket{Subject: "Refund?", Channel: "chat", OwnerID: f.ids["agent"]})
		path := "/tickets/" + strconv.FormatInt(id, 10)
		al := f.login(t, "agent")
		mustCode(t, al.post(t, path+"/collaborators", url.Values{"agent_id": {strconv.FormatInt(f.ids["manager"], 10)}}), http.StatusSeeOther, "add collaborator")
		res := al.post(t, path+"/transfer", url.Values{"agent_id": {strconv.FormatInt(f.ids["agent2"], 10)}})
		if res.code == http.StatusSeeOther {
			t.Fatal("a chat was transferred without a reason")
		}
		mustCode(t, al.post(t, path+"/transfer", url.Values{"agent_id": {strconv.FormatInt(f.ids["agent2"], 10)}, "reason": {"Billing question"}}),
			http.StatusSeeOther, "transfer")
		tk, err := f.tickets.Get(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if tk.OwnerID != f.ids["agent2"] || tk.TransferCount != 1 {
			t.Errorf("after the transfer: owner %d, transfers %d", tk.OwnerID, tk.TransferCount)
		}
		collabs, err := f.tickets.Collaborators(ctx, id)
		if err != nil || len(collabs) != 1 || collabs[0].AgentID != f.ids["manager"] {
			t.Errorf("collaborators %+v, %v; want the manager", collabs, err)
		}
		page := al.get(t, path+"?tab=history")
		if !strings.Contains(page.body, "Billing question") {
			t.Error("the transfer's reason is not in the chat's history")
		}
		// The collaborator greets: the countdown stops.
		f.clock.Advance(12 * time.Second)
		if _, err := f.tickets.Reply(ctx, ticket.AgentActor(f.ids["manager"]), id, "Hello! Let me check your refund.", ""); err != nil {
			t.Fatal(err)
		}
		page = al.get(t, path)
		if strings.Contains(page.body, `class="greet `) || !strings.Contains(page.body, "Greeted after 0:12") {
			t.Errorf("after the greeting the page shows no 'Greeted after 0:12'")
		}
	})
}

// countEvents counts ticket id's events of type typ.
func countEvents(t *testing.T, f *fixture, id int64, typ string) int {
	t.Helper()
	evs, err := f.tickets.Events(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range evs {
		if e.Type == typ {
			n++
		}
	}
	return n
}

// TestDashboardGreeting: the dashboard shows the period's greeting time,
// per agent and per team, as the metrics compute it.
func TestDashboardGreeting(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		chatPolicy(t, f)
		// The fixture's tickets do not run the metrics hook: the rollups
		// and greeting facts are rebuilt before the dashboard is read.
		m := metrics.New(metrics.Opts{DB: db, Clock: f.clock})
		h, err := New(Opts{Limits: ratelimit.New(f.db, f.clock), Agents: f.agents, Customers: f.customers, Tickets: f.tickets, I18n: f.cat,
			Clock: f.clock, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Version: "test", SLA: f.sla, Router: f.router,
			Metrics: m})
		if err != nil {
			t.Fatal(err)
		}
		f.srv.Close()
		f.srv = httptest.NewServer(h)
		t.Cleanup(f.srv.Close)
		mia := f.login(t, "manager")
		empty := mia.get(t, "/dashboard")
		mustCode(t, empty, http.StatusOK, "dashboard")
		if !strings.Contains(empty.body, `id="greet-none"`) {
			t.Error("the dashboard shows greeting figures with no chat")
		}
		id := f.newTicket(t, ticket.NewTicket{Subject: "Size?", Channel: "chat", OwnerID: f.ids["agent"]})
		f.clock.Advance(12 * time.Second)
		if _, err := f.tickets.Reply(ctx, ticket.AgentActor(f.ids["agent"]), id, "Hi! Which size do you need?", ""); err != nil {
			t.Fatal(err)
		}
		f.clock.Advance(time.Hour)
		if _, err := m.Rebuild(ctx); err != nil {
			t.Fatal(err)
		}
		body := mia.get(t, "/dashboard").body
		row := body[strings.Index(body, `id="greet-agent-`+strconv.FormatInt(f.ids["agent"], 10)+`"`):]
		row = row[:strings.Index(row, "</tr>")]
		want := f.cat.T("en", "metrics.percent", "100")
		if !strings.Contains(row, "Al Agent") || !strings.Contains(row, want) || !strings.Contains(row, "<td data-label=\"Chats\">1</td>") {
			t.Errorf("the agent's greeting row: %s (want Al Agent, %s, 1 chat)", row, want)
		}
		if !strings.Contains(body, `id="greet-team-0"`) {
			t.Error("no line for chats of no team")
		}
	})
}

func TestClockText(t *testing.T) {
	for _, tc := range []struct {
		name string
		d    time.Duration
		want string
	}{
		{"zero", 0, "0:00"},
		{"part of a second rounds up", 300 * time.Millisecond, "0:01"},
		{"seconds", 25 * time.Second, "0:25"},
		{"minutes", 65 * time.Second, "1:05"},
		{"late is counted the same", -7 * time.Second, "0:07"},
		{"hours", 2*time.Hour + 7*time.Second, "2:00:07"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := clockText(tc.d); got != tc.want {
				t.Errorf("clockText(%v) = %q, want %q", tc.d, got, tc.want)
			}
		})
	}
}
