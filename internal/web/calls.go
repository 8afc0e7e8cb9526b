package web

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/rapport/rapport/internal/customer"
	"github.com/rapport/rapport/internal/intake"
	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/ticket"
	"github.com/rapport/rapport/internal/valid"
)

// callView is the data of the phone log form.
type callView struct {
	Customer  *customer.Customer // the caller, when picked on the customer page
	Ticket    *ticket.Ticket     // the ticket the call goes on, when given
	TicketRef string             // the ticket field as given
	Kinds     []string
	Languages []string
}

// callsURL is the phone log form, for a known caller (customerID) or a
// ticket (ticketID) when not 0.
func callsURL(customerID, ticketID int64) string {
	q := url.Values{}
	if customerID != 0 {
		q.Set("customer", strconv.FormatInt(customerID, 10))
	}
	if ticketID != 0 {
		q.Set("ticket", strconv.FormatInt(ticketID, 10))
	}
	if len(q) == 0 {
		return "/calls/new"
	}
	return "/calls/new?" + q.Encode()
}

// ticketNumber reads an optional ticket number, "123" or "#123"; "" is 0.
func ticketNumber(errs valid.Fields, v url.Values, name string) int64 {
	s := strings.TrimPrefix(strings.TrimSpace(v.Get(name)), "#")
	if s == "" {
		return 0
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n <= 0 {
		errs.Add(name, valid.Msg("valid.ticket_number", "is not a ticket number"))
		return 0
	}
	return n
}

// callPage serves GET /calls/new: the form an agent logs a phone call
// with, for ?customer= (from the customer page) or onto ?ticket=.
func (s *server) callPage(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	return s.renderCall(w, r, rc, r.URL.Query(), nil)
}

// renderCall renders the phone log form for the caller and ticket that in
// (the query or the submitted form) names.
func (s *server) renderCall(w http.ResponseWriter, r *http.Request, rc *reqCtx, in url.Values, prob *problem) error {
	ctx := r.Context()
	v := callView{Kinds: ticket.Kinds, Languages: s.cat.Languages(), TicketRef: strings.TrimSpace(in.Get("ticket"))}
	ignore := valid.Fields{} // a bad number here is reported by callLog, not by the page
	if id := formID(ignore, in, "customer"); id != 0 {
		c, err := s.customers.Get(ctx, id)
		switch {
		case err == nil:
			v.Customer = &c
		case !errors.Is(err, store.ErrNotFound):
			return err
		}
	}
	if id := ticketNumber(ignore, in, "ticket"); id != 0 {
		t, err := s.tickets.Get(ctx, id)
		switch {
		case err == nil:
			v.Ticket = &t
		case !errors.Is(err, store.ErrNotFound):
			return err
		}
	}
	p := s.newPage(w, r, rc, "calls.title")
	p.Nav = "inbox"
	status := http.StatusOK
	if prob != nil {
		p.Problem, p.Form, status = prob, r.PostForm, prob.Status
	}
	p.Data = v
	s.render(w, r, status, "calls", p)
	return nil
}

// callLog serves POST /calls: the call becomes a new phone ticket owned by
// the agent, or the customer's message on the ticket given, and the agent
// goes to that ticket.
func (s *server) callLog(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	f := r.PostForm
	errs := valid.Fields{}
	c := intake.Call{
		AgentID:    rc.me.ID,
		CustomerID: formID(errs, f, "customer"),
		TicketID:   ticketNumber(errs, f, "ticket"),
		Phone:      strings.TrimSpace(f.Get("phone")),
		Email:      strings.TrimSpace(f.Get("email")),
		Name:       strings.TrimSpace(f.Get("name")),
		Subject:    strings.TrimSpace(f.Get("subject")),
		Summary:    f.Get("summary"),
		Kind:       f.Get("kind"),
		Language:   f.Get("language"),
	}
	err := errs.Err()
	var res intake.Result
	if err == nil {
		res, err = s.intake.LogCall(r.Context(), c)
	}
	if err != nil {
		var prob *problem
		switch {
		case c.TicketID != 0 && errors.Is(err, ticket.ErrNotFound):
			prob, _ = s.asProblem(rc.lang, "call", valid.Field("ticket", valid.Msg("valid.no_ticket", "no such ticket")))
		case c.TicketID != 0 && errors.Is(err, ticket.ErrClosed):
			prob = &problem{Status: http.StatusConflict, Form: "call", Message: s.cat.T(rc.lang, "problem.closed"),
				Fields: map[string]string{"ticket": s.cat.T(rc.lang, "calls.ticket_closed")}}
		default:
			var ok bool
			if prob, ok = s.asProblem(rc.lang, "call", err); !ok {
				return err
			}
		}
		return s.renderCall(w, r, rc, f, prob)
	}
	s.log.Info("call logged", "ticket_id", res.TicketID, "outcome", res.Outcome, "agent_id", rc.me.ID)
	s.setFlash(w, "flash.call_logged")
	redirect(w, r, ticketURL(res.TicketID))
	return nil
}
