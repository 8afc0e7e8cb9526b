package main

import (
	"context"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/rapport/rapport/internal/i18n"
)

// TestWidgetFiveLanguagesAndAdminSnippet: an admin adds a widget on
// /admin/widget and gets the one tag to paste; the widget, on the demo
// page, speaks each of the five languages (data-lang), labels its controls
// for screen readers in that language, and works from the keyboard: Enter
// on the button opens it with the focus in its first field, Escape closes
// it and gives the focus back to the button.
func TestWidgetFiveLanguagesAndAdminSnippet(t *testing.T) {
	bin := chromium(t)
	dir := t.TempDir()
	db := filepath.Join(dir, "widget.db")
	const password = "a long enough password"
	if _, _, err := runCmd(t, password+"\n", "user", "add", "--db", db, "--email", "mia@example.com", "--name", "Mia", "--role", "admin"); err != nil {
		t.Fatal(err)
	}
	addr := freeAddr(t)
	startServer(t, "--db", db, "--addr", addr, "--smtp-addr", "", "--outbox-dir", filepath.Join(dir, "outbox"))
	base := "http://" + addr
	waitUp(t, base+"/healthz")

	bctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	alloc, cancelAlloc := chromedp.NewExecAllocator(bctx, chromedp.ExecPath(bin), chromedp.Headless, chromedp.NoSandbox,
		chromedp.DisableGPU, chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck, chromedp.Flag("no-proxy-server", true),
		chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(1200, 900))
	defer cancelAlloc()
	b, cancelB := chromedp.NewContext(alloc)
	defer cancelB()
	err := chromedp.Do(b,
		chromedp.Navigate(base+"/login"),
		chromedp.WaitVisible(chromedp.ID("email")),
		chromedp.SendKeys(chromedp.ID("email"), "mia@example.com"),
		chromedp.SendKeys(chromedp.ID("password"), password),
		chromedp.Submit(chromedp.ID("password")),
		chromedp.WaitVisible(chromedp.ID("nav-widget")),
		chromedp.Click(chromedp.ID("nav-widget")),
		chromedp.WaitVisible(chromedp.ID("widget-new-name")),
		chromedp.SendKeys(chromedp.ID("widget-new-name"), "Shop help"),
		chromedp.SendKeys(chromedp.ID("widget-new-origins"), "https://shop.example"),
		chromedp.Click(chromedp.ID("widget-create")),
		chromedp.WaitVisible(chromedp.CSS("p.flash")),
	)
	if err != nil {
		t.Fatalf("add a widget on /admin/widget: %v", err)
	}
	snippet, err := chromedp.Run(b, chromedp.Text(chromedp.CSS("pre.snippet code")))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`^<script src="` + regexp.QuoteMeta(base) + `/widget.js" data-widget="(w[a-z0-9]+)" async></script>$`).FindStringSubmatch(snippet)
	if m == nil {
		t.Fatalf("the admin page's snippet is %q", snippet)
	}

	// Nobody is online yet: the widget says so and offers an email instead.
	err = chromedp.Do(b, chromedp.Navigate(base+"/widget/demo?widget="+m[1]+"&lang=en"))
	if err == nil {
		_, err = chromedp.Run(b, chromedp.Poll[bool](`!!document.getElementById("rapport-chat") && !`+shadow+`.querySelector("form.offline").hidden`))
	}
	if err != nil {
		t.Fatalf("the widget while nobody is online: %v", err)
	}
	cat := i18n.MustLoad()
	if note, _ := chromedp.Run(b, chromedp.Evaluate[string](shadow+`.querySelector("form.offline p").textContent`)); note != cat.T("en", "widget.w.nobody") {
		t.Errorf("while nobody is online the widget says %q", note)
	}
	// Mia comes online.
	err = chromedp.Do(b,
		chromedp.Navigate(base+"/preferences"),
		chromedp.WaitVisible(chromedp.ID("pref-avail")),
		chromedp.SetValue(chromedp.ID("pref-avail"), "online"),
		chromedp.Submit(chromedp.ID("pref-avail")),
		chromedp.WaitVisible(chromedp.CSS("p.flash")),
	)
	if err != nil {
		t.Fatalf("come online: %v", err)
	}

	for _, lang := range []string{"en", "it", "ru", "lv", "ca"} {
		t.Run(lang, func(t *testing.T) {
			eval := func(js string) string {
				t.Helper()
				s, err := chromedp.Run(b, chromedp.Evaluate[string](js))
				if err != nil {
					t.Fatalf("%s: %v", js, err)
				}
				return s
			}
			wctx, cancel := context.WithTimeout(b, 30*time.Second)
			defer cancel()
			if err := chromedp.Do(wctx, chromedp.Navigate(base+"/widget/demo?widget="+m[1]+"&lang="+lang)); err != nil {
				t.Fatal(err)
			}
			if _, err := chromedp.Run(wctx, chromedp.Poll[bool](`!!document.getElementById("rapport-chat") && !!`+shadow+`.querySelector(".btn[aria-label]")`)); err != nil {
				t.Fatalf("the widget did not appear: %v", err)
			}
			checks := map[string]string{
				`.btn").getAttribute("aria-label`:          cat.T(lang, "widget.w.open"),
				`header button").getAttribute("aria-label`: cat.T(lang, "widget.w.close"),
				`.panel").getAttribute("lang`:              lang,
				`form.pre p").textContent + ("`:            cat.T(lang, "widget.w.prechat_intro"),
				`label[for=pre-email]").textContent + ("`:  cat.T(lang, "widget.w.email"),
				`#text").getAttribute("placeholder`:        cat.T(lang, "widget.w.placeholder"),
				`form.pre button").textContent + ("`:       cat.T(lang, "widget.w.start"),
				`label[for=pre-q]").textContent + ("`:      cat.T(lang, "widget.w.question"),
				`.kb").getAttribute("aria-label`:           cat.T(lang, "widget.w.articles_label"),
				`.kb p").textContent + ("`:                 cat.T(lang, "widget.w.articles"),
			}
			for sel, want := range checks {
				if got := eval(shadow + `.querySelector("` + sel + `")`); got != want {
					t.Errorf("%s: %q, want %q", sel, got, want)
				}
			}
			// The keyboard alone: focus the button, Enter, Escape.
			eval(shadow + `.querySelector(".btn").focus(), ""`)
			if err := chromedp.Do(wctx, chromedp.KeyEvent(kb.Enter)); err != nil {
				t.Fatal(err)
			}
			if got := eval(shadow + `.activeElement ? ` + shadow + `.activeElement.id : ""`); got != "pre-name" {
				t.Errorf("after Enter on the button the focus is on %q, want the name field", got)
			}
			if err := chromedp.Do(wctx, chromedp.KeyEvent(kb.Escape)); err != nil {
				t.Fatal(err)
			}
			if got := eval(`String(` + shadow + `.querySelector(".panel").hidden) + " " + ` + shadow + `.activeElement.className`); got != "true btn" {
				t.Errorf("after Escape: hidden and focus %q, want the panel hidden and the focus on the button", got)
			}
		})
	}
}
