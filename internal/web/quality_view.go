package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/rapport/rapport/internal/quality"
)

// qaOption is one option of a select.
type qaOption struct {
	Value string
	Label string
}

// QAOn reports whether QA reviews, rubrics and scorecards are available.
func (p *page) QAOn() bool { return p.s.reviews != nil }

// SinName names a sin in the page's language, as the analyzer's resources
// name it.
func (p *page) SinName(s quality.Sin) string {
	if p.s.quality != nil {
		return p.s.quality.SinLabel(s, p.Lang)
	}
	if p.s.reviews != nil {
		return p.s.reviews.Analyzer().SinLabel(s, p.Lang)
	}
	return string(s)
}

// Sins lists the seven sins in display order.
func (p *page) Sins() []quality.Sin { return quality.Sins }

// DismissReasons are the reasons an agent picks from to dismiss a finding.
func (p *page) DismissReasons() []qaOption {
	out := make([]qaOption, len(quality.DismissReasons))
	for i, r := range quality.DismissReasons {
		out[i] = qaOption{r, p.Reason(r)}
	}
	return out
}

// Reason names a reason for dismissing a finding.
func (p *page) Reason(code string) string {
	if key, ok := dismissReasonKeys[code]; ok {
		return p.T(key)
	}
	return code
}

// Dec formats x with at most one decimal, with the page language's
// decimal mark: 73, 36.5, 36,5.
func (p *page) Dec(x float64) string {
	s := strconv.FormatFloat(x, 'f', 1, 64)
	s = strings.TrimSuffix(s, ".0")
	return strings.Replace(s, ".", p.T("qa.decimal_mark"), 1)
}

// Pct formats a share (0–1) as a percentage: 0.5 is 50 %.
func (p *page) Pct(share float64) string {
	return p.T("qa.percent", p.Dec(share*100))
}

// ScaleName names a rubric's scale.
func (p *page) ScaleName(s quality.Scale) string {
	if s == quality.ScaleFive {
		return p.T("rubric.scale_five")
	}
	return p.T("rubric.scale_percent")
}

// qaFormID reads a positive id from form field name; 0 when absent or bad.
func qaFormID(r *http.Request, name string) int64 {
	n, err := strconv.ParseInt(strings.TrimSpace(r.FormValue(name)), 10, 64)
	if err != nil || n < 0 {
		return 0
	}
	return n
}
