package web

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/rapport/rapport/internal/agent"
	"github.com/rapport/rapport/internal/store/storetest"
)

// TestBrowserPluralForms opens the ticket page in a real browser as an agent
// who reads each of the five languages, with transfer counts chosen to hit
// every CLDR form: Russian one, few and many, Latvian zero and one, and the
// one and other of English, Italian and Catalan.
func TestBrowserPluralForms(t *testing.T) {
	f := newFixture(t, storetest.SQLite(t))
	ctx := context.Background()
	bctx := newBrowser(t, 60*time.Second, 1280, 900)

	err := chromedp.Do(bctx,
		chromedp.Navigate(f.srv.URL+"/login"),
		chromedp.WaitVisible(chromedp.ID("email")),
		chromedp.SendKeys(chromedp.ID("email"), "agent@rapport.test"),
		chromedp.SendKeys(chromedp.ID("password"), testPassword),
		chromedp.Submit(chromedp.ID("password")),
		chromedp.WaitVisible(chromedp.CSS("nav.tabs")),
	)
	if err != nil {
		t.Fatalf("browser: sign in: %v", err)
	}
	tests := []struct {
		name, lang string
		count      int
		want       string
	}{
		{"english one", "en", 1, "Transfers: 1"},
		{"english other", "en", 3, "Transfers: 3"},
		{"italian one", "it", 1, "1 trasferimento"},
		{"italian other", "it", 2, "2 trasferimenti"},
		{"russian one", "ru", 21, "21 передача"},
		{"russian few", "ru", 3, "3 передачи"},
		{"russian many", "ru", 5, "5 передач"},
		{"russian many teens", "ru", 11, "11 передач"},
		{"latvian zero", "lv", 0, "0 nodošanu"},
		{"latvian zero tens", "lv", 10, "10 nodošanu"},
		{"latvian one", "lv", 1, "1 nodošana"},
		{"latvian other", "lv", 2, "2 nodošanas"},
		{"catalan one", "ca", 1, "1 transferència"},
		{"catalan other", "ca", 4, "4 transferències"},
	}
	page := fmt.Sprintf("%s/tickets/%d", f.srv.URL, f.ids["ticket"])
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			lang := tc.lang
			if _, err := f.agents.Update(ctx, f.ids["agent"], agent.AgentUpdate{Locale: &lang}); err != nil {
				t.Fatal(err)
			}
			if _, err := f.db.W.ExecContext(ctx, `UPDATE tickets SET transfer_count = $1 WHERE id = $2`, tc.count, f.ids["ticket"]); err != nil {
				t.Fatal(err)
			}
			err := chromedp.Do(bctx,
				chromedp.Navigate(page),
				chromedp.WaitVisible(chromedp.CSS(`html[lang="`+tc.lang+`"] #transfer-count`)),
			)
			if err != nil {
				t.Fatalf("browser: open the ticket in %s: %v", tc.lang, err)
			}
			shown, err := chromedp.Run(bctx, chromedp.Text(chromedp.ID("transfer-count")))
			if err != nil {
				t.Fatalf("browser: read the transfer count: %v", err)
			}
			if strings.TrimSpace(shown) != tc.want {
				t.Errorf("the %s ticket page shows %q, want %q", tc.lang, shown, tc.want)
			}
		})
	}
}
