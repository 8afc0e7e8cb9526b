package app

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"mime/quotedprintable"
	"os"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/rapport/rapport/internal/agent"
)

// portalLinkRE finds a sign-in link's token in a mailed message.
var portalLinkRE = regexp.MustCompile(`/portal/link/(rpl_[A-Za-z0-9_-]{43})`)

// portalLinkIn waits for the sign-in link the running server mails to
// the outbox dir (its jobs run on their own), and returns its token.
func portalLinkIn(t *testing.T, ctx context.Context, dir string) string {
	t.Helper()
	for {
		entries, _ := os.ReadDir(dir)
		for _, e := range entries {
			data, err := os.ReadFile(filepath.Join(dir, e.Name()))
			if err != nil {
				t.Fatal(err)
			}
			text, _ := io.ReadAll(quotedprintable.NewReader(bytes.NewReader(data)))
			if m := portalLinkRE.FindSubmatch(text); m != nil {
				return string(m[1])
			}
		}
		select {
		case <-ctx.Done():
			t.Fatalf("no sign-in link in the outbox: %v", ctx.Err())
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// An agent has a ticket open; its customer signs in to the portal in
// another tab and replies there; the reply appears in the agent's thread
// without a reload (issue 16: "the agent sees the reply in the same
// thread", live as issue 15 asks of the ticket page).
func TestBrowserPortalReplyLiveOnTicketPage(t *testing.T) {
	s := startServer(t, filepath.Join(t.TempDir(), "portal-live.db"), 1)
	base := s.app.URL()
	ctx := context.Background()
	if _, err := s.app.Services().Agents.Create(ctx, agent.NewAgent{Email: "mia@shop.example", Name: "Mia Admin",
		Role: agent.RoleAdmin, Password: "long enough password", Languages: []string{"en"}}); err != nil {
		t.Fatal(err)
	}
	var tk created
	if _, err := s.call(0, "POST", "/tickets", map[string]any{"subject": "The lamp flickers", "body": "It flickers every few seconds.",
		"customer_email": "carla@example.com"}, &tk); err != nil {
		t.Fatal(err)
	}
	bctx := liveBrowser(t, 120*time.Second)
	if err := chromedp.Do(bctx,
		chromedp.Navigate(base+"/login"),
		chromedp.WaitVisible(chromedp.ID("email")),
		chromedp.SendKeys(chromedp.ID("email"), "mia@shop.example"),
		chromedp.SendKeys(chromedp.ID("password"), "long enough password"),
		chromedp.Submit(chromedp.ID("password")),
		chromedp.WaitVisible(chromedp.CSS("nav.tabs")),
		chromedp.Navigate(fmt.Sprintf("%s/tickets/%d", base, tk.ID)),
		chromedp.WaitVisible(chromedp.ID("ticket-status")),
		waitTransport("websocket"),
		// Gone on a reload: its survival proves the page was not reloaded.
		void(chromedp.Evaluate[string](`window.liveMark = "still here"`)),
	); err != nil {
		t.Fatalf("browser: sign in and open the ticket: %v", err)
	}

	// The customer, in a tab of their own: a link by mail, then the reply.
	customer, cancel := chromedp.NewContext(bctx)
	defer cancel()
	if err := chromedp.Do(customer,
		chromedp.Navigate(base+"/portal/signin?lang=en"),
		chromedp.WaitVisible(chromedp.ID("portal-email")),
		chromedp.SendKeys(chromedp.ID("portal-email"), "carla@example.com"),
		chromedp.Submit(chromedp.ID("portal-email")),
		chromedp.WaitVisible(chromedp.ID("portal-sent")),
	); err != nil {
		t.Fatalf("browser: ask for a sign-in link: %v", err)
	}
	linkCtx, stop := context.WithTimeout(ctx, 60*time.Second)
	defer stop()
	tok := portalLinkIn(t, linkCtx, s.app.cfg.OutboxDir)
	const reply = "Still flickering after a new bulb, sorry."
	if err := chromedp.Do(customer,
		chromedp.Navigate(base+"/portal/link/"+tok),
		chromedp.WaitVisible(chromedp.CSS("#portal-link button")),
		chromedp.Click(chromedp.CSS("#portal-link button")),
		chromedp.WaitVisible(chromedp.ID("portal-tickets")),
		chromedp.Click(chromedp.CSS("#portal-tickets a")),
		chromedp.WaitVisible(chromedp.ID("portal-body")),
		chromedp.SendKeys(chromedp.ID("portal-body"), reply),
		chromedp.Click(chromedp.CSS("#portal-reply button")),
		chromedp.WaitVisible(chromedp.CSS("p.flash")),
	); err != nil {
		t.Fatalf("browser: the customer signs in and replies: %v", err)
	}

	if err := chromedp.Do(bctx,
		waitJS(fmt.Sprintf(`document.querySelector("section.thread").textContent.includes(%q)`, reply)),
	); err != nil {
		t.Fatalf("browser: the portal reply on the agent's ticket page: %v", err)
	}
	if markOf(t, bctx) != "still here" {
		t.Errorf("the ticket page was reloaded")
	}
}
