package mailout_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rapport/rapport/internal/agent"
	"github.com/rapport/rapport/internal/attachment"
	"github.com/rapport/rapport/internal/channel/email"
	"github.com/rapport/rapport/internal/channel/mailout"
	"github.com/rapport/rapport/internal/customer"
	"github.com/rapport/rapport/internal/i18n"
	"github.com/rapport/rapport/internal/jobs"
	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/store/storetest"
	"github.com/rapport/rapport/internal/ticket"
)

// recorder is a Transport that keeps what it is given.
type recorder struct {
	mu    sync.Mutex
	rcpts [][]string
	msgs  [][]byte
}

func (r *recorder) Send(_ context.Context, _ string, to []string, msg []byte) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.rcpts = append(r.rcpts, to)
	r.msgs = append(r.msgs, msg)
	return nil
}

// A draft with files is multipart/mixed: the text first, then each file
// in base64, its name encoded when it is not ASCII; the Cc header names
// the copies.
func TestDraftEncodeFiles(t *testing.T) {
	pic := bytes.Repeat([]byte{0xff, 0xd8, 0x00, 'x'}, 100)
	d := mailout.Draft{
		From: mail.Address{Name: "Shop", Address: "support@shop.example"}, To: mail.Address{Address: "ann@example.com"},
		Cc:      []mail.Address{{Name: "Bo Lee", Address: "bo@example.com"}, {Address: "cy@example.com"}},
		Subject: "Your order", Text: "See the photo.\n", HTML: "<p>See the photo.</p>",
		Files: []mailout.File{
			{Filename: "фото.jpg", ContentType: "image/jpeg", Data: pic},
			{Filename: "notes", ContentType: "not a type", Data: []byte("n")},
		},
		Date: time.Date(2025, 3, 10, 9, 0, 0, 0, time.UTC),
	}
	if got := strings.Join(d.Recipients(), " "); got != "ann@example.com bo@example.com cy@example.com" {
		t.Errorf("recipients %q", got)
	}
	raw := d.Encode()
	m, err := email.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Cc) != 2 || m.Cc[0].Name != "Bo Lee" || m.Cc[1].Address != "cy@example.com" {
		t.Errorf("cc %+v", m.Cc)
	}
	if strings.TrimSpace(m.Text) != "See the photo." || !strings.Contains(m.HTML, "See the photo.") {
		t.Errorf("text %q html %q", m.Text, m.HTML)
	}
	if len(m.Attachments) != 2 || m.Attachments[0].Filename != "фото.jpg" || m.Attachments[0].ContentType != "image/jpeg" ||
		!bytes.Equal(m.Attachments[0].Data, pic) || m.Attachments[1].ContentType != "application/octet-stream" {
		t.Fatalf("attachments %+v", m.Attachments)
	}
	for _, line := range strings.Split(string(raw), "\r\n") {
		if len(line) > 78 && !strings.HasPrefix(line, "Content-") {
			t.Fatalf("line of %d octets: %q", len(line), line)
		}
	}
}

// An agent's reply with a chosen To, a Cc and a file is sent to all of
// them, with the file.
func TestReplyGoesToCcWithFiles(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		log := slog.New(slog.NewTextHandler(io.Discard, nil))
		clock := jobs.NewFakeClock(time.Date(2025, 3, 10, 9, 0, 0, 0, time.UTC))
		q := jobs.New(db, clock, log)
		files := attachment.New(db, attachment.Dir{Path: t.TempDir()}, clock)
		tickets := ticket.NewService(ticket.Opts{DB: db, Clock: clock, Jobs: q, Customers: customer.New(db, clock), Log: log, Attachments: files})
		rec := &recorder{}
		mail := mailout.New(mailout.Opts{DB: db, Jobs: q, Tickets: tickets, I18n: i18n.MustLoad(), Transport: rec, Clock: clock, Log: log,
			Mailbox: "support@shop.example", Business: "Shop", Attachments: files})
		if err := tickets.Subscribe(ticket.Subscriber{Name: "mail", After: mail.TicketChanged}); err != nil {
			t.Fatal(err)
		}
		tk, err := tickets.Create(ctx, ticket.Actor{Kind: "customer"}, ticket.NewTicket{Subject: "Invoice", Body: "Wrong address",
			Channel: "email", CustomerEmail: "ann@example.com", CustomerName: "Ann"})
		if err != nil {
			t.Fatal(err)
		}
		al, err := agent.New(db, clock).Create(ctx, agent.NewAgent{Email: "al@shop.example", Name: "Al", Role: agent.RoleAgent,
			Password: "correct horse battery", Languages: []string{"en"}})
		if err != nil {
			t.Fatal(err)
		}
		_, err = tickets.ReplyWith(ctx, ticket.AgentActor(al.ID), tk.ID, ticket.ReplyDraft{Body: "Corrected invoice attached.",
			To: "ann.work@example.com", Cc: "bo@example.com, Cy <cy@example.com>",
			Files: []attachment.File{{Filename: "invoice.pdf", ContentType: "application/pdf", Data: []byte("%PDF-1.4")}}})
		if err != nil {
			t.Fatal(err)
		}
		clock.Advance(time.Second)
		if _, err := q.RunDue(ctx); err != nil {
			t.Fatal(err)
		}
		var reply []byte
		var rcpts []string
		for i, m := range rec.msgs {
			if bytes.Contains(m, []byte("Corrected invoice")) {
				reply, rcpts = m, rec.rcpts[i]
			}
		}
		if reply == nil {
			t.Fatalf("no reply among %d mails", len(rec.msgs))
		}
		if strings.Join(rcpts, " ") != "ann.work@example.com bo@example.com cy@example.com" {
			t.Errorf("sent to %v", rcpts)
		}
		m, err := email.Parse(reply)
		if err != nil {
			t.Fatal(err)
		}
		if len(m.To) != 1 || m.To[0].Address != "ann.work@example.com" || len(m.Cc) != 2 ||
			len(m.Attachments) != 1 || string(m.Attachments[0].Data) != "%PDF-1.4" {
			t.Fatalf("to %+v cc %+v files %+v", m.To, m.Cc, m.Attachments)
		}
	})
}
