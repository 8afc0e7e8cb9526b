package web

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/rapport/rapport/internal/business"
	"github.com/rapport/rapport/internal/customer"
	"github.com/rapport/rapport/internal/i18n"
	"github.com/rapport/rapport/internal/intake"
	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/valid"
)

// Settings of the public contact form.
const (
	contactLimit      = 5                     // messages a client address may send …
	contactWindow     = 10 * time.Minute      // … in this long (see allowed)
	contactCookie     = "rapport_contact"     // the form's double-submit CSRF token
	contactRefCookie  = "rapport_contact_ref" // the ticket number the thank-you page shows
	contactMaxName    = 200
	contactMaxMessage = 20000
	// contactHoneypot is a field people never see (CSS hides it) and robots
	// fill in.
	contactHoneypot = "website"
)

// contactView is the data of the contact page: the form, or the thanks.
type contactView struct {
	Token string // the form's CSRF token, also in the contact cookie
	Lang  string // the language the form is in, sent back with it
	Ref   string // a referral code the form came with (?ref=), sent back with it
	Done  bool   // the thank-you page
	Num   int64  // on the thank-you page, the ticket number; 0 when unknown
}

// contactMessage is what the contact form stores as the raw inbound
// message: the form as the customer submitted it.
type contactMessage struct {
	Name     string `json:"name"`
	Email    string `json:"email"`
	Subject  string `json:"subject"`
	Message  string `json:"message"`
	Language string `json:"language"`
}

// contactLang is the language of the contact form: the one it was shown
// in when it comes back, else ?lang= from the language picker, else the
// browser's. A signed-in agent's own UI language does not matter here: the
// page is the customer's.
func (s *server) contactLang(r *http.Request) string {
	for _, l := range []string{r.PostForm.Get("lang"), r.URL.Query().Get("lang")} {
		if l != "" && s.cat.Has(l) {
			return l
		}
	}
	return s.cat.Match(r.Header.Get("Accept-Language"))
}

// contactToken returns the contact form's CSRF token from the browser's
// cookie, setting a new cookie when it has none, as loginToken does for
// the login form: a visitor has no session to keep a token in.
func (s *server) contactToken(w http.ResponseWriter, r *http.Request) string {
	if c, err := r.Cookie(contactCookie); err == nil && len(c.Value) >= 32 {
		return c.Value
	}
	var b [32]byte
	rand.Read(b[:])
	token := base64.RawURLEncoding.EncodeToString(b[:])
	http.SetCookie(w, &http.Cookie{Name: contactCookie, Value: token, Path: "/contact",
		MaxAge: int((12 * time.Hour).Seconds()), HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: s.secure})
	return token
}

// publicPage starts a page customers see: without the agents' header
// and menu, even when an agent opens it.
func (s *server) publicPage(w http.ResponseWriter, r *http.Request, rc *reqCtx, title string) *page {
	p := s.newPage(w, r, rc, title)
	p.Me, p.CSRF = nil, ""
	p.informal = s.customerVoice(r.Context(), p.Lang).Informal()
	p.Title = p.T(title)
	return p
}

// customerVoice is lang in the register the business speaks to its
// customers in (formal when the profile cannot be read).
func (s *server) customerVoice(ctx context.Context, lang string) i18n.Voice {
	informal := false
	if s.business != nil {
		if prof, err := s.business.Profile(ctx); err == nil {
			informal = prof.RegisterOf(lang) == business.Informal
		}
	}
	return s.cat.Voice(lang, informal)
}

// contactPage serves GET /contact: the form customers write to the team
// with, in their language.
func (s *server) contactPage(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	rc.lang = s.contactLang(r)
	s.renderContact(w, r, rc, s.contactToken(w, r), nil)
	return nil
}

func (s *server) renderContact(w http.ResponseWriter, r *http.Request, rc *reqCtx, token string, prob *problem) {
	p := s.publicPage(w, r, rc, "contact.title")
	status := http.StatusOK
	if prob != nil {
		p.Problem, p.Form, status = prob, r.PostForm, prob.Status
	}
	ref := r.URL.Query().Get("ref")
	if r.Method == http.MethodPost {
		ref = r.PostForm.Get("ref")
	}
	p.Data = contactView{Token: token, Lang: rc.lang, Ref: ref}
	s.render(w, r, status, "contact", p)
}

// contactSubmit serves POST /contact. The message goes through intake like
// every other contact (channel web), which opens the ticket and queues the
// acknowledgement to the customer. A filled-in honeypot gets the thank-you
// page and stores nothing; a client address that sent too much is told to
// wait (429).
func (s *server) contactSubmit(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	rc.lang = s.contactLang(r)
	c, err := r.Cookie(contactCookie)
	if err != nil || !validToken(r.PostForm.Get("csrf"), c.Value) {
		return errCSRF
	}
	f := r.PostForm
	thanks := "/contact/thanks?" + url.Values{"lang": {rc.lang}}.Encode()
	if strings.TrimSpace(f.Get(contactHoneypot)) != "" {
		s.allowed(r, "contact", contactLimit, contactWindow) // robots use up their quota too
		s.log.Info("contact form honeypot filled", "client_addr", s.clientAddr(r))
		redirect(w, r, thanks)
		return nil
	}
	m := contactMessage{
		Name: strings.TrimSpace(f.Get("name")), Email: strings.TrimSpace(f.Get("email")),
		Subject: strings.TrimSpace(f.Get("subject")), Message: strings.TrimSpace(f.Get("message")), Language: rc.lang,
	}
	errs := valid.Fields{}
	if m.Email == "" {
		errs.Add("email", valid.Msg("valid.required", "is required"))
	} else if _, msg := customer.NormalizeIdentity(customer.Email, m.Email); msg != "" {
		errs.Add("email", customer.IdentityMessage(customer.Email, msg))
	}
	if m.Message == "" {
		errs.Add("message", valid.Msg("valid.required", "is required"))
	} else if utf8.RuneCountInString(m.Message) > contactMaxMessage {
		errs.Add("message", valid.Msg("valid.longer_than", "is longer than %d characters", contactMaxMessage))
	}
	if utf8.RuneCountInString(m.Name) > contactMaxName {
		errs.Add("name", valid.Msg("valid.longer_than", "is longer than %d characters", contactMaxName))
	}
	if utf8.RuneCountInString(m.Subject) > intake.MaxSubject {
		errs.Add("subject", valid.Msg("valid.longer_than", "is longer than %d characters", intake.MaxSubject))
	}
	if err := errs.Err(); err != nil {
		prob, _ := s.asProblem(rc.lang, "contact", err)
		s.renderContact(w, r, rc, c.Value, prob)
		return nil
	}
	if !s.allowed(r, "contact", contactLimit, contactWindow) {
		s.renderContact(w, r, rc, c.Value, &problem{Status: http.StatusTooManyRequests, Form: "contact",
			Fields: map[string]string{}, Message: s.customerVoice(r.Context(), rc.lang).T("contact.rate_limited")})
		return nil
	}
	if err := s.contactReferral(r, m); err != nil {
		return err
	}
	raw, err := json.Marshal(m)
	if err != nil {
		return err
	}
	res, err := s.intake.Receive(r.Context(), intake.Inbound{
		Channel: "web", Mailbox: "contact-form",
		From:    intake.Sender{Kind: customer.Email, Value: m.Email, Name: m.Name},
		Subject: m.Subject, Text: m.Message, Language: m.Language, Raw: raw,
	})
	if err != nil {
		prob, ok := s.asProblem(rc.lang, "contact", err)
		if !ok {
			return err
		}
		s.renderContact(w, r, rc, c.Value, prob)
		return nil
	}
	s.log.Info("contact form received", "ticket_id", res.TicketID, "duplicate", res.Duplicate)
	s.contactDeflected(r)
	http.SetCookie(w, &http.Cookie{Name: contactRefCookie, Value: strconv.FormatInt(res.TicketID, 10), Path: "/contact",
		MaxAge: int(time.Hour.Seconds()), HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: s.secure})
	redirect(w, r, thanks)
	return nil
}

// contactThanks serves GET /contact/thanks: the reference of the new
// ticket and the promise of a confirmation email.
func (s *server) contactThanks(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	rc.lang = s.contactLang(r)
	v := contactView{Lang: rc.lang, Done: true}
	if c, err := r.Cookie(contactRefCookie); err == nil {
		if n, err := strconv.ParseInt(c.Value, 10, 64); err == nil && n > 0 {
			v.Num = n
		}
	}
	p := s.publicPage(w, r, rc, "contact.thanks_title")
	p.Data = v
	s.render(w, r, http.StatusOK, "contact", p)
	return nil
}

// contactReferral records who referred a new customer writing through a
// referral link (the form's "ref"): the customer is made here, referred,
// before intake opens the ticket for them, so that the ticket counts as a
// referral. An unknown code, or a customer we know already, records
// nothing: referrals bring new customers.
func (s *server) contactReferral(r *http.Request, m contactMessage) error {
	code := strings.TrimSpace(r.PostForm.Get("ref"))
	if code == "" {
		return nil
	}
	ctx := r.Context()
	by, err := s.customers.ByReferralCode(ctx, code)
	if errors.Is(err, store.ErrNotFound) {
		s.log.Info("contact form with an unknown referral code")
		return nil
	}
	if err != nil {
		return err
	}
	if _, err := s.customers.FindByIdentity(ctx, customer.Email, m.Email); !errors.Is(err, store.ErrNotFound) {
		return err // known already (nil), or the lookup failed
	}
	c, err := s.customers.Create(ctx, customer.NewCustomer{Name: m.Name, Language: m.Language, Emails: []string{m.Email}})
	if err != nil {
		return err
	}
	if err := s.customers.SetReferrer(ctx, c.ID, by); err != nil {
		return err
	}
	s.log.Info("contact form referral", "customer_id", c.ID, "referred_by", by)
	return nil
}
