package web

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/rapport/rapport/internal/store/storetest"
)

// TestBrowserSurveyOnPhone answers a survey in a real browser the size of
// a phone: the email's one click (the link's GET records nothing; the page
// posts the chosen answer by itself, so one click still records it), then
// the tiles of the other questions
// (tapped through their labels, as a thumb would), a comment, and the
// thank-you page; the answers are stored.
func TestBrowserSurveyOnPhone(t *testing.T) {
	f := newSurveyFixture(t, storetest.SQLite(t))
	id := f.ids["ticket"]
	click, _ := f.solveAndSend(t, id, "5")

	bctx := newBrowser(t, 30*time.Second, 390, 844)

	err := chromedp.Do(bctx,
		chromedp.EmulateViewport(390, 844),
		chromedp.Navigate(f.srv.URL+click),
		chromedp.WaitVisible(chromedp.ID("survey-recorded")),
	)
	if err != nil {
		t.Fatalf("browser: open the one-click link: %v", err)
	}
	var clicked int
	if err := f.db.R.QueryRowContext(context.Background(), "SELECT csat FROM surveys WHERE ticket_id = $1", id).Scan(&clicked); err != nil || clicked != 5 {
		t.Fatalf("after one click in the browser: csat %d (%v), want 5", clicked, err)
	}
	// A tile of the eleven NPS answers is still a thumb's width.
	width, err := chromedp.Run(bctx, chromedp.Evaluate[float64](`document.querySelector('#q-nps .choice span').getBoundingClientRect().width`))
	if err != nil {
		t.Fatal(err)
	}
	pageWidth, err := chromedp.Run(bctx, chromedp.Evaluate[float64](`document.documentElement.scrollWidth`))
	if err != nil {
		t.Fatal(err)
	}
	if width < 36 || pageWidth > 390 {
		t.Errorf("on a 390px phone: NPS tile %.0fpx wide, page %.0fpx wide", width, pageWidth)
	}
	err = chromedp.Do(bctx,
		chromedp.Click(chromedp.CSS(`#q-nps label.choice:nth-child(10)`)),   // 9
		chromedp.Click(chromedp.CSS(`#q-speed label.choice:nth-child(4)`)),  // 4
		chromedp.Click(chromedp.CSS(`#q-return label.choice:nth-child(1)`)), // yes
		chromedp.SendKeys(chromedp.ID("survey-comment"), "Quick and kind, thank you."),
		chromedp.Click(chromedp.CSS(`#survey-form button[type=submit]`)),
		chromedp.WaitVisible(chromedp.ID("survey-thanks")),
	)
	if err != nil {
		t.Fatalf("browser: answer the rest: %v", err)
	}
	thanks, err := chromedp.Run(bctx, chromedp.Text(chromedp.ID("survey")))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(thanks, "Thank you") {
		t.Errorf("thank-you page shows %q", thanks)
	}
	var csat, nps, speed int
	var ret, comment string
	err = f.db.R.QueryRowContext(context.Background(), "SELECT csat, nps, speed, return_intent, comment FROM surveys WHERE ticket_id = $1", id).
		Scan(&csat, &nps, &speed, &ret, &comment)
	if err != nil {
		t.Fatal(err)
	}
	if csat != 5 || nps != 9 || speed != 4 || ret != "yes" || comment != "Quick and kind, thank you." {
		t.Errorf("stored csat %d nps %d speed %d return %q comment %q", csat, nps, speed, ret, comment)
	}
}
