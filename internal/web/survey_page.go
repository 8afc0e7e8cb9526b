package web

import (
	"errors"
	"net/http"
	"net/url"
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
	State     string // "form", "thanks", "not_found", "expired" or "limited"
	Token     string
	TicketID  int64
	Recorded  bool // a one-click answer was just recorded
	Invalid   bool // some answers were rejected
	Questions []surveyQuestion
	Until     string // the expiry date, on the expired page
	MaxText   int
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

// surveyPage serves GET /survey/{token}. With ?q=QUESTION&v=VALUE, the
// one-click link of the email, it records that answer first (again on a
// double click, harmlessly) and then offers the other questions; without
// it, every question, filled in with the answers so far.
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
	query := r.URL.Query()
	if query.Get("q") == "" {
		s.renderSurveyForm(w, r, rc, http.StatusOK, token, sv, "", nil, nil)
		return nil
	}
	a, err := survey.ParseAnswers(url.Values{"q": {query.Get("q")}, "v": {query.Get("v")}})
	if err == nil {
		sv, err = s.surveys.Answer(r.Context(), token, a)
	}
	var ve valid.Errors
	switch {
	case errors.As(err, &ve):
		s.renderSurveyForm(w, r, rc, http.StatusBadRequest, token, sv, "", nil, ve)
		return nil
	case err != nil:
		return s.surveyFailed(w, r, rc, sv, err)
	}
	s.log.Info("survey answered by link", "survey_id", sv.ID, "question", query.Get("q"))
	s.renderSurveyForm(w, r, rc, http.StatusOK, token, sv, query.Get("q"), nil, nil)
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
	case errors.Is(err, survey.ErrNotFound):
		rc.lang = s.surveyLang(r)
		s.renderSurvey(w, r, rc, http.StatusNotFound, surveyView{State: "not_found"})
		return nil
	}
	return err
}

// renderSurveyForm shows the questions that are on, except done (the one
// just answered by link), each with the answer given so far or, after a
// rejected post, as the customer filled it in (form), and the problems.
func (s *server) renderSurveyForm(w http.ResponseWriter, r *http.Request, rc *reqCtx, status int, token string, sv survey.Survey, done string, form url.Values, problems valid.Errors) {
	st, err := s.surveys.Settings(r.Context())
	if err != nil {
		s.fail(w, r, rc, err)
		return
	}
	v := surveyView{State: "form", Token: token, TicketID: sv.TicketID, Recorded: done != "", Invalid: len(problems) > 0, MaxText: survey.MaxComment}
	for _, q := range survey.Questions {
		// A question with a problem shows even if it was switched off
		// since, so that its message has a place.
		if q == done || (!st.Asks(q) && problems[q] == "") {
			continue
		}
		sq := surveyQuestion{Name: q, Text: s.surveys.Question(r.Context(), sv.Language, q), Choices: s.surveys.Choices(r.Context(), sv.Language, q),
			Value: sv.Answers.Value(q), Wide: q == survey.NPS}
		if form != nil {
			sq.Value = form.Get(q)
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
	case "thanks":
		title = "survey.page.thanks_title"
	case "not_found":
		title = "survey.page.not_found_title"
	case "expired":
		title = "survey.page.expired_title"
	}
	p := s.publicPage(w, r, rc, title)
	p.Data = v
	s.render(w, r, status, "survey", p)
}
