package smtpd_test

import (
	"context"
	"errors"
	"fmt"
	"net/mail"
	"net/smtp"
	"net/textproto"
	"strings"
	"sync"
	"testing"

	"github.com/rapport/rapport/internal/channel/smtpd"
	"github.com/rapport/rapport/internal/customer"
	"github.com/rapport/rapport/internal/intake"
)

// recorder is a Receiver that keeps what it was given, or fails on demand.
type recorder struct {
	mu   sync.Mutex
	got  []intake.Inbound
	fail bool
}

func (r *recorder) Receive(_ context.Context, in intake.Inbound) (intake.Result, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.fail {
		return intake.Result{}, errors.New("database is down")
	}
	r.got = append(r.got, in)
	return intake.Result{InboundID: int64(len(r.got)), Outcome: intake.OutcomeTicket}, nil
}

// headerParser reads just the From and Subject, enough for the listener's
// own tests; the real parser has tests of its own.
func headerParser(raw []byte, env smtpd.Envelope) intake.Inbound {
	m, err := mail.ReadMessage(strings.NewReader(string(raw)))
	if err != nil {
		return intake.Inbound{Class: intake.ClassUnreadable, Reason: err.Error()}
	}
	from, _ := mail.ParseAddress(m.Header.Get("From"))
	in := intake.Inbound{Subject: m.Header.Get("Subject"), MessageKey: m.Header.Get("Message-ID")}
	if from != nil {
		in.From = intake.Sender{Kind: customer.Email, Value: from.Address, Name: from.Name}
	}
	return in
}

func start(t *testing.T, rec *recorder, maxBytes int64) string {
	t.Helper()
	s, err := smtpd.New(smtpd.Opts{Addr: "127.0.0.1:0", Mailboxes: []string{"Support@Shop.example"},
		MaxMessageBytes: maxBytes, Parse: headerParser, Intake: rec})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Serve(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Serve: %v", err)
		}
	})
	return s.Addr()
}

func message(subject, body string) string {
	return "From: Carla <carla@example.com>\r\nTo: support@shop.example\r\nSubject: " + subject +
		"\r\nMessage-ID: <" + subject + "@example.com>\r\n\r\n" + body + "\r\n"
}

// send delivers msg with Go's SMTP client and returns the server's code for
// the step that failed, or 250.
func send(t *testing.T, addr string, rcpts []string, msg string) int {
	t.Helper()
	c, err := smtp.Dial(addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	code := func(err error) int {
		var te *textproto.Error
		if errors.As(err, &te) {
			return te.Code
		}
		t.Fatalf("unexpected error %v", err)
		return 0
	}
	if err := c.Mail("carla@example.com"); err != nil {
		return code(err)
	}
	for _, r := range rcpts {
		if err := c.Rcpt(r); err != nil {
			return code(err)
		}
	}
	w, err := c.Data()
	if err != nil {
		return code(err)
	}
	if _, err := w.Write([]byte(msg)); err != nil {
		return code(err)
	}
	if err := w.Close(); err != nil {
		return code(err)
	}
	c.Quit()
	return 250
}

func TestListener(t *testing.T) {
	rec := &recorder{}
	addr := start(t, rec, 4096)
	tests := []struct {
		name  string
		rcpts []string
		msg   string
		fail  bool
		want  int
	}{
		{"accepted for the mailbox", []string{"support@shop.example"}, message("hello", "Hi there"), false, 250},
		{"plus address with a reply token", []string{"SUPPORT+abc123@shop.example"}, message("token", "Re"), false, 250},
		{"unknown mailbox", []string{"sales@shop.example"}, message("sales", "x"), false, 550},
		{"other domain", []string{"support@elsewhere.example"}, message("relay", "x"), false, 550},
		{"over the size limit", []string{"support@shop.example"}, message("big", strings.Repeat(strings.Repeat("x", 70)+"\r\n", 120)), false, 552},
		{"storage failure asks to retry", []string{"support@shop.example"}, message("later", "x"), true, 451},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rec.mu.Lock()
			rec.fail = tc.fail
			before := len(rec.got)
			rec.mu.Unlock()
			if got := send(t, addr, tc.rcpts, tc.msg); got != tc.want {
				t.Fatalf("code %d, want %d", got, tc.want)
			}
			rec.mu.Lock()
			defer rec.mu.Unlock()
			stored := len(rec.got) - before
			if (tc.want == 250) != (stored == 1) {
				t.Fatalf("%d messages stored", stored)
			}
			if stored == 1 {
				in := rec.got[len(rec.got)-1]
				if in.Channel != "email" || in.From.Value != "carla@example.com" || !strings.Contains(string(in.Raw), "Subject: ") ||
					in.Mailbox != strings.ToLower(tc.rcpts[0]) {
					t.Fatalf("stored %+v", in)
				}
			}
		})
	}
	if got := fmt.Sprint(len(rec.got)); got != "2" {
		t.Fatalf("%s messages stored in all", got)
	}
}
