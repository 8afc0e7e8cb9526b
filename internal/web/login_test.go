package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/store/storetest"
)

func TestLoginLogout(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		c := f.newClient(t)

		res := c.get(t, "/tickets/1")
		mustCode(t, res, http.StatusSeeOther, "page without session")
		if loc := res.header.Get("Location"); loc != "/login?next=%2Ftickets%2F1" {
			t.Errorf("redirect to %q, want the login page coming back to the ticket", loc)
		}

		page := c.get(t, "/login")
		mustCode(t, page, http.StatusOK, "login page")
		contains(t, page.body, []string{`name="email"`, `name="password"`, "Sign in"}, nil)
		token := csrfIn(t, page.body)

		// Without the token, or with the token of another browser, the
		// login form is refused before the password is even checked.
		mustCode(t, c.post(t, "/login", url.Values{"email": {"agent@rapport.test"}, "password": {testPassword}}),
			http.StatusForbidden, "login without token")
		other := f.newClient(t)
		mustCode(t, other.post(t, "/login", url.Values{"csrf": {token}, "email": {"agent@rapport.test"}, "password": {testPassword}}),
			http.StatusForbidden, "login token without its cookie")

		res = c.post(t, "/login", url.Values{"csrf": {token}, "email": {"agent@rapport.test"}, "password": {"wrong password"}})
		mustCode(t, res, http.StatusUnauthorized, "wrong password")
		contains(t, res.body, []string{"Wrong email or password.", `value="agent@rapport.test"`}, []string{testPassword})

		res = c.post(t, "/login", url.Values{"csrf": {token}, "email": {"agent@rapport.test"}, "password": {testPassword},
			"next": {"/tickets/1"}})
		mustCode(t, res, http.StatusSeeOther, "login")
		if loc := res.header.Get("Location"); loc != "/tickets/1" {
			t.Errorf("after login to %q, want /tickets/1", loc)
		}
		var session *http.Cookie
		for _, ck := range (&http.Response{Header: res.header}).Cookies() {
			if ck.Name == sessionCookie {
				session = ck
			}
		}
		if session == nil || !session.HttpOnly || session.SameSite != http.SameSiteLaxMode || session.Secure {
			t.Fatalf("session cookie %+v: want HttpOnly, SameSite=Lax, not Secure over plain HTTP", session)
		}

		home := c.get(t, "/")
		mustCode(t, home, http.StatusOK, "inbox")
		contains(t, home.body, []string{"Al Agent", "Sign out"}, nil)
		c.csrf = csrfIn(t, home.body)

		// Logging out needs the token too: a third-party page cannot sign
		// the agent out.
		mustCode(t, c.post(t, "/logout", url.Values{"csrf": {"forged"}}), http.StatusForbidden, "logout with a forged token")
		mustCode(t, c.get(t, "/"), http.StatusOK, "still signed in")

		res = c.post(t, "/logout", nil)
		mustCode(t, res, http.StatusSeeOther, "logout")
		if loc := res.header.Get("Location"); loc != "/login" {
			t.Errorf("after logout to %q", loc)
		}
		page = c.get(t, "/login")
		contains(t, page.body, []string{"You are signed out."}, nil)
		mustCode(t, c.get(t, "/"), http.StatusSeeOther, "inbox after logout")
	})
}

func TestLoginRedirectStaysLocal(t *testing.T) {
	tests := []struct{ name, next, want string }{
		{"path", "/customers?q=a", "/customers?q=a"},
		{"other host", "//evil.example/x", "/"},
		{"absolute", "https://evil.example/", "/"},
		{"backslash", "/\\evil.example", "/"},
		{"empty", "", "/"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := localPath(tc.next); got != tc.want {
				t.Errorf("localPath(%q) = %q, want %q", tc.next, got, tc.want)
			}
		})
	}
}

func TestSecureCookies(t *testing.T) {
	f := newFixture(t, storetest.SQLite(t), fixtureOpts{secureCookies: true})
	c := f.newClient(t)
	page := c.get(t, "/login")
	for _, ck := range (&http.Response{Header: page.header}).Cookies() {
		if ck.Name == loginCookie && !ck.Secure {
			t.Errorf("login cookie not Secure: %+v", ck)
		}
	}
	// A Secure cookie does not come back over plain HTTP, so post by hand.
	token := csrfIn(t, page.body)
	form := url.Values{"csrf": {token}, "email": {"agent@rapport.test"}, "password": {testPassword}}
	req, _ := http.NewRequest(http.MethodPost, f.srv.URL+"/login", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.AddCookie(&http.Cookie{Name: loginCookie, Value: token})
	res := c.do(t, req)
	mustCode(t, res, http.StatusSeeOther, "login")
	found := false
	for _, ck := range (&http.Response{Header: res.header}).Cookies() {
		if ck.Name == sessionCookie {
			found = true
			if !ck.Secure || !ck.HttpOnly {
				t.Errorf("session cookie %+v: want Secure and HttpOnly", ck)
			}
		}
	}
	if !found {
		t.Error("no session cookie")
	}
}

func TestLoginRateLimited(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		c := f.newClient(t)
		token := csrfIn(t, c.get(t, "/login").body)
		for i := 0; i < 3; i++ {
			mustCode(t, c.post(t, "/login", url.Values{"csrf": {token}, "email": {"agent@rapport.test"}, "password": {"nope nope"}}),
				http.StatusUnauthorized, "failed login")
		}
		// Even the right password must wait now, and the page says how long.
		res := c.post(t, "/login", url.Values{"csrf": {token}, "email": {"agent@rapport.test"}, "password": {testPassword}})
		mustCode(t, res, http.StatusTooManyRequests, "rate-limited login")
		contains(t, res.body, []string{"Too many failed sign-in attempts", "wait 1 second and"}, nil)
		f.clock.Advance(time.Second)
		mustCode(t, c.post(t, "/login", url.Values{"csrf": {token}, "email": {"agent@rapport.test"}, "password": {testPassword}}),
			http.StatusSeeOther, "login after the wait")
	})
}

func TestCSRF(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		admin := f.login(t, "admin")
		tk := idPath("/tickets/", f.ids["ticket"], "")
		cust := idPath("/customers/", f.ids["customer"], "")
		posts := []struct {
			name string
			path string
			form url.Values
		}{
			{"reply", tk + "/reply", url.Values{"body": {"forged reply"}}},
			{"note", tk + "/notes", url.Values{"body": {"forged note"}}},
			{"assign", tk + "/assign", url.Values{}},
			{"transfer", tk + "/transfer", url.Values{"agent_id": {"1"}, "reason": {"x"}}},
			{"update", tk + "/update", url.Values{"status": {"solved"}}},
			{"tags", tk + "/tags", url.Values{"tags": {"forged"}}},
			{"customer", cust, url.Values{"name": {"Forged"}}},
			{"identity", cust + "/identities", url.Values{"kind": {"email"}, "value": {"x@example.com"}}},
			{"preferences", "/preferences", url.Values{"locale": {"lv"}}},
			{"create agent", "/admin/agents", url.Values{"email": {"evil@example.com"}, "name": {"Evil"}, "role": {"admin"}, "password": {"evilevil1"}}},
			{"create team", "/admin/teams", url.Values{"name": {"Forged"}}},
			{"logout", "/logout", nil},
		}
		for _, p := range posts {
			t.Run(p.name, func(t *testing.T) {
				for _, token := range []string{"", "not-the-token"} {
					form := url.Values{"csrf": {token}}
					for k, v := range p.form {
						form[k] = v
					}
					res := admin.post(t, p.path, form)
					mustCode(t, res, http.StatusForbidden, "POST without the session's token")
					contains(t, res.body, []string{"Form expired"}, nil)
				}
			})
		}
		// Nothing happened.
		msgs, _ := f.tickets.Messages(t.Context(), f.ids["ticket"])
		if len(msgs) != 1 {
			t.Errorf("forged posts changed the thread: %d messages", len(msgs))
		}
		if _, err := f.agents.GetByEmail(t.Context(), "evil@example.com"); err == nil {
			t.Error("a forged post created an agent")
		}
		mustCode(t, admin.get(t, "/"), http.StatusOK, "still signed in")

		// A post from another site is refused even with the right token.
		req, _ := http.NewRequest(http.MethodPost, f.srv.URL+tk+"/notes",
			strings.NewReader(url.Values{"csrf": {admin.csrf}, "body": {"cross-site"}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", "https://evil.example")
		mustCode(t, admin.do(t, req), http.StatusForbidden, "cross-origin post")
	})
}

func TestRoles(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		browsers := map[string]*client{}
		for _, who := range []string{"agent", "manager", "admin"} {
			browsers[who] = f.login(t, who)
		}
		tests := []struct {
			name   string
			as     string
			method string
			path   string
			form   url.Values
			status int
		}{
			{"agent agents list", "agent", "GET", "/admin/agents", nil, http.StatusForbidden},
			{"agent teams list", "agent", "GET", "/admin/teams", nil, http.StatusForbidden},
			{"agent creates agent", "agent", "POST", "/admin/agents", url.Values{"email": {"x1@rapport.test"}, "name": {"X"}, "role": {"admin"}, "password": {"longenough"}}, http.StatusForbidden},
			{"agent creates team", "agent", "POST", "/admin/teams", url.Values{"name": {"Sneaky"}}, http.StatusForbidden},
			{"agent inbox", "agent", "GET", "/", nil, http.StatusOK},
			{"manager teams", "manager", "GET", "/admin/teams", nil, http.StatusOK},
			{"manager agents", "manager", "GET", "/admin/agents", nil, http.StatusForbidden},
			{"manager creates agent", "manager", "POST", "/admin/agents", url.Values{"email": {"x2@rapport.test"}, "name": {"X"}, "role": {"admin"}, "password": {"longenough"}}, http.StatusForbidden},
			{"admin agents", "admin", "GET", "/admin/agents", nil, http.StatusOK},
			{"admin teams", "admin", "GET", "/admin/teams", nil, http.StatusOK},
			{"admin agent page", "admin", "GET", idPath("/admin/agents/", f.ids["agent"], ""), nil, http.StatusOK},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				c := browsers[tc.as]
				var res response
				if tc.method == "POST" {
					res = c.post(t, tc.path, tc.form)
				} else {
					res = c.get(t, tc.path)
				}
				mustCode(t, res, tc.status, tc.method+" "+tc.path)
				if tc.status == http.StatusForbidden {
					contains(t, res.body, []string{"Not allowed"}, nil)
				}
			})
		}
		if _, err := f.agents.GetByEmail(t.Context(), "x1@rapport.test"); err == nil {
			t.Error("an agent created an agent")
		}
		// The menu shows only what the role may open.
		contains(t, browsers["agent"].get(t, "/").body, nil, []string{`href="/admin/agents"`, `href="/admin/teams"`})
		contains(t, browsers["manager"].get(t, "/").body, []string{`href="/admin/teams"`}, []string{`href="/admin/agents"`})
		contains(t, browsers["admin"].get(t, "/").body, []string{`href="/admin/teams"`, `href="/admin/agents"`}, nil)
	})
}

func TestDeactivatedAgentLosesSession(t *testing.T) {
	f := newFixture(t, storetest.SQLite(t))
	c := f.login(t, "agent2")
	admin := f.login(t, "admin")
	res := admin.post(t, idPath("/admin/agents/", f.ids["agent2"], ""), url.Values{
		"name": {"Bo Agent"}, "role": {"agent"}, "locale": {"en"}, "languages": {"en"}, // active unchecked
	})
	mustCode(t, res, http.StatusSeeOther, "deactivate")
	mustCode(t, c.get(t, "/"), http.StatusSeeOther, "inbox of a deactivated agent")
}
