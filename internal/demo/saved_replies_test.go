package demo

import (
	"testing"

	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/store/storetest"
)

// The demo has saved replies in every language it serves, and one sent
// unchanged by an agent (the robotism the analyzer flags).
func TestGenerateSavedReplies(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		generate(t, db, 7, 60, 300)
		count := func(q string) int { return countRows(t, db, q) }
		if n := count(`SELECT count(DISTINCT language) FROM saved_replies WHERE created_by IS NOT NULL`); n != 5 {
			t.Errorf("saved replies in %d languages, want 5", n)
		}
		if n := count(`SELECT count(*) FROM messages m JOIN saved_replies s ON s.body = m.body_text WHERE m.kind = 'reply'`); n != 1 {
			t.Errorf("%d replies sent as saved, want 1", n)
		}
	})
}
