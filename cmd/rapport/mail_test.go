package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const mailTestdata = "../../internal/channel/email/testdata/mail"

// parsedMail is the part of mailCmd's output the tests read.
type parsedMail struct {
	File           string `json:"file"`
	Error          string `json:"error"`
	IdempotencyKey string `json:"idempotency_key"`
	Subject        string `json:"subject"`
	Class          string `json:"class"`
	Text           string `json:"text"`
	Unreadable     bool   `json:"unreadable"`
	From           struct {
		Name    string `json:"name"`
		Address string `json:"address"`
	} `json:"from"`
	Headers     map[string][]string `json:"headers"`
	Attachments []map[string]any    `json:"attachments"`
	Delivery    *struct {
		OriginalMessageID string `json:"original_message_id"`
		Recipient         string `json:"recipient"`
		Status            string `json:"status"`
	} `json:"delivery"`
	Keys struct {
		MessageIDs    []string `json:"message_ids"`
		ReplyTokens   []string `json:"reply_tokens"`
		TicketNumbers []int64  `json:"ticket_numbers"`
	} `json:"thread_keys"`
}

func runMail(t *testing.T, stdin string, args ...string) (string, string, error) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	err := mailCmd(context.Background(), args, strings.NewReader(stdin), &stdout, &stderr)
	return stdout.String(), stderr.String(), err
}

func TestMailParse(t *testing.T) {
	dsn := filepath.Join(mailTestdata, "dsn-postfix.eml")
	reply := filepath.Join(mailTestdata, "reply-gmail-en.eml")
	missing := filepath.Join(t.TempDir(), "nope.eml")
	raw, err := os.ReadFile(reply)
	if err != nil {
		t.Fatal(err)
	}

	t.Run("one file gives one object", func(t *testing.T) {
		out, _, err := runMail(t, "", "parse", dsn)
		if err != nil {
			t.Fatal(err)
		}
		var m parsedMail
		if err := json.Unmarshal([]byte(out), &m); err != nil {
			t.Fatalf("%v in:\n%s", err, out)
		}
		if m.File != dsn || m.Class != "delivery_report" || m.Subject != "Undelivered Mail Returned to Sender" {
			t.Errorf("got file %q class %q subject %q", m.File, m.Class, m.Subject)
		}
		if m.Delivery == nil || m.Delivery.OriginalMessageID != "ticket-1042-msg-6@rapport.example.com" || m.Delivery.Recipient != "jane.doe@example.org" || m.Delivery.Status != "5.1.1" {
			t.Errorf("delivery = %+v", m.Delivery)
		}
		if len(m.Attachments) != 2 {
			t.Fatalf("attachments = %v", m.Attachments)
		}
		a := m.Attachments[1]
		if a["filename"] != "message.eml" || a["content_type"] != "message/rfc822" || len(a["sha256"].(string)) != 64 || a["size"].(float64) == 0 {
			t.Errorf("attachment = %v", a)
		}
		if _, ok := a["data"]; ok || strings.Contains(out, "Hello Jane, the replacement") {
			t.Error("attachment bytes printed")
		}
		if m.Headers["Auto-Submitted"][0] != "auto-replied" {
			t.Errorf("headers = %v", m.Headers)
		}
		if !strings.Contains(out, "<jane.doe@example.org>") {
			t.Error("output escapes HTML characters")
		}
	})

	t.Run("mailbox flag reads reply tokens", func(t *testing.T) {
		out, _, err := runMail(t, "", "parse", "--mailbox", "support@example.com", reply)
		if err != nil {
			t.Fatal(err)
		}
		var m parsedMail
		if err := json.Unmarshal([]byte(out), &m); err != nil {
			t.Fatal(err)
		}
		if len(m.Keys.ReplyTokens) != 1 || m.Keys.ReplyTokens[0] != "k7f3q9xa" || m.Keys.TicketNumbers[0] != 1042 || len(m.Keys.MessageIDs) != 2 {
			t.Errorf("keys = %+v", m.Keys)
		}
		if m.IdempotencyKey != "jane.doe@example.org CAF7k2pQ-reply-2@mail.example.org" {
			t.Errorf("idempotency key = %q", m.IdempotencyKey)
		}
		out, _, _ = runMail(t, "", "parse", reply)
		json.Unmarshal([]byte(out), &m)
		if len(m.Keys.ReplyTokens) != 0 {
			t.Errorf("tokens without --mailbox: %v", m.Keys.ReplyTokens)
		}
	})

	t.Run("several files and a missing one", func(t *testing.T) {
		out, errOut, err := runMail(t, "", "parse", dsn, missing, reply)
		if err == nil || !strings.Contains(err.Error(), "1 of 3 files could not be read") {
			t.Errorf("err = %v", err)
		}
		if !strings.Contains(errOut, missing) || !strings.Contains(errOut, "no such file") {
			t.Errorf("stderr = %q", errOut)
		}
		var ms []parsedMail
		if err := json.Unmarshal([]byte(out), &ms); err != nil {
			t.Fatalf("%v in:\n%s", err, out)
		}
		if len(ms) != 3 || ms[0].Class != "delivery_report" || ms[2].Subject != "Re: [#1042] Order 5532 arrived damaged" {
			t.Fatalf("got %+v", ms)
		}
		if ms[1].File != missing || !strings.Contains(ms[1].Error, "no such file") || ms[1].Subject != "" {
			t.Errorf("missing file entry = %+v", ms[1])
		}
	})

	t.Run("standard input", func(t *testing.T) {
		out, _, err := runMail(t, string(raw), "parse", "-")
		if err != nil {
			t.Fatal(err)
		}
		var m parsedMail
		json.Unmarshal([]byte(out), &m)
		if m.File != "-" || m.From.Address != "jane.doe@example.org" || !strings.Contains(m.Text, "replacement sounds good") {
			t.Errorf("got %+v", m)
		}
	})

	t.Run("unreadable message is reported, not failed", func(t *testing.T) {
		out, _, err := runMail(t, "", "parse", filepath.Join(mailTestdata, "no-header-garbage.eml"))
		if err != nil {
			t.Fatal(err)
		}
		var m parsedMail
		json.Unmarshal([]byte(out), &m)
		if !m.Unreadable || !strings.Contains(m.Text, "not an email") {
			t.Errorf("got %+v", m)
		}
	})

	t.Run("directory", func(t *testing.T) {
		_, errOut, err := runMail(t, "", "parse", t.TempDir())
		if err == nil || !strings.Contains(errOut, "is a directory") {
			t.Errorf("err = %v, stderr = %q", err, errOut)
		}
	})

	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"no subcommand", nil, "want parse"},
		{"unknown subcommand", []string{"send"}, "want parse"},
		{"no files", []string{"parse"}, "no files given"},
		{"bad mailbox", []string{"parse", "--mailbox", "support", dsn}, "not an address"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := runMail(t, "", tc.args...)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want %q", err, tc.want)
			}
		})
	}
}
