package metrics

import (
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/rapport/rapport/internal/i18n"
)

// Kind says how a KPI's value reads.
type Kind string

// KPI kinds.
const (
	KindDuration Kind = "duration" // seconds
	KindShare    Kind = "share"    // 0–1, shown as a percentage
	KindCount    Kind = "count"
	KindRatio    Kind = "ratio" // e.g. transfers per ticket
	KindScore    Kind = "score" // CSAT mean, 1–5
	KindNPS      Kind = "nps"   // −100…100
)

// MinBase is the fewest tickets, answers, surveys, promises or customers a
// rate, mean or median may rest on before it is marked "too few to judge":
// under ten, one more or one fewer moves a share by over ten points, so a
// change against the previous period says little.
const MinBase = 10

// Units of a KPI's base: what it counts over.
const (
	UnitTickets   = "tickets"
	UnitAnswers   = "answers"
	UnitSurveys   = "surveys"
	UnitPromises  = "promises"
	UnitCustomers = "customers"
)

// KPI is one tile of the dashboard, one line of the digest and of the KPI
// CSV: a metric now and in the previous period.
type KPI struct {
	Key      string // catalogue key suffix: metrics.kpi.<Key>
	Kind     Kind
	Cur      Value
	Prev     Value
	LowerBad bool // true when a rise is good news (CSAT); false when a fall is (response times)
	// Unit is what a rate, mean or median is over ("" for a count, which
	// rests on nothing but itself); Base and PrevBase are how many of them
	// it rests on now and in the previous period.
	Unit           string
	Base, PrevBase int64
}

// TooFew reports whether the KPI rests on fewer than MinBase tickets or
// answers in the period: shown, but not to be judged.
func (k KPI) TooFew() bool { return k.Unit != "" && k.Base < MinBase }

// PrevTooFew is TooFew for the previous period.
func (k KPI) PrevTooFew() bool { return k.Unit != "" && k.PrevBase < MinBase }

// Delta is the change since the previous period, no data unless both have data.
func (k KPI) Delta() Value { return k.Cur.Sub(k.Prev) }

// Trend is "up", "down", "flat" or "" (no data), the arrow of a tile.
func (k KPI) Trend() string {
	d := k.Delta()
	switch {
	case !d.Valid:
		return ""
	case math.Abs(d.V) < 1e-9:
		return "flat"
	case d.V > 0:
		return "up"
	default:
		return "down"
	}
}

// Good reports whether the change is good news (false for no change or no data).
func (k KPI) Good() bool {
	switch k.Trend() {
	case "up":
		return k.LowerBad
	case "down":
		return !k.LowerBad
	}
	return false
}

// KPIs are the report's headline numbers, in display order.
func (r Report) KPIs() []KPI {
	c, p := r.Current, r.Previous
	solved, prevSolved := int64(c.Solved.V), int64(p.Solved.V)
	return []KPI{
		{"frt_median", KindDuration, c.FirstResponse.Median, p.FirstResponse.Median, false, UnitTickets, c.FirstResponse.N, p.FirstResponse.N},
		{"frt_p90", KindDuration, c.FirstResponse.P90, p.FirstResponse.P90, false, UnitTickets, c.FirstResponse.N, p.FirstResponse.N},
		{"frt_biz_median", KindDuration, c.FirstResponseBiz.Median, p.FirstResponseBiz.Median, false, UnitTickets, c.FirstResponseBiz.N, p.FirstResponseBiz.N},
		{"frt_biz_p90", KindDuration, c.FirstResponseBiz.P90, p.FirstResponseBiz.P90, false, UnitTickets, c.FirstResponseBiz.N, p.FirstResponseBiz.N},
		{"res_median", KindDuration, c.Resolution.Median, p.Resolution.Median, false, UnitTickets, c.Resolution.N, p.Resolution.N},
		{"res_p90", KindDuration, c.Resolution.P90, p.Resolution.P90, false, UnitTickets, c.Resolution.N, p.Resolution.N},
		{"res_biz_median", KindDuration, c.ResolutionBiz.Median, p.ResolutionBiz.Median, false, UnitTickets, c.ResolutionBiz.N, p.ResolutionBiz.N},
		{"res_biz_p90", KindDuration, c.ResolutionBiz.P90, p.ResolutionBiz.P90, false, UnitTickets, c.ResolutionBiz.N, p.ResolutionBiz.N},
		{"created", KindCount, c.Created, p.Created, true, "", 0, 0},
		{"solved", KindCount, c.Solved, p.Solved, true, "", 0, 0},
		{"transfers", KindRatio, c.TransfersPerTicket, p.TransfersPerTicket, false, UnitTickets, solved, prevSolved},
		{"first_owner", KindShare, c.FirstOwnerShare, p.FirstOwnerShare, true, UnitTickets, solved, prevSolved},
		{"reopen_rate", KindShare, c.ReopenRate, p.ReopenRate, false, UnitTickets, solved, prevSolved},
		{"sla", KindShare, c.SLAAttainment, p.SLAAttainment, true, UnitTickets, c.SLATickets, p.SLATickets},
		{"promises", KindShare, c.PromisesKept, p.PromisesKept, true, UnitPromises, c.Promises, p.Promises},
		{"confirmed_fixes", KindCount, c.ConfirmedFixes, p.ConfirmedFixes, true, "", 0, 0},
		{"complaints", KindCount, c.Complaints, p.Complaints, false, "", 0, 0},
		{"complaints_written", KindCount, c.ComplaintsWritten, p.ComplaintsWritten, false, "", 0, 0},
		{"complaints_oral", KindCount, c.ComplaintsOral, p.ComplaintsOral, false, "", 0, 0},
		{"csat", KindShare, c.CSAT, p.CSAT, true, UnitAnswers, c.CSATAnswers, p.CSATAnswers},
		{"csat_mean", KindScore, c.CSATMean, p.CSATMean, true, UnitAnswers, c.CSATAnswers, p.CSATAnswers},
		{"nps", KindNPS, c.NPS, p.NPS, true, UnitAnswers, c.NPSAnswers, p.NPSAnswers},
		{"response_rate", KindShare, c.ResponseRate, p.ResponseRate, true, UnitSurveys, c.SurveysSent, p.SurveysSent},
		{"referrals", KindCount, c.Referrals, p.Referrals, true, "", 0, 0},
		{"repeat", KindShare, c.RepeatBusiness, p.RepeatBusiness, true, UnitCustomers, c.Buyers, p.Buyers},
	}
}

// Rate is a KPI that rests on a count, as the API writes it: the value
// now and before, what it is over and whether that is too few to judge.
type Rate struct {
	Key            string `json:"key"`
	Current        Value  `json:"current"`
	Previous       Value  `json:"previous"`
	Unit           string `json:"unit"`
	Base           int64  `json:"base"`
	PreviousBase   int64  `json:"previous_base"`
	TooFew         bool   `json:"too_few"`
	PreviousTooFew bool   `json:"previous_too_few"`
}

// Rates are the report's KPIs that rest on a count, in display order.
func (r Report) Rates() []Rate {
	var out []Rate
	for _, k := range r.KPIs() {
		if k.Unit == "" {
			continue
		}
		out = append(out, Rate{Key: k.Key, Current: k.Cur, Previous: k.Prev, Unit: k.Unit, Base: k.Base,
			PreviousBase: k.PrevBase, TooFew: k.TooFew(), PreviousTooFew: k.PrevTooFew()})
	}
	return out
}

// Formatter writes metric values for people in one language.
type Formatter struct {
	Cat  *i18n.Catalog
	Lang string
}

// T is the catalogue message key.
func (f Formatter) T(key string, args ...any) string { return f.Cat.T(f.Lang, key, args...) }

// Date writes the day of t in t's own location as the language writes a
// date ("2 mar 2026", "Mar 2, 2026"): the catalogue's "date.medium". A
// report's days are the business's midnights, in its zone.
func (f Formatter) Date(t time.Time) string {
	return strings.NewReplacer(
		"{d}", strconv.Itoa(t.Day()),
		"{mon}", f.T("month."+strconv.Itoa(int(t.Month()))),
		"{y}", strconv.Itoa(t.Year()),
	).Replace(f.T("date.medium"))
}

// dec writes x with at most decimals decimals and the language's decimal mark.
func (f Formatter) dec(x float64, decimals int) string {
	s := strconv.FormatFloat(x, 'f', decimals, 64)
	if strings.Contains(s, ".") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	if s == "-0" {
		s = "0"
	}
	if strings.HasPrefix(s, "-") {
		s = "−" + s[1:]
	}
	return strings.Replace(s, ".", f.T("metrics.decimal_mark"), 1)
}

// Duration writes seconds as 45 s, 12 min, 3 h 20 min or 2 d 4 h.
func (f Formatter) Duration(secs float64) string {
	s := int64(math.Round(math.Abs(secs)))
	sign := ""
	if secs < 0 && s > 0 {
		sign = "−"
	}
	switch {
	case s < 60:
		return sign + f.T("metrics.dur_s", s)
	case s < 3600:
		return sign + f.T("metrics.dur_m", s/60)
	case s < 86400:
		if m := s % 3600 / 60; m != 0 {
			return sign + f.T("metrics.dur_hm", s/3600, m)
		}
		return sign + f.T("metrics.dur_h", s/3600)
	default:
		if h := s % 86400 / 3600; h != 0 {
			return sign + f.T("metrics.dur_dh", s/86400, h)
		}
		return sign + f.T("metrics.dur_d", s/86400)
	}
}

// Value writes v as kind reads, or "no data".
func (f Formatter) Value(kind Kind, v Value) string {
	if !v.Valid {
		return f.T("metrics.no_data")
	}
	switch kind {
	case KindDuration:
		return f.Duration(v.V)
	case KindShare:
		return f.T("metrics.percent", f.dec(v.V*100, 1))
	case KindCount:
		return f.dec(v.V, 0)
	case KindRatio:
		return f.dec(v.V, 2)
	case KindScore:
		return f.dec(v.V, 2)
	case KindNPS:
		return f.dec(v.V, 1)
	}
	return f.dec(v.V, 2)
}

// Delta writes a change with its sign: +3 min, −2.5 pp, +4.
func (f Formatter) Delta(kind Kind, d Value) string {
	if !d.Valid {
		return ""
	}
	sign := "+"
	if d.V < 0 {
		sign = "−"
	}
	a := math.Abs(d.V)
	switch kind {
	case KindDuration:
		if math.Round(a) == 0 {
			return "±0"
		}
		return sign + f.Duration(a)
	case KindShare:
		return sign + f.T("metrics.points", f.dec(a*100, 1))
	case KindCount:
		return sign + f.dec(a, 0)
	case KindNPS:
		return sign + f.dec(a, 1)
	}
	return sign + f.dec(a, 2)
}
