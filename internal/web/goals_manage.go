package web

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/rapport/rapport/internal/agent"
	"github.com/rapport/rapport/internal/goals"
	"github.com/rapport/rapport/internal/valid"
)

// goalsManageView is the data of /manage/goals.
type goalsManageView struct {
	Agents  []agent.Agent
	Teams   []agent.Team
	Metrics []goals.Metric
	Periods []goals.Period
	// The form: who, what, when and the target, prefilled with the
	// suggestion once the first three are chosen.
	Subject    string // "agent:ID" or "team:ID"
	Metric     goals.Metric
	Period     goals.Period
	Start      string // YYYY-MM-DD
	Target     string
	Note       string
	Suggestion *goals.Suggestion // nil until subject, metric and period are chosen
	Goals      []goals.GoalProgress
}

// goalsManagePage serves GET /manage/goals: the goals of the last months
// with their progress, and the form to set one. Choosing who, the metric
// and the period (the form's "Suggest" button, a GET) fills the target in
// with Rapport's suggestion and shows how it was reached.
func (s *server) goalsManagePage(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	q := r.URL.Query()
	v := goalsManageView{Subject: q.Get("subject"), Metric: goals.Metric(q.Get("metric")), Period: goals.Period(q.Get("period")),
		Start: q.Get("start"), Note: q.Get("note")}
	if v.Period == "" {
		v.Period = goals.Week
	}
	loc, err := s.goals.Zone(r.Context())
	if err != nil {
		return err
	}
	if v.Start == "" {
		v.Start = s.clock.Now().In(loc).Format(time.DateOnly)
	}
	if sub, ok := parseSubject(v.Subject); ok && v.Metric.Valid() && v.Period.Valid() {
		start, err := time.ParseInLocation(time.DateOnly, v.Start, loc)
		if err == nil {
			sg, err := s.goals.Suggest(r.Context(), sub, v.Metric, v.Period, start)
			if err != nil {
				return err
			}
			v.Suggestion = &sg
			if sg.OK {
				v.Target = strconv.FormatFloat(sg.Target, 'f', -1, 64)
			}
		}
	}
	return s.renderGoalsManage(w, r, rc, v, nil)
}

func (s *server) renderGoalsManage(w http.ResponseWriter, r *http.Request, rc *reqCtx, v goalsManageView, prob *problem) error {
	ctx := r.Context()
	var err error
	if v.Agents, err = s.agentsByName(ctx, rc.lang); err != nil {
		return err
	}
	if v.Teams, err = s.teamsByName(ctx, rc.lang); err != nil {
		return err
	}
	v.Metrics, v.Periods = goals.Metrics, goals.Periods
	recent, err := s.goals.Recent(ctx, s.clock.Now().AddDate(0, 0, -100), 200)
	if err != nil {
		return err
	}
	if v.Goals, err = s.goals.Progress(ctx, recent); err != nil {
		return err
	}
	p := s.newPage(w, r, rc, "goals.manage_title")
	p.Nav = "team"
	status := http.StatusOK
	if prob != nil {
		p.Problem, p.Form, status = prob, r.PostForm, prob.Status
	}
	p.Data = v
	s.render(w, r, status, "goals_manage", p)
	return nil
}

// parseSubject reads "agent:ID" or "team:ID".
func parseSubject(v string) (goals.Subject, bool) {
	kind, id, ok := strings.Cut(v, ":")
	n, err := strconv.ParseInt(id, 10, 64)
	if !ok || err != nil || n <= 0 {
		return goals.Subject{}, false
	}
	switch kind {
	case "agent":
		return goals.Subject{AgentID: n}, true
	case "team":
		return goals.Subject{TeamID: n}, true
	}
	return goals.Subject{}, false
}

// goalCreate serves POST /manage/goals. The suggestion is worked out
// again here and stored beside the target the manager chose, with its
// baseline, the starting point of the goal's progress bar.
func (s *server) goalCreate(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	f := r.PostForm
	v := goalsManageView{Subject: f.Get("subject"), Metric: goals.Metric(f.Get("metric")), Period: goals.Period(f.Get("period")),
		Start: f.Get("start"), Target: f.Get("target"), Note: f.Get("note")}
	errs := valid.Fields{}
	sub, ok := parseSubject(v.Subject)
	if !ok {
		errs.Add("subject", valid.Msg("valid.agent_or_team", "choose one agent or one team"))
	}
	if !v.Metric.Valid() {
		errs.Add("metric", valid.Msg("valid.unknown_metric", "is not a known metric"))
	}
	if !v.Period.Valid() {
		errs.Add("period", valid.Msg("valid.choice", "must be week, month or quarter"))
	}
	loc, err := s.goals.Zone(r.Context())
	if err != nil {
		return err
	}
	// The date is a day of the business's calendar.
	start, err := time.ParseInLocation(time.DateOnly, strings.TrimSpace(v.Start), loc)
	if err != nil {
		errs.Add("start", valid.Msg("valid.date", "is not a date"))
	}
	var target float64
	if v.Metric.Valid() {
		if target, err = goals.ParseTarget(v.Metric, v.Target); err != nil {
			if ve, ok := err.(valid.Fields); ok {
				for k, m := range ve {
					errs.Add(k, m)
				}
			}
		}
	}
	n := goals.NewGoal{Subject: sub, Metric: v.Metric, Period: v.Period, Start: start, Target: target,
		Note: v.Note, CreatedBy: rc.me.ID}
	if len(errs) == 0 {
		sg, err := s.goals.Suggest(r.Context(), sub, v.Metric, v.Period, start)
		if err != nil {
			return err
		}
		if sg.OK {
			n.Baseline, n.Suggested = &sg.Baseline, &sg.Target
		}
		_, err = s.goals.Create(r.Context(), n)
		if err == nil {
			s.setFlash(w, "flash.goal_saved")
			redirect(w, r, "/manage/goals")
			return nil
		}
		ve, ok := err.(valid.Fields)
		if !ok {
			if prob, ok := s.asProblem(rc.lang, "goal", err); ok {
				return s.renderGoalsManage(w, r, rc, v, prob)
			}
			return err
		}
		errs = ve
	}
	return s.renderGoalsManage(w, r, rc, v, s.goalProblem(rc.lang, errs))
}

// goalProblem is the form problem of invalid goal fields, in the agent's
// language.
func (s *server) goalProblem(lang string, errs valid.Fields) *problem {
	prob, _ := s.asProblem(lang, "goal", errs)
	for field := range errs {
		if key := "goals.err." + field; s.cat.T(lang, key) != key {
			prob.Fields[field] = s.cat.T(lang, key)
		}
	}
	return prob
}

// goalDelete serves POST /manage/goals/{id}/delete.
func (s *server) goalDelete(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := s.goals.Delete(r.Context(), id); err != nil {
		return err
	}
	s.setFlash(w, "flash.goal_deleted")
	redirect(w, r, "/manage/goals")
	return nil
}

// suggestURL is the /manage/goals form with a suggestion for the goal's
// subject, metric and period of the current period: "set the next one".
func suggestURL(g goals.Goal, now time.Time, loc *time.Location) string {
	q := url.Values{}
	if g.Subject.AgentID != 0 {
		q.Set("subject", "agent:"+strconv.FormatInt(g.Subject.AgentID, 10))
	} else {
		q.Set("subject", "team:"+strconv.FormatInt(g.Subject.TeamID, 10))
	}
	q.Set("metric", string(g.Metric))
	q.Set("period", string(g.Period))
	start := g.Period.Start(now, loc)
	if !start.After(g.Start) {
		start = g.End.In(loc)
	}
	q.Set("start", start.Format(time.DateOnly))
	return "/manage/goals?" + q.Encode()
}

// agentGoals are the goals of agentID and their teams running now or
// ended in the last five weeks, with their progress.
func (s *server) agentGoals(ctx context.Context, agentID int64) ([]goals.GoalProgress, error) {
	gs, err := s.goals.OfAgent(ctx, agentID, s.clock.Now().AddDate(0, 0, -35))
	if err != nil {
		return nil, err
	}
	return s.goals.Progress(ctx, gs)
}
