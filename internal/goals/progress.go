package goals

import (
	"math"
	"time"
)

// Status is where a goal stands.
type Status string

// The statuses of a goal's progress.
const (
	StatusMet     Status = "met"      // reached (final)
	StatusMissed  Status = "missed"   // the period ended without reaching it
	StatusOnTrack Status = "on_track" // running, and on course to reach it
	StatusBehind  Status = "behind"   // running, not on course
	StatusNoData  Status = "no_data"  // nothing measured yet
)

// Statuses lists every status.
var Statuses = []Status{StatusMet, StatusMissed, StatusOnTrack, StatusBehind, StatusNoData}

// Progress is how far a goal is: its value over the period so far and the
// share of the way from its baseline to its target.
type Progress struct {
	Value   float64 // meaningful only when HasData
	HasData bool
	// Share is the share (0–1) of the way to the target; 1 when met.
	Share float64
	// Elapsed is the share (0–1) of the period gone.
	Elapsed float64
	Met     bool // the value meets the target now
	OnTrack bool
	Status  Status
}

// Percent is Share on 0–100, rounded, for progress bars.
func (p Progress) Percent() int { return int(math.Round(p.Share * 100)) }

// Measure works out a goal's progress from its value so far (hasData false
// when nothing was measured), at time now. The arithmetic, per direction:
//
//   - Share of the way: from the baseline (the subject's recent median,
//     when it is known and worse than the target) to the target,
//     (value − baseline) / (target − baseline). Without such a baseline,
//     higher-is-better metrics go from the bottom of their range,
//     (value − min) / (target − min), and lower-is-better ones as
//     target / value. Clamped to 0–1, and 1 whenever the target is met.
//   - Met: value ≥ target (higher is better) or value ≤ target (lower).
//     Cumulative counts (tickets solved, re-commitments) only grow, so they
//     are met for good the moment they reach the target; the others are
//     final when the period ends.
//   - On track: a cumulative count keeps pace when value ≥ target × the
//     share of the period gone; any other metric when it meets the target
//     now.
func Measure(m Metric, target float64, baseline *float64, value float64, hasData bool, start, end, now time.Time) Progress {
	sp := Specs[m]
	p := Progress{Value: value, HasData: hasData}
	switch {
	case !now.After(start):
		p.Elapsed = 0
	case !now.Before(end):
		p.Elapsed = 1
	default:
		p.Elapsed = float64(now.Sub(start)) / float64(end.Sub(start))
	}
	ended := p.Elapsed >= 1
	if sp.Cumulative && !hasData {
		// A count with nothing counted is a zero, not a gap.
		value, hasData = 0, true
		p.Value, p.HasData = 0, true
	}
	if !hasData {
		p.Status = StatusNoData
		if ended {
			p.Status = StatusMissed
		}
		return p
	}
	p.Met = m.Meets(value, target)
	p.Share = shareOfWay(m, target, baseline, value)
	if p.Met {
		p.Share = 1
	}
	if sp.Cumulative {
		p.OnTrack = p.Met || value >= target*p.Elapsed-1e-9
	} else {
		p.OnTrack = p.Met
	}
	switch {
	case p.Met && (ended || sp.Cumulative):
		p.Status = StatusMet
	case ended:
		p.Status = StatusMissed
	case p.OnTrack:
		p.Status = StatusOnTrack
	default:
		p.Status = StatusBehind
	}
	return p
}

// shareOfWay is the share (0–1) of the way from the start point to target.
func shareOfWay(m Metric, target float64, baseline *float64, value float64) float64 {
	sp := Specs[m]
	var s float64
	switch {
	case baseline != nil && m.Better(target, *baseline):
		s = (value - *baseline) / (target - *baseline)
	case !sp.LowerIsBetter:
		if target <= sp.Min {
			return 1
		}
		s = (value - sp.Min) / (target - sp.Min)
	default:
		if value <= 0 {
			return 1
		}
		s = target / value
	}
	if math.IsNaN(s) {
		return 0
	}
	return math.Min(1, math.Max(0, s))
}
