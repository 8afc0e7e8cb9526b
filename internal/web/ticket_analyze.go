package web

import (
	"context"
	"encoding/json"
	"errors"
	"mime"
	"net/http"

	"github.com/rapport/rapport/internal/quality"
	"github.com/rapport/rapport/internal/ticket"
)

// draftCheck is the reply analyzer's panel beside the composer.
type draftCheck struct {
	On         bool // the analyzer runs: show the panel
	CanDismiss bool // dismissals are kept: offer to dismiss
	Checked    bool // the draft was checked by the "Check reply" button
	Dismissed  bool // a finding was just dismissed
	Findings   []quality.Finding
}

// analyzeRequest is the body of POST /tickets/{id}/analyze.
type analyzeRequest struct {
	Text string `json:"text"`
}

// analyzeResponse is its answer: the language the draft was read in and
// the findings, explained in the agent's UI language.
type analyzeResponse struct {
	Lang     string            `json:"lang"`
	Findings []quality.Finding `json:"findings"`
}

// ticketAnalyze serves POST /tickets/{id}/analyze, which app.js calls as
// the agent types: JSON {"text": draft} in, the draft's findings out. The
// CSRF token comes in the X-CSRF-Token header.
func (s *server) ticketAnalyze(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var req analyzeRequest
	if err := decodeJSONBody(r, &req); err != nil {
		return err
	}
	lang, fs, err := s.analyzeDraft(r.Context(), rc, id, req.Text)
	if err != nil {
		return err
	}
	jsonReply(w, http.StatusOK, analyzeResponse{Lang: lang, Findings: fs})
	return nil
}

// ticketCheck serves POST /tickets/{id}/check, the composer's "Check
// reply" button: the ticket page comes back with the draft in the composer
// and its findings beside it. Nothing is sent; without JavaScript this is
// how an agent sees the findings.
func (s *server) ticketCheck(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	return s.renderChecked(w, r, rc, id, nil, false)
}

// renderChecked renders the ticket page with the posted draft (the body
// field) in the composer and its findings beside it.
func (s *server) renderChecked(w http.ResponseWriter, r *http.Request, rc *reqCtx, id int64, prob *problem, dismissed bool) error {
	draft := r.PostForm.Get("body")
	_, fs, err := s.analyzeDraft(r.Context(), rc, id, draft)
	if err != nil {
		return err
	}
	return s.renderTicket(w, r, rc, id, prob, func(v *ticketView) {
		v.Draft = draft
		v.Check.Checked = draft != ""
		v.Check.Dismissed = dismissed
		v.Check.Findings = fs
	})
}

// analyzeDraft reads a draft reply to ticket id with the conversation so
// far (customer messages and replies; notes are not part of it) and the
// ticket's channel (a chat answer is not a letter), explained in the
// agent's language, leaving out what the agent already dismissed on this
// ticket.
func (s *server) analyzeDraft(ctx context.Context, rc *reqCtx, id int64, draft string) (string, []quality.Finding, error) {
	t, err := s.tickets.Get(ctx, id)
	if err != nil {
		return "", nil, err
	}
	msgs, err := s.tickets.Messages(ctx, id)
	if err != nil {
		return "", nil, err
	}
	fs := []quality.Finding{}
	if s.quality == nil || draft == "" {
		return "", fs, nil
	}
	in := quality.Input{Text: draft, Conversation: quality.Recent(conversation(msgs)), UILang: rc.lang, Channel: t.Channel}
	fs = append(fs, s.quality.Analyze(ctx, in)...)
	if s.reviews != nil {
		dismissed, err := s.reviews.Dismissed(ctx, id, rc.me.ID)
		if err != nil {
			return "", nil, err
		}
		fs = quality.WithoutDismissed(fs, dismissed)
	}
	return s.quality.LangOf(in), fs, nil
}

// conversation turns a thread into the analyzer's turns: what the customer
// wrote and what agents answered, without internal notes.
func conversation(msgs []ticket.Message) []quality.Turn {
	turns := make([]quality.Turn, 0, len(msgs))
	for _, m := range msgs {
		switch m.Kind {
		case ticket.CustomerMessage:
			turns = append(turns, quality.Turn{Role: "customer", Text: m.BodyText})
		case ticket.Reply:
			turns = append(turns, quality.Turn{Role: "agent", Text: m.BodyText})
		}
	}
	return turns
}

// jsonRequest reports whether the request body is JSON.
func jsonRequest(r *http.Request) bool {
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	return mt == "application/json"
}

// errBadJSON is a JSON body that does not decode.
var errBadJSON = &webError{http.StatusBadRequest, "error.bad_request", "error.bad_request_text"}

// decodeJSONBody decodes the JSON body of r into v; the body is already limited
// by wrap.
func decodeJSONBody(r *http.Request, v any) error {
	if !jsonRequest(r) {
		return errBadJSON
	}
	dec := json.NewDecoder(r.Body)
	if err := dec.Decode(v); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return err
		}
		return errBadJSON
	}
	return nil
}

// jsonReply answers with v as JSON.
func jsonReply(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	w.Write(b)
	w.Write([]byte("\n"))
}
