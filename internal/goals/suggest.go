package goals

import (
	"math"
	"slices"
)

// The suggestion rule's settings.
const (
	// HistoryPeriods is how many complete periods before a goal's period
	// its suggestion looks at.
	HistoryPeriods = 4
	// StepOfGap is the share of the gap to the best quartile a suggested
	// target asks the subject to close in one period.
	StepOfGap = 0.10
	// MaxStepOfBaseline bounds the step to this share of the baseline, so
	// that one period never asks for a leap.
	MaxStepOfBaseline = 0.10
)

// SuggestTarget is the rule behind suggested targets: challenging, but
// within reach of what the subject already does.
//
//  1. The baseline is the median of the subject's own values over its last
//     complete periods (history; HistoryPeriods of them, those with data).
//     No history, no suggestion (ok is false).
//  2. The reference is the best quartile of peers: the 75th percentile of
//     peers' values when higher is better, the 25th when lower is better
//     (linear interpolation between the sorted values). Peers of an agent
//     are the medians of their team-mates (the agent included) over the
//     same periods (for tickets solved, those who solved any); for a team
//     they are the team's own period values, so a team is asked to get
//     nearer its own best weeks.
//  3. When the reference is better than the baseline, the target moves
//     StepOfGap (10 %) of the gap from the baseline toward it, but no more
//     than MaxStepOfBaseline (10 %) of the baseline and no less than the
//     metric's resolution (one minute, one point, one ticket) or the gap,
//     whichever is smaller. A subject already in the best quartile is
//     asked to hold its baseline.
//  4. The target is rounded to the metric's resolution and into its range;
//     should rounding undo the step, it goes one resolution further.
//
// For example, first-response medians of 42, 38, 45 and 40 minutes give a
// baseline of 41; with a peers' best quartile of 33.75, 10 % of the gap
// is 0.725 minutes, raised to the one-minute resolution: 40 minutes.
func SuggestTarget(m Metric, history, peers []float64) (target, baseline, reference float64, ok bool) {
	if len(history) == 0 || !m.Valid() {
		return 0, 0, 0, false
	}
	sp := Specs[m]
	baseline = quantile(history, 0.5)
	reference = baseline
	if len(peers) > 0 {
		q := 0.75
		if sp.LowerIsBetter {
			q = 0.25
		}
		reference = quantile(peers, q)
	}
	if !m.Better(reference, baseline) {
		return m.round(baseline), baseline, reference, true
	}
	gap := math.Abs(reference - baseline)
	step := StepOfGap * gap
	if limit := MaxStepOfBaseline * math.Abs(baseline); step > limit {
		step = limit
	}
	step = math.Max(step, math.Min(sp.Resolution, gap))
	dir := 1.0
	if sp.LowerIsBetter {
		dir = -1
	}
	target = m.round(baseline + dir*step)
	if !m.Better(target, baseline) {
		target = m.round(target + dir*sp.Resolution)
	}
	return target, baseline, reference, true
}

// quantile is the q-quantile of xs by linear interpolation between the
// sorted values (the "type 7" rule of most statistics packages).
func quantile(xs []float64, q float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s) == 1 {
		return s[0]
	}
	h := q * float64(len(s)-1)
	lo := int(math.Floor(h))
	if lo >= len(s)-1 {
		return s[len(s)-1]
	}
	return s[lo] + (h-float64(lo))*(s[lo+1]-s[lo])
}
