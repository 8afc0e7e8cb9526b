package web

import (
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

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

// chartFont is the size of the axis labels, in the SVG's units.
const chartFont = 11

// labelGap is the least room between two x-axis labels.
const labelGap = 6

// textWidth estimates how wide s is drawn at size: 0.62 em a character,
// a little over the average of the sans-serif faces the page uses for
// digits, Latin and Cyrillic letters, so that an estimate errs wide.
func textWidth(s string, size int) int {
	return int(math.Ceil(float64(utf8.RuneCountInString(s)) * float64(size) * 0.62))
}

// newLineChart sets the frame of a chart over n weeks with y from 0 to max,
// its grid labelled by label.
func newLineChart(p *page, id, name string, weeks []metrics.Week, max float64, label func(float64) string) lineChart2 {
	c := lineChart2{ID: id, Label: name, Width: 520, Height: 220, Left: 64, Right: 500, Top: 12, Bottom: 180,
		LabelX: 58, LabelY: 202, NoData: p.T("metrics.no_data")}
	for i := 0; i <= 4; i++ {
		v := max * float64(i) / 4
		c.Grid = append(c.Grid, chartTick{Y: c.yOf(v, max), Label: label(v)})
	}
	c.xLabels(p, weeks)
	return c
}

// xLabels labels the weeks under the x axis: the latest week always, then
// every k-th week before it, k the fewest that keeps the widest label
// clear of its neighbours. A label is moved inside the chart when it would
// be cut at an edge, and dropped when that would make it touch the next.
func (c *lineChart2) xLabels(p *page, weeks []metrics.Week) {
	n := len(weeks)
	if n == 0 {
		return
	}
	texts := make([]string, n)
	widest := 0
	for i, w := range weeks {
		texts[i] = p.formatDay("date.short", w.Start)
		widest = max(widest, textWidth(texts[i], chartFont))
	}
	every := 1
	if n > 1 {
		span := float64(c.Right-c.Left) / float64(n-1)
		every = max(1, int(math.Ceil(float64(widest+labelGap)/span)))
	}
	var out []chartLabel
	nextLeft := c.Width + labelGap // left edge of the label to the right
	for i := n - 1; i >= 0; i -= every {
		w := textWidth(texts[i], chartFont)
		left := min(max(c.xOf(i, n)-w/2, 0), c.Width-w)
		if left+w+labelGap > nextLeft {
			continue
		}
		out = append(out, chartLabel{X: left + w/2, Label: texts[i]})
		nextLeft = left
	}
	slices.Reverse(out)
	c.Labels = out
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
			Title: p.T("dashboard.chart_point", p.T("dashboard.week_of", p.formatDay("date.short", w.Start)), show(v.V))})
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

// durationSteps are the grid steps of a duration axis, in seconds: round
// minutes, hours and days, so that its labels read "15 min", "1 h", "2 d"
// rather than "1 h 23 min". 30 s and 30 min are left out: their third
// steps, 1 min 30 s and 1 h 30 min, would read "1 min" or not fit.
var durationSteps = []float64{15, 60, 120, 300, 600, 900, 3600, 2 * 3600, 3 * 3600, 6 * 3600, 12 * 3600,
	86400, 2 * 86400, 5 * 86400, 7 * 86400, 14 * 86400, 30 * 86400}

// niceDuration is the top of a duration axis of four grid steps that
// reaches v.
func niceDuration(v float64) float64 {
	for _, step := range durationSteps {
		if 4*step >= v {
			return 4 * step
		}
	}
	return 4 * 30 * 86400 * math.Ceil(v/(4*30*86400))
}

// niceCount is the top of a count axis of four whole grid steps that
// reaches v (at least 4): counts are never drawn at 2.5.
func niceCount(v float64) float64 {
	step := math.Max(1, math.Ceil(v/4))
	e := math.Pow(10, math.Floor(math.Log10(step)))
	for _, m := range []float64{1, 2, 5, 10} {
		if step <= m*e {
			return 4 * m * e
		}
	}
	return 40 * e
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
	max = niceDuration(max)
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
	top := niceCount(float64(max))
	fm := p.formatter()
	n := func(v float64) string { return fm.Value(metrics.KindCount, metrics.Of(v)) }
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
