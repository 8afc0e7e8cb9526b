package web

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/rapport/rapport/internal/agent"
)

// pendingCookie holds the token of a sign-in waiting for its second factor:
// not a session, good for agent.PendingLoginTTL on /login paths only.
const pendingCookie = "rapport_2fa"

// twoFactorView is the two-factor card of the preferences page.
type twoFactorView struct {
	agent.TwoFactor
	Required bool     // the agent's role must use it
	Recovery []string // the recovery codes just made, shown once
}

// recoveryShown carries the recovery codes of a confirmed enrolment to the
// page that shows them once.
type recoveryShown struct{}

// twoFactorCard reads the agent's two-factor state for the preferences page.
func (s *server) twoFactorCard(r *http.Request, rc *reqCtx) (twoFactorView, error) {
	tf, err := s.agents.TwoFactorState(r.Context(), rc.me.ID)
	if err != nil {
		return twoFactorView{}, err
	}
	codes, _ := r.Context().Value(recoveryShown{}).([]string)
	required, err := s.twoFactorRequired(r.Context(), rc.me.Role)
	if err != nil {
		return twoFactorView{}, err
	}
	return twoFactorView{TwoFactor: tf, Required: required, Recovery: codes}, nil
}

// twoFactorRequired reports whether agents of role must use two-factor
// authentication: the server's --require-2fa-roles, a floor no admin can
// lower, or the admins' setting (/admin/sso).
func (s *server) twoFactorRequired(ctx context.Context, role agent.Role) (bool, error) {
	if s.require2FA[role] {
		return true, nil
	}
	roles, err := s.agents.TwoFactorRoles(ctx)
	return slices.Contains(roles, role), err
}

// mustEnrol sends an agent whose role must use two-factor authentication,
// and who has it off, to the preferences page to switch it on, before
// anything else; it reports whether it did.
func (s *server) mustEnrol(w http.ResponseWriter, r *http.Request, rt route, rc *reqCtx) bool {
	switch {
	case rt.pattern == "GET /preferences", rt.pattern == "POST /logout",
		strings.HasPrefix(rt.pattern, "POST /preferences/2fa/"):
		return false
	}
	required, err := s.twoFactorRequired(r.Context(), rc.me.Role)
	if err != nil {
		s.fail(w, r, rc, err)
		return true
	}
	if !required {
		return false
	}
	on, err := s.agents.TwoFactorEnabled(r.Context(), rc.me.ID)
	if err != nil {
		s.fail(w, r, rc, err)
		return true
	}
	if on {
		return false
	}
	s.setFlash(w, "flash.twofactor_required")
	redirect(w, r, "/preferences#twofactor")
	return true
}

// codeView is the data of the sign-in's second step.
type codeView struct {
	Next  string
	Token string // the login form's CSRF token
}

// loginCodePage serves GET /login/code: the second step of a sign-in, the
// form for the authenticator's code or a recovery code.
func (s *server) loginCodePage(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	next := localPath(r.URL.Query().Get("next"))
	if rc.loggedIn {
		redirect(w, r, next)
		return nil
	}
	if c, err := r.Cookie(pendingCookie); err != nil || c.Value == "" {
		redirect(w, r, "/login")
		return nil
	}
	p := s.newPage(w, r, rc, "twofactor.step_title")
	p.Data = codeView{Next: next, Token: s.loginToken(w, r)}
	s.render(w, r, http.StatusOK, "login_code", p)
	return nil
}

// loginCode serves POST /login/code: the code of a pending sign-in. A
// right one starts the session; a wrong one counts as a failed login.
func (s *server) loginCode(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	c, err := r.Cookie(loginCookie)
	if err != nil || !validToken(r.PostForm.Get("csrf"), c.Value) {
		return errCSRF
	}
	next := localPath(r.PostForm.Get("next"))
	pc, err := r.Cookie(pendingCookie)
	if err != nil || pc.Value == "" {
		redirect(w, r, "/login")
		return nil
	}
	me, err := s.agents.CompleteSecondStep(r.Context(), pc.Value, r.PostForm.Get("code"), s.clientAddr(r))
	if err == nil {
		if err := s.startSession(w, r, me.ID); err != nil {
			return err
		}
		for _, name := range []string{loginCookie, pendingCookie} {
			http.SetCookie(w, &http.Cookie{Name: name, Value: "", Path: "/login", MaxAge: -1,
				HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: s.secure})
		}
		s.log.Info("login", "agent_id", me.ID, "second_factor", true)
		redirect(w, r, s.standardFirst(r, me.ID, next))
		return nil
	}
	if errors.Is(err, agent.ErrPendingExpired) {
		http.SetCookie(w, &http.Cookie{Name: pendingCookie, Value: "", Path: "/login", MaxAge: -1,
			HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: s.secure})
	}
	prob, ok := s.asProblem(rc.lang, "login", err)
	if !ok {
		return err
	}
	var wait *agent.WaitError
	if errors.As(err, &wait) {
		w.Header().Set("Retry-After", strconv.Itoa(waitSeconds(wait)))
	}
	p := s.newPage(w, r, rc, "twofactor.step_title")
	p.Problem = prob
	p.Data = codeView{Next: next, Token: c.Value}
	s.render(w, r, prob.Status, "login_code", p)
	return nil
}

// toSecondStep answers a right password of an agent with two-factor on:
// the pending sign-in's cookie and the code form.
func (s *server) toSecondStep(w http.ResponseWriter, r *http.Request, step *agent.SecondStepError, next string) {
	http.SetCookie(w, &http.Cookie{Name: pendingCookie, Value: step.Token, Path: "/login",
		MaxAge: int(agent.PendingLoginTTL.Seconds()), HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: s.secure})
	target := "/login/code"
	if next != "/" {
		target += "?next=" + url.QueryEscape(next)
	}
	redirect(w, r, target)
}

// twoFactorBegin serves POST /preferences/2fa/begin: a new secret to enter
// into the authenticator app, off until confirmed.
func (s *server) twoFactorBegin(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	if _, err := s.agents.BeginTwoFactor(r.Context(), rc.me.ID); err != nil {
		return s.twoFactorProblem(w, r, rc, err)
	}
	redirect(w, r, "/preferences#twofactor")
	return nil
}

// twoFactorConfirm serves POST /preferences/2fa/confirm: the first code
// switches two-factor on, and the recovery codes are shown, once.
func (s *server) twoFactorConfirm(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	codes, err := s.agents.ConfirmTwoFactor(r.Context(), rc.me.ID, r.PostForm.Get("code"))
	if err != nil {
		return s.twoFactorProblem(w, r, rc, err)
	}
	w.Header().Set("Cache-Control", "no-store")
	r = r.WithContext(context.WithValue(r.Context(), recoveryShown{}, codes))
	return s.renderPreferences(w, r, rc, nil)
}

// twoFactorDisable serves POST /preferences/2fa/disable: a current code
// switches two-factor off.
func (s *server) twoFactorDisable(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	if err := s.agents.DisableTwoFactor(r.Context(), rc.me.ID, r.PostForm.Get("code")); err != nil {
		return s.twoFactorProblem(w, r, rc, err)
	}
	s.setFlash(w, "flash.twofactor_disabled")
	redirect(w, r, "/preferences#twofactor")
	return nil
}

// twoFactorProblem shows err on the two-factor card, or returns it.
func (s *server) twoFactorProblem(w http.ResponseWriter, r *http.Request, rc *reqCtx, err error) error {
	prob, ok := s.asProblem(rc.lang, "twofactor", err)
	if !ok {
		return err
	}
	return s.renderPreferences(w, r, rc, prob)
}

// adminTwoFactorReset serves POST /admin/agents/{id}/2fa/reset: two-factor
// off for an agent who lost both phone and recovery codes.
func (s *server) adminTwoFactorReset(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := s.agents.ResetTwoFactor(r.Context(), id); err != nil {
		prob, ok := s.asProblem(rc.lang, "twofactor", err)
		if !ok {
			return err
		}
		return s.renderAdminAgent(w, r, rc, id, prob)
	}
	s.log.Info("two-factor reset", "agent_id", id, "by_agent_id", rc.me.ID)
	s.setFlash(w, "flash.twofactor_reset")
	redirect(w, r, adminAgentURL(id)+"#twofactor")
	return nil
}
