package web

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/rapport/rapport/internal/i18n"
	"github.com/rapport/rapport/internal/survey"
	"github.com/rapport/rapport/internal/valid"
)

// Survey pages are public: the link token is the customer's only
// credential. It is also the pages' CSRF defence: another site cannot post
// an answer without knowing the token, which lives only in the customer's
// email and on these pages (Referrer-Policy keeps it off other sites), and
// wrap rejects posts whose Origin is another site. Every request counts
// against the client address's limit, so tokens cannot be guessed at
// speed.
const (
	surveyLimit  = 60               // survey page requests a client address may make …
	surveyWindow = 10 * time.Minute // … in this long
)

// surveyView is the data of the survey page in each of its states.
type surveyView struct {
	State    string // "form", "thanks", "final", "not_found", "expired" or "limited"
	Token    string
	TicketID int64
	Recorded bool   // a one-click answer was just recorded
	OneClick string // the question of the link: the form posts itself (survey.js)
	// CustomerID is whose survey it is, in whose zone ChangeUntil, the
	// end of the time the answers may change (zero before any), is told.
	CustomerID  int64
	ChangeUntil time.Time
	Invalid     bool // some answers were rejected
	Questions   []surveyQuestion
	Until       string // the expiry date, on the expired page
	MaxText     int
	// ReferralURL, on a promoter's thanks page, is their referral link,
	// and ReferralCode its code, which a friend may also give when buying
	// (the purchase API and import take it as referral_code).
	ReferralURL, ReferralCode string
}

// surveyQuestion is one question of the form, with its current answer.
type surveyQuestion struct {
	Name    string
	Text    string
	Choices []survey.Choice
	Value   string
	Error   string
	Wide    bool // NPS: eleven choices
}

// surveyLang is the language of a survey page without a survey: ?lang=,
// else the browser's.
func (s *server) surveyLang(r *http.Request) string {
	if l := r.URL.Query().Get("lang"); l != "" && s.cat.Has(l) {
		return l
	}
	return s.cat.Match(r.Header.Get("Accept-Language"))
}

// surveyAllowed counts the request against the client's limit and, when it
// is over, answers 429 with a page saying so.
func (s *server) surveyAllowed(w http.ResponseWriter, r *http.Request, rc *reqCtx) bool {
	if s.allowed(r, "survey", surveyLimit, surveyWindow) {
		return true
	}
	rc.lang = s.surveyLang(r)
	s.renderSurvey(w, r, rc, http.StatusTooManyRequests, surveyView{State: "limited"})
	return false
}

// surveyPage serves GET (and HEAD) /survey/{token}, and records nothing:
// link scanners that open every link in a mail must not answer for the
// customer. With ?q=QUESTION&v=VALUE, the one-click link of the email, the
// form shows that answer chosen and posts itself when JavaScript runs (so
// it stays one click), with its button to press otherwise. ?done=QUESTION,
// where that post leads, thanks for the answer and offers the rest.
func (s *server) surveyPage(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	if !s.surveyAllowed(w, r, rc) {
		return nil
	}
	token := r.PathValue("token")
	sv, err := s.surveys.Lookup(r.Context(), token)
	if err != nil {
		return s.surveyFailed(w, r, rc, sv, err)
	}
	rc.lang = sv.Language
	if sv.Final(s.clock.Now()) {
		return s.surveyFailed(w, r, rc, sv, survey.ErrFinal)
	}
	query := r.URL.Query()
	q := query.Get("q")
	if q == "" {
		done := query.Get("done")
		if sv.Answers.Value(done) == "" {
			done = "" // nothing recorded for it: no thanks
		}
		s.renderSurveyForm(w, r, rc, http.StatusOK, surveyForm{token: token, sv: sv, done: done})
		return nil
	}
	form := url.Values{"q": {q}, "v": {query.Get("v")}}
	if _, err := survey.ParseAnswers(form); err != nil {
		var ve valid.Errors
		if !errors.As(err, &ve) {
			return err
		}
		s.renderSurveyForm(w, r, rc, http.StatusBadRequest, surveyForm{token: token, sv: sv, problems: ve})
		return nil
	}
	chosen := url.Values{}
	for _, x := range survey.Questions {
		chosen.Set(x, sv.Answers.Value(x))
	}
	chosen.Set(q, strings.TrimSpace(query.Get("v")))
	s.renderSurveyForm(w, r, rc, http.StatusOK, surveyForm{token: token, sv: sv, form: chosen, oneClick: q})
	return nil
}

// surveyFailed shows the friendly page for a link that does not work:
// unknown (404) or expired (410). Other errors go to the error page.
func (s *server) surveyFailed(w http.ResponseWriter, r *http.Request, rc *reqCtx, sv survey.Survey, err error) error {
	switch {
	case errors.Is(err, survey.ErrExpired):
		rc.lang = sv.Language
		p := s.publicPage(w, r, rc, "survey.page.expired_title")
		// The last day in the customer's zone, as the invitation said it.
		if c, err := s.customers.Get(r.Context(), sv.CustomerID); err == nil {
			p.Zone = s.customerZone(r.Context(), c)
		}
		s.renderSurvey(w, r, rc, http.StatusGone, surveyView{State: "expired", Until: p.Date(sv.ExpiresAt)})
		return nil
	case errors.Is(err, survey.ErrFinal):
		rc.lang = sv.Language
		status := http.StatusOK // a reader of the link, not a refused change
		if r.Method == http.MethodPost {
			status = http.StatusConflict
		}
		s.renderSurvey(w, r, rc, status, surveyView{State: "final", CustomerID: sv.CustomerID})
		return nil
	case errors.Is(err, survey.ErrNotFound):
		rc.lang = s.surveyLang(r)
		s.renderSurvey(w, r, rc, http.StatusNotFound, surveyView{State: "not_found"})
		return nil
	}
	return err
}

// surveyForm is what renderSurveyForm shows.
type surveyForm struct {
	token    string
	sv       survey.Survey
	done     string       // the question just answered by link: thanked, not asked again
	oneClick string       // the question of the link being confirmed (the form posts itself)
	form     url.Values   // the values to show instead of the answers so far
	problems valid.Errors // rejected answers
}

// renderSurveyForm shows the questions that are on, except f.done, each
// with the answer given so far or, after a rejected post or from a link,
// as in f.form, and the problems.
func (s *server) renderSurveyForm(w http.ResponseWriter, r *http.Request, rc *reqCtx, status int, f surveyForm) {
	st, err := s.surveys.Settings(r.Context())
	if err != nil {
		s.fail(w, r, rc, err)
		return
	}
	sv, problems := f.sv, f.problems
	v := surveyView{State: "form", Token: f.token, TicketID: sv.TicketID, Recorded: f.done != "", Invalid: len(problems) > 0,
		MaxText: survey.MaxComment, OneClick: f.oneClick, CustomerID: sv.CustomerID, ChangeUntil: sv.ChangeUntil()}
	for _, q := range survey.Questions {
		// A question with a problem shows even if it was switched off
		// since, so that its message has a place; so does the question
		// of a link.
		if q == f.done || (!st.Asks(q) && problems[q] == "" && q != f.oneClick) {
			continue
		}
		sq := surveyQuestion{Name: q, Text: s.surveys.Question(r.Context(), sv.Language, q), Choices: s.surveys.Choices(r.Context(), sv.Language, q),
			Value: sv.Answers.Value(q), Wide: q == survey.NPS}
		if f.form != nil {
			sq.Value = f.form.Get(q)
		}
		if msg, bad := problems[q]; bad && msg != "" {
			sq.Error = s.surveyProblem(s.customerVoice(r.Context(), sv.Language), q)
		}
		v.Questions = append(v.Questions, sq)
	}
	if problems["q"] != "" {
		v.Invalid = true
	}
	s.renderSurvey(w, r, rc, status, v)
}

// surveyProblem is the customer's message for a rejected answer to q.
func (s *server) surveyProblem(v i18n.Voice, q string) string {
	if lo, hi, ok := survey.Scale(q); ok {
		return v.T("survey.err.scale", lo, hi)
	}
	switch q {
	case survey.Return:
		return v.T("survey.err.return")
	case survey.Comment:
		return v.T("survey.err.comment", survey.MaxComment)
	}
	return v.T("survey.err.question")
}

// renderSurvey renders the survey page, for customers: no agent header.
func (s *server) renderSurvey(w http.ResponseWriter, r *http.Request, rc *reqCtx, status int, v surveyView) {
	title := "survey.page.title"
	switch v.State {
	case "thanks", "final":
		title = "survey.page.thanks_title"
	case "not_found":
		title = "survey.page.not_found_title"
	case "expired":
		title = "survey.page.expired_title"
	}
	p := s.publicPage(w, r, rc, title)
	if v.CustomerID != 0 {
		if c, err := s.customers.Get(r.Context(), v.CustomerID); err == nil {
			p.Zone = s.customerZone(r.Context(), c)
		}
	}
	p.Data = v
	s.render(w, r, status, "survey", p)
}
