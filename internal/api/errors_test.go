package api

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/ticket"
	"github.com/rapport/rapport/internal/valid"
)

// TestDescribe checks the one mapping from domain errors to responses,
// with the errors wrapped the way services return them.
func TestDescribe(t *testing.T) {
	tests := []struct {
		name   string
		err    error
		status int
		code   string
	}{
		{"valid errors", fmt.Errorf("ticket: create: %w", valid.Errors{"subject": "is required"}), 400, "invalid_input"},
		{"not found", fmt.Errorf("ticket: get 9: %w", store.ErrNotFound), 404, "not_found"},
		{"conflict", fmt.Errorf("agent: create: %w", store.ErrConflict), 409, "conflict"},
		{"closed", fmt.Errorf("ticket: reply 3: %w", ticket.ErrClosed), 409, "ticket_closed"},
		{"needs transfer", fmt.Errorf("ticket: assign 3: %w", ticket.ErrNeedsTransfer), 409, "needs_transfer"},
		{"reason required", fmt.Errorf("ticket: transfer 3: %w", ticket.ErrReasonRequired), 400, "reason_required"},
		{"too big", fmt.Errorf("read: %w", &http.MaxBytesError{Limit: 10}), 413, "body_too_large"},
		{"api error", errForbidden, 403, "forbidden"},
		{"anything else", errors.New(`pq: syntax error at or near "SELEC"`), 500, "internal_error"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := describe(tc.err)
			if e.status != tc.status || e.code != tc.code {
				t.Errorf("describe = %d %s, want %d %s", e.status, e.code, tc.status, tc.code)
			}
		})
	}
}

// TestInternalErrorHidesDetail checks a 500 says nothing of the cause but
// logs it.
func TestInternalErrorHidesDetail(t *testing.T) {
	var logs strings.Builder
	s := New(Opts{}).(*server)
	s.log = newTestLogger(&logs)
	rec := httptest.NewRecorder()
	s.writeError(rec, httptest.NewRequest("GET", "/api/v1/tickets", nil),
		fmt.Errorf("ticket: list: %w", errors.New(`SQL logic error: no such column: "secret_col"`)))
	mustStatus(t, rec, 500, "internal error")
	checkResponse(t, rec)
	if strings.Contains(rec.Body.String(), "secret_col") || strings.Contains(rec.Body.String(), "SQL") {
		t.Errorf("500 leaks the cause: %s", rec.Body.String())
	}
	if !strings.Contains(logs.String(), "secret_col") || !strings.Contains(logs.String(), "component=api") {
		t.Errorf("500 cause not logged with component=api: %s", logs.String())
	}
}

// TestDecode checks how request bodies are refused, before any service runs.
func TestDecode(t *testing.T) {
	tests := []struct {
		name   string
		body   string
		status int
		code   string
		want   string
	}{
		{"ok", `{"subject":"Hi","body":"Hello","tags":["a"]}`, 0, "", ""},
		{"ok with spaces", " \n{\"subject\":\"Hi\"}\n ", 0, "", ""},
		{"empty", ``, 400, "invalid_json", "empty"},
		{"only spaces", "  \n", 400, "invalid_json", "empty"},
		{"array", `[{"subject":"Hi"}]`, 400, "invalid_json", "JSON object"},
		{"null", `null`, 400, "invalid_json", "JSON object"},
		{"string", `"subject"`, 400, "invalid_json", "JSON object"},
		{"syntax", `{"subject":"Hi",}`, 400, "invalid_json", "offset 17"},
		{"truncated", `{"subject":"Hi"`, 400, "invalid_json", "malformed JSON"},
		{"unknown field", `{"subject":"Hi","colour":"red"}`, 400, "invalid_json", `unknown field "colour"`},
		{"wrong type", `{"subject":5}`, 400, "invalid_json", `"subject" must be a string, not number`},
		{"wrong type in array", `{"tags":[1]}`, 400, "invalid_json", `"tags`},
		{"id as string", `{"customer_id":"7"}`, 400, "invalid_json", `"customer_id" must be an integer`},
		{"id too big", `{"customer_id":1e40}`, 400, "invalid_json", `"customer_id"`},
		{"trailing object", `{"subject":"Hi"}{"subject":"Ho"}`, 400, "invalid_json", "after the JSON object"},
		{"trailing garbage", `{"subject":"Hi"} x`, 400, "invalid_json", ""},
		{"NUL in subject", `{"subject":"a\u0000b"}`, 400, "invalid_input", "subject"},
		{"NUL in tag", `{"tags":["ok","\u0000"]}`, 400, "invalid_input", "tags"},
		{"NUL has its own message", `{"subject":"a\u0000b"}`, 400, "invalid_input", "must not contain NUL characters"},
		{"invalid UTF-8", "{\"subject\":\"caf\xe9\"}", 400, "invalid_text", "not valid UTF-8 (offset 15)"},
		{"lone high surrogate", `{"subject":"\ud800"}`, 400, "invalid_text", "lone UTF-16 surrogate escape at offset 12"},
		{"lone low surrogate", `{"subject":"ok \uDFFF"}`, 400, "invalid_text", "offset 15"},
		{"high surrogate then a letter", `{"subject":"\ud83d\u0041"}`, 400, "invalid_text", "surrogate"},
		{"surrogate pair", `{"subject":"\ud83d\ude00 smile"}`, 0, "", ""},
		{"escaped backslash before u", `{"subject":"\\ud800"}`, 0, "", ""},
		{"too big", `{"subject":"` + strings.Repeat("x", 200) + `"}`, 413, "body_too_large", "100 bytes"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest("POST", "/api/v1/tickets", strings.NewReader(tc.body))
			r.Body = http.MaxBytesReader(httptest.NewRecorder(), r.Body, 100)
			var req createTicketRequest
			err := decode(r, &req)
			if tc.status == 0 {
				if err != nil {
					t.Fatalf("decode: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("decode accepted %q", tc.body)
			}
			e := describe(err)
			msg := e.message + fmt.Sprint(e.fields)
			if e.status != tc.status || e.code != tc.code || !strings.Contains(msg, tc.want) {
				t.Errorf("got %d %s %q, want %d %s containing %q", e.status, e.code, msg, tc.status, tc.code, tc.want)
			}
		})
	}
}

// TestOptionalID checks the PATCH id field tells absent, null and a number
// apart.
func TestOptionalID(t *testing.T) {
	tests := []struct {
		body string
		set  bool
		id   int64
	}{
		{`{}`, false, 0},
		{`{"team_id":null}`, true, 0},
		{`{"team_id":0}`, true, 0},
		{`{"team_id":12}`, true, 12},
	}
	for _, tc := range tests {
		t.Run(tc.body, func(t *testing.T) {
			var req updateTicketRequest
			if err := decode(httptest.NewRequest("PATCH", "/", strings.NewReader(tc.body)), &req); err != nil {
				t.Fatal(err)
			}
			if req.TeamID.Set != tc.set || req.TeamID.ID != tc.id {
				t.Errorf("got %+v, want set=%v id=%d", req.TeamID, tc.set, tc.id)
			}
		})
	}
	var req updateTicketRequest
	err := decode(httptest.NewRequest("PATCH", "/", strings.NewReader(`{"team_id":"x"}`)), &req)
	if e := describe(err); e.code != "invalid_json" || !strings.Contains(e.message, "team_id") {
		t.Errorf("string team_id: %v", err)
	}
}

// TestClientGoneIsNoServerError checks that a request whose client went away
// before its query ended is neither logged as a server error nor recorded
// as a 500, whatever error the stopped query gave (a cancelled context, or
// a connection the cancel closed: "driver: bad connection").
func TestClientGoneIsNoServerError(t *testing.T) {
	tests := []struct {
		name string
		err  error
	}{
		{"cancelled query", fmt.Errorf("ticket: messages 184: %w", context.Canceled)},
		{"closed connection", fmt.Errorf("agent: token: %w", driver.ErrBadConn)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var logs strings.Builder
			s := New(Opts{}).(*server)
			s.log = newTestLogger(&logs)
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			rec := httptest.NewRecorder()
			s.writeError(rec, httptest.NewRequest("GET", "/api/v1/tickets/184/messages", nil).WithContext(ctx), tc.err)
			if rec.Code != StatusClientGone {
				t.Errorf("status %d, want %d", rec.Code, StatusClientGone)
			}
			if strings.Contains(logs.String(), "level=ERROR") {
				t.Errorf("logged as a server error: %s", logs.String())
			}
		})
	}
	// The same error while the client is still there is a 500, logged.
	var logs strings.Builder
	s := New(Opts{}).(*server)
	s.log = newTestLogger(&logs)
	rec := httptest.NewRecorder()
	s.writeError(rec, httptest.NewRequest("GET", "/api/v1/tickets/184/messages", nil), fmt.Errorf("agent: token: %w", driver.ErrBadConn))
	mustStatus(t, rec, 500, "client still there")
	if !strings.Contains(logs.String(), "level=ERROR") {
		t.Errorf("a 500 for a live client not logged as an error: %s", logs.String())
	}
}
