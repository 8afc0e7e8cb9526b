package goals

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/rapport/rapport/internal/metrics"
	"github.com/rapport/rapport/internal/store"
)

// LeaderboardMetrics are the metrics the leaderboard ranks.
var LeaderboardMetrics = []Metric{Solved, CSAT, FRTCalendar, QAScore}

// LeaderboardMinAnswers is how many survey answers an agent needs in the
// month to be ranked on CSAT: one happy customer is not a rate.
const LeaderboardMinAnswers = 3

// SetLeaderboard records whether an agent chose to appear on the
// leaderboard.
func (s *Service) SetLeaderboard(ctx context.Context, agentID int64, on bool) error {
	var err error
	if on {
		_, err = s.o.DB.W.ExecContext(ctx, s.q.Get("optin"), agentID, store.Millis(s.now()))
	} else {
		_, err = s.o.DB.W.ExecContext(ctx, s.q.Get("optout"), agentID)
	}
	if err != nil {
		if store.IsForeignKeyViolation(err) {
			return fmt.Errorf("goals: leaderboard: %w", store.ErrNotFound)
		}
		return fmt.Errorf("goals: leaderboard: %w", err)
	}
	return nil
}

// OnLeaderboard reports whether an agent chose to appear on the
// leaderboard.
func (s *Service) OnLeaderboard(ctx context.Context, agentID int64) (bool, error) {
	var n int
	if err := s.o.DB.R.QueryRowContext(ctx, s.q.Get("opted-in"), agentID).Scan(&n); err != nil {
		return false, fmt.Errorf("goals: leaderboard: %w", err)
	}
	return n > 0, nil
}

// Standing is one agent's place on one board.
type Standing struct {
	AgentID int64
	Name    string
	Value   float64
	Rank    int // 1 is best; equal values share a rank
}

// Board ranks the opted-in agents on one metric.
type Board struct {
	Metric Metric
	Rows   []Standing // best first; agents without data are left out
}

// Leaderboard ranks the agents who opted in on LeaderboardMetrics over the
// current calendar month so far. Only opted-in agents appear, and they are
// ranked among themselves.
func (s *Service) Leaderboard(ctx context.Context) (from, to time.Time, boards []Board, err error) {
	loc, err := s.Zone(ctx)
	if err != nil {
		return from, to, nil, err
	}
	from = Month.Start(s.now(), loc)
	to = s.tomorrow(loc)
	rows, err := s.o.DB.R.QueryContext(ctx, s.q.Get("optins"))
	if err != nil {
		return from, to, nil, fmt.Errorf("goals: leaderboard: %w", err)
	}
	names := map[int64]string{}
	var ids []int64
	for rows.Next() {
		var id int64
		var name string
		if err := rows.Scan(&id, &name); err != nil {
			rows.Close()
			return from, to, nil, fmt.Errorf("goals: leaderboard: %w", err)
		}
		names[id] = name
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return from, to, nil, fmt.Errorf("goals: leaderboard: %w", err)
	}
	boards = make([]Board, len(LeaderboardMetrics))
	for i, m := range LeaderboardMetrics {
		boards[i].Metric = m
	}
	if len(ids) == 0 {
		return from, to, boards, nil
	}
	rep, err := s.o.Metrics.Compute(ctx, metrics.Filter{From: from, To: to})
	if err != nil {
		return from, to, nil, fmt.Errorf("goals: leaderboard: %w", err)
	}
	byAgent := map[int64]metrics.AgentRow{}
	for _, r := range rep.Agents {
		byAgent[r.AgentID] = r
	}
	for i, m := range LeaderboardMetrics {
		var st []Standing
		for _, id := range ids {
			var v Value
			r, ok := byAgent[id]
			switch m {
			case Solved:
				v = Value{V: float64(r.Solved), OK: ok}
			case CSAT:
				v = Value{V: 100 * r.CSAT.V, OK: r.CSAT.Valid && r.CSATAnswers >= LeaderboardMinAnswers}
			case FRTCalendar:
				v = Value{V: r.FirstResponse.V / 60, OK: r.FirstResponse.Valid}
			case QAScore:
				if v, err = s.qaScore(ctx, Subject{AgentID: id}, from, to); err != nil {
					return from, to, nil, err
				}
			}
			if v.OK {
				st = append(st, Standing{AgentID: id, Name: names[id], Value: v.V})
			}
		}
		boards[i].Rows = rank(m, st)
	}
	return from, to, boards, nil
}

// rank sorts standings best first and numbers them, equal values sharing
// a rank (1, 2, 2, 4).
func rank(m Metric, st []Standing) []Standing {
	sort.SliceStable(st, func(i, j int) bool {
		if st[i].Value != st[j].Value {
			return m.Better(st[i].Value, st[j].Value)
		}
		return st[i].Name < st[j].Name
	})
	for i := range st {
		if i > 0 && st[i].Value == st[i-1].Value {
			st[i].Rank = st[i-1].Rank
		} else {
			st[i].Rank = i + 1
		}
	}
	return st
}
