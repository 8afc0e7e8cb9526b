package web

import (
	"fmt"
	"html/template"
	"math"
	"net/http"
	"strings"

	"github.com/rapport/rapport/internal/survey"
)

// pulseResultsView is the data of one pulse's results page.
type pulseResultsView struct {
	R      survey.PulseResults
	Min    int
	Charts map[string]template.HTML // an SVG distribution per statement
}

// pulseResults serves GET /manage/pulse/{id}: counts, means,
// distributions and texts, and nothing below the minimum of answers.
func (s *server) pulseResults(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	res, err := s.surveys.Results(r.Context(), id)
	if err != nil {
		return err
	}
	v := pulseResultsView{R: res, Min: survey.MinPulseAnswers, Charts: map[string]template.HTML{}}
	for _, sc := range res.Scales {
		v.Charts[sc.Question] = pulseBars(sc, func(k string) string { return s.cat.T(rc.lang, k) })
	}
	p := s.newPage(w, r, rc, "pulse.manage.results")
	p.Nav = "pulse_manage"
	p.Data = v
	s.render(w, r, http.StatusOK, "pulse_results", p)
	return nil
}

// pulseClose serves POST /manage/pulse/{id}/close.
func (s *server) pulseClose(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := s.surveys.ClosePulse(r.Context(), id); err != nil {
		return err
	}
	s.log.Info("pulse closed", "pulse_id", id, "by_agent_id", rc.me.ID)
	s.setFlash(w, "flash.pulse_closed")
	redirect(w, r, fmt.Sprintf("/manage/pulse/%d", id))
	return nil
}

// pulseBars draws the distribution of one statement as horizontal bars,
// one per level from "strongly disagree" to "strongly agree", with counts.
func pulseBars(sc survey.ScaleResult, tr func(string) string) template.HTML {
	const labelW, barW, rowH, countW = 170, 240, 22, 40
	var b strings.Builder
	h := rowH * 5
	fmt.Fprintf(&b, `<svg class="pulse-bars" role="img" viewBox="0 0 %d %d" width="%d" height="%d" aria-label="%s">`,
		labelW+barW+countW, h, labelW+barW+countW, h, template.HTMLEscapeString(tr("pulse.q."+sc.Question)))
	for v := 1; v <= 5; v++ {
		y := (v - 1) * rowH
		w := int(math.Round(sc.Share(v) * barW))
		fmt.Fprintf(&b, `<text x="0" y="%d">%s</text>`, y+15, template.HTMLEscapeString(tr(fmt.Sprintf("pulse.scale.%d", v))))
		fmt.Fprintf(&b, `<rect class="bar" x="%d" y="%d" width="%d" height="%d" rx="3"></rect>`, labelW, y+4, w, rowH-8)
		fmt.Fprintf(&b, `<text x="%d" y="%d">%d</text>`, labelW+w+6, y+15, sc.Counts[v-1])
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}
