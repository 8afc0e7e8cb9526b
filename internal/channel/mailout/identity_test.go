package mailout_test

import (
	"bytes"
	"context"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/rapport/rapport/internal/agent"
	"github.com/rapport/rapport/internal/business"
	"github.com/rapport/rapport/internal/channel/mailout"
	"github.com/rapport/rapport/internal/customer"
	"github.com/rapport/rapport/internal/i18n"
	"github.com/rapport/rapport/internal/intake"
	"github.com/rapport/rapport/internal/jobs"
	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/store/storetest"
	"github.com/rapport/rapport/internal/ticket"
)

// parsed is one sent mail, its headers and both parts decoded.
type parsed struct {
	h          mail.Header
	text, html string
	fromName   string
	subject    string
}

// outboxMail parses every message in dir, oldest first.
func outboxMail(t *testing.T, dir string) []parsed {
	t.Helper()
	entries, _ := os.ReadDir(dir)
	var names []string
	for _, e := range entries {
		if !strings.HasPrefix(e.Name(), ".") {
			names = append(names, e.Name())
		}
	}
	sort.Strings(names)
	var out []parsed
	for _, name := range names {
		raw, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, parseMail(t, raw))
	}
	return out
}

// parseMail reads raw as a mail client would: headers, RFC 2047 words, a
// multipart/alternative body of quoted-printable parts.
func parseMail(t *testing.T, raw []byte) parsed {
	t.Helper()
	if bytes.Contains(bytes.ReplaceAll(raw, []byte("\r\n"), nil), []byte("\n")) {
		t.Fatal("a bare LF in the message")
	}
	m, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	p := parsed{h: m.Header}
	from, err := m.Header.AddressList("From")
	if err != nil || len(from) != 1 {
		t.Fatalf("From %q: %v", m.Header.Get("From"), err)
	}
	p.fromName = from[0].Name
	p.subject, _ = new(mime.WordDecoder).DecodeHeader(m.Header.Get("Subject"))
	mt, params, err := mime.ParseMediaType(m.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/alternative" {
		t.Fatalf("Content-Type %q, want multipart/alternative", m.Header.Get("Content-Type"))
	}
	r := multipart.NewReader(m.Body, params["boundary"])
	for {
		part, err := r.NextRawPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if cte := part.Header.Get("Content-Transfer-Encoding"); cte != "quoted-printable" {
			t.Fatalf("part encoding %q", cte)
		}
		body, err := io.ReadAll(quotedprintable.NewReader(part))
		if err != nil {
			t.Fatal(err)
		}
		pt, pp, _ := mime.ParseMediaType(part.Header.Get("Content-Type"))
		if pp["charset"] != "utf-8" {
			t.Fatalf("part charset %q", pp["charset"])
		}
		switch pt {
		case "text/plain":
			p.text = strings.ReplaceAll(string(body), "\r\n", "\n")
		case "text/html":
			p.html = string(body)
		}
	}
	if p.text == "" || p.html == "" {
		t.Fatalf("want a text and an HTML part; text %q html %q", p.text, p.html)
	}
	return p
}

// TestMailCarriesTheBusinessIdentity: the acknowledgement and an agent's
// reply come from the profile's sender name, end with its signature, show
// its logo, carry the headers a mail client threads and filters by, and a
// change of the profile shows in the next mail without a restart.
func TestMailCarriesTheBusinessIdentity(t *testing.T) {
	storetest.Each(t, testMailCarriesTheBusinessIdentity)
}

func testMailCarriesTheBusinessIdentity(t *testing.T, db *store.DB) {
	ctx := context.Background()
	clock := jobs.NewFakeClock(time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC))
	q := jobs.New(db, clock, nil)
	customers := customer.New(db, clock)
	tickets := ticket.NewService(ticket.Opts{DB: db, Clock: clock, Jobs: q, Customers: customers})
	biz := business.New(business.Opts{DB: db, Clock: clock, Languages: i18n.Supported})
	if _, err := biz.Save(ctx, business.Profile{
		Name: "Aurora Home & Garden", SenderName: "Aurora – servizio clienti", LogoURL: "https://aurora.example/logo.png",
		Signature: "Giulia e tutto lo staff di Aurora\nhttps://aurora.example", TimeZone: "Europe/Rome", Languages: []string{"it", "en"},
	}); err != nil {
		t.Fatal(err)
	}
	outbox := filepath.Join(t.TempDir(), "outbox")
	out := mailout.New(mailout.Opts{DB: db, Jobs: q, Tickets: tickets, I18n: i18n.MustLoad(), Clock: clock,
		Transport: mailout.Outbox{Dir: outbox}, Mailbox: "support@shop.example", Business: "Support", Profiles: biz})
	if err := tickets.Subscribe(ticket.Subscriber{Name: "mail", After: out.TicketChanged}); err != nil {
		t.Fatal(err)
	}
	in := intake.New(intake.Opts{DB: db, Jobs: q, Tickets: tickets, Customers: customers, Clock: clock})
	res, err := in.Receive(ctx, intake.Inbound{Channel: "email", Language: "it",
		From:    intake.Sender{Kind: "email", Value: "carla@example.it", Name: "Carla Rossi"},
		Subject: "Ordine in ritardo", Text: "Buongiorno, il mio ordine non è arrivato.",
		MessageKey: "carla-1@example.it", Raw: []byte("x")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := q.RunDue(ctx); err != nil {
		t.Fatal(err)
	}
	mails := outboxMail(t, outbox)
	if len(mails) != 1 {
		t.Fatalf("%d mails, want the acknowledgement", len(mails))
	}
	ack := mails[0]
	date, err := mail.ParseDate(ack.h.Get("Date"))
	if err != nil || !date.Equal(clock.Now()) {
		t.Errorf("Date %q (%v), want the clock's time", ack.h.Get("Date"), err)
	}
	checks := []struct {
		name string
		ok   bool
		got  string
	}{
		{"From name is the sender name", ack.fromName == "Aurora – servizio clienti", ack.fromName},
		{"From address is the mailbox", strings.Contains(ack.h.Get("From"), "<support@shop.example>"), ack.h.Get("From")},
		{"Reply-To is the +token address", strings.HasPrefix(ack.h.Get("Reply-To"), "<support+") && strings.HasSuffix(ack.h.Get("Reply-To"), "@shop.example>"), ack.h.Get("Reply-To")},
		{"Message-ID of our domain", strings.HasPrefix(ack.h.Get("Message-ID"), "<rapport.") && strings.HasSuffix(ack.h.Get("Message-ID"), "@shop.example>"), ack.h.Get("Message-ID")},
		{"In-Reply-To the customer's mail", ack.h.Get("In-Reply-To") == "<carla-1@example.it>", ack.h.Get("In-Reply-To")},
		{"References the customer's mail", strings.Contains(ack.h.Get("References"), "<carla-1@example.it>"), ack.h.Get("References")},
		{"Content-Language", ack.h.Get("Content-Language") == "it", ack.h.Get("Content-Language")},
		{"Auto-Submitted", ack.h.Get("Auto-Submitted") == "auto-replied", ack.h.Get("Auto-Submitted")},
		{"MIME-Version", ack.h.Get("MIME-Version") == "1.0", ack.h.Get("MIME-Version")},
		{"subject in Italian with the number", strings.Contains(ack.subject, "Ordine in ritardo") && strings.Contains(ack.subject, "[#"), ack.subject},
		{"text ends with the signature", strings.HasSuffix(ack.text, "Giulia e tutto lo staff di Aurora\nhttps://aurora.example\n"), ack.text},
		{"no generic team sign-off", !strings.Contains(ack.text, "team di") && !strings.Contains(ack.text, "Support"), ack.text},
		{"HTML shows the logo", strings.Contains(ack.html, `<img src="https://aurora.example/logo.png" alt="Aurora Home &amp; Garden"`), ack.html},
		{"HTML signs with the signature", strings.Contains(ack.html, "Giulia e tutto lo staff di Aurora<br>"), ack.html},
		{"HTML fits a phone", strings.Contains(ack.html, `name="viewport"`) && strings.Contains(ack.html, "max-width:600px"), ack.html},
		{"HTML in the mail's language", strings.Contains(ack.html, `<html lang="it">`), ack.html},
		{"HTML has no script", !strings.Contains(strings.ToLower(ack.html), "<script"), ack.html},
		{"formal by default (Lei)", strings.Contains(ack.text, "Gentile Carla,") && strings.Contains(ack.text, "Le risponderà") && !strings.Contains(ack.text, "Ciao"), ack.text},
	}
	for _, c := range checks {
		if !c.ok {
			t.Errorf("acknowledgement: %s: got %q", c.name, c.got)
		}
	}

	// The admin changes the profile, and speaks Italian informally now; the
	// next mail, a reply, follows it.
	if _, err := biz.Save(ctx, business.Profile{Name: "Aurora Home & Garden", Signature: "Aurora Home & Garden – Milano",
		TimeZone: "Europe/Rome", Languages: []string{"it", "en"}, Registers: map[string]business.Register{"it": business.Informal}}); err != nil {
		t.Fatal(err)
	}
	a, err := agent.New(db, clock).Create(ctx, agent.NewAgent{Email: "giulia@shop.example", Name: "Giulia", Role: agent.RoleAgent, Password: "long enough"})
	if err != nil {
		t.Fatal(err)
	}
	clock.Advance(time.Minute)
	if _, err := tickets.Reply(ctx, ticket.AgentActor(a.ID), res.TicketID, "Gentile Carla,\nl'ordine parte oggi: https://aurora.example/track/42", ""); err != nil {
		t.Fatal(err)
	}
	if _, err := q.RunDue(ctx); err != nil {
		t.Fatal(err)
	}
	mails = outboxMail(t, outbox)
	if len(mails) != 2 {
		t.Fatalf("%d mails, want the acknowledgement and the reply", len(mails))
	}
	reply := mails[1]
	checks = []struct {
		name string
		ok   bool
		got  string
	}{
		{"From is the agent of the business", reply.fromName == "Giulia (Aurora Home & Garden)", reply.fromName},
		{"not auto-submitted", reply.h.Get("Auto-Submitted") == "", reply.h.Get("Auto-Submitted")},
		{"References the acknowledgement", strings.Contains(reply.h.Get("References"), ack.h.Get("Message-ID")), reply.h.Get("References")},
		{"text signs with the new signature", strings.Contains(reply.text, "l'ordine parte oggi: https://aurora.example/track/42\n\nAurora Home & Garden – Milano\n"), reply.text},
		{"HTML without a logo shows the name", strings.Contains(reply.html, "font-weight:bold;color:#1f2933\">Aurora Home &amp; Garden</span>") && !strings.Contains(reply.html, "<img"), reply.html},
		{"HTML links the address", strings.Contains(reply.html, `<a href="https://aurora.example/track/42"`), reply.html},
		{"footer in the informal register (tu)", strings.Contains(reply.text, "Rispondi a questa email per continuare"), reply.text},
	}
	for _, c := range checks {
		if !c.ok {
			t.Errorf("reply: %s: got %q", c.name, c.got)
		}
	}
}
