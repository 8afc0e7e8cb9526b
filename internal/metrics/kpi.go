package metrics

import (
	"math"
	"strconv"
	"strings"

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

// KPI is one tile of the dashboard, one line of the digest and of the KPI
// CSV: a metric now and in the previous period.
type KPI struct {
	Key      string // catalogue key suffix: metrics.kpi.<Key>
	Kind     Kind
	Cur      Value
	Prev     Value
	LowerBad bool // true when a rise is good news (CSAT); false when a fall is (response times)
}

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
	return []KPI{
		{"frt_median", KindDuration, c.FirstResponse.Median, p.FirstResponse.Median, false},
		{"frt_p90", KindDuration, c.FirstResponse.P90, p.FirstResponse.P90, false},
		{"frt_biz_median", KindDuration, c.FirstResponseBiz.Median, p.FirstResponseBiz.Median, false},
		{"frt_biz_p90", KindDuration, c.FirstResponseBiz.P90, p.FirstResponseBiz.P90, false},
		{"res_median", KindDuration, c.Resolution.Median, p.Resolution.Median, false},
		{"res_p90", KindDuration, c.Resolution.P90, p.Resolution.P90, false},
		{"res_biz_median", KindDuration, c.ResolutionBiz.Median, p.ResolutionBiz.Median, false},
		{"res_biz_p90", KindDuration, c.ResolutionBiz.P90, p.ResolutionBiz.P90, false},
		{"created", KindCount, c.Created, p.Created, true},
		{"solved", KindCount, c.Solved, p.Solved, true},
		{"transfers", KindRatio, c.TransfersPerTicket, p.TransfersPerTicket, false},
		{"first_owner", KindShare, c.FirstOwnerShare, p.FirstOwnerShare, true},
		{"reopen_rate", KindShare, c.ReopenRate, p.ReopenRate, false},
		{"sla", KindShare, c.SLAAttainment, p.SLAAttainment, true},
		{"promises", KindShare, c.PromisesKept, p.PromisesKept, true},
		{"confirmed_fixes", KindCount, c.ConfirmedFixes, p.ConfirmedFixes, true},
		{"complaints", KindCount, c.Complaints, p.Complaints, false},
		{"complaints_written", KindCount, c.ComplaintsWritten, p.ComplaintsWritten, false},
		{"complaints_oral", KindCount, c.ComplaintsOral, p.ComplaintsOral, false},
		{"csat", KindShare, c.CSAT, p.CSAT, true},
		{"csat_mean", KindScore, c.CSATMean, p.CSATMean, true},
		{"nps", KindNPS, c.NPS, p.NPS, true},
		{"response_rate", KindShare, c.ResponseRate, p.ResponseRate, true},
		{"referrals", KindCount, c.Referrals, p.Referrals, true},
		{"repeat", KindShare, c.RepeatBusiness, p.RepeatBusiness, true},
	}
}

// Formatter writes metric values for people in one language.
type Formatter struct {
	Cat  *i18n.Catalog
	Lang string
}

// T is the catalogue message key.
func (f Formatter) T(key string, args ...any) string { return f.Cat.T(f.Lang, key, args...) }

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
