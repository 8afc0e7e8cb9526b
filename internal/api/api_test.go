package api

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rapport/rapport/internal/agent"
	"github.com/rapport/rapport/internal/audit"
	"github.com/rapport/rapport/internal/customer"
	"github.com/rapport/rapport/internal/i18n"
	"github.com/rapport/rapport/internal/intake"
	"github.com/rapport/rapport/internal/jobs"
	"github.com/rapport/rapport/internal/sla"
	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/ticket"
)

// testMaxBody is the body limit of the test API, small so 413 is cheap to reach.
const testMaxBody = 64 << 10

// fixture is an API over real services on a fresh database, with one agent
// of each role (and a second agent), their tokens, and named ids that
// scenario paths and bodies refer to as {name}.
type fixture struct {
	db        *store.DB
	h         http.Handler
	clock     *jobs.FakeClock
	agents    *agent.Service
	customers *customer.Service
	tickets   *ticket.Service
	tokens    map[string]string // by role name: agent, agent2, manager, admin
	ids       map[string]int64
	logs      *bytes.Buffer
}

// newFixture builds the API and its people on db.
func newFixture(t testing.TB, db *store.DB) *fixture {
	t.Helper()
	ctx := context.Background()
	logs := &bytes.Buffer{}
	log := slog.New(slog.NewTextHandler(logs, nil))
	clock := jobs.NewFakeClock(time.Date(2025, 3, 10, 9, 0, 0, 0, time.UTC))
	q := jobs.New(db, clock, log)
	customers := customer.New(db, clock)
	agents := newAgentService(db, clock)
	tickets := ticket.NewService(ticket.Opts{DB: db, Clock: clock, Jobs: q, Customers: customers, Log: log})
	in := intake.New(intake.Opts{DB: db, Jobs: q, Tickets: tickets, Customers: customers, Clock: clock, Log: log})
	f := &fixture{
		db: db, clock: clock, agents: agents, customers: customers, tickets: tickets,
		tokens: map[string]string{}, ids: map[string]int64{}, logs: logs,
		h: New(Opts{Agents: agents, Customers: customers, Tickets: tickets, Intake: in, Log: log.With("component", "api"),
			Mailboxes: []string{"support@rapport.test"}, MaxMessageBytes: testMaxBody,
			MaxBodyBytes: testMaxBody, Version: "test", I18n: i18n.MustLoad(), Clock: clock,
			Notifications: sla.New(sla.Opts{DB: db, Jobs: q, Clock: clock, Tickets: tickets}),
			Audit:         audit.New(db, clock)}),
	}
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
			Password: "correct horse battery", Locale: "en", Languages: []string{"en"},
		})
		if err != nil {
			t.Fatalf("create agent %s: %v", p.key, err)
		}
		tok, err := agents.CreateToken(ctx, a.ID, "test")
		if err != nil {
			t.Fatalf("token for %s: %v", p.key, err)
		}
		f.ids[p.key] = a.ID
		f.tokens[p.key] = tok
	}
	return f
}

// do sends one request as the agent named by as ("" for none, "bad" for a
// token that does not exist).
func (f *fixture) do(t testing.TB, method, path, body, as string) *httptest.ResponseRecorder {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req := httptest.NewRequest(method, path, rd)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	switch as {
	case "":
	case "bad":
		req.Header.Set("Authorization", "Bearer not-a-real-token")
	default:
		tok, ok := f.tokens[as]
		if !ok {
			t.Fatalf("no token for %q", as)
		}
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	rec := httptest.NewRecorder()
	f.h.ServeHTTP(rec, req)
	return rec
}

// expand replaces {name} with the fixture's id called name.
func (f *fixture) expand(t testing.TB, s string) string {
	t.Helper()
	for name, id := range f.ids {
		s = strings.ReplaceAll(s, "{"+name+"}", strconv.FormatInt(id, 10))
	}
	if i := strings.Index(s, "{"); i >= 0 {
		if j := strings.Index(s[i:], "}"); j > 1 && !strings.ContainsAny(s[i+1:i+j], `":,{ `) {
			t.Fatalf("unknown placeholder %s in %q", s[i:i+j+1], s)
		}
	}
	return s
}

// scenario is one API call and what must come back.
type scenario struct {
	name   string
	method string
	path   string // under /api/v1 unless it starts with /api; may hold {name}
	body   string // may hold {name}
	as     string // agent, agent2, manager, admin; "" no token; "bad" an unknown token
	status int
	want   []string          // substrings of the response body
	not    []string          // substrings the body must not hold
	json   map[string]string // dotted path (data.0.id) to value; "*" means present and not null
	header map[string]string // header to substring
	save   map[string]string // fixture id name to dotted path of the response
	// saveToken keeps a token the response holds (at the dotted path) as
	// the fixture's token of that name, for later scenarios' as.
	saveToken map[string]string
	// before runs ahead of the request (moving the clock, calling a service).
	before func(t *testing.T, f *fixture)
}

// run plays scenarios in order: each may depend on the ones before.
func (f *fixture) run(t *testing.T, scenarios []scenario) {
	t.Helper()
	for _, sc := range scenarios {
		if t.Failed() {
			return // later scenarios build on earlier ones
		}
		t.Run(sc.name, func(t *testing.T) {
			if sc.before != nil {
				sc.before(t, f)
			}
			path := f.expand(t, sc.path)
			if !strings.HasPrefix(path, "/api") {
				path = Prefix + path
			}
			rec := f.do(t, sc.method, path, f.expand(t, sc.body), sc.as)
			body := rec.Body.String()
			if rec.Code != sc.status {
				t.Fatalf("%s %s: status %d, want %d; body %s", sc.method, path, rec.Code, sc.status, body)
			}
			checkResponse(t, rec)
			for _, w := range sc.want {
				if w = f.expand(t, w); !strings.Contains(body, w) {
					t.Errorf("body lacks %q: %s", w, body)
				}
			}
			for _, n := range sc.not {
				if strings.Contains(body, f.expand(t, n)) {
					t.Errorf("body holds %q: %s", n, body)
				}
			}
			for k, w := range sc.header {
				if got := rec.Header().Get(k); !strings.Contains(got, w) {
					t.Errorf("header %s = %q, want it to contain %q", k, got, w)
				}
			}
			if len(sc.json) == 0 && len(sc.save) == 0 && len(sc.saveToken) == 0 {
				return
			}
			var doc any
			if err := json.Unmarshal(rec.Body.Bytes(), &doc); err != nil {
				t.Fatalf("response is not JSON: %v: %s", err, body)
			}
			for p, w := range sc.json {
				got, ok := lookup(doc, p)
				switch {
				case !ok:
					t.Errorf("%s missing in %s", p, body)
				case w == "*" && got == "null":
					t.Errorf("%s is null in %s", p, body)
				case w != "*" && got != f.expand(t, w):
					t.Errorf("%s = %s, want %s; body %s", p, got, f.expand(t, w), body)
				}
			}
			for name, p := range sc.saveToken {
				got, ok := lookup(doc, p)
				if !ok {
					t.Fatalf("cannot save token %s from %s: %s", name, p, body)
				}
				f.tokens[name] = strings.Trim(got, `"`)
			}
			for name, p := range sc.save {
				got, ok := lookup(doc, p)
				id, err := strconv.ParseInt(got, 10, 64)
				if !ok || err != nil {
					t.Fatalf("cannot save %s from %s: %s", name, p, body)
				}
				f.ids[name] = id
			}
		})
	}
}

// checkResponse asserts what every API response shares: JSON with the
// right content type (or no body at all for 204), and an error body that
// has a code and a message for every failure.
func checkResponse(t testing.TB, rec *httptest.ResponseRecorder) {
	t.Helper()
	if rec.Code == http.StatusNoContent {
		if rec.Body.Len() != 0 {
			t.Errorf("204 with a body: %s", rec.Body.String())
		}
		return
	}
	if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("Content-Type %q, want application/json", ct)
	}
	if !json.Valid(rec.Body.Bytes()) {
		t.Fatalf("response is not JSON: %s", rec.Body.String())
	}
	if rec.Code >= 400 {
		var e errorBody
		if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil || e.Error.Code == "" || e.Error.Message == "" {
			t.Errorf("error response without code and message: %s", rec.Body.String())
		}
	}
}

// lookup follows a dotted path (data.0.id) into a decoded JSON document and
// returns the value found: strings as they are, anything else as JSON.
func lookup(doc any, path string) (string, bool) {
	cur := doc
	for _, part := range strings.Split(path, ".") {
		switch v := cur.(type) {
		case map[string]any:
			next, ok := v[part]
			if !ok {
				return "", false
			}
			cur = next
		case []any:
			i, err := strconv.Atoi(part)
			if err != nil || i < 0 || i >= len(v) {
				return "", false
			}
			cur = v[i]
		default:
			return "", false
		}
	}
	if s, ok := cur.(string); ok {
		return s, true
	}
	b, _ := json.Marshal(cur)
	return string(b), true
}

// decodeJSON decodes a response body into v.
func decodeJSON(t testing.TB, rec *httptest.ResponseRecorder, v any) {
	t.Helper()
	if err := json.Unmarshal(rec.Body.Bytes(), v); err != nil {
		t.Fatalf("decode %s: %v", rec.Body.String(), err)
	}
}

// mustStatus fails unless rec has status want.
func mustStatus(t testing.TB, rec *httptest.ResponseRecorder, want int, what string) {
	t.Helper()
	if rec.Code != want {
		t.Fatalf("%s: status %d, want %d: %s", what, rec.Code, want, rec.Body.String())
	}
}

// newAgentService returns the agent service for tests.
func newAgentService(db *store.DB, clock jobs.Clock) *agent.Service {
	return agent.New(db, clock)
}
