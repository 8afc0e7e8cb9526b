package mailout_test

import (
	"bytes"
	"context"
	"mime"
	"net/mail"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rapport/rapport/internal/channel/mailout"
	"github.com/rapport/rapport/internal/i18n"
	"github.com/rapport/rapport/internal/jobs"
	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/store/storetest"
)

// TestInternalMailDeclaresItsLanguage: a mail to a member of the team
// queued with QueueInternal (the weekly digest's path) or InternalTx (the
// notifications') says which language it is written in, as the mails to
// customers do; without a language it declares none rather than a wrong one.
func TestInternalMailDeclaresItsLanguage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		clock := jobs.NewFakeClock(time.Date(2026, 3, 9, 8, 0, 0, 0, time.UTC))
		q := jobs.New(db, clock, nil)
		outbox := filepath.Join(t.TempDir(), "outbox")
		mailout.New(mailout.Opts{DB: db, Jobs: q, I18n: i18n.MustLoad(), Clock: clock,
			Transport: mailout.Outbox{Dir: outbox}, Mailbox: "support@shop.example"})

		send := mailout.QueueInternal(db, q)
		if err := send(ctx, "mia@shop.example", "Mia", "Riepilogo settimanale", "Prima risposta: 20 min\n", "it"); err != nil {
			t.Fatal(err)
		}
		if _, err := q.RunDue(ctx); err != nil {
			t.Fatal(err)
		}
		clock.Advance(time.Second)
		if err := send(ctx, "bo@shop.example", "Bo", "Weekly summary", "First response: 20 min\n", ""); err != nil {
			t.Fatal(err)
		}
		if _, err := q.RunDue(ctx); err != nil {
			t.Fatal(err)
		}
		byTo := plainMails(t, outbox)
		if len(byTo) != 2 {
			t.Fatalf("%d mails, want 2", len(byTo))
		}
		it, ok := byTo[`"Mia" <mia@shop.example>`]
		if !ok {
			t.Fatalf("no mail to Mia among %v", byTo)
		}
		if got := it.h.Get("Content-Language"); got != "it" {
			t.Errorf("digest to Mia: Content-Language %q, want it", got)
		}
		if it.subject != "Riepilogo settimanale" || it.h.Get("Auto-Submitted") == "" {
			t.Errorf("digest to Mia: subject %q, Auto-Submitted %q", it.subject, it.h.Get("Auto-Submitted"))
		}
		bo, ok := byTo[`"Bo" <bo@shop.example>`]
		if !ok {
			t.Fatalf("no mail to Bo among %v", byTo)
		}
		if got, present := bo.h["Content-Language"]; present {
			t.Errorf("mail without a language declares Content-Language %q", got)
		}
	})
}

// plainMails reads the plain-text mails in dir by recipient, with the
// subject decoded.
func plainMails(t *testing.T, dir string) map[string]parsed {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]parsed{}
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
		subject, err := new(mime.WordDecoder).DecodeHeader(m.Header.Get("Subject"))
		if err != nil {
			t.Fatal(err)
		}
		out[m.Header.Get("To")] = parsed{h: m.Header, subject: subject}
	}
	return out
}
