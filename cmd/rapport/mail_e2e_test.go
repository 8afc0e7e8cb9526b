package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"mime/quotedprintable"
	"net/http"
	"net/mail"
	"net/smtp"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"
)

// TestMailEndToEnd runs the real server and talks to it as a customer's
// mail server would: mail sent with Go's SMTP client becomes a ticket,
// acknowledged in the customer's language; the agent's reply leaves with
// threading headers; the customer's answer, with a new subject and our
// address only in Cc, lands in the same ticket.
func TestMailEndToEnd(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "mail.db")
	outbox := filepath.Join(dir, "outbox")
	if _, _, err := runCmd(t, "a long enough password\n", "user", "add", "--db", db, "--email", "al@shop.example", "--name", "Al Agent"); err != nil {
		t.Fatal(err)
	}
	tok, _, err := runCmd(t, "", "token", "create", "--db", db, "--user", "al@shop.example")
	if err != nil {
		t.Fatal(err)
	}
	tok = strings.TrimSpace(tok)
	httpAddr, smtpAddr := freeAddr(t), freeAddr(t)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"serve", "--db", db, "--addr", httpAddr, "--smtp-addr", smtpAddr,
			"--mailboxes", "support@shop.example", "--business-name", "Aurora Shop", "--outbox-dir", outbox,
			"--attachments-dir", filepath.Join(dir, "att")}, strings.NewReader(""), &bytes.Buffer{}, &bytes.Buffer{})
	}()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	}()
	base := "http://" + httpAddr
	waitUp(t, base+"/healthz")

	api := func(method, path, body string) map[string]any {
		t.Helper()
		req, _ := http.NewRequest(method, base+"/api/v1"+path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+tok)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var v map[string]any
		json.NewDecoder(resp.Body).Decode(&v)
		if resp.StatusCode >= 300 {
			t.Fatalf("%s %s: %d %v", method, path, resp.StatusCode, v)
		}
		return v
	}
	sendMail := func(from string, rcpts []string, msg string) {
		t.Helper()
		if err := smtp.SendMail(smtpAddr, nil, from, rcpts, []byte(strings.ReplaceAll(msg, "\n", "\r\n"))); err != nil {
			t.Fatalf("SMTP: %v", err)
		}
	}
	// waitMail waits for the outbox to hold n messages and returns them, oldest first.
	waitMail := func(n int) []*mail.Message {
		t.Helper()
		deadline := time.Now().Add(30 * time.Second)
		for {
			entries, _ := os.ReadDir(outbox)
			var names []string
			for _, e := range entries {
				if strings.HasSuffix(e.Name(), ".eml") && !strings.HasPrefix(e.Name(), ".") {
					names = append(names, e.Name())
				}
			}
			if len(names) >= n {
				sort.Strings(names)
				var out []*mail.Message
				for _, name := range names {
					data, _ := os.ReadFile(filepath.Join(outbox, name))
					m, err := mail.ReadMessage(bytes.NewReader(data))
					if err != nil {
						t.Fatal(err)
					}
					out = append(out, m)
				}
				return out
			}
			if time.Now().After(deadline) {
				t.Fatalf("the outbox has %d messages, want %d", len(names), n)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	body := func(m *mail.Message) string {
		b, _ := io.ReadAll(quotedprintable.NewReader(m.Body))
		return string(b)
	}
	subject := func(m *mail.Message) string {
		s, _ := new(mime.WordDecoder).DecodeHeader(m.Header.Get("Subject"))
		return s
	}

	sendMail("ilze@example.lv", []string{"support@shop.example"}, `From: =?utf-8?q?Ilze_B=C4=93rzi=C5=86a?= <ilze@example.lv>
To: Aurora Shop <support@shop.example>
Subject: =?utf-8?q?Pas=C5=AAt=C4=ABjums_nav_atn=C4=81cis?=
Message-ID: <first.ilze@example.lv>
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: 8bit

Labdien! Mans pasūtījums joprojām nav atnācis, lai gan tas tika nosūtīts pirms desmit dienām.
Lūdzu, pastāstiet, kur tas ir.
`)
	acks := waitMail(1)
	ack := acks[0]
	list := api("GET", "/tickets?view=all", "")
	data := list["data"].([]any)
	if len(data) != 1 {
		t.Fatalf("%d tickets after one mail", len(data))
	}
	tk := data[0].(map[string]any)
	id := int64(tk["id"].(float64))
	if tk["channel"] != "email" || tk["language"] != "lv" || tk["customer_email"] != "ilze@example.lv" {
		t.Fatalf("ticket %v", tk)
	}
	if s := subject(ack); !strings.Contains(s, "Esam saņēmuši") || !strings.Contains(s, fmt.Sprintf("[#%d]", id)) ||
		ack.Header.Get("In-Reply-To") != "<first.ilze@example.lv>" || !strings.Contains(body(ack), "Labdien, Ilze!") {
		t.Fatalf("acknowledgement %q %v\n%s", s, ack.Header, body(ack))
	}

	api("POST", fmt.Sprintf("/tickets/%d/reply", id), `{"body":"Labdien, Ilze! Kurjers apstiprina, ka paka būs pie jums rīt."}`)
	reply := waitMail(2)[1]
	replyTo := strings.Trim(reply.Header.Get("Reply-To"), "<>")
	ourID := reply.Header.Get("Message-ID")
	if reply.Header.Get("In-Reply-To") != "<first.ilze@example.lv>" || !strings.Contains(reply.Header.Get("References"), "<first.ilze@example.lv>") ||
		!strings.HasPrefix(replyTo, "support+") || ourID == "" || !strings.Contains(body(reply), "paka būs pie jums rīt") {
		t.Fatalf("reply %v\n%s", reply.Header, body(reply))
	}

	// The customer answers her colleague, with us only in Cc and a new subject.
	sendMail("ilze@example.lv", []string{replyTo}, fmt.Sprintf(`From: ilze@example.lv
To: janis@example.lv
Cc: %s
Subject: Paldies
Message-ID: <second.ilze@example.lv>
In-Reply-To: %s
Content-Type: text/plain; charset=utf-8

Paldies, gaidīšu!
`, replyTo, ourID))
	deadline := time.Now().Add(30 * time.Second)
	for {
		msgs := api("GET", fmt.Sprintf("/tickets/%d/messages", id), "")["data"].([]any)
		if len(msgs) == 3 {
			last := msgs[2].(map[string]any)
			if last["kind"] != "customer" || !strings.Contains(last["body_text"].(string), "gaidīšu") {
				t.Fatalf("last message %v", last)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the answer did not land in ticket %d: %d messages", id, len(msgs))
		}
		time.Sleep(50 * time.Millisecond)
	}
	if n := len(api("GET", "/tickets?view=all", "")["data"].([]any)); n != 1 {
		t.Fatalf("%d tickets: the answer opened a new one", n)
	}
}
