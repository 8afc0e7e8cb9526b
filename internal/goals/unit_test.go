package goals_test

import (
	"math"
	"testing"
	"time"

	"github.com/rapport/rapport/internal/goals"
)

func ptr(f float64) *float64 { return &f }

func TestMeasure(t *testing.T) {
	start := time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)
	end := start.AddDate(0, 0, 7)
	mid := start.Add(84 * time.Hour) // half the week gone
	tests := []struct {
		name     string
		metric   goals.Metric
		target   float64
		baseline *float64
		value    float64
		hasData  bool
		now      time.Time
		share    float64
		status   goals.Status
		met      bool
		onTrack  bool
	}{
		// Lower is better, from a baseline of 41 to a target of 36: 38.5
		// is half the way; still above target, so behind.
		{"lower halfway from baseline", goals.FRTCalendar, 36, ptr(41), 38.5, true, mid, 0.5, goals.StatusBehind, false, false},
		{"lower met while running", goals.FRTCalendar, 36, ptr(41), 30, true, mid, 1, goals.StatusOnTrack, true, true},
		{"lower met at the end", goals.FRTCalendar, 36, ptr(41), 36, true, end, 1, goals.StatusMet, true, true},
		{"lower missed at the end", goals.FRTCalendar, 36, ptr(41), 45, true, end, 0, goals.StatusMissed, false, false},
		// Without a baseline, lower is better goes as target / value.
		{"lower without baseline", goals.SinRate, 10, nil, 40, true, mid, 0.25, goals.StatusBehind, false, false},
		// Higher is better from the bottom of the range: 60 of 80 % CSAT.
		{"higher without baseline", goals.CSAT, 80, nil, 60, true, mid, 0.75, goals.StatusBehind, false, false},
		// From a baseline of 70 to 80: 75 is half the way.
		{"higher from baseline", goals.CSAT, 80, ptr(70), 75, true, mid, 0.5, goals.StatusBehind, false, false},
		// NPS ranges from −100: 20 of the way from −100 to 20 is 120/120.
		{"nps from the bottom of its range", goals.NPS, 20, nil, -40, true, mid, 0.5, goals.StatusBehind, false, false},
		// A baseline already past the target is no starting point.
		{"baseline better than target ignored", goals.CSAT, 80, ptr(90), 40, true, mid, 0.5, goals.StatusBehind, false, false},
		// Counts: 12 of 40 solved with 25 % of the week gone keeps pace
		// (needs 10); 8 does not.
		{"count on pace", goals.Solved, 40, nil, 12, true, start.Add(42 * time.Hour), 0.3, goals.StatusOnTrack, false, true},
		{"count behind pace", goals.Solved, 40, nil, 8, true, start.Add(42 * time.Hour), 0.2, goals.StatusBehind, false, false},
		// A count is met for good the moment it is reached.
		{"count met early", goals.Recommitments, 3, nil, 3, true, start.Add(time.Hour), 1, goals.StatusMet, true, true},
		// Nothing counted is zero for a count, and no data otherwise.
		{"count without data is zero", goals.Solved, 10, nil, 0, false, mid, 0, goals.StatusBehind, false, false},
		{"rate without data", goals.CSAT, 80, nil, 0, false, mid, 0, goals.StatusNoData, false, false},
		{"rate without data ended", goals.CSAT, 80, nil, 0, false, end, 0, goals.StatusMissed, false, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := goals.Measure(tc.metric, tc.target, tc.baseline, tc.value, tc.hasData, start, end, tc.now)
			if math.Abs(p.Share-tc.share) > 1e-9 || p.Status != tc.status || p.Met != tc.met || p.OnTrack != tc.onTrack {
				t.Errorf("Measure = share %v status %s met %v on track %v; want %v %s %v %v",
					p.Share, p.Status, p.Met, p.OnTrack, tc.share, tc.status, tc.met, tc.onTrack)
			}
		})
	}
}

func TestSuggestTarget(t *testing.T) {
	tests := []struct {
		name      string
		metric    goals.Metric
		history   []float64
		peers     []float64
		target    float64
		baseline  float64
		reference float64
		ok        bool
	}{
		// Median 41; peers' 25th percentile 30 + 0.75·5 = 33.75; 10 % of
		// the 7.25 gap is 0.725, raised to the one-minute resolution.
		{"frt raised to resolution", goals.FRTCalendar, []float64{42, 38, 45, 40}, []float64{30, 35, 41, 50}, 40, 41, 33.75, true},
		// Median 85; 75th percentile of peers 95 + 0.25·5 = 96.25; step
		// 1.125 → 86.125, rounded to 86.
		{"csat step of the gap", goals.CSAT, []float64{80, 90, 85}, []float64{70, 85, 95, 100}, 86, 85, 96.25, true},
		// Reference 5 + 0.75·5 = 8.75; gap 31.25 → step 3.125 (cap 4):
		// 40 − 3.125 = 36.875 → 37.
		{"sin rate", goals.SinRate, []float64{40, 40, 40}, []float64{5, 10, 40, 60}, 37, 40, 8.75, true},
		// Gap 80 → step 8, capped at 10 % of the baseline 20: 22.
		{"step capped by baseline", goals.QAScore, []float64{20, 20, 20}, []float64{20, 100, 100, 100}, 22, 20, 100, true},
		// Already the best: hold the baseline.
		{"best quartile holds", goals.CSAT, []float64{95, 97}, []float64{60, 70, 96}, 96, 96, 83, true},
		// NPS below zero: median −15, reference 26.25, step 4.125 capped at
		// 1.5 → −13.5, rounded to −14 (still better than −15).
		{"negative nps", goals.NPS, []float64{-10, -20}, []float64{-15, 40}, -14, -15, 26.25, true},
		// A count rounds to whole tickets: median 20, reference 29.5,
		// step 0.95 → 1.
		{"count", goals.Solved, []float64{18, 22, 20}, []float64{10, 20, 26, 40}, 21, 20, 29.5, true},
		// A gap (0.00875) smaller than the resolution (0.01) is closed
		// exactly: 0.49125, rounded to 0.49.
		{"gap below resolution", goals.Transfers, []float64{0.5}, []float64{0.49, 0.495}, 0.49, 0.5, 0.49125, true},
		{"no history", goals.CSAT, nil, []float64{80}, 0, 0, 0, false},
		{"no peers holds", goals.Solved, []float64{7, 9}, nil, 8, 8, 8, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			target, baseline, ref, ok := goals.SuggestTarget(tc.metric, tc.history, tc.peers)
			if ok != tc.ok {
				t.Fatalf("ok = %v, want %v", ok, tc.ok)
			}
			if !ok {
				return
			}
			if math.Abs(target-tc.target) > 1e-9 || math.Abs(baseline-tc.baseline) > 1e-9 || math.Abs(ref-tc.reference) > 1e-9 {
				t.Errorf("SuggestTarget = %v (baseline %v, reference %v), want %v (%v, %v)",
					target, baseline, ref, tc.target, tc.baseline, tc.reference)
			}
			if goals.Specs[tc.metric].LowerIsBetter && target > baseline || !goals.Specs[tc.metric].LowerIsBetter && target < baseline {
				t.Errorf("target %v is worse than the baseline %v", target, baseline)
			}
		})
	}
}

func TestPeriodStart(t *testing.T) {
	at := time.Date(2026, 5, 14, 15, 30, 0, 0, time.UTC) // a Thursday
	tests := []struct {
		name   string
		period goals.Period
		start  time.Time
		next   time.Time
	}{
		{"week", goals.Week, time.Date(2026, 5, 11, 0, 0, 0, 0, time.UTC), time.Date(2026, 5, 18, 0, 0, 0, 0, time.UTC)},
		{"month", goals.Month, time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)},
		{"quarter", goals.Quarter, time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := tc.period.Start(at, time.UTC)
			if !s.Equal(tc.start) || !tc.period.Next(s).Equal(tc.next) || !tc.period.Prev(tc.period.Next(s)).Equal(s) {
				t.Errorf("Start = %v, Next = %v; want %v, %v", s, tc.period.Next(s), tc.start, tc.next)
			}
		})
	}
}

// TestPeriodStartInZone: periods start at the business's midnights, and a
// week across a DST change is still Monday to Monday.
func TestPeriodStartInZone(t *testing.T) {
	zone := func(name string) *time.Location {
		loc, err := time.LoadLocation(name)
		if err != nil {
			t.Fatal(err)
		}
		return loc
	}
	tokyo, rome, york := zone("Asia/Tokyo"), zone("Europe/Rome"), zone("America/New_York")
	tests := []struct {
		name   string
		period goals.Period
		at     time.Time
		loc    *time.Location
		start  time.Time
		next   time.Time
	}{
		// Sunday 31 May 2026 20:00 UTC is Monday 1 June 05:00 in Tokyo.
		{"tokyo week", goals.Week, time.Date(2026, 5, 31, 20, 0, 0, 0, time.UTC), tokyo,
			time.Date(2026, 6, 1, 0, 0, 0, 0, tokyo), time.Date(2026, 6, 8, 0, 0, 0, 0, tokyo)},
		{"tokyo month", goals.Month, time.Date(2026, 5, 31, 20, 0, 0, 0, time.UTC), tokyo,
			time.Date(2026, 6, 1, 0, 0, 0, 0, tokyo), time.Date(2026, 7, 1, 0, 0, 0, 0, tokyo)},
		// 1 April 2026 02:00 UTC is still 31 March in New York.
		{"new york quarter", goals.Quarter, time.Date(2026, 4, 1, 2, 0, 0, 0, time.UTC), york,
			time.Date(2026, 1, 1, 0, 0, 0, 0, york), time.Date(2026, 4, 1, 0, 0, 0, 0, york)},
		// The week of the last Sunday of October: 169 hours long in Rome.
		{"rome dst week", goals.Week, time.Date(2026, 10, 25, 12, 0, 0, 0, time.UTC), rome,
			time.Date(2026, 10, 19, 0, 0, 0, 0, rome), time.Date(2026, 10, 26, 0, 0, 0, 0, rome)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := tc.period.Start(tc.at, tc.loc)
			if !s.Equal(tc.start) || !tc.period.Next(s).Equal(tc.next) || !tc.period.Prev(tc.period.Next(s)).Equal(s) {
				t.Errorf("Start = %v, Next = %v; want %v, %v", s, tc.period.Next(s), tc.start, tc.next)
			}
		})
	}
}
