package web

import (
	"crypto/subtle"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/rapport/rapport/internal/agent"
	"github.com/rapport/rapport/internal/audit"
	"github.com/rapport/rapport/internal/portal"
	"github.com/rapport/rapport/internal/valid"
)

// handlerFunc is a UI handler: it renders or redirects on success and
// returns any error for fail to render as a page.
type handlerFunc func(w http.ResponseWriter, r *http.Request, rc *reqCtx) error

// reqCtx is what wrap learns about a request before its handler runs.
type reqCtx struct {
	me       agent.Agent
	sess     agent.Session
	token    string
	loggedIn bool
	lang     string
	// The customer signed in to the portal, on portal routes only.
	customer portal.Session
}

// Cookie names.
const (
	sessionCookie = "rapport_session"
	loginCookie   = "rapport_login" // double-submit CSRF token of the login form
	flashCookie   = "rapport_flash"
)

// wrap turns a route into an http.Handler: it limits the body, finds the
// session, picks the language, checks the CSRF token of every POST and the
// route's permission — the one place the UI checks roles — and renders the
// handler's error.
func (s *server) wrap(rt route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if p := recover(); p != nil {
				if p == http.ErrAbortHandler {
					panic(p)
				}
				s.log.Error("handler panic", "method", r.Method, "path", r.URL.Path, slog.Any("panic", p))
				s.fail(w, r, &reqCtx{lang: s.cat.Match(r.Header.Get("Accept-Language"))}, errors.New("panic"))
			}
		}()
		if rt.pattern == staticPattern {
			// Assets need no session, language or form.
			rt.handle(w, r, nil)
			return
		}
		// A fresh deployment has no admin: every page of the team (and the
		// login) leads to the first run. Customers' pages (contact form,
		// survey and follow-up links) keep working.
		// Portal routes are the customers' and have a session of their own.
		agentOnly := rt.perm != public && rt.perm != portalCustomer
		if (agentOnly || strings.HasSuffix(rt.pattern, " /login")) && s.needsSetup(r) {
			redirect(w, r, "/setup")
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, s.bodyLimit(rt.pattern, r))
		rc := &reqCtx{}
		s.loadSession(r, rc)
		// Who acts and from where, for the audit log the services write.
		r = r.WithContext(audit.WithActor(r.Context(), audit.Actor{AgentID: rc.me.ID, Addr: s.clientAddr(r)}))
		rc.lang = s.language(r, rc)
		if rt.perm == portalCustomer && !s.loadPortalSession(r, rc) {
			redirect(w, r, "/portal/signin")
			return
		}
		if agentOnly && !rc.loggedIn {
			s.toLogin(w, r)
			return
		}
		// A parameter the address carries that cannot be read is a 400
		// naming it, never a filter silently dropped.
		if _, err := valid.ParseQuery(r.URL.RawQuery); err != nil {
			var fields valid.Fields
			errors.As(err, &fields)
			s.fail(w, r, rc, &badQuery{fields: fields})
			return
		}
		if r.Method == http.MethodPost {
			if err := parseForm(r); err != nil {
				var tooBig *http.MaxBytesError
				switch {
				case !errors.As(err, &tooBig):
					err = errBadForm
				case composerUploadRoutes[rt.pattern]:
					err = errFilesTooLarge
				}
				s.fail(w, r, rc, err)
				return
			}
			if !sameOrigin(r) {
				s.fail(w, r, rc, errCSRF)
				return
			}
			// The login form has its own defence: there is no session yet.
			if agentOnly && !validToken(submittedToken(r), rc.sess.CSRFToken) {
				s.fail(w, r, rc, errCSRF)
				return
			}
			if rt.perm == portalCustomer && !validToken(submittedToken(r), rc.customer.CSRF) {
				s.fail(w, r, rc, errCSRF)
				return
			}
		}
		if agentOnly && s.mustEnrol(w, r, rt, rc) {
			return
		}
		if agentOnly && !rc.me.Can(rt.perm) {
			s.fail(w, r, rc, errForbidden)
			return
		}
		if err := rt.handle(w, r, rc); err != nil {
			s.fail(w, r, rc, err)
		}
	})
}

// loadSession fills rc from the session cookie, when it names a live session.
func (s *server) loadSession(r *http.Request, rc *reqCtx) {
	c, err := r.Cookie(sessionCookie)
	if err != nil || c.Value == "" {
		return
	}
	sess, me, err := s.agents.SessionByToken(r.Context(), c.Value)
	if err != nil {
		if !errors.Is(err, agent.ErrSessionExpired) {
			s.log.Warn("session lookup failed", slog.Any("error", err))
		}
		return
	}
	rc.me, rc.sess, rc.token, rc.loggedIn = me, sess, c.Value, true
}

// language picks the UI language: the agent's own choice, else the
// browser's Accept-Language; on pages without a session a ?lang= link wins.
func (s *server) language(r *http.Request, rc *reqCtx) string {
	if rc.loggedIn && rc.me.Locale != "" && s.cat.Has(rc.me.Locale) {
		return rc.me.Locale
	}
	if !rc.loggedIn {
		if l := r.URL.Query().Get("lang"); l != "" && s.cat.Has(l) {
			return l
		}
	}
	return s.cat.Match(r.Header.Get("Accept-Language"))
}

// toLogin sends a visitor without a session to the login page, coming back
// to the page they asked for afterwards.
func (s *server) toLogin(w http.ResponseWriter, r *http.Request) {
	target := "/login"
	if r.Method == http.MethodGet && r.URL.Path != "/" {
		target += "?next=" + url.QueryEscape(r.URL.RequestURI())
	}
	http.Redirect(w, r, target, http.StatusSeeOther)
}

// csrfHeader carries the CSRF token of requests made by app.js, whose JSON
// bodies have no form field for it.
const csrfHeader = "X-CSRF-Token"

// submittedToken is the CSRF token a POST carries: the form's csrf field,
// else the X-CSRF-Token header.
func submittedToken(r *http.Request) string {
	if tok := r.PostForm.Get("csrf"); tok != "" {
		return tok
	}
	return r.Header.Get(csrfHeader)
}

// validToken compares a submitted CSRF token with the expected one in
// constant time; an empty expected token never matches.
func validToken(got, want string) bool {
	return want != "" && subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}

// sameOrigin rejects a POST whose Origin header names another site. Browsers
// send Origin on form posts; a request without one (an old browser, a test
// client) still has to pass the token check.
func sameOrigin(r *http.Request) bool {
	origin := r.Header.Get("Origin")
	if origin == "" {
		return true
	}
	if origin == "null" {
		return false
	}
	u, err := url.Parse(origin)
	return err == nil && strings.EqualFold(u.Host, r.Host)
}

// clientAddr is the address the request came from: the key of every rate
// limit and the address recorded with sessions (and by anything else that
// records one). Its forwarding headers count only when the peer is one of
// --trusted-proxies (clientaddr.Proxies.Of); the API uses the same function.
func (s *server) clientAddr(r *http.Request) string { return s.proxies.Of(r) }

// allowed counts a hit of purpose (e.g. "survey") from the request's client
// address against max per window, in the database so that the limit holds
// across nodes. A database failure lets the request through, logged: the
// limit is a brake, not a gate the public pages should fall with.
func (s *server) allowed(r *http.Request, purpose string, max int, window time.Duration) bool {
	addr := s.clientAddr(r)
	ok, err := s.limits.Allow(r.Context(), purpose+":"+addr, max, window)
	if err != nil {
		s.log.Error("rate limit not counted", "purpose", purpose, "client_addr", addr, slog.Any("error", err))
		return true
	}
	if !ok {
		s.log.Warn("rate-limited", "purpose", purpose, "client_addr", addr)
	}
	return ok
}

// localPath returns next when it is a path on this site, else "/": the
// login redirect must not become an open redirect.
func localPath(next string) string {
	if next == "" || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") {
		return "/"
	}
	u, err := url.Parse(next)
	if err != nil || u.Host != "" || u.Scheme != "" {
		return "/"
	}
	return next
}

// redirect answers a successful POST: see the result at target.
func redirect(w http.ResponseWriter, r *http.Request, target string) {
	http.Redirect(w, r, target, http.StatusSeeOther)
}
