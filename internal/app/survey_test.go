package app

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"mime"
	"mime/multipart"
	"net/http"
	"net/mail"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/rapport/rapport/internal/agent"
	"github.com/rapport/rapport/internal/config"
	"github.com/rapport/rapport/internal/customer"
	"github.com/rapport/rapport/internal/intake"
	"github.com/rapport/rapport/internal/jobs"
	"github.com/rapport/rapport/internal/store/storetest"
	"github.com/rapport/rapport/internal/ticket"
)

// TestSurveyEndToEnd runs the app: a Latvian customer's ticket is solved,
// the survey lands in the outbox in Latvian, and clicking its one-click
// link on the running server records the answer.
func TestSurveyEndToEnd(t *testing.T) {
	backends := []struct {
		name string
		dsn  func(t *testing.T) string
	}{
		{"sqlite", func(t *testing.T) string { return filepath.Join(t.TempDir(), "survey.db") }},
		{"postgres", func(t *testing.T) string { return storetest.PostgresDSN(t) }},
	}
	for _, be := range backends {
		t.Run(be.name, func(t *testing.T) { surveyEndToEnd(t, be.dsn(t)) })
	}
}

func surveyEndToEnd(t *testing.T, dsn string) {
	ctx := context.Background()
	dir := t.TempDir()
	cfg := config.Default()
	cfg.DB, cfg.OutboxDir, cfg.AttachmentsDir = dsn, filepath.Join(dir, "outbox"), filepath.Join(dir, "att")
	cfg.SingleNode = true // the outbox folder stands in for a relay on PostgreSQL too
	cfg.Mailboxes, cfg.BusinessName, cfg.Addr, cfg.SMTPAddr = "support@shop.example", "Aurora", "127.0.0.1:0", ""
	cfg.PublicURL = "https://help.shop.example"
	log := slog.New(slog.NewTextHandler(&bytes.Buffer{}, nil))
	clock := jobs.NewFakeClock(time.Date(2025, 3, 10, 9, 0, 0, 0, time.UTC))
	svc, err := openServices(ctx, cfg, log, clock)
	if err != nil {
		t.Fatal(err)
	}
	a, err := newWithServices(ctx, cfg, log, svc)
	if err != nil {
		svc.DB.Close()
		t.Fatal(err)
	}
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- a.Run(runCtx) }()
	defer func() {
		stop()
		if err := <-done; err != nil {
			t.Errorf("run: %v", err)
		}
	}()

	al, err := svc.Agents.Create(ctx, agent.NewAgent{Email: "al@shop.example", Name: "Al Agent", Role: agent.RoleAgent, Password: "long enough", Languages: []string{"lv"}})
	if err != nil {
		t.Fatal(err)
	}
	res, err := svc.Intake.Receive(ctx, intake.Inbound{Channel: "email", From: intake.Sender{Kind: customer.Email, Value: "liga@example.lv", Name: "Līga Bērziņa"},
		Subject: "Pasūtījums nav pienācis", Text: "Labdien, mans pasūtījums vēl nav pienācis. Lūdzu, palīdziet.", Language: "lv",
		MessageKey: "order@example.lv", Raw: []byte("raw")})
	if err != nil {
		t.Fatal(err)
	}
	id := res.TicketID
	if _, err := svc.Tickets.Reply(ctx, ticket.AgentActor(al.ID), id, "Labdien, Līga! Pasūtījums ir ceļā.", ticket.Solved); err != nil {
		t.Fatal(err)
	}
	svc.Jobs.Notify()

	// The workers send the acknowledgement, the reply and the survey.
	var survey *surveyMail
	for deadline := time.Now().Add(20 * time.Second); survey == nil && time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		survey = findSurveyMail(t, cfg.OutboxDir)
	}
	if survey == nil {
		t.Fatal("no survey in the outbox")
	}
	if !strings.Contains(survey.subject, "Kā mums veicās?") || survey.lang != "lv" || !strings.Contains(survey.text, "Labdien, Līga!") {
		t.Fatalf("survey mail: subject %q, language %q\n%s", survey.subject, survey.lang, survey.text)
	}
	link := regexp.MustCompile(`https://help\.shop\.example(/survey/[A-Za-z0-9_-]+\?q=csat&v=5)`).FindStringSubmatch(survey.text)
	if link == nil {
		t.Fatalf("no one-click link for 5 in %s", survey.text)
	}
	// Opening the link records nothing; its form, posted (by survey.js
	// in a browser), does, and leads to the thanks for it.
	resp, err := http.Get(a.URL() + link[1])
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), `name="oneclick" value="csat"`) {
		t.Fatalf("click: %d %s", resp.StatusCode, body)
	}
	var unanswered *int64
	if err := svc.DB.R.QueryRowContext(ctx, "SELECT csat FROM surveys WHERE ticket_id = $1", id).Scan(&unanswered); err != nil || unanswered != nil {
		t.Fatalf("opening the link recorded csat %v (%v)", unanswered, err)
	}
	page, _, _ := strings.Cut(link[1], "?")
	resp, err = http.PostForm(a.URL()+page, url.Values{"oneclick": {"csat"}, "csat": {"5"}})
	if err != nil {
		t.Fatal(err)
	}
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), "Paldies! Mēs esam saglabājuši Jūsu atbildi.") {
		t.Fatalf("post: %d %s", resp.StatusCode, body)
	}
	var csat int
	var answered *int64
	if err := svc.DB.R.QueryRowContext(ctx, "SELECT csat, answered_at FROM surveys WHERE ticket_id = $1", id).Scan(&csat, &answered); err != nil {
		t.Fatal(err)
	}
	if csat != 5 || answered == nil || *answered != clock.Now().UnixMilli() {
		t.Fatalf("recorded csat %d answered %v", csat, answered)
	}
}

type surveyMail struct{ subject, lang, text string }

// findSurveyMail returns the survey invitation in the outbox, or nil.
func findSurveyMail(t *testing.T, dir string) *surveyMail {
	t.Helper()
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".") {
			continue
		}
		raw, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		m, err := mail.ReadMessage(bytes.NewReader(raw))
		if err != nil {
			t.Fatal(err)
		}
		mt, params, _ := mime.ParseMediaType(m.Header.Get("Content-Type"))
		// Every customer mail has an HTML part; the acknowledgement and the
		// reply are threaded into the conversation, the survey is not.
		if mt != "multipart/alternative" || m.Header.Get("In-Reply-To") != "" {
			continue
		}
		subject, _ := new(mime.WordDecoder).DecodeHeader(m.Header.Get("Subject"))
		p, err := multipart.NewReader(m.Body, params["boundary"]).NextPart()
		if err != nil {
			t.Fatal(err)
		}
		text, _ := io.ReadAll(p)
		return &surveyMail{subject: subject, lang: m.Header.Get("Content-Language"), text: string(text)}
	}
	return nil
}
