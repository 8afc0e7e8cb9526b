package web

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"sort"
	"strings"

	"github.com/rapport/rapport/internal/agent"
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
	v := errorView{}
	switch {
	case errors.As(err, &we):
		v.Status, v.Title, v.Message = we.status, we.title, we.message
	case errors.As(err, &tooBig):
		v.Status, v.Title, v.Message = http.StatusRequestEntityTooLarge, "error.too_large", "error.too_large_text"
	case errors.As(err, &fields):
		v.Status, v.Title, v.Message = http.StatusBadRequest, "error.bad_request", "error.invalid_text"
		for _, f := range sortedFields(fields.Errors()) {
			v.Details = append(v.Details, f+": "+s.fieldMessage(rc.lang, fields[f]))
		}
	case errors.As(err, &ve):
		v.Status, v.Title, v.Message = http.StatusBadRequest, "error.bad_request", "error.invalid_text"
		for _, f := range sortedFields(ve) {
			v.Details = append(v.Details, f+": "+s.validMessage(rc.lang, ve[f]))
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
		v.Status, v.Title, v.Message = http.StatusInternalServerError, "error.internal", "error.internal_text"
		level := slog.LevelError
		if errors.Is(err, context.Canceled) {
			level = slog.LevelDebug // the client went away
		}
		s.log.Log(r.Context(), level, "request failed", "method", r.Method, "path", r.URL.Path, slog.Any("error", err))
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
	p := &problem{Status: http.StatusUnprocessableEntity, Form: form, Fields: map[string]string{}}
	switch {
	case errors.As(err, &fields):
		for f, m := range fields {
			p.Fields[f] = s.fieldMessage(lang, m)
		}
		p.Message = s.cat.T(lang, "problem.invalid")
	case errors.As(err, &ve):
		for f, msg := range ve {
			p.Fields[f] = s.validMessage(lang, msg)
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
	case errors.Is(err, agent.ErrBadCredentials):
		p.Status, p.Message = http.StatusUnauthorized, s.cat.T(lang, "login.bad_credentials")
	case errors.Is(err, agent.ErrRateLimited):
		p.Status, p.Message = http.StatusTooManyRequests, s.cat.T(lang, "login.rate_limited")
	default:
		return nil, false
	}
	return p, true
}

// validMessages maps the English messages of valid.Errors, by a phrase they
// contain, to catalogue keys, so that field errors show in the agent's
// language. The first match wins; an unknown message gets a generic text.
// It serves the services that still return valid.Errors; those that return
// valid.Fields name their keys themselves (fieldMessage), and their phrases
// go from this list as they move.
var validMessages = []struct{ phrase, key string }{
	// Compensation (recovery.json).
	{"cannot be negative", "valid.negative"},
	{"say why the customer is compensated", "valid.compensation_reason"},
	{"say why the request is declined", "valid.decline_reason"},
	{"is not one of this customer's orders", "valid.compensation_order"},
	{"choose the order to refund", "valid.compensation_order_needed"},
	{"is more than is left to refund", "valid.compensation_over_order"},
	{"kind of compensation", "valid.compensation_kind"},
	{"this kind has no amount", "valid.compensation_no_amount"},
	{"give the amount", "valid.compensation_amount"},
	{"must be more than zero", "valid.compensation_positive"},
	{"not a decimal number with", "valid.compensation_decimal"},
	{"has more decimals than", "valid.compensation_decimal"},
	{"compensation goes on an open or solved ticket", "valid.compensation_closed"},
	{"give the kind a name", "valid.required"},
	{"already linked to this cause", "valid.cause_linked"},
	{"is not a known root cause", "valid.cause_unknown"},
	{"give the cause a title", "valid.cause_title"},
	{"say what will prevent it", "valid.cause_prevention"},
	{"is not an active agent", "valid.cause_owner"},
	// SLA policies and calendars, phone calls and capacity (ops.json).
	{"is not a time such as", "valid.target"},
	{"whole minutes between 0 and a year", "valid.target_range"},
	{"no such calendar", "valid.no_calendar"},
	{"is not a time zone", "valid.timezone"},
	{"is not a date like", "valid.holidays"},
	{"spans overlap", "valid.week_overlap"},
	{"sla: ", "valid.week"},
	{"is not a whole number", "valid.number"},
	{"must be a time in the future", "valid.snooze_future"},
	{"must be within a year", "valid.snooze_year"},
	{"a solved ticket cannot be snoozed", "valid.snooze_solved"},
	// Action plans (promise.json).
	{"say what will happen", "valid.promise_what"},
	{"say why the plan no longer holds", "valid.promise_reason"},
	{"reopen it to promise more", "valid.promise_solved"},
	{"a new message opens a new ticket", "valid.promise_closed"},
	{"there is no business calendar", "valid.promise_no_calendar"},
	{"is already", "valid.promise_resolved"},
	// Referrals (promise.json).
	{"a customer cannot refer themselves", "valid.referral_self"},
	{"give the customer's email address or number", "valid.referral_who"},
	{"is not a date and time such as", "valid.datetime"},
	{"the owner already works this ticket", "valid.collab_owner"},
	{"whole seconds between 0 and an hour", "valid.greeting_range"},
	{"must be from 0 to 1000", "valid.capacity"},
	{"give the caller's phone number", "valid.caller"},
	{"is not a ticket number", "valid.ticket_number"},
	{"no such ticket", "valid.no_ticket"},
	{"is required for a customer without", "valid.customer_name"},
	{"give a name or at least one", "valid.customer_name"},
	{"is required", "valid.required"},
	{"is not an email address", "valid.email"},
	{"is not a phone number", "valid.phone"},
	{"language code", "valid.language"},
	{"tag", "valid.tags"},
	{"is longer than", "valid.too_long"},
	{"at most", "valid.too_long"},
	{"must be 1 to 200 characters", "valid.too_long"},
	{"no such agent", "valid.no_agent"},
	{"agent is not active", "valid.agent_inactive"},
	{"no such team", "valid.no_team"},
	{"no such customer", "valid.no_customer"},
	{"give an agent, a team or both", "valid.transfer_target"},
	{"already has this owner and team", "valid.same_owner"},
	{"no longer new", "valid.reply_not_new"},
	{"close by themselves", "valid.no_close"},
	{"cursor", "valid.cursor"},
	{"must be", "valid.choice"},
}

// validMessage localizes one valid.Errors message.
func (s *server) validMessage(lang, msg string) string {
	for _, m := range validMessages {
		if strings.Contains(msg, m.phrase) {
			return s.cat.T(lang, m.key)
		}
	}
	return s.cat.T(lang, "valid.invalid")
}

// fieldMessage localizes one valid.Fields message by its key, or by its
// English text when the catalogue does not know the key.
func (s *server) fieldMessage(lang string, m valid.Message) string {
	if m.Key != "" && s.cat.HasKey(lang, m.Key) {
		return s.cat.T(lang, m.Key, m.Args...)
	}
	return s.validMessage(lang, m.Text)
}

// validErr is a single field error, as the services return them.
func validErr(field, msg string) error { return valid.Errors{field: msg} }

func sortedFields(ve valid.Errors) []string {
	out := make([]string, 0, len(ve))
	for f := range ve {
		out = append(out, f)
	}
	sort.Strings(out)
	return out
}
