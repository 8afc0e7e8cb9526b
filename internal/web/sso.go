package web

import (
	"errors"
	"net/http"

	"github.com/rapport/rapport/internal/agent"
	"github.com/rapport/rapport/internal/sso"
)

// ssoCookie holds the state of a sign-in sent to a provider, so only the
// browser that started it can finish it. SameSite Lax: the provider sends
// the browser back with a top-level GET from its own site.
const ssoCookie = "rapport_sso"

// ssoBegin serves GET /login/sso/{id}: it starts a sign-in through
// provider id and sends the browser there.
func (s *server) ssoBegin(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	next := localPath(r.URL.Query().Get("next"))
	if rc.loggedIn {
		redirect(w, r, next)
		return nil
	}
	authURL, state, err := s.sso.Begin(r.Context(), id, next)
	if err != nil {
		return s.ssoProblem(w, r, rc, next, err)
	}
	http.SetCookie(w, &http.Cookie{Name: ssoCookie, Value: state, Path: "/login/sso",
		MaxAge: int(sso.FlowTTL.Seconds()), HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: s.secure})
	http.Redirect(w, r, authURL, http.StatusSeeOther)
	return nil
}

// ssoCallback serves GET /login/sso/callback: the provider's answer. A
// verified identity of an active agent starts a session, or the second
// step when the agent has two-factor authentication on.
func (s *server) ssoCallback(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	q := r.URL.Query()
	ret := sso.Return{State: q.Get("state"), Code: q.Get("code"), Error: q.Get("error"), Addr: s.clientAddr(r)}
	if c, err := r.Cookie(ssoCookie); err == nil {
		ret.CookieState = c.Value
	}
	http.SetCookie(w, &http.Cookie{Name: ssoCookie, Value: "", Path: "/login/sso", MaxAge: -1,
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: s.secure})
	res, err := s.sso.Finish(r.Context(), ret)
	next := localPath(res.Next)
	var step *agent.SecondStepError
	switch {
	case errors.As(err, &step):
		s.toSecondStep(w, r, step, next)
		return nil
	case err != nil:
		return s.ssoProblem(w, r, rc, next, err)
	}
	if err := s.startSession(w, r, res.Agent.ID); err != nil {
		return err
	}
	s.log.Info("login", "agent_id", res.Agent.ID, "via", "sso")
	redirect(w, r, s.standardFirst(r, res.Agent.ID, next))
	return nil
}

// ssoProblem shows the login page with why the sign-in through a provider
// failed.
func (s *server) ssoProblem(w http.ResponseWriter, r *http.Request, rc *reqCtx, next string, err error) error {
	prob, ok := s.asProblem(rc.lang, "login", err)
	if !ok {
		return err
	}
	p := s.newPage(w, r, rc, "login.title")
	p.Problem = prob
	v, lerr := s.loginData(r, w, next)
	if lerr != nil {
		return lerr
	}
	p.Data = v
	s.render(w, r, prob.Status, "login", p)
	return nil
}
