package app

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/rapport/rapport/internal/agent"
)

// liveBrowser starts a headless Chromium for t, or skips the test without
// one (fails when RAPPORT_TEST_REQUIRE_BROWSER=1, as in CI).
func liveBrowser(t *testing.T, timeout time.Duration) context.Context {
	t.Helper()
	bin := ""
	for _, p := range []string{"/usr/bin/chromium", "/usr/bin/chromium-browser"} {
		if _, err := os.Stat(p); err == nil {
			bin = p
			break
		}
	}
	if bin == "" {
		if os.Getenv("RAPPORT_TEST_REQUIRE_BROWSER") == "1" {
			t.Fatal("no Chromium, and RAPPORT_TEST_REQUIRE_BROWSER=1")
		}
		t.Skip("no Chromium installed")
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(ctx, chromedp.ExecPath(bin), chromedp.Headless, chromedp.NoSandbox,
		chromedp.DisableGPU, chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck, chromedp.Flag("no-proxy-server", true),
		chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(1280, 900))
	bctx, cancelBrowser := chromedp.NewContext(allocCtx)
	t.Cleanup(func() { cancelBrowser(); cancelAlloc(); cancel() })
	return bctx
}

// waitTransport waits until the page's live connection is open over
// transport ("websocket" or "events").
func waitTransport(transport string) chromedp.Action[chromedp.Void] {
	return waitJS(fmt.Sprintf(`window.rapportLive && window.rapportLive.transport() === %q`, transport))
}

// waitJS waits until expr is true in the page.
func waitJS(expr string) chromedp.Action[chromedp.Void] {
	return void(chromedp.Poll[bool](expr))
}

// void drops an action's value, to run it among others.
func void[T any](a chromedp.Action[T]) chromedp.Action[chromedp.Void] {
	return func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		_, err := a(ctx, t)
		return chromedp.Void{}, err
	}
}

// textOf reads the text of the element sel selects.
func textOf(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		t.Fatalf("browser: read %s: %v", sel, err)
	}
	return s
}

// markOf reads window.liveMark, set when the page opened and gone on a reload.
func markOf(t *testing.T, ctx context.Context) string {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.Evaluate[string](`window.liveMark || ""`))
	if err != nil {
		t.Fatalf("browser: read the mark: %v", err)
	}
	return s
}

// An agent's open pages change as the tickets do, without a reload: a
// ticket created through the API by a colleague appears in the inbox, the
// notification badge counts the ticket the colleague then gives them, and
// the ticket page shows the colleague's reply. With WebSocket blocked
// (absent), the event stream carries the same.
func TestBrowserLiveInbox(t *testing.T) {
	s := startServer(t, filepath.Join(t.TempDir(), "live.db"), 2)
	base := s.app.URL()
	// The one who watches: an admin (without one every page leads to the
	// first run's setup).
	me, err := s.app.Services().Agents.Create(context.Background(), agent.NewAgent{Email: "mia@shop.example", Name: "Mia Admin",
		Role: agent.RoleAdmin, Password: "long enough password", Languages: []string{"en"}})
	if err != nil {
		t.Fatal(err)
	}
	tok, err := s.app.Services().Agents.CreateToken(context.Background(), me.ID, "live")
	if err != nil {
		t.Fatal(err)
	}
	s.tokens = append(s.tokens, tok) // s.call(2, …): Mia through the API, as from another device
	bctx := liveBrowser(t, 120*time.Second)
	if err := chromedp.Do(bctx,
		chromedp.Navigate(base+"/login"),
		chromedp.WaitVisible(chromedp.ID("email")),
		chromedp.SendKeys(chromedp.ID("email"), "mia@shop.example"),
		chromedp.SendKeys(chromedp.ID("password"), "long enough password"),
		chromedp.Submit(chromedp.ID("password")),
		chromedp.WaitVisible(chromedp.CSS("nav.tabs")),
		chromedp.Navigate(base+"/?view=unassigned"),
		chromedp.WaitVisible(chromedp.ID("ticket-list")),
		waitTransport("websocket"),
		// Gone on a reload: its survival proves the page was not reloaded.
		void(chromedp.Evaluate[string](`window.liveMark = "still here"`)),
	); err != nil {
		t.Fatalf("browser: sign in and open the inbox: %v", err)
	}

	create := func(subject string) int64 {
		t.Helper()
		var tk created
		if _, err := s.call(1, "POST", "/tickets", map[string]any{"subject": subject, "body": "It flickers every few seconds.",
			"customer_email": "carla@example.com"}, &tk); err != nil {
			t.Fatal(err)
		}
		return tk.ID
	}
	id := create("The lamp flickers")
	if err := chromedp.Do(bctx, chromedp.WaitVisible(chromedp.ID(fmt.Sprintf("row-%d", id)))); err != nil {
		t.Fatalf("browser: the new ticket in the inbox: %v", err)
	}
	if row, mark := textOf(t, bctx, fmt.Sprintf("#row-%d", id)), markOf(t, bctx); !strings.Contains(row, "The lamp flickers") || mark != "still here" {
		t.Errorf("row %q, mark %q: want the new ticket's row without a reload", row, mark)
	}

	// The colleague gives Mia the ticket: the badge counts it, and the
	// row leaves the unassigned view.
	if _, err := s.call(1, "POST", fmt.Sprintf("/tickets/%d/assign", id), map[string]any{"agent_id": me.ID}, nil); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(bctx,
		chromedp.WaitVisible(chromedp.CSS("#notif-link .count")),
		chromedp.WaitNotPresent(chromedp.ID(fmt.Sprintf("row-%d", id))),
	); err != nil {
		t.Fatalf("browser: badge and row after the assignment: %v", err)
	}
	if count, mark := textOf(t, bctx, "#notif-link .count"), markOf(t, bctx); count != "1" || mark != "still here" {
		t.Errorf("badge %q, mark %q: want 1 without a reload", count, mark)
	}

	// The ticket page shows a reply Mia sends from elsewhere (the API), and
	// the ticket's new status.
	if err := chromedp.Do(bctx,
		chromedp.Navigate(fmt.Sprintf("%s/tickets/%d", base, id)),
		chromedp.WaitVisible(chromedp.ID("ticket-status")),
		waitTransport("websocket"),
		void(chromedp.Evaluate[string](`window.liveMark = "still here"`)),
	); err != nil {
		t.Fatalf("browser: open the ticket: %v", err)
	}
	if _, err := s.call(2, "POST", fmt.Sprintf("/tickets/%d/reply", id), map[string]any{"body": "A new bulb is on its way.", "status": "pending"}, nil); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(bctx,
		waitJS(`document.querySelector("section.thread").textContent.includes("A new bulb is on its way.")`),
		waitJS(`document.getElementById("ticket-status").className.includes("status-pending")`),
	); err != nil {
		t.Fatalf("browser: the reply on the ticket page: %v", err)
	}
	if markOf(t, bctx) != "still here" {
		t.Errorf("the ticket page was reloaded")
	}

	// Where WebSocket cannot be used, the event stream carries the events.
	tab, cancel := chromedp.NewContext(bctx)
	defer cancel()
	if err := chromedp.Do(tab,
		chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
			_, err := cdp.Call(ctx, t, page.AddScriptToEvaluateOnNewDocument,
				page.AddScriptToEvaluateOnNewDocumentParams{Source: `delete window.WebSocket; window.WebSocket = undefined;`})
			return err
		}),
		chromedp.Navigate(base+"/?view=unassigned"),
		chromedp.WaitVisible(chromedp.ID("ticket-list")),
		waitTransport("events"),
	); err != nil {
		t.Fatalf("browser: the inbox without WebSocket: %v", err)
	}
	id2 := create("The kettle whistles twice")
	if err := chromedp.Do(tab, chromedp.WaitVisible(chromedp.ID(fmt.Sprintf("row-%d", id2)))); err != nil {
		t.Fatalf("browser: the new ticket over the event stream: %v", err)
	}
	if row := textOf(t, tab, fmt.Sprintf("#row-%d", id2)); !strings.Contains(row, "The kettle whistles twice") {
		t.Errorf("row %q, want the second ticket", row)
	}

	// With focus in the list, a new row does not push the rows under the
	// agent's hand: a "new activity" button waits, and shows it on click.
	if err := chromedp.Do(tab, void(chromedp.Evaluate[bool](fmt.Sprintf(`document.querySelector("#row-%d a").focus(), true`, id2)))); err != nil {
		t.Fatal(err)
	}
	id3 := create("The fridge hums")
	if err := chromedp.Do(tab, chromedp.WaitVisible(chromedp.ID("live-activity"))); err != nil {
		t.Fatalf("browser: the new-activity button: %v", err)
	}
	if n, err := chromedp.Run(tab, chromedp.Evaluate[int](fmt.Sprintf(`document.querySelectorAll("#row-%d").length`, id3))); err != nil || n != 0 {
		t.Errorf("the third ticket's row is in the list (%d, %v) while focus is there", n, err)
	}
	if err := chromedp.Do(tab,
		chromedp.Click(chromedp.ID("live-activity")),
		chromedp.WaitVisible(chromedp.ID(fmt.Sprintf("row-%d", id3))),
	); err != nil {
		t.Fatalf("browser: show the new activity: %v", err)
	}
}
