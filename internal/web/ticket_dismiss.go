package web

import (
	"errors"
	"net/http"

	"github.com/rapport/rapport/internal/quality"
	"github.com/rapport/rapport/internal/valid"
)

// dismissRequest is a finding the agent dismisses, and why.
type dismissRequest struct {
	Sin    string `json:"sin"`
	Rule   string `json:"rule"`
	Quote  string `json:"quote"`
	Reason string `json:"reason"`
	Note   string `json:"note"`
}

// dismissReasonKeys label the reasons for dismissing a finding.
var dismissReasonKeys = map[string]string{
	quality.ReasonFalseAlarm:    "quality.reason_false_alarm",
	quality.ReasonCustomerAsked: "quality.reason_customer_asked",
	quality.ReasonIntended:      "quality.reason_intended",
	quality.ReasonOther:         "quality.reason_other",
}

// ticketDismiss serves POST /tickets/{id}/findings/dismiss. From app.js
// it takes JSON (the CSRF token in the X-CSRF-Token header) and answers
// JSON; from a plain form it comes back to the ticket with the draft, whose
// findings no longer include the dismissed one.
func (s *server) ticketDismiss(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	asJSON := jsonRequest(r)
	var req dismissRequest
	if asJSON {
		if err := decodeJSONBody(r, &req); err != nil {
			return err
		}
	} else {
		f := r.PostForm
		req = dismissRequest{Sin: f.Get("sin"), Rule: f.Get("rule"), Quote: f.Get("quote"), Reason: f.Get("reason"), Note: f.Get("note")}
	}
	d, err := s.reviews.Dismiss(r.Context(), quality.Dismissal{AgentID: rc.me.ID, TicketID: id,
		Sin: quality.Sin(req.Sin), Rule: req.Rule, Quote: req.Quote, Reason: req.Reason, Note: req.Note})
	var ve valid.Fields
	switch {
	case err == nil:
	case asJSON && errors.As(err, &ve):
		fields := map[string]string{}
		for f, m := range ve {
			fields[f] = s.fieldMessage(rc.lang, m)
		}
		jsonReply(w, http.StatusUnprocessableEntity, map[string]any{"error": s.cat.T(rc.lang, "problem.invalid"), "fields": fields})
		return nil
	case errors.As(err, &ve):
		prob, _ := s.asProblem(rc.lang, "dismiss", err)
		return s.renderChecked(w, r, rc, id, prob, false)
	default:
		return err
	}
	if asJSON {
		jsonReply(w, http.StatusCreated, map[string]any{"id": d.ID})
		return nil
	}
	return s.renderChecked(w, r, rc, id, nil, true)
}
