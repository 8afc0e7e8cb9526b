package recommit

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/store/storetest"
	"github.com/rapport/rapport/internal/ticket"
)

// Survey answers whose comment says the customer will come back, or that
// answered yes to coming back, become proposals; others do not, and a
// scan never proposes twice for one ticket.
func TestScanSurveys(t *testing.T) {
	det, err := NewDetector(DetectorOpts{})
	if err != nil {
		t.Fatal(err)
	}
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db, det)
		s := f.s
		answers := []struct {
			lang, intent, comment string
			want                  string // words proposed; "" for none
		}{
			{"it", "", "Servizio ottimo. Ordinerò di nuovo sicuramente!", "Ordinerò di nuovo sicuramente!"},
			{"en", "no", "Slow delivery.", ""},
			{"en", "yes", "", returnYesWords},
			{"it", "yes", "Molto disponibili, mi hanno tenuto sempre informato.", returnYesWords},
			{"ru", "", "Больше не закажу.", ""},
			{"en", "", "Will I have to order again?", ""},
		}
		now := f.clock.Now()
		var ids []int64
		for i, a := range answers {
			tk, err := f.tickets.Create(ctx, ticket.Actor{Kind: "customer"}, ticket.NewTicket{Subject: "Order", Body: "Hello",
				CustomerEmail: fmt.Sprintf("s%d@example.com", i), Language: a.lang})
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, tk.ID)
			var intent any
			if a.intent != "" {
				intent = a.intent
			}
			if _, err := db.W.Exec(`INSERT INTO surveys (ticket_id, customer_id, channel, language, token_hash, sent_at, expires_at, answered_at, return_intent, comment)
				VALUES ($1, $2, 'email', $3, $4, $5, $6, $7, $8, $9)`, tk.ID, tk.CustomerID, a.lang, fmt.Sprintf("hash%d", i),
				store.Millis(now.Add(-2*time.Hour)), store.Millis(now.Add(240*time.Hour)), store.Millis(now.Add(-time.Hour)), intent, a.comment); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.Schedule(ctx); err != nil {
			t.Fatal(err)
		}
		if n, err := f.queue.RunDue(ctx); err != nil || n != 1 {
			t.Fatalf("RunDue = %d, %v; want the survey scan", n, err)
		}
		for i, a := range answers {
			list, err := s.ForTicket(ctx, ids[i])
			if err != nil {
				t.Fatal(err)
			}
			switch {
			case a.want == "" && len(list) != 0:
				t.Errorf("%q: proposed %+v", a.comment, list)
			case a.want != "" && (len(list) != 1 || list[0].Words != a.want || list[0].Source != SourceSurvey || list[0].Status != Proposed):
				t.Errorf("%q: proposals %+v, want %q", a.comment, list, a.want)
			}
		}
		// The next scan is scheduled and proposes nothing new.
		info, err := f.queue.GetByKey(ctx, surveyScanKey)
		if err != nil || info.Status != "pending" || !info.RunAt.Equal(now.Add(SurveyScanEvery)) {
			t.Fatalf("next scan = %+v, %v", info, err)
		}
		if n, err := s.ScanSurveys(ctx); err != nil || n != 0 {
			t.Fatalf("second scan proposed %d, %v", n, err)
		}
	})
}
