package web

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/rapport/rapport/internal/store/storetest"
)

// TestBrowserDashboard: a manager opens the dashboard in a real browser,
// applies a filter with the form, and finds the charts and the tiles with
// the seeded week's numbers.
func TestBrowserDashboard(t *testing.T) {
	f, _ := newDashboardFixture(t, storetest.SQLite(t))

	bctx := newBrowser(t, 40*time.Second, 1280, 900)

	err := chromedp.Do(bctx,
		chromedp.Navigate(f.srv.URL+"/login"),
		chromedp.WaitVisible(chromedp.ID("email")),
		chromedp.SendKeys(chromedp.ID("email"), "manager@rapport.test"),
		chromedp.SendKeys(chromedp.ID("password"), testPassword),
		chromedp.Submit(chromedp.ID("password")),
		chromedp.WaitVisible(chromedp.ID("nav-dashboard")),
		chromedp.Click(chromedp.ID("nav-dashboard")),
		chromedp.WaitVisible(chromedp.ID("dash-filters")),
	)
	if err != nil {
		t.Fatalf("browser: sign in and open the dashboard: %v", err)
	}
	// Choose the seeded week with the form's custom dates.
	err = chromedp.Do(bctx,
		chromedp.SetValue(chromedp.ID("f-period"), "custom"),
		chromedp.SetValue(chromedp.CSS(`input[name="from"]`), "2025-03-03"),
		chromedp.SetValue(chromedp.CSS(`input[name="to"]`), "2025-03-09"),
		chromedp.Click(chromedp.ID("f-apply")),
	)
	if err == nil {
		err = waitForQuery(bctx, "from=2025-03-03")
	}
	if err == nil {
		err = chromedp.Do(bctx, chromedp.WaitVisible(chromedp.ID("chart-frt")))
	}
	if err != nil {
		t.Fatalf("browser: choose the week: %v", err)
	}
	frt, err := chromedp.Run(bctx, chromedp.Text(chromedp.CSS("#kpi-frt_median .kpi-value")))
	if err != nil {
		t.Fatal(err)
	}
	if strings.TrimSpace(frt) != "30 min" {
		t.Errorf("first response tile shows %q, want 30 min", frt)
	}
	// Then one agent: Bo's tickets only.
	err = chromedp.Do(bctx,
		chromedp.SetValue(chromedp.ID("f-agent"), itoa(f.ids["agent2"])),
		chromedp.Click(chromedp.ID("f-apply")),
	)
	if err == nil {
		err = waitForQuery(bctx, "agent="+itoa(f.ids["agent2"]))
	}
	if err == nil {
		err = chromedp.Do(bctx, chromedp.WaitVisible(chromedp.ID("chart-nps-dist")))
	}
	if err != nil {
		t.Fatalf("browser: filter by agent: %v", err)
	}
	loc, err := chromedp.Run(bctx, chromedp.Evaluate[string](`location.search`))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(loc, "agent="+itoa(f.ids["agent2"])) || !strings.Contains(loc, "from=2025-03-03") {
		t.Errorf("the filter form sent %q", loc)
	}
	for sel, want := range map[string]string{
		"#kpi-frt_median .kpi-value": "10 min", // Bo's 600 s and 3,600 s: nearest rank 1
		"#kpi-nps .kpi-value":        "−100",   // Bo's one answer, a 3
		"#kpi-csat .kpi-value":       "0%",     // a 2: a valid zero, not "no data"
		"#kpi-promises .kpi-value":   "no data",
	} {
		got, err := chromedp.Run(bctx, chromedp.Text(chromedp.CSS(sel)))
		if err != nil {
			t.Fatalf("%s: %v", sel, err)
		}
		if strings.TrimSpace(got) != want {
			t.Errorf("%s shows %q, want %q", sel, got, want)
		}
	}
	// The charts are SVG drawn by the server: a line with a dot per week,
	// and one bar per score.
	counts, err := chromedp.Run(bctx, chromedp.Evaluate[[]int](`[
		document.querySelectorAll("svg.chart").length,
		document.querySelectorAll("#chart-frt circle").length,
		document.querySelectorAll("#chart-nps-dist rect.bar").length,
		document.querySelectorAll("#chart-csat-dist rect.bar").length,
		document.querySelectorAll("#chart-agents rect.bar").length]`))
	if err != nil {
		t.Fatal(err)
	}
	if len(counts) != 5 || counts[0] != 6 || counts[1] != 1 || counts[2] != 11 || counts[3] != 5 || counts[4] != 1 {
		t.Errorf("charts: svg, frt dots, nps bars, csat bars, agent bars = %v; want [6 1 11 5 1]", counts)
	}
}

// waitForQuery waits until the page that a form submission loads has
// arrived, its query string holding want: the elements the test looks for
// next are on the old page as well, so waiting for them is not enough.
func waitForQuery(ctx context.Context, want string) error {
	var loc string
	for range 150 {
		var err error
		loc, err = chromedp.Run(ctx, chromedp.Evaluate[string](`document.readyState === "complete" ? location.search : ""`))
		if err == nil && strings.Contains(loc, want) {
			return nil
		}
		time.Sleep(100 * time.Millisecond)
	}
	return fmt.Errorf("the page never loaded with %q in its query (last %q)", want, loc)
}
