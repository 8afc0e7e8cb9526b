package savedreply_test

import (
	"context"
	"strings"
	"testing"

	"github.com/rapport/rapport/internal/quality"
	"github.com/rapport/rapport/internal/savedreply"
	"github.com/rapport/rapport/internal/store/storetest"
)

// BenchmarkAnalyzeSaved is the cost the saved replies add to one analysis
// (the composer's check as the agent types, each reply a scorecard reads):
// the same reply analysed without saved replies, and with ten on SQLite,
// where every analysis reads them.
func BenchmarkAnalyzeSaved(b *testing.B) {
	ctx := context.Background()
	db := storetest.SQLite(b)
	svc := savedreply.New(db, nil)
	for i := range 10 {
		body := strings.Repeat("Thank you for your patience, we have sent your order again today. ", 3+i)
		if _, err := svc.Create(ctx, 0, savedreply.Input{Title: "Reply " + string(rune('A'+i)), Body: body, Language: "en"}); err != nil {
			b.Fatal(err)
		}
	}
	reply := "Hi Kim, thanks for writing! I'm sorry the parcel is late. I have sent your order again today with express delivery; " +
		"you will get the tracking link by email within the hour. Best wishes, Jo"
	in := quality.Input{Text: reply, Lang: "en", Conversation: []quality.Turn{{Role: "customer", Text: "Where is my parcel? It is a week late."}}}
	for _, tc := range []struct {
		name  string
		saved quality.SavedReplies
	}{{"without", nil}, {"with 10 on sqlite", svc}} {
		a, err := quality.New(quality.Opts{Saved: tc.saved})
		if err != nil {
			b.Fatal(err)
		}
		b.Run(tc.name, func(b *testing.B) {
			for b.Loop() {
				a.Analyze(ctx, in)
			}
		})
	}
}
