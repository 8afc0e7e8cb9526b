package web

import (
	"context"
	"html"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	gosundheit "github.com/AppsFlyer/go-sundheit"
	dexserver "github.com/dexidp/dex/server"
	"github.com/dexidp/dex/server/signer"
	dexstorage "github.com/dexidp/dex/storage"
	"github.com/dexidp/dex/storage/memory"
	dexweb "github.com/dexidp/dex/web"
	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/crypto/bcrypt"

	"github.com/rapport/rapport/internal/agent"
	"github.com/rapport/rapport/internal/audit"
	"github.com/rapport/rapport/internal/sso"
	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/store/storetest"
)

// dexPassword is the password of every person at the test provider.
const dexPassword = "dex password 1"

// dex is a real OpenID provider, Dex, run in this process over its
// in-memory storage, with a static client for Rapport and people with
// passwords (its local connector), on the fixture's clock.
type dex struct {
	issuer  string
	storage dexstorage.Storage
}

// startDex starts Dex with Rapport's callback as the client's redirect URI.
func startDex(t *testing.T, f *fixture) *dex {
	t.Helper()
	ctx := context.Background()
	log := slog.New(slog.DiscardHandler)
	hs := httptest.NewUnstartedServer(nil)
	issuer := "http://" + hs.Listener.Addr().String()
	st := memory.New(log)
	st = dexstorage.WithStaticClients(st, []dexstorage.Client{{ID: "rapport", Secret: "dex-client-secret-0042",
		Name: "Rapport", RedirectURIs: []string{f.srv.URL + "/login/sso/callback"}}})
	st = dexstorage.WithStaticConnectors(st, []dexstorage.Connector{{ID: "local", Name: "Email", Type: "local"}})
	sig, err := (&signer.LocalConfig{KeysRotationPeriod: "6h"}).Open(ctx, st, time.Hour, f.clock.Now, log)
	if err != nil {
		t.Fatal(err)
	}
	srv, err := dexserver.NewServer(ctx, dexserver.Config{Issuer: issuer, Storage: st, Signer: sig, Now: f.clock.Now,
		Web: dexserver.WebConfig{WebFS: dexweb.FS()}, Logger: log, SkipApprovalScreen: true,
		PrometheusRegistry: prometheus.NewRegistry(), HealthChecker: gosundheit.New()})
	if err != nil {
		t.Fatalf("dex: %v", err)
	}
	hs.Config.Handler = srv
	hs.Start()
	t.Cleanup(hs.Close)
	return &dex{issuer: issuer, storage: st}
}

// person adds someone to Dex, or changes their groups.
func (d *dex) person(t *testing.T, email, name string, groups ...string) {
	t.Helper()
	ctx := context.Background()
	err := d.storage.UpdatePassword(ctx, email, func(p dexstorage.Password) (dexstorage.Password, error) {
		p.Groups = groups
		return p, nil
	})
	if err == nil {
		return
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(dexPassword), bcrypt.DefaultCost)
	if err != nil {
		t.Fatal(err)
	}
	if err := d.storage.CreatePassword(ctx, dexstorage.Password{Email: email, Hash: hash, Username: name,
		Name: name, UserID: "uid-" + email, Groups: groups}); err != nil {
		t.Fatal(err)
	}
}

var (
	formAction = regexp.MustCompile(`<form method="post" action="([^"]*)"`)
	ssoButton  = regexp.MustCompile(`href="/login/sso/(\d+)"`)
)

// toCallback signs email in at Dex from browser c, started at
// /login/sso/{id}, and returns the callback URL Dex sends the browser to
// (not yet followed).
func toCallback(t *testing.T, c *client, id int64, email string) string {
	t.Helper()
	res := c.get(t, "/login/sso/"+strconv.FormatInt(id, 10))
	mustCode(t, res, http.StatusSeeOther, "start the sign-in")
	next := res.header.Get("Location")
	u, err := url.Parse(next)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	if q.Get("code_challenge_method") != "S256" || q.Get("code_challenge") == "" || q.Get("nonce") == "" || q.Get("state") == "" {
		t.Fatalf("authorization URL %s: want PKCE (S256), a nonce and a state", next)
	}
	posted := false
	for range 20 {
		var resp *http.Response
		if !posted && strings.Contains(next, "/auth/local/login") {
			page := fetch(t, c, http.MethodGet, next, nil)
			m := formAction.FindStringSubmatch(page.body)
			if m == nil {
				t.Fatalf("no login form at Dex: %s", page.body)
			}
			action, err := u.Parse(html.UnescapeString(m[1]))
			if err != nil {
				t.Fatal(err)
			}
			if m[1] == "" {
				action, _ = url.Parse(next)
			}
			resp = fetchResp(t, c, http.MethodPost, action.String(), url.Values{"login": {email}, "password": {dexPassword}})
			posted = true
		} else {
			resp = fetchResp(t, c, http.MethodGet, next, nil)
		}
		resp.Body.Close()
		loc := resp.Header.Get("Location")
		if loc == "" {
			t.Fatalf("Dex answered %d without a redirect at %s", resp.StatusCode, next)
		}
		nu, err := resp.Request.URL.Parse(loc)
		if err != nil {
			t.Fatal(err)
		}
		next = nu.String()
		if strings.HasPrefix(next, c.f.srv.URL+"/login/sso/callback") {
			return next
		}
	}
	t.Fatal("Dex never sent the browser back")
	return ""
}

func fetchResp(t *testing.T, c *client, method, target string, form url.Values) *http.Response {
	t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, target, body)
	if err != nil {
		t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := c.http.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, target, err)
	}
	return resp
}

func fetch(t *testing.T, c *client, method, target string, form url.Values) response {
	t.Helper()
	resp := fetchResp(t, c, method, target, form)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return response{code: resp.StatusCode, header: resp.Header, body: string(b)}
}

// ssoSignIn goes through Dex as email and back; it returns the answer to
// the callback.
func ssoSignIn(t *testing.T, c *client, id int64, email string) response {
	t.Helper()
	return fetch(t, c, http.MethodGet, toCallback(t, c, id, email), nil)
}

// auditCount counts the audit entries of action.
func auditCount(t *testing.T, f *fixture, action string) int {
	t.Helper()
	rows, err := audit.New(f.db, f.clock).List(context.Background(), audit.Filter{Action: action, Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	return len(rows)
}

func TestSSOWithDex(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		d := startDex(t, f)
		ctx := context.Background()

		// With no provider the page says so, and the login page has no button.
		admin := f.login(t, "admin")
		page := admin.get(t, "/admin/sso")
		mustCode(t, page, http.StatusOK, "sso page")
		contains(t, page.body, []string{"No provider is set.", f.srv.URL + "/login/sso/callback", "Two-factor authentication by role"}, nil)
		contains(t, f.newClient(t).get(t, "/login").body, nil, []string{"Sign in with"})

		// The admin sets Dex up: new agents from example.org, roles from groups.
		admin.csrf = csrfIn(t, page.body)
		res := admin.post(t, "/admin/sso", url.Values{"name": {"Dex"}, "issuer": {d.issuer}, "client_id": {"rapport"},
			"client_secret": {"dex-client-secret-0042"}, "scopes": {"openid email profile groups"}, "role_claim": {"groups"},
			"role_rules": {"support-leads = manager\nsupport = agent"}, "jit": {"1"}, "default_role": {"agent"},
			"allowed_domains": {"example.org"}, "active": {"1"}})
		mustCode(t, res, http.StatusSeeOther, "create provider")
		page = admin.get(t, "/admin/sso")
		contains(t, page.body, []string{"Dex", d.issuer}, []string{"dex-client-secret-0042"})
		if strings.Contains(f.logs.String(), "dex-client-secret-0042") {
			t.Error("the client secret is in the log")
		}
		login := f.newClient(t).get(t, "/login")
		contains(t, login.body, []string{"Sign in with Dex"}, nil)
		m := ssoButton.FindStringSubmatch(login.body)
		if m == nil {
			t.Fatalf("no SSO button: %s", login.body)
		}
		id, _ := strconv.ParseInt(m[1], 10, 64)
		edit := admin.get(t, "/admin/sso/"+m[1])
		mustCode(t, edit, http.StatusOK, "provider page")
		contains(t, edit.body, []string{"••••••••0042", "support-leads = manager", `value="example.org"`},
			[]string{"dex-client-secret-0042"})

		// First sign-in: the agent is made just in time, with the mapped role.
		d.person(t, "nina@example.org", "Nina Lead", "support-leads")
		c := f.newClient(t)
		res = ssoSignIn(t, c, id, "nina@example.org")
		mustCode(t, res, http.StatusSeeOther, "callback")
		if loc := res.header.Get("Location"); loc != "/" {
			t.Errorf("after the sign-in to %q, want /", loc)
		}
		home := c.get(t, "/")
		mustCode(t, home, http.StatusOK, "signed in through Dex")
		contains(t, home.body, []string{"Nina Lead"}, nil)
		nina, err := f.agents.GetByEmail(ctx, "nina@example.org")
		if err != nil {
			t.Fatalf("no agent made just in time: %v", err)
		}
		if nina.Role != agent.RoleManager {
			t.Errorf("role %s, want manager from the group support-leads", nina.Role)
		}
		if auditCount(t, f, "sso.jit_create") != 1 || auditCount(t, f, "login") < 1 {
			t.Error("the creation or the sign-in is not in the audit log")
		}

		// Second sign-in with another group: the role follows.
		d.person(t, "nina@example.org", "Nina Lead", "support")
		c = f.newClient(t)
		mustCode(t, ssoSignIn(t, c, id, "nina@example.org"), http.StatusSeeOther, "second sign-in")
		mustCode(t, c.get(t, "/"), http.StatusOK, "signed in again")
		if nina, _ = f.agents.Get(ctx, nina.ID); nina.Role != agent.RoleAgent {
			t.Errorf("role %s after the group changed, want agent", nina.Role)
		}
		if auditCount(t, f, "sso.role_mapped") != 1 || auditCount(t, f, "sso.jit_create") != 1 {
			t.Error("the role change is not in the audit log once, or the agent was made twice")
		}

		// A tampered state is refused (a used or expired one: TestSSOStateIsUsedOnce).
		c = f.newClient(t)
		cb := toCallback(t, c, id, "nina@example.org")
		cu, _ := url.Parse(cb)
		q := cu.Query()
		q.Set("state", q.Get("state")+"x")
		cu.RawQuery = q.Encode()
		res = fetch(t, c, http.MethodGet, cu.String(), nil)
		mustCode(t, res, http.StatusBadRequest, "tampered state")
		contains(t, res.body, []string{"The sign-in expired or was not started in this browser."}, nil)
		mustCode(t, c.get(t, "/"), http.StatusSeeOther, "not signed in after a tampered state")
		// Another browser cannot finish this browser's sign-in either.
		mustCode(t, fetch(t, f.newClient(t), http.MethodGet, cb, nil), http.StatusBadRequest, "state of another browser")
		if auditCount(t, f, "sso.failed") < 2 {
			t.Error("refused sign-ins are not in the audit log")
		}

		// A domain not allowed is refused, and no agent is made.
		d.person(t, "eve@elsewhere.net", "Eve", "support-leads")
		c = f.newClient(t)
		mustCode(t, ssoSignIn(t, c, id, "eve@elsewhere.net"), http.StatusForbidden, "domain not allowed")
		if _, err := f.agents.GetByEmail(ctx, "eve@elsewhere.net"); err == nil {
			t.Error("an agent was made for a domain not allowed")
		}

		// A deactivated agent is refused.
		off := false
		if _, err := f.agents.Update(ctx, nina.ID, agent.AgentUpdate{Active: &off}); err != nil {
			t.Fatal(err)
		}
		c = f.newClient(t)
		res = ssoSignIn(t, c, id, "nina@example.org")
		mustCode(t, res, http.StatusForbidden, "deactivated agent")
		contains(t, res.body, []string{"This account is deactivated."}, nil)
		mustCode(t, c.get(t, "/"), http.StatusSeeOther, "deactivated agent not signed in")
		if nina, _ = f.agents.Get(ctx, nina.ID); nina.Active || nina.Role != agent.RoleAgent {
			t.Errorf("a refused sign-in changed the agent: %+v", nina)
		}
	})
}

// ssoInputFor is the provider settings of d: JIT off, no roles mapped.
func ssoInputFor(d *dex) sso.Input {
	return sso.Input{Name: "Dex", Issuer: d.issuer, ClientID: "rapport", ClientSecret: "dex-client-secret-0042",
		Scopes: "openid email profile", Active: true}
}

// TestSSOKeepsTwoFactor: an existing agent matched by verified email, with
// two-factor authentication on, does not get in through the provider
// without the code.
func TestSSOKeepsTwoFactor(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		d := startDex(t, f)
		ctx := context.Background()
		p, err := f.sso.Create(ctx, ssoInputFor(d))
		if err != nil {
			t.Fatal(err)
		}
		c := f.login(t, "agent")
		secret, _ := enrolWeb(t, f, c)
		f.clock.Advance(30 * time.Second)

		d.person(t, "agent@rapport.test", "Al Agent")
		b := f.newClient(t)
		res := ssoSignIn(t, b, p.ID, "agent@rapport.test")
		mustCode(t, res, http.StatusSeeOther, "callback")
		if loc := res.header.Get("Location"); loc != "/login/code" {
			t.Fatalf("after the provider to %q, want the code step", loc)
		}
		mustCode(t, b.get(t, "/"), http.StatusSeeOther, "no session without the code")
		mustCode(t, codeStep(t, b, "000000"), http.StatusUnauthorized, "wrong code")
		mustCode(t, b.get(t, "/"), http.StatusSeeOther, "no session after a wrong code")
		mustCode(t, codeStep(t, b, totpCode(t, secret, f.clock.Now())), http.StatusSeeOther, "right code")
		mustCode(t, b.get(t, "/"), http.StatusOK, "signed in with the code")
	})
}

// TestSSOStateIsUsedOnce: a callback that succeeded cannot be replayed,
// not by the same browser and not by one that holds a copy of its state
// cookie and the callback URL (state and code): the flow is taken once.
// A state Rapport never issued and one past sso.FlowTTL are refused the
// same way. Each refusal says so, makes no session and is in the audit log.
func TestSSOStateIsUsedOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		d := startDex(t, f)
		ctx := context.Background()
		p, err := f.sso.Create(ctx, ssoInputFor(d))
		if err != nil {
			t.Fatal(err)
		}
		d.person(t, "agent@rapport.test", "Al Agent")
		sessions := func() int {
			var n int
			if err := db.R.QueryRowContext(ctx, "SELECT count(*) FROM sessions").Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		srvURL, _ := url.Parse(f.srv.URL + "/login/sso")
		withState := func(state string) *client {
			c := f.newClient(t)
			c.http.Jar.SetCookies(srvURL, []*http.Cookie{{Name: ssoCookie, Value: state, Path: "/login/sso"}})
			return c
		}
		refused := func(c *client, target, what string) {
			t.Helper()
			before, failed := sessions(), auditCount(t, f, "sso.failed")
			res := fetch(t, c, http.MethodGet, target, nil)
			mustCode(t, res, http.StatusBadRequest, what)
			contains(t, res.body, []string{"The sign-in expired or was not started in this browser."}, nil)
			mustCode(t, c.get(t, "/"), http.StatusSeeOther, what+": not signed in")
			if n := sessions(); n != before {
				t.Errorf("%s: %d sessions, then %d", what, before, n)
			}
			if auditCount(t, f, "sso.failed") != failed+1 {
				t.Errorf("%s: not in the audit log", what)
			}
		}

		c := f.newClient(t)
		cb := toCallback(t, c, p.ID, "agent@rapport.test")
		cu, err := url.Parse(cb)
		if err != nil {
			t.Fatal(err)
		}
		state := cu.Query().Get("state")
		mustCode(t, fetch(t, c, http.MethodGet, cb, nil), http.StatusSeeOther, "callback")
		mustCode(t, c.get(t, "/"), http.StatusOK, "signed in")
		signedIn := sessions()
		if signedIn != 1 {
			t.Fatalf("%d sessions after one sign-in", signedIn)
		}

		// The same callback again: from the same browser (its state cookie
		// is gone) and from one holding a copy of it.
		res := fetch(t, c, http.MethodGet, cb, nil)
		mustCode(t, res, http.StatusBadRequest, "replay in the same browser")
		contains(t, res.body, []string{"The sign-in expired or was not started in this browser."}, nil)
		refused(withState(state), cb, "replay with the state cookie")
		if n := auditCount(t, f, "login"); n != 1 {
			t.Errorf("%d sign-ins in the audit log, want 1", n)
		}

		// A state Rapport never issued.
		forged := "forged-state-" + strings.Repeat("x", 30)
		refused(withState(forged), f.srv.URL+"/login/sso/callback?"+url.Values{"state": {forged}, "code": {"abc"}}.Encode(), "unknown state")

		// A sign-in that stayed at the provider longer than sso.FlowTTL.
		b := f.newClient(t)
		late := toCallback(t, b, p.ID, "agent@rapport.test")
		f.clock.Advance(sso.FlowTTL + time.Second)
		refused(b, late, "expired state")
	})
}
