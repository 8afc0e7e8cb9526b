package web

import (
	"context"
	"github.com/rapport/rapport/internal/ratelimit"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/rapport/rapport/internal/agent"
	"github.com/rapport/rapport/internal/business"
	"github.com/rapport/rapport/internal/channel/mailout"
	"github.com/rapport/rapport/internal/customer"
	"github.com/rapport/rapport/internal/i18n"
	"github.com/rapport/rapport/internal/jobs"
	"github.com/rapport/rapport/internal/setup"
	"github.com/rapport/rapport/internal/sla"
	"github.com/rapport/rapport/internal/store/storetest"
	"github.com/rapport/rapport/internal/ticket"
)

// TestBrowserFirstRun: a browser in Tokyo opening a fresh Rapport lands on
// the setup page with its time zone filled in, completes it, and is in
// the inbox as the new admin, available.
func TestBrowserFirstRun(t *testing.T) {
	db := storetest.SQLite(t)
	clock := jobs.NewFakeClock(time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC))
	q := jobs.New(db, clock, nil)
	agents := agent.New(db, clock)
	customers := customer.New(db, clock)
	tickets := ticket.NewService(ticket.Opts{DB: db, Clock: clock, Jobs: q, Customers: customers})
	biz := business.New(business.Opts{DB: db, Clock: clock, Languages: i18n.Supported})
	slas := sla.New(sla.Opts{DB: db, Jobs: q, Clock: clock, Tickets: tickets})
	first := setup.New(setup.Opts{DB: db, Clock: clock, Agents: agents, Business: biz, SLA: slas, Relays: mailout.NewRelayStore(db, clock)})
	h, err := New(Opts{Limits: ratelimit.New(db, clock), Agents: agents, Customers: customers, Tickets: tickets, I18n: i18n.MustLoad(), Clock: clock,
		Version: "test", SLA: slas, Business: biz, Setup: first, Mailbox: "support@aurora.example"})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)

	bctx := newBrowser(t, 60*time.Second, 1024, 900)
	err = chromedp.Do(bctx,
		chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
			_, err := chromedp.Call(ctx, emulation.SetTimezoneOverride, emulation.SetTimezoneOverrideParams{TimezoneID: "Asia/Tokyo"})
			return err
		}),
		chromedp.Navigate(srv.URL+"/"),
		chromedp.WaitVisible(chromedp.ID("s-finish")),
	)
	if err != nil {
		t.Fatalf("browser: open a fresh Rapport: %v", err)
	}
	zone, err := chromedp.Run(bctx, chromedp.Evaluate[string](`document.getElementById('b-zone').value`))
	if err != nil || zone != "Asia/Tokyo" {
		t.Fatalf("the time zone field holds %q (%v), want the browser's Asia/Tokyo", zone, err)
	}
	err = chromedp.Do(bctx,
		chromedp.SendKeys(chromedp.ID("b-name"), "Aurora Home & Garden"),
		chromedp.SendKeys(chromedp.ID("b-signature"), "The Aurora team"),
		chromedp.SendKeys(chromedp.ID("s-team"), "Support"),
		chromedp.SendKeys(chromedp.ID("s-admin-name"), "Giulia Bianchi"),
		chromedp.SendKeys(chromedp.ID("s-email"), "giulia@aurora.example"),
		chromedp.SendKeys(chromedp.ID("s-admin-password"), "a long password"),
		chromedp.Click(chromedp.ID("s-finish")),
		chromedp.WaitVisible(chromedp.Search(`//p[contains(@class, "flash")][contains(., "Rapport is set up")]`)),
	)
	if err != nil {
		t.Fatalf("browser: complete the setup: %v", err)
	}
	who, err := chromedp.Run(bctx, chromedp.Text(chromedp.CSS("a.who")))
	if err != nil || !strings.Contains(who, "Giulia Bianchi") || !strings.Contains(who, "(Online)") {
		t.Errorf("signed in as %q (%v), want Giulia Bianchi, online", who, err)
	}
	p, err := biz.Profile(context.Background())
	if err != nil || p.TimeZone != "Asia/Tokyo" || !p.SetUp || p.SignOff() != "The Aurora team" || len(p.Languages) != 5 {
		t.Fatalf("profile after setup: %+v %v", p, err)
	}
	cals, _ := slas.Calendars(context.Background())
	if len(cals) != 1 || cals[0].Timezone != "Asia/Tokyo" {
		t.Fatalf("calendars after setup: %+v", cals)
	}
}
