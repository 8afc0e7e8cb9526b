package web

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/rapport/rapport/internal/store/storetest"
)

// TestBrowserCollisionWarning: an agent starts typing a reply in a real
// browser; the page script tells the server at once, and a colleague who
// opens the same ticket is warned that someone is writing.
func TestBrowserCollisionWarning(t *testing.T) {
	f := newFixture(t, storetest.SQLite(t))
	page := idPath("/tickets/", f.ids["ticket"], "")

	bctx := newBrowser(t, 60*time.Second, 1280, 900)

	err := chromedp.Do(bctx,
		chromedp.Navigate(f.srv.URL+"/"),
		chromedp.WaitVisible(chromedp.ID("email")),
		chromedp.SendKeys(chromedp.ID("email"), "agent@rapport.test"),
		chromedp.SendKeys(chromedp.ID("password"), testPassword),
		chromedp.Submit(chromedp.ID("password")),
		chromedp.WaitVisible(chromedp.CSS("nav.tabs")),
		chromedp.Navigate(f.srv.URL+page),
		chromedp.WaitVisible(chromedp.ID("reply-body")),
		chromedp.SendKeys(chromedp.ID("reply-body"), "Hello Carla, "),
	)
	if err != nil {
		t.Fatalf("browser: sign in, open the ticket and type: %v", err)
	}

	// Bo's heartbeat hears that Al is writing, as soon as the script has
	// told the server (a bounded wait for the browser, not a timing check).
	bo := f.login(t, "agent2")
	var others []presenceLine
	for range 100 {
		res := bo.post(t, page+"/presence", url.Values{"state": {"viewing"}})
		var got struct {
			Others []presenceLine `json:"others"`
		}
		if err := json.Unmarshal([]byte(res.body), &got); err != nil {
			t.Fatalf("presence answer %q: %v", res.body, err)
		}
		if others = got.Others; len(others) == 1 && others[0].State == "replying" {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if len(others) != 1 || others[0].Text != "Al Agent is writing a reply to this ticket right now." {
		t.Fatalf("Bo sees %+v; want Al writing", others)
	}
	contains(t, bo.get(t, page).body, []string{"Al Agent is writing a reply to this ticket right now."}, nil)

	// Al's page, loaded again, warns that Bo has the ticket open.
	var warning string
	err = chromedp.Do(bctx,
		chromedp.Navigate(f.srv.URL+page),
		chromedp.WaitVisible(chromedp.CSS("#presence p.collision")),
	)
	if err == nil {
		warning, err = chromedp.Run(bctx, chromedp.Text(chromedp.ID("presence")))
	}
	if err != nil {
		t.Fatalf("browser: reload the ticket: %v", err)
	}
	if !strings.Contains(warning, "Bo Agent is viewing this ticket.") {
		t.Errorf("Al's page says %q; want Bo viewing", warning)
	}
}
