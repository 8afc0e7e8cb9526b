package web

import (
	"errors"
	"net/http"

	"github.com/rapport/rapport/internal/survey"
	"github.com/rapport/rapport/internal/valid"
)

// surveySubmit serves POST /survey/{token}: it saves the answers given
// (questions left empty keep their earlier answers) and sends the customer
// to the thank-you page; rejected answers bring the form back with a
// message by each (400).
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
	a, err := survey.ParseAnswers(form)
	if err == nil {
		sv, err = s.surveys.Answer(r.Context(), token, a)
	}
	var ve valid.Errors
	switch {
	case errors.As(err, &ve):
		s.renderSurveyForm(w, r, rc, http.StatusBadRequest, token, sv, "", form, ve)
		return nil
	case err != nil:
		return s.surveyFailed(w, r, rc, sv, err)
	}
	s.log.Info("survey answered", "survey_id", sv.ID)
	redirect(w, r, "/survey/"+token+"/thanks")
	return nil
}
