package demo

import (
	"context"
	"log/slog"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/rapport/rapport/internal/channel/mailout"
	"github.com/rapport/rapport/internal/customer"
	"github.com/rapport/rapport/internal/i18n"
	"github.com/rapport/rapport/internal/jobs"
	"github.com/rapport/rapport/internal/portal"
	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/store/storetest"
	"github.com/rapport/rapport/internal/ticket"
)

// The demo's customer portal: the server, once started, mails the demo
// customer's sign-in link to the outbox, and the link signs them in to
// tickets, a promise and a survey answer; an erasure request waits.
func TestDemoPortal(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		res := generate(t, db, 7, 60, 300)
		if res.PortalEmail == "" {
			t.Fatal("no portal customer")
		}
		// What the server does when it starts: its workers run the job.
		log := slog.New(slog.DiscardHandler)
		clock := jobs.NewFakeClock(testNow)
		q := jobs.New(db, clock, log)
		custs := customer.New(db, clock)
		tickets := ticket.NewService(ticket.Opts{DB: db, Clock: clock, Jobs: q, Customers: custs, Log: log})
		outbox := t.TempDir()
		mail := mailout.New(mailout.Opts{DB: db, Jobs: q, Tickets: tickets, I18n: i18n.MustLoad(), Clock: clock, Log: log,
			Transport: mailout.Outbox{Dir: outbox}, Mailbox: "support@demo.example.com"})
		p := portal.New(portal.Opts{DB: db, Jobs: q, Clock: clock, Log: log, Customers: custs, Tickets: tickets,
			Mail: mail, I18n: i18n.MustLoad()})
		if _, err := q.RunDue(ctx); err != nil {
			t.Fatal(err)
		}
		entries, err := os.ReadDir(outbox)
		if err != nil {
			t.Fatal(err)
		}
		var all strings.Builder
		for _, e := range entries {
			b, _ := os.ReadFile(outbox + "/" + e.Name())
			all.Write(b)
		}
		m := regexp.MustCompile(`/portal/link/(rpl_[A-Za-z0-9_-]{43})`).FindStringSubmatch(all.String())
		if m == nil || !strings.Contains(all.String(), res.PortalEmail) {
			t.Fatalf("no sign-in link for %s in the outbox", res.PortalEmail)
		}
		sess, err := p.Redeem(ctx, m[1])
		if err != nil {
			t.Fatal(err)
		}
		ts, _ := p.Tickets(ctx, sess.CustomerID)
		ps, _ := p.Promises(ctx, sess.CustomerID)
		ss, _ := p.Surveys(ctx, sess.CustomerID)
		if len(ts) == 0 || len(ps) == 0 || len(ss) == 0 {
			t.Errorf("the portal customer has %d tickets, %d promises, %d survey answers", len(ts), len(ps), len(ss))
		}
		pending, err := p.ErasureRequests(ctx, portal.ErasurePending)
		if err != nil || len(pending) != 1 || pending[0].Reason == "" {
			t.Errorf("pending erasure requests %+v, %v", pending, err)
		}
	})
}
