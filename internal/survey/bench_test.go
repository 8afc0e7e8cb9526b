package survey

import (
	"strings"
	"testing"

	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/store/storetest"
)

// BenchmarkAnswer measures one answer from a survey link: the token looked
// up by its hash, the row updated, and the survey read back, as the
// one-click page does.
func BenchmarkAnswer(b *testing.B) {
	storetest.EachB(b, func(b *testing.B, db *store.DB) {
		e := newEnv(b, db)
		e.solve("bench@example.com", "en")
		token := e.mails()[0].token()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			if _, err := e.svc.Answer(e.ctx, token, Answers{CSAT: intp(1 + i%5)}); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkLookupUnknown measures the answer to a guessed token.
func BenchmarkLookupUnknown(b *testing.B) {
	storetest.EachB(b, func(b *testing.B, db *store.DB) {
		e := newEnv(b, db)
		guess := strings.Repeat("G", 32)
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			if _, err := e.svc.Lookup(e.ctx, guess); err == nil {
				b.Fatal("a guessed token was found")
			}
		}
	})
}
