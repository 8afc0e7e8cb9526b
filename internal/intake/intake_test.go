package intake_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/quotedprintable"
	"net/mail"
	"os"
	"path/filepath"
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
	"github.com/rapport/rapport/internal/text"
	"github.com/rapport/rapport/internal/ticket"
	"github.com/rapport/rapport/internal/valid"
)

// fixture is intake over real services, with mail going to an outbox folder.
type fixture struct {
	db        *store.DB
	clock     *jobs.FakeClock
	q         *jobs.Queue
	tickets   *ticket.Service
	customers *customer.Service
	intake    *intake.Service
	agentID   int64
	outbox    string
}

func newFixture(t *testing.T, db *store.DB, subs ...ticket.Subscriber) *fixture {
	t.Helper()
	clock := jobs.NewFakeClock(time.Date(2025, 3, 10, 9, 0, 0, 0, time.UTC))
	q := jobs.New(db, clock, nil)
	customers := customer.New(db, clock)
	tickets := ticket.NewService(ticket.Opts{DB: db, Clock: clock, Jobs: q, Customers: customers})
	outbox := filepath.Join(t.TempDir(), "outbox")
	mail := mailout.New(mailout.Opts{DB: db, Jobs: q, Tickets: tickets, I18n: i18n.MustLoad(), Clock: clock,
		Transport: mailout.Outbox{Dir: outbox}, Mailbox: "support@shop.example", Business: "Shop"})
	if err := tickets.Subscribe(append([]ticket.Subscriber{{Name: "mail", After: mail.TicketChanged}}, subs...)...); err != nil {
		t.Fatal(err)
	}
	a, err := agent.New(db, clock).Create(context.Background(), agent.NewAgent{
		Email: "al@shop.example", Name: "Al Agent", Role: agent.RoleAgent, Password: "long enough"})
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{db: db, clock: clock, q: q, tickets: tickets, customers: customers, agentID: a.ID, outbox: outbox,
		intake: intake.New(intake.Opts{DB: db, Jobs: q, Tickets: tickets, Customers: customers, Clock: clock})}
}

func (f *fixture) receive(t *testing.T, in intake.Inbound) intake.Result {
	t.Helper()
	if in.Channel == "" {
		in.Channel = "email"
	}
	if in.Raw == nil {
		in.Raw = []byte(in.Subject + "\n" + in.Text)
	}
	res, err := f.intake.Receive(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// sent runs due jobs and returns the mail in the outbox, parsed, oldest first.
func (f *fixture) sent(t *testing.T) []*mail.Message {
	t.Helper()
	if _, err := f.q.RunDue(context.Background()); err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(f.outbox)
	var out []*mail.Message
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".") {
			continue
		}
		data, err := os.ReadFile(filepath.Join(f.outbox, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		m, err := mail.ReadMessage(strings.NewReader(string(data)))
		if err != nil {
			t.Fatalf("outbox %s: %v", e.Name(), err)
		}
		out = append(out, m)
	}
	return out
}

func (f *fixture) count(t *testing.T, query string, args ...any) int {
	t.Helper()
	var n int
	if err := f.db.R.QueryRowContext(context.Background(), query, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func from(addr, name string) intake.Sender {
	return intake.Sender{Kind: customer.Email, Value: addr, Name: name}
}

func TestNewTicketIsAcknowledgedInTheCustomersLanguage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		res := f.receive(t, intake.Inbound{From: from("Giulia@Example.it", "Giulia Rossi"), Subject: "Ordine in ritardo",
			Text: "Il mio ordine non è ancora arrivato.", MessageKey: "abc@mail.example.it", Language: "it"})
		if res.Outcome != intake.OutcomeTicket || res.TicketID == 0 {
			t.Fatalf("result %+v", res)
		}
		tk, _ := f.tickets.Get(context.Background(), res.TicketID)
		if tk.Channel != "email" || tk.Language != "it" || tk.CustomerEmail != "giulia@example.it" || tk.CustomerName != "Giulia Rossi" {
			t.Fatalf("ticket %+v", tk)
		}
		mails := f.sent(t)
		if len(mails) != 1 {
			t.Fatalf("%d mails sent, want the acknowledgement", len(mails))
		}
		ack := mails[0]
		dec := new(mime.WordDecoder)
		subject, _ := dec.DecodeHeader(ack.Header.Get("Subject"))
		body := readBody(t, ack)
		if !strings.Contains(subject, fmt.Sprintf("[#%d]", tk.ID)) || !strings.Contains(subject, "Abbiamo ricevuto") ||
			!strings.Contains(body, "Gentile Giulia") || ack.Header.Get("Auto-Submitted") != "auto-replied" ||
			ack.Header.Get("In-Reply-To") != "<abc@mail.example.it>" || !strings.Contains(ack.Header.Get("Reply-To"), "support+") {
			t.Fatalf("acknowledgement:\n%v\n%s\n%s", ack.Header, subject, body)
		}
		// Running the jobs again sends nothing more.
		if n := len(f.sent(t)); n != 1 {
			t.Fatalf("%d mails after a second run", n)
		}
	})
}

// TestLanguageWhenDetectionIsNotSure: a language the detector is sure of
// wins; a guess it is not sure of gives way to the customer's preferred
// language, else the default, and the acknowledgement follows.
func TestLanguageWhenDetectionIsNotSure(t *testing.T) {
	d, err := text.NewDetector(text.DetectorOpts{Languages: i18n.Supported, Grams: true})
	if err != nil {
		t.Fatal(err)
	}
	// "Login problem" leads for Catalan by less than text.SureMargin: not sure.
	if lang, sure := d.DetectSure("Login problem"); sure {
		t.Fatalf("the detector is sure of %s for a two-word line; pick another example", lang)
	}
	tests := []struct {
		name, preferred, subject, body string
		want, ackWord                  string
		served                         []string // the business's languages; nil is every one
	}{
		{"sure wins over the preference", "it", "Order not arrived",
			"Hello, my order has not arrived yet and the tracking page shows nothing.", "en", "We have your message", nil},
		{"not sure: the customer's language", "it", "Login problem", "", "it", "Abbiamo ricevuto", nil},
		{"not sure, nothing known: the default", "", "Login problem", "", "en", "We have your message", nil},
		{"among the languages served, a short English line is sure", "", "Login problem", "", "en", "We have your message", []string{"it", "en"}},
		{"a preference the business does not serve gives way to its default", "ru", "Ok", "4411", "it", "Abbiamo ricevuto", []string{"it", "en"}},
		{"one language served is every ticket's", "", "Order not arrived",
			"Hello, my order has not arrived yet and the tracking page shows nothing.", "it", "Abbiamo ricevuto", []string{"it"}},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			storetest.Each(t, func(t *testing.T, db *store.DB) {
				f := newFixture(t, db)
				addr := fmt.Sprintf("c%d@example.com", i)
				if _, err := f.customers.Create(context.Background(), customer.NewCustomer{
					Name: "Cara Client", Language: tc.preferred, Emails: []string{addr}}); err != nil {
					t.Fatal(err)
				}
				o := intake.Opts{DB: db, Jobs: f.q, Tickets: f.tickets, Customers: f.customers, Clock: f.clock,
					Detect: d.DetectSureAmong, DefaultLanguage: i18n.Default}
				if tc.served != nil {
					biz := business.New(business.Opts{DB: db, Languages: i18n.Supported})
					if _, err := biz.Save(context.Background(), business.Profile{Name: "Aurora", Languages: tc.served}); err != nil {
						t.Fatal(err)
					}
					o.Languages = biz.Served
				}
				in := intake.New(o)
				res, err := in.Receive(context.Background(), intake.Inbound{Channel: "email", From: from(addr, "Cara Client"),
					Subject: tc.subject, Text: tc.body, MessageKey: fmt.Sprintf("m%d@example.com", i), Raw: []byte(tc.subject)})
				if err != nil {
					t.Fatal(err)
				}
				tk, err := f.tickets.Get(context.Background(), res.TicketID)
				if err != nil {
					t.Fatal(err)
				}
				if tk.Language != tc.want {
					t.Fatalf("ticket language %q, want %q", tk.Language, tc.want)
				}
				mails := f.sent(t)
				if len(mails) != 1 {
					t.Fatalf("%d mails, want the acknowledgement", len(mails))
				}
				subject, _ := new(mime.WordDecoder).DecodeHeader(mails[0].Header.Get("Subject"))
				if !strings.Contains(subject, tc.ackWord) {
					t.Fatalf("acknowledgement %q, want %q in it", subject, tc.ackWord)
				}
			})
		})
	}
}

func TestThreading(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		first := f.receive(t, intake.Inbound{From: from("carla@example.com", "Carla"), Subject: "Broken lamp",
			Text: "The lamp arrived broken.", MessageKey: "m1@example.com"})
		f.sent(t) // the acknowledgement
		if _, err := f.tickets.Reply(ctx, ticket.AgentActor(f.agentID), first.TicketID, "Sorry! A new one is on its way.", ticket.Solved); err != nil {
			t.Fatal(err)
		}
		mails := f.sent(t)
		if len(mails) != 2 {
			t.Fatalf("%d mails, want the ack and the reply", len(mails))
		}
		reply := mails[1]
		ourID := strings.Trim(reply.Header.Get("Message-ID"), "<>")
		replyTo := reply.Header.Get("Reply-To")
		token := strings.TrimSuffix(strings.TrimPrefix(strings.Trim(replyTo, "<>"), "support+"), "@shop.example")
		if reply.Header.Get("In-Reply-To") != "<m1@example.com>" || !strings.Contains(reply.Header.Get("References"), "<m1@example.com>") ||
			ourID == "" || token == "" || !strings.Contains(readBody(t, reply), "A new one is on its way") {
			t.Fatalf("reply headers %v", reply.Header)
		}

		tests := []struct {
			name    string
			in      intake.Inbound
			want    string // "same", "new"
			outcome string
		}{
			{"in-reply-to our reply, new subject", intake.Inbound{From: from("carla@example.com", ""), Subject: "Thanks!!",
				Text: "Got it, thanks", MessageKey: "m2@example.com", Keys: intake.ThreadKeys{MessageIDs: []string{ourID}}}, "same", intake.OutcomeReply},
			{"reply token in Cc", intake.Inbound{From: from("carla@example.com", ""), Subject: "one more thing",
				Text: "Also the bulb", MessageKey: "m3@example.com", Keys: intake.ThreadKeys{ReplyTokens: []string{token}}}, "same", intake.OutcomeReply},
			{"ticket number in the subject", intake.Inbound{From: from("carla@example.com", ""), Subject: fmt.Sprintf("Re: Broken lamp [#%d]", first.TicketID),
				Text: "Any news?", MessageKey: "m4@example.com", Keys: intake.ThreadKeys{TicketNumbers: []int64{first.TicketID}}}, "same", intake.OutcomeReply},
			{"someone else replying to our id starts their own ticket", intake.Inbound{From: from("otto@example.com", "Otto"), Subject: "Re: Broken lamp",
				Text: "I have the same problem", MessageKey: "o1@example.com", Keys: intake.ThreadKeys{MessageIDs: []string{ourID}, ReplyTokens: []string{token}, TicketNumbers: []int64{first.TicketID}}}, "new", intake.OutcomeTicket},
			{"no keys is a new ticket", intake.Inbound{From: from("carla@example.com", ""), Subject: "Another order",
				Text: "Different question", MessageKey: "m5@example.com"}, "new", intake.OutcomeTicket},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				res := f.receive(t, tc.in)
				if res.Outcome != tc.outcome || (tc.want == "same") != (res.TicketID == first.TicketID) {
					t.Fatalf("result %+v, first ticket %d", res, first.TicketID)
				}
			})
		}
		tk, _ := f.tickets.Get(ctx, first.TicketID)
		if tk.Status != ticket.Open || tk.ReopenCount != 1 || tk.MessageCount != 5 {
			t.Fatalf("the solved ticket after the customer's answers: %+v", tk)
		}
	})
}

func TestDuplicateIsStoredOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		in := intake.Inbound{From: from("carla@example.com", "Carla"), Subject: "Hello", Text: "Hi", MessageKey: "dup@example.com"}
		a := f.receive(t, in)
		b := f.receive(t, in)
		if !b.Duplicate || b.TicketID != a.TicketID || b.InboundID != a.InboundID {
			t.Fatalf("second delivery %+v, first %+v", b, a)
		}
		if n := f.count(t, `SELECT count(*) FROM tickets`); n != 1 {
			t.Fatalf("%d tickets", n)
		}
		if n := f.count(t, `SELECT count(*) FROM messages`); n != 1 {
			t.Fatalf("%d messages", n)
		}
		// The same Message-ID from another sender is another message.
		in.From = from("otto@example.com", "Otto")
		if c := f.receive(t, in); c.Duplicate {
			t.Fatal("another sender's message was taken for a duplicate")
		}
	})
}

func TestNoiseNeverOpensTicketsOrGetsAcks(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		first := f.receive(t, intake.Inbound{From: from("carla@example.com", "Carla"), Subject: "Hi", Text: "Question", MessageKey: "q@example.com"})
		f.sent(t)
		if _, err := f.tickets.Reply(ctx, ticket.AgentActor(f.agentID), first.TicketID, "Here is the answer.", ""); err != nil {
			t.Fatal(err)
		}
		mails := f.sent(t)
		replyID := strings.Trim(mails[len(mails)-1].Header.Get("Message-ID"), "<>")

		auto := f.receive(t, intake.Inbound{From: from("carla@example.com", ""), Subject: "Out of office",
			Text: "I am away until Monday", MessageKey: "ooo@example.com", Class: intake.ClassAutoReply, Reason: "Auto-Submitted: auto-replied"})
		if auto.Outcome != intake.OutcomeAutoReply || auto.TicketID != 0 {
			t.Fatalf("auto-reply %+v", auto)
		}
		bounce := f.receive(t, intake.Inbound{From: from("mailer-daemon@mx.example.com", "Mail Delivery System"),
			Subject: "Undelivered Mail Returned to Sender", Text: "...", MessageKey: "dsn@mx.example.com",
			Class: intake.ClassDeliveryReport, Bounce: &intake.Bounce{MessageID: replyID, Recipient: "carla@example.com",
				Status: "5.2.2", Reason: "mailbox full"}})
		if bounce.Outcome != intake.OutcomeBounce || bounce.TicketID != first.TicketID {
			t.Fatalf("bounce %+v", bounce)
		}
		if n := f.count(t, `SELECT count(*) FROM tickets`); n != 1 {
			t.Fatalf("noise opened tickets: %d", n)
		}
		if n := len(f.sent(t)); n != len(mails) {
			t.Fatalf("noise got mail: %d sent, before %d", n, len(mails))
		}
		evs, _ := f.tickets.Events(ctx, first.TicketID)
		found := false
		for _, e := range evs {
			if e.Type == ticket.EventDeliveryFailed && e.Data["status"] == "5.2.2" {
				found = true
			}
		}
		msgs, _ := f.tickets.Messages(ctx, first.TicketID)
		last := msgs[len(msgs)-1]
		if !found || last.Kind != ticket.Note || !strings.Contains(last.BodyText, "mailbox full") {
			t.Fatalf("the owner does not see the bounce: events %v, last message %+v", evs, last)
		}
	})
}

func TestAcknowledgementsAreRateLimited(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		for i := 0; i < mailout.AckLimit+2; i++ {
			f.receive(t, intake.Inbound{From: from("robot@example.com", ""), Subject: fmt.Sprintf("Ticket %d", i),
				Text: "Automated notice", MessageKey: fmt.Sprintf("r%d@example.com", i)})
		}
		if n := len(f.sent(t)); n != mailout.AckLimit {
			t.Fatalf("%d acknowledgements to one address, want %d", n, mailout.AckLimit)
		}
		if n := f.count(t, `SELECT count(*) FROM outbound_mail WHERE status = 'skipped'`); n != 2 {
			t.Fatalf("%d skipped acknowledgements recorded", n)
		}
		f.clock.Advance(mailout.AckWindow + time.Minute)
		f.receive(t, intake.Inbound{From: from("robot@example.com", ""), Subject: "Later", Text: "x", MessageKey: "later@example.com"})
		if n := len(f.sent(t)); n != mailout.AckLimit+1 {
			t.Fatalf("after the window: %d acknowledgements", n)
		}
	})
}

func TestClosedTicketStartsANewOne(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		first := f.receive(t, intake.Inbound{From: from("carla@example.com", ""), Subject: "Old", Text: "x", MessageKey: "old@example.com"})
		solved, closed := ticket.Solved, ticket.Closed
		f.tickets.Update(ctx, ticket.AgentActor(f.agentID), first.TicketID, ticket.Update{Status: &solved})
		if _, err := f.tickets.Update(ctx, ticket.SystemActor, first.TicketID, ticket.Update{Status: &closed}); err != nil {
			t.Fatal(err)
		}
		res := f.receive(t, intake.Inbound{From: from("carla@example.com", ""), Subject: "Re: Old", Text: "again",
			MessageKey: "again@example.com", Keys: intake.ThreadKeys{MessageIDs: []string{"old@example.com"}}})
		if res.Outcome != intake.OutcomeTicket || res.TicketID == first.TicketID {
			t.Fatalf("answer to a closed ticket: %+v", res)
		}
	})
}

func TestUnreadableIsKeptAndShown(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		raw := []byte("\x00\xff garbage that is not a message")
		tests := []struct {
			name string
			in   intake.Inbound
		}{
			{"parser gave up", intake.Inbound{Raw: raw, Class: intake.ClassUnreadable, Reason: "no headers", MessageKey: "u1"}},
			{"no sender", intake.Inbound{Raw: []byte("Subject: hi\n\nhello"), Subject: "hi", Text: "hello", MessageKey: "u2"}},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				res := f.receive(t, tc.in)
				if res.Outcome != intake.OutcomeUnreadable || res.TicketID == 0 {
					t.Fatalf("result %+v", res)
				}
				tk, _ := f.tickets.Get(ctx, res.TicketID)
				if len(tk.Tags) != 1 || tk.Tags[0] != "unreadable" {
					t.Fatalf("ticket %+v", tk)
				}
				stored, err := f.intake.GetRaw(ctx, res.InboundID)
				if err != nil || string(stored.Data) != string(tc.in.Raw) {
					t.Fatalf("raw not kept whole: %q %v", stored.Data, err)
				}
			})
		}
	})
}

// readBody decodes a quoted-printable body.
func readBody(t *testing.T, m *mail.Message) string {
	t.Helper()
	var r io.Reader = m.Body
	if strings.EqualFold(m.Header.Get("Content-Transfer-Encoding"), "quoted-printable") {
		r = quotedprintable.NewReader(m.Body)
	}
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestLogCall(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		res, err := f.intake.LogCall(ctx, intake.Call{AgentID: f.agentID, Phone: "+39 333 111 2222", Name: "Marco Bianchi",
			Summary: "Called furious: the sofa was delivered scratched.\nWants a replacement.", Kind: "complaint", Language: "it"})
		if err != nil {
			t.Fatal(err)
		}
		tk, _ := f.tickets.Get(ctx, res.TicketID)
		if tk.Channel != "phone" || tk.Kind != "complaint" || tk.OwnerID != f.agentID || tk.CustomerName != "Marco Bianchi" ||
			tk.Subject != "Called furious: the sofa was delivered scratched." {
			t.Fatalf("ticket %+v", tk)
		}
		if n := len(f.sent(t)); n != 0 {
			t.Fatalf("a logged call was acknowledged by mail (%d)", n)
		}
		again, err := f.intake.LogCall(ctx, intake.Call{AgentID: f.agentID, TicketID: res.TicketID, Summary: "Called back, accepted a replacement."})
		if err != nil || again.TicketID != res.TicketID || again.Outcome != intake.OutcomeReply {
			t.Fatalf("second call: %+v %v", again, err)
		}
		msgs, _ := f.tickets.Messages(ctx, res.TicketID)
		if len(msgs) != 2 || !strings.Contains(msgs[1].BodyText, "accepted a replacement") {
			t.Fatalf("messages %+v", msgs)
		}
		bad := []struct {
			name  string
			call  intake.Call
			field string
		}{
			{"no summary", intake.Call{AgentID: f.agentID, Phone: "+39 333 111 2222"}, "summary"},
			{"no caller", intake.Call{AgentID: f.agentID, Summary: "x"}, "phone"},
			{"bad phone", intake.Call{AgentID: f.agentID, Phone: "call me", Summary: "x"}, "phone"},
		}
		for _, tc := range bad {
			t.Run(tc.name, func(t *testing.T) {
				_, err := f.intake.LogCall(ctx, tc.call)
				var ve valid.Errors
				if !errors.As(err, &ve) || ve[tc.field] == "" {
					t.Fatalf("err = %v", err)
				}
			})
		}
		if _, err := f.intake.LogCall(ctx, intake.Call{AgentID: f.agentID, TicketID: 999999, Summary: "x"}); !errors.Is(err, ticket.ErrNotFound) {
			t.Fatalf("unknown ticket: %v", err)
		}
	})
}

// TestLanguagesAskedOutsideTheTransaction: the served languages come from
// the settings, read through the connection pool. Asked inside the batch's
// transaction, a reader waits for a connection while the transaction holds
// its locks; once every connection is taken by writers waiting for those
// locks, everything stalls. On SQLite the writer pool has one connection, so
// a settings read on it from inside the transaction cannot get one.
func TestLanguagesAskedOutsideTheTransaction(t *testing.T) {
	db := storetest.SQLite(t)
	f := newFixture(t, db)
	var asked int
	var readErr error
	o := intake.Opts{DB: db, Jobs: f.q, Tickets: f.tickets, Customers: f.customers, Clock: f.clock,
		Languages: func(ctx context.Context) ([]string, string) {
			asked++
			ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
			defer cancel()
			readErr = db.W.QueryRowContext(ctx, `SELECT 1`).Scan(new(int))
			return []string{"en", "it"}, "it"
		}}
	res, err := intake.New(o).Receive(context.Background(), intake.Inbound{Channel: "email", From: from("zed@example.com", "Zed"),
		Subject: "Ciao", Text: "…", MessageKey: "lang-outside@example.com", Raw: []byte("x")})
	if err != nil {
		t.Fatal(err)
	}
	if asked == 0 || readErr != nil {
		t.Fatalf("languages asked %d times; the settings read: %v (it must not wait for the batch's own connection)", asked, readErr)
	}
	tk, err := f.tickets.Get(context.Background(), res.TicketID)
	if err != nil || tk.Language != "it" {
		t.Fatalf("ticket language %q, %v; want the default it", tk.Language, err)
	}
}
