package kb

import (
	"context"
	"fmt"
	"testing"

	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/store/storetest"
)

// TestSearchPoolFilledByOthers: the best matches by text are documents a
// reader may not see (the default language's, of articles translated into
// the reader's; internal ones): a search that weighs a pool of the best
// first finds the same articles as one that weighs them all.
func TestSearchPoolFilledByOthers(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := New(Opts{DB: db})
		cat, err := s.SaveCategory(ctx, 0, CategoryInput{Slug: "all", Names: Names{"en": "All"}})
		if err != nil {
			t.Fatal(err)
		}
		sec, err := s.SaveSection(ctx, 0, SectionInput{CategoryID: cat, Names: Names{"en": "All"}})
		if err != nil {
			t.Fatal(err)
		}
		publish := func(slug string, internal bool, texts [][3]string) {
			var id int64
			for i, tx := range texts {
				if i == 0 {
					a, err := s.CreateArticle(ctx, 0, ArticleInput{SectionID: sec, Slug: slug, Internal: internal, Language: tx[0], Title: tx[1], Body: tx[2]})
					if err != nil {
						t.Fatal(err)
					}
					id = a.ID
				} else if err := s.SaveText(ctx, 0, id, tx[0], TextInput{Title: tx[1], Body: tx[2]}); err != nil {
					t.Fatal(err)
				}
				if err := s.Publish(ctx, id, tx[0]); err != nil {
					t.Fatal(err)
				}
			}
		}
		// The English texts and the internal article hold "pacco" in
		// their titles, the Italian ones only once in the body.
		for i := range 4 {
			publish(fmt.Sprintf("tradotto-%d", i), false, [][3]string{
				{"en", "Pacco pacco", "pacco pacco pacco"},
				{"it", fmt.Sprintf("Spedizione %d", i), "il pacco arriva domani e poi altre parole"},
			})
		}
		publish("interno", true, [][3]string{{"it", "Pacco pacco", "pacco pacco"}})
		want := map[string]bool{"tradotto-0": true, "tradotto-1": true, "tradotto-2": true, "tradotto-3": true}
		for _, size := range []int{4 * candidates, 3, 1} {
			s.pool = size
			res, err := s.Search(ctx, Query{Text: "pacco", Language: "it", Default: "en"})
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]bool{}
			for _, h := range res.Hits {
				if h.Language != "it" || h.Internal {
					t.Errorf("pool %d: found %s (%s, internal %v)", size, h.Slug, h.Language, h.Internal)
				}
				got[h.Slug] = true
			}
			if len(got) != len(want) {
				t.Errorf("pool %d: found %v, want %v", size, got, want)
			}
		}
	})
}
