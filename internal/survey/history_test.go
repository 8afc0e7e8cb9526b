package survey

import (
	"errors"
	"testing"
	"time"

	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/store/storetest"
)

// TestAnswerHistory: a changed answer keeps both, the latest is what the
// survey (and so the metrics) holds, the same answer again records nothing,
// and after ChangeFor the answers are final.
func TestAnswerHistory(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		e.solve("dana@example.com", "en")
		token := e.mails()[0].token()
		sv, err := e.svc.Answer(e.ctx, token, Answers{CSAT: intp(2)})
		if err != nil {
			t.Fatal(err)
		}
		first := sv.AnsweredAt
		if want := first.Add(24 * time.Hour); !sv.ChangeUntil().Equal(want) {
			t.Errorf("change until %v, want %v", sv.ChangeUntil(), want)
		}
		e.clock.Advance(3 * time.Hour)
		if _, err := e.svc.Answer(e.ctx, token, Answers{CSAT: intp(2)}); err != nil {
			t.Fatal(err)
		}
		sv, err = e.svc.Answer(e.ctx, token, Answers{CSAT: intp(5), Comment: strp("Sorted in the end.")})
		if err != nil {
			t.Fatal(err)
		}
		if sv.Answers.Value(CSAT) != "5" || !sv.AnsweredAt.Equal(first) {
			t.Errorf("latest answer %q first answered %v, want 5 and %v", sv.Answers.Value(CSAT), sv.AnsweredAt, first)
		}
		var csat int
		if err := db.R.QueryRowContext(e.ctx, "SELECT csat FROM surveys WHERE id = $1", sv.ID).Scan(&csat); err != nil || csat != 5 {
			t.Errorf("the row the metrics read holds %d (%v), want 5", csat, err)
		}
		h, err := e.svc.History(e.ctx, sv.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(h) != 2 || h[0].Answers.Value(CSAT) != "2" || h[1].Answers.Value(CSAT) != "5" ||
			h[1].Answers.Value(Comment) != "Sorted in the end." || !h[1].At.Equal(first.Add(3*time.Hour)) {
			t.Fatalf("history %+v, want the 2 then the 5 with its comment (the repeated 2 not kept)", h)
		}
		e.clock.Set(first.Add(ChangeFor))
		sv, err = e.svc.Answer(e.ctx, token, Answers{CSAT: intp(1)})
		if !errors.Is(err, ErrFinal) || sv.Answers.Value(CSAT) != "5" {
			t.Fatalf("a change after %s: %v, csat %q; want ErrFinal and 5 kept", ChangeFor, err, sv.Answers.Value(CSAT))
		}
		if h, _ := e.svc.History(e.ctx, sv.ID); len(h) != 2 {
			t.Errorf("%d history rows after a refused change, want 2", len(h))
		}
	})
}
