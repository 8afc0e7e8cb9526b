package metrics_test

import (
	"context"
	"database/sql"
	"log/slog"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/rapport/rapport/internal/business"
	"github.com/rapport/rapport/internal/i18n"
	"github.com/rapport/rapport/internal/metrics"
	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/store/storetest"
)

func zone(t testing.TB, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// background is a metrics service that runs the rebuild job on the world's
// queue, reading the business's zone from biz, beside the world's own
// (which keeps the rollups on ticket changes).
func (w *world) background(biz *business.Service) *metrics.Service {
	return metrics.New(metrics.Opts{DB: w.db, Clock: w.clock, Jobs: w.jobs, Business: biz})
}

// runJobs runs every job due, the rebuild's continuations included.
func (w *world) runJobs() {
	w.t.Helper()
	for {
		n, err := w.jobs.RunDue(w.ctx)
		if err != nil {
			w.t.Fatal(err)
		}
		if n == 0 {
			return
		}
	}
}

// created is how many tickets Compute counts as created on the day of
// date (YYYY-MM-DD), the dashboard's custom period of one day.
func created(t *testing.T, m *metrics.Service, date string) int {
	t.Helper()
	ctx := context.Background()
	loc, err := m.Zone(ctx)
	if err != nil {
		t.Fatal(err)
	}
	f, err := metrics.ParseFilter(url.Values{"period": {"custom"}, "from": {date}, "to": {date}}, m.Now(), loc)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := m.Compute(ctx, f)
	if err != nil {
		t.Fatal(err)
	}
	if l := rep.Filter.From.In(loc); l.Hour() != 0 || l.Minute() != 0 || l.Format(time.DateOnly) != date {
		t.Errorf("the day %s starts at %v", date, rep.Filter.From)
	}
	return int(rep.Current.Created.V)
}

// rollupState renders the non-zero rollup rows and every stored
// contribution, in key order, for comparing two states.
func rollupState(t *testing.T, db *store.DB) string {
	t.Helper()
	var b strings.Builder
	for _, q := range []string{
		`SELECT grain, day, team_id, agent_id, channel, language, created, complaints, responded, frt_ms, frt_biz_n, frt_biz_ms,
		        solved, res_ms, res_biz_n, res_biz_ms, reopened, transfers, first_owner, sla_target, sla_met, referrals
		 FROM metric_days
		 WHERE created <> 0 OR complaints <> 0 OR responded <> 0 OR frt_ms <> 0 OR frt_biz_n <> 0 OR frt_biz_ms <> 0 OR solved <> 0
		    OR res_ms <> 0 OR res_biz_n <> 0 OR res_biz_ms <> 0 OR reopened <> 0 OR transfers <> 0 OR first_owner <> 0
		    OR sla_target <> 0 OR sla_met <> 0 OR referrals <> 0
		 ORDER BY grain, day, team_id, agent_id, channel, language`,
		`SELECT grain, measure, day, team_id, agent_id, channel, language, bucket, n FROM metric_hist WHERE n <> 0
		 ORDER BY grain, measure, day, team_id, agent_id, channel, language, bucket`,
		`SELECT grain, week, team_id, agent_id, channel, language, created, complaints, responded, frt_ms, frt_biz_n, frt_biz_ms,
		        solved, res_ms, res_biz_n, res_biz_ms, reopened, transfers, first_owner, sla_target, sla_met, referrals
		 FROM metric_weeks
		 WHERE created <> 0 OR complaints <> 0 OR responded <> 0 OR frt_ms <> 0 OR frt_biz_n <> 0 OR frt_biz_ms <> 0 OR solved <> 0
		    OR res_ms <> 0 OR res_biz_n <> 0 OR res_biz_ms <> 0 OR reopened <> 0 OR transfers <> 0 OR first_owner <> 0
		    OR sla_target <> 0 OR sla_met <> 0 OR referrals <> 0
		 ORDER BY grain, week, team_id, agent_id, channel, language`,
		`SELECT grain, measure, week, team_id, agent_id, channel, language, bucket, n FROM metric_week_hist WHERE n <> 0
		 ORDER BY grain, measure, week, team_id, agent_id, channel, language, bucket`,
		`SELECT ticket_id, team_id, agent_id, channel, language, created_day, complaint, frt_day, frt_ms, frt_biz_ms,
		        solved_day, res_ms, res_biz_ms, reopened, transfers, first_owner, sla_target, sla_met, referral, sla_day
		 FROM metric_facts ORDER BY ticket_id`,
	} {
		rows, err := db.R.QueryContext(context.Background(), q)
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rows.Columns()
		vals := make([]sql.NullString, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		for rows.Next() {
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			for _, v := range vals {
				b.WriteString(v.String + " ")
			}
			b.WriteByte('\n')
		}
		rows.Close()
		b.WriteString("--\n")
	}
	return b.String()
}

// equalsFresh checks that the rollups, once the deltas are folded, equal
// a fresh computation from the tickets (Rebuild), and that Compute's
// report is the same before the fold, after it and after the rebuild.
func equalsFresh(t *testing.T, w *world, m *metrics.Service, f metrics.Filter) {
	t.Helper()
	before, err := m.Compute(w.ctx, f)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.Fold(w.ctx); err != nil {
		t.Fatal(err)
	}
	if folded, err := m.Compute(w.ctx, f); err != nil {
		t.Fatal(err)
	} else if !reflect.DeepEqual(before, folded) {
		t.Errorf("report differs after the fold:\n got %+v\nwant %+v", folded.Current, before.Current)
	}
	kept := rollupState(t, w.db)
	if _, err := m.Rebuild(w.ctx); err != nil {
		t.Fatal(err)
	}
	if fresh := rollupState(t, w.db); kept != fresh {
		t.Errorf("rollups differ from a fresh computation:\nkept:\n%s\nfresh:\n%s", kept, fresh)
	}
	after, err := m.Compute(w.ctx, f)
	if err != nil {
		t.Fatal(err)
	}
	if before.Current != after.Current || before.Previous != after.Previous {
		t.Errorf("report differs from a fresh computation:\n got %+v\nwant %+v", before.Current, after.Current)
	}
}

// TestTokyoBusinessDay: a Tokyo business's day starts at midnight in
// Tokyo. A ticket at 00:30 on 10 March in Tokyo (15:30 on 9 March UTC) and
// one at 23:30 (14:30 UTC) both count on 10 March; with the business in
// UTC, the first moves back to 9 March.
func TestTokyoBusinessDay(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		m := w.background(nil)
		if changed, err := m.SwitchZone(w.ctx, "Asia/Tokyo"); err != nil || !changed {
			t.Fatalf("switch to Tokyo: %v, %v", changed, err)
		}
		w.runJobs()
		tokyo := zone(t, "Asia/Tokyo")
		w.create("early", time.Date(2026, 3, 10, 0, 30, 0, 0, tokyo), "email", "question", "ja", "carla", "al", "billing")
		w.create("late", time.Date(2026, 3, 10, 23, 30, 0, 0, tokyo), "email", "question", "ja", "rob", "al", "billing")
		if got := created(t, m, "2026-03-10"); got != 2 {
			t.Errorf("Tokyo, 10 March: %d tickets created, want 2", got)
		}
		if got := created(t, m, "2026-03-09"); got != 0 {
			t.Errorf("Tokyo, 9 March: %d tickets created, want 0", got)
		}
		// The dashboard's "today" in Tokyo at 08:00 on 11 March (23:00 UTC
		// on the 10th) is 11 March, and the 7 days end with it.
		w.at(time.Date(2026, 3, 11, 8, 0, 0, 0, tokyo))
		f, err := metrics.ParseFilter(url.Values{"period": {"7"}}, m.Now(), tokyo)
		if err != nil {
			t.Fatal(err)
		}
		if want := time.Date(2026, 3, 12, 0, 0, 0, 0, tokyo); !f.To.Equal(want) || f.Days() != 7 {
			t.Errorf("7 days end %v (%d days), want %v", f.To, f.Days(), want)
		}

		// Back to UTC: the early ticket was created on 9 March there.
		if changed, err := m.SwitchZone(w.ctx, "UTC"); err != nil || !changed {
			t.Fatalf("switch to UTC: %v, %v", changed, err)
		}
		if _, on, err := m.Rebuilding(w.ctx); err != nil || !on {
			t.Fatalf("no rebuild running after the switch: %v", err)
		}
		w.runJobs()
		if _, on, _ := m.Rebuilding(w.ctx); on {
			t.Fatal("the rebuild did not finish")
		}
		if got := created(t, m, "2026-03-10"); got != 1 {
			t.Errorf("UTC, 10 March: %d tickets created, want 1", got)
		}
		if got := created(t, m, "2026-03-09"); got != 1 {
			t.Errorf("UTC, 9 March: %d tickets created, want 1", got)
		}
		equalsFresh(t, w, m, week(day(9, 0, 0), 2))
	})
}

// TestDSTDays: a day with a DST change is one day of 23 or 25 hours; what
// happens in it counts on it, in Rome on the last Sunday of October and in
// New York on the second Sunday of March.
func TestDSTDays(t *testing.T) {
	tests := []struct {
		name    string
		zone    string
		tickets []time.Time // UTC
		days    map[string]int
	}{
		{"rome, clocks back", "Europe/Rome", []time.Time{
			time.Date(2026, 10, 24, 22, 30, 0, 0, time.UTC), // Sun 25 00:30 CEST
			time.Date(2026, 10, 25, 1, 30, 0, 0, time.UTC),  // Sun 25 02:30 CET, the hour lived twice
			time.Date(2026, 10, 25, 22, 30, 0, 0, time.UTC), // Sun 25 23:30 CET
			time.Date(2026, 10, 25, 23, 30, 0, 0, time.UTC), // Mon 26 00:30 CET
		}, map[string]int{"2026-10-24": 0, "2026-10-25": 3, "2026-10-26": 1}},
		{"new york, clocks forward", "America/New_York", []time.Time{
			time.Date(2026, 3, 8, 4, 30, 0, 0, time.UTC), // Sat 7 23:30 EST
			time.Date(2026, 3, 8, 5, 30, 0, 0, time.UTC), // Sun 8 00:30 EST
			time.Date(2026, 3, 9, 3, 30, 0, 0, time.UTC), // Sun 8 23:30 EDT
			time.Date(2026, 3, 9, 4, 30, 0, 0, time.UTC), // Mon 9 00:30 EDT
		}, map[string]int{"2026-03-07": 1, "2026-03-08": 2, "2026-03-09": 1}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			storetest.Each(t, func(t *testing.T, db *store.DB) {
				w := newWorld(t, db)
				m := w.background(nil)
				if _, err := m.SwitchZone(w.ctx, tc.zone); err != nil {
					t.Fatal(err)
				}
				w.runJobs()
				for i, at := range tc.tickets {
					w.create("t"+string(rune('a'+i)), at, "email", "question", "en", "carla", "al", "billing")
				}
				for date, want := range tc.days {
					if got := created(t, m, date); got != want {
						t.Errorf("%s: %d tickets created, want %d", date, got, want)
					}
				}
				// A week across the change: seven days, and one week in the
				// trend starting on Monday at midnight.
				loc := zone(t, tc.zone)
				first := tc.tickets[0].In(loc)
				monday := time.Date(first.Year(), first.Month(), first.Day()-(int(first.Weekday())+6)%7, 0, 0, 0, 0, loc)
				f := metrics.Filter{From: monday, To: monday.AddDate(0, 0, 7)}
				rep, err := m.Compute(w.ctx, f)
				if err != nil {
					t.Fatal(err)
				}
				if rep.Filter.Days() != 7 || len(rep.Weeks) != 1 || !rep.Weeks[0].Start.Equal(monday) {
					t.Errorf("week of %v: %d days, weeks %+v", monday, rep.Filter.Days(), rep.Weeks)
				}
				if !rep.Previous.From.Equal(monday.AddDate(0, 0, -7)) {
					t.Errorf("previous week starts %v, want %v", rep.Previous.From, monday.AddDate(0, 0, -7))
				}
				// A period that does not start at a midnight there is refused.
				if _, err := m.Compute(w.ctx, metrics.Filter{From: monday.Add(time.Hour), To: monday.AddDate(0, 0, 7)}); err == nil {
					t.Error("a period starting at 01:00 was accepted")
				}
			})
		})
	}
}

// TestZoneChangeRebuilds: an admin saving the business with another zone
// switches the metrics in the same transaction and rebuilds them in the
// background; a ticket changed meanwhile counts in the new zone; after
// the rebuild the rollups equal a fresh computation.
func TestZoneChangeRebuilds(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := build(t, db)
		biz := business.New(business.Opts{DB: db, Clock: w.clock})
		m := w.background(biz)
		biz.Watch(m)
		utc := rollupState(t, db)

		p, err := biz.Profile(w.ctx)
		if err != nil {
			t.Fatal(err)
		}
		// Tokyo's days differ from UTC's from 15:00 UTC on: T3 (Mon 16:00
		// UTC) was created on Tuesday there.
		p.TimeZone = "Asia/Tokyo"
		if _, err := biz.Save(w.ctx, p); err != nil {
			t.Fatal(err)
		}
		loc, err := m.Zone(w.ctx)
		if err != nil || loc.String() != "Asia/Tokyo" {
			t.Fatalf("zone after save: %v, %v", loc, err)
		}
		// The dashboard serves at once, saying it is catching up.
		rep, err := m.Compute(w.ctx, metrics.Filter{From: time.Date(2026, 3, 2, 0, 0, 0, 0, loc), To: time.Date(2026, 3, 9, 0, 0, 0, 0, loc)})
		if err != nil {
			t.Fatal(err)
		}
		if rep.Rebuilding == nil || rep.TimeZone != "Asia/Tokyo" {
			t.Errorf("report while rebuilding: rebuilding %v, zone %q", rep.Rebuilding, rep.TimeZone)
		}
		if rollupState(t, db) != utc {
			t.Error("the save changed the rollups itself rather than leaving them to the job")
		}
		// One batch, then a change to a ticket the rebuild has not reached.
		if _, done, err := m.RebuildStep(w.ctx, 2); err != nil || done {
			t.Fatalf("first batch: done %v, %v", done, err)
		}
		w.reply("T6", day(9, 16, 0), "al") // Tue 10 March 01:00 in Tokyo, Mon 9 in UTC
		w.runJobs()
		if _, on, _ := m.Rebuilding(w.ctx); on {
			t.Fatal("the rebuild did not finish")
		}
		if rollupState(t, db) == utc {
			t.Error("the rollups did not change with the zone")
		}
		equalsFresh(t, w, m, metrics.Filter{From: time.Date(2026, 3, 2, 0, 0, 0, 0, loc), To: time.Date(2026, 3, 9, 0, 0, 0, 0, loc)})
		// Saving the same zone again starts nothing.
		if _, err := biz.Save(w.ctx, p); err != nil {
			t.Fatal(err)
		}
		if _, on, _ := m.Rebuilding(w.ctx); on {
			t.Error("saving the same zone started a rebuild")
		}
	})
}

// TestRebuildResumes: a rebuild stopped after some batches goes on from
// where it was when the server starts again, and ends equal to a fresh
// computation.
func TestRebuildResumes(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := build(t, db)
		m := w.background(nil)
		utc := rollupState(t, db)
		// A server that queues the switch but stops before its job runs.
		// Auckland (UTC+13 in March) has another date than UTC from 11:00
		// UTC on, so most of the dataset moves.
		if _, err := m.SwitchZone(w.ctx, "Pacific/Auckland"); err != nil {
			t.Fatal(err)
		}
		p1, done, err := m.RebuildStep(w.ctx, 3)
		if err != nil || done {
			t.Fatalf("first batch: %v, %v", done, err)
		}
		p2, done, err := m.RebuildStep(w.ctx, 3)
		if err != nil || done || p2.Done <= p1.Done || p2.Total != w.tk["T6"] {
			t.Fatalf("second batch: %+v after %+v, done %v, %v", p2, p1, done, err)
		}
		// The jobs table is wiped, as if the queued job were lost too.
		w.exec(`DELETE FROM jobs`)
		// A new server: Start queues the rebuild again, from where it was.
		again := w.background(nil)
		if err := again.Start(w.ctx); err != nil {
			t.Fatal(err)
		}
		if p, on, err := again.Rebuilding(w.ctx); err != nil || !on || p.Done != p2.Done {
			t.Fatalf("after start: %+v %v %v, want it at %d", p, on, err, p2.Done)
		}
		w.runJobs()
		if _, on, _ := again.Rebuilding(w.ctx); on {
			t.Fatal("the resumed rebuild did not finish")
		}
		if moved := rollupState(t, db); moved == utc {
			t.Error("the rollups did not change with the zone")
		}
		nz := zone(t, "Pacific/Auckland")
		equalsFresh(t, w, again, metrics.Filter{From: time.Date(2026, 2, 23, 0, 0, 0, 0, nz), To: time.Date(2026, 3, 9, 0, 0, 0, 0, nz)})
	})
}

// TestRebuildLogsOnce: a rebuild says once that the rollups are rebuilt,
// not again at each step of the greeting fill and the histogram merge
// that follow its last batch of tickets.
func TestRebuildLogsOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := build(t, db)
		var out strings.Builder
		m := metrics.New(metrics.Opts{DB: db, Clock: w.clock, Log: slog.New(slog.NewTextHandler(&out, nil))})
		if err := m.StartRebuild(w.ctx); err != nil {
			t.Fatal(err)
		}
		// A histogram merge follows the tickets, a day a step (rebucket.go).
		w.exec(`UPDATE metric_zone SET
		    rebucket_day = (SELECT MIN(created_day) FROM metric_facts),
		    rebucket_to = (SELECT MIN(created_day) + 3 FROM metric_facts)`)
		steps := 0
		for done := false; !done; steps++ {
			var err error
			if _, done, err = m.RebuildStep(w.ctx, 2); err != nil {
				t.Fatal(err)
			}
		}
		if n := strings.Count(out.String(), "metrics rollups rebuilt"); n != 1 {
			t.Errorf("logged %d times in %d steps, want once:\n%s", n, steps, out.String())
		}
	})
}

// TestDayNumbers: DayOf and DayStart agree across DST changes, and a day
// starts at the first instant that has its date.
func TestDayNumbers(t *testing.T) {
	for _, name := range []string{"UTC", "Europe/Rome", "Asia/Tokyo", "America/New_York", "America/Santiago", "Asia/Kolkata"} {
		loc := zone(t, name)
		start := metrics.DayOf(time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC), loc)
		for d := start; d < start+366; d++ {
			s := metrics.DayStart(d, loc)
			if metrics.DayOf(s, loc) != d || metrics.DayOf(s.Add(-time.Second), loc) != d-1 {
				t.Fatalf("%s: day %d starts %v", name, d, s)
			}
		}
	}
}

// TestDigestWeekInTokyo: a Tokyo business's digest goes out on Monday at
// 08:00 in Tokyo (Sunday 23:00 UTC) and reports Monday to Sunday there.
func TestDigestWeekInTokyo(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := build(t, db)
		var text string
		m := metrics.New(metrics.Opts{DB: db, Clock: w.clock, Jobs: w.jobs, Digest: &metrics.DigestOpts{
			I18n: i18n.MustLoad(), URL: "https://help.example.com",
			Send: func(_ context.Context, _, _, subject, body, _ string) error {
				text = subject + "\n" + body
				return nil
			}}})
		if _, err := m.SwitchZone(w.ctx, "Asia/Tokyo"); err != nil {
			t.Fatal(err)
		}
		w.runJobs()
		if err := m.ScheduleDigest(w.ctx); err != nil {
			t.Fatal(err)
		}
		tokyo := zone(t, "Asia/Tokyo")
		job, err := w.jobs.GetByKey(w.ctx, "metrics.digest:2026-W11")
		if err != nil {
			t.Fatal(err)
		}
		if want := time.Date(2026, 3, 9, 8, 0, 0, 0, tokyo); !job.RunAt.Equal(want) {
			t.Errorf("digest runs at %v, want %v", job.RunAt, want)
		}
		w.at(time.Date(2026, 3, 9, 8, 0, 0, 0, tokyo))
		for _, want := range []string{"Mar 2, 2026 – Mar 8, 2026", "/dashboard?from=2026-03-02&period=custom&to=2026-03-08"} {
			if !strings.Contains(text, want) {
				t.Errorf("digest lacks %q:\n%s", want, text)
			}
		}
		f := metrics.DigestFilter(job.RunAt, tokyo)
		if !f.From.Equal(time.Date(2026, 3, 2, 0, 0, 0, 0, tokyo)) || f.Days() != 7 {
			t.Errorf("digest period %v – %v", f.From, f.To)
		}
	})
}
