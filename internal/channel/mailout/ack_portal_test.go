package mailout_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rapport/rapport/internal/channel/mailout"
	"github.com/rapport/rapport/internal/customer"
	"github.com/rapport/rapport/internal/i18n"
	"github.com/rapport/rapport/internal/intake"
	"github.com/rapport/rapport/internal/jobs"
	"github.com/rapport/rapport/internal/store/storetest"
	"github.com/rapport/rapport/internal/ticket"
)

// With a public address, the acknowledgement has a line leading to the
// customer portal (issue 16), in the customer's language.
func TestAckLeadsToThePortal(t *testing.T) {
	db := storetest.SQLite(t)
	ctx := context.Background()
	clock := jobs.NewFakeClock(time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC))
	q := jobs.New(db, clock, nil)
	customers := customer.New(db, clock)
	tickets := ticket.NewService(ticket.Opts{DB: db, Clock: clock, Jobs: q, Customers: customers})
	outbox := filepath.Join(t.TempDir(), "outbox")
	out := mailout.New(mailout.Opts{DB: db, Jobs: q, Tickets: tickets, I18n: i18n.MustLoad(), Clock: clock,
		Transport: mailout.Outbox{Dir: outbox}, Mailbox: "support@shop.example", BaseURL: "https://help.shop.example/"})
	if err := tickets.Subscribe(ticket.Subscriber{Name: "mail", After: out.TicketChanged}); err != nil {
		t.Fatal(err)
	}
	in := intake.New(intake.Opts{DB: db, Jobs: q, Tickets: tickets, Customers: customers, Clock: clock})
	if _, err := in.Receive(ctx, intake.Inbound{Channel: "email", Language: "lv",
		From:    intake.Sender{Kind: "email", Value: "janis@example.lv", Name: "Jānis"},
		Subject: "Pasūtījums", Text: "Labdien, kur ir mans pasūtījums?", MessageKey: "j-1@example.lv", Raw: []byte("x")}); err != nil {
		t.Fatal(err)
	}
	if _, err := q.RunDue(ctx); err != nil {
		t.Fatal(err)
	}
	mails := outboxMail(t, outbox)
	if len(mails) != 1 {
		t.Fatalf("%d mails, want the acknowledgement", len(mails))
	}
	want := "Skatiet savus pieprasījumus un atbildiet uz tiem jebkurā laikā: https://help.shop.example/portal/signin?lang=lv"
	if !strings.Contains(mails[0].text, want) {
		t.Errorf("the acknowledgement lacks %q:\n%s", want, mails[0].text)
	}
}
