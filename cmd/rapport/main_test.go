package main

import (
	"bytes"
	"context"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// runCmd runs the command line in-process and returns stdout and stderr.
func runCmd(t *testing.T, stdin string, args ...string) (string, string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	err := run(context.Background(), args, strings.NewReader(stdin), &out, &errOut)
	return out.String(), errOut.String(), err
}

func TestCommands(t *testing.T) {
	db := filepath.Join(t.TempDir(), "cmd.db")
	tests := []struct {
		name    string
		stdin   string
		args    []string
		wantOut string
		wantErr string
	}{
		{name: "version", args: []string{"version"}, wantOut: "rapport "},
		{name: "unknown command", args: []string{"frobnicate"}, wantErr: `unknown command "frobnicate"`},
		{name: "no command", args: nil, wantErr: "no command"},
		{name: "migrate", args: []string{"migrate", "--db", db}, wantOut: "schema at version"},
		{name: "user add", stdin: "correct horse battery\n", args: []string{"user", "add", "--db", db, "--email", "Ada@Example.com", "--name", "Ada Admin", "--role", "admin"}, wantOut: "added admin Ada Admin <ada@example.com>"},
		{name: "user add duplicate", stdin: "correct horse battery\n", args: []string{"user", "add", "--db", db, "--email", "ada@example.com", "--name", "Ada Again"}, wantErr: "already exists"},
		{name: "user add bad role", stdin: "correct horse battery\n", args: []string{"user", "add", "--db", db, "--email", "bob@example.com", "--name", "Bob", "--role", "king"}, wantErr: "role"},
		{name: "user add short password", stdin: "short\n", args: []string{"user", "add", "--db", db, "--email", "cy@example.com", "--name", "Cy"}, wantErr: "password"},
		{name: "user passwd", stdin: "another good password\n", args: []string{"user", "passwd", "--db", db, "--email", "ada@example.com"}, wantOut: "password changed"},
		{name: "user passwd unknown", stdin: "another good password\n", args: []string{"user", "passwd", "--db", db, "--email", "nobody@example.com"}, wantErr: "not found"},
		{name: "token create", args: []string{"token", "create", "--db", db, "--user", "ada@example.com"}, wantOut: "rpt_"},
		{name: "token create unknown user", args: []string{"token", "create", "--db", db, "--user", "nobody@example.com"}, wantErr: "not found"},
		{name: "token create scoped", args: []string{"token", "create", "--db", db, "--user", "ada@example.com", "--name", "nightly", "--scopes", "read", "--days", "30"}, wantOut: "rpt_"},
		{name: "token create bad scope", args: []string{"token", "create", "--db", db, "--user", "ada@example.com", "--scopes", "root"}, wantErr: "not a scope"},
		{name: "token list", args: []string{"token", "list", "--db", db}, wantOut: "nightly"},
		{name: "token revoke", args: []string{"token", "revoke", "--db", db, "2"}, wantOut: "token 2 (nightly, of Ada Admin) revoked"},
		{name: "token list shows it revoked", args: []string{"token", "list", "--db", db, "--user", "ada@example.com"}, wantOut: "revoked (revoked)"},
		{name: "token revoke unknown", args: []string{"token", "revoke", "--db", db, "99"}, wantErr: "not found"},
		{name: "token revoke no id", args: []string{"token", "revoke", "--db", db}, wantErr: "ID"},
		{name: "bad flag value", args: []string{"serve", "--workers", "0"}, wantErr: "--workers"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, _, err := runCmd(t, tc.stdin, tc.args...)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want it to contain %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(out, tc.wantOut) {
				t.Fatalf("stdout = %q, want it to contain %q", out, tc.wantOut)
			}
		})
	}
}

func TestServeHelpDocumentsSettings(t *testing.T) {
	_, errOut, _ := runCmd(t, "", "serve", "--help")
	for _, want := range []string{"--addr", "RAPPORT_ADDR", "--db", "RAPPORT_DB", "localhost:8080", "rapport.db", "--auto-close-days"} {
		if !strings.Contains(errOut, want) {
			t.Errorf("serve --help does not mention %q:\n%s", want, errOut)
		}
	}
}

// TestServeAndShutdown starts the real server on a free port, checks the
// operational endpoints and an API call with a token made by the command
// line, then stops it as SIGTERM would.
func TestServeAndShutdown(t *testing.T) {
	db := filepath.Join(t.TempDir(), "serve.db")
	if _, _, err := runCmd(t, "a long enough password\n", "user", "add", "--db", db, "--email", "mia@example.com", "--name", "Mia"); err != nil {
		t.Fatal(err)
	}
	tok, _, err := runCmd(t, "", "token", "create", "--db", db, "--user", "mia@example.com")
	if err != nil {
		t.Fatal(err)
	}
	tok = strings.TrimSpace(tok)

	addr := freeAddr(t)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		var errOut bytes.Buffer
		done <- run(ctx, []string{"serve", "--db", db, "--addr", addr, "--smtp-addr", "127.0.0.1:0", "--outbox-dir", filepath.Join(t.TempDir(), "outbox")}, strings.NewReader(""), &bytes.Buffer{}, &errOut)
	}()
	base := "http://" + addr
	waitUp(t, base+"/healthz")

	checks := []struct {
		name, path, token string
		want              int
		body              string
	}{
		{"healthz", "/healthz", "", 200, "ok"},
		{"readyz", "/readyz", "", 200, "ready"},
		{"metrics", "/metrics", "", 200, "rapport_http_requests_total"},
		{"api me", "/api/v1/me", tok, 200, "mia@example.com"},
		{"api without token", "/api/v1/me", "", 401, "unauthorized"},
		{"login page", "/login", "", 200, "<form"},
	}
	for _, c := range checks {
		t.Run(c.name, func(t *testing.T) {
			req, _ := http.NewRequest("GET", base+c.path, nil)
			if c.token != "" {
				req.Header.Set("Authorization", "Bearer "+c.token)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var b bytes.Buffer
			b.ReadFrom(resp.Body)
			if resp.StatusCode != c.want || !strings.Contains(b.String(), c.body) {
				t.Fatalf("GET %s = %d %q, want %d containing %q", c.path, resp.StatusCode, b.String(), c.want, c.body)
			}
		})
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("serve returned %v after shutdown", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not stop after its context ended")
	}
}
