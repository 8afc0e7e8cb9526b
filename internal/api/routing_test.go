package api

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/rapport/rapport/internal/agent"
)

func newTestLogger(w io.Writer) *slog.Logger {
	return slog.New(slog.NewTextHandler(w, nil)).With("component", "api")
}

// TestRoutingWithoutServices covers what the API answers before it ever
// asks a service: unknown paths, wrong methods and missing tokens.
func TestRoutingWithoutServices(t *testing.T) {
	h := New(Opts{})
	tests := []struct {
		name   string
		method string
		path   string
		auth   string
		status int
		code   string
		allow  string
	}{
		{"unknown path", "GET", "/api/v1/nope", "", 404, "not_found", ""},
		{"unknown nested path", "GET", "/api/v1/tickets/1/nope", "", 404, "not_found", ""},
		{"trailing slash", "GET", "/api/v1/tickets/", "", 404, "not_found", ""},
		{"api root", "GET", "/api/v1/", "", 404, "not_found", ""},
		{"wrong method on list", "DELETE", "/api/v1/tickets", "", 405, "method_not_allowed", "GET, POST, HEAD"},
		{"wrong method on item", "PUT", "/api/v1/tickets/5", "", 405, "method_not_allowed", "GET, PATCH, HEAD"},
		{"wrong method on team", "GET", "/api/v1/teams/5", "", 405, "method_not_allowed", "PATCH, DELETE"},
		{"wrong method on me", "POST", "/api/v1/me", "", 405, "method_not_allowed", "GET, PATCH, HEAD"},
		{"no token", "GET", "/api/v1/tickets", "", 401, "unauthorized", ""},
		{"basic auth", "GET", "/api/v1/tickets", "Basic YTpi", 401, "unauthorized", ""},
		{"bearer without token", "GET", "/api/v1/me", "Bearer ", 401, "unauthorized", ""},
		{"no token on admin route", "POST", "/api/v1/agents", "", 401, "unauthorized", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req := httptest.NewRequest(tc.method, tc.path, strings.NewReader(`{}`))
			if tc.auth != "" {
				req.Header.Set("Authorization", tc.auth)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			mustStatus(t, rec, tc.status, tc.method+" "+tc.path)
			checkResponse(t, rec)
			if !strings.Contains(rec.Body.String(), `"code":"`+tc.code+`"`) {
				t.Errorf("body %s lacks code %s", rec.Body.String(), tc.code)
			}
			if got := rec.Header().Get("Allow"); got != tc.allow {
				t.Errorf("Allow = %q, want %q", got, tc.allow)
			}
			if tc.status == 401 && rec.Header().Get("WWW-Authenticate") == "" {
				t.Error("401 without WWW-Authenticate")
			}
		})
	}
}

// TestRouteTable checks every route is protected by a permission that
// exists, except the document, and that paths use {id} style parameters.
func TestRouteTable(t *testing.T) {
	known := map[agent.Permission]bool{
		agent.PermWorkTickets: true, agent.PermViewReports: true, agent.PermManageTeams: true,
		agent.PermManageAgents: true, agent.PermManageSettings: true, agent.PermManageSavedReplies: true,
		agent.PermViewAudit: true, agent.PermManageKB: true,
	}
	for _, rt := range (&server{}).routes() {
		if rt.handle == nil {
			t.Errorf("%s %s has no handler", rt.method, rt.path)
		}
		if rt.perm == public {
			// Webhooks authenticate by the signature of their body.
			if rt.path != "/openapi.json" && !strings.HasPrefix(rt.path, "/hooks/") {
				t.Errorf("%s %s is public", rt.method, rt.path)
			}
			continue
		}
		if !known[rt.perm] {
			t.Errorf("%s %s needs unknown permission %q", rt.method, rt.path, rt.perm)
		}
		if strings.Contains(rt.path, ":") || !strings.HasPrefix(rt.path, "/") {
			t.Errorf("%s %s: path must be /... with {id} parameters", rt.method, rt.path)
		}
	}
}

// TestPanicIsJSON checks a handler panic still answers with a JSON 500.
func TestPanicIsJSON(t *testing.T) {
	var logs strings.Builder
	s := New(Opts{}).(*server)
	s.log = newTestLogger(&logs)
	h := s.wrap(route{http.MethodGet, "/boom", public, func(http.ResponseWriter, *http.Request, agent.Agent) error {
		panic("boom")
	}, false})
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/api/v1/boom", nil))
	mustStatus(t, rec, 500, "panic")
	checkResponse(t, rec)
	if !strings.Contains(logs.String(), "boom") {
		t.Errorf("panic not logged: %s", logs.String())
	}
}
