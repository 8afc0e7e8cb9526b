package web

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/rapport/rapport/internal/kb"
	"github.com/rapport/rapport/internal/store/storetest"
)

// seedHelp writes a small help center: one category and section, an
// article in Italian and English about returns, and one in English only
// about passwords; all published. It returns the returns article.
func seedHelp(t testing.TB, f *fixture) kb.Article {
	t.Helper()
	ctx := context.Background()
	cat, err := f.kb.SaveCategory(ctx, 0, kb.CategoryInput{Slug: "ordini", Names: kb.Names{"en": "Orders", "it": "Ordini"}})
	if err != nil {
		t.Fatal(err)
	}
	sec, err := f.kb.SaveSection(ctx, 0, kb.SectionInput{CategoryID: cat, Names: kb.Names{"en": "Returns", "it": "Resi"}})
	if err != nil {
		t.Fatal(err)
	}
	a, err := f.kb.CreateArticle(ctx, 0, kb.ArticleInput{SectionID: sec, Language: "it", Title: "Come restituire un ordine",
		Body: "Per il **reso** stampa l'etichetta dalla mail di conferma e consegna il pacco entro 30 giorni.\n\n<script>alert(1)</script>"})
	if err != nil {
		t.Fatal(err)
	}
	if err := f.kb.SaveText(ctx, 0, a.ID, "en", kb.TextInput{Title: "How to return an order", Body: "Print the **label** from your confirmation email and drop the parcel off within 30 days."}); err != nil {
		t.Fatal(err)
	}
	pw, err := f.kb.CreateArticle(ctx, 0, kb.ArticleInput{SectionID: sec, Language: "en", Title: "Change your password", Body: "Open your account settings."})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []struct {
		id   int64
		lang string
	}{{a.ID, "it"}, {a.ID, "en"}, {pw.ID, "en"}} {
		if err := f.kb.Publish(ctx, p.id, p.lang); err != nil {
			t.Fatal(err)
		}
	}
	a, err = f.kb.Article(ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// TestBrowserHelpCenterItalian is issue 16's first Done-when: a visitor
// searches the help center in Italian, finds and opens an article, votes;
// on the contact form, typing a subject offers that article.
func TestBrowserHelpCenterItalian(t *testing.T) {
	f := newFixture(t, storetest.SQLite(t))
	a := seedHelp(t, f)
	bctx := newBrowser(t, 45*time.Second, 390, 844) // a phone

	err := chromedp.Do(bctx,
		chromedp.Navigate(f.srv.URL+"/help/it"),
		chromedp.WaitVisible(chromedp.ID("help-q")),
		chromedp.SendKeys(chromedp.ID("help-q"), "etichet reso"),
		chromedp.Click(chromedp.ID("help-search-go")),
		chromedp.WaitVisible(chromedp.ID("help-results")),
	)
	if err != nil {
		t.Fatalf("browser: search: %v", err)
	}
	results, err := chromedp.Run(bctx, chromedp.Text(chromedp.ID("help-results")))
	if err != nil {
		t.Fatalf("browser: read results: %v", err)
	}
	if !strings.Contains(results, "Come restituire un ordine") || strings.Contains(results, "How to return") {
		t.Errorf("results %q, want the Italian article only", results)
	}
	err = chromedp.Do(bctx,
		chromedp.Click(chromedp.CSS("#help-results a")),
		chromedp.WaitVisible(chromedp.ID("article")),
	)
	if err != nil {
		t.Fatalf("browser: open: %v", err)
	}
	title, err := chromedp.Run(bctx, chromedp.Text(chromedp.CSS("#article h1")))
	if err != nil {
		t.Fatal(err)
	}
	body, err := chromedp.Run(bctx, chromedp.Text(chromedp.CSS("#article .help-body")))
	if err != nil {
		t.Fatal(err)
	}
	err = chromedp.Do(bctx,
		chromedp.SendKeys(chromedp.ID("vote-comment"), "Chiaro, grazie"),
		chromedp.Click(chromedp.ID("vote-yes")),
		chromedp.WaitVisible(chromedp.ID("vote-thanks")),
	)
	if err != nil {
		t.Fatalf("browser: open and vote: %v", err)
	}
	if title != "Come restituire un ordine" || !strings.Contains(body, "stampa l'etichetta") || strings.Contains(body, "alert(1)") {
		t.Errorf("article %q: %q", title, body)
	}
	full, err := f.kb.Article(context.Background(), a.ID)
	if err != nil {
		t.Fatal(err)
	}
	it, _ := full.In("it")
	if it.Yes != 1 || it.Views != 1 {
		t.Errorf("italian translation: %d yes, %d views; want 1 and 1", it.Yes, it.Views)
	}

	err = chromedp.Do(bctx,
		chromedp.Navigate(f.srv.URL+"/contact?lang=it"),
		chromedp.WaitVisible(chromedp.ID("contact-subject")),
		chromedp.SendKeys(chromedp.ID("contact-subject"), "Reso del pacco"),
		chromedp.WaitVisible(chromedp.CSS("#kb-suggest a")),
	)
	if err != nil {
		t.Fatalf("browser: contact suggestions: %v", err)
	}
	offered, err := chromedp.Run(bctx, chromedp.Text(chromedp.ID("kb-suggest")))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(offered, "Come restituire un ordine") {
		t.Errorf("contact form offers %q", offered)
	}
	attr, err := chromedp.Run(bctx, chromedp.AttributeValue(chromedp.CSS("#kb-suggest a"), "href"))
	if err != nil || !strings.Contains(attr.Value, "/help/it/articles/"+a.Slug+"?from=contact") {
		t.Errorf("suggestion links to %+v (%v)", attr, err)
	}
}
