package kb_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/rapport/rapport/internal/jobs"
	"github.com/rapport/rapport/internal/kb"
	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/store/storetest"
)

// setup makes a knowledge base with one category and section.
func setup(t *testing.T, db *store.DB) (*kb.Service, int64, *jobs.FakeClock) {
	t.Helper()
	clock := jobs.NewFakeClock(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))
	s := kb.New(kb.Opts{DB: db, Clock: clock})
	ctx := context.Background()
	cat, err := s.SaveCategory(ctx, 0, kb.CategoryInput{Slug: "orders", Names: kb.Names{"en": "Orders", "it": "Ordini"}})
	if err != nil {
		t.Fatal(err)
	}
	sec, err := s.SaveSection(ctx, 0, kb.SectionInput{CategoryID: cat, Names: kb.Names{"en": "Delivery"}})
	if err != nil {
		t.Fatal(err)
	}
	return s, sec, clock
}

// article makes an article with the given translations (language →
// title, body) and publishes them.
func article(t *testing.T, s *kb.Service, sec int64, internal bool, texts map[string][2]string, order ...string) kb.Article {
	t.Helper()
	ctx := context.Background()
	var a kb.Article
	for i, lang := range order {
		tx := texts[lang]
		var err error
		if i == 0 {
			a, err = s.CreateArticle(ctx, 0, kb.ArticleInput{SectionID: sec, Internal: internal, Language: lang, Title: tx[0], Body: tx[1]})
		} else {
			err = s.SaveText(ctx, 0, a.ID, lang, kb.TextInput{Title: tx[0], Body: tx[1]})
		}
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Publish(ctx, a.ID, lang); err != nil {
			t.Fatal(err)
		}
	}
	a, err := s.Article(ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func TestTranslationsAndDrafts(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s, sec, _ := setup(t, db)
		a := article(t, s, sec, false, map[string][2]string{
			"en": {"Track your parcel", "Open the **tracking link** in your confirmation email."},
			"it": {"Segui il tuo pacco", "Apri il **link di tracciamento** nella mail di conferma."},
		}, "en", "it")

		for _, tc := range []struct {
			name, lang, want string
			fallback         bool
		}{
			{"italian", "it", "Segui il tuo pacco", false},
			{"english", "en", "Track your parcel", false},
			{"russian falls back to the default", "ru", "Track your parcel", true},
		} {
			t.Run(tc.name, func(t *testing.T) {
				p, err := s.Read(ctx, a.Slug, tc.lang, "en", false)
				if err != nil {
					t.Fatal(err)
				}
				if p.Title != tc.want || p.Fallback() != tc.fallback {
					t.Errorf("read in %s: %q fallback %v, want %q %v", tc.lang, p.Title, p.Fallback(), tc.want, tc.fallback)
				}
				if len(p.Languages) != 2 {
					t.Errorf("languages %v", p.Languages)
				}
			})
		}

		// A new draft does not change what the public reads until published.
		if err := s.SaveText(ctx, 7, a.ID, "en", kb.TextInput{Title: "Track your order", Body: "New text"}); err == nil {
			t.Fatal("saved as an agent that does not exist")
		}
		if err := s.SaveText(ctx, 0, a.ID, "en", kb.TextInput{Title: "Track your order", Body: "New text"}); err != nil {
			t.Fatal(err)
		}
		p, _ := s.Read(ctx, a.Slug, "en", "en", false)
		if p.Title != "Track your parcel" {
			t.Errorf("public reads the draft: %q", p.Title)
		}
		full, _ := s.Article(ctx, a.ID)
		en, _ := full.In("en")
		if !en.Draft() || en.Title != "Track your order" {
			t.Errorf("working copy %q draft %v", en.Title, en.Draft())
		}
		revs, err := s.Revisions(ctx, a.ID, "en")
		if err != nil || len(revs) != 2 || revs[0].Title != "Track your order" {
			t.Errorf("revisions %+v, %v", revs, err)
		}
		if err := s.Publish(ctx, a.ID, "en"); err != nil {
			t.Fatal(err)
		}
		if p, _ := s.Read(ctx, a.Slug, "en", "en", false); p.Title != "Track your order" {
			t.Errorf("after publishing the public reads %q", p.Title)
		}

		// A draft never published is not public at all.
		d, err := s.CreateArticle(ctx, 0, kb.ArticleInput{SectionID: sec, Language: "en", Title: "Secret plans", Body: "Not yet"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.Read(ctx, d.Slug, "en", "en", false); !errors.Is(err, kb.ErrNotFound) {
			t.Errorf("unpublished draft read: %v", err)
		}
		if res, _ := s.Search(ctx, kb.Query{Text: "secret", Language: "en", Default: "en"}); len(res.Hits) != 0 {
			t.Errorf("draft found: %+v", res.Hits)
		}
		// Unpublishing takes it off the help center and out of search.
		if err := s.Unpublish(ctx, a.ID, "it"); err != nil {
			t.Fatal(err)
		}
		if p, _ := s.Read(ctx, a.Slug, "it", "en", false); !p.Fallback() {
			t.Errorf("unpublished italian still read")
		}
	})
}

func TestInternalHidden(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s, sec, _ := setup(t, db)
		a := article(t, s, sec, true, map[string][2]string{"en": {"Refund limits for agents", "Agents may refund up to 50 euros."}}, "en")
		if _, err := s.Read(ctx, a.Slug, "en", "en", false); !errors.Is(err, kb.ErrNotFound) {
			t.Errorf("internal article read by the public: %v", err)
		}
		if _, err := s.Read(ctx, a.Slug, "en", "en", true); err != nil {
			t.Errorf("internal article not read by agents: %v", err)
		}
		if res, _ := s.Search(ctx, kb.Query{Text: "refund", Language: "en", Default: "en"}); len(res.Hits) != 0 {
			t.Errorf("public search found an internal article")
		}
		if res, _ := s.Search(ctx, kb.Query{Text: "refund", Language: "en", Default: "en", Agents: true}); len(res.Hits) != 1 {
			t.Errorf("agents' search found %d", len(res.Hits))
		}
		links, _ := s.Published(ctx, false)
		if len(links) != 0 {
			t.Errorf("public list holds %+v", links)
		}
		pop, _ := s.Popular(ctx, "en", "en", 5)
		if len(pop) != 0 {
			t.Errorf("popular holds %+v", pop)
		}
		f, err := s.AddFile(ctx, a.ID, "limits.txt", []byte("fifty"))
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.OpenFile(ctx, f.ID, false); !errors.Is(err, kb.ErrNotFound) {
			t.Errorf("internal file opened by the public: %v", err)
		}
	})
}

func TestSearch(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s, sec, _ := setup(t, db)
		loved := article(t, s, sec, false, map[string][2]string{"it": {"Reso di un ordine", "Per il reso di un ordine stampa l'etichetta e consegna il pacco."}}, "it")
		plain := article(t, s, sec, false, map[string][2]string{"it": {"Reso della merce", "Per il reso della merce stampa l'etichetta e consegna il pacco."}}, "it")
		article(t, s, sec, false, map[string][2]string{"en": {"Change your password", "Open your account settings to change the password."}}, "en")
		// Equal by text: the one readers found helpful and read comes first.
		for range 5 {
			it, _ := s.Article(ctx, loved.ID)
			tr, _ := it.In("it")
			if err := s.Vote(ctx, tr.ID, true, ""); err != nil {
				t.Fatal(err)
			}
			if err := s.CountView(ctx, tr.ID); err != nil {
				t.Fatal(err)
			}
		}
		pt, _ := plain.In("it")
		if err := s.Vote(ctx, pt.ID, false, "Non chiaro"); err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct {
			name, lang, q string
			first         string
			n             int
			corrected     string
		}{
			{"ranked by votes and views", "it", "reso etichetta", loved.Slug, 2, ""},
			{"short prefix", "it", "etich", loved.Slug, 2, ""},
			{"typo corrected", "it", "etichteta", loved.Slug, 2, "etichetta"},
			{"accents folded", "it", "consègna", loved.Slug, 2, ""},
			{"other language falls back to the default", "en", "password", "change-your-password", 1, ""},
			{"per language", "it", "password", "", 0, ""},
			{"nothing", "it", "zzzqqq", "", 0, ""},
		} {
			t.Run(tc.name, func(t *testing.T) {
				res, err := s.Search(ctx, kb.Query{Text: tc.q, Language: tc.lang, Default: "it"})
				if err != nil {
					t.Fatal(err)
				}
				if len(res.Hits) != tc.n {
					t.Fatalf("%q found %d: %+v", tc.q, len(res.Hits), res.Hits)
				}
				if tc.n > 0 && res.Hits[0].Slug != tc.first {
					t.Errorf("%q first %q, want %q", tc.q, res.Hits[0].Slug, tc.first)
				}
				if res.Corrected != tc.corrected {
					t.Errorf("%q corrected to %q, want %q", tc.q, res.Corrected, tc.corrected)
				}
				if tc.n > 0 && !strings.Contains(string(res.Hits[0].Snippet.HTML()), "<mark>") {
					t.Errorf("snippet %q has no highlight", res.Hits[0].Snippet)
				}
			})
		}
		rel, err := s.Related(ctx, kb.Query{Text: "Vorrei fare il reso del mio ordine, dove trovo l'etichetta?", Language: "it", Default: "it"})
		if err != nil || len(rel) != 2 || rel[0].Slug != loved.Slug {
			t.Errorf("related %+v, %v", rel, err)
		}
	})
}

func TestReport(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s, sec, _ := setup(t, db)
		a := article(t, s, sec, false, map[string][2]string{"en": {"Opening hours", "We answer from 9 to 18."}}, "en")
		tr, _ := a.In("en")
		for _, q := range []string{"gift wrap", "Gift  wrap", "invoice copy"} {
			if err := s.RecordMissed(ctx, "en", q); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.OpenedFromContact(ctx, tr.ID, "visitor-a"); err != nil {
			t.Fatal(err)
		}
		if err := s.OpenedFromContact(ctx, tr.ID, "visitor-b"); err != nil {
			t.Fatal(err)
		}
		if err := s.ContactSent(ctx, "visitor-b"); err != nil {
			t.Fatal(err)
		}
		// From the chat widget: one visitor leaves, one starts the chat.
		if err := s.Opened(ctx, tr.ID, "widget-c", kb.FromWidget); err != nil {
			t.Fatal(err)
		}
		if err := s.Opened(ctx, tr.ID, "widget-d", kb.FromWidget); err != nil {
			t.Fatal(err)
		}
		if err := s.ContactSent(ctx, "widget-d"); err != nil {
			t.Fatal(err)
		}
		if err := s.Opened(ctx, tr.ID, "widget-e", "elsewhere"); err == nil {
			t.Error("an unknown source was recorded")
		}
		if err := s.Vote(ctx, tr.ID, true, "Clear, thanks"); err != nil {
			t.Fatal(err)
		}
		if err := s.Vote(ctx, 9999, true, ""); !errors.Is(err, kb.ErrNotFound) {
			t.Errorf("vote on nothing: %v", err)
		}
		r, err := s.Report(ctx, 30)
		if err != nil {
			t.Fatal(err)
		}
		if len(r.Gaps) != 2 || r.Gaps[0].Query != "gift wrap" || r.Gaps[0].Count != 2 {
			t.Errorf("gaps %+v", r.Gaps)
		}
		if r.Opened != 4 || r.Deflections != 2 || r.WidgetOpened != 2 || r.WidgetDeflections != 1 || r.Yes != 1 {
			t.Errorf("report %+v", r)
		}
		if len(r.Comments) != 1 || r.Comments[0].Text != "Clear, thanks" {
			t.Errorf("comments %+v", r.Comments)
		}
	})
}

func TestValidation(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s, sec, _ := setup(t, db)
		for _, tc := range []struct {
			name string
			in   kb.ArticleInput
		}{
			{"no title", kb.ArticleInput{SectionID: sec, Language: "en", Body: "x"}},
			{"bad language", kb.ArticleInput{SectionID: sec, Language: "xx", Title: "T"}},
			{"bad slug", kb.ArticleInput{SectionID: sec, Language: "en", Title: "T", Slug: "Not A Slug"}},
			{"no section", kb.ArticleInput{SectionID: 999, Language: "en", Title: "T"}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				if _, err := s.CreateArticle(ctx, 0, tc.in); err == nil {
					t.Error("accepted")
				}
			})
		}
		list, _ := s.List(ctx)
		if len(list) != 0 {
			t.Errorf("a refused article was written: %+v", list)
		}
		if _, err := s.SaveCategory(ctx, 0, kb.CategoryInput{Slug: "orders", Names: kb.Names{"en": "Again"}}); err == nil {
			t.Error("a second category with the same slug")
		}
		a, _ := s.CreateArticle(ctx, 0, kb.ArticleInput{SectionID: sec, Language: "en", Title: "Same title"})
		b, _ := s.CreateArticle(ctx, 0, kb.ArticleInput{SectionID: sec, Language: "en", Title: "Same title"})
		if a.Slug == b.Slug || a.Slug != "same-title" {
			t.Errorf("slugs %q %q", a.Slug, b.Slug)
		}
		if err := s.SaveSettings(ctx, kb.Settings{Accent: "red; }"}); err == nil {
			t.Error("accent accepted")
		}
	})
}
