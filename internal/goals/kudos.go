package goals

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/valid"
)

// Kinds of kudos.
const (
	KindSurvey = "survey" // a customer's positive survey comment
	KindGoal   = "goal"   // a goal met
	KindSave   = "save"   // a re-commitment of a customer who was at risk
	KindManual = "manual" // one agent's thanks to another
)

// KudosKinds lists every kind of kudos.
var KudosKinds = []string{KindSurvey, KindGoal, KindSave, KindManual}

// Kudos is one piece of recognition on the team page.
type Kudos struct {
	ID        int64
	Kind      string
	AgentID   int64 // credited agent; 0 for a team's goal
	AgentName string
	TeamID    int64 // credited team, for team goals
	TeamName  string
	FromID    int64 // who gave a manual kudos
	FromName  string
	TicketID  int64
	GoalID    int64
	// The goal met, for KindGoal.
	GoalMetric Metric
	GoalTarget float64
	GoalValue  float64
	Message    string // the customer's comment, the colleague's words, the words of the save
	CSAT       int    // the survey's CSAT answer, 0 when none
	CreatedAt  time.Time
}

// MaxKudosMessage is the longest message of a manual kudos, in characters.
const MaxKudosMessage = 280

// Give records a kudos from one agent to another with a short message.
// Nobody can give themselves kudos; an unknown agent is store.ErrNotFound.
func (s *Service) Give(ctx context.Context, from, to int64, message string) (Kudos, error) {
	message = strings.TrimSpace(message)
	errs := valid.Fields{}
	if to <= 0 {
		errs.Add("to", valid.Msg("valid.choose_colleague", "choose a colleague"))
	} else if to == from {
		errs.Add("to", valid.Msg("valid.kudos_self", "kudos go to someone else"))
	}
	switch n := utf8.RuneCountInString(message); {
	case n == 0:
		errs.Add("message", valid.Msg("valid.required", "is required"))
	case n > MaxKudosMessage || strings.ContainsRune(message, 0):
		errs.Add("message", valid.Msg("valid.longer_than", "must be at most %d characters of text", MaxKudosMessage))
	}
	if err := errs.Err(); err != nil {
		return Kudos{}, err
	}
	var id int64
	err := s.o.DB.W.QueryRowContext(ctx, s.q.Get("insert-manual-kudos"), to, from, message, store.Millis(s.now())).Scan(&id)
	if err != nil {
		if store.IsForeignKeyViolation(err) {
			return Kudos{}, fmt.Errorf("goals: kudos: %w", store.ErrNotFound)
		}
		return Kudos{}, fmt.Errorf("goals: kudos: %w", err)
	}
	return Kudos{ID: id, Kind: KindManual, AgentID: to, FromID: from, Message: message, CreatedAt: s.now()}, nil
}

// Collect turns what happened since it last ran into kudos: positive
// survey comments (CSAT 4–5 or NPS 9–10 with a comment, and no answer in
// the same survey saying otherwise), credited to the survey's agent;
// re-commitments confirmed where the customer was at risk, credited to the
// agent who won them back; and goals met (their progress is measured, for
// goals running or ended in the last 100 days). It is idempotent: every
// source has a key, and collecting again adds nothing twice. It returns
// how many kudos it added.
func (s *Service) Collect(ctx context.Context) (int, error) {
	var added int64
	for _, q := range []string{"collect-survey-kudos", "collect-save-kudos"} {
		res, err := s.o.DB.W.ExecContext(ctx, s.q.Get(q))
		if err != nil {
			return 0, fmt.Errorf("goals: %s: %w", q, err)
		}
		n, _ := res.RowsAffected()
		added += n
	}
	now := s.now()
	open, err := s.list(ctx, "open-goals", store.Millis(now), store.Millis(now.AddDate(0, 0, -100)))
	if err != nil {
		return 0, err
	}
	ps, err := s.Progress(ctx, open)
	if err != nil {
		return 0, err
	}
	for i, p := range ps {
		if p.Status == StatusMet && open[i].MetAt.IsZero() {
			added++
		}
	}
	return int(added), nil
}

// Kudos returns the latest kudos, newest first: everyone's when agentID
// is 0, else those of the agent and their teams.
func (s *Service) Kudos(ctx context.Context, agentID int64, limit int) ([]Kudos, error) {
	rows, err := s.o.DB.R.QueryContext(ctx, s.q.Get("list-kudos"), agentID, limit)
	if err != nil {
		return nil, fmt.Errorf("goals: kudos: %w", err)
	}
	defer rows.Close()
	out := []Kudos{}
	for rows.Next() {
		var k Kudos
		var metric string
		var csat sql.NullInt64
		var created int64
		if err := rows.Scan(&k.ID, &k.Kind, &k.AgentID, &k.AgentName, &k.TeamID, &k.TeamName, &k.FromID, &k.FromName,
			&k.TicketID, &k.GoalID, &metric, &k.GoalTarget, &k.GoalValue, &k.Message, &csat, &created); err != nil {
			return nil, fmt.Errorf("goals: kudos: %w", err)
		}
		k.GoalMetric, k.CSAT, k.CreatedAt = Metric(metric), int(csat.Int64), store.Time(created)
		out = append(out, k)
	}
	return out, rows.Err()
}
