package main

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/rapport/rapport/internal/agent"
	"github.com/rapport/rapport/internal/chat"
	"github.com/rapport/rapport/internal/jobs"
	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/store/storetest"
)

// chromium returns the path of Chromium, or skips the test (fails it when
// RAPPORT_TEST_REQUIRE_BROWSER=1, as in CI).
func chromium(t *testing.T) string {
	t.Helper()
	for _, p := range []string{"/usr/bin/chromium", "/usr/bin/chromium-browser"} {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("RAPPORT_TEST_REQUIRE_BROWSER") == "1" {
		t.Fatal("no Chromium, and RAPPORT_TEST_REQUIRE_BROWSER=1")
	}
	t.Skip("no Chromium installed")
	return ""
}

// shadow is a JavaScript expression of the widget's shadow root.
const shadow = `document.getElementById("rapport-chat").shadowRoot`

// TestWidgetChatAcrossTwoNodes is live chat as a visitor and an agent live
// it, on two `rapport serve` processes over one PostgreSQL: the visitor on
// a plain page of another site that embeds the widget from node A, the
// agent signed in on node B, in two separate browser contexts. They
// exchange messages both ways, each sees the other typing (the agent never
// sees the unsent words), node A stops and comes back and nothing is lost
// or doubled, and the chat, ended by the agent, is rated in the widget; the
// rating shows on the dashboard.
func TestWidgetChatAcrossTwoNodes(t *testing.T) {
	dsn := storetest.PostgresDSN(t)
	bin := chromium(t)
	ctx := context.Background()
	db, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	const password = "long enough password"
	agents := agent.New(db, jobs.SystemClock{})
	ann, err := agents.Create(ctx, agent.NewAgent{Email: "ann@shop.example", Name: "Ann Agent",
		Role: agent.RoleAdmin, Password: password, Languages: []string{"en"}})
	if err != nil {
		t.Fatal(err)
	}
	online := agent.Online // someone is there to chat
	if _, err := agents.Update(ctx, ann.ID, agent.AgentUpdate{Availability: &online}); err != nil {
		t.Fatal(err)
	}

	// The business's own site: a plain page with the one tag, on another
	// origin than either node.
	addrA, addrB := freeAddr(t), freeAddr(t)
	var key string
	site := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, `<!doctype html><html><head><title>Shop</title><style>div,button{color:red!important}</style></head>
<body><h1>The shop</h1><script src="http://%s/widget.js" data-widget="%s" data-lang="en" async></script></body></html>`, addrA, key)
	}))
	defer site.Close()
	wd, err := chat.New(chat.Opts{DB: db}).CreateWidget(ctx, chat.Widget{Name: "Shop help", Origins: []string{site.URL}, PreChat: true})
	if err != nil {
		t.Fatal(err)
	}
	key = wd.Key

	dir := t.TempDir()
	serve := func(addr, name string) *exec.Cmd {
		return startServer(t, "--db", dsn, "--addr", addr, "--smtp-addr", "", "--outbox-dir", filepath.Join(dir, name))
	}
	nodeA := serve(addrA, "a")
	serve(addrB, "b")
	waitUp(t, "http://"+addrA+"/readyz")
	waitUp(t, "http://"+addrB+"/readyz")

	bctx, cancel := context.WithTimeout(ctx, 4*time.Minute)
	defer cancel()
	alloc, cancelAlloc := chromedp.NewExecAllocator(bctx, chromedp.ExecPath(bin), chromedp.Headless, chromedp.NoSandbox,
		chromedp.DisableGPU, chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck, chromedp.Flag("no-proxy-server", true),
		chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(1200, 900))
	defer cancelAlloc()
	visitor, cancelVisitor := chromedp.NewContext(alloc)
	defer cancelVisitor()
	step := func(bc context.Context, what string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(bc, actions...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	// wait polls a JavaScript condition in bc until it holds.
	wait := func(bc context.Context, what, cond string) {
		t.Helper()
		wctx, cancel := context.WithTimeout(bc, 40*time.Second)
		defer cancel()
		if _, err := chromedp.Run(wctx, chromedp.Poll[bool](cond, chromedp.WithPollingInterval(100*time.Millisecond), chromedp.WithPollingTimeout(40*time.Second))); err != nil {
			t.Fatalf("waiting for %s: %v", what, err)
		}
	}
	eval := func(bc context.Context, js string) string {
		t.Helper()
		s, err := chromedp.Run(bc, chromedp.Evaluate[string](js))
		if err != nil {
			t.Fatalf("evaluate %s: %v", js, err)
		}
		return s
	}
	// typeIn focuses an element of the widget and types keys into it.
	typeIn := func(sel, keys string) {
		t.Helper()
		eval(visitor, shadow+`.querySelector(`+quoteJS(sel)+`).focus(), ""`)
		step(visitor, "type "+keys, chromedp.KeyEvent(keys))
	}

	// The visitor opens the chat on the shop's page and fills the pre-chat form.
	step(visitor, "open the shop's page", chromedp.Navigate(site.URL))
	wait(visitor, "the widget", `!!document.getElementById("rapport-chat") && !!`+shadow+`.querySelector(".btn[aria-label]")`)
	if label := eval(visitor, shadow+`.querySelector(".btn").getAttribute("aria-label")`); label != "Open the chat" {
		t.Errorf("the launcher's label is %q", label)
	}
	// The page's CSS does not reach into the widget.
	if c := eval(visitor, `getComputedStyle(`+shadow+`.querySelector(".btn")).color`); c == "rgb(255, 0, 0)" {
		t.Error("the host page's CSS colours the widget's button")
	}
	eval(visitor, shadow+`.querySelector(".btn").click(), ""`)
	typeIn("#pre-name", "Vera Visitor")
	typeIn("#pre-email", "vera@example.com")
	eval(visitor, shadow+`.querySelector("form.pre button").click(), ""`)
	wait(visitor, "the composer", `!`+shadow+`.querySelector("form.composer").hidden`)
	typeIn("#text", "Hello, is my order on its way?\r")
	wait(visitor, "the first message delivered", shadow+`.querySelector(".m.visitor .st") && `+shadow+`.querySelector(".m.visitor .st").textContent === "Delivered"`)

	var ticketID int64
	if err := db.R.QueryRowContext(ctx, `SELECT id FROM tickets WHERE channel = 'chat'`).Scan(&ticketID); err != nil {
		t.Fatalf("the chat's ticket: %v", err)
	}

	// The agent, in a browser context of their own, on node B.
	agentCtx, cancelAgent := chromedp.NewContext(visitor, chromedp.WithNewBrowserContext())
	defer cancelAgent()
	baseB := "http://" + addrB
	step(agentCtx, "sign in on node B",
		chromedp.Navigate(baseB+"/login"),
		chromedp.WaitVisible(chromedp.ID("email")),
		chromedp.SendKeys(chromedp.ID("email"), "ann@shop.example"),
		chromedp.SendKeys(chromedp.ID("password"), password),
		chromedp.Submit(chromedp.ID("password")),
		chromedp.WaitVisible(chromedp.CSS("nav.menu")),
		chromedp.Navigate(fmt.Sprintf("%s/tickets/%d", baseB, ticketID)),
		chromedp.WaitVisible(chromedp.ID("reply-body")),
	)
	wait(agentCtx, "the visitor's message on the ticket page", `document.querySelector(".thread").textContent.includes("is my order on its way?")`)
	wait(agentCtx, "the live connection", `window.rapportLive && window.rapportLive.transport() !== ""`)

	// Typing, both ways; the agent sees that the visitor types, not what.
	typeIn("#text", "I ordered on Mon")
	wait(agentCtx, "the visitor typing", `document.getElementById("chat-state").textContent === "The visitor is typing…"`)
	if strings.Contains(eval(agentCtx, `document.body.innerText`), "I ordered on Mon") {
		t.Error("the agent sees the visitor's unsent words")
	}
	step(agentCtx, "type a reply", chromedp.SendKeys(chromedp.ID("reply-body"), "Let me look"))
	wait(visitor, "the agent typing", shadow+`.querySelector(".typing").textContent === "The agent is typing…"`)
	step(agentCtx, "send the reply",
		chromedp.SendKeys(chromedp.ID("reply-body"), ": it left our warehouse this morning."),
		chromedp.Click(chromedp.ID("reply-send")),
		chromedp.WaitVisible(chromedp.CSS("p.flash")),
	)
	wait(visitor, "the agent's reply", shadow+`.querySelector(".m.agent") && `+shadow+`.querySelector(".m.agent").textContent.includes("it left our warehouse")`)
	if who := eval(visitor, shadow+`.querySelector(".m.agent .who").textContent`); who != "AAAnn Agent" {
		t.Errorf("the reply shows %q, want the agent's initials AA and name", who)
	}
	// The visitor's words arrive on the agent's open page without a reload.
	eval(agentCtx, `window.notReloaded = true, ""`)
	typeIn("#text", "day.\r")
	wait(agentCtx, "the visitor's second message, live", `document.querySelector(".thread").textContent.includes("I ordered on Monday.")`)
	if eval(agentCtx, `String(window.notReloaded === true)`) != "true" {
		t.Error("the agent's page was reloaded")
	}
	// The agent has seen it: the visitor's messages read "Read".
	wait(visitor, "read receipts", `[...`+shadow+`.querySelectorAll(".m.visitor .st")].every(s => s.textContent === "Read")`)

	// Node A, which serves the visitor, stops. Meanwhile the agent answers
	// on node B and the visitor writes; node A comes back on its address,
	// the widget reconnects and resumes from the last message it saw.
	if err := nodeA.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	nodeA.Wait()
	step(agentCtx, "reply while node A is down",
		chromedp.SendKeys(chromedp.ID("reply-body"), "It arrives tomorrow before noon."),
		chromedp.Click(chromedp.ID("reply-send")),
		chromedp.WaitVisible(chromedp.CSS("p.flash")),
	)
	typeIn("#text", "Thanks! Will it need a signature?\r")
	wait(visitor, "the message waiting to be sent", shadow+`.querySelector(".m.visitor:last-of-type .st").textContent === "Not sent yet; it will be sent when the connection is back."`)
	serve(addrA, "a2")
	waitUp(t, "http://"+addrA+"/readyz")
	wait(visitor, "the reply sent while away", shadow+`.querySelector(".log").textContent.includes("arrives tomorrow before noon")`)
	wait(visitor, "the waiting message delivered", `[...`+shadow+`.querySelectorAll(".m.visitor .st")].every(s => s.textContent !== "Sending…" && !s.textContent.startsWith("Not sent"))`)
	wait(agentCtx, "the waiting message on the agent's page", `document.querySelector(".thread").textContent.includes("Will it need a signature?")`)
	var stored, shown int
	db.R.QueryRowContext(ctx, `SELECT count(*) FROM messages WHERE ticket_id = $1 AND body_text = 'Thanks! Will it need a signature?'`, ticketID).Scan(&stored)
	if stored != 1 {
		t.Errorf("the message sent across the outage is stored %d times, want once", stored)
	}
	fmt.Sscan(eval(visitor, `String([...`+shadow+`.querySelectorAll(".m.agent")].filter(m => m.textContent.includes("arrives tomorrow")).length)`), &shown)
	if shown != 1 {
		t.Errorf("the reply sent while away shows %d times in the widget, want once", shown)
	}

	// The agent ends the chat (solves the ticket with a last reply); the
	// widget asks its one question, and the answer counts on the dashboard.
	step(agentCtx, "end the chat",
		chromedp.SendKeys(chromedp.ID("reply-body"), "No signature needed. Have a good day!"),
		chromedp.SetValue(chromedp.ID("reply-status"), "solved"),
		chromedp.Click(chromedp.ID("reply-send")),
		chromedp.WaitVisible(chromedp.CSS("p.flash")),
	)
	wait(visitor, "the rating form", `!`+shadow+`.querySelector("form.rating").hidden`)
	eval(visitor, shadow+`.querySelector('.stars button[data-score="5"]').click(), ""`)
	typeIn("#comment", "Quick and kind.")
	eval(visitor, shadow+`.querySelector("form.rating button[type=submit]").click(), ""`)
	wait(visitor, "the thanks", shadow+`.querySelector(".log").textContent.includes("Thank you for your rating!")`)
	var csat int
	var comment string
	if err := db.R.QueryRowContext(ctx, `SELECT csat, comment FROM surveys WHERE ticket_id = $1`, ticketID).Scan(&csat, &comment); err != nil || csat != 5 || comment != "Quick and kind." {
		t.Fatalf("the chat's survey: csat %d, comment %q, err %v", csat, comment, err)
	}
	step(agentCtx, "open the dashboard", chromedp.Navigate(baseB+"/dashboard"), chromedp.WaitVisible(chromedp.ID("kpis")))
	if page := eval(agentCtx, `document.body.innerText`); !strings.Contains(page, "CSAT answers, 1–5 · 1 answer") {
		t.Errorf("the dashboard does not count the chat's rating:\n%s", page)
	}
}

// quoteJS quotes s as a JavaScript string.
func quoteJS(s string) string {
	return "'" + strings.ReplaceAll(strings.ReplaceAll(s, `\`, `\\`), "'", `\'`) + "'"
}
