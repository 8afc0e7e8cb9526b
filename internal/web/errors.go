package web

import (
	"errors"
	"log/slog"
	"net/http"
	"sort"
	"time"

	"github.com/rapport/rapport/internal/agent"
	"github.com/rapport/rapport/internal/sso"
	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/ticket"
	"github.com/rapport/rapport/internal/valid"
)

// webError is an error the UI already knows how to present: an HTTP status
// and the catalogue keys of the page's title and explanation.
type webError struct {
	status  int
	title   string
	message string
}

func (e *webError) Error() string { return e.title }

// The errors the UI makes itself.
var (
	errNotFound  = &webError{http.StatusNotFound, "error.not_found", "error.not_found_text"}
	errForbidden = &webError{http.StatusForbidden, "error.forbidden", "error.forbidden_text"}
	errCSRF      = &webError{http.StatusForbidden, "error.csrf", "error.csrf_text"}
	errBadForm   = &webError{http.StatusBadRequest, "error.bad_request", "error.bad_request_text"}
)

// badQuery is a page address whose query parameters cannot be read (see
// valid.ParseQuery), by parameter.
type badQuery struct {
	fields valid.Fields
}

func (e *badQuery) Error() string { return "web: bad query: " + e.fields.Error() }

// errorView is the data of the error page.
type errorView struct {
	Status  int
	Title   string
	Message string
	Details []string
}

// fail renders err as an error page. It is the one place where an error
// that no form handles becomes an HTTP status; anything it does not
// recognise is a 500 whose details stay in the log.
func (s *server) fail(w http.ResponseWriter, r *http.Request, rc *reqCtx, err error) {
	var we *webError
	var fields valid.Fields
	var ve valid.Errors
	var tooBig *http.MaxBytesError
	var bq *badQuery
	v := errorView{}
	switch {
	case errors.As(err, &we):
		v.Status, v.Title, v.Message = we.status, we.title, we.message
	case errors.As(err, &bq):
		v.Status, v.Title, v.Message = http.StatusBadRequest, "error.bad_request", "error.bad_query_text"
		for _, f := range sortedFields(bq.fields.Errors()) {
			v.Details = append(v.Details, f+": "+s.fieldMessage(rc.lang, bq.fields[f]))
		}
	case errors.As(err, &tooBig):
		v.Status, v.Title, v.Message = http.StatusRequestEntityTooLarge, "error.too_large", "error.too_large_text"
	case errors.As(err, &fields):
		v.Status, v.Title, v.Message = http.StatusBadRequest, "error.bad_request", "error.invalid_text"
		for _, f := range sortedFields(fields.Errors()) {
			v.Details = append(v.Details, f+": "+s.fieldMessage(rc.lang, fields[f]))
		}
	case errors.As(err, &ve):
		v.Status, v.Title, v.Message = http.StatusBadRequest, "error.bad_request", "error.invalid_text"
		// Only the API's own checks still make plain Errors; their
		// English is not shown to a reader of another language.
		for _, f := range sortedFields(ve) {
			v.Details = append(v.Details, f+": "+s.cat.T(rc.lang, "valid.invalid"))
		}
	case errors.Is(err, store.ErrNotFound):
		v.Status, v.Title, v.Message = http.StatusNotFound, "error.not_found", "error.not_found_text"
	case errors.Is(err, ticket.ErrClosed):
		v.Status, v.Title, v.Message = http.StatusConflict, "error.conflict", "problem.closed"
	case errors.Is(err, ticket.ErrNeedsTransfer):
		v.Status, v.Title, v.Message = http.StatusConflict, "error.conflict", "problem.needs_transfer"
	case errors.Is(err, ticket.ErrNotYours):
		v.Status, v.Title, v.Message = http.StatusForbidden, "error.forbidden", "problem.not_yours"
	case errors.Is(err, store.ErrConflict):
		v.Status, v.Title, v.Message = http.StatusConflict, "error.conflict", "problem.conflict"
	default:
		if r.Context().Err() != nil {
			// The client went away (see statusClientGone).
			s.log.Debug("request stopped, client gone", "method", r.Method, "path", r.URL.Path, slog.Any("error", err))
			w.WriteHeader(statusClientGone)
			return
		}
		v.Status, v.Title, v.Message = http.StatusInternalServerError, "error.internal", "error.internal_text"
		s.log.Error("request failed", "method", r.Method, "path", r.URL.Path, slog.Any("error", err))
	}
	p := s.newPage(w, r, rc, v.Title)
	v.Title, v.Message = p.T(v.Title), p.T(v.Message)
	p.Data = v
	s.render(w, r, v.Status, "error", p)
}

// problem is a failure the user can correct on the form that caused it:
// messages by field and one for the form as a whole, all localized.
type problem struct {
	Status  int
	Form    string // which form of the page failed, when a page has several
	Message string
	Fields  map[string]string
	// Confirm asks the agent to send the form again, confirmed.
	Confirm bool
}

// asProblem turns a service error into a problem shown on the form, or
// reports false for errors that need an error page (not found, 500).
func (s *server) asProblem(lang, form string, err error) (*problem, bool) {
	var fields valid.Fields
	var ve valid.Errors
	var wait *agent.WaitError
	p := &problem{Status: http.StatusUnprocessableEntity, Form: form, Fields: map[string]string{}}
	switch {
	case errors.As(err, &fields):
		for f, m := range fields {
			p.Fields[f] = s.fieldMessage(lang, m)
		}
		p.Message = s.cat.T(lang, "problem.invalid")
	case errors.As(err, &ve):
		for f := range ve {
			p.Fields[f] = s.cat.T(lang, "valid.invalid")
		}
		p.Message = s.cat.T(lang, "problem.invalid")
	case errors.Is(err, ticket.ErrReasonRequired):
		p.Fields["reason"] = s.cat.T(lang, "valid.required")
		p.Message = s.cat.T(lang, "problem.reason_required")
	case errors.Is(err, ticket.ErrNeedsTransfer):
		p.Status, p.Message = http.StatusConflict, s.cat.T(lang, "problem.needs_transfer")
	case errors.Is(err, ticket.ErrNotYours):
		p.Status, p.Message = http.StatusForbidden, s.cat.T(lang, "problem.not_yours")
	case errors.Is(err, ticket.ErrTransferAgain):
		p.Status, p.Message, p.Confirm = http.StatusConflict, s.cat.T(lang, "problem.transfer_again"), true
	case errors.Is(err, ticket.ErrClosed):
		p.Status, p.Message = http.StatusConflict, s.cat.T(lang, "problem.closed")
	case errors.Is(err, ticket.ErrFollowUpDecided):
		p.Status, p.Message = http.StatusConflict, s.cat.T(lang, "problem.followup_decided")
	case errors.Is(err, ticket.ErrNoUnclearFollowUp):
		p.Status, p.Message = http.StatusConflict, s.cat.T(lang, "problem.followup_nothing")
	case errors.Is(err, store.ErrConflict):
		p.Status, p.Message = http.StatusConflict, s.cat.T(lang, "problem.conflict")
	case errors.Is(err, agent.ErrBadCode):
		p.Status, p.Message = http.StatusUnauthorized, s.cat.T(lang, "twofactor.bad_code")
		p.Fields["code"] = p.Message
	case errors.Is(err, agent.ErrPendingExpired):
		p.Status, p.Message = http.StatusUnauthorized, s.cat.T(lang, "twofactor.expired")
	case errors.Is(err, agent.ErrTwoFactorState):
		p.Status, p.Message = http.StatusConflict, s.cat.T(lang, "twofactor.state")
	case errors.Is(err, agent.ErrInactive):
		p.Status, p.Message = http.StatusForbidden, s.cat.T(lang, "sso.inactive")
	case errors.Is(err, agent.ErrBadCredentials):
		p.Status, p.Message = http.StatusUnauthorized, s.cat.T(lang, "login.bad_credentials")
	case errors.Is(err, sso.ErrState):
		p.Status, p.Message = http.StatusBadRequest, s.cat.T(lang, "sso.bad_state")
	case errors.Is(err, sso.ErrProvider):
		p.Status, p.Message = http.StatusBadGateway, s.cat.T(lang, "sso.provider_refused")
	case errors.Is(err, sso.ErrUnknownAgent):
		p.Status, p.Message = http.StatusForbidden, s.cat.T(lang, "sso.unknown_agent")
	case errors.Is(err, sso.ErrDomain):
		p.Status, p.Message = http.StatusForbidden, s.cat.T(lang, "sso.domain")
	case errors.Is(err, sso.ErrUnverified):
		p.Status, p.Message = http.StatusForbidden, s.cat.T(lang, "sso.unverified")
	case errors.As(err, &wait):
		p.Status, p.Message = http.StatusTooManyRequests, s.cat.N(lang, "login.wait", waitSeconds(wait))
	case errors.Is(err, agent.ErrRateLimited):
		p.Status, p.Message = http.StatusTooManyRequests, s.cat.T(lang, "login.rate_limited")
	default:
		return nil, false
	}
	return p, true
}

// fieldMessage localizes one valid.Fields message by its key and
// arguments; a key the catalogue lacks (TestValidKeysExist keeps that from
// happening) gets the generic text, never the English one.
func (s *server) fieldMessage(lang string, m valid.Message) string {
	if m.Key != "" && s.cat.HasKey(lang, m.Key) {
		return s.cat.T(lang, m.Key, m.Args...)
	}
	return s.cat.T(lang, "valid.invalid")
}

func sortedFields(ve valid.Errors) []string {
	out := make([]string, 0, len(ve))
	for f := range ve {
		out = append(out, f)
	}
	sort.Strings(out)
	return out
}

// waitSeconds is a login wait in whole seconds, rounded up, at least 1.
func waitSeconds(w *agent.WaitError) int {
	return max(1, int((w.Wait+time.Second-1)/time.Second))
}

// statusClientGone is the status recorded for a request whose client went
// away before it was answered (nginx's 499, "client closed request"), as
// the API does: never seen by anyone, counted apart from the 500s.
const statusClientGone = 499
