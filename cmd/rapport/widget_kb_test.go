package main

import (
	"context"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/rapport/rapport/internal/agent"
	"github.com/rapport/rapport/internal/chat"
	"github.com/rapport/rapport/internal/i18n"
	"github.com/rapport/rapport/internal/jobs"
	kbase "github.com/rapport/rapport/internal/kb"
	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/store/storetest"
)

// widgetBackends are the databases a widget browser test runs on: SQLite
// always, PostgreSQL when its DSN is set.
var widgetBackends = []struct {
	name string
	dsn  func(t *testing.T) string
}{
	{"sqlite", func(t *testing.T) string { return filepath.Join(t.TempDir(), "widget.db") }},
	{"postgres", func(t *testing.T) string { return storetest.PostgresDSN(t) }},
}

// widgetRig is one `rapport serve` with an online admin, a widget for the
// shop's site, and a browser.
type widgetRig struct {
	t        *testing.T
	db       *store.DB
	base     string // the node
	key      string // the widget's
	site     *httptest.Server
	page     func(w http.ResponseWriter, r *http.Request) // the shop's pages
	alloc    context.Context
	password string
}

const widgetAdmin = "ann@shop.example"

func newWidgetRig(t *testing.T, dsn string, bin string) *widgetRig {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	r := &widgetRig{t: t, db: db, password: "long enough password"}
	agents := agent.New(db, jobs.SystemClock{})
	ann, err := agents.Create(ctx, agent.NewAgent{Email: widgetAdmin, Name: "Ann Agent",
		Role: agent.RoleAdmin, Password: r.password, Languages: []string{"en", "it"}})
	if err != nil {
		t.Fatal(err)
	}
	online := agent.Online
	if _, err := agents.Update(ctx, ann.ID, agent.AgentUpdate{Availability: &online}); err != nil {
		t.Fatal(err)
	}
	r.site = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) { r.page(w, req) }))
	t.Cleanup(r.site.Close)
	wd, err := chat.New(chat.Opts{DB: db}).CreateWidget(ctx, chat.Widget{Name: "Shop help", Origins: []string{r.site.URL}})
	if err != nil {
		t.Fatal(err)
	}
	r.key = wd.Key
	addr := freeAddr(t)
	dir := t.TempDir()
	startServer(t, "--db", dsn, "--addr", addr, "--smtp-addr", "", "--single-node", "--outbox-dir", filepath.Join(dir, "outbox"))
	r.base = "http://" + addr
	waitUp(t, r.base+"/healthz")

	bctx, cancel := context.WithTimeout(ctx, 4*time.Minute)
	t.Cleanup(cancel)
	alloc, cancelAlloc := chromedp.NewExecAllocator(bctx, chromedp.ExecPath(bin), chromedp.Headless, chromedp.NoSandbox,
		chromedp.DisableGPU, chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck, chromedp.Flag("no-proxy-server", true),
		chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(1200, 900))
	t.Cleanup(cancelAlloc)
	r.alloc = alloc
	return r
}

// shop serves the shop's page embedding the widget from script (the node,
// or a proxy in front of it) with the given extra attributes.
func (r *widgetRig) shop(script, attrs string) {
	r.page = func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, `<!doctype html><html><head><title>Shop</title></head>
<body><h1>The shop</h1><script src="%s/widget.js" data-widget="%s" %s async></script></body></html>`, script, r.key, attrs)
	}
}

func (r *widgetRig) step(bc context.Context, what string, actions ...chromedp.Action[chromedp.Void]) {
	r.t.Helper()
	if err := chromedp.Do(bc, actions...); err != nil {
		r.t.Fatalf("%s: %v", what, err)
	}
}

// wait polls a JavaScript condition in bc until it holds.
func (r *widgetRig) wait(bc context.Context, what, cond string) {
	r.t.Helper()
	wctx, cancel := context.WithTimeout(bc, 60*time.Second)
	defer cancel()
	if _, err := chromedp.Run(wctx, chromedp.Poll[bool](cond, chromedp.WithPollingInterval(100*time.Millisecond), chromedp.WithPollingTimeout(60*time.Second))); err != nil {
		r.t.Fatalf("waiting for %s: %v", what, err)
	}
}

func (r *widgetRig) eval(bc context.Context, js string) string {
	r.t.Helper()
	s, err := chromedp.Run(bc, chromedp.Evaluate[string](js))
	if err != nil {
		r.t.Fatalf("evaluate %s: %v", js, err)
	}
	return s
}

// typeIn focuses an element of the widget and types keys into it.
func (r *widgetRig) typeIn(bc context.Context, sel, keys string) {
	r.t.Helper()
	r.eval(bc, shadow+`.querySelector(`+quoteJS(sel)+`).focus(), ""`)
	r.step(bc, "type "+keys, chromedp.KeyEvent(keys))
}

// signIn signs the admin in, in a browser context of its own in the
// browser of parent.
func (r *widgetRig) signIn(parent context.Context) context.Context {
	r.t.Helper()
	ctx, cancel := chromedp.NewContext(parent, chromedp.WithNewBrowserContext())
	r.t.Cleanup(cancel)
	r.step(ctx, "sign in",
		chromedp.Navigate(r.base+"/login"),
		chromedp.WaitVisible(chromedp.ID("email")),
		chromedp.SendKeys(chromedp.ID("email"), widgetAdmin),
		chromedp.SendKeys(chromedp.ID("password"), r.password),
		chromedp.Submit(chromedp.ID("password")),
		chromedp.WaitVisible(chromedp.CSS("nav.menu")),
	)
	return ctx
}

// TestWidgetOffersArticleDeflection: a visitor on an Italian shop page
// types a question in the widget, before any chat; the widget offers the
// help center's Italian article (not the English one, not the internal
// one), labelled for screen readers in Italian; the visitor opens it from
// the keyboard and leaves without starting the chat. Another visitor types
// the question in the pre-chat form, opens the article too, and starts
// the chat with it. The help center's report counts one deflection, by
// the widget, of two articles opened from it.
func TestWidgetOffersArticleDeflection(t *testing.T) {
	bin := chromium(t)
	for _, be := range widgetBackends {
		t.Run(be.name, func(t *testing.T) {
			r := newWidgetRig(t, be.dsn(t), bin)
			ctx := context.Background()
			kbs := kbase.New(kbase.Opts{DB: r.db})
			cat, err := kbs.SaveCategory(ctx, 0, kbase.CategoryInput{Slug: "orders", Names: kbase.Names{"en": "Orders", "it": "Ordini"}})
			if err != nil {
				t.Fatal(err)
			}
			sec, err := kbs.SaveSection(ctx, 0, kbase.SectionInput{CategoryID: cat, Names: kbase.Names{"en": "Returns", "it": "Resi"}})
			if err != nil {
				t.Fatal(err)
			}
			art, err := kbs.CreateArticle(ctx, 0, kbase.ArticleInput{SectionID: sec, Language: "en", Title: "How to return an order",
				Body: "Print the label and send the parcel back within 30 days."})
			if err != nil {
				t.Fatal(err)
			}
			if err := kbs.SaveText(ctx, 0, art.ID, "it", kbase.TextInput{Title: "Come restituire un ordine",
				Body: "Stampa l'etichetta e restituisci il pacco entro 30 giorni."}); err != nil {
				t.Fatal(err)
			}
			staff, err := kbs.CreateArticle(ctx, 0, kbase.ArticleInput{SectionID: sec, Language: "it", Internal: true,
				Title: "Restituire senza etichetta", Body: "Solo per il team."})
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range []struct {
				id   int64
				lang string
			}{{art.ID, "en"}, {art.ID, "it"}, {staff.ID, "it"}} {
				if err := kbs.Publish(ctx, p.id, p.lang); err != nil {
					t.Fatal(err)
				}
			}
			r.shop(r.base, `data-lang="it"`)

			visitor, cancel := chromedp.NewContext(r.alloc)
			defer cancel()
			r.step(visitor, "open the shop's page", chromedp.Navigate(r.site.URL))
			r.wait(visitor, "the widget", `!!document.getElementById("rapport-chat") && !!`+shadow+`.querySelector(".btn[aria-label]")`)
			r.eval(visitor, shadow+`.querySelector(".btn").click(), ""`)
			r.wait(visitor, "the composer", `!`+shadow+`.querySelector("form.composer").hidden`)
			r.typeIn(visitor, "#text", "Come posso restituire")
			r.wait(visitor, "the offered articles", `!`+shadow+`.querySelector(".kb").hidden && `+shadow+`.querySelectorAll(".kb a").length > 0`)
			cat18 := i18n.MustLoad()
			if got := r.eval(visitor, `[...`+shadow+`.querySelectorAll(".kb a")].map(a => a.firstChild.textContent + " @ " + new URL(a.href).pathname).join("; ")`); got != "Come restituire un ordine @ /help/it/articles/"+art.Slug {
				t.Errorf("offered %q, want the Italian article alone", got)
			}
			if got := r.eval(visitor, shadow+`.querySelector(".kb").getAttribute("aria-label") + " | " + `+shadow+`.querySelector(".kb a .sr").textContent`); got != cat18.T("it", "widget.w.articles_label")+" |  "+cat18.T("it", "widget.w.new_tab") {
				t.Errorf("screen-reader labels %q", got)
			}
			// From the keyboard: the link takes the focus and Enter opens it.
			r.eval(visitor, shadow+`.querySelector(".kb a").focus(), ""`)
			r.step(visitor, "open the article", chromedp.KeyEvent(kb.Enter))
			deadline := time.Now().Add(30 * time.Second)
			var opened int
			for opened == 0 && time.Now().Before(deadline) {
				r.db.R.QueryRowContext(ctx, `SELECT count(*) FROM kb_deflections WHERE source = 'widget'`).Scan(&opened)
				if opened == 0 {
					time.Sleep(100 * time.Millisecond)
				}
			}
			if opened != 1 {
				t.Fatalf("the article opened from the widget is recorded %d times, want once", opened)
			}
			// The visitor leaves without starting the chat.
			r.step(visitor, "leave", chromedp.Navigate("about:blank"))
			var tickets int
			r.db.R.QueryRowContext(ctx, `SELECT count(*) FROM tickets`).Scan(&tickets)
			if tickets != 0 {
				t.Errorf("%d tickets: the chat was started", tickets)
			}

			// Another visitor, on a widget with the pre-chat form, types the
			// question there, opens the article, and starts the chat all the
			// same: the question is the chat's first message, and that
			// article did not deflect them.
			pre, err := chat.New(chat.Opts{DB: r.db}).CreateWidget(ctx, chat.Widget{Name: "Shop help", Origins: []string{r.site.URL}, PreChat: true})
			if err != nil {
				t.Fatal(err)
			}
			r.key = pre.Key
			r.shop(r.base, `data-lang="it"`)
			other, cancelOther := chromedp.NewContext(visitor, chromedp.WithNewBrowserContext())
			defer cancelOther()
			r.step(other, "open the shop's page", chromedp.Navigate(r.site.URL))
			r.wait(other, "the widget", `!!document.getElementById("rapport-chat") && !!`+shadow+`.querySelector(".btn[aria-label]")`)
			r.eval(other, shadow+`.querySelector(".btn").click(), ""`)
			r.wait(other, "the pre-chat form", `!`+shadow+`.querySelector("form.pre").hidden`)
			r.typeIn(other, "#pre-name", "Bea")
			r.typeIn(other, "#pre-q", "Devo restituire le scarpe")
			r.wait(other, "the offered articles", `!`+shadow+`.querySelector(".kb").hidden && `+shadow+`.querySelectorAll(".kb a").length > 0`)
			r.eval(other, shadow+`.querySelector(".kb a").click(), ""`)
			for opened < 2 && time.Now().Before(deadline.Add(30*time.Second)) {
				r.db.R.QueryRowContext(ctx, `SELECT count(*) FROM kb_deflections WHERE source = 'widget'`).Scan(&opened)
				time.Sleep(100 * time.Millisecond)
			}
			r.eval(other, shadow+`.querySelector("form.pre button[type=submit]").click(), ""`)
			r.wait(other, "the question sent as the first message", shadow+`.querySelector(".m.visitor .st") && `+shadow+`.querySelector(".m.visitor").textContent.includes("Devo restituire le scarpe")`+
				` && `+shadow+`.querySelector(".m.visitor .st").textContent === `+quoteJS(cat18.T("it", "widget.w.delivered")))
			if hidden := r.eval(other, `String(`+shadow+`.querySelector(".kb").hidden)`); hidden != "true" {
				t.Error("the articles are still offered once the chat started")
			}

			rep, err := kbs.Report(ctx, 30)
			if err != nil {
				t.Fatal(err)
			}
			if rep.WidgetOpened != 2 || rep.Deflections != 1 || rep.WidgetDeflections != 1 || rep.ContactOpened() != 0 {
				t.Errorf("report: %d opened from the widget, %d deflections, %d by the widget, %d opened from the contact form; want 2, 1, 1, 0",
					rep.WidgetOpened, rep.Deflections, rep.WidgetDeflections, rep.ContactOpened())
			}
			manager := r.signIn(visitor)
			r.step(manager, "the help center's report", chromedp.Navigate(r.base+"/kb/report"), chromedp.WaitVisible(chromedp.ID("kb-kpis")))
			if got := r.eval(manager, `document.getElementById("kb-deflections").textContent + " " + document.getElementById("kb-widget-deflections").textContent`); got != "1 1 / 2" {
				t.Errorf("/kb/report shows deflections %q, want 1, and 1 of 2 opened from the widget", got)
			}
		})
	}
}

// gate is a proxy in front of the node, as the visitor's network is: it
// can be cut (every request refused, those under way broken off) and put
// back; and it can behave as a proxy that refuses WebSockets and holds
// event streams back.
type gate struct {
	mu     sync.Mutex
	down   bool
	buffer bool
	ctx    context.Context
	cancel context.CancelFunc
	rp     *httputil.ReverseProxy
}

func newGate(target string, buffer bool) *gate {
	u, _ := url.Parse(target)
	g := &gate{buffer: buffer, rp: &httputil.ReverseProxy{Rewrite: func(pr *httputil.ProxyRequest) { pr.SetURL(u) }, FlushInterval: -1,
		ErrorLog: log.New(io.Discard, "", 0)}} // a cut connection is the point, not news
	g.ctx, g.cancel = context.WithCancel(context.Background())
	return g
}

func (g *gate) set(down bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.down = down
	if down {
		g.cancel()
		g.ctx, g.cancel = context.WithCancel(context.Background())
	}
}

func (g *gate) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	g.mu.Lock()
	down, ctx := g.down, g.ctx
	g.mu.Unlock()
	if down {
		http.Error(w, "cut", http.StatusBadGateway)
		return
	}
	if g.buffer && strings.EqualFold(r.Header.Get("Upgrade"), "websocket") {
		http.Error(w, "no websockets here", http.StatusForbidden)
		return
	}
	if g.buffer && strings.Contains(r.Header.Get("Accept"), "text/event-stream") {
		<-r.Context().Done() // held back until the client gives up
		return
	}
	rctx, cancel := context.WithCancel(r.Context())
	defer cancel()
	stop := context.AfterFunc(ctx, cancel)
	defer stop()
	g.rp.ServeHTTP(w, r.WithContext(rctx))
}

// TestWidgetLongPollLosesNothing: a widget told to long-poll
// (data-transport="poll") exchanges messages both ways with an agent; the
// visitor's network is cut while the agent answers and the visitor writes,
// and when it is back, the reply arrives once and the visitor's message
// is stored once. A widget left to choose, behind a proxy that refuses
// WebSockets and holds event streams back, ends up long-polling and
// receives the agent's reply.
func TestWidgetLongPollLosesNothing(t *testing.T) {
	bin := chromium(t)
	for _, be := range widgetBackends {
		t.Run(be.name, func(t *testing.T) {
			r := newWidgetRig(t, be.dsn(t), bin)
			ctx := context.Background()
			cat := i18n.MustLoad()
			g := newGate(r.base, false)
			proxy := httptest.NewServer(g)
			defer proxy.Close()
			r.shop(proxy.URL, `data-lang="en" data-transport="poll"`)

			visitor, cancel := chromedp.NewContext(r.alloc)
			defer cancel()
			r.step(visitor, "open the shop's page", chromedp.Navigate(r.site.URL))
			r.wait(visitor, "the widget", `!!document.getElementById("rapport-chat") && !!`+shadow+`.querySelector(".btn[aria-label]")`)
			r.eval(visitor, shadow+`.querySelector(".btn").click(), ""`)
			r.wait(visitor, "the composer", `!`+shadow+`.querySelector("form.composer").hidden`)
			r.typeIn(visitor, "#text", "Hello from behind a proxy\r")
			r.wait(visitor, "the first message delivered", shadow+`.querySelector(".m.visitor .st") && `+shadow+`.querySelector(".m.visitor .st").textContent === "Delivered"`)
			r.wait(visitor, "long-polling", `window.RapportChat.transport() === "poll"`)
			var ticketID int64
			if err := r.db.R.QueryRowContext(ctx, `SELECT id FROM tickets WHERE channel = 'chat'`).Scan(&ticketID); err != nil {
				t.Fatalf("the chat's ticket: %v", err)
			}

			agentCtx := r.signIn(visitor)
			r.step(agentCtx, "open the chat", chromedp.Navigate(fmt.Sprintf("%s/tickets/%d", r.base, ticketID)), chromedp.WaitVisible(chromedp.ID("reply-body")))
			r.wait(agentCtx, "the live connection", `window.rapportLive && window.rapportLive.transport() !== ""`)
			reply := func(text string) {
				t.Helper()
				r.step(agentCtx, "reply "+text,
					chromedp.SendKeys(chromedp.ID("reply-body"), text),
					chromedp.Click(chromedp.ID("reply-send")),
					chromedp.WaitVisible(chromedp.CSS("p.flash")),
				)
			}
			reply("Hello! How can I help?")
			r.wait(visitor, "the agent's reply", shadow+`.querySelector(".m.agent") && `+shadow+`.querySelector(".m.agent").textContent.includes("How can I help?")`)
			r.typeIn(visitor, "#text", "My parcel is late.\r")
			r.wait(agentCtx, "the visitor's second message, live", `document.querySelector(".thread").textContent.includes("My parcel is late.")`)

			// The network is cut: the widget notices, the agent answers and
			// the visitor writes meanwhile; then the network is back.
			g.set(true)
			r.wait(visitor, "the widget reconnecting", shadow+`.querySelector(".typing").textContent === `+quoteJS(cat.T("en", "widget.w.reconnecting")))
			reply("It arrives tomorrow.")
			r.typeIn(visitor, "#text", "Will it need a signature?\r")
			r.wait(visitor, "the message waiting to be sent", shadow+`.querySelector(".m.visitor:last-of-type .st").textContent === `+quoteJS(cat.T("en", "widget.w.failed")))
			g.set(false)
			r.wait(visitor, "the reply sent while away", shadow+`.querySelector(".log").textContent.includes("It arrives tomorrow.")`)
			r.wait(visitor, "the waiting message delivered", `[...`+shadow+`.querySelectorAll(".m.visitor .st")].every(s => s.textContent === "Delivered" || s.textContent === "Read")`)
			r.wait(agentCtx, "the waiting message on the agent's page", `document.querySelector(".thread").textContent.includes("Will it need a signature?")`)
			var stored int
			r.db.R.QueryRowContext(ctx, `SELECT count(*) FROM messages WHERE ticket_id = $1 AND body_text = 'Will it need a signature?'`, ticketID).Scan(&stored)
			if stored != 1 {
				t.Errorf("the message sent across the cut is stored %d times, want once", stored)
			}
			for _, text := range []string{"How can I help?", "It arrives tomorrow."} {
				if n := r.eval(visitor, `String([...`+shadow+`.querySelectorAll(".m.agent")].filter(m => m.textContent.includes(`+quoteJS(text)+`)).length)`); n != "1" {
					t.Errorf("the reply %q shows %s times in the widget, want once", text, n)
				}
			}
			if got := r.eval(visitor, `window.RapportChat.transport()`); got != "poll" {
				t.Errorf("after the cut the widget uses %q, want poll", got)
			}

			// Left to choose, behind a proxy that refuses WebSockets and
			// holds event streams back, the widget ends up long-polling.
			buffering := httptest.NewServer(newGate(r.base, true))
			defer buffering.Close()
			r.shop(buffering.URL, `data-lang="en"`)
			second, cancel2 := chromedp.NewContext(visitor, chromedp.WithNewBrowserContext())
			defer cancel2()
			r.step(second, "open the shop's page", chromedp.Navigate(r.site.URL))
			r.wait(second, "the widget", `!!document.getElementById("rapport-chat") && !!`+shadow+`.querySelector(".btn[aria-label]")`)
			r.eval(second, shadow+`.querySelector(".btn").click(), ""`)
			r.wait(second, "the composer", `!`+shadow+`.querySelector("form.composer").hidden`)
			r.typeIn(second, "#text", "Is anybody there?\r")
			r.wait(second, "long-polling after the other two failed", `window.RapportChat.transport() === "poll"`)
			var second2 int64
			if err := r.db.R.QueryRowContext(ctx, `SELECT id FROM tickets WHERE channel = 'chat' AND id <> $1`, ticketID).Scan(&second2); err != nil {
				t.Fatalf("the second chat's ticket: %v", err)
			}
			r.step(agentCtx, "open the second chat", chromedp.Navigate(fmt.Sprintf("%s/tickets/%d", r.base, second2)), chromedp.WaitVisible(chromedp.ID("reply-body")))
			reply("Yes, I am here.")
			r.wait(second, "the reply, long-polled", shadow+`.querySelector(".m.agent") && `+shadow+`.querySelector(".m.agent").textContent.includes("Yes, I am here.")`)
		})
	}
}
