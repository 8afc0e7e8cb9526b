package web

import (
	"errors"
	"net/http"
	"net/url"
	"slices"

	"github.com/rapport/rapport/internal/survey"
	"github.com/rapport/rapport/internal/valid"
)

// surveySubmit serves POST /survey/{token}: it saves the answers given
// (questions left empty keep their earlier answers; each change is kept)
// and sends the customer to the thank-you page, or, for the post of a
// one-click link (oneclick=QUESTION), back to the form for the other
// questions; rejected answers bring the form back with a message by each
// (400); answers past their time to change are final (409).
//
// The link's token in the path is the post's credential, as on every
// survey page (see survey_page.go): no session and no CSRF cookie, which a
// customer's mail client may not keep, and wrap refuses another site's
// Origin.
func (s *server) surveySubmit(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	if !s.surveyAllowed(w, r, rc) {
		return nil
	}
	token := r.PathValue("token")
	sv, err := s.surveys.Lookup(r.Context(), token)
	if err != nil {
		return s.surveyFailed(w, r, rc, sv, err)
	}
	rc.lang = sv.Language
	form := r.PostForm
	form.Del("q") // the one-click pair belongs to links, not to the form
	oneClick := form.Get("oneclick")
	form.Del("oneclick")
	if !slices.Contains(survey.Questions, oneClick) {
		oneClick = ""
	}
	a, err := survey.ParseAnswers(form)
	if err == nil {
		sv, err = s.surveys.Answer(r.Context(), token, a)
	}
	var ve valid.Errors
	switch {
	case errors.As(err, &ve):
		s.renderSurveyForm(w, r, rc, http.StatusBadRequest, surveyForm{token: token, sv: sv, form: form, oneClick: oneClick, problems: ve})
		return nil
	case err != nil:
		return s.surveyFailed(w, r, rc, sv, err)
	}
	s.log.Info("survey answered", "survey_id", sv.ID, "one_click", oneClick)
	if oneClick != "" {
		redirect(w, r, "/survey/"+token+"?"+url.Values{"done": {oneClick}}.Encode())
		return nil
	}
	redirect(w, r, "/survey/"+token+"/thanks")
	return nil
}
