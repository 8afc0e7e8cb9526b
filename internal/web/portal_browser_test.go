package web

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/rapport/rapport/internal/store/storetest"
	"github.com/rapport/rapport/internal/ticket"
)

// TestBrowserPortalSignInAndReply: in Chromium, a customer asks for a
// sign-in link on the portal, opens the link from the outbox, signs in,
// opens their ticket and replies; the reply is the ticket's newest
// customer message, and the page shows it in the thread.
func TestBrowserPortalSignInAndReply(t *testing.T) {
	f := newFixture(t, storetest.SQLite(t))
	ctx := context.Background()
	bctx := newBrowser(t, 45*time.Second, 420, 860) // a phone's width
	err := chromedp.Do(bctx,
		chromedp.Navigate(f.srv.URL+"/contact?lang=en"),
		chromedp.WaitVisible(chromedp.ID("contact-portal")),
		chromedp.Click(chromedp.CSS("#contact-portal a")),
		chromedp.WaitVisible(chromedp.ID("portal-email")),
		chromedp.SendKeys(chromedp.ID("portal-email"), "carla@example.com"),
		chromedp.Submit(chromedp.ID("portal-email")),
		chromedp.WaitVisible(chromedp.ID("portal-sent")),
	)
	if err != nil {
		t.Fatalf("browser: ask for a link from the contact page: %v", err)
	}
	if _, err := f.jobs.RunDue(ctx); err != nil {
		t.Fatal(err)
	}
	tok := f.lastPortalToken(t)
	if tok == "" {
		t.Fatal("no link in the outbox")
	}
	const reply = "Still nothing at my door, sorry."
	err = chromedp.Do(bctx,
		chromedp.Navigate(f.srv.URL+"/portal/link/"+tok),
		chromedp.WaitVisible(chromedp.CSS("#portal-link button")),
		chromedp.Click(chromedp.CSS("#portal-link button")),
		chromedp.WaitVisible(chromedp.ID("portal-tickets")),
		chromedp.Click(chromedp.CSS("#portal-tickets a")),
		chromedp.WaitVisible(chromedp.ID("portal-body")),
		chromedp.SendKeys(chromedp.ID("portal-body"), reply),
		chromedp.Click(chromedp.CSS("#portal-reply button")),
		chromedp.WaitVisible(chromedp.CSS("p.flash")),
	)
	if err != nil {
		t.Fatalf("browser: sign in and reply: %v", err)
	}
	thread, err := chromedp.Run(bctx, chromedp.Text(chromedp.ID("portal-thread")))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(thread, reply) || !strings.Contains(thread, "my parcel has not arrived yet") {
		t.Errorf("thread shows %q", thread)
	}
	msgs, err := f.tickets.Messages(ctx, f.ids["ticket"])
	if err != nil {
		t.Fatal(err)
	}
	if last := msgs[len(msgs)-1]; last.Kind != ticket.CustomerMessage || last.BodyText != reply {
		t.Errorf("the ticket's last message is %+v", last)
	}
	// The link, used, is refused in the browser too.
	err = chromedp.Do(bctx,
		chromedp.Navigate(f.srv.URL+"/portal/link/"+tok),
		chromedp.WaitVisible(chromedp.ID("portal-refused")),
	)
	if err != nil {
		t.Fatalf("browser: open the used link: %v", err)
	}
}
