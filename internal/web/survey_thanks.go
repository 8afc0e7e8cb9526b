package web

import (
	"errors"
	"net/http"
	"net/url"
	"time"

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
	v := surveyView{State: "thanks", Token: token, TicketID: sv.TicketID, CustomerID: sv.CustomerID, ChangeUntil: sv.ChangeUntil()}
	switch {
	case errors.Is(err, survey.ErrExpired) || (err == nil && sv.Final(s.clock.Now())):
		v.Token, v.ChangeUntil = "", time.Time{} // thank them, but offer no change
	case err != nil:
		return s.surveyFailed(w, r, rc, sv, err)
	}
	rc.lang = sv.Language
	if err == nil && sv.Answers.NPS != nil && *sv.Answers.NPS >= promoterNPS {
		// A promoter is offered a link to bring others: a contact through
		// it records them as the referrer (see contactSubmit).
		code, err := s.customers.ReferralCode(r.Context(), sv.CustomerID)
		if err != nil {
			return err
		}
		v.ReferralCode = code
		v.ReferralURL = s.absURL(r, "/contact?"+url.Values{"ref": {code}, "lang": {sv.Language}}.Encode())
	}
	s.renderSurvey(w, r, rc, http.StatusOK, v)
	return nil
}

// promoterNPS is the lowest NPS answer of a promoter.
const promoterNPS = 9

// absURL is path on the host the request came to, for a link people copy.
func (s *server) absURL(r *http.Request, path string) string {
	scheme := "http"
	if s.secure || r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host + path
}
