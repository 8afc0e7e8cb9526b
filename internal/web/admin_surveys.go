package web

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/rapport/rapport/internal/survey"
	"github.com/rapport/rapport/internal/valid"
)

// adminSurveysView is the data of the survey settings page.
type adminSurveysView struct {
	Settings  survey.Settings
	Questions []string // every question, in order, for the checkboxes
	Previews  []surveyPreview
	Errors    map[string]string // localized, by field
}

// surveyPreview is the invitation in one language.
type surveyPreview struct {
	Lang    string
	Subject string
	Text    string
}

// adminSurveys serves GET /admin/surveys: the survey settings and a
// preview of the email in every language.
func (s *server) adminSurveys(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	st, err := s.surveys.Settings(r.Context())
	if err != nil {
		return err
	}
	s.renderAdminSurveys(w, r, rc, http.StatusOK, st, nil)
	return nil
}

func (s *server) renderAdminSurveys(w http.ResponseWriter, r *http.Request, rc *reqCtx, status int, st survey.Settings, errs map[string]string) {
	p := s.newPage(w, r, rc, "survey.admin.title")
	p.Nav = "surveys"
	v := adminSurveysView{Settings: st, Questions: survey.Questions, Errors: errs}
	saved, err := s.surveys.Settings(r.Context())
	if err != nil {
		s.fail(w, r, rc, err)
		return
	}
	for _, lang := range s.cat.Languages() {
		e := s.surveys.Preview(r.Context(), lang, saved)
		v.Previews = append(v.Previews, surveyPreview{Lang: lang, Subject: e.Subject, Text: e.Text})
	}
	p.Data = v
	s.render(w, r, status, "admin_surveys", p)
}

// adminSurveysSave serves POST /admin/surveys.
func (s *server) adminSurveysSave(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	f := r.PostForm
	errs := map[string]string{}
	num := func(field, key string) int {
		n, err := strconv.Atoi(strings.TrimSpace(f.Get(field)))
		if err != nil {
			errs[field] = s.cat.T(rc.lang, key)
		}
		return n
	}
	st := survey.Settings{
		Enabled:    f.Get("enabled") == "on",
		Questions:  f["questions"],
		WindowDays: num("window_days", "survey.admin.invalid_days"),
		ExpiryDays: num("expiry_days", "survey.admin.invalid_days"),
		DelayHours: num("delay_hours", "survey.admin.invalid_hours"),
		Incentive:  f.Get("incentive"),
	}
	if len(errs) == 0 {
		saved, err := s.surveys.SaveSettings(r.Context(), st)
		if err == nil {
			s.log.Info("survey settings saved", "by_agent_id", rc.me.ID, "enabled", saved.Enabled)
			s.setFlash(w, "flash.survey_saved")
			redirect(w, r, "/admin/surveys")
			return nil
		}
		var ve valid.Errors
		if !errors.As(err, &ve) {
			return err
		}
		keys := map[string]string{"questions": "survey.admin.invalid_questions", "window_days": "survey.admin.invalid_days",
			"expiry_days": "survey.admin.invalid_days", "delay_hours": "survey.admin.invalid_hours", "incentive": "survey.admin.invalid_incentive"}
		for field := range ve {
			errs[field] = s.cat.T(rc.lang, keys[field])
		}
	}
	s.renderAdminSurveys(w, r, rc, http.StatusUnprocessableEntity, st, errs)
	return nil
}
