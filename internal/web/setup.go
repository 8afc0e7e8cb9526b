package web

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/rapport/rapport/internal/business"
	"github.com/rapport/rapport/internal/channel/mailout"
	"github.com/rapport/rapport/internal/setup"
)

// setupCookie holds the double-submit CSRF token of the setup form: like
// the login form, it is posted before anyone has a session.
const setupCookie = "rapport_setup"

// setupZones are the time zones the setup form suggests; any IANA zone
// can be typed, and the browser's own fills the field.
var setupZones = []string{
	"Europe/Rome", "Europe/Riga", "Europe/Madrid", "Europe/Moscow", "Europe/London", "Europe/Berlin", "Europe/Paris",
	"America/New_York", "America/Chicago", "America/Los_Angeles", "Asia/Tokyo", "Australia/Sydney", "UTC",
}

// businessForm is what the profile's fields need (businessFields in
// business_fields.html), on the setup page and the business settings.
type businessForm struct {
	Zones    []string
	Served   map[string]bool      // languages ticked
	Pronouns map[string][2]string // the formal and informal "you" of each language that has two
}

// pronouns are the formal and the informal "you" of the languages with
// both, which name the register choices.
var pronouns = map[string][2]string{"it": {"Lei", "tu"}, "ru": {"вы", "ты"}, "lv": {"Jūs", "tu"}, "ca": {"vostè", "tu"}}

// newBusinessForm is the form with the languages served ticked.
func newBusinessForm(served []string) businessForm {
	f := businessForm{Zones: setupZones, Served: map[string]bool{}, Pronouns: pronouns}
	for _, l := range served {
		f.Served[l] = true
	}
	return f
}

// setupView is the data of the setup page.
type setupView struct {
	businessForm
	Token     string
	Tested    bool // a test mail was tried
	TestOK    bool
	TestError string // the relay's own words when the test failed
}

// needsSetup reports whether the first run is still to do. Once an admin
// exists the answer stays no for the life of the process, so that only a
// fresh deployment pays a query per request.
func (s *server) needsSetup(r *http.Request) bool {
	if s.setup == nil || s.setUp.Load() {
		return false
	}
	need, err := s.setup.Needed(r.Context())
	if err != nil {
		s.log.Warn("setup check failed", "error", err)
		return false
	}
	if !need {
		s.setUp.Store(true)
	}
	return need
}

// setupPage serves GET /setup: the first-run form, while no admin exists.
func (s *server) setupPage(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	if !s.needsSetup(r) {
		return errNotFound
	}
	p := s.newPage(w, r, rc, "setup.title")
	p.Form.Set("week", setup.DefaultWeek)
	v := setupView{Token: s.setupToken(w, r), businessForm: newBusinessForm(s.cat.Languages())}
	p.Form.Set("default_language", rc.lang)
	p.Data = v
	s.render(w, r, http.StatusOK, "setup", p)
	return nil
}

// setupToken returns the setup CSRF token of the browser's cookie, setting
// a new cookie when it has none.
func (s *server) setupToken(w http.ResponseWriter, r *http.Request) string {
	if c, err := r.Cookie(setupCookie); err == nil && len(c.Value) >= 32 {
		return c.Value
	}
	var b [32]byte
	rand.Read(b[:])
	token := base64.RawURLEncoding.EncodeToString(b[:])
	http.SetCookie(w, &http.Cookie{Name: setupCookie, Value: token, Path: "/setup",
		MaxAge: int((6 * time.Hour).Seconds()), HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: s.secure})
	return token
}

// profileForm reads the profile's fields of a form (businessFields).
func profileForm(f url.Values) business.Profile {
	regs := map[string]business.Register{}
	for l := range pronouns {
		if reg := f.Get("register_" + l); reg != "" {
			regs[l] = business.Register(reg)
		}
	}
	return business.Profile{Name: f.Get("name"), SenderName: f.Get("sender_name"), TimeZone: f.Get("time_zone"),
		Languages: f["languages"], DefaultLanguage: f.Get("default_language"), Registers: regs,
		Signature: f.Get("signature"), LogoURL: f.Get("logo_url")}
}

// profileValues is p as the form's values, to fill businessFields.
func profileValues(p business.Profile) url.Values {
	f := url.Values{"name": {p.Name}, "sender_name": {p.SenderName}, "time_zone": {p.TimeZone},
		"default_language": {p.Default()}, "signature": {p.Signature}, "logo_url": {p.LogoURL}}
	for l, r := range p.Registers {
		f.Set("register_"+l, string(r))
	}
	return f
}

// setupInput reads the setup form.
func setupInput(r *http.Request) setup.Input {
	f := r.PostForm
	return setup.Input{
		Business: profileForm(f),
		Week:     f.Get("week"),
		Relay:    mailout.RelaySettings{Addr: f.Get("smtp_relay"), Username: f.Get("smtp_user"), Password: f.Get("smtp_password")},
		Team:     f.Get("team"), AdminName: f.Get("admin_name"), Email: f.Get("email"), Password: f.Get("password"),
	}
}

// setupSubmit serves POST /setup: with action=test it sends a test mail
// through the relay in the form and shows what the relay said; otherwise
// it does the first run, signs the new admin in and opens the inbox.
func (s *server) setupSubmit(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	if !s.needsSetup(r) {
		return errNotFound
	}
	c, err := r.Cookie(setupCookie)
	if err != nil || !validToken(r.PostForm.Get("csrf"), c.Value) {
		return errCSRF
	}
	in := setupInput(r)
	v := setupView{Token: c.Value, businessForm: newBusinessForm(in.Business.Languages)}
	p := s.newPage(w, r, rc, "setup.title")
	p.Form = r.PostForm
	if r.PostForm.Get("action") == "test" {
		from := in.Business.SenderName
		if from == "" {
			from = in.Business.Name
		}
		err := mailout.TestMail(r.Context(), in.Relay, s.mailbox, strings.TrimSpace(from), strings.TrimSpace(r.PostForm.Get("test_to")),
			p.T("setup.test_subject"), p.T("setup.test_text")+"\n", rc.lang)
		v.Tested, v.TestOK = true, err == nil
		if err != nil {
			if prob, ok := s.asProblem(rc.lang, "setup", err); ok {
				p.Problem = prob
			} else {
				v.TestError = err.Error()
			}
		}
		p.Data = v
		s.render(w, r, http.StatusOK, "setup", p)
		return nil
	}
	id, err := s.setup.Run(r.Context(), in)
	if errors.Is(err, setup.ErrDone) {
		s.setUp.Store(true)
		return errNotFound
	}
	if err != nil {
		prob, ok := s.asProblem(rc.lang, "setup", err)
		if !ok {
			return err
		}
		p.Problem, p.Data = prob, v
		s.render(w, r, prob.Status, "setup", p)
		return nil
	}
	s.setUp.Store(true)
	s.log.Info("first run done", "agent_id", id)
	http.SetCookie(w, &http.Cookie{Name: setupCookie, Value: "", Path: "/setup", MaxAge: -1,
		HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: s.secure})
	if err := s.startSession(w, r, id); err != nil {
		return err
	}
	s.setFlash(w, "flash.setup_done")
	redirect(w, r, "/")
	return nil
}
