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

// TestBrowserDraftFindings types the example into the composer of
// a real browser and sees the runaround and rulebook findings appear beside
// the draft while the send button stays usable; then dismisses one with a
// reason.
func TestBrowserDraftFindings(t *testing.T) {
	f := newFixture(t, storetest.SQLite(t))
	id := f.newTicket(t, ticket.NewTicket{Subject: "Refund", Body: questionEn})

	bctx := newBrowser(t, 30*time.Second, 1280, 900)

	err := chromedp.Do(bctx,
		chromedp.Navigate(f.srv.URL+idPath("/tickets/", id, "")),
		chromedp.WaitVisible(chromedp.ID("email")),
		chromedp.SendKeys(chromedp.ID("email"), "agent@rapport.test"),
		chromedp.SendKeys(chromedp.ID("password"), testPassword),
		chromedp.Submit(chromedp.ID("password")),
		chromedp.WaitVisible(chromedp.ID("reply-body")),
		chromedp.SendKeys(chromedp.ID("reply-body"), faqDraft),
		chromedp.WaitVisible(chromedp.CSS("#finding-list li.sin-runaround")),
		chromedp.WaitVisible(chromedp.CSS("#finding-list li.sin-rulebook")),
	)
	if err != nil {
		t.Fatalf("browser: type the draft and wait for findings: %v", err)
	}
	panel, err := chromedp.Run(bctx, chromedp.Text(chromedp.ID("reply-findings")))
	if err != nil {
		t.Fatalf("browser: read the findings: %v", err)
	}
	sendDisabled, err := chromedp.Run(bctx, chromedp.Evaluate[bool](`document.getElementById("reply-send").disabled`))
	if err != nil {
		t.Fatalf("browser: read the send button: %v", err)
	}
	for _, want := range []string{"Runaround", "read our FAQ", "Rulebook", "policy does not allow", "Worth a second look"} {
		if !strings.Contains(panel, want) {
			t.Errorf("findings panel lacks %q: %q", want, panel)
		}
	}
	if sendDisabled {
		t.Error("the send button is disabled while findings show")
	}

	// Dismiss the runaround finding: it goes, and the dismissal is kept.
	err = chromedp.Do(bctx,
		chromedp.Click(chromedp.CSS("#finding-list li.sin-runaround summary")),
		chromedp.SetValue(chromedp.CSS(`#finding-list li.sin-runaround select[name="reason"]`), "customer_asked"),
		chromedp.Click(chromedp.CSS(`#finding-list li.sin-runaround button[type="submit"]`)),
		chromedp.WaitNotPresent(chromedp.CSS("#finding-list li.sin-runaround")),
	)
	if err != nil {
		t.Fatalf("browser: dismiss a finding: %v", err)
	}
	ds, err := f.reviews.RecentDismissals(context.Background(), 5)
	if err != nil || len(ds) != 1 || ds[0].Rule != "runaround.faq" || ds[0].Reason != "customer_asked" || ds[0].TicketID != id {
		t.Errorf("stored dismissals %+v %v", ds, err)
	}
}
