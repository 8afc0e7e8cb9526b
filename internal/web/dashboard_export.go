package web

import (
	"encoding/csv"
	"net/http"
	"strconv"
	"strings"

	"github.com/rapport/rapport/internal/metrics"
)

// csvCell keeps a spreadsheet from reading text as a formula.
func csvCell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// csvNumber is a metric value for a CSV file: the raw number (seconds,
// shares 0–1, counts), "" for no data.
func csvNumber(v metrics.Value) string {
	if !v.Valid {
		return ""
	}
	return strconv.FormatFloat(v.V, 'f', -1, 64)
}

// startCSV sets the headers of a CSV download called name.
func startCSV(w http.ResponseWriter, name string) *csv.Writer {
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	return csv.NewWriter(w)
}

// dashboardKPIs serves GET /dashboard/kpis.csv: every KPI of the filtered
// period and the previous one, as raw numbers.
func (s *server) dashboardKPIs(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	f, _, err := s.dashboardFilter(r)
	if err != nil {
		return err
	}
	rep, err := s.metrics.Compute(r.Context(), f)
	if err != nil {
		return err
	}
	p := &page{s: s, Lang: rc.lang} // only for the names, in the agent's language
	if err := s.recordExport(r); err != nil {
		return err
	}
	cw := startCSV(w, "kpis-"+f.From.Format("2006-01-02")+".csv")
	cw.Write([]string{"metric", "name", "kind", "current", "previous", "change", "from", "to"})
	for _, k := range rep.KPIs() {
		cw.Write([]string{k.Key, csvCell(p.T("metrics.kpi." + k.Key)), string(k.Kind), csvNumber(k.Cur), csvNumber(k.Prev),
			csvNumber(k.Delta()), f.From.Format("2006-01-02"), f.To.AddDate(0, 0, -1).Format("2006-01-02")})
	}
	cw.Flush()
	return cw.Error()
}

// dashboardAgents serves GET /dashboard/agents.csv: the agents table.
func (s *server) dashboardAgents(w http.ResponseWriter, r *http.Request, _ *reqCtx) error {
	f, _, err := s.dashboardFilter(r)
	if err != nil {
		return err
	}
	rep, err := s.metrics.Compute(r.Context(), f)
	if err != nil {
		return err
	}
	if err := s.recordExport(r); err != nil {
		return err
	}
	cw := startCSV(w, "agents-"+f.From.Format("2006-01-02")+".csv")
	cw.Write([]string{"agent_id", "name", "tickets_solved", "first_response_median_seconds", "csat", "csat_answers",
		"nps", "nps_answers", "transfers", "reopens"})
	for _, a := range rep.Agents {
		cw.Write([]string{strconv.FormatInt(a.AgentID, 10), csvCell(a.Name), strconv.FormatInt(a.Solved, 10),
			csvNumber(a.FirstResponse), csvNumber(a.CSAT), strconv.FormatInt(a.CSATAnswers, 10), csvNumber(a.NPS),
			strconv.FormatInt(a.NPSAnswers, 10), strconv.FormatInt(a.Transfers, 10), strconv.FormatInt(a.Reopens, 10)})
	}
	cw.Flush()
	return cw.Error()
}
