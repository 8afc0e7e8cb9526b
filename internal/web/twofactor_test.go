package web

import (
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/rapport/rapport/internal/agent"
	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/store/storetest"
)

var (
	secretField   = regexp.MustCompile(`id="tf-secret" type="text" readonly value="([A-Z2-7]+)"`)
	recoveryField = regexp.MustCompile(`<li><code>([a-z0-9]{5}-[a-z0-9]{5})</code></li>`)
)

// totpCode is the code of secret now, made by the library.
func totpCode(t *testing.T, secret string, now time.Time) string {
	t.Helper()
	c, err := totp.GenerateCode(secret, now)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// enrolWeb switches two-factor on through the preferences page of the
// signed-in browser c and returns the secret and the recovery codes shown.
func enrolWeb(t *testing.T, f *fixture, c *client) (string, []string) {
	t.Helper()
	page := c.get(t, "/preferences")
	mustCode(t, page, http.StatusOK, "preferences")
	contains(t, page.body, []string{"Two-factor authentication is off.", `action="/preferences/2fa/begin"`}, nil)
	c.csrf = csrfIn(t, page.body)
	mustCode(t, c.post(t, "/preferences/2fa/begin", nil), http.StatusSeeOther, "begin")
	page = c.get(t, "/preferences")
	m := secretField.FindStringSubmatch(page.body)
	if m == nil {
		t.Fatalf("no secret on the page: %s", page.body)
	}
	secret := m[1]
	contains(t, page.body, []string{html.EscapeString("otpauth://totp/Rapport:"), "secret=" + secret}, nil)
	// A wrong code does not switch it on.
	res := c.post(t, "/preferences/2fa/confirm", url.Values{"code": {"000000"}})
	mustCode(t, res, http.StatusUnauthorized, "confirm with a wrong code")
	contains(t, res.body, []string{"That code is not right"}, []string{"recovery-codes"})
	res = c.post(t, "/preferences/2fa/confirm", url.Values{"code": {totpCode(t, secret, f.clock.Now())}})
	mustCode(t, res, http.StatusOK, "confirm")
	var codes []string
	for _, m := range recoveryField.FindAllStringSubmatch(res.body, -1) {
		codes = append(codes, m[1])
	}
	if len(codes) != agent.RecoveryCodes {
		t.Fatalf("%d recovery codes shown: %s", len(codes), res.body)
	}
	page = c.get(t, "/preferences")
	contains(t, page.body, []string{"Two-factor authentication is on.", "10 recovery codes left."}, []string{codes[0]})
	return secret, codes
}

// passwordStep posts the right password of who from a new browser and
// returns it at the second step.
func passwordStep(t *testing.T, f *fixture, who string) *client {
	t.Helper()
	c := f.newClient(t)
	page := c.get(t, "/login")
	res := c.post(t, "/login", url.Values{"csrf": {csrfIn(t, page.body)}, "email": {who + "@rapport.test"}, "password": {testPassword}})
	mustCode(t, res, http.StatusSeeOther, "password")
	if loc := res.header.Get("Location"); loc != "/login/code" {
		t.Fatalf("after the password to %q, want /login/code", loc)
	}
	for _, ck := range (&http.Response{Header: res.header}).Cookies() {
		if ck.Name == sessionCookie {
			t.Fatal("a session was made before the second factor")
		}
	}
	mustCode(t, c.get(t, "/"), http.StatusSeeOther, "inbox before the code")
	return c
}

// codeStep posts code at the second step and returns the answer.
func codeStep(t *testing.T, c *client, code string) response {
	t.Helper()
	page := c.get(t, "/login/code")
	mustCode(t, page, http.StatusOK, "code page")
	return c.post(t, "/login/code", url.Values{"csrf": {csrfIn(t, page.body)}, "code": {code}})
}

func TestTwoFactorWeb(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		c := f.login(t, "agent")
		secret, recovery := enrolWeb(t, f, c)
		f.clock.Advance(30 * time.Second)

		// The password alone does not sign in; a wrong code is refused.
		b := passwordStep(t, f, "agent")
		res := codeStep(t, b, "123456")
		mustCode(t, res, http.StatusUnauthorized, "wrong code")
		mustCode(t, b.get(t, "/"), http.StatusSeeOther, "inbox after a wrong code")
		good := totpCode(t, secret, f.clock.Now())
		mustCode(t, codeStep(t, b, good), http.StatusSeeOther, "right code")
		mustCode(t, b.get(t, "/"), http.StatusOK, "inbox after the code")

		// The same code again, from another browser, is a replay.
		mustCode(t, codeStep(t, passwordStep(t, f, "agent"), good), http.StatusUnauthorized, "replayed code")

		// A recovery code works once.
		b = passwordStep(t, f, "agent")
		mustCode(t, codeStep(t, b, strings.ToUpper(recovery[0])), http.StatusSeeOther, "recovery code")
		mustCode(t, b.get(t, "/"), http.StatusOK, "inbox after a recovery code")
		mustCode(t, codeStep(t, passwordStep(t, f, "agent"), recovery[0]), http.StatusUnauthorized, "recovery code again")

		// Switching off needs a current code.
		f.clock.Advance(time.Minute)
		page := b.get(t, "/preferences")
		contains(t, page.body, []string{"9 recovery codes left."}, nil)
		b.csrf = csrfIn(t, page.body)
		mustCode(t, b.post(t, "/preferences/2fa/disable", url.Values{"code": {"000000"}}), http.StatusUnauthorized, "disable with a wrong code")
		mustCode(t, b.post(t, "/preferences/2fa/disable", url.Values{"code": {totpCode(t, secret, f.clock.Now())}}), http.StatusSeeOther, "disable")
		f.login(t, "agent")
	})
}

func TestTwoFactorRequiredForRole(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db, fixtureOpts{require2FA: []agent.Role{agent.RoleAdmin}})
		// Other roles are not held up.
		f.login(t, "agent")

		c := f.newClient(t)
		page := c.get(t, "/login")
		mustCode(t, c.post(t, "/login", url.Values{"csrf": {csrfIn(t, page.body)}, "email": {"admin@rapport.test"},
			"password": {testPassword}}), http.StatusSeeOther, "admin password")
		for _, path := range []string{"/", "/admin/agents", idPath("/tickets/", f.ids["ticket"], "")} {
			res := c.get(t, path)
			mustCode(t, res, http.StatusSeeOther, path+" without two-factor")
			if loc := res.header.Get("Location"); loc != "/preferences#twofactor" {
				t.Errorf("%s sends to %q, want the enrolment", path, loc)
			}
		}
		page = c.get(t, "/preferences")
		mustCode(t, page, http.StatusOK, "preferences")
		contains(t, page.body, []string{"Switch on two-factor authentication first: your role requires it.",
			"Your role must use two-factor authentication"}, nil)
		c.csrf = csrfIn(t, page.body)
		// A form elsewhere is refused too.
		res := c.post(t, "/preferences", url.Values{"locale": {"it"}})
		mustCode(t, res, http.StatusSeeOther, "other form without two-factor")
		enrolWeb(t, f, c)
		mustCode(t, c.get(t, "/admin/agents"), http.StatusOK, "admin page after enrolment")
	})
}

func TestTwoFactorAdminReset(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		enrolWeb(t, f, f.login(t, "agent"))
		admin := f.login(t, "admin")
		page := admin.get(t, idPath("/admin/agents/", f.ids["agent"], ""))
		contains(t, page.body, []string{"This agent signs in with a code from an app."}, nil)
		// Not for managers.
		mgr := f.login(t, "manager")
		mustCode(t, mgr.post(t, idPath("/admin/agents/", f.ids["agent"], "/2fa/reset"), nil), http.StatusForbidden, "manager reset")
		mustCode(t, admin.post(t, idPath("/admin/agents/", f.ids["agent"], "/2fa/reset"), nil), http.StatusSeeOther, "admin reset")
		// The password alone signs in again.
		f.login(t, "agent")
		res := admin.post(t, idPath("/admin/agents/", f.ids["agent"], "/2fa/reset"), nil)
		mustCode(t, res, http.StatusConflict, "reset twice")
	})
}
