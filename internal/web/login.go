package web

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/rapport/rapport/internal/agent"
	"github.com/rapport/rapport/internal/sso"
)

// loginView is the data of the login page.
type loginView struct {
	Email string
	Next  string
	Token string // the login form's CSRF token, also in the login cookie
	// Providers are the single sign-on buttons: "Sign in with Name".
	Providers []sso.Link
}

// loginData is the login page's data for a browser about to sign in.
func (s *server) loginData(r *http.Request, w http.ResponseWriter, next string) (loginView, error) {
	v := loginView{Next: next, Token: s.loginToken(w, r)}
	if s.sso != nil {
		links, err := s.sso.Links(r.Context())
		if err != nil {
			return loginView{}, err
		}
		v.Providers = links
	}
	return v, nil
}

// loginPage serves GET /login. It sets the double-submit cookie that the
// login form's hidden token must match: there is no session to hold a
// token yet, and a third-party page can neither read this cookie nor set it.
func (s *server) loginPage(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	next := localPath(r.URL.Query().Get("next"))
	if rc.loggedIn {
		redirect(w, r, next)
		return nil
	}
	v, err := s.loginData(r, w, next)
	if err != nil {
		return err
	}
	p := s.newPage(w, r, rc, "login.title")
	p.Data = v
	s.render(w, r, http.StatusOK, "login", p)
	return nil
}

// loginToken returns the login CSRF token of the browser's cookie, setting
// a new cookie when it has none.
func (s *server) loginToken(w http.ResponseWriter, r *http.Request) string {
	if c, err := r.Cookie(loginCookie); err == nil && len(c.Value) >= 32 {
		return c.Value
	}
	var b [32]byte
	rand.Read(b[:])
	token := base64.RawURLEncoding.EncodeToString(b[:])
	http.SetCookie(w, &http.Cookie{Name: loginCookie, Value: token, Path: "/login",
		MaxAge: int((2 * time.Hour).Seconds()), HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: s.secure})
	return token
}

// login serves POST /login: it checks the form's token against the login
// cookie, then the email and password (rate-limited per client address and
// per email), starts a session and goes to the page the agent asked for.
func (s *server) login(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	c, err := r.Cookie(loginCookie)
	if err != nil || !validToken(r.PostForm.Get("csrf"), c.Value) {
		return errCSRF
	}
	next := localPath(r.PostForm.Get("next"))
	email := r.PostForm.Get("email")
	me, err := s.agents.Authenticate(r.Context(), email, r.PostForm.Get("password"), s.clientAddr(r))
	if err == nil {
		err = s.startSession(w, r, me.ID)
		if err == nil {
			http.SetCookie(w, &http.Cookie{Name: loginCookie, Value: "", Path: "/login", MaxAge: -1,
				HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: s.secure})
			s.log.Info("login", "agent_id", me.ID)
			redirect(w, r, s.standardFirst(r, me.ID, next))
			return nil
		}
	}
	var step *agent.SecondStepError
	if errors.As(err, &step) {
		s.toSecondStep(w, r, step, next)
		return nil
	}
	prob, ok := s.asProblem(rc.lang, "login", err)
	if !ok {
		return err
	}
	var wait *agent.WaitError
	if errors.As(err, &wait) {
		w.Header().Set("Retry-After", strconv.Itoa(waitSeconds(wait)))
	}
	if errors.Is(err, agent.ErrRateLimited) {
		s.log.Warn("login rate-limited", "client_addr", s.clientAddr(r))
	}
	v, err := s.loginData(r, w, next)
	if err != nil {
		return err
	}
	v.Email = email
	p := s.newPage(w, r, rc, "login.title")
	p.Problem = prob
	p.Data = v
	s.render(w, r, prob.Status, "login", p)
	return nil
}

// logout serves POST /logout: it ends the session and forgets the cookie.
func (s *server) logout(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	if err := s.agents.DeleteSession(r.Context(), rc.token); err != nil {
		return err
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: s.secure})
	s.setFlash(w, "flash.logged_out")
	redirect(w, r, "/login")
	return nil
}

// startSession signs agent id in on this browser: a new session and its
// cookie.
func (s *server) startSession(w http.ResponseWriter, r *http.Request, id int64) error {
	token, _, err := s.agents.CreateSession(r.Context(), id, r.UserAgent(), s.clientAddr(r))
	if err != nil {
		return err
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: token, Path: "/",
		MaxAge: int(agent.SessionTTL.Seconds()), HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: s.secure})
	return nil
}
