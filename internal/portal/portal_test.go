package portal

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/rapport/rapport/internal/agent"
	"github.com/rapport/rapport/internal/attachment"
	"github.com/rapport/rapport/internal/audit"
	"github.com/rapport/rapport/internal/channel/mailout"
	"github.com/rapport/rapport/internal/customer"
	"github.com/rapport/rapport/internal/i18n"
	"github.com/rapport/rapport/internal/intake"
	"github.com/rapport/rapport/internal/jobs"
	"github.com/rapport/rapport/internal/metrics"
	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/store/storetest"
	"github.com/rapport/rapport/internal/survey"
	"github.com/rapport/rapport/internal/ticket"
)

// env is the portal over real services on a fresh database, with the
// metrics rollups kept as the app keeps them.
type env struct {
	db        *store.DB
	clock     *jobs.FakeClock
	jobs      *jobs.Queue
	customers *customer.Service
	tickets   *ticket.Service
	metrics   *metrics.Service
	surveys   *survey.Service
	files     *attachment.Service
	audit     *audit.Log
	portal    *Service
	outbox    string
}

func newEnv(t *testing.T, db *store.DB) *env {
	t.Helper()
	log := slog.New(slog.DiscardHandler)
	clock := jobs.NewFakeClock(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))
	q := jobs.New(db, clock, log)
	customers := customer.New(db, clock)
	files := attachment.New(db, attachment.Dir{Path: t.TempDir()}, clock)
	tickets := ticket.NewService(ticket.Opts{DB: db, Clock: clock, Jobs: q, Customers: customers, Log: log, Attachments: files})
	measures := metrics.New(metrics.Opts{DB: db, Clock: clock, Log: log})
	cat := i18n.MustLoad()
	outbox := t.TempDir()
	mail := mailout.New(mailout.Opts{DB: db, Jobs: q, Tickets: tickets, I18n: cat, Clock: clock, Log: log,
		Transport: mailout.Outbox{Dir: outbox}, Mailbox: "support@shop.example", Business: "Shop"})
	if err := tickets.Subscribe(ticket.Subscriber{Name: "metrics", InTx: measures.TicketChanged}); err != nil {
		t.Fatal(err)
	}
	in := intake.New(intake.Opts{DB: db, Jobs: q, Tickets: tickets, Customers: customers, Clock: clock, Log: log, Attachments: files})
	auditLog := audit.New(db, clock)
	p := New(Opts{DB: db, Jobs: q, Clock: clock, Log: log, Customers: customers, Tickets: tickets, Intake: in,
		Mail: mail, I18n: cat, Audit: auditLog, BaseURL: "https://help.shop.example"})
	surveys := survey.New(survey.Opts{DB: db, Jobs: q, Clock: clock, Log: log, I18n: cat, Tickets: tickets, Mail: mail})
	return &env{db: db, clock: clock, jobs: q, customers: customers, tickets: tickets, metrics: measures,
		surveys: surveys, files: files, audit: auditLog, portal: p, outbox: outbox}
}

// linkIn finds the sign-in token in the outbox's mail.
var linkIn = regexp.MustCompile(`/portal/link/(rpl_[A-Za-z0-9_-]{43})`)

func (e *env) mailed(t *testing.T) string {
	t.Helper()
	entries, err := os.ReadDir(e.outbox)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, en := range entries {
		f, err := os.Open(filepath.Join(e.outbox, en.Name()))
		if err != nil {
			t.Fatal(err)
		}
		data, _ := io.ReadAll(f)
		f.Close()
		b.Write(data)
	}
	return b.String()
}

// The link is mailed in the customer's language, kept only as a hash,
// works once and not after its time.
func TestLinkOnceInTheCustomersLanguage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		c, err := e.customers.Create(ctx, customer.NewCustomer{Name: "Giulia Rossi", Language: "it", Emails: []string{"giulia@example.it"}})
		if err != nil {
			t.Fatal(err)
		}
		if err := e.portal.RequestLink(ctx, "GIULIA@example.it", "en"); err != nil {
			t.Fatal(err)
		}
		if _, err := e.jobs.RunDue(ctx); err != nil {
			t.Fatal(err)
		}
		mail := e.mailed(t)
		m := linkIn.FindStringSubmatch(mail)
		if m == nil {
			t.Fatalf("no link mailed: %s", mail)
		}
		if !strings.Contains(mail, "Content-Language: it") || !strings.Contains(mail, "https://help.shop.example/portal/link/") {
			t.Errorf("the mail is not in Italian or lacks the public link: %s", mail)
		}
		var stored int
		if err := db.R.QueryRowContext(ctx, "SELECT count(*) FROM portal_links WHERE token_hash = $1", m[1]).Scan(&stored); err != nil || stored != 0 {
			t.Errorf("the token is kept in clear (%d rows, %v)", stored, err)
		}
		sess, err := e.portal.Redeem(ctx, m[1])
		if err != nil || sess.CustomerID != c.ID {
			t.Fatalf("redeem: %+v, %v", sess, err)
		}
		if _, err := e.portal.Redeem(ctx, m[1]); !errors.Is(err, ErrLinkUsed) {
			t.Errorf("second use: %v, want ErrLinkUsed", err)
		}
		got, err := e.portal.SessionByToken(ctx, sess.Token)
		if err != nil || got.CustomerID != c.ID || got.CSRF != sess.CSRF {
			t.Errorf("session %+v, %v", got, err)
		}
		// A second link, not used within its time, has expired.
		if err := e.portal.RequestLink(ctx, "giulia@example.it", ""); err != nil {
			t.Fatal(err)
		}
		if _, err := e.jobs.RunDue(ctx); err != nil {
			t.Fatal(err)
		}
		all := linkIn.FindAllStringSubmatch(e.mailed(t), -1)
		tok := ""
		for _, x := range all {
			if x[1] != m[1] {
				tok = x[1]
			}
		}
		e.clock.Advance(DefaultLinkTTL + time.Second)
		if _, err := e.portal.Redeem(ctx, tok); !errors.Is(err, ErrLinkExpired) {
			t.Errorf("late use: %v, want ErrLinkExpired", err)
		}
		if _, err := e.portal.Redeem(ctx, "rpl_"+strings.Repeat("A", 43)); !errors.Is(err, ErrLinkUnknown) {
			t.Errorf("made-up token: %v, want ErrLinkUnknown", err)
		}
	})
}

// Issue 16: an erasure request approved by an admin anonymises the
// customer while the dashboard's numbers for the period stay the same.
func TestErasureKeepsTheDashboard(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		start := e.clock.Now()
		mk := func(email, name, subject, body string) ticket.Ticket {
			tk, err := e.tickets.Create(ctx, ticket.Actor{Kind: "customer"}, ticket.NewTicket{
				Subject: subject, Body: body, Channel: "email", CustomerEmail: email, CustomerName: name})
			if err != nil {
				t.Fatal(err)
			}
			return tk
		}
		ag, err := agent.New(db, e.clock).Create(ctx, agent.NewAgent{Email: "al@shop.example", Name: "Al Agent",
			Role: agent.RoleAgent, Password: "correct horse battery", Locale: "en", Languages: []string{"en"}})
		if err != nil {
			t.Fatal(err)
		}
		al := ticket.AgentActor(ag.ID)
		erased := mk("ines@example.com", "Ines Berg", "Refund for Ines Berg", "Hi, I am Ines Berg, phone +371 2000 0000.")
		kept := mk("olaf@example.com", "Olaf Lind", "Broken lamp", "The lamp is broken.")
		// The customer's mail, kept raw as received.
		if _, err := e.portal.o.Intake.Receive(ctx, intake.Inbound{Channel: "email", Mailbox: "support@shop.example",
			From: intake.Sender{Kind: customer.Email, Value: "ines@example.com", Name: "Ines Berg"}, Subject: "Re: refund",
			Text: "Thanks, Ines", Raw: []byte("From: Ines Berg <ines@example.com>\r\n\r\nThanks, Ines"),
			Keys: intake.ThreadKeys{TicketNumbers: []int64{erased.ID}}}); err != nil {
			t.Fatal(err)
		}
		e.clock.Advance(2 * time.Hour)
		for _, tk := range []ticket.Ticket{erased, kept} {
			if _, err := e.tickets.Reply(ctx, al, tk.ID, "Dear Ines Berg, we wrote to ines@example.com; fixed.", ticket.Solved); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := e.tickets.AddNote(ctx, al, erased.ID, "Ines Berg called twice"); err != nil {
			t.Fatal(err)
		}
		e.clock.Advance(time.Hour)
		five, comment := 5, "Ines was happy"
		if _, err := e.surveys.Record(ctx, survey.Historical{TicketID: erased.ID, SentAt: e.clock.Now(), AnsweredAt: e.clock.Now(),
			Answers: survey.Answers{CSAT: &five, Comment: &comment}}); err != nil {
			t.Fatal(err)
		}
		day := start.Truncate(24 * time.Hour)
		f := metrics.Filter{From: day.Add(-24 * time.Hour), To: day.Add(48 * time.Hour)}
		before, err := e.metrics.Compute(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		if before.Current.Created.V != 2 || before.Current.Solved.V != 2 || before.Current.CSATAnswers != 1 {
			t.Fatalf("report before: %+v", before.Current)
		}

		req, err := e.portal.RequestErasure(ctx, erased.CustomerID, "Please forget me")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.portal.RequestErasure(ctx, erased.CustomerID, ""); !errors.Is(err, ErrPending) {
			t.Errorf("a second pending request: %v", err)
		}
		admin := audit.WithActor(ctx, audit.Actor{Addr: "127.0.0.1"})
		if _, err := e.portal.ApproveErasure(admin, req.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := e.portal.ApproveErasure(admin, req.ID); !errors.Is(err, ErrDecided) {
			t.Errorf("approving twice: %v", err)
		}

		after, err := e.metrics.Compute(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(before, after) {
			t.Errorf("the dashboard changed:\nbefore %+v\nafter  %+v", before.Current, after.Current)
		}
		c, err := e.customers.Get(ctx, erased.CustomerID)
		if err != nil {
			t.Fatal(err)
		}
		if c.Name != Erased || len(c.Identities) != 0 {
			t.Errorf("customer after erasure: %+v", c)
		}
		// Nothing personal is left in the erased customer's rows.
		ex, err := e.portal.Export(ctx, erased.CustomerID)
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := json.Marshal(ex)
		var notes string
		if err := db.R.QueryRowContext(ctx, "SELECT body_text FROM messages WHERE ticket_id = $1 AND kind = 'note'", erased.ID).Scan(&notes); err != nil {
			t.Fatal(err)
		}
		for _, leak := range []string{"Ines", "Berg", "ines@example.com", "+371", "Ines was happy"} {
			if strings.Contains(string(raw), leak) || strings.Contains(notes, leak) {
				t.Errorf("%q is still there: %s / %s", leak, raw, notes)
			}
		}
		var raws int
		if err := db.R.QueryRowContext(ctx, "SELECT count(*) FROM inbound_messages WHERE size > 0 AND length(raw) = 0 AND sender LIKE 'erased:%'").Scan(&raws); err != nil || raws != 1 {
			t.Errorf("%d received originals erased, want 1 (%v)", raws, err)
		}
		// The other customer is untouched.
		k, err := e.tickets.Get(ctx, kept.ID)
		if err != nil || k.Subject != "Broken lamp" || k.CustomerName != "Olaf Lind" {
			t.Errorf("the other customer's ticket %+v, %v", k, err)
		}
		rows, err := e.audit.List(ctx, audit.Filter{})
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, r := range rows {
			found = found || (r.Action == "customer.erasure_approved" && r.TargetID == audit.ID(erased.CustomerID))
			if strings.Contains(r.After, "Ines") {
				t.Errorf("the audit log holds the erased name: %s", r.After)
			}
		}
		if !found {
			t.Errorf("no audit row for the erasure: %+v", rows)
		}
	})
}

// FuzzParseLinkToken: any input is a token or ErrBadToken, never a panic,
// and what is accepted is the canonical form.
func FuzzParseLinkToken(f *testing.F) {
	for _, s := range []string{"", "rpl_", newToken(linkPrefix), " " + newToken(linkPrefix) + "\n", newToken(sessionPrefix),
		"rpl_" + strings.Repeat("/", 43), "rpl_" + strings.Repeat("A", 42) + "=", "rpl_" + strings.Repeat("é", 22)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		tok, err := ParseLinkToken(s)
		if err != nil {
			if !errors.Is(err, ErrBadToken) {
				t.Fatalf("error %v", err)
			}
			return
		}
		if len(tok) != tokenLen || !strings.HasPrefix(tok, linkPrefix) || tok != strings.TrimSpace(s) {
			t.Fatalf("accepted %q as %q", s, tok)
		}
		again, err := ParseLinkToken(tok)
		if err != nil || again != tok {
			t.Fatalf("not stable: %q → %q, %v", tok, again, err)
		}
	})
}
