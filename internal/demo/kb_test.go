package demo

import (
	"context"
	"log/slog"
	"testing"

	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/store/storetest"
)

// The demo has a help center with articles published in all five
// languages, one internal, and an agent given the right to write it.
func TestGenerateHelpCenter(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		if _, err := Generate(context.Background(), Opts{DB: db, Seed: 7, Customers: 30, Tickets: 60, Now: testNow,
			Password: testPassword, Log: slog.New(slog.DiscardHandler)}); err != nil {
			t.Fatal(err)
		}
		count := func(q string) int { return countRows(t, db, q) }
		if n := count(`SELECT count(DISTINCT language) FROM kb_translations WHERE published_rev IS NOT NULL`); n != 5 {
			t.Errorf("published in %d languages, want 5", n)
		}
		if n := count(`SELECT count(*) FROM kb_articles WHERE internal = 1`); n != 1 {
			t.Errorf("%d internal articles, want 1", n)
		}
		if n := count(`SELECT count(*) FROM search_docs WHERE kind = 'kb'`); n != 25 {
			t.Errorf("%d articles indexed, want 25", n)
		}
		// One agent (not a manager) holds the right to write the knowledge
		// base, given by the admin, and wrote the Italian texts with it.
		if n := count(`SELECT count(*) FROM agents WHERE kb_editor = TRUE AND role = 'agent' AND email = '` + kbEditorEmail + `'`); n != 1 {
			t.Errorf("%d demo agents with the knowledge-base right, want 1", n)
		}
		if n := count(`SELECT count(*) FROM audit_log WHERE action = 'agent.update' AND after_json LIKE '%"kb_editor":true%'`); n != 1 {
			t.Errorf("%d audit rows giving the right, want 1", n)
		}
		// Both suggestion sources have opened articles, some deflected and
		// some followed by a message, and none from an internal article.
		for _, src := range []string{"contact", "widget"} {
			opened := count(`SELECT count(*) FROM kb_deflections WHERE source = '` + src + `'`)
			deflected := count(`SELECT count(*) FROM kb_deflections WHERE sent = 0 AND source = '` + src + `'`)
			if deflected == 0 || deflected >= opened {
				t.Errorf("%s: %d opened, %d deflected; want some of each", src, opened, deflected)
			}
		}
		if n := count(`SELECT count(*) FROM kb_deflections d JOIN kb_translations t ON t.id = d.translation_id
			JOIN kb_articles a ON a.id = t.article_id WHERE a.internal = 1`); n != 0 {
			t.Errorf("%d internal articles opened from suggestions", n)
		}
	})
}
