package web

import (
	"cmp"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/rapport/rapport/internal/agent"
	"github.com/rapport/rapport/internal/attachment"
	"github.com/rapport/rapport/internal/customer"
	"github.com/rapport/rapport/internal/sla"
	"github.com/rapport/rapport/internal/ticket"
)

// settableStatuses are the statuses an agent can pick by hand; tickets
// reach Closed by themselves.
var settableStatuses = []ticket.Status{ticket.New, ticket.Open, ticket.Pending, ticket.Solved}

// ticketView is the data of the ticket page.
type ticketView struct {
	T          ticket.Ticket
	Customer   customer.Customer
	Messages   []ticket.Message
	Files      map[int64][]attachment.Attachment // by message
	Originals  bool                              // the raw messages can be downloaded
	Events     []eventLine
	Agents     []agent.Agent // active agents, for assigning and transferring
	Teams      []agent.Team
	Statuses   []ticket.Status
	Priorities []string
	Kinds      []string
	Languages  []string
	Tags       string // the ticket's tags, comma separated
	Closed     bool
	SLA        *slaPanel  // nil: no SLA card
	Draft      string     // the reply being written, when the page comes back with it
	Check      draftCheck // the reply analyzer's panel beside the composer
	// C360 is the customer-360 panel; nil without the loyalty services.
	C360 *customer360View
	// Collaborators help without owning; Present are colleagues with the
	// ticket open now (the collision warning); SnoozeChoices the presets.
	Collaborators []ticket.Collaborator
	Present       []ticket.Present
	SnoozeChoices []string
	// Promises is the action-plan card.
	Promises *promisePanel
	// Recovery is the "Make it right" card; nil without compensation.
	Recovery *recoveryCard
	// FollowUp is an unclear follow-up answer waiting for the agent's
	// decision; nil when there is none.
	FollowUp *ticket.UnclearFollowUp
	// Tab is the open tab of the thread column: "conversation" or
	// "history" (?tab=history); InboxURL the inbox view the agent came
	// from, where the previous and next tickets are found.
	Tab      string
	InboxURL string
	// Composer is the reply composer's recipients and saved replies.
	Composer composerView
	// Chat is the live-chat card (greeting countdown, End chat); nil for
	// other channels.
	Chat *chatCard
}

// ticketTabs are the tabs of the thread column; the first is the default.
var ticketTabs = []string{"conversation", "history"}

// eventLine is one entry of the history, already in words.
type eventLine struct {
	Type   string
	At     time.Time
	Text   string
	Reason string // of a transfer
}

// pathID reads the {name} path value as a positive id; anything else is a
// page that does not exist.
func pathID(r *http.Request, name string) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, errNotFound
	}
	return id, nil
}

// ticketURL is the page of ticket id.
func ticketURL(id int64) string { return "/tickets/" + strconv.FormatInt(id, 10) }

// ticketPage serves GET /tickets/{id}.
func (s *server) ticketPage(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	return s.renderTicket(w, r, rc, id, nil)
}

// renderTicket renders the ticket page; with a problem, the form that
// failed comes back filled in, its errors next to the fields. adjust, if
// any, changes the view before it renders (a checked draft).
func (s *server) renderTicket(w http.ResponseWriter, r *http.Request, rc *reqCtx, id int64, prob *problem,
	adjust ...func(*ticketView)) error {
	ctx := r.Context()
	t, err := s.tickets.Get(ctx, id)
	if err != nil {
		return err
	}
	msgs, err := s.tickets.Messages(ctx, id)
	if err != nil {
		return err
	}
	events, err := s.tickets.Events(ctx, id)
	if err != nil {
		return err
	}
	cust, err := s.customers.Get(ctx, t.CustomerID)
	if err != nil {
		return err
	}
	agents, err := s.agentsByName(ctx, rc.lang)
	if err != nil {
		return err
	}
	teams, err := s.teamsByName(ctx, rc.lang)
	if err != nil {
		return err
	}
	p := s.newPage(w, r, rc, "ticket.title")
	p.Title = fmt.Sprintf("#%d %s", t.ID, t.Subject)
	p.Nav = "inbox"
	v := ticketView{
		T: t, Customer: cust, Messages: msgs, Teams: teams,
		Statuses: settableStatuses, Priorities: ticket.Priorities, Kinds: ticket.Kinds,
		Languages: s.cat.Languages(), Tags: strings.Join(t.Tags, ", "), Closed: t.Status == ticket.Closed,
		Originals: s.intake != nil, Tab: ticketTabs[0], InboxURL: inboxOrderURL(r),
	}
	if tab := r.URL.Query().Get("tab"); slices.Contains(ticketTabs, tab) {
		v.Tab = tab
	}
	if s.files != nil {
		if v.Files, err = s.files.ForTicket(ctx, t.ID); err != nil {
			return err
		}
	}
	if t.Language != "" && !slices.Contains(v.Languages, t.Language) {
		v.Languages = append(v.Languages, t.Language)
	}
	for _, a := range agents {
		if a.Active {
			v.Agents = append(v.Agents, a)
		}
	}
	names := historyNames{agents: map[int64]string{}, teams: map[int64]string{}}
	for _, a := range agents {
		names.agents[a.ID] = a.Name
	}
	for _, tm := range teams {
		names.teams[tm.ID] = tm.Name
	}
	for _, e := range events {
		v.Events = append(v.Events, describeEvent(p, names, e))
	}
	if v.SLA, err = s.ticketSLA(ctx, p, t, events); err != nil {
		return err
	}
	v.Chat = s.chatCardFor(p, t, events)
	if v.Collaborators, err = s.tickets.Collaborators(ctx, t.ID); err != nil {
		return err
	}
	// Opening the page counts as viewing it; the page script keeps the
	// presence fresh and says when the agent starts writing.
	if err := s.tickets.SetPresence(ctx, t.ID, rc.me.ID, ticket.Viewing); err != nil {
		return err
	}
	if v.Present, err = s.tickets.Presence(ctx, t.ID, rc.me.ID); err != nil {
		return err
	}
	v.SnoozeChoices = snoozeChoices
	if v.Promises, err = s.promisePanelFor(ctx, t, msgs, cmp.Or(t.Language, cust.Language), p.Now); err != nil {
		return err
	}
	if v.FollowUp, err = s.undecidedFollowUp(ctx, t.ID); err != nil {
		return err
	}
	if v.C360, err = s.customer360(ctx, t.CustomerID, &t); err != nil {
		return err
	}
	if v.Recovery, err = s.recoveryCard(ctx, t, r.URL.Query().Get("cause_q")); err != nil {
		return err
	}
	v.Check.On, v.Check.CanDismiss = s.quality != nil, s.quality != nil && s.reviews != nil
	if v.Composer, err = s.composerFor(ctx, r, t, msgs); err != nil {
		return err
	}
	for _, f := range adjust {
		f(&v)
	}
	status := http.StatusOK
	if prob != nil {
		p.Problem, p.Form, status = prob, r.PostForm, prob.Status
	}
	p.Data = v
	s.render(w, r, status, "ticket", p)
	return nil
}

// historyNames resolves the ids in event data to names.
type historyNames struct {
	agents map[int64]string
	teams  map[int64]string
}

func (n historyNames) agent(p *page, id int64) string {
	if id == 0 {
		return p.T("event.nobody")
	}
	if name, ok := n.agents[id]; ok {
		return name
	}
	return "#" + strconv.FormatInt(id, 10)
}

func (n historyNames) team(p *page, id int64) string {
	if id == 0 {
		return p.T("event.no_team")
	}
	if name, ok := n.teams[id]; ok {
		return name
	}
	return "#" + strconv.FormatInt(id, 10)
}

// party names who holds a ticket: an agent, a team, or both.
func (n historyNames) party(p *page, agentID, teamID int64) string {
	switch {
	case agentID != 0 && teamID != 0:
		return p.T("event.party_agent_team", n.agent(p, agentID), n.team(p, teamID))
	case teamID != 0:
		return p.T("event.party_team", n.team(p, teamID))
	default:
		return n.agent(p, agentID)
	}
}

// describeEvent puts one history entry into words in the page's language.
func describeEvent(p *page, n historyNames, e ticket.Event) eventLine {
	l := eventLine{Type: e.Type, At: e.CreatedAt}
	actor := eventActor(p, e)
	d := e.Data
	switch e.Type {
	case ticket.EventCreated:
		l.Text = p.T("event.created", actor)
	case ticket.EventReplied:
		l.Text = p.T("event.replied", actor)
	case ticket.EventNoted:
		l.Text = p.T("event.noted", actor)
	case ticket.EventCustomerMsg:
		l.Text = p.T("event.customer_message", actor)
	case ticket.EventAssigned:
		to := dataID(d, "to")
		switch {
		case to == 0:
			l.Text = p.T("event.unassigned", actor)
		case e.ActorKind == "agent" && to == e.ActorAgentID:
			l.Text = p.T("event.took", actor)
		case e.ActorKind != "agent":
			// Routing assigned it when the customer wrote or a job ran:
			// nobody to name as having done it.
			l.Text = p.T("event.assigned_auto", n.agent(p, to))
		default:
			l.Text = p.T("event.assigned", actor, n.agent(p, to))
		}
	case ticket.EventTransferred:
		l.Text = p.T("event.transferred", actor,
			n.party(p, dataID(d, "from"), dataID(d, "from_team")), n.party(p, dataID(d, "to"), dataID(d, "to_team")))
		l.Reason = dataStr(d, "reason")
	case ticket.EventStatus:
		l.Text = p.T("event.status", actor, p.Status(ticket.Status(dataStr(d, "from"))), p.Status(ticket.Status(dataStr(d, "to"))))
	case ticket.EventReopened:
		if dataStr(d, "by") == "customer" {
			l.Text = p.T("event.reopened_by_customer")
		} else {
			l.Text = p.T("event.reopened", actor, p.Status(ticket.Status(dataStr(d, "to"))))
		}
	case ticket.EventPriority:
		l.Text = p.T("event.priority", actor, p.Priority(dataStr(d, "from")), p.Priority(dataStr(d, "to")))
	case ticket.EventKind:
		l.Text = p.T("event.kind", actor, p.Kind(dataStr(d, "from")), p.Kind(dataStr(d, "to")))
	case ticket.EventLanguage:
		l.Text = p.T("event.language", actor, p.LangName(dataStr(d, "from")), p.LangName(dataStr(d, "to")))
	case ticket.EventSubject:
		l.Text = p.T("event.subject", actor, dataStr(d, "from"), dataStr(d, "to"))
	case ticket.EventTeam:
		l.Text = p.T("event.team", actor, n.team(p, dataID(d, "from")), n.team(p, dataID(d, "to")))
	case ticket.EventTags:
		added, removed := strings.Join(dataStrs(d, "added"), ", "), strings.Join(dataStrs(d, "removed"), ", ")
		switch {
		case added != "" && removed != "":
			l.Text = p.T("event.tags_changed", actor, added, removed)
		case removed != "":
			l.Text = p.T("event.tags_removed", actor, removed)
		default:
			l.Text = p.T("event.tags_added", actor, added)
		}
	case ticket.EventClosed:
		l.Text = p.T("event.closed")
	case ticket.EventFixConfirmed:
		if dataStr(d, "via") == "agent" {
			l.Text = p.T("followup.event.fix_confirmed_agent")
		} else {
			l.Text = p.T("followup.event.fix_confirmed")
		}
	case ticket.EventFollowUpDecided:
		if fixed, _ := d["fixed"].(bool); fixed {
			l.Text = p.T("followup.event.decided_fixed", actor)
		} else {
			l.Text = p.T("followup.event.decided_rework", actor)
		}
	case ticket.EventFollowUpUnclear:
		l.Text = p.T("followup.event.unclear")
	case ticket.EventFollowUpAnswered:
		l.Text = p.T("followup.event.answered", p.T("followup."+dataStr(d, "answer")))
	case ticket.EventRecommitted:
		l.Text = p.T("event.recommitted", actor, n.agent(p, dataID(d, "agent_id")), dataStr(d, "words"))
	case ticket.EventRecommitProposed:
		l.Text = p.T("event.recommit_proposed", p.Source(dataStr(d, "source")), dataStr(d, "words"))
	case ticket.EventRecommitRejected:
		l.Text = p.T("event.recommit_rejected", actor)
	case ticket.EventSnoozed:
		until, _ := time.Parse(time.RFC3339, dataStr(d, "until"))
		l.Text = p.T("event.snoozed", actor, p.Date(until))
	case ticket.EventWoke:
		switch dataStr(d, "reason") {
		case "agent":
			l.Text = p.T("event.woke_agent", actor)
		case "customer":
			l.Text = p.T("event.woke_customer")
		case "solved":
			l.Text = p.T("event.woke_solved")
		default:
			l.Text = p.T("event.woke_time")
		}
	case ticket.EventCollabAdded:
		l.Text = p.T("event.collab_added", actor, n.agent(p, dataID(d, "agent")))
	case ticket.EventCollabGone:
		l.Text = p.T("event.collab_removed", actor, n.agent(p, dataID(d, "agent")))
	case ticket.EventPromiseMade:
		due, _ := time.Parse(time.RFC3339, dataStr(d, "due"))
		l.Text = p.T("event.promise_made", actor, dataStr(d, "what"), p.Date(due))
	case ticket.EventPromiseKept:
		l.Text = p.T("event.promise_kept", actor, dataStr(d, "what"))
	case ticket.EventPromiseBroken:
		due, _ := time.Parse(time.RFC3339, dataStr(d, "due"))
		l.Text = p.T("event.promise_broken", dataStr(d, "what"), p.Date(due))
	case ticket.EventPromiseCancelled:
		l.Text = p.T("event.promise_cancelled", actor, dataStr(d, "what"))
		l.Reason = dataStr(d, "reason")
	case sla.EventAtRisk:
		l.Text = p.T("event.sla_at_risk", p.Timer(dataStr(d, "timer")), p.eventDue(d))
	case sla.EventBreached:
		l.Text = p.T("event.sla_breached", p.Timer(dataStr(d, "timer")), p.eventDue(d))
	default:
		if text, ok := compensationEvent(p, actor, e); ok {
			l.Text = text
			break
		}
		if text, ok := causeEvent(p, actor, e); ok {
			l.Text = text
			break
		}
		if text, ok := chatEvent(p, actor, e); ok {
			l.Text = text
			break
		}
		l.Text = p.T("event.other", actor, e.Type)
	}
	return l
}

// eventActor names who made a change.
func eventActor(p *page, e ticket.Event) string {
	switch e.ActorKind {
	case "system":
		return p.T("actor.system")
	case "customer":
		if e.ActorName != "" {
			return e.ActorName
		}
		return p.T("actor.customer")
	default:
		if e.ActorName != "" {
			return e.ActorName
		}
		return p.T("actor.someone")
	}
}

// dataID reads a number from event data (JSON numbers decode as float64).
func dataID(d map[string]any, k string) int64 {
	switch v := d[k].(type) {
	case float64:
		return int64(v)
	case int64:
		return v
	case int:
		return int64(v)
	case string:
		n, _ := strconv.ParseInt(v, 10, 64)
		return n
	}
	return 0
}

// dataStr reads a string from event data.
func dataStr(d map[string]any, k string) string {
	if v, ok := d[k].(string); ok {
		return v
	}
	return ""
}

// dataStrs reads a list of strings from event data.
func dataStrs(d map[string]any, k string) []string {
	var out []string
	switch v := d[k].(type) {
	case []any:
		for _, x := range v {
			if s, ok := x.(string); ok {
				out = append(out, s)
			}
		}
	case []string:
		out = v
	}
	return out
}
