package web

import (
	"bytes"
	"context"
	"github.com/rapport/rapport/internal/ratelimit"
	"io"
	"log/slog"
	"mime/quotedprintable"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/rapport/rapport/internal/agent"
	"github.com/rapport/rapport/internal/channel/mailout"
	"github.com/rapport/rapport/internal/customer"
	"github.com/rapport/rapport/internal/metrics"
	"github.com/rapport/rapport/internal/store/storetest"
	"github.com/rapport/rapport/internal/ticket"
)

// TestBrowserPromise is issue 12's action plan in a real browser: an agent
// in New York records a plan with a reply, picking a time of their own
// day; the customer's email states the promised time in words, in Italian
// and in Rome's time, the customer's; the agent's page shows it in New
// York's; a second plan is marked kept with one click; the injected clock
// then brings the reminder and the broken promise, which notifies the
// manager; the dashboard's "Promises kept" shows one kept of two. The
// manager, who has set no zone, gets the browser's (Asia/Tokyo here) from
// the page's script.
func TestBrowserPromise(t *testing.T) {
	db := storetest.SQLite(t)
	f := newFixture(t, db)
	ctx := context.Background()
	outbox := filepath.Join(t.TempDir(), "outbox")
	// This mailer, registered last, is the one RunDue uses: its outbox is known.
	mailout.New(mailout.Opts{DB: db, Jobs: f.jobs, Tickets: f.tickets, I18n: f.cat, Transport: mailout.Outbox{Dir: outbox},
		Clock: f.clock, Mailbox: "support@shop.example", Business: "Shop", Profiles: f.business})
	m := metrics.New(metrics.Opts{DB: db, Clock: f.clock})
	h, err := New(Opts{Limits: ratelimit.New(f.db, f.clock), Agents: f.agents, Customers: f.customers, Tickets: f.tickets, I18n: f.cat, Clock: f.clock,
		Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Version: "test", Metrics: m, SLA: f.sla, Business: f.business})
	if err != nil {
		t.Fatal(err)
	}
	f.srv.Close()
	f.srv = httptest.NewServer(h)
	t.Cleanup(f.srv.Close)
	id := f.ids["ticket"]
	it := "it"
	if _, err := f.tickets.Update(ctx, ticket.AgentActor(f.ids["agent"]), id, ticket.Update{Language: &it}); err != nil {
		t.Fatal(err)
	}
	// 09:00 UTC on Monday 10 March 2025 is 05:00 in New York (summer time
	// began the day before) and 10:00 in Rome.
	york, rome := "America/New_York", "Europe/Rome"
	if _, err := f.agents.Update(ctx, f.ids["agent"], agent.AgentUpdate{TimeZone: &york}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.customers.Update(ctx, f.ids["customer"], customer.Update{TimeZone: &rome}); err != nil {
		t.Fatal(err)
	}

	bctx := newBrowser(t, 60*time.Second, 1280, 1000)
	err = chromedp.Do(bctx,
		chromedp.Navigate(f.srv.URL+"/login"),
		chromedp.WaitVisible(chromedp.ID("email")),
		chromedp.SendKeys(chromedp.ID("email"), "agent@rapport.test"),
		chromedp.SendKeys(chromedp.ID("password"), testPassword),
		chromedp.Submit(chromedp.ID("password")),
		chromedp.WaitVisible(chromedp.CSS("nav.tabs")),
		chromedp.Navigate(f.srv.URL+ticketURL(id)),
		chromedp.WaitVisible(chromedp.ID("promise-form")),
		chromedp.SendKeys(chromedp.ID("promise-what"), "spedire il ricambio"),
		// 11:00 in New York: 15:00 UTC, 16:00 in Rome.
		chromedp.SetValue(chromedp.ID("promise-due"), "2025-03-10T11:00"),
		chromedp.SendKeys(chromedp.ID("promise-body"), "Ci scusiamo per il pacco."),
		chromedp.Click(chromedp.ID("promise-submit")),
		// Wait for what only the page after the post has (the old page has
		// a flash too): the plan in the list.
		chromedp.WaitVisible(chromedp.Search(`//li[contains(@class, "promise-open")][contains(., "spedire il ricambio")]`)),
		// A second plan by a quick choice, then kept with one click.
		chromedp.SendKeys(chromedp.ID("promise-what"), "controllare il magazzino"),
		chromedp.Click(chromedp.ID("promise-later")),
		chromedp.WaitVisible(chromedp.Search(`//li[contains(@class, "promise-open")][contains(., "controllare il magazzino")]`)),
		chromedp.Click(chromedp.Search(`//li[contains(@class, "promise-open")][contains(., "controllare il magazzino")]//button[contains(@class, "promise-keep")]`)),
		chromedp.WaitVisible(chromedp.Search(`//li[contains(@class, "promise-kept")][contains(., "controllare il magazzino")]`)),
	)
	if err != nil {
		t.Fatalf("browser: record the action plans: %v", err)
	}
	list, err := chromedp.Run(bctx, chromedp.Text(chromedp.ID("promises")))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(list, "spedire il ricambio") || !strings.Contains(list, "Mark kept") || !strings.Contains(list, "by 11:00 today") {
		t.Errorf("the promise list shows %q, not the time in New York", list)
	}
	foot, err := chromedp.Run(bctx, chromedp.Text(chromedp.ID("reader-zone")))
	if err != nil || foot != "Times in America/New_York" {
		t.Errorf("the footer says %q (%v), not the agent's zone", foot, err)
	}

	// The reply goes out: the customer reads the time in words, in Italian
	// and in their zone, Rome's.
	if _, err := f.jobs.RunDue(ctx); err != nil {
		t.Fatal(err)
	}
	mail := outboxText(t, outbox)
	if want := "Cosa faremo: spedire il ricambio — entro oggi alle 16:00."; !strings.Contains(mail, want) {
		t.Fatalf("the customer's email lacks %q:\n%s", want, mail)
	}
	if strings.Contains(mail, "UTC") || strings.Contains(mail, "11:00") {
		t.Errorf("the customer's email shows a UTC stamp or the agent's time:\n%s", mail)
	}

	notified := func(kind string, who int64) bool {
		var n int
		db.R.QueryRowContext(ctx, `SELECT count(*) FROM notifications WHERE kind = $1 AND agent_id = $2 AND ticket_id = $3`,
			kind, who, id).Scan(&n)
		return n > 0
	}
	f.clock.Advance(5*time.Hour + 30*time.Minute) // 14:30: reminded, not yet broken
	if _, err := f.jobs.RunDue(ctx); err != nil {
		t.Fatal(err)
	}
	if !notified(ticket.NotifyPromiseDueSoon, f.ids["agent"]) || notified(ticket.NotifyPromiseBroken, f.ids["manager"]) {
		t.Fatal("at 14:30 the owner is not reminded, or the promise is already broken")
	}
	f.clock.Advance(time.Hour) // 15:30: broken
	if _, err := f.jobs.RunDue(ctx); err != nil {
		t.Fatal(err)
	}
	if !notified(ticket.NotifyPromiseBroken, f.ids["manager"]) || !notified(ticket.NotifyPromiseBroken, f.ids["agent"]) {
		t.Fatal("the broken promise notified neither the manager nor the owner")
	}

	// The manager's dashboard: one kept of two resolved. The manager's
	// browser is in Tokyo; they have set no zone, so the page's script
	// saves it.
	err = chromedp.Do(bctx,
		chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
			_, err := chromedp.Call(ctx, emulation.SetTimezoneOverride, emulation.SetTimezoneOverrideParams{TimezoneID: "Asia/Tokyo"})
			return err
		}),
		chromedp.Click(chromedp.CSS(`form[action="/logout"] button`)),
		chromedp.WaitVisible(chromedp.ID("email")),
		chromedp.SendKeys(chromedp.ID("email"), "manager@rapport.test"),
		chromedp.SendKeys(chromedp.ID("password"), testPassword),
		chromedp.Submit(chromedp.ID("password")),
		chromedp.WaitVisible(chromedp.ID("nav-dashboard")),
		chromedp.Navigate(f.srv.URL+"/dashboard?period=custom&from=2025-03-10&to=2025-03-10"),
		chromedp.WaitVisible(chromedp.ID("kpi-promises")),
	)
	if err != nil {
		t.Fatalf("browser: the manager's dashboard: %v", err)
	}
	kept, err := chromedp.Run(bctx, chromedp.Text(chromedp.CSS("#kpi-promises .kpi-value")))
	if err != nil {
		t.Fatal(err)
	}
	if strings.TrimSpace(kept) != "50%" {
		t.Errorf("Promises kept shows %q, want 50%%", kept)
	}
	// The ticket's history tells the story, in Tokyo's time for the
	// manager, whose zone the script has saved by now (its request went
	// out with the dashboard).
	if err := chromedp.Do(bctx, chromedp.Navigate(f.srv.URL+ticketURL(id)+"?tab=history"),
		chromedp.WaitVisible(chromedp.Search(`//span[@id="reader-zone"][contains(., "Asia/Tokyo")]`))); err != nil {
		t.Fatalf("browser: the manager's zone from the browser: %v", err)
	}
	history, err := chromedp.Run(bctx, chromedp.Text(chromedp.CSS("ol.events")))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Al Agent promised “spedire il ricambio” by Mar 11, 2025, 00:00",
		"Al Agent kept the promise “controllare il magazzino”", "The promise “spedire il ricambio” was not kept by Mar 11, 2025, 00:00"} {
		if !strings.Contains(history, want) {
			t.Errorf("history lacks %q:\n%s", want, history)
		}
	}
}

// outboxText is every message in the outbox folder, its quoted-printable
// text decoded.
func outboxText(t *testing.T, dir string) string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		text, err := io.ReadAll(quotedprintable.NewReader(bytes.NewReader(data)))
		if err != nil {
			t.Fatal(err)
		}
		b.Write(text)
	}
	return b.String()
}
