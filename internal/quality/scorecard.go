package quality

import (
	"context"
	"fmt"
	"time"

	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/valid"
)

// MaxTurns is how many earlier messages of a thread go with a reply to the
// analyzer. The checks that read the conversation look at what the
// customer said lately; the rest of a long thread would only cost time.
const MaxTurns = 8

// Recent returns the last MaxTurns of turns.
func Recent(turns []Turn) []Turn {
	if len(turns) > MaxTurns {
		return turns[len(turns)-MaxTurns:]
	}
	return turns
}

// MaxScorecardWeeks is the longest period a scorecard covers.
const MaxScorecardWeeks = 104

// WeekStart returns the Monday 00:00 in loc (the business's zone) that
// starts t's week there.
func WeekStart(t time.Time, loc *time.Location) time.Time {
	t = t.In(loc)
	back := (int(t.Weekday()) + 6) % 7 // days since Monday
	y, m, d := t.Date()
	return time.Date(y, m, d-back, 0, 0, 0, 0, loc)
}

// dayNumber is the number of t's calendar day in loc since 1970-01-01:
// weeks are counted in days, as a week with a DST change is 167 or 169
// hours long.
func dayNumber(t time.Time, loc *time.Location) int {
	y, m, d := t.In(loc).Date()
	return int(time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / 86400)
}

// WeekStats are an agent's figures for one week (or, in Scorecard.Period,
// for the whole period).
type WeekStats struct {
	Start   time.Time // Monday 00:00 in the business's zone
	Reviews int
	// QAScore is the mean total of the reviews of the agent made in the
	// week; meaningful only when Reviews > 0.
	QAScore float64
	// Replies counts the agent's public replies; Sins how many of them have
	// at least one finding of each sin, AnySin how many have any finding.
	Replies    int
	Sins       map[Sin]int
	AnySin     int
	Dismissals int // findings the agent dismissed in the composer
	scoreSum   float64
}

// Rate is the share (0–1) of the week's replies with sin s; 0 without
// replies.
func (w WeekStats) Rate(s Sin) float64 {
	if w.Replies == 0 {
		return 0
	}
	return float64(w.Sins[s]) / float64(w.Replies)
}

// AnyRate is the share (0–1) of the week's replies with any sin.
func (w WeekStats) AnyRate() float64 {
	if w.Replies == 0 {
		return 0
	}
	return float64(w.AnySin) / float64(w.Replies)
}

func (w *WeekStats) addReview(total float64) {
	w.Reviews++
	w.scoreSum += total
	w.QAScore = round1(w.scoreSum / float64(w.Reviews))
}

func (w *WeekStats) addReply(fs []Finding) {
	w.Replies++
	seen := map[Sin]bool{}
	for _, f := range fs {
		if !seen[f.Sin] {
			seen[f.Sin] = true
			w.Sins[f.Sin]++
		}
	}
	if len(seen) > 0 {
		w.AnySin++
	}
}

// Scorecard is an agent's QA score and sin rates week by week.
type Scorecard struct {
	AgentID int64
	From    time.Time   // the first week's Monday
	To      time.Time   // the Monday after the last week
	Weeks   []WeekStats // oldest first, every week of the period
	Period  WeekStats   // all the weeks together
}

// Scorecard returns agentID's figures for the weeks from from's week up to
// the week before to's week (to is rounded up to a Monday), the weeks
// being those of loc, the business's zone.
//
// The sin rates come from analysing the agent's stored public replies now,
// each with the conversation before it, rather than from findings stored
// when the reply was sent: every week is then judged by the same, current
// rules (a business that adds patterns or fixes a rule from the dismissals
// sees the effect on the whole history), replies sent through the API or
// any future channel count without a second write path beside the ticket
// service, and nothing has to be backfilled. BenchmarkScorecard measures
// 35–130 µs a reply, query included (2 shared cores), so a quarter of one
// agent's replies (about 1,000) takes 0.04–0.13 s; team-wide reports over
// years would want a rollup keyed by message and rule set.
func (r *Reviews) Scorecard(ctx context.Context, agentID int64, from, to time.Time, loc *time.Location) (Scorecard, error) {
	from = WeekStart(from, loc)
	if ws := WeekStart(to, loc); !ws.Equal(to) {
		to = ws.AddDate(0, 0, 7)
	} else {
		to = ws
	}
	first := dayNumber(from, loc)
	weeks := (dayNumber(to, loc) - first) / 7
	if weeks < 1 || weeks > MaxScorecardWeeks {
		return Scorecard{}, valid.Field("weeks", valid.Msg("valid.range", "must be from %d to %d", 1, MaxScorecardWeeks))
	}
	sc := Scorecard{AgentID: agentID, From: from, To: to, Weeks: make([]WeekStats, weeks),
		Period: WeekStats{Start: from, Sins: map[Sin]int{}}}
	for i := range sc.Weeks {
		sc.Weeks[i] = WeekStats{Start: from.AddDate(0, 0, 7*i), Sins: map[Sin]int{}}
	}
	week := func(ms int64) *WeekStats {
		t := store.Time(ms)
		i := (dayNumber(t, loc) - first) / 7
		if t.Before(from) || i >= len(sc.Weeks) {
			return nil
		}
		return &sc.Weeks[i]
	}
	fromMs, toMs := store.Millis(from), store.Millis(to)

	rows, err := r.o.DB.R.QueryContext(ctx, r.q.Get("reviewee-totals"), agentID, fromMs, toMs)
	if err != nil {
		return Scorecard{}, fmt.Errorf("quality: scorecard %d: %w", agentID, err)
	}
	for rows.Next() {
		var total float64
		var at int64
		if err := rows.Scan(&total, &at); err != nil {
			rows.Close()
			return Scorecard{}, fmt.Errorf("quality: scorecard %d: %w", agentID, err)
		}
		if w := week(at); w != nil {
			w.addReview(total)
			sc.Period.addReview(total)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return Scorecard{}, fmt.Errorf("quality: scorecard %d: %w", agentID, err)
	}

	rows, err = r.o.DB.R.QueryContext(ctx, r.q.Get("agent-dismissal-times"), agentID, fromMs, toMs)
	if err != nil {
		return Scorecard{}, fmt.Errorf("quality: scorecard %d: %w", agentID, err)
	}
	for rows.Next() {
		var at int64
		if err := rows.Scan(&at); err != nil {
			rows.Close()
			return Scorecard{}, fmt.Errorf("quality: scorecard %d: %w", agentID, err)
		}
		if w := week(at); w != nil {
			w.Dismissals++
			sc.Period.Dismissals++
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return Scorecard{}, fmt.Errorf("quality: scorecard %d: %w", agentID, err)
	}

	if err := r.analyseReplies(ctx, agentID, fromMs, toMs, func(at int64, fs []Finding) {
		if w := week(at); w != nil {
			w.addReply(fs)
			sc.Period.addReply(fs)
		}
	}); err != nil {
		return Scorecard{}, err
	}
	return sc, nil
}

// analyseReplies analyses each public reply of agentID sent in
// [fromMs, toMs) with the conversation before it and passes its time and
// findings to fn.
func (r *Reviews) analyseReplies(ctx context.Context, agentID, fromMs, toMs int64, fn func(at int64, fs []Finding)) error {
	rows, err := r.o.DB.R.QueryContext(ctx, r.q.Get("reply-threads"), agentID, fromMs, toMs)
	if err != nil {
		return fmt.Errorf("quality: replies of %d: %w", agentID, err)
	}
	defer rows.Close()
	var turns []Turn
	var current int64
	for rows.Next() {
		var ticketID, author, at int64
		var kind, text, channel string
		if err := rows.Scan(&ticketID, &kind, &author, &text, &at, &channel); err != nil {
			return fmt.Errorf("quality: replies of %d: %w", agentID, err)
		}
		if ticketID != current {
			current, turns = ticketID, turns[:0]
		}
		role := "customer"
		if kind == "reply" {
			role = "agent"
			if author == agentID && at >= fromMs {
				fn(at, r.o.Analyzer.Analyze(ctx, Input{Text: text, Conversation: Recent(turns), Channel: channel}))
			}
		}
		turns = append(turns, Turn{Role: role, Text: text})
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("quality: replies of %d: %w", agentID, err)
	}
	return nil
}
