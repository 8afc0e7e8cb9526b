package web

import (
	"errors"
	"net/http"

	"github.com/rapport/rapport/internal/survey"
)

// surveyThanks serves GET /survey/{token}/thanks, the page after the
// answers are saved, with a way back to change them while the link works.
func (s *server) surveyThanks(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	if !s.surveyAllowed(w, r, rc) {
		return nil
	}
	token := r.PathValue("token")
	sv, err := s.surveys.Lookup(r.Context(), token)
	v := surveyView{State: "thanks", Token: token, TicketID: sv.TicketID}
	switch {
	case errors.Is(err, survey.ErrExpired):
		v.Token = "" // thank them, but offer no change
	case err != nil:
		return s.surveyFailed(w, r, rc, sv, err)
	}
	rc.lang = sv.Language
	s.renderSurvey(w, r, rc, http.StatusOK, v)
	return nil
}
