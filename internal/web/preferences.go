package web

import (
	"log/slog"
	"net/http"

	"github.com/rapport/rapport/internal/agent"
	"github.com/rapport/rapport/internal/valid"
)

// preferencesView is the data of the preferences page.
type preferencesView struct {
	Languages      []string
	Availabilities []string
	BrowserLang    string // what "from the browser" currently means
	BusinessZone   string // the zone an agent who sets none reads times in
	// Leaderboard is whether the agent appears on the team page's
	// leaderboard (offered when BoardOn, with the goals service).
	BoardOn, Leaderboard bool
	// Tokens is the agent's API tokens card (issue 17).
	Tokens tokensView
	// TwoFactor is the agent's two-factor authentication card (issue 17).
	TwoFactor twoFactorView
}

// preferencesPage serves GET /preferences: the agent's UI language, time
// zone and availability.
func (s *server) preferencesPage(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	return s.renderPreferences(w, r, rc, nil)
}

func (s *server) renderPreferences(w http.ResponseWriter, r *http.Request, rc *reqCtx, prob *problem) error {
	return s.renderPreferencesWith(w, r, rc, prob, "")
}

// renderPreferencesWith renders the preferences page, with a token just
// made (secret) shown once.
func (s *server) renderPreferencesWith(w http.ResponseWriter, r *http.Request, rc *reqCtx, prob *problem, secret string) error {
	p := s.newPage(w, r, rc, "prefs.title")
	p.Nav = "preferences"
	status := http.StatusOK
	if prob != nil {
		p.Problem, p.Form, status = prob, r.PostForm, prob.Status
	}
	v := preferencesView{
		Languages:      s.cat.Languages(),
		Availabilities: agent.Availabilities,
		BrowserLang:    s.cat.Match(r.Header.Get("Accept-Language")),
		BusinessZone:   s.businessZone(r.Context()).String(),
	}
	if s.goals != nil {
		on, err := s.goals.OnLeaderboard(r.Context(), rc.me.ID)
		if err != nil {
			return err
		}
		v.BoardOn, v.Leaderboard = true, on
	}
	tokens, err := s.ownTokens(r, rc, secret)
	if err != nil {
		return err
	}
	v.Tokens = tokens
	if v.TwoFactor, err = s.twoFactorCard(r, rc); err != nil {
		return err
	}
	p.Data = v
	s.render(w, r, status, "preferences", p)
	return nil
}

// preferencesSave serves POST /preferences. The flash after saving is
// already in the newly chosen language.
func (s *server) preferencesSave(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	locale, avail, zone := r.PostForm.Get("locale"), r.PostForm.Get("availability"), r.PostForm.Get("time_zone")
	var err error
	if locale != "" && !s.cat.Has(locale) {
		err = valid.Field("locale", valid.Msg("valid.language", "is not a language code"))
	} else {
		_, err = s.agents.Update(r.Context(), rc.me.ID, agent.AgentUpdate{Locale: &locale, Availability: &avail, TimeZone: &zone})
	}
	if err != nil {
		prob, ok := s.asProblem(rc.lang, "preferences", err)
		if !ok {
			return err
		}
		return s.renderPreferences(w, r, rc, prob)
	}
	if avail == agent.Online && s.router != nil {
		// Tickets waiting for someone who speaks their language may now
		// have an owner. They are assigned by the job workers; the
		// preference is saved either way.
		if err := s.router.KickNow(r.Context()); err != nil {
			s.log.Warn("assignment not started", "agent_id", rc.me.ID, slog.Any("error", err))
		}
	}
	s.setFlash(w, "flash.preferences_saved")
	redirect(w, r, "/preferences")
	return nil
}
