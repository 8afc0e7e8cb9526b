package web

import (
	"encoding/json"

	"fmt"
	"github.com/rapport/rapport/internal/agent"
	"github.com/rapport/rapport/internal/metrics"
	"log/slog"
	"net/http"
	"slices"
	"time"

	"github.com/rapport/rapport/internal/sla"
	"github.com/rapport/rapport/internal/ticket"
)

// Live chat for agents (issue 15): the greeting countdown of a chat in the
// inbox and on its page, the ring of new chats (GET /chats/ringing for
// static/chat.js, GET /chats without script), its mute, and "End chat".

// greetView is a chat's greeting countdown as rows and the ticket page
// show it; static/chat.js keeps it ticking from the same attributes.
type greetView struct {
	Due, RiskAt time.Time
	Now         time.Time // the server's, so the page's clock agrees with it
	Class       string    // greet-ok, greet-risk (amber) or greet-over
	Text        string
	Left, Over  string // the texts with {t} for the time, for the script
}

// Stamp is t for the script: UTC, to the millisecond.
func (greetView) Stamp(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

// clockText is a span of time as a chat clock, whole seconds rounded up:
// "0:25", "1:05", "2:00:07" from an hour on.
func clockText(d time.Duration) string {
	s := int64((d.Abs() + time.Second - 1) / time.Second)
	if s >= 3600 {
		return fmt.Sprintf("%d:%02d:%02d", s/3600, s/60%60, s%60)
	}
	return fmt.Sprintf("%d:%02d", s/60, s%60)
}

// ChatOn reports whether the UI offers live chat to agents: the router
// decides who a chat rings for.
func (p *page) ChatOn() bool { return p.s.router != nil && p.Me != nil }

// Greet is chat ticket t's running greeting countdown, nil when none runs
// (not a chat, greeted, ended, no greeting target). At risk it is amber,
// as the at-risk warning fires then; past the deadline, red.
func (p *page) Greet(t ticket.Ticket) *greetView {
	if p.s.sla == nil || p.ctx == nil || !slices.Contains(sla.LiveChannels, t.Channel) || !t.FirstResponseAt.IsZero() ||
		t.Status == ticket.Solved || t.Status == ticket.Closed {
		return nil
	}
	c, ok, err := p.s.sla.Greeting(p.ctx, t.ID)
	if err != nil {
		p.s.log.Warn("greeting clock unavailable", "ticket_id", t.ID, slog.Any("error", err))
		return nil
	}
	if !ok {
		return nil
	}
	g := &greetView{Due: c.Due, RiskAt: c.RiskAt, Now: p.Now,
		Left: p.T("chatagent.greet_left", "{t}"), Over: p.T("chatagent.greet_over", "{t}")}
	switch {
	case !p.Now.Before(c.Due):
		g.Class, g.Text = "greet-over", p.T("chatagent.greet_over", clockText(p.Now.Sub(c.Due)))
	case !p.Now.Before(c.RiskAt):
		g.Class, g.Text = "greet-risk", p.T("chatagent.greet_left", clockText(c.Due.Sub(p.Now)))
	default:
		g.Class, g.Text = "greet-ok", p.T("chatagent.greet_left", clockText(c.Due.Sub(p.Now)))
	}
	return g
}

// chatCard is the live-chat card of a chat ticket's page.
type chatCard struct {
	Greet     *greetView
	GreetedIn string     // how long the visitor waited for the first reply; "" before it
	Ended     *eventLine // the chat_ended event in words; nil while the chat runs
	CanEnd    bool
}

// chatCardFor builds the card of ticket t; nil for a ticket of another
// channel.
func (s *server) chatCardFor(p *page, t ticket.Ticket, events []ticket.Event) *chatCard {
	if t.Channel != ticket.ChatChannel {
		return nil
	}
	c := &chatCard{Greet: p.Greet(t), CanEnd: t.Status != ticket.Solved && t.Status != ticket.Closed}
	if !t.FirstResponseAt.IsZero() {
		c.GreetedIn = p.T("chatagent.greeted_in", clockText(t.FirstResponseAt.Sub(t.CreatedAt)))
	}
	for _, e := range events {
		if e.Type == ticket.EventChatEnded {
			l := eventLine{Type: e.Type, At: e.CreatedAt}
			l.Text, _ = chatEvent(p, eventActor(p, e), e)
			c.Ended = &l
		}
	}
	if c.CanEnd {
		c.Ended = nil // reopened since
	}
	return c
}

// chatEvent puts a chat event of the history into words.
func chatEvent(p *page, actor string, e ticket.Event) (string, bool) {
	if e.Type != ticket.EventChatEnded {
		return "", false
	}
	if dataStr(e.Data, "by") == "customer" {
		return p.T("chatagent.event_ended_visitor"), true
	}
	return p.T("chatagent.event_ended", actor), true
}

// ticketEndChat serves POST /tickets/{id}/end-chat: the chat ends, solved,
// with "chat ended" in its thread and history.
func (s *server) ticketEndChat(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	return s.ticketAction(w, r, rc, "chat", "flash.chat_ended", func(id int64) error {
		_, err := s.tickets.EndChat(r.Context(), ticket.AgentActor(rc.me.ID), id)
		return err
	})
}

// ringingChat is one chat of GET /chats/ringing.
type ringingChat struct {
	ID      int64  `json:"id"`
	Subject string `json:"subject"`
	URL     string `json:"url"`
	Mine    bool   `json:"mine"`
}

// chatsRinging serves GET /chats/ringing: the unanswered chats that ring
// for the agent (see routing.Ringing), whether their sound is muted, and
// the badge's label. Ids and subjects only of chats any agent may open.
func (s *server) chatsRinging(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	rg, err := s.router.Ringing(r.Context(), rc.me.ID)
	if err != nil {
		return err
	}
	out := struct {
		Count int           `json:"count"`
		Muted bool          `json:"muted"`
		Title string        `json:"title"`
		Chats []ringingChat `json:"chats"`
	}{Count: len(rg.Chats), Muted: rg.Muted, Chats: []ringingChat{}}
	out.Title = s.cat.N(rc.lang, "chatagent.badge_title", len(rg.Chats))
	for _, c := range rg.Chats {
		out.Chats = append(out.Chats, ringingChat{ID: c.ID, Subject: c.Subject, URL: ticketURL(c.ID), Mine: c.Mine})
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	return json.NewEncoder(w).Encode(out)
}

// chatsView is the data of the chats page.
type chatsView struct {
	Chats []ticket.Ticket
	Mine  map[int64]bool
	Muted bool
}

// chatsPage serves GET /chats: the chats waiting for the agent's greeting,
// with their countdowns, and the ring's mute switch; what the badge and
// the sound say, for a page without script.
func (s *server) chatsPage(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	ctx := r.Context()
	rg, err := s.router.Ringing(ctx, rc.me.ID)
	if err != nil {
		return err
	}
	v := chatsView{Mine: map[int64]bool{}, Muted: rg.Muted}
	for _, c := range rg.Chats {
		t, err := s.tickets.Get(ctx, c.ID)
		if err != nil {
			return err
		}
		v.Chats = append(v.Chats, t)
		v.Mine[c.ID] = c.Mine
	}
	p := s.newPage(w, r, rc, "chatagent.title")
	p.Nav = "chats"
	p.Data = v
	s.render(w, r, http.StatusOK, "chats", p)
	return nil
}

// chatsSound serves POST /chats/sound: muted=1 silences the ring of new
// chats for this agent (the badge stays), muted=0 brings it back.
func (s *server) chatsSound(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	muted := r.PostForm.Get("muted") == "1"
	if err := s.router.SetChatMuted(r.Context(), rc.me.ID, muted); err != nil {
		return err
	}
	if muted {
		s.setFlash(w, "flash.chat_muted")
	} else {
		s.setFlash(w, "flash.chat_unmuted")
	}
	redirect(w, r, "/chats")
	return nil
}

// greetDash is the dashboard's greeting-time card: the period's live
// chats, per agent and per team, in words.
type greetDash struct {
	All    greetLine
	Tables []greetTable // per agent, per team
}

// greetTable is the greeting card's table per agent or per team.
type greetTable struct {
	ID, Row, Head string // the table's id, its rows' id prefix, the first column's heading
	Lines         []greetLine
}

// greetLine is one line of the greeting card.
type greetLine struct {
	ID                    int64
	Name                  string
	Chats, Greeted        int
	Median, P90, Within   string
	WithinLow, NoGreeting bool
}

// greetingDash puts rep's greeting figures into words, with the names of
// agents and teams (nobody and no team named as such).
func greetingDash(p *page, rep metrics.GreetingReport, agents []agent.Agent, teams []agent.Team) greetDash {
	fm := p.formatter()
	line := func(id int64, name string, g metrics.Greeting) greetLine {
		return greetLine{ID: id, Name: name, Chats: int(g.Chats), Greeted: int(g.Greeted),
			Median: fm.Value(metrics.KindDuration, g.Median), P90: fm.Value(metrics.KindDuration, g.P90),
			Within: fm.Value(metrics.KindShare, g.Within), WithinLow: g.Within.Valid && g.Within.V < 0.8, NoGreeting: !g.Median.Valid}
	}
	names := map[int64]string{}
	for _, a := range agents {
		names[a.ID] = a.Name
	}
	teamNames := map[int64]string{}
	for _, t := range teams {
		teamNames[t.ID] = t.Name
	}
	byAgent := greetTable{ID: "greet-agents", Row: "greet-agent-", Head: p.T("dashboard.col_agent")}
	for _, r := range rep.Agents {
		name := names[r.ID]
		if r.ID == 0 {
			name = p.T("event.nobody")
		}
		byAgent.Lines = append(byAgent.Lines, line(r.ID, name, r.Greeting))
	}
	byTeam := greetTable{ID: "greet-teams", Row: "greet-team-", Head: p.T("dashboard.team")}
	for _, r := range rep.Teams {
		name := teamNames[r.ID]
		if r.ID == 0 {
			name = p.T("event.no_team")
		}
		byTeam.Lines = append(byTeam.Lines, line(r.ID, name, r.Greeting))
	}
	return greetDash{All: line(0, "", rep.All), Tables: []greetTable{byAgent, byTeam}}
}
