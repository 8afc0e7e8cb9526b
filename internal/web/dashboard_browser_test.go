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

// TestBrowserDashboardChartLabels: over fourteen weeks, the line charts'
// axis labels as Chromium draws them are visible, inside their charts, in
// date order and clear of one another, and the rate tiles say what they
// rest on.
func TestBrowserDashboardChartLabels(t *testing.T) {
	f, _ := newDashboardFixture(t, storetest.SQLite(t))
	bctx := newBrowser(t, 40*time.Second, 1280, 900)
	err := chromedp.Do(bctx,
		chromedp.Navigate(f.srv.URL+"/login"),
		chromedp.WaitVisible(chromedp.ID("email")),
		chromedp.SendKeys(chromedp.ID("email"), "manager@rapport.test"),
		chromedp.SendKeys(chromedp.ID("password"), testPassword),
		chromedp.Submit(chromedp.ID("password")),
		chromedp.WaitVisible(chromedp.ID("nav-dashboard")),
		chromedp.Navigate(f.srv.URL+"/dashboard?period=custom&from=2024-12-02&to=2025-03-09"),
		chromedp.WaitVisible(chromedp.ID("chart-frt")),
	)
	if err != nil {
		t.Fatalf("browser: open the dashboard: %v", err)
	}
	type box struct {
		Text                 string
		Left, Right, Width   float64
		ChartW               float64
		Visible, InsideChart bool
	}
	type chart struct {
		ID   string
		X, Y []box
	}
	charts, err := chromedp.Run(bctx, chromedp.Evaluate[[]chart](`[...document.querySelectorAll("figure.dash-chart svg.chart")].map(svg => {
		const sr = svg.getBoundingClientRect();
		const boxes = sel => [...svg.querySelectorAll(sel)].map(t => {
			const b = t.getBBox(), r = t.getBoundingClientRect(), cs = getComputedStyle(t);
			return {Text: t.textContent, Left: b.x, Right: b.x + b.width, Width: b.width, ChartW: svg.viewBox.baseVal.width,
				Visible: r.width > 0 && r.height > 0 && cs.visibility !== "hidden" && cs.display !== "none",
				InsideChart: r.left >= sr.left - 0.5 && r.right <= sr.right + 0.5 && r.top >= sr.top - 0.5 && r.bottom <= sr.bottom + 0.5};
		});
		return {ID: svg.id, X: boxes("text.x-label"), Y: boxes("text.y-label")};
	})`))
	if err != nil {
		t.Fatal(err)
	}
	if len(charts) != 3 {
		t.Fatalf("%d line charts, want 3", len(charts))
	}
	p := &page{s: &server{cat: f.cat}, Lang: "en"}
	order := map[string]int{} // the weeks' labels, in date order
	for w, i := time.Date(2024, 12, 2, 0, 0, 0, 0, time.UTC), 0; w.Before(time.Date(2025, 3, 10, 0, 0, 0, 0, time.UTC)); w, i = w.AddDate(0, 0, 7), i+1 {
		order[p.formatDay("date.short", w)] = i
	}
	for _, c := range charts {
		if len(c.X) < 4 || len(c.Y) != 5 {
			t.Errorf("%s: %d x labels and %d y labels, want at least 4 and 5", c.ID, len(c.X), len(c.Y))
			continue
		}
		if last := c.X[len(c.X)-1].Text; last != "Mar 3" {
			t.Errorf("%s: the last x label is %q, want the latest week, Mar 3", c.ID, last)
		}
		prev, prevRight := -1, -1.0
		for _, b := range append(append([]box(nil), c.X...), c.Y...) {
			if !b.Visible || !b.InsideChart || b.Left < 0 || b.Right > b.ChartW || b.Width == 0 {
				t.Errorf("%s: label %q is cut or hidden: %+v", c.ID, b.Text, b)
			}
		}
		for _, b := range c.X {
			i, ok := order[b.Text]
			if !ok || i <= prev {
				t.Errorf("%s: x label %q out of order (after week %d)", c.ID, b.Text, prev)
			}
			if b.Left < prevRight {
				t.Errorf("%s: x label %q (from %.1f) overlaps the one before (to %.1f)", c.ID, b.Text, b.Left, prevRight)
			}
			if est := float64(textWidth(b.Text, chartFont)); b.Width > est {
				t.Errorf("%s: x label %q is %.1f wide, more than the %v the server allowed", c.ID, b.Text, b.Width, est)
			}
			prev, prevRight = i, b.Right
		}
	}
	// A rate says what it rests on, and that it is too few to judge.
	base, err := chromedp.Run(bctx, chromedp.Text(chromedp.CSS("#kpi-csat")))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(base, "answers: ") || !strings.Contains(base, "too few to judge") {
		t.Errorf("the CSAT tile reads %q, want its answers and too few to judge", base)
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
