package mailout_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/rapport/rapport/internal/channel/mailout"
)

func TestDraftEncode(t *testing.T) {
	d := mailout.Draft{
		From:       mail.Address{Name: "Анна (Магазин)", Address: "support@shop.example"},
		ReplyTo:    "support+tok123@shop.example",
		To:         mail.Address{Name: "Fёдор", Address: "fedor@example.ru"},
		Subject:    "Мы получили ваше сообщение [#42]",
		Text:       "Здравствуйте!\nСтрока с = знаком и очень длинная строка " + strings.Repeat("текст ", 30) + "\n",
		MessageID:  "rapport.1@shop.example",
		InReplyTo:  "<orig@example.ru>",
		References: []string{"orig@example.ru", "rapport.0@shop.example"},
		Date:       time.Date(2025, 3, 10, 9, 0, 0, 0, time.UTC),
	}
	raw := d.Encode()
	if bytes.Contains(bytes.ReplaceAll(raw, []byte("\r\n"), nil), []byte("\n")) {
		t.Fatal("a bare LF in the message")
	}
	m, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	subject, _ := new(mime.WordDecoder).DecodeHeader(m.Header.Get("Subject"))
	from, _ := m.Header.AddressList("From")
	body, _ := io.ReadAll(quotedprintable.NewReader(m.Body))
	tests := []struct {
		name, got, want string
	}{
		{"subject", subject, d.Subject},
		{"from name", from[0].Name, "Анна (Магазин)"},
		{"message id", m.Header.Get("Message-ID"), "<rapport.1@shop.example>"},
		{"in reply to", m.Header.Get("In-Reply-To"), "<orig@example.ru>"},
		{"references", m.Header.Get("References"), "<orig@example.ru> <rapport.0@shop.example>"},
		{"reply to", m.Header.Get("Reply-To"), "<support+tok123@shop.example>"},
		{"body", strings.ReplaceAll(string(body), "\r\n", "\n"), d.Text + "\n"},
		{"not auto-submitted", m.Header.Get("Auto-Submitted"), ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.got != tc.want {
				t.Errorf("got %q, want %q", tc.got, tc.want)
			}
		})
	}
	for _, line := range strings.Split(string(raw), "\r\n") {
		if len(line) > 998 {
			t.Fatalf("line of %d octets", len(line))
		}
	}
}

func TestOutboxWritesWholeFiles(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "out")
	o := mailout.Outbox{Dir: dir}
	for i := 0; i < 3; i++ {
		if err := o.Send(context.Background(), "a@x.example", []string{"b@y.example"}, []byte("Subject: x\r\n\r\nhi\r\n")); err != nil {
			t.Fatal(err)
		}
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 3 {
		t.Fatalf("%d files", len(entries))
	}
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".eml") {
			t.Errorf("file %s", e.Name())
		}
	}
}

// relay is a real SMTP server standing in for the business's relay.
type relay struct {
	mu     sync.Mutex
	msgs   [][]byte
	rcpts  []string
	reject bool
}

type relaySession struct{ r *relay }

func (s relaySession) Reset()        {}
func (s relaySession) Logout() error { return nil }
func (s relaySession) Mail(string, *smtp.MailOptions) error {
	return nil
}
func (s relaySession) Rcpt(to string, _ *smtp.RcptOptions) error {
	if s.r.reject {
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no such user"}
	}
	s.r.mu.Lock()
	s.r.rcpts = append(s.r.rcpts, to)
	s.r.mu.Unlock()
	return nil
}
func (s relaySession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	s.r.mu.Lock()
	s.r.msgs = append(s.r.msgs, b)
	s.r.mu.Unlock()
	return err
}

func TestRelay(t *testing.T) {
	r := &relay{}
	srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return relaySession{r}, nil }))
	srv.Domain = "relay.test"
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })

	tr := mailout.Relay{Addr: ln.Addr().String()}
	msg := mailout.Draft{From: mail.Address{Address: "support@shop.example"}, To: mail.Address{Address: "carla@example.com"},
		Subject: "Hello", Text: "Hi Carla", MessageID: "m@shop.example"}.Encode()
	if err := tr.Send(context.Background(), "support@shop.example", []string{"carla@example.com"}, msg); err != nil {
		t.Fatal(err)
	}
	if len(r.msgs) != 1 || !bytes.Contains(r.msgs[0], []byte("Message-ID: <m@shop.example>")) || r.rcpts[0] != "carla@example.com" {
		t.Fatalf("relay got %q to %v", r.msgs, r.rcpts)
	}
	r.reject = true
	err = tr.Send(context.Background(), "support@shop.example", []string{"nobody@example.com"}, msg)
	if !errors.Is(err, mailout.ErrRejected) {
		t.Fatalf("a 550 gave %v, want ErrRejected", err)
	}
	down := mailout.Relay{Addr: "127.0.0.1:1", Timeout: 2 * time.Second}
	if err := down.Send(context.Background(), "a@b.example", []string{"c@d.example"}, msg); err == nil || errors.Is(err, mailout.ErrRejected) {
		t.Fatalf("an unreachable relay gave %v, want a temporary error", err)
	}
}
