package metrics_test

import (
	"testing"

	"github.com/rapport/rapport/internal/metrics"
	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/store/storetest"
	"github.com/rapport/rapport/internal/ticket"
)

// SLA attainment counts every ticket whose target fell due in the period,
// open breached tickets included. The policy gives one business hour
// (Monday to Friday, 09:00–17:00 UTC) for the first response.
//
// Week of 9 March 2026:
//
//	O1, O2, O3 created Mon 9 09:00, never answered: breached Mon 10:00, open.
//	B1 created Mon 9 09:00, breached 10:00, answered 11:00, solved Tue 10 10:00.
//	M1 created Mon 9 09:00, answered 09:30, solved 09:45: met.
//	M2 created Mon 9 12:00, answered 12:15, still open: no outcome yet.
//
// By hand: 5 tickets with an outcome (O1–O3, B1, M1), 1 met → 1/5 = 0.2.
// Counting only solved tickets, as before, gave B1 and M1 → 1/2, and
// 1/1 = 100 % before B1 was solved, with four breaches on the record.
func TestSLAAttainmentCountsOpenBreaches(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		this := week(day(9, 0, 0), 7)
		sla := func(when string, want metrics.Value, base int64) {
			t.Helper()
			r, err := w.m.Compute(w.ctx, this)
			if err != nil {
				t.Fatal(err)
			}
			check(t, "SLA "+when, r.Current.SLAAttainment, want)
			if r.Current.SLATickets != base {
				t.Errorf("SLA tickets %s = %d, want %d", when, r.Current.SLATickets, base)
			}
		}
		for _, k := range []string{"O1", "O2", "O3", "B1", "M1"} {
			w.create(k, day(9, 9, 0), "email", "question", "en", "carla", "al", "billing")
		}
		w.reply("M1", day(9, 9, 30), "al")
		w.status("M1", day(9, 9, 45), "al", ticket.Solved)
		w.at(day(9, 9, 59))
		// Before any target fell due, only M1 (met, solved) counts.
		sla("before the breaches", v(1), 1)
		// The breach jobs run at 10:00 and record their events through the
		// ticket service, whose change hook updates the rollups at once.
		w.at(day(9, 10, 1))
		sla("after the breaches", v(0.2), 5)
		w.create("M2", day(9, 12, 0), "email", "question", "en", "carla", "al", "billing")
		w.reply("M2", day(9, 12, 15), "al")
		w.reply("B1", day(9, 13, 0), "al")
		w.status("B1", day(10, 10, 0), "al", ticket.Solved)
		w.at(day(13, 17, 0))
		// B1 solved counts once, on its breach day: still 1 of 5 → 0.2.
		sla("at the end of the week", v(0.2), 5)

		// Rebuilt from the tickets, the same.
		if _, err := w.m.Rebuild(w.ctx); err != nil {
			t.Fatal(err)
		}
		sla("after a rebuild", v(0.2), 5)

		// The rate says what it rests on: 5 tickets, under MinBase.
		r, err := w.m.Compute(w.ctx, this)
		if err != nil {
			t.Fatal(err)
		}
		var found bool
		for _, rt := range r.Rates() {
			if rt.Key == "sla" {
				found = true
				if rt.Unit != metrics.UnitTickets || rt.Base != 5 || !rt.TooFew || rt.PreviousBase != 0 || !rt.PreviousTooFew {
					t.Errorf("sla rate = %+v, want 5 tickets, too few", rt)
				}
			}
			if rt.Key == "created" {
				t.Errorf("a count is listed as a rate: %+v", rt)
			}
		}
		if !found {
			t.Error("no sla rate")
		}
	})
}
