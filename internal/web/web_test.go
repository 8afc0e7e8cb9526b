package web

import (
	"bytes"
	"context"
	"github.com/rapport/rapport/internal/clientaddr"
	"html"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rapport/rapport/internal/agent"
	"github.com/rapport/rapport/internal/attachment"
	"github.com/rapport/rapport/internal/audit"
	"github.com/rapport/rapport/internal/business"
	"github.com/rapport/rapport/internal/channel/mailout"
	"github.com/rapport/rapport/internal/customer"
	"github.com/rapport/rapport/internal/i18n"
	"github.com/rapport/rapport/internal/importer"
	"github.com/rapport/rapport/internal/intake"
	"github.com/rapport/rapport/internal/jobs"
	"github.com/rapport/rapport/internal/kb"
	"github.com/rapport/rapport/internal/portal"
	"github.com/rapport/rapport/internal/quality"
	"github.com/rapport/rapport/internal/ratelimit"
	"github.com/rapport/rapport/internal/routing"
	"github.com/rapport/rapport/internal/savedreply"
	"github.com/rapport/rapport/internal/sla"
	"github.com/rapport/rapport/internal/sso"
	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/ticket"
	"github.com/rapport/rapport/internal/webhook"
)

// testPassword is every test agent's password.
const testPassword = "correct horse battery"

// testMaxBody is the body limit of the test UI, small so 413 is cheap.
const testMaxBody = 32 << 10

// fixture is the web UI over real services on a fresh database, served by
// an httptest server, with one agent of each role, a second agent, a
// customer and a ticket; ids holds them by name.
type fixture struct {
	db        *store.DB
	srv       *httptest.Server
	clock     *jobs.FakeClock
	agents    *agent.Service
	customers *customer.Service
	tickets   *ticket.Service
	cat       *i18n.Catalog
	ids       map[string]int64
	logs      *bytes.Buffer
	jobs      *jobs.Queue
	intake    *intake.Service
	sla       *sla.Service
	router    *routing.Router
	reviews   *quality.Reviews
	business  *business.Service
	webhooks  *webhook.Service    // outbound webhooks
	kb        *kb.Service         // the knowledge base and help center
	outbox    string              // where customer mail is written
	files     *attachment.Service // the files of messages
	saved     *savedreply.Service // saved replies
	portal    *portal.Service     // the customer portal
	audit     *audit.Log          // the audit log the portal's erasures write
	sso       *sso.Service        // single sign-on providers
}

// fixtureOpts changes how newFixture builds the UI.
type fixtureOpts struct {
	secureCookies bool
	// savedCheck builds the reply analyzer over the fixture's saved
	// replies, so that one sent unchanged is flagged.
	savedCheck bool
	// trustedProxies are the proxies whose forwarding headers count.
	trustedProxies clientaddr.Proxies
	// require2FA are the roles that must use two-factor authentication.
	require2FA []agent.Role
}

// newFixture builds the services, people and the UI on db.
func newFixture(t testing.TB, db *store.DB, fo ...fixtureOpts) *fixture {
	t.Helper()
	ctx := context.Background()
	logs := &bytes.Buffer{}
	log := slog.New(slog.NewTextHandler(logs, nil))
	clock := jobs.NewFakeClock(time.Date(2025, 3, 10, 9, 0, 0, 0, time.UTC))
	q := jobs.New(db, clock, log)
	customers := customer.New(db, clock)
	agents := agent.New(db, clock)
	// The SLA service, the router and customer mail are wired as the app
	// wires them: subscribers to ticket changes.
	files := attachment.New(db, attachment.Dir{Path: t.TempDir()}, clock)
	tickets := ticket.NewService(ticket.Opts{DB: db, Clock: clock, Jobs: q, Customers: customers, Log: log, Attachments: files})
	slas := sla.New(sla.Opts{DB: db, Jobs: q, Clock: clock, Log: log, Tickets: tickets})
	router := routing.NewRouter(routing.Opts{DB: db, Jobs: q, Clock: clock, Log: log, Tickets: tickets})
	biz := business.New(business.Opts{DB: db, Clock: clock, Languages: i18n.Supported, Defaults: business.Profile{Name: "Shop"}})
	outbox := t.TempDir()
	mail := mailout.New(mailout.Opts{DB: db, Jobs: q, Tickets: tickets, I18n: i18n.MustLoad(), Clock: clock, Log: log,
		Transport: mailout.Outbox{Dir: outbox}, Mailbox: "support@shop.example", Business: "Shop", Attachments: files, Profiles: biz})
	hooks := webhook.New(webhook.Opts{DB: db, Jobs: q, Clock: clock, Log: log})
	if err := tickets.Subscribe(ticket.Subscriber{Name: "sla", InTx: slas.TicketChanged},
		ticket.Subscriber{Name: "routing", After: router.TicketChanged},
		ticket.Subscriber{Name: "mail", After: mail.TicketChanged}, hooks.Subscriber()); err != nil {
		t.Fatal(err)
	}
	in := intake.New(intake.Opts{DB: db, Jobs: q, Tickets: tickets, Customers: customers, Clock: clock, Log: log, Attachments: files})
	cat := i18n.MustLoad()
	var o fixtureOpts
	if len(fo) > 0 {
		o = fo[0]
	}
	saved := savedreply.New(db, clock)
	checker := testAnalyzer(t)
	if o.savedCheck {
		var err error
		if checker, err = quality.New(quality.Opts{Saved: saved}); err != nil {
			t.Fatal(err)
		}
	}
	reviews, err := quality.NewReviews(quality.ReviewsOpts{DB: db, Analyzer: checker, Clock: clock, Log: log})
	if err != nil {
		t.Fatal(err)
	}
	auditLog := audit.New(db, clock)
	customerPortal := portal.New(portal.Opts{DB: db, Jobs: q, Clock: clock, Log: log, Customers: customers,
		Tickets: tickets, Intake: in, Mail: mail, I18n: cat, Audit: auditLog})
	// The server's address is known before the UI is built: providers
	// send browsers back to it.
	srv := httptest.NewUnstartedServer(nil)
	signOn := sso.New(sso.Opts{DB: db, Agents: agents, Clock: clock, Log: log,
		CallbackURL: "http://" + srv.Listener.Addr().String() + "/login/sso/callback"})
	kbs := kb.New(kb.Opts{DB: db, Clock: clock})
	h, err := New(Opts{
		Portal: customerPortal,
		Limits: ratelimit.New(db, clock), TrustedProxies: o.trustedProxies,
		Agents: agents, Customers: customers, Tickets: tickets, I18n: cat, Clock: clock,
		Log: log.With("component", "web"), SecureCookies: o.secureCookies, Version: "test", MaxBodyBytes: testMaxBody,
		Intake: in, SLA: slas, Router: router, Quality: checker, Reviews: reviews, Attachments: files, Saved: saved,
		Business: biz, Webhooks: hooks, Require2FA: o.require2FA, SSO: signOn, KB: kbs,
		Imports: importer.NewRuns(db),
	})
	if err != nil {
		t.Fatalf("web.New: %v", err)
	}
	f := &fixture{db: db, clock: clock, agents: agents, customers: customers, tickets: tickets,
		cat: cat, ids: map[string]int64{}, logs: logs, jobs: q, intake: in, sla: slas, router: router, reviews: reviews,
		outbox: outbox, files: files, saved: saved, business: biz, webhooks: hooks, portal: customerPortal, audit: auditLog, sso: signOn, kb: kbs}
	srv.Config.Handler = h
	srv.Start()
	t.Cleanup(srv.Close)
	f.srv = srv
	people := []struct {
		key, name string
		role      agent.Role
	}{
		{"admin", "Ada Admin", agent.RoleAdmin},
		{"manager", "Mia Manager", agent.RoleManager},
		{"agent", "Al Agent", agent.RoleAgent},
		{"agent2", "Bo Agent", agent.RoleAgent},
	}
	for _, p := range people {
		a, err := agents.Create(ctx, agent.NewAgent{
			Email: p.key + "@rapport.test", Name: p.name, Role: p.role,
			Password: testPassword, Locale: "en", Languages: []string{"en"},
		})
		if err != nil {
			t.Fatalf("create agent %s: %v", p.key, err)
		}
		f.ids[p.key] = a.ID
	}
	tk, err := tickets.Create(ctx, ticket.Actor{Kind: "customer"}, ticket.NewTicket{
		Subject: "Parcel never arrived", Body: "Hello,\nmy parcel has not arrived yet.\nCan you help?",
		Channel: "email", CustomerEmail: "carla@example.com", CustomerName: "Carla Customer",
	})
	if err != nil {
		t.Fatalf("create ticket: %v", err)
	}
	f.ids["ticket"], f.ids["customer"] = tk.ID, tk.CustomerID
	return f
}

// newTicket makes a ticket for the fixture's customer and returns its id.
func (f *fixture) newTicket(t testing.TB, n ticket.NewTicket) int64 {
	t.Helper()
	if n.CustomerID == 0 && n.CustomerEmail == "" {
		n.CustomerID = f.ids["customer"]
	}
	if n.Body == "" {
		n.Body = "Some question."
	}
	tk, err := f.tickets.Create(context.Background(), ticket.Actor{Kind: "customer"}, n)
	if err != nil {
		t.Fatalf("create ticket: %v", err)
	}
	return tk.ID
}

// client is one browser: a cookie jar, and the CSRF token of its session.
type client struct {
	f    *fixture
	http *http.Client
	csrf string
	lang string // Accept-Language to send
	// forwardedFor, when set, is sent as X-Forwarded-For: a client behind
	// a proxy (the test server's peer is always 127.0.0.1).
	forwardedFor string
}

// newClient returns a browser without a session that does not follow
// redirects, so tests see each 303.
func (f *fixture) newClient(t testing.TB) *client {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &client{f: f, http: &http.Client{
		Jar: jar,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}}
}

// response is a finished request: status, headers and body.
type response struct {
	code   int
	header http.Header
	body   string
}

func (c *client) do(t testing.TB, req *http.Request) response {
	t.Helper()
	if c.lang != "" {
		req.Header.Set("Accept-Language", c.lang)
	}
	if c.forwardedFor != "" {
		req.Header.Set("X-Forwarded-For", c.forwardedFor)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return response{code: resp.StatusCode, header: resp.Header, body: string(b)}
}

// get requests path.
func (c *client) get(t testing.TB, path string) response {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, c.f.srv.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	return c.do(t, req)
}

// post submits form to path, adding the session's CSRF token unless the
// form has a csrf field already.
func (c *client) post(t testing.TB, path string, form url.Values) response {
	t.Helper()
	if form == nil {
		form = url.Values{}
	}
	if _, ok := form["csrf"]; !ok && c.csrf != "" {
		form.Set("csrf", c.csrf)
	}
	req, err := http.NewRequest(http.MethodPost, c.f.srv.URL+path, strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return c.do(t, req)
}

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// csrfIn returns the CSRF token of the first form in body.
func csrfIn(t testing.TB, body string) string {
	t.Helper()
	m := csrfField.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no csrf field in page: %s", body)
	}
	return html.UnescapeString(m[1])
}

// login signs in as the fixture agent named who and returns the browser.
func (f *fixture) login(t testing.TB, who string) *client {
	t.Helper()
	c := f.newClient(t)
	page := c.get(t, "/login")
	mustCode(t, page, http.StatusOK, "login page")
	res := c.post(t, "/login", url.Values{
		"csrf": {csrfIn(t, page.body)}, "email": {who + "@rapport.test"}, "password": {testPassword},
	})
	mustCode(t, res, http.StatusSeeOther, "login")
	home := c.get(t, "/")
	mustCode(t, home, http.StatusOK, "inbox after login")
	c.csrf = csrfIn(t, home.body)
	return c
}

// mustCode fails unless r has status want.
func mustCode(t testing.TB, r response, want int, what string) {
	t.Helper()
	if r.code != want {
		t.Fatalf("%s: status %d, want %d; body: %s", what, r.code, want, r.body)
	}
}

// contains fails for each of want missing from body (as HTML or as text),
// and each of not present in the HTML.
func contains(t testing.TB, body string, want []string, not []string) {
	t.Helper()
	unescaped := html.UnescapeString(body)
	for _, w := range want {
		if !strings.Contains(body, w) && !strings.Contains(unescaped, w) {
			t.Errorf("page lacks %q", w)
		}
	}
	for _, n := range not {
		if strings.Contains(body, n) {
			t.Errorf("page holds %q", n)
		}
	}
	if t.Failed() {
		t.Logf("page: %s", body)
	}
}

// path formats a path with ids: path("/tickets/%d", id).
func idPath(prefix string, id int64, suffix string) string {
	return prefix + strconv.FormatInt(id, 10) + suffix
}
