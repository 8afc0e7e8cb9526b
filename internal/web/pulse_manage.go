package web

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/rapport/rapport/internal/agent"
	"github.com/rapport/rapport/internal/survey"
	"github.com/rapport/rapport/internal/valid"
)

// pulseManageView is the data of the managers' pulse page: the pulses sent
// and a form for a new one.
type pulseManageView struct {
	Pulses []survey.Pulse
	Teams  []agent.Team
	Min    int
	Errors map[string]string
	Title  string
	TeamID int64
}

// pulseManage serves GET /manage/pulse.
func (s *server) pulseManage(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	return s.renderPulseManage(w, r, rc, http.StatusOK, pulseManageView{})
}

func (s *server) renderPulseManage(w http.ResponseWriter, r *http.Request, rc *reqCtx, status int, v pulseManageView) error {
	ps, err := s.surveys.Pulses(r.Context())
	if err != nil {
		return err
	}
	teams, err := s.teamsByName(r.Context(), rc.lang)
	if err != nil {
		return err
	}
	v.Pulses, v.Teams, v.Min = ps, teams, survey.MinPulseAnswers
	p := s.newPage(w, r, rc, "pulse.manage.title")
	p.Nav = "pulse_manage"
	p.Data = v
	s.render(w, r, status, "pulse_manage", p)
	return nil
}

// pulseCreate serves POST /manage/pulse: a new pulse to a team's agents or
// to all.
func (s *server) pulseCreate(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	title := strings.TrimSpace(r.PostForm.Get("title"))
	var team int64
	if t := r.PostForm.Get("team"); t != "" {
		n, err := strconv.ParseInt(t, 10, 64)
		if err != nil || n < 0 {
			return errBadForm
		}
		team = n
	}
	p, err := s.surveys.CreatePulse(r.Context(), rc.me.ID, title, team)
	var ve valid.Errors
	switch {
	case err == nil:
		s.log.Info("pulse created", "pulse_id", p.ID, "by_agent_id", rc.me.ID, "recipients", p.Recipients)
		s.setFlash(w, "flash.pulse_created")
		redirect(w, r, "/manage/pulse")
		return nil
	case errors.As(err, &ve):
		errs := map[string]string{}
		if ve["title"] != "" {
			errs["title"] = s.cat.T(rc.lang, "pulse.manage.title_required")
		}
		if ve["team"] != "" {
			errs["team"] = s.cat.T(rc.lang, "pulse.manage.no_team")
		}
		return s.renderPulseManage(w, r, rc, http.StatusUnprocessableEntity, pulseManageView{Errors: errs, Title: title, TeamID: team})
	}
	return err
}
