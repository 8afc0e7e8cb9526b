package api

import (
	"errors"
	"log/slog"
	"net/http"
	"sort"
	"strconv"

	"github.com/rapport/rapport/internal/i18n"
	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/ticket"
	"github.com/rapport/rapport/internal/valid"
)

// apiError is an error the API already knows how to present.
type apiError struct {
	status  int
	code    string
	message string
	fields  map[string]string
	// keyed are the field errors with their catalogue keys, which the
	// response translates when the caller asks for a language.
	keyed valid.Fields
}

func (e *apiError) Error() string { return e.code + ": " + e.message }

// The errors the API makes itself.
var (
	errUnauthorized = &apiError{status: http.StatusUnauthorized, code: "unauthorized",
		message: "a valid API token is required: Authorization: Bearer TOKEN"}
	errForbidden = &apiError{status: http.StatusForbidden, code: "forbidden",
		message: "your role does not allow this"}
	errNoRoute = &apiError{status: http.StatusNotFound, code: "not_found",
		message: "no such API endpoint"}
	errNotFound = &apiError{status: http.StatusNotFound, code: "not_found",
		message: "not found"}
)

// invalidJSON is a 400 for a body that is not the JSON the route expects.
func invalidJSON(msg string) error {
	return &apiError{status: http.StatusBadRequest, code: "invalid_json", message: msg}
}

// invalidText is a 400 for a body that is not text: invalid UTF-8, or a
// lone surrogate escape.
func invalidText(msg string) error {
	return &apiError{status: http.StatusBadRequest, code: "invalid_text", message: msg}
}

// badQuery is a 400 for query parameters that cannot be read (see
// valid.ParseQuery), by parameter.
func badQuery(err error) error {
	var ve valid.Errors
	errors.As(err, &ve)
	return &apiError{status: http.StatusBadRequest, code: "invalid_query",
		message: "some query parameters cannot be read", fields: ve}
}

// StatusClientGone is the status recorded for a request whose client went
// away before it was answered (nginx's 499, "client closed request"): the
// client never sees it; the request metrics count it apart from the 500s.
const StatusClientGone = 499

// errorBody is the JSON of every error response.
type errorBody struct {
	Error errorDetail `json:"error"`
}

type errorDetail struct {
	Code    string            `json:"code"`
	Message string            `json:"message"`
	Fields  map[string]string `json:"fields,omitempty"`
	// Details repeats Fields with each message's catalogue key, in field
	// order, for clients that translate or test by key.
	Details []fieldDetail `json:"details,omitempty"`
}

// fieldDetail is what is wrong with one field: the catalogue key and the
// message in the response's language.
type fieldDetail struct {
	Field   string `json:"field"`
	Key     string `json:"key"`
	Message string `json:"message"`
}

// describe maps an error to what the client sees. It is the one place where
// domain errors become HTTP statuses; anything it does not recognise is a
// 500 whose details stay in the log.
func describe(err error) *apiError {
	var ae *apiError
	var vf valid.Fields
	var ve valid.Errors
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &ae):
		return ae
	case errors.As(err, &tooBig):
		return &apiError{status: http.StatusRequestEntityTooLarge, code: "body_too_large",
			message: "request body is larger than " + strconv.FormatInt(tooBig.Limit, 10) + " bytes"}
	case errors.As(err, &vf):
		return &apiError{status: http.StatusBadRequest, code: "invalid_input",
			message: "some fields are invalid", fields: vf.Errors(), keyed: vf}
	case errors.As(err, &ve):
		return &apiError{status: http.StatusBadRequest, code: "invalid_input",
			message: "some fields are invalid", fields: ve}
	case errors.Is(err, ticket.ErrReasonRequired):
		return &apiError{status: http.StatusBadRequest, code: "reason_required",
			message: "a transfer needs a reason", fields: map[string]string{"reason": "is required"}}
	case errors.Is(err, ticket.ErrTransferAgain):
		return &apiError{status: http.StatusConflict, code: "transfer_again",
			message: "this customer has already been passed on once: send \"again\": true to transfer the ticket again"}
	case errors.Is(err, ticket.ErrNeedsTransfer):
		return &apiError{status: http.StatusConflict, code: "needs_transfer",
			message: "the ticket has another owner: transfer it with a reason instead"}
	case errors.Is(err, ticket.ErrNotYours):
		return &apiError{status: http.StatusForbidden, code: "not_yours",
			message: "only the ticket's owner, a collaborator or a manager may change its status or transfer it; while nobody owns it, an agent of its team may"}
	case errors.Is(err, ticket.ErrClosed):
		return &apiError{status: http.StatusConflict, code: "ticket_closed",
			message: "the ticket is closed and cannot change"}
	case errors.Is(err, ticket.ErrFollowUpDecided):
		return &apiError{status: http.StatusConflict, code: "followup_decided",
			message: "an agent already decided this follow-up answer; the first decision stands"}
	case errors.Is(err, ticket.ErrNoUnclearFollowUp):
		return &apiError{status: http.StatusConflict, code: "no_unclear_followup",
			message: "the ticket's last follow-up has no unclear answer to decide"}
	case errors.Is(err, store.ErrNotFound):
		return errNotFound
	case errors.Is(err, store.ErrConflict):
		return &apiError{status: http.StatusConflict, code: "conflict",
			message: "this conflicts with an existing record (for example, an email already in use)"}
	default:
		return &apiError{status: http.StatusInternalServerError, code: "internal_error",
			message: "something went wrong on our side; it has been logged"}
	}
}

// writeError renders err as the JSON error body with its status.
func (s *server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	e := describe(err)
	if e.status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="rapport"`)
	}
	if e.status >= 500 {
		if r.Context().Err() != nil {
			// The client went away and its request's queries were stopped
			// (whatever error that gave: a cancelled query, a connection
			// closed under it): nobody reads the answer, and it is no
			// failure of the server's, so it is neither logged as one nor
			// counted as a 500.
			s.log.Debug("request stopped, client gone", "method", r.Method, "path", r.URL.Path, slog.Any("error", err))
			w.WriteHeader(StatusClientGone)
			return
		}
		s.log.Error("request failed",
			"method", r.Method, "path", r.URL.Path, "client_addr", s.clientAddr(r), slog.Any("error", err))
	}
	body := errorDetail{Code: e.code, Message: e.message, Fields: e.fields}
	if e.keyed != nil {
		lang := s.callerLang(r)
		w.Header().Add("Vary", "Accept-Language")
		if lang != "" {
			w.Header().Set("Content-Language", lang)
			body.Message = s.cat.T(lang, "apierr.invalid_input")
		}
		body.Fields = make(map[string]string, len(e.keyed))
		for _, f := range sortedFields(e.keyed) {
			m := e.keyed[f]
			msg := m.Text
			if lang != "" {
				msg = s.fieldMessage(lang, m)
			}
			body.Fields[f] = msg
			body.Details = append(body.Details, fieldDetail{Field: f, Key: m.Key, Message: msg})
		}
	}
	writeJSON(w, e.status, errorBody{Error: body})
}

// callerLang is the language the caller asked for with Accept-Language,
// when the catalogue has it and it is not English: "" keeps the API's own
// English texts, which clients may already match on.
func (s *server) callerLang(r *http.Request) string {
	h := r.Header.Get("Accept-Language")
	if h == "" || s.cat == nil {
		return ""
	}
	if lang := s.cat.Match(h); lang != i18n.Default {
		return lang
	}
	return ""
}

// fieldMessage is one field error in lang, from its catalogue key and
// arguments; a key the catalogue lacks (TestValidKeysExist keeps that from
// happening) gets the generic text, never the English one.
func (s *server) fieldMessage(lang string, m valid.Message) string {
	if m.Key != "" && s.cat.HasKey(lang, m.Key) {
		return s.cat.T(lang, m.Key, m.Args...)
	}
	return s.cat.T(lang, "valid.invalid")
}

func sortedFields(f valid.Fields) []string {
	out := make([]string, 0, len(f))
	for k := range f {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
