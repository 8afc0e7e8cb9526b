package api

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/rapport/rapport/internal/agent"
	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/ticket"
	"github.com/rapport/rapport/internal/valid"
)

// ticketJSON is a ticket as the API shows it.
type ticketJSON struct {
	ID              int64    `json:"id"`
	Subject         string   `json:"subject"`
	Channel         string   `json:"channel"`
	Status          string   `json:"status"`
	Priority        string   `json:"priority"`
	Kind            string   `json:"kind"`
	Language        string   `json:"language"`
	CustomerID      int64    `json:"customer_id"`
	CustomerName    string   `json:"customer_name"`
	CustomerEmail   string   `json:"customer_email"`
	OwnerID         *int64   `json:"owner_id"`
	OwnerName       string   `json:"owner_name"`
	TeamID          *int64   `json:"team_id"`
	TeamName        string   `json:"team_name"`
	Tags            []string `json:"tags"`
	CreatedAt       *string  `json:"created_at"`
	UpdatedAt       *string  `json:"updated_at"`
	FirstResponseAt *string  `json:"first_response_at"`
	SolvedAt        *string  `json:"solved_at"`
	ClosedAt        *string  `json:"closed_at"`
	ReopenCount     int      `json:"reopen_count"`
	TransferCount   int      `json:"transfer_count"`
	MessageCount    int      `json:"message_count"`
	SLADueAt        *string  `json:"sla_due_at"`
	SnoozedUntil    *string  `json:"snoozed_until"`
	// Snippet and Rank are given in a search (q with words): the passage
	// that matched as HTML (its text escaped, each hit in <mark>), and the
	// relevance under the relevance sort.
	Snippet *string  `json:"snippet,omitempty"`
	Rank    *float64 `json:"rank,omitempty"`
}

func toTicketJSON(t ticket.Ticket) ticketJSON {
	return ticketJSON{
		ID:              t.ID,
		Subject:         t.Subject,
		Channel:         t.Channel,
		Status:          string(t.Status),
		Priority:        t.Priority,
		Kind:            t.Kind,
		Language:        t.Language,
		CustomerID:      t.CustomerID,
		CustomerName:    t.CustomerName,
		CustomerEmail:   t.CustomerEmail,
		OwnerID:         idJSON(t.OwnerID),
		OwnerName:       t.OwnerName,
		TeamID:          idJSON(t.TeamID),
		TeamName:        t.TeamName,
		Tags:            nonNil(t.Tags),
		CreatedAt:       timeJSON(t.CreatedAt),
		UpdatedAt:       timeJSON(t.UpdatedAt),
		FirstResponseAt: timeJSON(t.FirstResponseAt),
		SolvedAt:        timeJSON(t.SolvedAt),
		ClosedAt:        timeJSON(t.ClosedAt),
		ReopenCount:     t.ReopenCount,
		TransferCount:   t.TransferCount,
		MessageCount:    t.MessageCount,
		SLADueAt:        timeJSON(t.SLADueAt),
		SnoozedUntil:    timeJSON(t.SnoozedUntil),
		Snippet:         snippetJSON(t),
		Rank:            rankJSON(t),
	}
}

func snippetJSON(t ticket.Ticket) *string {
	if t.Snippet == "" {
		return nil
	}
	h := string(t.Snippet.HTML())
	return &h
}

func rankJSON(t ticket.Ticket) *float64 {
	if t.Rank == 0 {
		return nil
	}
	r := t.Rank
	return &r
}

// ticketViews and ticketSorts are the values ListOptions accepts.
var (
	ticketViews = []string{ticket.ViewMine, ticket.ViewUnassigned, ticket.ViewOpen,
		ticket.ViewPending, ticket.ViewSnoozed, ticket.ViewSolved, ticket.ViewAll}
	ticketSorts = []string{"updated", "created", "oldest", "priority", "sla", "relevance"}
)

// statusNames lists the ticket statuses as strings.
func statusNames() []string {
	out := make([]string, len(ticket.Statuses))
	for i, st := range ticket.Statuses {
		out[i] = string(st)
	}
	return out
}

// listTickets serves GET /tickets with every ListOptions filter as a query
// parameter; view "mine" means the caller's tickets.
func (s *server) listTickets(w http.ResponseWriter, r *http.Request, me agent.Agent) error {
	q := newQuery(r)
	o := ticket.ListOptions{
		View:          q.oneOf("view", ticketViews),
		ViewerID:      me.ID,
		Status:        ticket.Status(q.oneOf("status", statusNames())),
		Priority:      q.oneOf("priority", ticket.Priorities),
		Kind:          q.oneOf("kind", ticket.Kinds),
		Channel:       q.oneOf("channel", ticket.Channels),
		Language:      q.str("language"),
		TeamID:        q.id("team_id"),
		OwnerID:       q.id("owner_id"),
		CustomerID:    q.id("customer_id"),
		Tag:           q.str("tag"),
		Query:         q.str("q"),
		CreatedFrom:   q.time("created_from"),
		CreatedBefore: q.time("created_before"),
		Sort:          q.oneOf("sort", ticketSorts),
		Cursor:        q.str("cursor"),
		Limit:         q.limit(100),
	}
	if err := q.err(); err != nil {
		return err
	}
	if o.View == "" && o.Query != "" {
		o.View = ticket.ViewAll // a search looks everywhere, as the search box does
	}
	page, err := s.tickets.List(r.Context(), o)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newList(page.Tickets, toTicketJSON, page.NextCursor))
	return nil
}

// createTicketRequest is the body of POST /tickets.
type createTicketRequest struct {
	Subject       string   `json:"subject"`
	Body          string   `json:"body"`
	BodyHTML      string   `json:"body_html"`
	Channel       string   `json:"channel"`
	Priority      string   `json:"priority"`
	Kind          string   `json:"kind"`
	Language      string   `json:"language"`
	CustomerID    int64    `json:"customer_id"`
	CustomerEmail string   `json:"customer_email"`
	CustomerName  string   `json:"customer_name"`
	OwnerID       int64    `json:"owner_id"`
	TeamID        int64    `json:"team_id"`
	Tags          []string `json:"tags"`
}

// createTicket serves POST /tickets. Tickets made through the API come from
// the "api" channel unless the body names another.
func (s *server) createTicket(w http.ResponseWriter, r *http.Request, me agent.Agent) error {
	var req createTicketRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	if req.Channel == "" {
		req.Channel = "api"
	}
	refs := s.refs(r)
	refs.customer("customer_id", req.CustomerID)
	refs.agent("owner_id", req.OwnerID)
	refs.team("team_id", req.TeamID)
	if err := refs.result(); err != nil {
		return err
	}
	t, err := s.tickets.Create(r.Context(), ticket.AgentActor(me.ID), ticket.NewTicket{
		Subject:       req.Subject,
		Body:          req.Body,
		BodyHTML:      req.BodyHTML,
		Channel:       req.Channel,
		Priority:      req.Priority,
		Kind:          req.Kind,
		Language:      req.Language,
		CustomerID:    req.CustomerID,
		CustomerEmail: req.CustomerEmail,
		CustomerName:  req.CustomerName,
		OwnerID:       req.OwnerID,
		TeamID:        req.TeamID,
		Tags:          req.Tags,
	})
	if err != nil {
		return err
	}
	w.Header().Set("Location", Prefix+"/tickets/"+strconv.FormatInt(t.ID, 10))
	writeJSON(w, http.StatusCreated, toTicketJSON(t))
	return nil
}

// getTicket serves GET /tickets/{id}.
func (s *server) getTicket(w http.ResponseWriter, r *http.Request, _ agent.Agent) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	t, err := s.tickets.Get(r.Context(), id)
	if err != nil {
		return err
	}
	out, err := s.ticketDetail(r.Context(), t)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// updateTicketRequest is the body of PATCH /tickets/{id}; absent fields do
// not change, team_id null or 0 removes the team.
type updateTicketRequest struct {
	Subject  *string    `json:"subject"`
	Status   *string    `json:"status"`
	Priority *string    `json:"priority"`
	Kind     *string    `json:"kind"`
	Language *string    `json:"language"`
	TeamID   optionalID `json:"team_id"`
	Tags     *[]string  `json:"tags"`
}

// updateTicket serves PATCH /tickets/{id}.
func (s *server) updateTicket(w http.ResponseWriter, r *http.Request, me agent.Agent) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var req updateTicketRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	u := ticket.Update{
		Subject:  req.Subject,
		Priority: req.Priority,
		Kind:     req.Kind,
		Language: req.Language,
		Tags:     req.Tags,
	}
	refs := s.refs(r)
	if req.Status != nil {
		if !contains(statusNames(), *req.Status) {
			refs.errs.Add("status", valid.OneOf(statusNames()))
		}
		st := ticket.Status(*req.Status)
		u.Status = &st
	}
	if req.TeamID.Set {
		refs.team("team_id", req.TeamID.ID)
		u.TeamID = &req.TeamID.ID
	}
	if err := refs.result(); err != nil {
		return err
	}
	t, err := s.tickets.Update(r.Context(), ticket.AgentActor(me.ID), id, u)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, toTicketJSON(t))
	return nil
}

// references checks ids a body refers to before a service call uses them,
// so a missing one is a field error rather than a failed write.
type references struct {
	s    *server
	r    *http.Request
	errs valid.Fields
	err  error // the first lookup that failed for another reason
}

func (s *server) refs(r *http.Request) *references {
	return &references{s: s, r: r, errs: valid.Fields{}}
}

// check adds a field error when id (if not 0) is not found by get.
func (c *references) check(field string, id int64, msg valid.Message, get func() error) {
	if id == 0 || c.err != nil {
		return
	}
	if id < 0 {
		c.errs.Add(field, msg)
		return
	}
	if err := get(); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			c.errs.Add(field, msg)
		} else {
			c.err = err
		}
	}
}

// customer checks a customer id.
func (c *references) customer(field string, id int64) {
	c.check(field, id, valid.Msg("valid.no_customer", "no such customer"), func() error {
		_, err := c.s.customers.Get(c.r.Context(), id)
		return err
	})
}

// agent checks an agent id.
func (c *references) agent(field string, id int64) {
	c.check(field, id, valid.Msg("valid.no_agent", "no such agent"), func() error {
		_, err := c.s.agents.Get(c.r.Context(), id)
		return err
	})
}

// team checks a team id.
func (c *references) team(field string, id int64) {
	c.check(field, id, valid.Msg("valid.no_team", "no such team"), func() error {
		_, err := c.s.agents.GetTeam(c.r.Context(), id)
		return err
	})
}

// result returns the first failed lookup, else the field errors, else nil.
func (c *references) result() error {
	if c.err != nil {
		return c.err
	}
	return c.errs.Err()
}
