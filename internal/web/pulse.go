package web

import (
	"errors"
	"log/slog"
	"net/http"

	"github.com/rapport/rapport/internal/survey"
)

// pulseView is the data of the agent's pulse page.
type pulseView struct {
	Pulse     survey.Pulse
	None      bool // nothing waits for an answer
	Scales    []string
	Levels    []int
	Min       int
	MaxText   int
	Errors    map[string]string // localized, by field
	Submitted map[string]string // the answers as given, after a problem
}

// pendingPulse is the pulse waiting for the signed-in agent's answer, 0 for
// none: every page shows a link to it until it is answered.
func (s *server) pendingPulse(r *http.Request, rc *reqCtx) int64 {
	if s.surveys == nil || !rc.loggedIn {
		return 0
	}
	p, err := s.surveys.PendingPulse(r.Context(), rc.me.ID)
	if err != nil {
		if !errors.Is(err, survey.ErrNotFound) {
			s.log.Warn("pending pulse unavailable", "agent_id", rc.me.ID, slog.Any("error", err))
		}
		return 0
	}
	return p.ID
}

// pulsePage serves GET /pulse: the pulse survey waiting for the agent, or
// a note that none is.
func (s *server) pulsePage(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	p, err := s.surveys.PendingPulse(r.Context(), rc.me.ID)
	if errors.Is(err, survey.ErrNotFound) {
		s.renderPulse(w, r, rc, http.StatusOK, pulseView{None: true})
		return nil
	}
	if err != nil {
		return err
	}
	s.renderPulse(w, r, rc, http.StatusOK, pulseView{Pulse: p})
	return nil
}

func (s *server) renderPulse(w http.ResponseWriter, r *http.Request, rc *reqCtx, status int, v pulseView) {
	v.Scales, v.Levels, v.Min, v.MaxText = survey.PulseScales, []int{1, 2, 3, 4, 5}, survey.MinPulseAnswers, survey.MaxPulseObstacles
	p := s.newPage(w, r, rc, "pulse.title")
	p.Nav = "pulse"
	p.Data = v
	s.render(w, r, status, "pulse", p)
}

// SurveysOn reports whether the survey settings and the pulse are offered.
func (p *page) SurveysOn() bool { return p.s.surveys != nil }
