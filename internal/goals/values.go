package goals

import (
	"context"
	"fmt"
	"time"

	"github.com/rapport/rapport/internal/metrics"
	"github.com/rapport/rapport/internal/quality"
	"github.com/rapport/rapport/internal/store"
)

// Subject is whose goal it is: one agent or one team (exactly one set).
type Subject struct {
	AgentID int64
	TeamID  int64
}

// Value is a metric's value over a period; V is meaningful only when OK.
type Value struct {
	V  float64
	OK bool
}

// Value returns metric m of subject sub over [from, to), in m's display
// unit. to is cut to the end of the business's current day: "so far" for
// a period still running. The ticket and survey metrics come from metrics.Compute
// (an agent's are those of the tickets they own and the surveys credited
// to them, a team's those of the team's tickets); the QA score, sin rate
// and re-commitments are read here, a team's over its members.
func (s *Service) Value(ctx context.Context, sub Subject, m Metric, from, to time.Time) (Value, error) {
	loc, err := s.Zone(ctx)
	if err != nil {
		return Value{}, err
	}
	if tomorrow := s.tomorrow(loc); to.After(tomorrow) {
		to = tomorrow
	}
	if !to.After(from) {
		return Value{}, nil
	}
	switch m {
	case QAScore:
		return s.qaScore(ctx, sub, from, to)
	case SinRate:
		return s.sinRate(ctx, sub, from, to)
	case Recommitments:
		return s.recommitments(ctx, sub, from, to)
	}
	f := metrics.Filter{From: dayStart(from, loc), To: dayStart(to, loc), AgentID: sub.AgentID, TeamID: sub.TeamID}
	if !f.To.After(f.From) {
		return Value{}, nil
	}
	rep, err := s.o.Metrics.Compute(ctx, f)
	if err != nil {
		return Value{}, fmt.Errorf("goals: %s: %w", m, err)
	}
	p := rep.Current
	pick := func(v metrics.Value, scale float64) Value {
		if !v.Valid {
			return Value{}
		}
		return Value{V: v.V * scale, OK: true}
	}
	switch m {
	case FRTBusiness:
		return pick(p.FirstResponseBiz.Median, 1.0/60), nil
	case FRTCalendar:
		return pick(p.FirstResponse.Median, 1.0/60), nil
	case CSAT:
		return pick(p.CSAT, 100), nil
	case NPS:
		return pick(p.NPS, 1), nil
	case Solved:
		return Value{V: p.Solved.V, OK: true}, nil
	case ReopenRate:
		return pick(p.ReopenRate, 100), nil
	case Transfers:
		return pick(p.TransfersPerTicket, 1), nil
	}
	return Value{}, fmt.Errorf("goals: unknown metric %q", m)
}

// dayStart is the midnight in loc starting t's day there.
func dayStart(t time.Time, loc *time.Location) time.Time { return metrics.Midnight(t, loc) }

// tomorrow is the start of the business's next day.
func (s *Service) tomorrow(loc *time.Location) time.Time {
	return metrics.DayStart(metrics.DayOf(s.now(), loc)+1, loc)
}

// Zone is the business's zone, whose midnights start goals' periods and
// days: the one the metrics count days in; UTC without metrics.
func (s *Service) Zone(ctx context.Context) (*time.Location, error) {
	if s.o.Metrics == nil {
		return time.UTC, nil
	}
	loc, err := s.o.Metrics.Zone(ctx)
	if err != nil {
		return nil, fmt.Errorf("goals: %w", err)
	}
	return loc, nil
}

// members are the agents a subject stands for.
func (s *Service) members(ctx context.Context, sub Subject) ([]int64, error) {
	if sub.AgentID != 0 {
		return []int64{sub.AgentID}, nil
	}
	return s.int64s(ctx, "team-members", sub.TeamID)
}

func (s *Service) int64s(ctx context.Context, query string, args ...any) ([]int64, error) {
	out, err := store.Int64s(s.o.DB.R.QueryContext(ctx, s.q.Get(query), args...))
	if err != nil {
		return nil, fmt.Errorf("goals: %s: %w", query, err)
	}
	return out, nil
}

func (s *Service) qaScore(ctx context.Context, sub Subject, from, to time.Time) (Value, error) {
	ids, err := s.members(ctx, sub)
	if err != nil {
		return Value{}, err
	}
	var n int64
	var sum float64
	for _, id := range ids {
		var k int64
		var t float64
		if err := s.o.DB.R.QueryRowContext(ctx, s.q.Get("qa-sum"), id, store.Millis(from), store.Millis(to)).Scan(&k, &t); err != nil {
			return Value{}, fmt.Errorf("goals: qa score: %w", err)
		}
		n, sum = n+k, sum+t
	}
	if n == 0 {
		return Value{}, nil
	}
	return Value{V: sum / float64(n), OK: true}, nil
}

func (s *Service) recommitments(ctx context.Context, sub Subject, from, to time.Time) (Value, error) {
	ids, err := s.members(ctx, sub)
	if err != nil {
		return Value{}, err
	}
	var n int64
	for _, id := range ids {
		var k int64
		if err := s.o.DB.R.QueryRowContext(ctx, s.q.Get("recommitments-confirmed"), id, store.Millis(from), store.Millis(to)).Scan(&k); err != nil {
			return Value{}, fmt.Errorf("goals: re-commitments: %w", err)
		}
		n += k
	}
	return Value{V: float64(n), OK: true}, nil
}

// sinRate analyses every public reply of the subject's agents in the
// period, with the conversation before it, by the analyzer's current
// rules (as the scorecard does): replies with any sin per 100 replies.
func (s *Service) sinRate(ctx context.Context, sub Subject, from, to time.Time) (Value, error) {
	if s.o.Analyzer == nil {
		return Value{}, nil
	}
	ids, err := s.members(ctx, sub)
	if err != nil {
		return Value{}, err
	}
	var replies, sinful int
	for _, id := range ids {
		r, k, err := s.agentSins(ctx, id, store.Millis(from), store.Millis(to))
		if err != nil {
			return Value{}, err
		}
		replies, sinful = replies+r, sinful+k
	}
	if replies == 0 {
		return Value{}, nil
	}
	return Value{V: 100 * float64(sinful) / float64(replies), OK: true}, nil
}

func (s *Service) agentSins(ctx context.Context, agentID, fromMs, toMs int64) (replies, sinful int, err error) {
	rows, err := s.o.DB.R.QueryContext(ctx, s.q.Get("reply-threads"), agentID, fromMs, toMs)
	if err != nil {
		return 0, 0, fmt.Errorf("goals: replies of %d: %w", agentID, err)
	}
	defer rows.Close()
	var turns []quality.Turn
	var current int64
	for rows.Next() {
		var ticketID, author, at int64
		var kind, text, channel string
		if err := rows.Scan(&ticketID, &kind, &author, &text, &at, &channel); err != nil {
			return 0, 0, fmt.Errorf("goals: replies of %d: %w", agentID, err)
		}
		if ticketID != current {
			current, turns = ticketID, turns[:0]
		}
		role := "customer"
		if kind == "reply" {
			role = "agent"
			if author == agentID && at >= fromMs {
				replies++
				if len(s.o.Analyzer.Analyze(ctx, quality.Input{Text: text, Conversation: quality.Recent(turns), Channel: channel})) > 0 {
					sinful++
				}
			}
		}
		turns = append(turns, quality.Turn{Role: role, Text: text})
	}
	return replies, sinful, rows.Err()
}

// agentValues returns metric m of every agent with work in [from, to) from
// one metrics.Compute (its per-agent rows), when m is one those rows hold:
// the suggestion's peers then cost one Compute per period rather than one
// per peer and period. ok is false for the other metrics. An agent missing
// from the map had no data.
func (s *Service) agentValues(ctx context.Context, m Metric, from, to time.Time) (vals map[int64]Value, ok bool, err error) {
	switch m {
	case FRTCalendar, CSAT, NPS, Solved, ReopenRate, Transfers:
	default:
		return nil, false, nil
	}
	loc, err := s.Zone(ctx)
	if err != nil {
		return nil, false, err
	}
	if tomorrow := s.tomorrow(loc); to.After(tomorrow) {
		to = tomorrow
	}
	vals = map[int64]Value{}
	f := metrics.Filter{From: dayStart(from, loc), To: dayStart(to, loc)}
	if !f.To.After(f.From) {
		return vals, true, nil
	}
	rep, err := s.o.Metrics.Compute(ctx, f)
	if err != nil {
		return nil, false, fmt.Errorf("goals: %s of every agent: %w", m, err)
	}
	for _, r := range rep.Agents {
		var v Value
		switch m {
		case FRTCalendar:
			v = Value{V: r.FirstResponse.V / 60, OK: r.FirstResponse.Valid}
		case CSAT:
			v = Value{V: 100 * r.CSAT.V, OK: r.CSAT.Valid}
		case NPS:
			v = Value{V: r.NPS.V, OK: r.NPS.Valid}
		case Solved:
			v = Value{V: float64(r.Solved), OK: true}
		case ReopenRate:
			v = Value{V: 100 * float64(r.Reopens) / float64(r.Solved), OK: r.Solved > 0}
		case Transfers:
			v = Value{V: float64(r.Transfers) / float64(r.Solved), OK: r.Solved > 0}
		}
		if v.OK {
			vals[r.AgentID] = v
		}
	}
	return vals, true, nil
}
