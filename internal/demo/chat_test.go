package demo

import (
	"context"
	"testing"
	"time"

	"github.com/rapport/rapport/internal/metrics"
	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/store/storetest"
)

// TestDemoGreetingTimes: the demo's chats carry greeting times, most of
// them within the 30-second target and some not, so the dashboard's
// greeting card is filled; and chats have their SLA policy.
func TestDemoGreetingTimes(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		generate(t, db, 11, 40, 200)
		m := metrics.New(metrics.Opts{DB: db})
		g, err := m.Greetings(context.Background(), metrics.Filter{From: testNow.AddDate(0, -6, 0), To: testNow.Add(time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("demo greeting: %+v", g.All)
		if g.All.Greeted < 5 || !g.All.Median.Valid || !g.All.P90.Valid {
			t.Fatalf("demo greeting figures %+v: want several greeted chats", g.All)
		}
		if w := g.All.Within; !w.Valid || w.V < 0.3 || w.V >= 1 {
			t.Errorf("share greeted within target %+v: want most but not all", w)
		}
		if g.All.Median.V > 30 {
			t.Errorf("median greeting %v s: chats are greeted within seconds on working hours", g.All.Median.V)
		}
		if len(g.Agents) < 2 {
			t.Errorf("greeting figures of %d agents, want several", len(g.Agents))
		}
		var n int
		if err := db.R.QueryRow(`SELECT count(*) FROM sla_policies WHERE channel = 'chat' AND greeting_seconds = 30`).Scan(&n); err != nil || n != 1 {
			t.Errorf("%d chat policies (%v), want 1", n, err)
		}
	})
}
