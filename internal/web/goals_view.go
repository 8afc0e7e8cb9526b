package web

import (
	"strconv"
	"strings"
	"time"

	"github.com/rapport/rapport/internal/goals"
)

// GoalsOn reports whether goals, the team page and the service standard
// are on.
func (p *page) GoalsOn() bool { return p.s.goals != nil }

// MetricName names a goal metric.
func (p *page) MetricName(m goals.Metric) string { return p.label("goals.metric.", string(m)) }

// PeriodName names a goal period (week, month, quarter).
func (p *page) PeriodName(pd goals.Period) string { return p.label("goals.period.", string(pd)) }

// GoalStatus names a goal's status.
func (p *page) GoalStatus(st goals.Status) string { return p.label("goals.status.", string(st)) }

// GoalNumber formats a value of metric m without its unit: one decimal,
// two for transfers per ticket.
func (p *page) GoalNumber(m goals.Metric, v float64) string {
	if m == goals.Transfers {
		s := strconv.FormatFloat(v, 'f', 2, 64)
		return strings.Replace(s, ".", p.T("qa.decimal_mark"), 1)
	}
	return p.Dec(v)
}

// GoalValue formats a value of metric m with its unit: "36 min", "85 %".
func (p *page) GoalValue(m goals.Metric, v float64) string {
	return p.T("goals.unit."+string(m), p.GoalNumber(m, v))
}

// GoalSpan names a goal's period by its first and last day.
func (p *page) GoalSpan(g goals.Goal) string {
	return p.T("goals.span", p.formatDay("date.medium", g.Start), p.formatDay("date.medium", g.End.AddDate(0, 0, -1)))
}

// GoalSubject is the value of a goal's subject in the goal form.
func (p *page) GoalSubject(g goals.Goal) string {
	if g.Subject.AgentID != 0 {
		return "agent:" + strconv.FormatInt(g.Subject.AgentID, 10)
	}
	return "team:" + strconv.FormatInt(g.Subject.TeamID, 10)
}

// SuggestNext is the goal form for the same subject, metric and period
// kind, in the current or next period.
func (p *page) SuggestNext(g goals.Goal) string { return suggestURL(g, p.Now, p.days()) }

// SuggestionReason explains a suggested target: the subject's recent
// periods, their median, the peers' best quartile and the target.
func (p *page) SuggestionReason(sg goals.Suggestion) string {
	if !sg.OK {
		return p.T("goals.no_history", p.T("goals.last."+string(sg.Period), len(sg.History)))
	}
	var vals []string
	for _, h := range sg.History {
		if h.OK {
			vals = append(vals, p.GoalNumber(sg.Metric, h.V))
		} else {
			vals = append(vals, "—")
		}
	}
	return p.T("goals.reason", p.T("goals.last."+string(sg.Period), len(sg.History)),
		p.T("goals.unit."+string(sg.Metric), strings.Join(vals, ", ")),
		p.GoalValue(sg.Metric, sg.Baseline), p.GoalValue(sg.Metric, sg.Reference), p.T("goals.compared", sg.Peers),
		p.GoalValue(sg.Metric, sg.Target))
}

// KudosKind names where a kudos came from.
func (p *page) KudosKind(kind string) string { return p.label("kudos.kind.", kind) }

// goalItem is one goal with the page, for the goalProgress template.
type goalItem struct {
	P *page
	G goals.GoalProgress
}

// GoalItem pairs a goal with the page for the goalProgress template.
func (p *page) GoalItem(g goals.GoalProgress) goalItem { return goalItem{P: p, G: g} }

// Day formats t as a date without the time.
func (p *page) Day(t time.Time) string { return p.formatDate("date.medium", t) }

// GoalUnit is metric m's unit alone ("min", "%"), "" for plain numbers.
func (p *page) GoalUnit(m goals.Metric) string {
	return strings.TrimSpace(p.T("goals.unit."+string(m), ""))
}
