package app

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/http"
	"net/http/cookiejar"
	"net/mail"
	"net/smtp"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/rapport/rapport/internal/config"
)

// TestFirstRunThenAcknowledgement is the first run as a new business
// lives it: a fresh server on an empty database sends every page to
// /setup; the setup form is filled in; the admin lands in the inbox,
// signed in; a customer's email through the real SMTP listener is
// acknowledged from the sender name that was set, signed with the
// signature, in the customer's language among those served; and the
// setup page is gone.
func TestFirstRunThenAcknowledgement(t *testing.T) {
	backends(t, firstRunThenAcknowledgement)
}

func firstRunThenAcknowledgement(t *testing.T, dsn string) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	dir := t.TempDir()
	cfg := config.Default()
	cfg.DB, cfg.Addr, cfg.SMTPAddr = dsn, "127.0.0.1:0", "127.0.0.1:0"
	cfg.OutboxDir, cfg.AttachmentsDir = filepath.Join(dir, "outbox"), filepath.Join(dir, "att")
	cfg.SingleNode = true // the outbox folder stands in for a relay on PostgreSQL too
	cfg.Mailboxes = "support@aurora.example"
	a, err := New(ctx, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("server: %v", err)
		}
	}()

	jar, _ := cookiejar.New(nil)
	browser := &http.Client{Jar: jar, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	get := func(c *http.Client, path string) (*http.Response, string) {
		t.Helper()
		resp, err := c.Get(a.URL() + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp, string(b)
	}
	for _, path := range []string{"/", "/login", "/admin/business", "/customers"} {
		if resp, _ := get(browser, path); resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/setup" {
			t.Fatalf("GET %s on a fresh server = %d to %q, want 303 to /setup", path, resp.StatusCode, resp.Header.Get("Location"))
		}
	}
	resp, page := get(browser, "/setup")
	if resp.StatusCode != http.StatusOK || !strings.Contains(page, `name="time_zone"`) || !strings.Contains(page, "/static/setup.js") {
		t.Fatalf("GET /setup = %d:\n%s", resp.StatusCode, page)
	}
	token := regexp.MustCompile(`name="csrf" value="([^"]+)"`).FindStringSubmatch(page)
	if token == nil {
		t.Fatal("no CSRF token on the setup page")
	}
	form := url.Values{
		"csrf": {token[1]}, "action": {"finish"},
		"name": {"Aurora Casa & Giardino"}, "sender_name": {"Aurora – assistenza clienti"}, "time_zone": {"Europe/Rome"},
		"languages": {"it", "en"}, "default_language": {"it"}, "register_it": {"formal"},
		"signature": {"Giulia e lo staff di Aurora Casa & Giardino"},
		"week":      {"mon-fri 09:00-18:00"}, "team": {"Assistenza"},
		"admin_name": {"Giulia Bianchi"}, "email": {"giulia@aurora.example"}, "password": {"una password lunga"},
	}
	// The test send goes through the relay in the form and shows what the
	// relay said: here Rapport's own listener, which takes mail only for
	// its mailboxes.
	test := url.Values{}
	for k, v := range form {
		test[k] = v
	}
	test.Set("action", "test")
	test.Set("smtp_relay", a.SMTPAddr())
	test.Set("test_to", "nobody@elsewhere.example")
	resp, err = browser.PostForm(a.URL()+"/setup", test)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), `id="test-result"`) ||
		!strings.Contains(string(body), "RCPT TO nobody@elsewhere.example") || !strings.Contains(string(body), "550") ||
		!strings.Contains(string(body), `value="Aurora – assistenza clienti"`) {
		t.Fatalf("test send = %d:\n%s", resp.StatusCode, body)
	}
	if need, _ := a.Services().Setup.Needed(ctx); !need {
		t.Fatal("the test send finished the setup")
	}

	// Without the token the form is refused and nothing is made.
	bad := url.Values{}
	for k, v := range form {
		bad[k] = v
	}
	bad.Set("csrf", "forged")
	resp, err = browser.PostForm(a.URL()+"/setup", bad)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("POST /setup with a forged token = %d, want 403", resp.StatusCode)
	}
	resp, err = browser.PostForm(a.URL()+"/setup", form)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/" {
		t.Fatalf("POST /setup = %d to %q, want 303 to /", resp.StatusCode, resp.Header.Get("Location"))
	}
	resp, page = get(browser, "/")
	if resp.StatusCode != http.StatusOK || !strings.Contains(page, "Giulia Bianchi") || !strings.Contains(page, `href="/admin/business"`) {
		t.Fatalf("the inbox after setup = %d:\n%s", resp.StatusCode, page)
	}

	// A customer writes in Italian through the SMTP listener.
	msg := "From: Carla Rossi <carla@example.it>\r\nTo: support@aurora.example\r\nSubject: Ordine in ritardo\r\n" +
		"Message-ID: <carla-1@example.it>\r\nDate: Mon, 07 Dec 2026 10:00:00 +0100\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" +
		"Buongiorno, il mio ordine non è ancora arrivato e vorrei sapere quando arriverà.\r\n"
	if err := smtp.SendMail(a.SMTPAddr(), nil, "carla@example.it", []string{"support@aurora.example"}, []byte(msg)); err != nil {
		t.Fatal(err)
	}
	raw := waitForMail(t, cfg.OutboxDir)
	m, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	from, _ := m.Header.AddressList("From")
	subject, _ := new(mime.WordDecoder).DecodeHeader(m.Header.Get("Subject"))
	text := textPart(t, m)
	checks := []struct {
		name string
		ok   bool
		got  string
	}{
		{"From name is the sender name set", len(from) == 1 && from[0].Name == "Aurora – assistenza clienti" && from[0].Address == "support@aurora.example", m.Header.Get("From")},
		{"in Italian", m.Header.Get("Content-Language") == "it" && strings.Contains(subject, "Ordine in ritardo"), subject},
		{"threaded", m.Header.Get("In-Reply-To") == "<carla-1@example.it>", m.Header.Get("In-Reply-To")},
		{"automatic", m.Header.Get("Auto-Submitted") == "auto-replied", m.Header.Get("Auto-Submitted")},
		{"signed with the signature set", strings.HasSuffix(text, "Giulia e lo staff di Aurora Casa & Giardino\n"), text},
		{"no generic sign-off", !strings.Contains(text, "team di"), text},
	}
	for _, c := range checks {
		if !c.ok {
			t.Errorf("acknowledgement: %s: got %q", c.name, c.got)
		}
	}

	// The first run is over: the setup page is gone for everyone.
	stranger := &http.Client{Timeout: 30 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	if resp, _ := get(stranger, "/setup"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("GET /setup after the first run = %d, want 404", resp.StatusCode)
	}
	if resp, _ := get(stranger, "/"); resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/login") {
		t.Errorf("GET / after the first run = %d to %q, want the login", resp.StatusCode, resp.Header.Get("Location"))
	}
	form.Set("email", "mallory@example.com")
	resp, err = browser.PostForm(a.URL()+"/setup", form)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("POST /setup after the first run = %d, want 404", resp.StatusCode)
	}
	if _, err := a.Services().Agents.GetByEmail(ctx, "mallory@example.com"); err == nil {
		t.Error("a second setup made an agent")
	}
}

// waitForMail returns the first message written to the outbox folder,
// waiting for the job workers to send it.
func waitForMail(t *testing.T, dir string) []byte {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		entries, _ := os.ReadDir(dir)
		for _, e := range entries {
			if strings.HasSuffix(e.Name(), ".eml") && !strings.HasPrefix(e.Name(), ".") {
				raw, err := os.ReadFile(filepath.Join(dir, e.Name()))
				if err != nil {
					t.Fatal(err)
				}
				return raw
			}
		}
		if time.Now().After(deadline) {
			t.Fatal("no mail in the outbox")
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// textPart is the decoded text/plain part of a multipart/alternative mail.
func textPart(t *testing.T, m *mail.Message) string {
	t.Helper()
	_, params, err := mime.ParseMediaType(m.Header.Get("Content-Type"))
	if err != nil {
		t.Fatal(err)
	}
	r := multipart.NewReader(m.Body, params["boundary"])
	for {
		p, err := r.NextRawPart()
		if err != nil {
			t.Fatalf("no text part: %v", err)
		}
		if strings.HasPrefix(p.Header.Get("Content-Type"), "text/plain") {
			b, err := io.ReadAll(quotedprintable.NewReader(p))
			if err != nil {
				t.Fatal(err)
			}
			return strings.ReplaceAll(string(b), "\r\n", "\n")
		}
	}
}
