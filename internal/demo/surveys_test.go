package demo

import (
	"context"
	"slices"
	"testing"

	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/store/storetest"
	"github.com/rapport/rapport/internal/ticket"
)

// demoSurvey is one survey row as the demo left it.
type demoSurvey struct {
	ticketID int64
	csat     *int
	nps      *int
	comment  string
	lang     string
}

func demoSurveys(t *testing.T, db *store.DB) []demoSurvey {
	t.Helper()
	rows, err := db.R.QueryContext(context.Background(), "SELECT ticket_id, csat, nps, comment, language FROM surveys ORDER BY ticket_id")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []demoSurvey
	for rows.Next() {
		var s demoSurvey
		if err := rows.Scan(&s.ticketID, &s.csat, &s.nps, &s.comment, &s.lang); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	return out
}

// The demo's surveys: a realistic share of solved tickets answered, worse
// scores where the ticket was passed around or reopened, comments in the
// ticket's language, a few referrals.
func TestDemoSurveys(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		generate(t, db, 7, 80, 400)
		_, _, ts := services(db)
		byID := map[int64]ticket.Ticket{}
		solved := 0
		for _, tk := range allTickets(t, ts) {
			byID[tk.ID] = tk
			if tk.Status == ticket.Solved || tk.Status == ticket.Closed {
				solved++
			}
		}
		svs := demoSurveys(t, db)
		answered := 0
		var smooth, rough []int
		for _, s := range svs {
			tk := byID[s.ticketID]
			if tk.Status != ticket.Solved && tk.Status != ticket.Closed {
				t.Errorf("survey of ticket %d, which is %s", tk.ID, tk.Status)
			}
			if s.lang != tk.Language {
				t.Errorf("survey of ticket %d in %q, ticket in %q", tk.ID, s.lang, tk.Language)
			}
			if s.csat == nil {
				continue
			}
			answered++
			if tk.TransferCount+tk.ReopenCount > 0 {
				rough = append(rough, *s.csat)
			} else {
				smooth = append(smooth, *s.csat)
			}
			if s.comment != "" {
				found := false
				for _, mood := range surveyComments[tk.Language] {
					found = found || slices.Contains(mood, s.comment)
				}
				if !found {
					t.Errorf("ticket %d in %s has comment %q from another language", tk.ID, tk.Language, s.comment)
				}
			}
		}
		share := float64(answered) / float64(solved)
		t.Logf("%d solved, %d surveys, %d answered (%.0f%%); mean CSAT %.2f smooth, %.2f transferred or reopened",
			solved, len(svs), answered, 100*share, mean(smooth), mean(rough))
		if share < 0.2 || share > 0.5 {
			t.Errorf("%.0f%% of solved tickets answered, want about 35%%", 100*share)
		}
		if len(rough) == 0 || len(smooth) == 0 || mean(rough) >= mean(smooth)-0.3 {
			t.Errorf("mean CSAT %.2f for transferred or reopened tickets, %.2f for the rest: want clearly lower", mean(rough), mean(smooth))
		}
		var referred int
		db.R.QueryRowContext(context.Background(), "SELECT count(*) FROM customers WHERE referred_by IS NOT NULL").Scan(&referred)
		if referred != 5 { // 5% of 80, and a friend who bought through a referral link
			t.Errorf("%d referred customers, want 5", referred)
		}
		var bought int
		db.R.QueryRowContext(context.Background(), `SELECT count(*) FROM customers c JOIN purchases p ON p.customer_id = c.id
			WHERE c.referred_by IS NOT NULL AND p.reference = 'AHG-REF-1'`).Scan(&bought)
		if bought != 1 {
			t.Errorf("%d referred buyers through a referral link, want 1", bought)
		}
	})
}

// The same seed gives the same survey answers.
func TestDemoSurveysSameSeed(t *testing.T) {
	run := func() []demoSurvey {
		db := storetest.SQLite(t)
		generate(t, db, 11, 40, 160)
		return demoSurveys(t, db)
	}
	a, b := run(), run()
	if len(a) == 0 || len(a) != len(b) {
		t.Fatalf("%d and %d surveys", len(a), len(b))
	}
	for i := range a {
		x, y := a[i], b[i]
		if x.ticketID != y.ticketID || x.comment != y.comment || (x.csat == nil) != (y.csat == nil) || (x.csat != nil && *x.csat != *y.csat) {
			t.Fatalf("survey %d differs: %+v vs %+v", i, x, y)
		}
	}
}

func mean(xs []int) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := 0
	for _, x := range xs {
		s += x
	}
	return float64(s) / float64(len(xs))
}
