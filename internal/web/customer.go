package web

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/rapport/rapport/internal/customer"
	"github.com/rapport/rapport/internal/ticket"
)

// identityKinds are the kinds of identity a customer can have.
var identityKinds = []string{customer.Email, customer.Phone, customer.External}

// customerView is the data of the customer page.
type customerView struct {
	C             customer.Customer
	Tags          string
	Languages     []string
	IdentityKinds []string
	Tickets       []ticket.Ticket
	NextURL       string
	FirstURL      string
	// C360 is the customer-360 panel and Standings the badges of the
	// ticket list; both empty without the loyalty services.
	C360      *customer360View
	Standings map[int64]string
	// Promised is the next open promise of each listed ticket.
	Promised map[int64]ticket.Promise
	// Referrer is the customer who brought this one; ID 0 for nobody.
	Referrer customer.Customer
	// BusinessZone is the zone the customer is told times in while theirs
	// is unknown; LocalTime is the time now in theirs, when known.
	BusinessZone, LocalTime string
}

// customerURL is the page of customer id.
func customerURL(id int64) string { return "/customers/" + strconv.FormatInt(id, 10) }

// customerPage serves GET /customers/{id}: the profile, identities and
// every ticket of the customer, newest activity first.
func (s *server) customerPage(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	return s.renderCustomer(w, r, rc, id, nil)
}

// renderCustomer renders the customer page, with a failed form refilled.
func (s *server) renderCustomer(w http.ResponseWriter, r *http.Request, rc *reqCtx, id int64, prob *problem) error {
	ctx := r.Context()
	c, err := s.customers.Get(ctx, id)
	if err != nil {
		return err
	}
	cursor := r.URL.Query().Get("cursor")
	page, err := s.tickets.List(ctx, ticket.ListOptions{View: ticket.ViewAll, CustomerID: id, Cursor: cursor})
	if err != nil {
		// A stale cursor starts again from the first page.
		if page, err = s.tickets.List(ctx, ticket.ListOptions{View: ticket.ViewAll, CustomerID: id}); err != nil {
			return err
		}
		cursor = ""
	}
	v := customerView{
		C: c, Tags: strings.Join(c.Tags, ", "), Languages: s.cat.Languages(),
		IdentityKinds: identityKinds, Tickets: page.Tickets,
		BusinessZone: s.businessZone(ctx).String(),
		LocalTime:    s.clock.Now().In(s.customerZone(ctx, c)).Format("15:04"),
	}
	if c.Language != "" && !slices.Contains(v.Languages, c.Language) {
		v.Languages = append(v.Languages, c.Language)
	}
	if v.C360, err = s.customer360(ctx, id, nil); err != nil {
		return err
	}
	if v.Standings, err = s.standings(ctx, page.Tickets); err != nil {
		return err
	}
	if v.Promised, err = s.nextPromises(ctx, page.Tickets); err != nil {
		return err
	}
	by, err := s.customers.Referrer(ctx, id)
	if err != nil {
		return err
	}
	if by != 0 {
		if v.Referrer, err = s.customers.Get(ctx, by); err != nil {
			return err
		}
	}
	if page.NextCursor != "" {
		v.NextURL = customerURL(id) + "?" + url.Values{"cursor": {page.NextCursor}}.Encode() + "#tickets"
	}
	if cursor != "" {
		v.FirstURL = customerURL(id) + "#tickets"
	}
	p := s.newPage(w, r, rc, "customer.title")
	if c.Name != "" {
		p.Title = c.Name
	}
	p.Nav = "customers"
	p.ShowSLA = s.slaActive(ctx)
	status := http.StatusOK
	if prob != nil {
		p.Problem, p.Form, status = prob, r.PostForm, prob.Status
	}
	p.Data = v
	s.render(w, r, status, "customer", p)
	return nil
}

// customerAction runs one change to customer {id} made by a form, like
// ticketAction does for tickets.
func (s *server) customerAction(w http.ResponseWriter, r *http.Request, rc *reqCtx, form, flash string,
	change func(id int64) error) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := change(id); err != nil {
		prob, ok := s.asProblem(rc.lang, form, err)
		if !ok {
			return err
		}
		return s.renderCustomer(w, r, rc, id, prob)
	}
	s.setFlash(w, flash)
	redirect(w, r, customerURL(id))
	return nil
}

// customerUpdate serves POST /customers/{id}: name, language, time zone,
// VIP, notes and tags.
func (s *server) customerUpdate(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	return s.customerAction(w, r, rc, "profile", "flash.customer_saved", func(id int64) error {
		f := r.PostForm
		name, lang, notes, zone := f.Get("name"), f.Get("language"), f.Get("notes"), f.Get("time_zone")
		vip := f.Get("vip") == "on"
		tags := splitComma(f.Get("tags"))
		_, err := s.customers.Update(r.Context(), id, customer.Update{
			Name: &name, Language: &lang, Notes: &notes, VIP: &vip, Tags: &tags, TimeZone: &zone,
		})
		return err
	})
}
