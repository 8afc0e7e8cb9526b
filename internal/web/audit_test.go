package web

import (
	"context"
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

	"github.com/rapport/rapport/internal/api"
	"github.com/rapport/rapport/internal/audit"
	"github.com/rapport/rapport/internal/goals"
	"github.com/rapport/rapport/internal/metrics"
	"github.com/rapport/rapport/internal/ratelimit"
	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/store/storetest"
)

// newAuditFixture is the fixture with the audit log and goals (for the
// service standard), and the API mounted beside the UI as the app mounts it.
func newAuditFixture(t *testing.T, db *store.DB) *fixture {
	t.Helper()
	f := newFixture(t, db)
	m := metrics.New(metrics.Opts{DB: db, Clock: f.clock})
	g, err := goals.New(goals.Opts{DB: db, Metrics: m, Analyzer: testAnalyzer(t), Clock: f.clock})
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	auditLog := audit.New(db, f.clock)
	h, err := New(Opts{Limits: ratelimit.New(f.db, f.clock), Agents: f.agents, Customers: f.customers, Tickets: f.tickets, I18n: f.cat, Clock: f.clock,
		Log: log, Version: "test", Goals: g, Metrics: m, Audit: auditLog})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/api/v1/", api.New(api.Opts{Agents: f.agents, Customers: f.customers, Tickets: f.tickets, Log: log,
		Clock: f.clock, Audit: auditLog}))
	mux.Handle("/", h)
	f.srv.Close()
	f.srv = httptest.NewServer(mux)
	t.Cleanup(f.srv.Close)
	return f
}

// apiGet calls the API with a bearer token and returns the status and body.
func apiCall(t *testing.T, f *fixture, method, path, token, body string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, f.srv.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	c := &client{f: f, http: f.srv.Client()}
	res := c.do(t, req)
	return res.code, res.body
}

var tokenSecret = regexp.MustCompile(`<code>(rpt_[A-Za-z0-9_-]+)</code>`)

// TestAuditLogAndTokensInTheUI: an admin's role change and edit of the
// service standard, an agent's token made and revoked on the preferences
// page, sign-ins and a failed one, all show on /admin/audit (with its
// filters and CSV) and in GET /api/v1/audit; a revoked token gets 401 at
// once; a password reset that ends tokens ends them.
func TestAuditLogAndTokensInTheUI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newAuditFixture(t, db)
		ctx := context.Background()
		admin := f.login(t, "admin")
		agentID := strconv.FormatInt(f.ids["agent"], 10)

		mustCode(t, admin.post(t, "/admin/standard", url.Values{"lang": {"en"}, "body": {"We own every problem."}}),
			http.StatusSeeOther, "save the standard")
		mustCode(t, admin.post(t, "/admin/agents/"+agentID, url.Values{"name": {"Al Agent"}, "role": {"manager"},
			"active": {"on"}, "languages": {"en"}, "locale": {"en"}}), http.StatusSeeOther, "promote")

		// The agent makes a read token on the preferences page, uses it,
		// and revokes it.
		ag := f.login(t, "agent")
		made := ag.post(t, "/preferences/tokens", url.Values{"name": {"reports"}, "scope": {"read"}})
		mustCode(t, made, http.StatusOK, "make a token")
		m := tokenSecret.FindStringSubmatch(made.body)
		if m == nil {
			t.Fatalf("no token shown: %s", made.body)
		}
		secret := m[1]
		if code, _ := apiCall(t, f, "GET", "/api/v1/tickets", secret, ""); code != http.StatusOK {
			t.Fatalf("the new read token: %d", code)
		}
		if code, _ := apiCall(t, f, "POST", "/api/v1/tickets", secret, `{"subject":"x","body":"y","customer_email":"z@example.com"}`); code != http.StatusForbidden {
			t.Errorf("a read token on a write route: %d, want 403", code)
		}
		prefs := ag.get(t, "/preferences")
		contains(t, prefs.body, []string{"reports", "Never", "127.0.0.1"}, []string{secret})
		toks, _ := f.agents.Tokens(ctx, f.ids["agent"])
		if len(toks) != 1 {
			t.Fatalf("tokens %+v", toks)
		}
		tokID := strconv.FormatInt(toks[0].ID, 10)
		mustCode(t, f.login(t, "agent2").post(t, "/preferences/tokens/"+tokID+"/revoke", nil), http.StatusNotFound, "another's token")
		mustCode(t, ag.post(t, "/preferences/tokens/"+tokID+"/revoke", nil), http.StatusSeeOther, "revoke")
		if code, _ := apiCall(t, f, "GET", "/api/v1/tickets", secret, ""); code != http.StatusUnauthorized {
			t.Errorf("a revoked token: %d, want 401 at once", code)
		}
		bad := ag.post(t, "/preferences/tokens", url.Values{"name": {"boss"}, "scope": {"admin"}})
		mustCode(t, bad, http.StatusUnprocessableEntity, "an agent's admin scope")

		// A failed sign-in.
		c := f.newClient(t)
		page := c.get(t, "/login")
		c.post(t, "/login", url.Values{"csrf": {csrfIn(t, page.body)}, "email": {"agent2@rapport.test"}, "password": {"wrong one"}})

		// The page, its filters and its CSV.
		log := admin.get(t, "/admin/audit")
		mustCode(t, log, http.StatusOK, "audit page")
		contains(t, log.body, []string{"Service standard changed", "Agent changed", "API token created", "API token revoked",
			"Signed in", "Failed sign-in", `"role":"manager"`, `"role":"agent"`, "We own every problem.", "agent2@rapport.test"}, []string{secret})
		std := admin.get(t, "/admin/audit?action=standard&actor="+strconv.FormatInt(f.ids["admin"], 10))
		contains(t, std.body, []string{"Service standard changed"}, []string{`data-action="agent.update"`})
		none := admin.get(t, "/admin/audit?action=standard&from=2025-03-11")
		contains(t, none.body, []string{`id="audit-empty"`}, nil)
		mustCode(t, admin.get(t, "/admin/audit?from=tomorrow"), http.StatusBadRequest, "a bad date")
		csv := admin.get(t, "/admin/audit.csv?target_kind=agent&target_id="+agentID)
		mustCode(t, csv, http.StatusOK, "CSV")
		if !strings.Contains(csv.body, "agent.update") || strings.Contains(csv.body, "standard.update") {
			t.Errorf("CSV of the agent's rows: %s", csv.body)
		}
		mustCode(t, f.login(t, "manager").get(t, "/admin/audit"), http.StatusForbidden, "a manager on the audit page")

		// The same log through the API, with an admin's token.
		adminTok, err := f.agents.CreateToken(ctx, f.ids["admin"], "audit")
		if err != nil {
			t.Fatal(err)
		}
		code, body := apiCall(t, f, "GET", "/api/v1/audit?limit=100", adminTok, "")
		if code != http.StatusOK {
			t.Fatalf("GET /api/v1/audit: %d %s", code, body)
		}
		for _, want := range []string{`"action":"standard.update"`, `"action":"agent.update"`, `"action":"token.revoke"`, `"action":"export"`} {
			if !strings.Contains(body, want) {
				t.Errorf("GET /api/v1/audit lacks %s", want)
			}
		}

		// A password reset that ends the agent's tokens.
		tok2, err := f.agents.CreateToken(ctx, f.ids["agent2"], "ci")
		if err != nil {
			t.Fatal(err)
		}
		mustCode(t, admin.post(t, "/admin/agents/"+strconv.FormatInt(f.ids["agent2"], 10)+"/password",
			url.Values{"password": {"a new long password"}, "end_tokens": {"on"}}), http.StatusSeeOther, "reset")
		if code, _ := apiCall(t, f, "GET", "/api/v1/me", tok2, ""); code != http.StatusUnauthorized {
			t.Errorf("a token after a reset that ends them: %d", code)
		}
		all := admin.get(t, "/admin/tokens")
		contains(t, all.body, []string{"Revoked with a password reset", "Bo Agent", "reports"}, nil)
	})
}

// FuzzAuditFilter feeds the audit page's filters anything: they parse or
// name the bad field, never panic, and a date range is never reversed.
func FuzzAuditFilter(f *testing.F) {
	for _, s := range []string{"actor=3&from=2026-01-01&to=2026-01-31", "actor=x", "from=2026-13-01", "to=yesterday",
		"from=2026-02-01&to=2026-01-01", "action=token&target_kind=agent&target_id=7", "actor=-1&page=0", "%zz"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		q, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		fl, errs := auditFilter(q, time.UTC)
		if len(errs) > 0 {
			return
		}
		if fl.AgentID < 0 || (!fl.From.IsZero() && !fl.Until.IsZero() && !fl.From.Before(fl.Until)) {
			t.Fatalf("auditFilter(%q) = %+v with no error", raw, fl)
		}
	})
}
