package web

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/rapport/rapport/internal/audit"
	"github.com/rapport/rapport/internal/i18n"
	"github.com/rapport/rapport/internal/intake"
	"github.com/rapport/rapport/internal/portal"
	"github.com/rapport/rapport/internal/ticket"
	"github.com/rapport/rapport/internal/valid"
)

// The signed-in customer's portal (issue 16): their tickets, promises and
// survey answers, a new request, their language and zone, the download of
// their data and the request for erasure. Every route is portalCustomer:
// wrap has found the session and checked each POST's CSRF token.

// portalCustomerLang writes the portal in the customer's language, else
// the browser's.
func (s *server) portalCustomerLang(r *http.Request, rc *reqCtx, lang string) {
	if lang != "" && s.cat.Has(lang) {
		rc.lang = lang
		return
	}
	rc.lang = s.cat.Match(r.Header.Get("Accept-Language"))
}

// portalHome serves GET /portal.
func (s *server) portalHome(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	return s.renderPortalHome(w, r, rc, http.StatusOK, nil)
}

func (s *server) renderPortalHome(w http.ResponseWriter, r *http.Request, rc *reqCtx, status int, prob *problem) error {
	ctx := r.Context()
	id := rc.customer.CustomerID
	c, err := s.portal.Customer(ctx, id)
	if err != nil {
		return err
	}
	s.portalCustomerLang(r, rc, c.Language)
	v := portalView{State: "home", CSRF: rc.customer.CSRF, Customer: c}
	if v.Tickets, err = s.portal.Tickets(ctx, id); err != nil {
		return err
	}
	if v.Promises, err = s.portal.Promises(ctx, id); err != nil {
		return err
	}
	if v.Surveys, err = s.portal.Surveys(ctx, id); err != nil {
		return err
	}
	if v.Erasure, err = s.portal.ErasuresOf(ctx, id); err != nil {
		return err
	}
	p := s.publicPage(w, r, rc, "portal.home_title")
	if prob != nil {
		p.Problem, p.Form = prob, r.PostForm
	}
	v.Lang = rc.lang
	p.Data = v
	if c.TimeZone != "" {
		p.Zone = i18n.ZoneOr(c.TimeZone, p.Zone)
	}
	s.render(w, r, status, "portal", p)
	return nil
}

// portalTicket serves GET /portal/tickets/{id}: one of the customer's
// tickets, its public messages and promises, and the reply form. Another
// customer's ticket is not found.
func (s *server) portalTicket(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	return s.renderPortalTicket(w, r, rc, http.StatusOK, nil)
}

func (s *server) renderPortalTicket(w http.ResponseWriter, r *http.Request, rc *reqCtx, status int, prob *problem) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	ctx := r.Context()
	th, err := s.portal.Thread(ctx, rc.customer.CustomerID, id)
	if errors.Is(err, portal.ErrNotFound) {
		return errNotFound
	}
	if err != nil {
		return err
	}
	c, err := s.portal.Customer(ctx, rc.customer.CustomerID)
	if err != nil {
		return err
	}
	s.portalCustomerLang(r, rc, c.Language)
	p := s.publicPage(w, r, rc, "portal.ticket_title")
	p.Title = p.T("portal.ticket_title", th.Ticket.ID)
	if prob != nil {
		p.Problem, p.Form = prob, r.PostForm
	}
	if c.TimeZone != "" {
		p.Zone = i18n.ZoneOr(c.TimeZone, p.Zone)
	}
	p.Data = portalView{State: "ticket", CSRF: rc.customer.CSRF, Customer: c, Thread: th, Lang: rc.lang}
	s.render(w, r, status, "portal_ticket", p)
	return nil
}

// portalReply serves POST /portal/tickets/{id}/reply: the customer's
// message joins the ticket's thread (the agent's page shows it live). A
// closed ticket refuses it and offers a new request.
func (s *server) portalReply(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	body := strings.TrimSpace(r.PostForm.Get("body"))
	if utf8.RuneCountInString(body) > contactMaxMessage {
		err = valid.Field("body", valid.Msg("valid.longer_than", "is longer than %d characters", contactMaxMessage))
	} else {
		_, err = s.portal.Reply(r.Context(), rc.customer.CustomerID, id, body)
	}
	switch {
	case err == nil:
		s.setFlash(w, "flash.portal_replied")
		redirect(w, r, "/portal/tickets/"+strconv.FormatInt(id, 10))
		return nil
	case errors.Is(err, portal.ErrNotFound):
		return errNotFound
	case errors.Is(err, ticket.ErrClosed):
		err = valid.Field("body", valid.Msg("portal.closed", "this request is closed; please open a new one"))
	}
	prob, ok := s.asProblem(rc.lang, "reply", err)
	if !ok {
		return err
	}
	return s.renderPortalTicket(w, r, rc, prob.Status, prob)
}

// portalNewRequest serves POST /portal/tickets: a new ticket for the
// customer, through intake like the contact form.
func (s *server) portalNewRequest(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	subject := strings.TrimSpace(r.PostForm.Get("subject"))
	body := strings.TrimSpace(r.PostForm.Get("message"))
	errs := valid.Fields{}
	if body == "" {
		errs.Add("message", valid.Msg("valid.required", "is required"))
	} else if utf8.RuneCountInString(body) > contactMaxMessage {
		errs.Add("message", valid.Msg("valid.longer_than", "is longer than %d characters", contactMaxMessage))
	}
	if utf8.RuneCountInString(subject) > intake.MaxSubject {
		errs.Add("subject", valid.Msg("valid.longer_than", "is longer than %d characters", intake.MaxSubject))
	}
	err := errs.Err()
	var id int64
	if err == nil {
		c, cerr := s.portal.Customer(r.Context(), rc.customer.CustomerID)
		if cerr != nil {
			return cerr
		}
		s.portalCustomerLang(r, rc, c.Language)
		// The form's key makes a resubmission the same ticket.
		id, err = s.portal.NewRequest(r.Context(), rc.customer.CustomerID, subject, body, rc.lang, r.PostForm.Get("key"))
	}
	if err != nil {
		prob, ok := s.asProblem(rc.lang, "request", err)
		if !ok {
			return err
		}
		return s.renderPortalHome(w, r, rc, prob.Status, prob)
	}
	s.setFlash(w, "flash.portal_request")
	redirect(w, r, "/portal/tickets/"+strconv.FormatInt(id, 10))
	return nil
}

// portalPreferences serves POST /portal/preferences: the customer's
// language and time zone.
func (s *server) portalPreferences(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	_, err := s.portal.SetPreferences(r.Context(), rc.customer.CustomerID, r.PostForm.Get("language"), r.PostForm.Get("time_zone"))
	if err != nil {
		prob, ok := s.asProblem(rc.lang, "preferences", err)
		if !ok {
			return err
		}
		return s.renderPortalHome(w, r, rc, prob.Status, prob)
	}
	s.setFlash(w, "flash.portal_saved")
	redirect(w, r, "/portal#preferences")
	return nil
}

// portalExport serves GET /portal/export.json: everything Rapport holds
// about the customer, as a JSON download.
func (s *server) portalExport(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	// The customer acts: no agent, their address.
	ctx := audit.WithActor(r.Context(), audit.Actor{Addr: s.clientAddr(r)})
	e, err := s.portal.Export(ctx, rc.customer.CustomerID)
	if err != nil {
		return err
	}
	b, err := json.MarshalIndent(e, "", "  ")
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="my-data.json"`)
	w.WriteHeader(http.StatusOK)
	w.Write(b)
	return nil
}

// portalErasure serves POST /portal/erasure: the customer asks for their
// personal data to be erased; an admin decides (/admin/erasure).
func (s *server) portalErasure(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	if r.PostForm.Get("confirm") != "1" {
		prob, _ := s.asProblem(rc.lang, "erasure", valid.Field("confirm", valid.Msg("valid.required", "is required")))
		return s.renderPortalHome(w, r, rc, prob.Status, prob)
	}
	_, err := s.portal.RequestErasure(r.Context(), rc.customer.CustomerID, r.PostForm.Get("reason"))
	if err != nil && !errors.Is(err, portal.ErrPending) {
		prob, ok := s.asProblem(rc.lang, "erasure", err)
		if !ok {
			return err
		}
		return s.renderPortalHome(w, r, rc, prob.Status, prob)
	}
	s.setFlash(w, "flash.portal_erasure")
	redirect(w, r, "/portal#erasure")
	return nil
}
