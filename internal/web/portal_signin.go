package web

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/rapport/rapport/internal/customer"
	"github.com/rapport/rapport/internal/portal"
	"github.com/rapport/rapport/internal/valid"
)

// Signing in to the customer portal (issue 16). A customer types an email
// address; when it is one Rapport knows for a customer, a link is mailed
// (portal.RequestLink), and the page says the same either way. The link's
// page (GET) only shows a button, so that mail scanners opening links spend
// nothing; the button (POST) spends the link, once, and opens a portal
// session: a cookie of its own, apart from agents' sessions.

// Settings of the portal's sign-in.
const (
	portalCookie     = "rapport_portal"      // the portal session
	portalFormCookie = "rapport_portal_form" // the sign-in form's double-submit CSRF token
	portalIPLimit    = 10                    // sign-in requests a client address may make …
	portalMailLimit  = 3                     // … and links one email address may be sent …
	portalWindow     = 15 * time.Minute      // … in this long
)

// portalView is the data of the portal's pages.
type portalView struct {
	// State: "signin" (the form), "sent" (the neutral answer), "link"
	// (the sign-in button of a mailed link), "refused" (a link that cannot
	// be used: Refusal says why), "home".
	State   string
	Token   string // the sign-in form's CSRF token, or the link's token
	Lang    string
	Refusal string // "used", "expired" or "unknown"
	Limited bool   // too many requests: wait

	CSRF     string // the portal session's CSRF token
	Customer customer.Customer
	Tickets  []portal.TicketRow
	Promises []portal.PromiseRow
	Surveys  []portal.SurveyAnswer
	Erasure  []portal.Erasure
	Thread   portal.Thread
}

// portalFormToken returns the sign-in form's CSRF token from its cookie,
// setting a new one when there is none (a visitor has no session yet).
func (s *server) portalFormToken(w http.ResponseWriter, r *http.Request) string {
	if c, err := r.Cookie(portalFormCookie); err == nil && len(c.Value) >= 32 {
		return c.Value
	}
	var b [32]byte
	rand.Read(b[:])
	token := base64.RawURLEncoding.EncodeToString(b[:])
	http.SetCookie(w, &http.Cookie{Name: portalFormCookie, Value: token, Path: "/portal",
		MaxAge: int((12 * time.Hour).Seconds()), HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: s.secure})
	return token
}

// portalLang is the language of the portal's public pages: the form's,
// else ?lang=, else the browser's.
func (s *server) portalLang(r *http.Request) string { return s.contactLang(r) }

func (s *server) renderPortal(w http.ResponseWriter, r *http.Request, rc *reqCtx, status int, title string, v portalView) {
	p := s.publicPage(w, r, rc, title)
	v.Lang = rc.lang
	p.Data = v
	s.render(w, r, status, "portal", p)
}

// portalSignInPage serves GET /portal/signin: the email form. A customer
// signed in already goes to their portal.
func (s *server) portalSignInPage(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	if s.loadPortalSession(r, rc) {
		redirect(w, r, "/portal")
		return nil
	}
	rc.lang = s.portalLang(r)
	v := portalView{State: "signin", Token: s.portalFormToken(w, r)}
	if r.URL.Query().Get("sent") == "1" {
		v.State = "sent"
	}
	s.renderPortal(w, r, rc, http.StatusOK, "portal.signin_title", v)
	return nil
}

// portalSignIn serves POST /portal/signin: it queues a link when the
// address is a customer's and answers alike whether or not it is. Limits:
// portalIPLimit requests per client address and portalMailLimit per email
// address per portalWindow, counted in the database across nodes.
func (s *server) portalSignIn(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	rc.lang = s.portalLang(r)
	c, err := r.Cookie(portalFormCookie)
	if err != nil || !validToken(r.PostForm.Get("csrf"), c.Value) {
		return errCSRF
	}
	email := strings.TrimSpace(r.PostForm.Get("email"))
	norm, msg := customer.NormalizeIdentity(customer.Email, email)
	if email == "" || msg != "" {
		fields := valid.Fields{}
		if email == "" {
			fields.Add("email", valid.Msg("valid.required", "is required"))
		} else {
			fields.Add("email", customer.IdentityMessage(customer.Email, msg))
		}
		prob, _ := s.asProblem(rc.lang, "portal", fields)
		p := s.publicPage(w, r, rc, "portal.signin_title")
		p.Problem, p.Form = prob, r.PostForm
		p.Data = portalView{State: "signin", Token: c.Value, Lang: rc.lang}
		s.render(w, r, prob.Status, "portal", p)
		return nil
	}
	if !s.allowed(r, "portal", portalIPLimit, portalWindow) || !s.portalMailAllowed(r, norm) {
		s.renderPortal(w, r, rc, http.StatusTooManyRequests, "portal.signin_title",
			portalView{State: "signin", Token: c.Value, Limited: true})
		return nil
	}
	if err := s.portal.RequestLink(r.Context(), norm, rc.lang); err != nil {
		return err
	}
	redirect(w, r, "/portal/signin?"+url.Values{"sent": {"1"}, "lang": {rc.lang}}.Encode())
	return nil
}

// portalMailAllowed counts a link asked for email, whoever asks.
func (s *server) portalMailAllowed(r *http.Request, email string) bool {
	ok, err := s.limits.Allow(r.Context(), "portal-mail:"+email, portalMailLimit, portalWindow)
	if err != nil {
		s.log.Error("rate limit not counted", "purpose", "portal-mail", slog.Any("error", err))
		return true
	}
	if !ok {
		s.log.Warn("rate-limited", "purpose", "portal-mail", "client_addr", s.clientAddr(r))
	}
	return ok
}

// portalLinkPage serves GET /portal/link/{token}: the sign-in button of a
// mailed link, or why it cannot be used. It spends nothing.
func (s *server) portalLinkPage(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	rc.lang = s.portalLang(r)
	if !s.allowed(r, "portal-link", portalIPLimit*3, portalWindow) {
		s.renderPortal(w, r, rc, http.StatusTooManyRequests, "portal.signin_title", portalView{State: "signin", Limited: true, Token: s.portalFormToken(w, r)})
		return nil
	}
	tok := r.PathValue("token")
	if err := s.portal.LinkState(r.Context(), tok); err != nil {
		return s.portalRefused(w, r, rc, err)
	}
	s.renderPortal(w, r, rc, http.StatusOK, "portal.link_title", portalView{State: "link", Token: tok})
	return nil
}

// portalLinkRedeem serves POST /portal/link/{token}: it spends the link
// and signs the customer in. The token is the credential, as a survey
// link's is; a second use is refused with a page saying so.
func (s *server) portalLinkRedeem(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	rc.lang = s.portalLang(r)
	if !s.allowed(r, "portal-link", portalIPLimit*3, portalWindow) {
		s.renderPortal(w, r, rc, http.StatusTooManyRequests, "portal.signin_title", portalView{State: "signin", Limited: true, Token: s.portalFormToken(w, r)})
		return nil
	}
	sess, err := s.portal.Redeem(r.Context(), r.PathValue("token"))
	if err != nil {
		return s.portalRefused(w, r, rc, err)
	}
	http.SetCookie(w, &http.Cookie{Name: portalCookie, Value: sess.Token, Path: "/portal",
		MaxAge: int(portal.DefaultSessionTTL.Seconds()), HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: s.secure})
	redirect(w, r, "/portal")
	return nil
}

// portalRefused shows why a link cannot be used: used before (410),
// expired (410), or unknown (404).
func (s *server) portalRefused(w http.ResponseWriter, r *http.Request, rc *reqCtx, err error) error {
	v := portalView{State: "refused", Token: s.portalFormToken(w, r)}
	status := http.StatusGone
	switch {
	case errors.Is(err, portal.ErrLinkUsed):
		v.Refusal = "used"
	case errors.Is(err, portal.ErrLinkExpired):
		v.Refusal = "expired"
	case errors.Is(err, portal.ErrLinkUnknown), errors.Is(err, portal.ErrBadToken):
		v.Refusal, status = "unknown", http.StatusNotFound
	default:
		return err
	}
	s.renderPortal(w, r, rc, status, "portal.refused_title", v)
	return nil
}

// loadPortalSession fills rc.customer from the portal cookie when it names
// a live session, and reports whether it did.
func (s *server) loadPortalSession(r *http.Request, rc *reqCtx) bool {
	if s.portal == nil {
		return false
	}
	c, err := r.Cookie(portalCookie)
	if err != nil || c.Value == "" {
		return false
	}
	sess, err := s.portal.SessionByToken(r.Context(), c.Value)
	if err != nil {
		if !errors.Is(err, portal.ErrNoSession) {
			s.log.Warn("portal session lookup failed", slog.Any("error", err))
		}
		return false
	}
	sess.Token = c.Value
	rc.customer = sess
	return true
}

// portalSignOut serves POST /portal/signout.
func (s *server) portalSignOut(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	if err := s.portal.SignOut(r.Context(), rc.customer.Token); err != nil {
		return err
	}
	http.SetCookie(w, &http.Cookie{Name: portalCookie, Value: "", Path: "/portal", MaxAge: -1,
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: s.secure})
	redirect(w, r, "/portal/signin")
	return nil
}
