package web

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/rapport/rapport/internal/store/storetest"
)

// TestBrowserStandardAndGoal drives a real browser as a manager: the
// service standard comes first after signing in and, once acknowledged,
// the inbox; on the goals page the manager picks an agent and a metric,
// asks for a suggestion, saves the suggested target, and finds the goal
// with its progress bar on the agent's scorecard. With
// RAPPORT_TEST_SCREENSHOTS set to a folder, the pages are saved there.
func TestBrowserStandardAndGoal(t *testing.T) {
	f := newGoalsFixture(t, storetest.SQLite(t))
	monday := f.clock.Now().Truncate(24 * time.Hour)
	for i, mins := range []int{40, 30, 50, 20} {
		week := monday.AddDate(0, 0, -7*(4-i)).Add(10 * time.Hour)
		f.answered(t, "agent", week, time.Duration(mins)*time.Minute)
		f.answered(t, "agent2", week.Add(time.Hour), 10*time.Minute)
	}
	f.rebuild(t)
	if _, err := f.goals.SaveStandard(context.Background(), "en", "We answer like people.\n\nWe own every problem.", f.ids["admin"]); err != nil {
		t.Fatal(err)
	}

	bctx := newBrowser(t, 60*time.Second, 1280, 900)
	shot := func(name string) {
		dir := os.Getenv("RAPPORT_TEST_SCREENSHOTS")
		if dir == "" {
			return
		}
		png, err := chromedp.Run(bctx, chromedp.FullScreenshot(100))
		if err == nil {
			err = os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644)
		}
		if err != nil {
			t.Logf("screenshot %s: %v", name, err)
		}
	}

	err := chromedp.Do(bctx,
		chromedp.Navigate(f.srv.URL+"/login"),
		chromedp.WaitVisible(chromedp.ID("email")),
		chromedp.SendKeys(chromedp.ID("email"), "manager@rapport.test"),
		chromedp.SendKeys(chromedp.ID("password"), testPassword),
		chromedp.Submit(chromedp.ID("password")),
		chromedp.WaitVisible(chromedp.ID("standard-ack")),
	)
	if err != nil {
		t.Fatalf("browser: sign in: %v", err)
	}
	standard, err := chromedp.Run(bctx, chromedp.Text(chromedp.CSS(".standard-text")))
	if err != nil || !strings.Contains(standard, "We own every problem.") {
		t.Fatalf("the standard after login reads %q (%v)", standard, err)
	}
	shot("standard")
	err = chromedp.Do(bctx,
		chromedp.Click(chromedp.CSS("#standard-ack button")),
		chromedp.WaitVisible(chromedp.CSS("nav.tabs")),
		chromedp.Navigate(f.srv.URL+"/manage/goals"),
		chromedp.WaitVisible(chromedp.ID("goal-subject")),
		chromedp.SetValue(chromedp.ID("goal-subject"), "agent:"+strconv.FormatInt(f.ids["agent"], 10)),
		chromedp.SetValue(chromedp.ID("goal-metric"), "frt_calendar"),
		chromedp.SetValue(chromedp.ID("goal-start"), "2025-03-12"),
		chromedp.Click(chromedp.ID("suggest")),
		chromedp.WaitVisible(chromedp.ID("suggestion")),
	)
	if err != nil {
		t.Fatalf("browser: ask for a suggestion: %v", err)
	}
	reason, err := chromedp.Run(bctx, chromedp.Text(chromedp.ID("suggestion")))
	if err != nil || !strings.Contains(reason, "Last 4 weeks: 40, 30, 50, 20 min") || !strings.Contains(reason, "Suggested: 33 min") {
		t.Fatalf("suggestion reads %q (%v)", reason, err)
	}
	target, err := chromedp.Run(bctx, chromedp.Value(chromedp.ID("goal-target")))
	if err != nil || target != "33" {
		t.Fatalf("target field holds %q (%v), want the suggested 33", target, err)
	}
	shot("manage_goals")
	err = chromedp.Do(bctx,
		chromedp.Click(chromedp.CSS("#goal-form button.primary")),
		chromedp.WaitVisible(chromedp.CSS("p.flash")),
	)
	if err != nil {
		t.Fatalf("browser: save the goal: %v", err)
	}
	list, err := chromedp.Run(bctx, chromedp.Text(chromedp.CSS("#goals table")))
	if err != nil || !strings.Contains(list, "Al Agent") || !strings.Contains(list, "33 min") {
		t.Fatalf("goals list reads %q (%v)", list, err)
	}
	err = chromedp.Do(bctx,
		chromedp.Navigate(f.srv.URL+"/agents/"+strconv.FormatInt(f.ids["agent"], 10)+"/scorecard"),
		chromedp.WaitVisible(chromedp.CSS("#goals progress")),
	)
	if err != nil {
		t.Fatalf("browser: the agent's scorecard: %v", err)
	}
	card, err := chromedp.Run(bctx, chromedp.Text(chromedp.ID("goals")))
	if err != nil || !strings.Contains(card, "First response, median (minutes)") || !strings.Contains(card, "of 33 min") {
		t.Errorf("scorecard goals read %q (%v)", card, err)
	}
	shot("scorecard")
	if err := chromedp.Do(bctx, chromedp.Navigate(f.srv.URL+"/team"), chromedp.WaitVisible(chromedp.ID("leaderboard"))); err != nil {
		t.Fatalf("browser: team page: %v", err)
	}
	shot("team")
}
