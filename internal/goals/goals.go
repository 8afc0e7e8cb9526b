// Package goals keeps the goals managers set for agents and teams, with
// their progress and suggested targets; the recognition shown on the team
// page (kudos from surveys, goals met, saves and colleagues, and the opt-in
// leaderboard); and the business's own service standard that every agent
// reads and acknowledges.
package goals

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/rapport/rapport/internal/audit"
	"github.com/rapport/rapport/internal/i18n"
	"github.com/rapport/rapport/internal/jobs"
	"github.com/rapport/rapport/internal/metrics"
	"github.com/rapport/rapport/internal/quality"
	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/valid"
)

// Opts are the dependencies of a Service.
type Opts struct {
	DB      *store.DB
	Metrics *metrics.Service // ticket and survey metrics of goals and the leaderboard
	// Analyzer reads replies for the sin-rate metric; nil gives it no data.
	Analyzer *quality.Analyzer
	Clock    jobs.Clock   // nil: the wall clock
	Log      *slog.Logger // nil discards
	// DefaultLanguage is the language whose service standard is shown
	// when there is none in the reader's; "" means i18n.Default.
	DefaultLanguage string
}

// Service keeps goals, kudos, leaderboard opt-ins and the service standard.
type Service struct {
	o     Opts
	q     store.Queries
	audit *audit.Log // changes of the standard and of goals, recorded in their transaction
}

//go:embed queries.sql
var queriesFS embed.FS

// New returns a Service over o.DB.
func New(o Opts) (*Service, error) {
	if o.DB == nil || o.Metrics == nil {
		return nil, errors.New("goals: DB and Metrics are required")
	}
	if o.Clock == nil {
		o.Clock = jobs.SystemClock{}
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	if o.DefaultLanguage == "" {
		o.DefaultLanguage = i18n.Default
	}
	return &Service{o: o, q: store.MustLoadQueries(queriesFS, o.DB.Dialect), audit: audit.New(o.DB, o.Clock)}, nil
}

func (s *Service) now() time.Time { return s.o.Clock.Now().UTC() }

// Now is the service clock's time, for reading relative periods.
func (s *Service) Now() time.Time { return s.now() }

// Goal is a target on one metric for one agent or team over one period.
type Goal struct {
	ID        int64
	Subject   Subject
	Name      string // the agent's or team's name
	Metric    Metric
	Period    Period
	Start     time.Time
	End       time.Time // exclusive
	Target    float64
	Baseline  *float64 // the subject's recent median when set; nil unknown
	Suggested *float64 // the target Rapport suggested; nil when none
	Note      string
	CreatedBy int64
	CreatedAt time.Time
	MetAt     time.Time // zero until found met
}

// NewGoal is what Create needs. Start may be any time in the period: the
// goal covers the whole period holding it.
type NewGoal struct {
	Subject   Subject
	Metric    Metric
	Period    Period
	Start     time.Time
	Target    float64
	Baseline  *float64
	Suggested *float64
	Note      string
	CreatedBy int64
}

// maxNote is the longest note a goal keeps, in characters.
const maxNote = 500

// Create validates and stores a goal. An unknown agent or team gives
// store.ErrNotFound.
func (s *Service) Create(ctx context.Context, n NewGoal) (Goal, error) {
	errs := valid.Fields{}
	if (n.Subject.AgentID == 0) == (n.Subject.TeamID == 0) || n.Subject.AgentID < 0 || n.Subject.TeamID < 0 {
		errs.Add("subject", valid.Msg("valid.agent_or_team", "choose one agent or one team"))
	}
	if !n.Metric.Valid() {
		errs.Add("metric", valid.Msg("valid.unknown_metric", "is not a known metric"))
	}
	if !n.Period.Valid() {
		errs.Add("period", valid.Msg("valid.choice", "must be week, month or quarter"))
	}
	if n.Start.IsZero() {
		errs.Add("start", valid.Msg("valid.required", "is required"))
	}
	if sp, ok := Specs[n.Metric]; ok && (math.IsNaN(n.Target) || n.Target < sp.Min || n.Target > sp.Max) {
		errs.Add("target", valid.Msg("valid.range", "must be from %g to %g", sp.Min, sp.Max))
	}
	n.Note = strings.TrimSpace(n.Note)
	if utf8.RuneCountInString(n.Note) > maxNote || strings.ContainsRune(n.Note, 0) {
		errs.Add("note", valid.Msg("valid.longer_than", "must be at most %d characters of text", maxNote))
	}
	if err := errs.Err(); err != nil {
		return Goal{}, err
	}
	g := Goal{Subject: n.Subject, Metric: n.Metric, Period: n.Period, Target: n.Target,
		Baseline: n.Baseline, Suggested: n.Suggested, Note: n.Note, CreatedBy: n.CreatedBy, CreatedAt: s.now()}
	loc, err := s.Zone(ctx)
	if err != nil {
		return Goal{}, err
	}
	g.Start = n.Period.Start(n.Start, loc)
	g.End = n.Period.Next(g.Start)
	err = s.o.DB.W.QueryRowContext(ctx, s.q.Get("insert-goal"), nullID(g.Subject.AgentID), nullID(g.Subject.TeamID),
		string(g.Metric), string(g.Period), store.Millis(g.Start), store.Millis(g.End), g.Target,
		nullFloat(g.Baseline), nullFloat(g.Suggested), g.Note, nullID(g.CreatedBy), store.Millis(g.CreatedAt)).Scan(&g.ID)
	if err != nil {
		if store.IsForeignKeyViolation(err) {
			return Goal{}, fmt.Errorf("goals: create: %w", store.ErrNotFound)
		}
		return Goal{}, fmt.Errorf("goals: create: %w", err)
	}
	return s.Get(ctx, g.ID)
}

// Delete removes a goal (and the kudos it earned).
func (s *Service) Delete(ctx context.Context, id int64) error {
	res, err := s.o.DB.W.ExecContext(ctx, s.q.Get("delete-goal"), id)
	if err != nil {
		return fmt.Errorf("goals: delete %d: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("goals: delete %d: %w", id, store.ErrNotFound)
	}
	return nil
}

// Get returns one goal.
func (s *Service) Get(ctx context.Context, id int64) (Goal, error) {
	gs, err := s.list(ctx, "get-goal", id)
	if err != nil {
		return Goal{}, err
	}
	if len(gs) == 0 {
		return Goal{}, fmt.Errorf("goals: goal %d: %w", id, store.ErrNotFound)
	}
	return gs[0], nil
}

// Recent returns the goals whose period ends after since, newest period
// first, at most limit.
func (s *Service) Recent(ctx context.Context, since time.Time, limit int) ([]Goal, error) {
	return s.list(ctx, "recent-goals", store.Millis(since), limit)
}

// OfAgent returns the goals of an agent and of the teams they belong to
// whose period ends after since, the latest period first.
func (s *Service) OfAgent(ctx context.Context, agentID int64, since time.Time) ([]Goal, error) {
	return s.list(ctx, "agent-goals", agentID, store.Millis(since))
}

func (s *Service) list(ctx context.Context, query string, args ...any) ([]Goal, error) {
	rows, err := s.o.DB.R.QueryContext(ctx, s.q.Get(query), args...)
	if err != nil {
		return nil, fmt.Errorf("goals: %s: %w", query, err)
	}
	defer rows.Close()
	out := []Goal{}
	for rows.Next() {
		var g Goal
		var agentID, teamID, createdBy, metAt sql.NullInt64
		var baseline, suggested sql.NullFloat64
		var metric, period string
		var start, end, created int64
		if err := rows.Scan(&g.ID, &agentID, &teamID, &g.Name, &metric, &period, &start, &end, &g.Target,
			&baseline, &suggested, &g.Note, &createdBy, &created, &metAt); err != nil {
			return nil, fmt.Errorf("goals: %s: %w", query, err)
		}
		g.Subject = Subject{AgentID: agentID.Int64, TeamID: teamID.Int64}
		g.Metric, g.Period = Metric(metric), Period(period)
		g.Start, g.End, g.CreatedAt, g.MetAt = store.Time(start), store.Time(end), store.Time(created), store.NullTime(metAt)
		g.CreatedBy = createdBy.Int64
		if baseline.Valid {
			g.Baseline = &baseline.Float64
		}
		if suggested.Valid {
			g.Suggested = &suggested.Float64
		}
		out = append(out, g)
	}
	return out, rows.Err()
}

// GoalProgress is a goal with its progress now.
type GoalProgress struct {
	Goal
	Progress
}

// Progress measures each goal now. A goal found met for the first time is
// marked met and earns its subject a kudos (see Collect).
func (s *Service) Progress(ctx context.Context, gs []Goal) ([]GoalProgress, error) {
	now := s.now()
	out := make([]GoalProgress, 0, len(gs))
	for _, g := range gs {
		v, err := s.Value(ctx, g.Subject, g.Metric, g.Start, g.End)
		if err != nil {
			return nil, err
		}
		p := Measure(g.Metric, g.Target, g.Baseline, v.V, v.OK, g.Start, g.End, now)
		if p.Status == StatusMet && g.MetAt.IsZero() {
			if err := s.markMet(ctx, g, p.Value); err != nil {
				return nil, err
			}
			g.MetAt = now
		}
		out = append(out, GoalProgress{Goal: g, Progress: p})
	}
	return out, nil
}

// markMet records that g was met, with its kudos, once.
func (s *Service) markMet(ctx context.Context, g Goal, value float64) error {
	now := s.now()
	return s.o.DB.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.q.Get("mark-goal-met"), g.ID, store.Millis(now), value)
		if err != nil {
			return fmt.Errorf("goals: mark %d met: %w", g.ID, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil // another request got there first
		}
		_, err = tx.ExecContext(ctx, s.q.Get("insert-kudos"), KindGoal, nullID(g.Subject.AgentID), nullID(g.Subject.TeamID),
			nil, nil, g.ID, "", nil, fmt.Sprintf("goal:%d", g.ID), store.Millis(now))
		if err != nil {
			return fmt.Errorf("goals: kudos for goal %d: %w", g.ID, err)
		}
		return nil
	})
}

// Sample is a subject's value over one period.
type Sample struct {
	Start time.Time
	Value
}

// Suggestion is a suggested target with the figures behind it, to show
// the manager the reasoning.
type Suggestion struct {
	Metric    Metric
	Period    Period
	History   []Sample // the last HistoryPeriods complete periods, oldest first
	Baseline  float64
	Reference float64 // the peers' best quartile
	Peers     int     // how many peer values the reference came from
	Target    float64
	OK        bool // false without any history
}

// Suggest suggests a target for sub on m for the period of kind p holding
// start, by SuggestTarget over the HistoryPeriods complete periods before
// it (before the current period, for a goal set ahead).
func (s *Service) Suggest(ctx context.Context, sub Subject, m Metric, p Period, start time.Time) (Suggestion, error) {
	if !m.Valid() || !p.Valid() {
		return Suggestion{}, valid.Field("metric", valid.Msg("valid.metric_period", "choose a metric and a period"))
	}
	sg := Suggestion{Metric: m, Period: p}
	loc, err := s.Zone(ctx)
	if err != nil {
		return Suggestion{}, err
	}
	first := p.Start(start, loc)
	if current := p.Start(s.now(), loc); current.Before(first) {
		first = current
	}
	for i := 0; i < HistoryPeriods; i++ {
		first = p.Prev(first)
	}
	starts := make([]time.Time, HistoryPeriods)
	for i, t := 0, first; i < HistoryPeriods; i, t = i+1, p.Next(t) {
		starts[i] = t
	}
	series := func(sub Subject) ([]Sample, []float64, error) {
		var samples []Sample
		var vals []float64
		for _, t := range starts {
			v, err := s.Value(ctx, sub, m, t, p.Next(t))
			if err != nil {
				return nil, nil, err
			}
			samples = append(samples, Sample{Start: t, Value: v})
			if v.OK {
				vals = append(vals, v.V)
			}
		}
		return samples, vals, nil
	}
	var own []float64
	if sg.History, own, err = series(sub); err != nil {
		return Suggestion{}, err
	}
	var peers []float64
	if sub.TeamID != 0 {
		peers = own
	} else {
		ids, err := s.int64s(ctx, "peers", sub.AgentID)
		if err != nil {
			return Suggestion{}, err
		}
		// Metrics with per-agent rows: one Compute per period for all.
		var byPeriod []map[int64]Value
		for _, t := range starts {
			vals, ok, err := s.agentValues(ctx, m, t, p.Next(t))
			if err != nil {
				return Suggestion{}, err
			}
			if !ok {
				byPeriod = nil
				break
			}
			byPeriod = append(byPeriod, vals)
		}
		for _, id := range ids {
			vals := own
			if id != sub.AgentID {
				if byPeriod != nil {
					vals = nil
					for _, pv := range byPeriod {
						if v, ok := pv[id]; ok {
							vals = append(vals, v.V)
						}
					}
				} else if _, vals, err = series(Subject{AgentID: id}); err != nil {
					return Suggestion{}, err
				}
				if m == Solved && !slices.ContainsFunc(vals, func(v float64) bool { return v > 0 }) {
					// Solving nothing, they did not work tickets then
					// (a manager, an admin, someone away): no peer.
					vals = nil
				}
			}
			if len(vals) > 0 {
				peers = append(peers, quantile(vals, 0.5))
			}
		}
	}
	sg.Peers = len(peers)
	sg.Target, sg.Baseline, sg.Reference, sg.OK = SuggestTarget(m, own, peers)
	return sg, nil
}

func nullID(id int64) sql.NullInt64 { return sql.NullInt64{Int64: id, Valid: id != 0} }

func nullFloat(f *float64) sql.NullFloat64 {
	if f == nil {
		return sql.NullFloat64{}
	}
	return sql.NullFloat64{Float64: *f, Valid: true}
}
