package web

import (
	"math"
	"slices"
	"testing"
	"time"

	"github.com/rapport/rapport/internal/i18n"
	"github.com/rapport/rapport/internal/metrics"
)

// weeksFrom is n weeks from the Monday start with first-response medians
// frt (nil: no data) and complaints.
func weeksFrom(start time.Time, n int, frt func(i int) metrics.Value, complaints func(i int) int64) []metrics.Week {
	out := make([]metrics.Week, n)
	for i := range out {
		out[i] = metrics.Week{Start: start.AddDate(0, 0, 7*i), FirstResponse: frt(i), ComplaintsWritten: complaints(i)}
		out[i].Complaints = out[i].ComplaintsWritten
	}
	return out
}

// The dashboard's line charts, drawn from known series: the x labels are
// the weeks' dates in order, none cut at an edge nor touching another; the
// y labels are round values that fit left of the plot; every point sits at
// its week and value inside the plot box.
func TestLineChartAxesAndPoints(t *testing.T) {
	cat := i18n.MustLoad()
	mon := time.Date(2025, 1, 6, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name  string
		lang  string
		weeks []metrics.Week
		chart func(*page, []metrics.Week) lineChart2
		top   float64 // the y axis's top
		value func(metrics.Week) metrics.Value
		grid  []string // y labels, bottom up
		// labelled are the weeks labelled under the axis, by index.
		labelled []int
	}{
		{"a month in English", "en", weeksFrom(mon, 5, func(i int) metrics.Value { return metrics.Of(float64(600 * (i + 1))) }, func(int) int64 { return 0 }),
			frtChart, 3600, func(w metrics.Week) metrics.Value { return w.FirstResponse },
			[]string{"0 s", "15 min", "30 min", "45 min", "1 h"}, []int{0, 1, 2, 3, 4}},
		{"ten weeks: the last label does not crowd the one before", "en",
			weeksFrom(mon, 10, func(i int) metrics.Value { return metrics.Of(float64(3600 * (i%3 + 1))) }, func(int) int64 { return 0 }),
			frtChart, 4 * 3600, func(w metrics.Week) metrics.Value { return w.FirstResponse },
			[]string{"0 s", "1 h", "2 h", "3 h", "4 h"}, nil},
		{"a year in Catalan, thinned", "ca",
			weeksFrom(time.Date(2025, 9, 1, 0, 0, 0, 0, time.UTC), 53, func(i int) metrics.Value {
				if i%5 == 4 {
					return metrics.Value{} // a week without data leaves a gap, not a zero
				}
				return metrics.Of(float64(36 * 3600 * (i % 4)))
			}, func(int) int64 { return 0 }),
			frtChart, 8 * 86400, func(w metrics.Week) metrics.Value { return w.FirstResponse },
			[]string{"0 s", "2 d", "4 d", "6 d", "8 d"}, nil},
		{"one week", "lv", weeksFrom(mon, 1, func(int) metrics.Value { return metrics.Of(90) }, func(int) int64 { return 0 }),
			frtChart, 240, func(w metrics.Week) metrics.Value { return w.FirstResponse },
			[]string{"0 s", "1 min", "2 min", "3 min", "4 min"}, []int{0}},
		{"complaints in Russian: whole numbers", "ru",
			weeksFrom(mon, 13, func(int) metrics.Value { return metrics.Value{} }, func(i int) int64 { return int64(i % 8) }),
			complaintChart, 8, func(w metrics.Week) metrics.Value { return metrics.Of(float64(w.ComplaintsWritten)) },
			[]string{"0", "2", "4", "6", "8"}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := &page{s: &server{cat: cat}, Lang: tc.lang}
			c := tc.chart(p, tc.weeks)
			n := len(tc.weeks)

			// The y axis: its labels bottom up, each at its value, each
			// fitting left of the plot.
			var grid []string
			for i, g := range c.Grid {
				grid = append(grid, g.Label)
				if want := c.Bottom - int(math.Round(float64(i)/4*float64(c.Bottom-c.Top))); absInt(g.Y-want) > 1 {
					t.Errorf("grid %q at y %d, want %d", g.Label, g.Y, want)
				}
				if left := c.LabelX - textWidth(g.Label, chartFont); left < 0 {
					t.Errorf("y label %q is cut: it starts at %d", g.Label, left)
				}
			}
			if tc.grid != nil && !slices.Equal(grid, tc.grid) {
				t.Errorf("y labels = %q, want %q", grid, tc.grid)
			}

			// The x axis: dates of the weeks, in order, the latest always.
			var at []int
			prevRight := -labelGap
			for _, l := range c.Labels {
				i := slices.IndexFunc(tc.weeks, func(w metrics.Week) bool { return p.formatDay("date.short", w.Start) == l.Label })
				if i < 0 {
					t.Fatalf("x label %q is no week's date", l.Label)
				}
				at = append(at, i)
				w := textWidth(l.Label, chartFont)
				left, right := l.X-w/2, l.X-w/2+w
				if left < 0 || right > c.Width {
					t.Errorf("x label %q is cut: it spans %d–%d of 0–%d", l.Label, left, right, c.Width)
				}
				if left < prevRight+labelGap {
					t.Errorf("x label %q (from %d) touches the one before (to %d)", l.Label, left, prevRight)
				}
				prevRight = right
			}
			if !slices.IsSorted(at) || len(slices.Compact(slices.Clone(at))) != len(at) {
				t.Errorf("x labels out of order: weeks %v", at)
			}
			if len(at) == 0 || at[len(at)-1] != n-1 {
				t.Errorf("the latest week is not labelled: weeks %v of %d", at, n)
			}
			if len(at) < min(n, 4) {
				t.Errorf("only %d labels for %d weeks", len(at), n)
			}
			if tc.labelled != nil && !slices.Equal(at, tc.labelled) {
				t.Errorf("labelled weeks %v, want %v", at, tc.labelled)
			}

			// The points: one per week with data, at the week's x and the
			// value's y, inside the plot box.
			var dots []chartDot
			for _, s := range c.Series[:1] {
				dots = s.Dots
			}
			k := 0
			for i, w := range tc.weeks {
				v := tc.value(w)
				if !v.Valid {
					continue
				}
				if k >= len(dots) {
					t.Fatalf("%d dots, want one for week %d", len(dots), i)
				}
				d := dots[k]
				k++
				wantX := float64(c.Left+c.Right) / 2
				if n > 1 {
					wantX = float64(c.Left) + float64(i)*float64(c.Right-c.Left)/float64(n-1)
				}
				wantY := float64(c.Bottom) - v.V/tc.top*float64(c.Bottom-c.Top)
				if math.Abs(float64(d.X)-wantX) > 1 || math.Abs(float64(d.Y)-wantY) > 1 {
					t.Errorf("week %d value %v at (%d, %d), want (%.1f, %.1f)", i, v.V, d.X, d.Y, wantX, wantY)
				}
				if d.X < c.Left || d.X > c.Right || d.Y < c.Top || d.Y > c.Bottom {
					t.Errorf("week %d at (%d, %d) is outside the plot %d–%d × %d–%d", i, d.X, d.Y, c.Left, c.Right, c.Top, c.Bottom)
				}
			}
			if k != len(dots) {
				t.Errorf("%d dots, want %d", len(dots), k)
			}
		})
	}
}

func absInt(x int) int {
	if x < 0 {
		return -x
	}
	return x
}
