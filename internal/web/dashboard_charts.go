package web

import (
	"math"
	"strconv"
	"strings"

	"github.com/rapport/rapport/internal/metrics"
)

// The dashboard's charts are SVG drawn here, on the server: coordinates
// are computed in Go and the template only writes them out.

// lineChart2 is a line chart of one or more series over weeks, on a y
// axis from 0 to Max.
type lineChart2 struct {
	ID            string // element id, for tests and links
	Label         string // accessible name
	Width, Height int
	Left, Right   int
	Top, Bottom   int
	LabelX        int
	LabelY        int
	Grid          []chartTick
	Labels        []chartLabel
	Series        []lineSeries
	Empty         bool // no point at all: the chart says "no data"
	NoData        string
}

// MidX and MidY are the middle of the chart, for its "no data" text.
func (c lineChart2) MidX() int { return c.Width / 2 }

// MidY is the vertical middle of the chart.
func (c lineChart2) MidY() int { return c.Height / 2 }

// lineSeries is one line with its dots.
type lineSeries struct {
	Name   string
	Color  string
	Dash   string // stroke-dasharray, "" for solid
	Points string
	Dots   []chartDot
}

// barChart is a bar chart: vertical bars over categories, or horizontal
// bars for agents.
type barChart struct {
	ID            string
	Label         string
	Width, Height int
	Baseline      int // y of the axis (vertical bars)
	Bars          []bar
	Empty         bool
	NoData        string
}

// MidX is the middle of the chart, for its "no data" text.
func (c barChart) MidX() int { return c.Width / 2 }

// bar is one bar with its label and value.
type bar struct {
	X, Y, W, H     int
	Color          string
	Label          string
	LabelX, LabelY int
	Value          string
	ValueX, ValueY int
	Title          string
}

const (
	colorAccent = "#2557d6"
	colorBad    = "#b42318"
	colorOK     = "#027a48"
	colorMuted  = "#8a94a6"
)

// newLineChart sets the frame of a chart over n weeks with y from 0 to max,
// its grid labelled by label.
func newLineChart(p *page, id, name string, weeks []metrics.Week, max float64, label func(float64) string) lineChart2 {
	c := lineChart2{ID: id, Label: name, Width: 520, Height: 220, Left: 64, Right: 500, Top: 12, Bottom: 180,
		LabelX: 58, LabelY: 202, NoData: p.T("metrics.no_data")}
	for i := 0; i <= 4; i++ {
		v := max * float64(i) / 4
		c.Grid = append(c.Grid, chartTick{Y: c.yOf(v, max), Label: label(v)})
	}
	every := (len(weeks) + 7) / 8
	for i, w := range weeks {
		if i%every == 0 || i == len(weeks)-1 {
			c.Labels = append(c.Labels, chartLabel{X: c.xOf(i, len(weeks)), Label: p.formatDate("date.short", w.Start)})
		}
	}
	return c
}

func (c lineChart2) xOf(i, n int) int {
	if n <= 1 {
		return (c.Left + c.Right) / 2
	}
	return c.Left + i*(c.Right-c.Left)/(n-1)
}

func (c lineChart2) yOf(v, max float64) int {
	if max <= 0 {
		return c.Bottom
	}
	return c.Bottom - int(v*float64(c.Bottom-c.Top)/max+0.5)
}

// series draws the weeks' values (nil for a week without data) as one line.
func (c *lineChart2) series(p *page, name, color, dash string, weeks []metrics.Week, max float64,
	value func(metrics.Week) metrics.Value, show func(float64) string) {
	s := lineSeries{Name: name, Color: color, Dash: dash}
	var pts []string
	for i, w := range weeks {
		v := value(w)
		if !v.Valid {
			continue
		}
		x, y := c.xOf(i, len(weeks)), c.yOf(v.V, max)
		pts = append(pts, strconv.Itoa(x)+","+strconv.Itoa(y))
		s.Dots = append(s.Dots, chartDot{X: x, Y: y,
			Title: p.T("dashboard.chart_point", p.T("dashboard.week_of", p.formatDate("date.short", w.Start)), show(v.V))})
	}
	s.Points = strings.Join(pts, " ")
	c.Series = append(c.Series, s)
}

// done marks a chart without a single point.
func (c *lineChart2) done() {
	c.Empty = true
	for _, s := range c.Series {
		if len(s.Dots) > 0 {
			c.Empty = false
		}
	}
}

// niceMax rounds a maximum up to 1, 2 or 5 times a power of ten, so grid
// lines fall on round numbers.
func niceMax(v float64) float64 {
	if v <= 0 {
		return 1
	}
	e := math.Pow(10, math.Floor(math.Log10(v)))
	for _, m := range []float64{1, 2, 2.5, 5, 10} {
		if v <= m*e {
			return m * e
		}
	}
	return 10 * e
}

// frtChart is the weekly median first response time.
func frtChart(p *page, weeks []metrics.Week) lineChart2 {
	fm := p.formatter()
	var max float64
	for _, w := range weeks {
		if w.FirstResponse.Valid {
			max = math.Max(max, w.FirstResponse.V)
		}
	}
	max = niceMax(max)
	c := newLineChart(p, "chart-frt", p.T("dashboard.chart_frt"), weeks, max, fm.Duration)
	c.series(p, p.T("dashboard.chart_frt"), colorAccent, "", weeks, max,
		func(w metrics.Week) metrics.Value { return w.FirstResponse }, fm.Duration)
	c.done()
	return c
}

// csatChart is the weekly share of 4–5 answers.
func csatChart(p *page, weeks []metrics.Week) lineChart2 {
	fm := p.formatter()
	pct := func(v float64) string { return fm.Value(metrics.KindShare, metrics.Of(v)) }
	c := newLineChart(p, "chart-csat", p.T("dashboard.chart_csat"), weeks, 1, pct)
	c.series(p, p.T("dashboard.chart_csat"), colorOK, "", weeks, 1, func(w metrics.Week) metrics.Value { return w.CSAT }, pct)
	c.done()
	return c
}

// complaintChart is the weekly number of written and oral complaints.
func complaintChart(p *page, weeks []metrics.Week) lineChart2 {
	var max int64
	for _, w := range weeks {
		max = maxInt(max, maxInt(w.ComplaintsWritten, w.ComplaintsOral))
	}
	top := niceMax(float64(max))
	if top < 4 {
		top = 4
	}
	n := func(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }
	c := newLineChart(p, "chart-complaints", p.T("dashboard.chart_complaints"), weeks, top, n)
	c.series(p, p.T("dashboard.written"), colorBad, "", weeks, top,
		func(w metrics.Week) metrics.Value { return metrics.Of(float64(w.ComplaintsWritten)) }, n)
	c.series(p, p.T("dashboard.oral"), colorMuted, "5 4", weeks, top,
		func(w metrics.Week) metrics.Value { return metrics.Of(float64(w.ComplaintsOral)) }, n)
	c.done()
	return c
}

func maxInt(a, b int64) int64 {
	if a > b {
		return a
	}
	return b
}

// columns draws vertical bars for counts, one per label.
func columns(p *page, id, name string, labels []string, counts []int64, colors []string) barChart {
	c := barChart{ID: id, Label: name, Width: 520, Height: 200, Baseline: 160, NoData: p.T("metrics.no_data")}
	var max, total int64
	for _, n := range counts {
		max = maxInt(max, n)
		total += n
	}
	c.Empty = total == 0
	slot := (c.Width - 20) / len(counts)
	for i, n := range counts {
		h := 0
		if max > 0 {
			h = int(float64(n) * 130 / float64(max))
		}
		x := 10 + i*slot
		c.Bars = append(c.Bars, bar{X: x + slot/8, Y: c.Baseline - h, W: slot * 3 / 4, H: h, Color: colors[i],
			Label: labels[i], LabelX: x + slot/2, LabelY: c.Baseline + 16,
			Value: strconv.FormatInt(n, 10), ValueX: x + slot/2, ValueY: c.Baseline - h - 4,
			Title: labels[i] + ": " + p.T("dashboard.answers_n", n)})
	}
	return c
}

// csatDistChart is how many answered each CSAT score.
func csatDistChart(p *page, per metrics.Period) barChart {
	labels, colors := make([]string, 5), make([]string, 5)
	for i := range labels {
		labels[i] = strconv.Itoa(i + 1)
		colors[i] = colorMuted
		if i >= 3 {
			colors[i] = colorOK
		} else if i <= 1 {
			colors[i] = colorBad
		}
	}
	return columns(p, "chart-csat-dist", p.T("dashboard.dist_csat"), labels, per.CSATDist[:], colors)
}

// npsDistChart is how many answered each NPS score: detractors (0–6),
// passives (7–8) and promoters (9–10) in their colours.
func npsDistChart(p *page, per metrics.Period) barChart {
	labels, colors := make([]string, 11), make([]string, 11)
	for i := range labels {
		labels[i] = strconv.Itoa(i)
		switch {
		case i <= 6:
			colors[i] = colorBad
		case i <= 8:
			colors[i] = colorMuted
		default:
			colors[i] = colorOK
		}
	}
	return columns(p, "chart-nps-dist", p.T("dashboard.dist_nps"), labels, per.NPSDist[:], colors)
}

// agentChart is a horizontal bar per agent: tickets solved.
func agentChart(p *page, agents []metrics.AgentRow) barChart {
	row := 22
	c := barChart{ID: "chart-agents", Label: p.T("dashboard.per_agent"), Width: 520, Height: 20 + row*max(len(agents), 1),
		NoData: p.T("metrics.no_data")}
	var top int64
	for _, a := range agents {
		top = maxInt(top, a.Solved)
	}
	c.Empty = top == 0
	for i, a := range agents {
		w := 0
		if top > 0 {
			w = int(float64(a.Solved) * 300 / float64(top))
		}
		y := 10 + i*row
		c.Bars = append(c.Bars, bar{X: 150, Y: y, W: w, H: row - 6, Color: colorAccent,
			Label: a.Name, LabelX: 144, LabelY: y + row/2 + 1,
			Value: strconv.FormatInt(a.Solved, 10), ValueX: 150 + w + 6, ValueY: y + row/2 + 1,
			Title: a.Name + ": " + strconv.FormatInt(a.Solved, 10)})
	}
	return c
}
