package survey

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/valid"
)

// The pulse's questions: three statements agents rate from 1 (strongly
// disagree) to 5 (strongly agree), and a free text.
const (
	PulseEquipped  = "equipped"  // I have what I need to serve customers well
	PulseProcesses = "processes" // Our processes let me solve problems at first contact
	PulseValued    = "valued"    // I feel recognised for good service
	PulseObstacles = "obstacles" // What gets in the way of serving customers?
)

// PulseScales lists the rated statements in the order they are asked.
var PulseScales = []string{PulseEquipped, PulseProcesses, PulseValued}

// MinPulseAnswers is the fewest answers a pulse's results are shown for:
// below it, a manager who knows who answered could guess who said what.
// It is also the step in which an open pulse's answers are released to its
// results: a reload of the page right before and after one person answers
// shows the same, and the next change adds at least this many answers.
// Closing the pulse releases the rest.
const MinPulseAnswers = 3

// Limits of a pulse.
const (
	MaxPulseTitle     = 200
	MaxPulseObstacles = 3000
)

// Pulse is one employee pulse survey.
type Pulse struct {
	ID         int64
	Title      string
	TeamID     int64 // 0: every agent
	TeamName   string
	CreatedBy  int64
	CreatedAt  time.Time
	Closed     bool
	Recipients int
	Answered   int
}

// PulseAnswer is one agent's answers; a nil score was skipped.
type PulseAnswer struct {
	Scores    map[string]*int // by PulseScales name
	Obstacles string
}

// Validate checks the scores' range and the text's length.
func (a PulseAnswer) Validate() error {
	errs := valid.Fields{}
	for q, v := range a.Scores {
		known := false
		for _, x := range PulseScales {
			known = known || x == q
		}
		switch {
		case !known:
			errs.Add(q, valid.Msg("valid.not_question", "is not a pulse question"))
		case v != nil && (*v < 1 || *v > 5):
			errs.Add(q, valid.Msg("valid.choice", "must be from 1 to 5"))
		}
	}
	if utf8.RuneCountInString(a.Obstacles) > MaxPulseObstacles {
		errs.Add(PulseObstacles, valid.Msg("valid.longer_than", "must be at most %d characters", MaxPulseObstacles))
	}
	if !utf8.ValidString(a.Obstacles) || strings.ContainsRune(a.Obstacles, 0) {
		errs.Add(PulseObstacles, valid.Msg("valid.not_text", "is not valid text"))
	}
	if a.Obstacles == "" {
		empty := true
		for _, v := range a.Scores {
			empty = empty && v == nil
		}
		if empty {
			errs.Add("pulse", valid.Msg("valid.answer_one", "answer at least one question"))
		}
	}
	return errs.Err()
}

// CreatePulse sends a new pulse to the active agents of team teamID (0: all
// of them), except the manager who creates it.
func (s *Service) CreatePulse(ctx context.Context, by int64, title string, teamID int64) (Pulse, error) {
	title = strings.TrimSpace(title)
	errs := valid.Fields{}
	switch {
	case title == "":
		errs.Add("title", valid.Msg("valid.required", "is required"))
	case utf8.RuneCountInString(title) > MaxPulseTitle:
		errs.Add("title", valid.Msg("valid.longer_than", "is longer than %d characters", MaxPulseTitle))
	}
	if err := errs.Err(); err != nil {
		return Pulse{}, err
	}
	var id int64
	err := s.o.DB.Tx(ctx, func(tx *sql.Tx) error {
		var team sql.NullInt64
		if teamID != 0 {
			var one int
			if err := tx.QueryRowContext(ctx, s.q.Get("team-exists"), teamID).Scan(&one); errors.Is(err, sql.ErrNoRows) {
				return valid.Field("team", valid.Msg("valid.no_team", "no such team"))
			} else if err != nil {
				return err
			}
			team = sql.NullInt64{Int64: teamID, Valid: true}
		}
		if err := tx.QueryRowContext(ctx, s.q.Get("insert-pulse"), title, team, nullID(by), s.now()).Scan(&id); err != nil {
			return err
		}
		q := "add-recipients-all"
		args := []any{id, by}
		if teamID != 0 {
			q, args = "add-recipients-team", append(args, teamID)
		}
		res, err := tx.ExecContext(ctx, s.q.Get(q), args...)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return valid.Field("team", valid.Msg("valid.team_empty", "has no agents to ask"))
		}
		return nil
	})
	if err != nil {
		return Pulse{}, fmt.Errorf("survey: create pulse: %w", err)
	}
	return s.Pulse(ctx, id)
}

func scanPulse(sc interface{ Scan(...any) error }) (Pulse, error) {
	var p Pulse
	var team, by, closed sql.NullInt64
	var created int64
	err := sc.Scan(&p.ID, &p.Title, &team, &p.TeamName, &by, &created, &closed, &p.Recipients, &p.Answered)
	p.TeamID, p.CreatedBy, p.CreatedAt, p.Closed = team.Int64, by.Int64, store.Time(created), closed.Valid
	return p, err
}

// Pulse returns pulse id with its counts.
func (s *Service) Pulse(ctx context.Context, id int64) (Pulse, error) {
	p, err := scanPulse(s.o.DB.R.QueryRowContext(ctx, s.q.Get("get-pulse"), id))
	if errors.Is(err, sql.ErrNoRows) {
		return Pulse{}, fmt.Errorf("survey: pulse %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return Pulse{}, fmt.Errorf("survey: pulse %d: %w", id, err)
	}
	return p, nil
}

// Pulses lists every pulse, newest first.
func (s *Service) Pulses(ctx context.Context) ([]Pulse, error) {
	rows, err := s.o.DB.R.QueryContext(ctx, s.q.Get("list-pulses"))
	if err != nil {
		return nil, fmt.Errorf("survey: pulses: %w", err)
	}
	defer rows.Close()
	var out []Pulse
	for rows.Next() {
		p, err := scanPulse(rows)
		if err != nil {
			return nil, fmt.Errorf("survey: pulses: %w", err)
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// PendingPulse is the oldest open pulse agent has not answered yet;
// ErrNotFound when there is none.
func (s *Service) PendingPulse(ctx context.Context, agentID int64) (Pulse, error) {
	var id int64
	err := s.o.DB.R.QueryRowContext(ctx, s.q.Get("pending-pulse"), agentID).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return Pulse{}, fmt.Errorf("survey: pending pulse: %w", ErrNotFound)
	}
	if err != nil {
		return Pulse{}, fmt.Errorf("survey: pending pulse: %w", err)
	}
	return s.Pulse(ctx, id)
}

// AnswerPulse records agent's answer to pulse id: the agent is marked as
// having answered, and the answer is stored apart, without the agent or a
// time. ErrNotFound: the agent was not asked or the pulse is closed;
// ErrAnswered: they already answered.
func (s *Service) AnswerPulse(ctx context.Context, agentID, id int64, a PulseAnswer) error {
	a.Obstacles = strings.TrimSpace(a.Obstacles)
	if err := a.Validate(); err != nil {
		return err
	}
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		return err
	}
	answerID := int64(binary.BigEndian.Uint64(b[:]) >> 1)
	if answerID == 0 {
		answerID = 1
	}
	score := func(q string) any {
		if v := a.Scores[q]; v != nil {
			return int64(*v)
		}
		return nil
	}
	err := s.o.DB.Tx(ctx, func(tx *sql.Tx) error {
		var locked int64
		if err := tx.QueryRowContext(ctx, s.q.Get("lock-pulse"), id).Scan(&locked); errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		} else if err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, s.q.Get("mark-pulse-answered"), id, agentID, true)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			var answered bool
			err := tx.QueryRowContext(ctx, s.q.Get("pulse-recipient"), id, agentID).Scan(&answered)
			if errors.Is(err, sql.ErrNoRows) || (err == nil && !answered) {
				return ErrNotFound // not asked, or the pulse is closed
			}
			if err != nil {
				return err
			}
			return ErrAnswered
		}
		if _, err := tx.ExecContext(ctx, s.q.Get("insert-pulse-answer"), answerID, id,
			score(PulseEquipped), score(PulseProcesses), score(PulseValued), a.Obstacles); err != nil {
			return err
		}
		var waiting int
		if err := tx.QueryRowContext(ctx, s.q.Get("pulse-unreleased"), id, false).Scan(&waiting); err != nil {
			return err
		}
		if waiting >= MinPulseAnswers {
			_, err = tx.ExecContext(ctx, s.q.Get("release-pulse-answers"), id, true)
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("survey: answer pulse %d: %w", id, err)
	}
	return nil
}

// ClosePulse stops pulse id taking answers and releases every answer to
// its results.
func (s *Service) ClosePulse(ctx context.Context, id int64) error {
	var n int64
	err := s.o.DB.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.q.Get("close-pulse"), id, s.now())
		if err != nil {
			return err
		}
		if n, _ = res.RowsAffected(); n == 0 {
			return nil
		}
		_, err = tx.ExecContext(ctx, s.q.Get("release-pulse-answers"), id, true)
		return err
	})
	if err != nil {
		return fmt.Errorf("survey: close pulse %d: %w", id, err)
	}
	if n == 0 {
		if _, err := s.Pulse(ctx, id); err != nil {
			return err
		}
	}
	return nil
}

// ScaleResult is the aggregate of one rated statement.
type ScaleResult struct {
	Question string
	N        int     // answers that rated it
	Mean     float64 // NaN when N is 0
	Counts   [5]int  // how many gave 1 … 5
}

// Share is the fraction of N that gave score v (1–5), for bars.
func (r ScaleResult) Share(v int) float64 {
	if r.N == 0 || v < 1 || v > 5 {
		return 0
	}
	return float64(r.Counts[v-1]) / float64(r.N)
}

// PulseResults are what a manager may see of a pulse: the released
// answers (see MinPulseAnswers), nothing until there are MinPulseAnswers of
// them, then the aggregates and the texts in an order unrelated to who
// wrote them.
type PulseResults struct {
	Pulse   Pulse
	Answers int  // released answers, those the results are made of
	Waiting int  // answers not released yet (an open pulse's last few)
	Hidden  bool // fewer than MinPulseAnswers: no results shown
	Scales  []ScaleResult
	Texts   []string
}

// Results returns pulse id's aggregated results.
func (s *Service) Results(ctx context.Context, id int64) (PulseResults, error) {
	p, err := s.Pulse(ctx, id)
	if err != nil {
		return PulseResults{}, err
	}
	r := PulseResults{Pulse: p}
	if err := s.o.DB.R.QueryRowContext(ctx, s.q.Get("pulse-unreleased"), id, false).Scan(&r.Waiting); err != nil {
		return PulseResults{}, fmt.Errorf("survey: pulse results %d: %w", id, err)
	}
	rows, err := s.o.DB.R.QueryContext(ctx, s.q.Get("pulse-answers"), id, true)
	if err != nil {
		return PulseResults{}, fmt.Errorf("survey: pulse results %d: %w", id, err)
	}
	defer rows.Close()
	res := make([]ScaleResult, len(PulseScales))
	sums := make([]int, len(PulseScales))
	for i, q := range PulseScales {
		res[i].Question = q
	}
	var texts []string
	for rows.Next() {
		var v [3]sql.NullInt64
		var text string
		if err := rows.Scan(&v[0], &v[1], &v[2], &text); err != nil {
			return PulseResults{}, fmt.Errorf("survey: pulse results %d: %w", id, err)
		}
		r.Answers++
		for i := range PulseScales {
			if v[i].Valid && v[i].Int64 >= 1 && v[i].Int64 <= 5 {
				res[i].N++
				res[i].Counts[v[i].Int64-1]++
				sums[i] += int(v[i].Int64)
			}
		}
		if text != "" {
			texts = append(texts, text)
		}
	}
	if err := rows.Err(); err != nil {
		return PulseResults{}, err
	}
	if r.Answers < MinPulseAnswers {
		r.Hidden = true
		return r, nil
	}
	for i := range res {
		res[i].Mean = math.NaN()
		if res[i].N > 0 {
			res[i].Mean = float64(sums[i]) / float64(res[i].N)
		}
	}
	r.Scales, r.Texts = res, texts // answers come ordered by their random ids
	return r, nil
}
