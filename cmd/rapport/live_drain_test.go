package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/coder/websocket"
)

// signIn signs in at base with a cookie jar and returns the jar.
func signIn(t *testing.T, base, email, password string) http.CookieJar {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar}
	resp, err := client.Get(base + "/login")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	m := regexp.MustCompile(`name="csrf" value="([^"]+)"`).FindSubmatch(page)
	if m == nil {
		t.Fatalf("no csrf token on the login page:\n%s", page)
	}
	resp, err = client.PostForm(base+"/login", url.Values{"csrf": {string(m[1])}, "email": {email}, "password": {password}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Request.URL.Path == "/login" {
		t.Fatalf("sign in: %d at %s", resp.StatusCode, resp.Request.URL)
	}
	return jar
}

// SIGTERM drains the live connections: a real `rapport serve` process,
// sent SIGTERM, tells every open WebSocket to reconnect and closes it
// with 1012 (service restart), then exits cleanly.
func TestSIGTERMDrainsLiveConnections(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "drain.db")
	if _, _, err := runCmd(t, "a long enough password\n", "user", "add", "--db", db, "--email", "mia@example.com", "--name", "Mia", "--role", "admin"); err != nil {
		t.Fatal(err)
	}
	addr := freeAddr(t)
	cmd := startServer(t, "--db", db, "--addr", addr, "--smtp-addr", "", "--outbox-dir", filepath.Join(dir, "outbox"))
	base := "http://" + addr
	waitUp(t, base+"/healthz")
	jar := signIn(t, base, "mia@example.com", "a long enough password")
	u, _ := url.Parse(base + "/live")

	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	var conns []*websocket.Conn
	for range 3 {
		c, _, err := websocket.Dial(ctx, "ws://"+addr+"/live", &websocket.DialOptions{HTTPClient: &http.Client{Jar: jar}})
		if err != nil {
			t.Fatalf("dial /live with %d cookies: %v", len(jar.Cookies(u)), err)
		}
		defer c.CloseNow()
		if kind := readKind(t, ctx, c); kind != "hello" {
			t.Fatalf("first message %q, want hello", kind)
		}
		conns = append(conns, c)
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	for i, c := range conns {
		if kind := readKind(t, ctx, c); kind != "reconnect" {
			t.Errorf("connection %d got %q on SIGTERM, want reconnect", i, kind)
		}
		if _, _, err := c.Read(ctx); websocket.CloseStatus(err) != websocket.StatusServiceRestart {
			t.Errorf("connection %d closed with %v, want 1012 service restart", i, err)
		}
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	select {
	case err := <-exited:
		if err != nil {
			t.Errorf("rapport serve after SIGTERM: %v", err)
		}
	case <-ctx.Done():
		t.Fatal("rapport serve did not exit after SIGTERM")
	}
}

// readKind reads one message of c and returns its kind.
func readKind(t *testing.T, ctx context.Context, c *websocket.Conn) string {
	t.Helper()
	_, msg, err := c.Read(ctx)
	if err != nil {
		t.Fatalf("read: %v", err)
	}
	var m struct {
		Kind string `json:"kind"`
	}
	if err := json.NewDecoder(strings.NewReader(string(msg))).Decode(&m); err != nil {
		t.Fatalf("message %q: %v", msg, err)
	}
	return m.Kind
}
