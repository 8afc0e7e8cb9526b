package api

import (
	"net/http"
	"strconv"

	"github.com/rapport/rapport/internal/agent"
	"github.com/rapport/rapport/internal/goals"
	"github.com/rapport/rapport/internal/valid"
)

// errNoGoals answers the goal routes on a server built without goals.
var errNoGoals = &apiError{status: http.StatusServiceUnavailable, code: "unavailable",
	message: "goals are not enabled on this server"}

// goalJSON is a goal with its progress, as the API shows it.
type goalJSON struct {
	ID        int64    `json:"id"`
	AgentID   *int64   `json:"agent_id"`
	TeamID    *int64   `json:"team_id"`
	Name      string   `json:"name"`
	Metric    string   `json:"metric"`
	Lower     bool     `json:"lower_is_better"`
	Period    string   `json:"period"`
	Start     *string  `json:"start"`
	End       *string  `json:"end"`
	Target    float64  `json:"target"`
	Baseline  *float64 `json:"baseline"`
	Suggested *float64 `json:"suggested"`
	Note      string   `json:"note"`
	Value     *float64 `json:"value"`
	Share     float64  `json:"share"`
	Elapsed   float64  `json:"elapsed"`
	Met       bool     `json:"met"`
	OnTrack   bool     `json:"on_track"`
	Status    string   `json:"status"`
	MetAt     *string  `json:"met_at"`
}

// goalsJSON is the body of GET /agents/{id}/goals.
type goalsJSON struct {
	Items []goalJSON `json:"data"`
}

// agentGoals serves GET /agents/{id}/goals: the goals of the agent and of
// their teams whose period ended in the last ?days= days (default 35, at
// most 400) or is running, with progress now. Agents read their own;
// managers and admins anyone's.
func (s *server) agentGoals(w http.ResponseWriter, r *http.Request, me agent.Agent) error {
	if s.goals == nil {
		return errNoGoals
	}
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if id != me.ID && !me.Can(agent.PermViewReports) {
		return errForbidden
	}
	if _, err := s.agents.Get(r.Context(), id); err != nil {
		return err
	}
	days := 35
	if v := r.URL.Query().Get("days"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || n > 400 {
			return valid.Field("days", valid.Msg("valid.range", "must be a whole number from %d to %d", 0, 400))
		}
		days = n
	}
	gs, err := s.goals.OfAgent(r.Context(), id, s.goals.Now().AddDate(0, 0, -days))
	if err != nil {
		return err
	}
	ps, err := s.goals.Progress(r.Context(), gs)
	if err != nil {
		return err
	}
	out := goalsJSON{Items: []goalJSON{}}
	for _, p := range ps {
		g := goalJSON{ID: p.ID, Name: p.Name, Metric: string(p.Metric), Lower: goals.Specs[p.Metric].LowerIsBetter,
			Period: string(p.Period), Start: timeJSON(p.Start), End: timeJSON(p.End), Target: p.Target,
			Baseline: p.Baseline, Suggested: p.Suggested, Note: p.Note, Share: p.Share, Elapsed: p.Elapsed,
			Met: p.Met, OnTrack: p.OnTrack, Status: string(p.Status), MetAt: timeJSON(p.MetAt)}
		if p.Subject.AgentID != 0 {
			g.AgentID = &p.Subject.AgentID
		} else {
			g.TeamID = &p.Subject.TeamID
		}
		if p.HasData {
			v := p.Value
			g.Value = &v
		}
		out.Items = append(out.Items, g)
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}
