package web

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/rapport/rapport/internal/agent"
	"github.com/rapport/rapport/internal/goals"
	"github.com/rapport/rapport/internal/quality"
	"github.com/rapport/rapport/internal/recommit"
	"github.com/rapport/rapport/internal/recovery"
)

// scorecardWeeks is how many weeks a scorecard shows unless ?weeks= asks
// for another number.
const scorecardWeeks = 12

// scorecardView is the data of an agent's scorecard.
type scorecardView struct {
	A       agent.Agent
	SC      quality.Scorecard
	Weeks   int
	Choices []int // the periods offered, in weeks
	Chart   lineChart
	Rows    []quality.WeekStats // newest first
	// Recommit is the agent's re-commitments over the period; nil without
	// the loyalty services.
	Recommit *recommit.AgentStats
	// Goals are the agent's and their teams' goals with progress; nil
	// without the goals service.
	Goals []goals.GoalProgress
	// Compensation is what the agent granted over the period; nil without
	// compensation.
	Compensation *recovery.Totals
}

// scorecardPage serves GET /agents/{id}/scorecard: the agent's QA score and
// the share of their replies with each sin, week by week. Managers see
// every agent's; an agent sees their own.
func (s *server) scorecardPage(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	// The route lets every agent in; only the scorecard's owner and those
	// who view reports get further.
	if id != rc.me.ID && !rc.me.Can(agent.PermViewReports) {
		return errForbidden
	}
	a, err := s.agents.Get(r.Context(), id)
	if err != nil {
		return err
	}
	weeks := scorecardWeeks
	if n, err := strconv.Atoi(r.URL.Query().Get("weeks")); err == nil && n >= 1 && n <= quality.MaxScorecardWeeks {
		weeks = n
	}
	now := s.clock.Now()
	// Weeks run Monday to Sunday in the business's zone.
	loc := s.businessZone(r.Context())
	to := quality.WeekStart(now, loc).AddDate(0, 0, 7)
	sc, err := s.reviews.Scorecard(r.Context(), id, to.AddDate(0, 0, -7*weeks), to, loc)
	if err != nil {
		return err
	}
	p := s.newPage(w, r, rc, "scorecard.title")
	p.Title = p.T("scorecard.of", a.Name)
	p.Nav = "qa"
	v := scorecardView{A: a, SC: sc, Weeks: weeks, Choices: []int{4, 8, 12, 26, 52}}
	if !slices.Contains(v.Choices, weeks) {
		v.Choices = append(v.Choices, weeks)
		slices.Sort(v.Choices)
	}
	for i := len(sc.Weeks) - 1; i >= 0; i-- {
		v.Rows = append(v.Rows, sc.Weeks[i])
	}
	v.Chart = weekChart(p, sc.Weeks)
	if s.loyaltyOn() {
		st, err := s.recommits.Agent(r.Context(), id, to.AddDate(0, 0, -7*weeks), to)
		if err != nil {
			return err
		}
		v.Recommit = &st
	}
	if s.recovery != nil {
		t, err := s.recovery.AgentTotals(r.Context(), id, to.AddDate(0, 0, -7*weeks), to)
		if err != nil {
			return err
		}
		v.Compensation = &t
	}
	if s.goals != nil {
		if v.Goals, err = s.agentGoals(r.Context(), id); err != nil {
			return err
		}
	}
	p.Data = v
	s.render(w, r, http.StatusOK, "scorecard", p)
	return nil
}

// WeekOf names the week that starts on Monday t.
func (p *page) WeekOf(t time.Time) string {
	return p.T("scorecard.week_of", p.formatDay("date.medium", t))
}

// lineChart is a server-made SVG chart of two series on 0–100 over weeks.
type lineChart struct {
	Width, Height int
	Left, Right   int // plot area, x
	Top, Bottom   int // plot area, y
	LabelX        int // right edge of the y axis labels
	LabelY        int // baseline of the x axis labels
	Grid          []chartTick
	Labels        []chartLabel
	QA            chartSeries // QA score per week with reviews
	Sins          chartSeries // % of replies with any sin, per week with replies
}

// chartTick is a horizontal grid line with its value.
type chartTick struct {
	Y     int
	Label string
}

// chartLabel is a week's label under the x axis.
type chartLabel struct {
	X     int
	Label string
}

// chartSeries is one line: its points as an SVG points list, and each
// point for a dot with a tooltip.
type chartSeries struct {
	Points string
	Dots   []chartDot
}

// chartDot is one value of a series.
type chartDot struct {
	X, Y  int
	Title string
}

// weekChart draws the QA score and the any-sin rate of each week.
func weekChart(p *page, weeks []quality.WeekStats) lineChart {
	c := lineChart{Width: 720, Height: 240, Left: 40, Right: 700, Top: 12, Bottom: 200, LabelX: 32, LabelY: 222}
	for v := 0; v <= 100; v += 25 {
		c.Grid = append(c.Grid, chartTick{Y: c.y(float64(v)), Label: strconv.Itoa(v)})
	}
	every := (len(weeks) + 11) / 12 // at most about 12 labels
	var qa, sins []string
	for i, w := range weeks {
		x := c.x(i, len(weeks))
		if i%every == 0 || i == len(weeks)-1 {
			c.Labels = append(c.Labels, chartLabel{X: x, Label: p.formatDay("date.short", w.Start)})
		}
		if w.Reviews > 0 {
			y := c.y(w.QAScore)
			qa = append(qa, strconv.Itoa(x)+","+strconv.Itoa(y))
			c.QA.Dots = append(c.QA.Dots, chartDot{X: x, Y: y,
				Title: p.T("scorecard.point_qa", p.formatDay("date.short", w.Start), p.Dec(w.QAScore), w.Reviews)})
		}
		if w.Replies > 0 {
			y := c.y(w.AnyRate() * 100)
			sins = append(sins, strconv.Itoa(x)+","+strconv.Itoa(y))
			c.Sins.Dots = append(c.Sins.Dots, chartDot{X: x, Y: y,
				Title: p.T("scorecard.point_sins", p.formatDay("date.short", w.Start), p.Pct(w.AnyRate()), w.Replies)})
		}
	}
	c.QA.Points, c.Sins.Points = strings.Join(qa, " "), strings.Join(sins, " ")
	return c
}

// x is the position of week i of n.
func (c lineChart) x(i, n int) int {
	if n <= 1 {
		return (c.Left + c.Right) / 2
	}
	return c.Left + i*(c.Right-c.Left)/(n-1)
}

// y is the position of value v on 0–100.
func (c lineChart) y(v float64) int {
	return c.Bottom - int(v*float64(c.Bottom-c.Top)/100+0.5)
}
