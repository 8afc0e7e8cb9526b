package demo

import (
	"context"
	"log/slog"
	"testing"

	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/store/storetest"
)

// The demo has saved replies in every language it serves, and one sent
// unchanged by an agent (the robotism the analyzer flags).
func TestGenerateSavedReplies(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		res, err := Generate(context.Background(), Opts{DB: db, Seed: 7, Customers: 60, Tickets: 300, Now: testNow,
			Password: testPassword, Log: slog.New(slog.DiscardHandler), AttachmentsDir: t.TempDir()})
		if err != nil || res.Tickets == 0 {
			t.Fatal(res, err)
		}
		count := func(q string) int { return countRows(t, db, q) }
		if n := count(`SELECT count(DISTINCT language) FROM saved_replies WHERE created_by IS NOT NULL`); n != 5 {
			t.Errorf("saved replies in %d languages, want 5", n)
		}
		if n := count(`SELECT count(*) FROM messages m JOIN saved_replies s ON s.body = m.body_text WHERE m.kind = 'reply'`); n != 1 {
			t.Errorf("%d replies sent as saved, want 1", n)
		}
		if n := count(`SELECT count(*) FROM messages m JOIN attachments a ON a.message_id = m.id
			WHERE m.kind = 'reply' AND m.cc = 'returns@demo.example.com' AND a.filename = 'return-label.txt'`); n != 1 {
			t.Errorf("%d replies with a Cc and a file, want 1", n)
		}
	})
}
