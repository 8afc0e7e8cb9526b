package app

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/rapport/rapport/internal/agent"
)

// A new chat rings in another agent's open inbox without a reload: the
// header badge counts it and the page rings (window.rapportChat counts the
// rings; the tone is made with WebAudio). Muted on the chats page, the next
// chat still shows on the badge but makes no sound.
func TestBrowserNewChatRings(t *testing.T) {
	s := startServer(t, filepath.Join(t.TempDir(), "chat.db"), 2)
	base := s.app.URL()
	ctx := context.Background()
	svc := s.app.Services()
	me, err := svc.Agents.Create(ctx, agent.NewAgent{Email: "mia@shop.example", Name: "Mia Admin",
		Role: agent.RoleAdmin, Password: "long enough password", Languages: []string{"en"}})
	if err != nil {
		t.Fatal(err)
	}
	online := agent.Online
	if _, err := svc.Agents.Update(ctx, me.ID, agent.AgentUpdate{Availability: &online}); err != nil {
		t.Fatal(err)
	}
	bctx := liveBrowser(t, 120*time.Second)
	if err := chromedp.Do(bctx,
		chromedp.Navigate(base+"/login"),
		chromedp.WaitVisible(chromedp.ID("email")),
		chromedp.SendKeys(chromedp.ID("email"), "mia@shop.example"),
		chromedp.SendKeys(chromedp.ID("password"), "long enough password"),
		chromedp.Submit(chromedp.ID("password")),
		chromedp.WaitVisible(chromedp.CSS("nav.tabs")),
		chromedp.Navigate(base+"/?view=all"),
		chromedp.WaitVisible(chromedp.ID("ticket-list")),
		waitTransport("websocket"),
		waitJS(`window.rapportChat !== undefined`),
		void(chromedp.Evaluate[string](`window.liveMark = "still here"`)),
	); err != nil {
		t.Fatalf("browser: sign in and open the inbox: %v", err)
	}
	rings := func() (int, int) {
		t.Helper()
		n, err := chromedp.Run(bctx, chromedp.Evaluate[[]int](`[window.rapportChat.rings, window.rapportChat.sounds]`))
		if err != nil {
			t.Fatal(err)
		}
		return n[0], n[1]
	}
	if r, _ := rings(); r != 0 {
		t.Fatalf("%d rings before any chat", r)
	}
	chat := func(subject string) int64 {
		t.Helper()
		var tk created
		if _, err := s.call(1, "POST", "/tickets", map[string]any{"subject": subject, "body": "Hi, is anyone there?",
			"customer_email": "visitor@example.com", "channel": "chat"}, &tk); err != nil {
			t.Fatal(err)
		}
		return tk.ID
	}
	id := chat("Do you ship to Riga?")
	if err := chromedp.Do(bctx,
		waitJS(`window.rapportChat.rings === 1`),
		waitJS(`!document.getElementById("chat-count").hidden && document.getElementById("chat-count").textContent === "1"`),
		chromedp.WaitVisible(chromedp.ID(fmt.Sprintf("row-%d", id))),
	); err != nil {
		t.Fatalf("browser: the new chat's ring and badge: %v", err)
	}
	if mark := markOf(t, bctx); mark != "still here" {
		t.Errorf("the inbox was reloaded (mark %q)", mark)
	}
	if _, sounded := rings(); sounded != 1 {
		t.Errorf("%d tones for the first chat, want 1", sounded)
	}

	// Muted: the next chat counts on the badge and rings silently.
	if err := chromedp.Do(bctx,
		chromedp.Navigate(base+"/chats"),
		chromedp.WaitVisible(chromedp.ID("chat-mute")),
		chromedp.Click(chromedp.ID("chat-mute")),
		chromedp.WaitVisible(chromedp.CSS(`#chat-mute[aria-pressed="true"]`)),
		chromedp.Navigate(base+"/?view=all"),
		chromedp.WaitVisible(chromedp.ID("ticket-list")),
		waitTransport("websocket"),
		waitJS(`window.rapportChat.muted === true && window.rapportChat.count === 1`),
	); err != nil {
		t.Fatalf("browser: mute: %v", err)
	}
	if r, _ := rings(); r != 0 {
		t.Errorf("the chat already rung rang again on the next page (%d)", r)
	}
	chat("Gift wrapping?")
	if err := chromedp.Do(bctx,
		waitJS(`window.rapportChat.rings === 1`),
		waitJS(`document.getElementById("chat-count").textContent === "2"`),
	); err != nil {
		t.Fatalf("browser: the muted ring: %v", err)
	}
	if _, s := rings(); s != 0 {
		t.Errorf("a muted ring played %d tones", s)
	}
}
