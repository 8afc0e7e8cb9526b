package app

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rapport/rapport/internal/agent"
	"github.com/rapport/rapport/internal/chat"
	"github.com/rapport/rapport/internal/config"
	"github.com/rapport/rapport/internal/customer"
	"github.com/rapport/rapport/internal/jobs"
	"github.com/rapport/rapport/internal/sla"
	"github.com/rapport/rapport/internal/store/storetest"
	"github.com/rapport/rapport/internal/ticket"
)

// chatApp is a running app for the chat tests, on a fake clock.
type chatApp struct {
	t     *testing.T
	svc   *Services
	url   string
	clock *jobs.FakeClock
}

func startChatApp(t *testing.T, dsn string, now time.Time) *chatApp {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	cfg := config.Default()
	cfg.DB, cfg.OutboxDir, cfg.AttachmentsDir = dsn, filepath.Join(dir, "outbox"), filepath.Join(dir, "att")
	cfg.SingleNode = true
	cfg.Mailboxes, cfg.BusinessName, cfg.Addr, cfg.SMTPAddr = "support@shop.example", "Aurora", "127.0.0.1:0", ""
	log := slog.New(slog.NewTextHandler(&bytes.Buffer{}, nil))
	clock := jobs.NewFakeClock(now)
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
	t.Cleanup(func() {
		stop()
		if err := <-done; err != nil {
			t.Errorf("run: %v", err)
		}
	})
	return &chatApp{t: t, svc: svc, url: a.URL(), clock: clock}
}

// call makes a visitor's request from origin with token; it returns the
// status and the decoded JSON body.
func (c *chatApp) call(method, path, origin, token, contentType string, body []byte) (int, map[string]any, http.Header) {
	c.t.Helper()
	req, _ := http.NewRequest(method, c.url+path, bytes.NewReader(body))
	if origin != "" {
		req.Header.Set("Origin", origin)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var out map[string]any
	json.Unmarshal(raw, &out)
	return resp.StatusCode, out, resp.Header
}

func (c *chatApp) post(path, origin, token string, v any) (int, map[string]any) {
	c.t.Helper()
	b, _ := json.Marshal(v)
	code, out, _ := c.call("POST", path, origin, token, "application/json", b)
	return code, out
}

func eachBackend(t *testing.T, fn func(t *testing.T, dsn string)) {
	backends := []struct {
		name string
		dsn  func(t *testing.T) string
	}{
		{"sqlite", func(t *testing.T) string { return filepath.Join(t.TempDir(), "chat.db") }},
		{"postgres", func(t *testing.T) string { return storetest.PostgresDSN(t) }},
	}
	for _, be := range backends {
		t.Run(be.name, func(t *testing.T) { fn(t, be.dsn(t)) })
	}
}

const site = "https://shop.example"

// The visitor's API as a widget on a business's site uses it: origins are
// checked, a token is needed, a message sent twice with one client id is
// stored once, files are judged by their content, a wrong user hash is
// refused and an unsigned email never joins an existing customer, a
// signed one does; the agent's reply reaches the visitor with name and
// initials, never a note; a solved chat takes one rating, which is the
// ticket's survey, and its transcript is queued as mail.
func TestChatVisitorAPI(t *testing.T) {
	eachBackend(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		c := startChatApp(t, dsn, time.Date(2025, 3, 10, 10, 0, 0, 0, time.UTC))
		svc := c.svc
		w, err := svc.Chat.CreateWidget(ctx, chat.Widget{Name: "Help", Origins: []string{site}, PreChat: true})
		if err != nil {
			t.Fatal(err)
		}
		base := "/chat/v1/w/" + w.Key
		known, err := svc.Customers.Create(ctx, customer.NewCustomer{Name: "Known Customer", Emails: []string{"vip@example.com"}})
		if err != nil {
			t.Fatal(err)
		}

		// Origins and tokens.
		if code, _ := c.post(base+"/sessions", "https://evil.example", "", map[string]string{"name": "Eve"}); code != http.StatusForbidden {
			t.Errorf("a session from another site: %d, want 403", code)
		}
		if code, _ := c.post(base+"/sessions", "", "", map[string]string{"name": "Eve"}); code != http.StatusForbidden {
			t.Errorf("a session without an Origin: %d, want 403", code)
		}
		code, _, hdr := c.call("OPTIONS", base+"/messages", site, "", "", nil)
		if code != http.StatusNoContent || hdr.Get("Access-Control-Allow-Origin") != site {
			t.Errorf("preflight: %d, allow-origin %q", code, hdr.Get("Access-Control-Allow-Origin"))
		}
		if code, _, _ := c.call("GET", base+"/messages", site, strings.Repeat("a", 64), "", nil); code != http.StatusUnauthorized {
			t.Errorf("messages with a made-up token: %d, want 401", code)
		}
		if code, out := c.post(base+"/sessions", site, "", map[string]string{"email": "vip@example.com", "user_hash": chat.UserHash("wrong", "vip@example.com")}); code != http.StatusForbidden || out["error"] != "bad_user_hash" {
			t.Errorf("a wrong user hash: %d %v, want 403 bad_user_hash", code, out)
		}

		// An unsigned claim to be vip@example.com.
		code, out := c.post(base+"/sessions", site, "", map[string]string{"name": "Vera", "email": "vip@example.com", "language": "it-IT"})
		if code != http.StatusCreated || out["language"] != "it" || out["verified"] != false {
			t.Fatalf("start: %d %v", code, out)
		}
		token := out["token"].(string)
		msg := map[string]string{"client_id": "c-1", "text": "Ciao, dov'è il mio ordine?"}
		code, first := c.post(base+"/messages", site, token, msg)
		if code != http.StatusCreated {
			t.Fatalf("send: %d %v", code, first)
		}
		code, again := c.post(base+"/messages", site, token, msg)
		m1, m2 := first["message"].(map[string]any), again["message"].(map[string]any)
		if code != http.StatusCreated || m1["id"] != m2["id"] || m1["client_id"] != "c-1" {
			t.Errorf("the same client id again: %d, message %v then %v", code, m1["id"], m2["id"])
		}
		if code, _ := c.post(base+"/messages", site, token, map[string]string{"client_id": "bad id!", "text": "x"}); code != http.StatusBadRequest {
			t.Errorf("a bad client id: %d, want 400", code)
		}
		if code, _ := c.post(base+"/messages", site, token, map[string]string{"client_id": "c-big", "text": strings.Repeat("é", chat.MaxText+1)}); code != http.StatusBadRequest {
			t.Errorf("a message over the limit: %d, want 400", code)
		}
		var tid, custID int64
		var channel string
		var count int
		svc.DB.R.QueryRowContext(ctx, `SELECT t.id, t.customer_id, t.channel FROM tickets t WHERE t.channel = 'chat'`).Scan(&tid, &custID, &channel)
		svc.DB.R.QueryRowContext(ctx, `SELECT count(*) FROM messages WHERE ticket_id = $1`, tid).Scan(&count)
		if tid == 0 || count != 1 {
			t.Fatalf("chat ticket %d with %d messages, want one ticket with one message", tid, count)
		}
		if custID == known.ID {
			t.Error("an unsigned email claim joined the chat to the existing customer")
		}

		// Files: judged by content, served as downloads.
		upload := func(name string, data []byte) (int, map[string]any) {
			var b bytes.Buffer
			mw := multipart.NewWriter(&b)
			mw.WriteField("client_id", "f-"+strings.ReplaceAll(name, ".", "-"))
			fw, _ := mw.CreateFormFile("file", name)
			fw.Write(data)
			mw.Close()
			code, out, _ := c.call("POST", base+"/files", site, token, mw.FormDataContentType(), b.Bytes())
			return code, out
		}
		if code, out := upload("invoice.pdf", []byte("<html><script>alert(1)</script></html>")); code != http.StatusUnsupportedMediaType {
			t.Errorf("HTML named .pdf: %d %v, want 415", code, out)
		}
		code, out = upload("photo.png", append([]byte("\x89PNG\r\n\x1a\n"), make([]byte, 64)...))
		if code != http.StatusCreated {
			t.Fatalf("a PNG: %d %v", code, out)
		}
		files := out["message"].(map[string]any)["files"].([]any)
		fileID := int64(files[0].(map[string]any)["id"].(float64))
		code, _, hdr = c.call("GET", base+"/files/"+jsonID(fileID), "", token, "", nil)
		if code != http.StatusOK || !strings.HasPrefix(hdr.Get("Content-Disposition"), "attachment") || hdr.Get("Content-Type") != "application/octet-stream" {
			t.Errorf("download: %d, disposition %q, type %q", code, hdr.Get("Content-Disposition"), hdr.Get("Content-Type"))
		}

		// The agent's reply reaches the visitor; a note does not.
		ann, err := svc.Agents.Create(ctx, agent.NewAgent{Email: "ann@shop.example", Name: "Ann Bell", Role: agent.RoleAdmin, Password: "long enough password", Languages: []string{"it"}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Tickets.AddNote(ctx, ticket.AgentActor(ann.ID), tid, "Internal: check the courier"); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Tickets.Reply(ctx, ticket.AgentActor(ann.ID), tid, "È partito stamattina.", ""); err != nil {
			t.Fatal(err)
		}
		code, list, _ := c.call("GET", base+"/messages?after=0", site, token, "", nil)
		msgs := list["messages"].([]any)
		last := msgs[len(msgs)-1].(map[string]any)
		if code != http.StatusOK || len(msgs) != 3 || last["from"] != "agent" || last["name"] != "Ann Bell" || last["initials"] != "AB" {
			t.Errorf("messages: %d %v", code, list)
		}
		for _, m := range msgs {
			if strings.Contains(m.(map[string]any)["text"].(string), "Internal") {
				t.Error("the visitor sees an internal note")
			}
		}

		// The event-stream fallback: resumed after the last message seen,
		// then the next reply, live; a note never comes.
		req, _ := http.NewRequest("GET", c.url+base+"/live?after="+jsonID(int64(last["id"].(float64)))+"&token="+token, nil)
		req.Header.Set("Accept", "text/event-stream")
		req.Header.Set("Origin", site)
		sctx, cancel := context.WithTimeout(ctx, 20*time.Second)
		defer cancel()
		resp, err := http.DefaultClient.Do(req.WithContext(sctx))
		if err != nil || resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "text/event-stream" {
			t.Fatalf("event stream: %v %v", resp, err)
		}
		defer resp.Body.Close()
		events := bufio.NewScanner(resp.Body)
		next := func() map[string]any {
			t.Helper()
			for events.Scan() {
				if data, ok := strings.CutPrefix(events.Text(), "data: "); ok {
					var ev map[string]any
					json.Unmarshal([]byte(data), &ev)
					return ev
				}
			}
			t.Fatalf("the stream ended: %v", events.Err())
			return nil
		}
		if ev := next(); ev["kind"] != "hello" {
			t.Fatalf("first event %v", ev)
		}
		if _, err := svc.Tickets.AddNote(ctx, ticket.AgentActor(ann.ID), tid, "Internal: second note"); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Tickets.Reply(ctx, ticket.AgentActor(ann.ID), tid, "Arriva domani.", ""); err != nil {
			t.Fatal(err)
		}
		svc.Jobs.Notify()
		if ev := next(); ev["kind"] != "message" || ev["message"].(map[string]any)["text"] != "Arriva domani." {
			t.Errorf("the next event is %v, want the reply (and never the note)", ev)
		}
		cancel()

		// Per visitor, at most 30 messages a minute.
		limited := 0
		for i := range 31 {
			if code, _ := c.post(base+"/messages", site, token, map[string]string{"client_id": "r-" + jsonID(int64(i)), "text": "ping"}); code == http.StatusTooManyRequests {
				limited++
			}
		}
		if limited == 0 {
			t.Error("31 messages in a minute were all taken")
		}

		// Rated once, when the chat ended; the transcript is queued.
		if code, out := c.post(base+"/rating", site, token, map[string]any{"score": 6}); code != http.StatusBadRequest {
			t.Errorf("a score of 6: %d %v", code, out)
		}
		st := ticket.Solved
		if _, err := svc.Tickets.Update(ctx, ticket.AgentActor(ann.ID), tid, ticket.Update{Status: &st}); err != nil {
			t.Fatal(err)
		}
		if code, out := c.post(base+"/rating", site, token, map[string]any{"score": 4, "comment": "Gentili"}); code != http.StatusNoContent {
			t.Fatalf("rate: %d %v", code, out)
		}
		if code, out := c.post(base+"/rating", site, token, map[string]any{"score": 1}); code != http.StatusConflict {
			t.Errorf("rate again: %d %v, want 409", code, out)
		}
		var csat int
		if err := svc.DB.R.QueryRowContext(ctx, `SELECT csat FROM surveys WHERE ticket_id = $1`, tid).Scan(&csat); err != nil || csat != 4 {
			t.Errorf("the chat's survey: %d %v", csat, err)
		}
		if code, out := c.post(base+"/transcript", site, token, map[string]any{"email": "vera@example.com"}); code != http.StatusNoContent {
			t.Fatalf("transcript: %d %v", code, out)
		}
		var payload string
		svc.DB.R.QueryRowContext(ctx, `SELECT CAST(payload AS TEXT) FROM jobs WHERE kind = 'mail.internal' ORDER BY id DESC LIMIT 1`).Scan(&payload)
		if !strings.Contains(payload, "vera@example.com") || !strings.Contains(payload, "partito stamattina") {
			t.Errorf("no transcript queued for vera@example.com: %s", payload)
		}

		// A signed identity joins the customer's record.
		code, out = c.post(base+"/sessions", site, "", map[string]string{"email": "vip@example.com", "user_hash": chat.UserHash(w.Secret, "vip@example.com")})
		if code != http.StatusCreated || out["verified"] != true {
			t.Fatalf("signed start: %d %v", code, out)
		}
		if code, out := c.post(base+"/messages", site, out["token"].(string), map[string]string{"client_id": "v-1", "text": "Sono io"}); code != http.StatusCreated {
			t.Fatalf("signed send: %d %v", code, out)
		}
		var joined int64
		svc.DB.R.QueryRowContext(ctx, `SELECT customer_id FROM tickets WHERE channel = 'chat' ORDER BY id DESC LIMIT 1`).Scan(&joined)
		if joined != known.ID {
			t.Errorf("the signed visitor's chat belongs to customer %d, want %d", joined, known.ID)
		}
	})
}

// Outside the widget's business hours the widget says so, and the
// visitor's message becomes an email ticket acknowledged as any other;
// within them the chat is open. The clock is injected.
func TestChatOutOfHoursBecomesEmailTicket(t *testing.T) {
	eachBackend(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		saturday := time.Date(2025, 3, 15, 11, 0, 0, 0, time.UTC)
		c := startChatApp(t, dsn, saturday)
		svc := c.svc
		cal, err := svc.SLA.SaveCalendar(ctx, sla.CalendarRow{Name: "Office", Timezone: "Europe/Rome", Week: "mon-fri 09:00-17:00"})
		if err != nil {
			t.Fatal(err)
		}
		w, err := svc.Chat.CreateWidget(ctx, chat.Widget{Name: "Help", Origins: []string{site}, CalendarID: cal.ID})
		if err != nil {
			t.Fatal(err)
		}
		base := "/chat/v1/w/" + w.Key
		code, cfg, _ := c.call("GET", base+"/config?lang=lv", site, "", "", nil)
		if code != http.StatusOK || cfg["open"] != false || cfg["closed"] != "hours" || cfg["language"] != "lv" || !strings.Contains(cfg["texts"].(map[string]any)["offline"].(string), "ārpus darba laika") {
			t.Fatalf("config on Saturday: %d %v", code, cfg)
		}
		_, out := c.post(base+"/sessions", site, "", map[string]string{"language": "lv"})
		token := out["token"].(string)
		code, out = c.post(base+"/offline", site, token, map[string]string{"client_id": "o-1", "name": "Līga", "email": "liga@example.lv", "text": "Vai jums ir šī kurpe 38. izmērā?"})
		if code != http.StatusCreated {
			t.Fatalf("offline: %d %v", code, out)
		}
		id := int64(out["ticket"].(float64))
		tk, err := svc.Tickets.Get(ctx, id)
		if err != nil || tk.Channel != "email" || tk.CustomerEmail != "liga@example.lv" {
			t.Fatalf("the offline message's ticket: %+v %v", tk, err)
		}
		svc.Jobs.Notify()
		deadline := time.Now().Add(20 * time.Second)
		for {
			var acks int
			svc.DB.R.QueryRowContext(ctx, `SELECT count(*) FROM outbound_mail WHERE ticket_id = $1 AND kind = 'ack'`, id).Scan(&acks)
			if acks == 1 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("no acknowledgement of the offline message (%d)", acks)
			}
			time.Sleep(50 * time.Millisecond)
		}
		// Sent twice (a retry), it is one ticket.
		if _, again := c.post(base+"/offline", site, token, map[string]string{"client_id": "o-1", "name": "Līga", "email": "liga@example.lv", "text": "Vai jums ir šī kurpe 38. izmērā?"}); int64(again["ticket"].(float64)) != id {
			t.Errorf("the same offline message again made ticket %v, want %d", again["ticket"], id)
		}

		// Within the hours, but nobody online: closed, and said why.
		c.clock.Set(time.Date(2025, 3, 17, 10, 0, 0, 0, time.UTC)) // Monday, 11:00 in Rome
		if _, cfg, _ := c.call("GET", base+"/config", site, "", "", nil); cfg["open"] != false || cfg["closed"] != "nobody" {
			t.Errorf("config on Monday morning with nobody online: %v", cfg)
		}
		online := agent.Online
		if _, err := svc.Agents.Create(ctx, agent.NewAgent{Email: "olga@shop.example", Name: "Olga", Role: agent.RoleAgent,
			Password: "long enough password", Languages: []string{"lv"}}); err != nil {
			t.Fatal(err)
		}
		olga, _ := svc.Agents.List(ctx)
		if _, err := svc.Agents.Update(ctx, olga[0].ID, agent.AgentUpdate{Availability: &online}); err != nil {
			t.Fatal(err)
		}
		if _, cfg, _ := c.call("GET", base+"/config", site, "", "", nil); cfg["open"] != true || cfg["closed"] != "" {
			t.Errorf("config on Monday morning with Olga online: %v", cfg)
		}
	})
}

// Widgets refuse what they cannot hold; a deleted widget's key is gone.
func TestChatWidgetSettings(t *testing.T) {
	eachBackend(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		c := startChatApp(t, dsn, time.Date(2025, 3, 10, 10, 0, 0, 0, time.UTC))
		cs := c.svc.Chat
		for _, tc := range []struct {
			name string
			w    chat.Widget
		}{
			{"no name", chat.Widget{Origins: []string{site}}},
			{"an origin with a path", chat.Widget{Name: "x", Origins: []string{"https://shop.example/help"}}},
			{"a colour", chat.Widget{Name: "x", Color: "red"}},
			{"a position", chat.Widget{Name: "x", Position: "top"}},
			{"a language", chat.Widget{Name: "x", Language: "xx"}},
			{"a calendar", chat.Widget{Name: "x", CalendarID: 999}},
		} {
			if _, err := cs.CreateWidget(ctx, tc.w); err == nil {
				t.Errorf("%s: saved, want refused", tc.name)
			}
		}
		w, err := cs.CreateWidget(ctx, chat.Widget{Name: "Help", Origins: []string{"HTTPS://Shop.Example/"}})
		if err != nil || len(w.Origins) != 1 || w.Origins[0] != site || !w.Allows("https://shop.example") || w.Allows("http://shop.example") {
			t.Fatalf("created %+v, %v", w, err)
		}
		old := w.Secret
		if err := cs.RotateSecret(ctx, w.ID); err != nil {
			t.Fatal(err)
		}
		if w2, _ := cs.WidgetByID(ctx, w.ID); w2.Secret == old {
			t.Error("the secret did not change")
		}
		if err := cs.DeleteWidget(ctx, w.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := cs.WidgetByKey(ctx, w.Key); !errors.Is(err, chat.ErrNotFound) {
			t.Errorf("deleted widget: %v", err)
		}
		if code, _, _ := c.call("GET", "/chat/v1/w/"+w.Key+"/config", site, "", "", nil); code != http.StatusNotFound {
			t.Errorf("a deleted widget's config: %d", code)
		}
	})
}

func jsonID(id int64) string {
	b, _ := json.Marshal(id)
	return string(b)
}
