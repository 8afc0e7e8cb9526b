package web

import (
	"errors"
	"net/http"

	"github.com/rapport/rapport/internal/text"
	"github.com/rapport/rapport/internal/ticket"
)

// The follow-up page answers the mail's question "did the solution hold?".
// Like the survey pages it is public, the link's token its only credential
// and its CSRF defence (see survey_page.go), and rate-limited per client
// address. A GET only shows the question with two buttons, forms that
// POST: mail scanners that open every link answer nothing. Works without
// JavaScript.

// followUpView is the data of the follow-up page in each of its states.
type followUpView struct {
	State    string // "ask", "done", "answered", "expired", "not_found" or "limited"
	Token    string
	TicketID int64
	Subject  string
	Answer   text.Answer // the answer just recorded ("done"), or the one asked for by the link ("ask")
}

// followUpPage serves GET /followup/{token}: the question and the two
// buttons; ?answer=yes or no (the mail's links) puts that button first.
func (s *server) followUpPage(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	if !s.followUpAllowed(w, r, rc) {
		return nil
	}
	token := r.PathValue("token")
	f, err := s.tickets.FollowUpByToken(r.Context(), token)
	if err != nil {
		return s.followUpFailed(w, r, rc, err)
	}
	t, err := s.tickets.Get(r.Context(), f.TicketID)
	if err != nil {
		return err
	}
	s.followUpLang(rc, t)
	v := followUpView{State: "ask", Token: token, TicketID: t.ID, Subject: t.Subject, Answer: text.Answer(r.URL.Query().Get("answer"))}
	switch {
	case f.AnsweredAt != nil:
		v.State = "answered"
	case !s.clock.Now().Before(f.ExpiresAt):
		v.State = "expired"
	}
	s.renderFollowUp(w, r, rc, http.StatusOK, v)
	return nil
}

// followUpAnswer serves POST /followup/{token}: it records answer=yes or
// no, once; a second post shows that the answer is already recorded.
func (s *server) followUpAnswer(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	if !s.followUpAllowed(w, r, rc) {
		return nil
	}
	token := r.PathValue("token")
	a := text.Answer(r.PostForm.Get("answer"))
	if a != text.AnswerYes && a != text.AnswerNo {
		http.Error(w, "answer must be yes or no", http.StatusBadRequest)
		return nil
	}
	f, err := s.tickets.AnswerFollowUp(r.Context(), token, a)
	if err != nil {
		return s.followUpFailed(w, r, rc, err)
	}
	t, err := s.tickets.Get(r.Context(), f.TicketID)
	if err != nil {
		return err
	}
	s.followUpLang(rc, t)
	s.log.Info("follow-up answered", "ticket_id", t.ID, "answer", string(a))
	s.renderFollowUp(w, r, rc, http.StatusOK, followUpView{State: "done", TicketID: t.ID, Subject: t.Subject, Answer: a})
	return nil
}

// followUpLang writes the page in the ticket's language, else the
// browser's.
func (s *server) followUpLang(rc *reqCtx, t ticket.Ticket) {
	if t.Language != "" && s.cat.Has(t.Language) {
		rc.lang = t.Language
	}
}

// followUpAllowed counts the request against the client's limit and, when
// it is over, answers 429 with a page saying so.
func (s *server) followUpAllowed(w http.ResponseWriter, r *http.Request, rc *reqCtx) bool {
	if s.allowed(r, "followup", surveyLimit, surveyWindow) {
		return true
	}
	rc.lang = s.surveyLang(r)
	s.renderFollowUp(w, r, rc, http.StatusTooManyRequests, followUpView{State: "limited"})
	return false
}

// followUpFailed shows the page for a link that does not work: unknown
// (404), expired (410) or already answered (409, nothing changed).
func (s *server) followUpFailed(w http.ResponseWriter, r *http.Request, rc *reqCtx, err error) error {
	rc.lang = s.surveyLang(r)
	switch {
	case errors.Is(err, ticket.ErrFollowUpAnswered):
		s.renderFollowUp(w, r, rc, http.StatusConflict, followUpView{State: "answered"})
	case errors.Is(err, ticket.ErrFollowUpExpired):
		s.renderFollowUp(w, r, rc, http.StatusGone, followUpView{State: "expired"})
	case errors.Is(err, ticket.ErrNotFound):
		s.renderFollowUp(w, r, rc, http.StatusNotFound, followUpView{State: "not_found"})
	default:
		return err
	}
	return nil
}

func (s *server) renderFollowUp(w http.ResponseWriter, r *http.Request, rc *reqCtx, status int, v followUpView) {
	p := s.publicPage(w, r, rc, "followup.title")
	p.Data = v
	s.render(w, r, status, "followup", p)
}
