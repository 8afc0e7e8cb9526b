package web

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/rapport/rapport/internal/savedreply"
	"github.com/rapport/rapport/internal/store/storetest"
	"github.com/rapport/rapport/internal/ticket"
)

// TestBrowserSavedReplyInsert picks a saved reply in a real browser: it
// lands in the draft without a page load, the analyzer flags it as sent
// unchanged, and sending it puts it in the thread with its recipients.
func TestBrowserSavedReplyInsert(t *testing.T) {
	f := newFixture(t, storetest.SQLite(t), fixtureOpts{savedCheck: true})
	ctx := context.Background()
	saved := "Thank you for your patience. Your parcel has been sent again today with express delivery."
	sr, err := f.saved.Create(ctx, f.ids["manager"], savedreply.Input{Title: "Parcel resent", Body: saved, Language: "en"})
	if err != nil {
		t.Fatal(err)
	}
	id := f.ids["ticket"]
	bctx := newBrowser(t, 45*time.Second, 1280, 900)
	err = chromedp.Do(bctx,
		chromedp.Navigate(f.srv.URL+idPath("/tickets/", id, "")),
		chromedp.WaitVisible(chromedp.ID("email")),
		chromedp.SendKeys(chromedp.ID("email"), "agent@rapport.test"),
		chromedp.SendKeys(chromedp.ID("password"), testPassword),
		chromedp.Submit(chromedp.ID("password")),
		chromedp.WaitVisible(chromedp.ID("saved-reply")),
	)
	if err != nil {
		t.Fatalf("browser: log in: %v", err)
	}
	// A mark on the page: a reload would lose it.
	if _, err := chromedp.Run(bctx, chromedp.Evaluate[bool](`window.notReloaded = true`)); err != nil {
		t.Fatal(err)
	}
	err = chromedp.Do(bctx,
		chromedp.SetValue(chromedp.ID("saved-reply"), strconv.FormatInt(sr.ID, 10)),
		chromedp.Click(chromedp.ID("saved-insert")),
		chromedp.WaitVisible(chromedp.CSS("#finding-list li.sin-robotism")),
	)
	if err != nil {
		t.Fatalf("browser: insert the saved reply: %v", err)
	}
	draft, err := chromedp.Run(bctx, chromedp.Value(chromedp.ID("reply-body")))
	if err != nil || draft != saved {
		t.Fatalf("draft %q (%v), want the saved reply", draft, err)
	}
	kept, err := chromedp.Run(bctx, chromedp.Evaluate[bool](`window.notReloaded === true`))
	if err != nil || !kept {
		t.Fatalf("the page reloaded to insert (%v)", err)
	}
	panel, err := chromedp.Run(bctx, chromedp.Text(chromedp.ID("reply-findings")))
	if err != nil || !strings.Contains(panel, "saved reply sent as it was written") {
		t.Fatalf("findings %q (%v)", panel, err)
	}
	err = chromedp.Do(bctx,
		chromedp.Click(chromedp.ID("reply-send")),
		// Only the page after the send has the reply in the thread.
		chromedp.WaitVisible(chromedp.Search(`//article[contains(@class, "msg-reply")][contains(., "express delivery")]//p[contains(@class, "recipients")][contains(., "carla@example.com")]`)),
	)
	if err != nil {
		t.Fatalf("browser: send: %v", err)
	}
	msgs, err := f.tickets.Messages(ctx, id)
	if err != nil || len(msgs) != 2 || msgs[1].Kind != ticket.Reply || msgs[1].BodyText != saved || msgs[1].To != "carla@example.com" {
		t.Fatalf("thread %+v %v", msgs, err)
	}
}
