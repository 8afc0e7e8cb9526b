package web

import (
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/rapport/rapport/internal/store/storetest"
	"github.com/rapport/rapport/internal/ticket"
)

// findBrowser returns the path of Chromium, or "".
func findBrowser() string {
	for _, p := range []string{"/usr/bin/chromium", "/usr/bin/chromium-browser"} {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// newBrowser starts a headless Chromium with a window of width × height
// for test t and returns its context, which ends after timeout or with the
// test. Without Chromium the test is skipped, or fails when
// RAPPORT_TEST_REQUIRE_BROWSER=1 (as in CI).
func newBrowser(t *testing.T, timeout time.Duration, width, height int) context.Context {
	t.Helper()
	bin := findBrowser()
	if bin == "" {
		if os.Getenv("RAPPORT_TEST_REQUIRE_BROWSER") == "1" {
			t.Fatal("no Chromium at /usr/bin/chromium or /usr/bin/chromium-browser, and RAPPORT_TEST_REQUIRE_BROWSER=1")
		}
		t.Skip("no Chromium installed")
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(ctx,
		chromedp.ExecPath(bin),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("no-proxy-server", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(width, height),
	)
	bctx, cancelBrowser := chromedp.NewContext(allocCtx)
	t.Cleanup(func() {
		cancelBrowser()
		cancelAlloc()
		cancel()
	})
	return bctx
}

// TestBrowserReplyAndSolve drives a real browser through the UI as an
// agent would: sign in, open a ticket from the inbox, reply and solve it in
// one go, and see the reply in the thread and the ticket solved.
func TestBrowserReplyAndSolve(t *testing.T) {
	f := newFixture(t, storetest.SQLite(t))

	bctx := newBrowser(t, 30*time.Second, 1280, 900)

	const reply = "Your parcel arrives tomorrow morning."
	// Without a session the inbox sends the browser to the login page.
	err := chromedp.Do(bctx,
		chromedp.Navigate(f.srv.URL+"/"),
		chromedp.WaitVisible(chromedp.ID("email")),
		chromedp.SendKeys(chromedp.ID("email"), "agent@rapport.test"),
		chromedp.SendKeys(chromedp.ID("password"), testPassword),
		chromedp.Submit(chromedp.ID("password")),
		chromedp.WaitVisible(chromedp.CSS("nav.tabs")),
		chromedp.Click(chromedp.CSS(`nav.tabs a[href="/?view=unassigned"]`)),
		chromedp.WaitVisible(chromedp.CSS("td.subject a")),
	)
	if err != nil {
		t.Fatalf("browser: sign in and open the inbox: %v", err)
	}
	inbox, err := chromedp.Run(bctx, chromedp.Text(chromedp.CSS("table.tickets")))
	if err != nil {
		t.Fatalf("browser: read the inbox: %v", err)
	}
	err = chromedp.Do(bctx,
		chromedp.Click(chromedp.CSS("td.subject a")),
		chromedp.WaitVisible(chromedp.ID("reply-body")),
		chromedp.SendKeys(chromedp.ID("reply-body"), reply),
		chromedp.SetValue(chromedp.ID("reply-status"), "solved"),
		chromedp.Click(chromedp.ID("reply-send")),
		chromedp.WaitVisible(chromedp.CSS("p.flash")),
	)
	if err != nil {
		t.Fatalf("browser: reply and solve: %v", err)
	}
	status, err := chromedp.Run(bctx, chromedp.Text(chromedp.ID("ticket-status")))
	if err != nil {
		t.Fatalf("browser: read the status: %v", err)
	}
	thread, err := chromedp.Run(bctx, chromedp.Text(chromedp.CSS("section.thread")))
	if err != nil {
		t.Fatalf("browser: read the thread: %v", err)
	}
	if !strings.Contains(inbox, "Parcel never arrived") || !strings.Contains(inbox, "Carla Customer") {
		t.Errorf("inbox shows %q", inbox)
	}
	if !strings.Contains(thread, reply) || !strings.Contains(thread, "my parcel has not arrived yet") {
		t.Errorf("thread shows %q, want the customer's message and the reply", thread)
	}
	if strings.TrimSpace(status) != "Solved" {
		t.Errorf("status shows %q, want Solved", status)
	}
	tk, err := f.tickets.Get(context.Background(), f.ids["ticket"])
	if err != nil || tk.Status != ticket.Solved || tk.OwnerID != f.ids["agent"] {
		t.Errorf("stored ticket: status %q owner %d, err %v", tk.Status, tk.OwnerID, err)
	}
}
