package goals

import (
	"math"
	"time"
)

// Metric names what a goal measures.
type Metric string

// The metrics a goal can be set on. Values are in display units: minutes,
// per cent (0–100), points or counts.
const (
	FRTBusiness   Metric = "frt_business"  // first-response median, business minutes (lower is better)
	FRTCalendar   Metric = "frt_calendar"  // first-response median, calendar minutes (lower is better)
	CSAT          Metric = "csat"          // share of CSAT answers of 4–5, per cent
	NPS           Metric = "nps"           // net promoter score, −100…100
	Solved        Metric = "solved"        // tickets solved in the period
	ReopenRate    Metric = "reopen_rate"   // solved tickets reopened, per cent (lower is better)
	Transfers     Metric = "transfers"     // transfers per solved ticket (lower is better)
	QAScore       Metric = "qa_score"      // mean QA review total, 0–100
	SinRate       Metric = "sin_rate"      // replies with a sin per 100 replies (lower is better)
	Recommitments Metric = "recommitments" // re-commitments confirmed in the period
)

// Metrics lists every metric in display order.
var Metrics = []Metric{FRTBusiness, FRTCalendar, CSAT, NPS, Solved, ReopenRate, Transfers, QAScore, SinRate, Recommitments}

// Spec describes how a metric behaves: which way is better, its range, the
// step its targets are rounded to, and whether it only grows over a period.
type Spec struct {
	LowerIsBetter bool
	Min, Max      float64 // valid range of values and targets
	Resolution    float64 // targets are rounded to multiples of this
	// Cumulative metrics are counts that only grow during a period: they
	// are met the moment the target is reached, and on track when they
	// keep pace with the time gone.
	Cumulative bool
}

// Specs holds the Spec of every metric.
var Specs = map[Metric]Spec{
	FRTBusiness:   {LowerIsBetter: true, Min: 0, Max: 60 * 24 * 90, Resolution: 1},
	FRTCalendar:   {LowerIsBetter: true, Min: 0, Max: 60 * 24 * 90, Resolution: 1},
	CSAT:          {Min: 0, Max: 100, Resolution: 1},
	NPS:           {Min: -100, Max: 100, Resolution: 1},
	Solved:        {Min: 0, Max: 1e6, Resolution: 1, Cumulative: true},
	ReopenRate:    {LowerIsBetter: true, Min: 0, Max: 100, Resolution: 0.5},
	Transfers:     {LowerIsBetter: true, Min: 0, Max: 100, Resolution: 0.01},
	QAScore:       {Min: 0, Max: 100, Resolution: 1},
	SinRate:       {LowerIsBetter: true, Min: 0, Max: 100, Resolution: 1},
	Recommitments: {Min: 0, Max: 1e6, Resolution: 1, Cumulative: true},
}

// Valid reports whether m is a known metric.
func (m Metric) Valid() bool { _, ok := Specs[m]; return ok }

// Better reports whether value a is strictly better than b on m.
func (m Metric) Better(a, b float64) bool {
	if Specs[m].LowerIsBetter {
		return a < b
	}
	return a > b
}

// Meets reports whether value v meets target t on m.
func (m Metric) Meets(v, t float64) bool {
	if Specs[m].LowerIsBetter {
		return v <= t+1e-9
	}
	return v >= t-1e-9
}

// round rounds v to m's resolution and into its range.
func (m Metric) round(v float64) float64 {
	sp := Specs[m]
	r := math.Round(v/sp.Resolution) * sp.Resolution
	// Keep the decimals the resolution has, not float noise.
	r = math.Round(r*100) / 100
	return math.Min(sp.Max, math.Max(sp.Min, r))
}

// Period names the length of a goal's period.
type Period string

// The periods of goals, each starting at a midnight of the business's
// zone (Service.Zone): Monday, the 1st of the month, the 1st of January,
// April, July or October.
const (
	Week    Period = "week"
	Month   Period = "month"
	Quarter Period = "quarter"
)

// Periods lists the periods in display order.
var Periods = []Period{Week, Month, Quarter}

// Valid reports whether p is a known period.
func (p Period) Valid() bool { return p == Week || p == Month || p == Quarter }

// Start returns the start (midnight in loc) of the period of kind p
// holding t, as loc has the calendar.
func (p Period) Start(t time.Time, loc *time.Location) time.Time {
	t = t.In(loc)
	y, m, d := t.Date()
	switch p {
	case Month:
		d = 1
	case Quarter:
		m, d = time.Month(3*((int(m)-1)/3)+1), 1
	default:
		d -= (int(t.Weekday()) + 6) % 7 // days since Monday
	}
	return dayStart(time.Date(y, m, d, 12, 0, 0, 0, loc), loc)
}

// Next returns the start of the period after the one starting at start,
// in start's location.
func (p Period) Next(start time.Time) time.Time {
	switch p {
	case Month:
		return dayStart(start.AddDate(0, 1, 0), start.Location())
	case Quarter:
		return dayStart(start.AddDate(0, 3, 0), start.Location())
	default:
		return dayStart(start.AddDate(0, 0, 7), start.Location())
	}
}

// Prev returns the start of the period before the one starting at start,
// in start's location.
func (p Period) Prev(start time.Time) time.Time {
	switch p {
	case Month:
		return dayStart(start.AddDate(0, -1, 0), start.Location())
	case Quarter:
		return dayStart(start.AddDate(0, -3, 0), start.Location())
	default:
		return dayStart(start.AddDate(0, 0, -7), start.Location())
	}
}
