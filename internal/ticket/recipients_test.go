package ticket_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"strings"
	"testing"

	"github.com/rapport/rapport/internal/attachment"
	"github.com/rapport/rapport/internal/jobs"
	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/store/storetest"
	"github.com/rapport/rapport/internal/ticket"
	"github.com/rapport/rapport/internal/valid"
)

func TestParseAddresses(t *testing.T) {
	many := ""
	for i := 0; i <= ticket.MaxRecipients; i++ {
		many += "p" + string(rune('a'+i%26)) + string(rune('a'+i/26)) + "@example.com; "
	}
	tests := []struct {
		name string
		in   string
		want string // FormatAddresses of the result
		key  string // the error's key, "" for none
	}{
		{name: "empty", in: "  ", want: ""},
		{name: "one", in: "ann@example.com", want: "ann@example.com"},
		{name: "commas, semicolons and lines", in: "ann@example.com, bo@example.org;\ncy@example.net\r\n", want: "ann@example.com, bo@example.org, cy@example.net"},
		{name: "named, with a comma in quotes", in: `"Lee, Ann" <ann@example.com>, Bo <bo@example.org>`, want: "ann@example.com, bo@example.org"},
		{name: "the same twice", in: "ann@example.com, ANN@example.com", want: "ann@example.com"},
		{name: "empty entries", in: ",, ann@example.com ,;", want: "ann@example.com"},
		{name: "not an address", in: "ann@example.com, bob", key: "valid.address"},
		{name: "no domain dot", in: "ann@localhost", key: "valid.address"},
		{name: "a space inside", in: "ann smith@example.com", key: "valid.address"},
		{name: "a comma in a quoted local part", in: `"ann,bo"@example.com`, key: "valid.address"},
		{name: "too many", in: many, key: "valid.too_many_addresses"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, msg := ticket.ParseAddresses(tc.in)
			if tc.key != "" {
				if msg == nil || msg.Key != tc.key {
					t.Fatalf("ParseAddresses(%q) = %v, %+v; want error %s", tc.in, got, msg, tc.key)
				}
				return
			}
			if msg != nil {
				t.Fatalf("ParseAddresses(%q): %+v", tc.in, msg)
			}
			if s := ticket.FormatAddresses(got); s != tc.want {
				t.Errorf("ParseAddresses(%q) = %q, want %q", tc.in, s, tc.want)
			}
		})
	}
}

// FuzzParseAddresses: any input gives addresses or a keyed message, never
// both, never a panic; what it returns reads back as itself.
func FuzzParseAddresses(f *testing.F) {
	for _, s := range []string{"ann@example.com", `"Lee, Ann" <ann@example.com>; bo@example.org`, "a@b.c,,;\n", `"\"<>`, "<a@b.c", "=?utf-8?q?=C3=A9?= <e@x.io>"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, msg := ticket.ParseAddresses(s)
		if msg != nil {
			if got != nil || msg.Key == "" {
				t.Fatalf("ParseAddresses(%q) = %v, %+v", s, got, msg)
			}
			return
		}
		if len(got) > ticket.MaxRecipients {
			t.Fatalf("ParseAddresses(%q) kept %d addresses", s, len(got))
		}
		again, msg := ticket.ParseAddresses(ticket.FormatAddresses(got))
		if msg != nil || ticket.FormatAddresses(again) != ticket.FormatAddresses(got) {
			t.Fatalf("ParseAddresses(%q) = %q, which reads back as %q, %+v", s, ticket.FormatAddresses(got), ticket.FormatAddresses(again), msg)
		}
	})
}

func TestReplyWithRecipientsAndFiles(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		log := slog.New(slog.NewTextHandler(io.Discard, nil))
		files := attachment.New(db, attachment.Dir{Path: t.TempDir()}, f.clock)
		svc := ticket.NewService(ticket.Opts{DB: db, Clock: f.clock, Jobs: jobs.New(db, f.clock, log), Customers: f.customers,
			Log: log, Attachments: files})
		tk, err := svc.Create(ctx, ticket.SystemActor, ticket.NewTicket{Subject: "Lamp", Body: "It flickers", CustomerID: f.carla})
		if err != nil {
			t.Fatal(err)
		}
		al := ticket.AgentActor(f.agents["al"])
		pdf := attachment.File{Filename: "manual.pdf", ContentType: "application/pdf", Data: []byte("%PDF-1.4")}
		big := attachment.File{Filename: "video.mp4", Data: make([]byte, ticket.MaxReplyBytes+1)}
		for _, tc := range []struct {
			name  string
			d     ticket.ReplyDraft
			field string
			key   string
		}{
			{"bad cc", ticket.ReplyDraft{Body: "Hi", Cc: "ok@example.com, nope"}, "cc", "valid.address"},
			{"two in to", ticket.ReplyDraft{Body: "Hi", To: "a@example.com, b@example.com"}, "to", "valid.one_address"},
			{"bad to", ticket.ReplyDraft{Body: "Hi", To: "carla"}, "to", "valid.address"},
			{"too large", ticket.ReplyDraft{Body: "Hi", Files: []attachment.File{pdf, big}}, "attachments", "valid.files_too_large"},
			{"empty file", ticket.ReplyDraft{Body: "Hi", Files: []attachment.File{{Filename: "empty.txt"}}}, "attachments", "valid.empty_file"},
			{"no body", ticket.ReplyDraft{Files: []attachment.File{pdf}}, "body", "valid.required"},
			{"text too long", ticket.ReplyDraft{Body: strings.Repeat("a", ticket.MaxReplyText+1)}, "body", "valid.too_long"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				_, err := svc.ReplyWith(ctx, al, tk.ID, tc.d)
				var fe valid.Fields
				if !errors.As(err, &fe) || fe[tc.field].Key != tc.key {
					t.Fatalf("error %v, want %s on %s", err, tc.key, tc.field)
				}
			})
		}
		msgs, _ := svc.Messages(ctx, tk.ID)
		if len(msgs) != 1 {
			t.Fatalf("refused replies wrote %d messages", len(msgs)-1)
		}
		m, err := svc.ReplyWith(ctx, al, tk.ID, ticket.ReplyDraft{Body: "Here is the manual.", To: "Carla <carla.home@example.com>",
			Cc: "dan@example.com; Eve <eve@example.com>", Files: []attachment.File{pdf}})
		if err != nil {
			t.Fatal(err)
		}
		if m.To != "carla.home@example.com" || m.Cc != "dan@example.com, eve@example.com" {
			t.Errorf("reply to %q cc %q", m.To, m.Cc)
		}
		byMsg, err := files.ForTicket(ctx, tk.ID)
		if err != nil || len(byMsg[m.ID]) != 1 || byMsg[m.ID][0].Filename != "manual.pdf" {
			t.Fatalf("the reply's files %+v %v", byMsg, err)
		}
		msgs, _ = svc.Messages(ctx, tk.ID)
		if last := msgs[len(msgs)-1]; last.ID != m.ID || last.Cc != m.Cc || last.To != m.To {
			t.Errorf("thread's last message %+v, want the reply with its recipients", last)
		}
		// A plain reply keeps no recipients of its own: it goes to the customer.
		plain, err := svc.Reply(ctx, al, tk.ID, "Anything else?", "")
		if err != nil || plain.To != "" || plain.Cc != "" {
			t.Fatalf("plain reply %+v %v", plain, err)
		}
		// Without a place for files, a reply with files is refused.
		if _, err := f.svc.ReplyWith(ctx, al, tk.ID, ticket.ReplyDraft{Body: "x", Files: []attachment.File{pdf}}); err == nil {
			t.Fatal("a service without attachments took a file")
		}
	})
}
