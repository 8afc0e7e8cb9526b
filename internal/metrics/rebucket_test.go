package metrics_test

import (
	"reflect"
	"testing"

	"github.com/rapport/rapport/internal/metrics"
	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/store/storetest"
	"github.com/rapport/rapport/internal/ticket"
)

// finerBuckets rewrites histogram rows as a database from before the steps
// (migration 0055) holds them: each row whose step spans more than one
// bucket of two significant digits moves to the next of those inside its
// step, and the state is what the migration leaves. It returns how many
// rows moved.
func finerBuckets(t *testing.T, w *world) int {
	t.Helper()
	// The changes' contributions wait as deltas until a fold adds them to
	// the histogram rows that a database from before the steps held.
	if _, err := w.m.Fold(w.ctx); err != nil {
		t.Fatal(err)
	}
	moved := 0
	for _, table := range []string{"metric_hist", "metric_week_hist"} {
		buckets, err := store.Int64s(w.db.R.QueryContext(w.ctx, `SELECT DISTINCT bucket FROM `+table+` ORDER BY bucket DESC`))
		if err != nil {
			t.Fatal(err)
		}
		for _, b := range buckets {
			if b < 100_000 {
				continue
			}
			unit := int64(1000) // one of the second significant digit, in ms
			for b/unit >= 100 {
				unit *= 10
			}
			if finer := b + unit; metrics.BucketOf(finer) == b {
				res, err := w.db.W.ExecContext(w.ctx, `UPDATE `+table+` SET bucket = $1 WHERE bucket = $2`, finer, b)
				if err != nil {
					t.Fatal(err)
				}
				n, _ := res.RowsAffected()
				moved += int(n)
			}
		}
	}
	w.exec(`UPDATE metric_zone SET
	    rebucket_day = (SELECT (MIN(day) + 3) / 7 * 7 - 3 FROM metric_hist),
	    rebucket_to = (SELECT (MAX(day) + 3) / 7 * 7 + 3 FROM metric_hist)
	WHERE EXISTS (SELECT 1 FROM metric_hist)`)
	return moved
}

// finerRows counts the histogram rows not in their steps.
func finerRows(t *testing.T, w *world) int {
	t.Helper()
	n := 0
	for _, table := range []string{"metric_hist", "metric_week_hist"} {
		buckets, err := store.Int64s(w.db.R.QueryContext(w.ctx, `SELECT bucket FROM `+table))
		if err != nil {
			t.Fatal(err)
		}
		for _, b := range buckets {
			if metrics.BucketOf(b) != b {
				n++
			}
		}
	}
	return n
}

// TestRebucket: histogram rows of the finer buckets of before count
// exactly as their steps at once (the same report, periods read from
// weeks and from days alike), and the background rebuild merges them into
// their steps while tickets change before and after its cursor, ending
// equal to a fresh computation.
func TestRebucket(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := build(t, db)
		filters := []metrics.Filter{week(day(2, 0, 0), 7), {From: day(-23, 0, 0), To: day(16, 0, 0)}}
		var want []metrics.Report
		for _, f := range filters {
			rep, err := w.m.Compute(w.ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			want = append(want, rep)
		}
		if moved := finerBuckets(t, w); moved < 5 {
			t.Fatalf("only %d rows moved to finer buckets: the test says little", moved)
		}
		for i, f := range filters {
			got, err := w.m.Compute(w.ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, want[i]) {
				t.Errorf("finer rows give another report:\n got %+v\nwant %+v", got.Current, want[i].Current)
			}
		}
		// A new server queues the merge; one day is merged, then tickets
		// change behind its cursor and ahead of it (retracting contributions
		// that old rows hold).
		m := w.background(nil)
		if err := m.Start(w.ctx); err != nil {
			t.Fatal(err)
		}
		if _, done, err := m.RebuildStep(w.ctx, 0); err != nil || done {
			t.Fatalf("first step: done %v, %v", done, err)
		}
		w.status("P2", day(5, 10, 0), "bo", ticket.Solved)
		w.status("T6", day(9, 10, 0), "bo", ticket.Solved)
		w.create("T7", day(9, 11, 0), "chat", "question", "en", "rob", "al", "tech")
		w.reply("T7", day(9, 11, 5), "al")
		w.runJobs()
		var day *int64
		if err := db.R.QueryRowContext(w.ctx, `SELECT rebucket_day FROM metric_zone`).Scan(&day); err != nil {
			t.Fatal(err)
		}
		if day != nil {
			t.Fatalf("the merge did not finish: rebucket_day %d", *day)
		}
		if n := finerRows(t, w); n != 0 {
			t.Errorf("%d rows left in finer buckets", n)
		}
		equalsFresh(t, w, m, filters[1])
	})
}
