package web

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/rapport/rapport/internal/agent"
	"github.com/rapport/rapport/internal/search"
	"github.com/rapport/rapport/internal/ticket"
	"github.com/rapport/rapport/internal/valid"
)

// inboxViews are the inbox tabs, in display order.
var inboxViews = []string{ticket.ViewMine, ticket.ViewUnassigned, ticket.ViewOpen,
	ticket.ViewPending, ticket.ViewSnoozed, ticket.ViewSolved, ticket.ViewAll}

// inboxSorts are the inbox orders; "sla" (earliest deadline first) only
// while an SLA policy is active.
var inboxSorts = []string{"updated", "created", "oldest", "priority", "sla"}

// inboxFilters are the inbox's query parameters.
type inboxFilters struct {
	View     string
	Status   string
	Priority string
	Kind     string
	Channel  string
	Language string
	Tag      string
	Sort     string
	Query    string
	TeamID   int64
	OwnerID  int64
	Cursor   string
	// From and To are the first and last day of creation (YYYY-MM-DD, in
	// the reader's zone), "" for no bound.
	From string
	To   string
}

// active reports whether any filter beyond the view is set.
func (f inboxFilters) Active() bool {
	return f.Status != "" || f.Priority != "" || f.Kind != "" || f.Channel != "" ||
		f.Language != "" || f.Tag != "" || f.TeamID != 0 || f.OwnerID != 0 || f.From != "" || f.To != ""
}

// inboxView is the data of the inbox page.
type inboxView struct {
	Action     string // where the filter form goes: / or /search
	F          inboxFilters
	Views      []string
	Sorts      []string
	Statuses   []ticket.Status
	Priorities []string
	Kinds      []string
	Channels   []string
	Agents     []agent.Agent
	Teams      []agent.Team
	Tickets    []ticket.Ticket
	NextURL    string
	FirstURL   string
	Standings  map[int64]string         // VIP or regular, by customer id
	Promised   map[int64]ticket.Promise // the next open promise, by ticket id
	// Indexing is the search index's backfill while it runs (search page).
	Indexing *search.Progress
}

// parseInboxFilters reads the inbox's query; a malformed id is a field error.
func parseInboxFilters(q url.Values, errs valid.Fields) inboxFilters {
	f := inboxFilters{
		View:     strings.TrimSpace(q.Get("view")),
		Status:   strings.TrimSpace(q.Get("status")),
		Priority: strings.TrimSpace(q.Get("priority")),
		Kind:     strings.TrimSpace(q.Get("kind")),
		Channel:  strings.TrimSpace(q.Get("channel")),
		Language: strings.TrimSpace(q.Get("language")),
		Tag:      strings.TrimSpace(q.Get("tag")),
		Sort:     strings.TrimSpace(q.Get("sort")),
		Query:    strings.TrimSpace(q.Get("q")),
		Cursor:   q.Get("cursor"),
		From:     strings.TrimSpace(q.Get("from")),
		To:       strings.TrimSpace(q.Get("to")),
	}
	f.TeamID = formID(errs, q, "team")
	f.OwnerID = formID(errs, q, "owner")
	if f.Sort == "" {
		f.Sort = "updated"
	}
	return f
}

// formID reads an optional positive id from v[name]; "" is 0.
func formID(errs valid.Fields, v url.Values, name string) int64 {
	s := strings.TrimSpace(v.Get(name))
	if s == "" {
		return 0
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 {
		errs.Add(name, valid.Msg("valid.choice", "must be one of the listed values"))
		return 0
	}
	return n
}

// query is f as URL parameters, with cursor.
func (f inboxFilters) query(cursor string) url.Values {
	q := url.Values{}
	set := func(k, v string) {
		if v != "" {
			q.Set(k, v)
		}
	}
	set("view", f.View)
	set("status", f.Status)
	set("priority", f.Priority)
	set("kind", f.Kind)
	set("channel", f.Channel)
	set("language", f.Language)
	set("tag", f.Tag)
	if f.Sort != "updated" {
		set("sort", f.Sort)
	}
	set("q", f.Query)
	if f.TeamID != 0 {
		q.Set("team", strconv.FormatInt(f.TeamID, 10))
	}
	if f.OwnerID != 0 {
		q.Set("owner", strconv.FormatInt(f.OwnerID, 10))
	}
	set("from", f.From)
	set("to", f.To)
	set("cursor", cursor)
	return q
}

// day reads a date filter (YYYY-MM-DD) as the midnight in zone that starts
// it, plus days days; "" is the zero time, anything else a field error.
func (f inboxFilters) day(errs valid.Fields, field, s string, zone *time.Location, days int) time.Time {
	if s == "" {
		return time.Time{}
	}
	d, err := time.ParseInLocation("2006-01-02", s, zone)
	if err != nil {
		errs.Add(field, valid.Msg("valid.date", "is not a date"))
		return time.Time{}
	}
	return d.AddDate(0, 0, days)
}

// inbox serves GET /: one view of the tickets, filtered, sorted and paged.
func (s *server) inbox(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	errs := valid.Fields{}
	f := parseInboxFilters(r.URL.Query(), errs)
	if f.View == "" {
		f.View = ticket.ViewMine
	}
	return s.renderInbox(w, r, rc, "/", f, errs)
}

// renderInbox lists the tickets f selects and renders the inbox page.
func (s *server) renderInbox(w http.ResponseWriter, r *http.Request, rc *reqCtx, action string, f inboxFilters, errs valid.Fields) error {
	ctx := r.Context()
	agents, err := s.agentsByName(ctx, rc.lang)
	if err != nil {
		return err
	}
	teams, err := s.teamsByName(ctx, rc.lang)
	if err != nil {
		return err
	}
	showSLA := s.slaActive(ctx)
	sorts := inboxSorts
	if !showSLA {
		sorts = slices.DeleteFunc(slices.Clone(sorts), func(s string) bool { return s == "sla" })
	}
	v := inboxView{
		Action: action, F: f, Views: inboxViews, Sorts: sorts,
		Statuses: ticket.Statuses, Priorities: ticket.Priorities, Kinds: ticket.Kinds, Channels: ticket.Channels,
		Agents: agents, Teams: teams, Tickets: []ticket.Ticket{},
	}
	status := http.StatusOK
	var prob *problem
	zone := s.agentZone(ctx, rc.me)
	from, before := f.day(errs, "from", f.From, zone, 0), f.day(errs, "to", f.To, zone, 1)
	err = errs.Err()
	if err == nil {
		var page ticket.Page
		page, err = s.tickets.List(ctx, ticket.ListOptions{
			View: f.View, ViewerID: rc.me.ID, Status: ticket.Status(f.Status), Priority: f.Priority,
			Kind: f.Kind, Channel: f.Channel, Language: f.Language, TeamID: f.TeamID, OwnerID: f.OwnerID,
			Tag: f.Tag, Query: f.Query, Sort: f.Sort, Cursor: f.Cursor,
			CreatedFrom: from, CreatedBefore: before,
		})
		v.Tickets = page.Tickets
		if err == nil {
			v.Standings, err = s.standings(ctx, page.Tickets)
		}
		if err == nil {
			v.Promised, err = s.nextPromises(ctx, page.Tickets)
		}
		if page.NextCursor != "" {
			v.NextURL = action + "?" + f.query(page.NextCursor).Encode()
		}
		if err == nil {
			s.rememberInbox(w, action, f)
		}
	}
	if err != nil {
		var ok bool
		if prob, ok = s.asProblem(rc.lang, "filters", err); !ok {
			return err
		}
		status = http.StatusBadRequest
	}
	if f.Cursor != "" {
		v.FirstURL = action + "?" + f.query("").Encode()
	}
	p := s.newPage(w, r, rc, "inbox.title")
	p.Nav = "inbox"
	if action == "/search" {
		p.Title = p.T("search.title")
		p.Search = f.Query
		v.Sorts = append([]string{"relevance"}, v.Sorts...)
		if prog, err := s.tickets.SearchProgress(ctx); err == nil && prog.Running() {
			v.Indexing = &prog
		}
	}
	p.Problem = prob
	p.ShowSLA = showSLA
	p.Data = v
	s.render(w, r, status, "inbox", p)
	return nil
}
