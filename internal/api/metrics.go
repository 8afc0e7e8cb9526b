package api

import (
	"net/http"

	"github.com/rapport/rapport/internal/agent"
	"github.com/rapport/rapport/internal/metrics"
)

// errNoMetrics answers GET /metrics on a server built without metrics.
var errNoMetrics = &apiError{status: http.StatusServiceUnavailable, code: "unavailable",
	message: "metrics are not enabled on this server"}

// getMetrics serves GET /metrics: the dashboard's numbers for the period
// and filters in the query (see metrics.ParseFilter), with the previous
// period, the weekly trend and the agents. No data is null, never 0.
func (s *server) getMetrics(w http.ResponseWriter, r *http.Request, _ agent.Agent) error {
	if s.metrics == nil {
		return errNoMetrics
	}
	loc, err := s.metrics.Zone(r.Context())
	if err != nil {
		return err
	}
	f, err := metrics.ParseFilter(r.URL.Query(), s.metrics.Now(), loc)
	if err != nil {
		return err
	}
	rep, err := s.metrics.Compute(r.Context(), f)
	if err != nil {
		return err
	}
	if rep.Weeks == nil {
		rep.Weeks = []metrics.Week{}
	}
	if rep.Agents == nil {
		rep.Agents = []metrics.AgentRow{}
	}
	writeJSON(w, http.StatusOK, metricsReply{Report: rep, Rates: rep.Rates(), MinBase: metrics.MinBase})
	return nil
}

// metricsReply is the answer of GET /metrics: the report, and every rate
// with the count it rests on and whether that is too few to judge.
type metricsReply struct {
	metrics.Report
	Rates   []metrics.Rate `json:"rates"`
	MinBase int            `json:"min_base"`
}
