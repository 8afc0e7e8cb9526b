package metrics

import (
	"cmp"
	"context"
	"database/sql"
	"slices"
	"time"

	"github.com/rapport/rapport/internal/sla"
)

// Greeting time is how long a visitor of a live chat waited for the first
// reply: from the chat's first message (the ticket's creation) to its first
// response. It is read from the greeting facts (metric_greetings, one row
// a chat, kept by the change hook in the change's transaction as
// metric_facts is; greetfacts.go), by the index of their creation times:
// chats are a small share of tickets, each chat's target comes from its
// own SLA policy, and an unanswered chat turns into a miss when its target
// passes, with no change to it, so the figures are tallied from the chats'
// rows at read time rather than kept as sums by day. Until the background
// fill of the facts is finished (metric_zone.greet_after), they are read
// from the tickets, as before the facts.
//
// A chat counts in the period of its first message. Median and p90 are
// over the greeted chats, by the same nearest-rank method and buckets as
// the response times (exact below 100 s). Within target is the share of
// chats greeted within their target (their policy's greeting target, else
// sla.DefaultGreeting) among those greeted and those still unanswered
// whose target has passed (a visitor left waiting is a miss, not nothing).
// A chat belongs to the agent who greeted it (the author of the first
// reply), or to its owner while unanswered; to its team.

// Greeting is the greeting time of a set of chats.
type Greeting struct {
	Chats   int64 `json:"chats"`   // chats counted: greeted, or unanswered past their target
	Greeted int64 `json:"greeted"` // of which greeted
	Median  Value `json:"median"`  // seconds, of the greeted
	P90     Value `json:"p90"`
	Within  Value `json:"within_target"` // share 0–1 of Chats
}

// GreetingRow is the greeting time of one agent or team.
type GreetingRow struct {
	ID int64 `json:"id"`
	Greeting
}

// GreetingReport is the greeting time of the period: all chats the filter
// selects, per agent and per team (ids in ascending order; 0 is no team
// or nobody).
type GreetingReport struct {
	All    Greeting      `json:"all"`
	Agents []GreetingRow `json:"agents"`
	Teams  []GreetingRow `json:"teams"`
}

// greetTally gathers one set's chats.
type greetTally struct {
	h             histogram
	chats, within int64
	greeted       int64
}

// add counts a chat: greeted after waitedMs, or not greeted (a miss past
// its target); in tells whether it was greeted within its target.
func (g *greetTally) add(waitedMs int64, greeted, in bool) {
	if g.h == nil {
		g.h = histogram{}
	}
	g.chats++
	if in {
		g.within++
	}
	if greeted {
		g.h.add(bucketOf(waitedMs), 1)
		g.greeted++
	}
}

func (g *greetTally) figures() Greeting {
	out := Greeting{Chats: g.chats, Greeted: g.greeted, Within: share(g.within, g.chats)}
	if g.h != nil {
		d := g.h.durations()
		out.Median, out.P90 = d.Median, d.P90
	}
	return out
}

// Greetings computes the greeting time of f's period, under f's team,
// agent (who greeted, or owns an unanswered chat) and language filters; a
// channel filter other than chat selects nothing.
func (s *Service) Greetings(ctx context.Context, f Filter) (GreetingReport, error) {
	st, err := s.state(ctx, s.o.DB.R)
	if err != nil {
		return GreetingReport{}, err
	}
	return s.greetings(ctx, s.o.DB.R, f, !st.GreetAfter.Valid)
}

// greetings is Greetings reading through db, from the greeting facts when
// facts is set, else from the tickets.
func (s *Service) greetings(ctx context.Context, db querier, f Filter, facts bool) (GreetingReport, error) {
	rep := GreetingReport{Agents: []GreetingRow{}, Teams: []GreetingRow{}}
	if f.Channel != "" && !slices.Contains(sla.LiveChannels, f.Channel) {
		return rep, nil
	}
	now := s.o.Clock.Now().UnixMilli()
	var all greetTally
	agents, teams := map[int64]*greetTally{}, map[int64]*greetTally{}
	tally := func(m map[int64]*greetTally, id int64) *greetTally {
		if m[id] == nil {
			m[id] = &greetTally{}
		}
		return m[id]
	}
	add := func(team, who, waited int64, greeted, in bool) {
		all.add(waited, greeted, in)
		tally(agents, who).add(waited, greeted, in)
		tally(teams, team).add(waited, greeted, in)
	}
	read := s.greetingFacts
	if !facts {
		read = s.greetingChats
	}
	if err := read(ctx, db, f, now, add); err != nil {
		return rep, err
	}
	rep.All = all.figures()
	for _, m := range []struct {
		from map[int64]*greetTally
		to   *[]GreetingRow
	}{{agents, &rep.Agents}, {teams, &rep.Teams}} {
		for id, g := range m.from {
			*m.to = append(*m.to, GreetingRow{ID: id, Greeting: g.figures()})
		}
		slices.SortFunc(*m.to, func(a, b GreetingRow) int { return cmp.Compare(a.ID, b.ID) })
	}
	return rep, nil
}

// greetAdd counts a chat of team, belonging to agent who, greeted (or
// not) after waited ms, in (or not) within its target.
type greetAdd func(team, who, waited int64, greeted, in bool)

// greetingFacts reads the chats of f's period from the greeting facts,
// each decided in SQL (greeting-decided): who it belongs to, whether it
// was greeted and within its target; chats not decided yet at now, and
// those f's team, agent and language filters leave out, are dropped
// there. Four integers a chat come back instead of eight columns: the
// driver's per-row, per-column work was most of the time. (Counting them
// by agent, team and wait in SQL instead returned a third as many rows at
// twice the CPU, on SQLite, for the sort its GROUP BY needs: the waits
// are spread over thousands of distinct seconds; docs/PERFORMANCE.md.)
func (s *Service) greetingFacts(ctx context.Context, db querier, f Filter, now int64, add greetAdd) error {
	args := []any{f.From.UnixMilli(), f.To.UnixMilli(), now, sla.DefaultGreeting.Milliseconds(), f.TeamID, f.AgentID, f.Language}
	return s.each(ctx, db, "greeting-decided", args, func(rows *sql.Rows) error {
		var team, who, state, waited int64
		if err := rows.Scan(&team, &who, &state, &waited); err != nil {
			return err
		}
		add(team, who, waited, state != 0, state == 3)
		return nil
	})
}

// greetingChats reads the chats of f's period one by one from the tickets
// (greeting-chats), while the greeting facts are being filled.
func (s *Service) greetingChats(ctx context.Context, db querier, f Filter, now int64, add greetAdd) error {
	return s.each(ctx, db, "greeting-chats", []any{f.From.UnixMilli(), f.To.UnixMilli()}, func(rows *sql.Rows) error {
		var id, created, team, owner, greeter, targetS int64
		var first sql.NullInt64
		var lang string
		if err := rows.Scan(&id, &created, &first, &team, &owner, &lang, &greeter, &targetS); err != nil {
			return err
		}
		target := time.Duration(targetS) * time.Second
		if target <= 0 {
			target = sla.DefaultGreeting
		}
		who := owner
		var waited int64
		switch {
		case first.Valid:
			waited = max(first.Int64-created, 0)
			if greeter != 0 {
				who = greeter
			}
		case now-created >= target.Milliseconds():
			// Unanswered past its target: a miss.
		default:
			return nil // still within its target: not decided yet
		}
		if (f.TeamID != 0 && team != f.TeamID) || (f.AgentID != 0 && who != f.AgentID) || (f.Language != "" && lang != f.Language) {
			return nil
		}
		add(team, who, waited, first.Valid, first.Valid && waited <= target.Milliseconds())
		return nil
	})
}
