package metrics_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"

	"github.com/rapport/rapport/internal/jobs"
	"github.com/rapport/rapport/internal/metrics"
	"github.com/rapport/rapport/internal/metrics/metricstest"
	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/store/storetest"
	"github.com/rapport/rapport/internal/ticket"
)

// TestWeekRollupsMatchDays: a report that reads its whole weeks from the
// week rollups is exactly the report read from the day rollups alone, for
// random periods (crossing month edges and a DST change, with their
// previous periods and weekly trends) under random filters, on a
// generated dataset in Rome's days. A week row changed behind the
// rollups' back shows, so the comparison is not vacuous.
func TestWeekRollupsMatchDays(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := &world{t: t, ctx: context.Background(), db: db, clock: jobs.NewFakeClock(time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC))}
		end := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
		g, err := metricstest.Generate(w.ctx, db, metricstest.GenOpts{Tickets: 3000, Days: 200, End: end, Agents: 8, Customers: 1500, Seed: 7})
		if err != nil {
			t.Fatal(err)
		}
		m := metrics.New(metrics.Opts{DB: db, Clock: w.clock})
		if _, err := m.SwitchZone(w.ctx, "Europe/Rome"); err != nil {
			t.Fatal(err)
		}
		if _, err := m.Rebuild(w.ctx); err != nil {
			t.Fatal(err)
		}
		loc := zone(t, "Europe/Rome")
		last := metrics.DayOf(end, loc)
		filters := []func(f *metrics.Filter, r *rand.Rand){
			func(*metrics.Filter, *rand.Rand) {},
			func(f *metrics.Filter, r *rand.Rand) { f.TeamID = g.TeamIDs[r.IntN(len(g.TeamIDs))] },
			func(f *metrics.Filter, r *rand.Rand) { f.AgentID = g.AgentIDs[r.IntN(len(g.AgentIDs))] },
			func(f *metrics.Filter, _ *rand.Rand) { f.Channel = "email" },
			func(f *metrics.Filter, _ *rand.Rand) { f.Language = "en" },
			func(f *metrics.Filter, r *rand.Rand) {
				f.TeamID, f.Channel = g.TeamIDs[r.IntN(len(g.TeamIDs))], "chat"
			},
		}
		lengths := []int64{1, 6, 7, 8, 13, 14, 28, 30, 31, 45, 90, 120}
		r := rand.New(rand.NewPCG(1, 2))
		var cases []metrics.Filter
		for range 40 {
			n := lengths[r.IntN(len(lengths))]
			from := last - 200 + n + r.Int64N(200-n) // the previous period starts in the data too
			f := metrics.Filter{From: metrics.DayStart(from, loc), To: metrics.DayStart(from+n, loc)}
			filters[r.IntN(len(filters))](&f, r)
			cases = append(cases, f)
		}
		compare := func(f metrics.Filter) (bool, string) {
			weeks, err := m.Compute(w.ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			days, err := m.ComputeDays(w.ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			if reflect.DeepEqual(weeks, days) {
				return true, ""
			}
			return false, fmt.Sprintf("weeks:\n%+v\n%+v\n%+v\ndays:\n%+v\n%+v\n%+v",
				weeks.Current, weeks.Previous, weeks.Weeks, days.Current, days.Previous, days.Weeks)
		}
		withData := 0
		for _, f := range cases {
			t.Run(fmt.Sprintf("%s+%dd_t%d_a%d_%s_%s", f.From.Format(time.DateOnly), f.Days(), f.TeamID, f.AgentID, f.Channel, f.Language), func(t *testing.T) {
				rep, err := m.ComputeDays(w.ctx, f)
				if err != nil {
					t.Fatal(err)
				}
				if rep.Current.Created.V > 0 && rep.Previous.Created.V > 0 {
					withData++
				}
				if ok, diff := compare(f); !ok {
					t.Errorf("the week rollups give another report:\n%s", diff)
				}
			})
		}
		if withData < len(cases)*3/4 {
			t.Errorf("only %d of %d periods have tickets in both halves: the comparison says little", withData, len(cases))
		}
		// One first response moved to another bucket (ten times as long and
		// more: another step, where no row is) in one week row only.
		w.exec(`UPDATE metric_week_hist SET bucket = bucket * 10 + 10000000000
			WHERE grain = 'all' AND measure = 'frt' AND week = (SELECT MAX(week) - 2 FROM metric_week_hist)`)
		f := metrics.Filter{From: metrics.DayStart(last-35, loc), To: metrics.DayStart(last-7, loc)}
		if ok, _ := compare(f); ok {
			t.Error("a changed week row went unnoticed")
		}
	})
}

// TestWeekFill: a database whose rollups were kept before the week
// rollups existed (migration 0048 sets weeks_after to 0) serves at once
// from the day rollups, and the background rebuild fills the week
// rollups while tickets change before and after its cursor, ending equal
// to a fresh computation.
func TestWeekFill(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := build(t, db)
		f := week(day(2, 0, 0), 7)
		want, err := w.m.ComputeDays(w.ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		// The state migration 0048 leaves: day rollups, no week rows (and
		// no deltas, which came later).
		if _, err := w.m.Fold(w.ctx); err != nil {
			t.Fatal(err)
		}
		w.exec(`DELETE FROM metric_weeks`)
		w.exec(`DELETE FROM metric_week_hist`)
		w.exec(`UPDATE metric_zone SET weeks_after = 0, rebuild_to = (SELECT MAX(id) FROM tickets)`)
		got, err := w.m.Compute(w.ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		if got.WeeksFilling == nil || got.WeeksFilling.Done != 0 {
			t.Errorf("the report does not say the weeks are being filled: %+v", got.WeeksFilling)
		}
		got.WeeksFilling = nil
		if !reflect.DeepEqual(got, want) {
			t.Errorf("before the fill the report reads the empty week rows:\n got %+v\nwant %+v", got.Current, want.Current)
		}
		// A new server queues the fill; one batch runs, then tickets change
		// behind its cursor (P2) and ahead of it (T6, and a new one).
		m := w.background(nil)
		if err := m.Start(w.ctx); err != nil {
			t.Fatal(err)
		}
		if _, done, err := m.RebuildStep(w.ctx, 3); err != nil || done {
			t.Fatalf("first batch: done %v, %v", done, err)
		}
		w.status("P2", day(5, 10, 0), "bo", ticket.Solved)
		w.status("T6", day(9, 10, 0), "bo", ticket.Solved)
		w.create("T7", day(9, 11, 0), "chat", "question", "en", "rob", "al", "tech")
		w.reply("T7", day(9, 11, 5), "al")
		w.runJobs()
		var after *int64
		if err := db.R.QueryRowContext(w.ctx, `SELECT weeks_after FROM metric_zone`).Scan(&after); err != nil {
			t.Fatal(err)
		}
		if after != nil {
			t.Fatalf("the week fill did not finish: weeks_after %d", *after)
		}
		equalsFresh(t, w, m, metrics.Filter{From: day(-23, 0, 0), To: day(16, 0, 0)})
	})
}
