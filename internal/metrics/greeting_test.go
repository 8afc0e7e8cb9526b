package metrics_test

import (
	"fmt"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/rapport/rapport/internal/metrics"
	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/store/storetest"
)

// Greeting time against a hand-computed case. A chat policy gives 20 s to
// greet (calendar time). Monday 9 March 2026:
//
//	C1 10:00:00 billing, greeted by Al after 5 s        within
//	C2 10:10:00 billing, greeted by Al after 12 s       within
//	C3 10:20:00 billing, greeted by Bo after 25 s       missed
//	C4 10:30:00 tech,    greeted by Bo after 40 s       missed
//	C5 10:40:00 billing, Al's, never answered           missed (its 20 s passed)
//	C6 10:59:50 billing, unanswered, 10 s old at 11:00  not counted yet
//	E1 an email answered in 3 s; C7 a chat of the week before: not counted.
//
// By hand, at 11:00: 5 chats count, 4 greeted (5, 12, 25, 40 s).
// Nearest rank: median = rank ceil(0.5·4) = 2 → 12 s; p90 = rank
// ceil(0.9·4) = 4 → 40 s; within 2/5 = 0.4.
// Al (C1, C2, C5): greeted 5, 12 → median rank 1 = 5 s, p90 rank 2 = 12 s; within 2/3.
// Bo (C3, C4): median 25 s, p90 40 s; within 0.
// Billing (C1, C2, C3, C5): 5, 12, 25 → median rank 2 = 12 s, p90 rank 3 = 25 s; within 2/4.
// Tech (C4): 40 s, within 0.
func TestGreetingTimeByHand(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		w.exec(`UPDATE sla_policies SET position = 1`)
		w.exec(`INSERT INTO sla_policies (name, position, channel, greeting_seconds, first_response_minutes, created_at, updated_at)
			VALUES ('Chat', 0, 'chat', 20, 5, $1, $1)`, w.clock.Now().UnixMilli())
		at := func(d int, h, m, s int) time.Time { return day(d, h, m).Add(time.Duration(s) * time.Second) }
		w.create("C7", at(3, 10, 0, 0), "chat", "question", "en", "carla", "al", "billing")
		w.reply("C7", at(3, 10, 0, 2), "al")
		chat := func(key string, h, m int, owner, team, greeter string, after int) {
			w.create(key, at(9, h, m, 0), "chat", "question", "en", "carla", owner, team)
			if greeter != "" {
				w.reply(key, at(9, h, m, after), greeter)
			}
		}
		chat("C1", 10, 0, "al", "billing", "al", 5)
		chat("C2", 10, 10, "al", "billing", "al", 12)
		chat("C3", 10, 20, "bo", "billing", "bo", 25)
		chat("C4", 10, 30, "bo", "tech", "bo", 40)
		chat("C5", 10, 40, "al", "billing", "", 0)
		w.create("E1", at(9, 10, 50, 0), "email", "question", "en", "carla", "al", "billing")
		w.reply("E1", at(9, 10, 50, 3), "al")
		w.create("C6", at(9, 10, 59, 50), "chat", "question", "en", "carla", "", "billing")
		w.at(at(9, 11, 0, 0))

		rep, err := w.m.Compute(w.ctx, week(day(9, 0, 0), 7))
		if err != nil {
			t.Fatal(err)
		}
		g := rep.Greeting
		want := func(what string, got metrics.Greeting, chats, greeted int64, median, p90, within metrics.Value) {
			t.Helper()
			if got.Chats != chats || got.Greeted != greeted {
				t.Errorf("%s: %d chats, %d greeted; want %d, %d", what, got.Chats, got.Greeted, chats, greeted)
			}
			check(t, what+" median", got.Median, median)
			check(t, what+" p90", got.P90, p90)
			check(t, what+" within target", got.Within, within)
		}
		want("all", g.All, 5, 4, v(12), v(40), v(0.4))
		rows := func(rs []metrics.GreetingRow) map[int64]metrics.Greeting {
			out := map[int64]metrics.Greeting{}
			for _, r := range rs {
				out[r.ID] = r.Greeting
			}
			return out
		}
		agents, teams := rows(g.Agents), rows(g.Teams)
		if len(agents) != 2 || len(teams) != 2 {
			t.Fatalf("agents %+v, teams %+v; want Al and Bo, billing and tech", g.Agents, g.Teams)
		}
		want("Al", agents[w.agents["al"]], 3, 2, v(5), v(12), v(2.0/3))
		want("Bo", agents[w.agents["bo"]], 2, 2, v(25), v(40), v(0))
		want("billing", teams[w.teams["billing"]], 4, 3, v(12), v(25), v(0.5))
		want("tech", teams[w.teams["tech"]], 1, 1, v(40), v(40), v(0))

		// Filtered by agent, the period's figures are that agent's; by the
		// email channel, there are none.
		f := week(day(9, 0, 0), 7)
		f.AgentID = w.agents["bo"]
		if g, err := w.m.Greetings(w.ctx, f); err != nil {
			t.Fatal(err)
		} else {
			want("Bo's filter", g.All, 2, 2, v(25), v(40), v(0))
		}
		f = week(day(9, 0, 0), 7)
		f.Channel = "email"
		if g, err := w.m.Greetings(w.ctx, f); err != nil || g.All.Chats != 0 || g.All.Median.Valid {
			t.Errorf("the email channel has greeting figures %+v, %v", g.All, err)
		}
	})
}

// TestGreetingLongWaits: greeting waits on both sides of the histogram's
// step edges (99.999 s, 100 s, 109.999 s, 110 s), long ones (4,321 s,
// 98,765 s), one at its target exactly and one a millisecond past it,
// against figures by hand and against the chats read one by one from the
// tickets. The dashboard decides each chat in SQL (greeting-decided): who
// it belongs to, greeted or not, within its target or not; a chat put on
// the wrong side of a bucket's edge or of its target would move a median,
// p90 or share here. A chat policy gives 300 s. Monday 9
// March 2026, every chat Al's in billing and greeted by Al unless said:
//
//	C1 5 s, C2 99.999 s (bucket 99 s), C3 100 s and C4 109.999 s (100 s),
//	C5 110 s, C6 125 s (120 s), C7 300 s (at its target: within),
//	C8 300.001 s (300 s, missed), C9 4,321 s (4,200 s), C10 98,765 s
//	(94,000 s): within 7 of 10.
//	C11 Bo's in billing, never answered: missed.
//	C13 Al's in tech, greeted by Bo after 12 s: Bo's, within.
//	C12 unanswered, 60 s old at the end: not counted yet.
//
// All: 12 chats, 11 greeted (5, 12, 99, 100, 100, 110, 120, 300, 300,
// 4,200, 94,000 s): median rank 6 = 110 s, p90 rank 10 = 4,200 s, within
// 8/12. Al: C1–C10, median rank 5 = 110 s, p90 rank 9 = 4,200 s, within
// 7/10. Bo: C11, C13: 2 chats, 1 greeted, 12 s, within 1/2. Billing:
// C1–C11, 11 chats, 10 greeted, median 110 s, p90 4,200 s, within 7/11.
// Tech: C13.
func TestGreetingLongWaits(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		w.exec(`UPDATE sla_policies SET position = 1`)
		w.exec(`INSERT INTO sla_policies (name, position, channel, greeting_seconds, first_response_minutes, created_at, updated_at)
			VALUES ('Chat', 0, 'chat', 300, 5, $1, $1)`, w.clock.Now().UnixMilli())
		type event struct {
			at             time.Time
			key            string
			reply          bool
			owner, greeter string
			team           string
		}
		var events []event
		start := day(9, 10, 0)
		for i, waitMs := range []int64{5000, 99999, 100000, 109999, 110000, 125000, 300000, 300001, 4321000, 98765000} {
			key := fmt.Sprintf("C%d", i+1)
			created := start.Add(time.Duration(i) * 10 * time.Minute)
			events = append(events, event{at: created, key: key, owner: "al", team: "billing"},
				event{at: created.Add(time.Duration(waitMs) * time.Millisecond), key: key, reply: true, greeter: "al"})
		}
		events = append(events, event{at: day(9, 12, 0), key: "C11", owner: "bo", team: "billing"},
			event{at: day(9, 12, 10), key: "C13", owner: "al", team: "tech"},
			event{at: day(9, 12, 10).Add(12 * time.Second), key: "C13", reply: true, greeter: "bo"},
			event{at: day(10, 14, 30), key: "C12", owner: "al", team: "billing"})
		slices.SortFunc(events, func(a, b event) int { return a.at.Compare(b.at) })
		for _, e := range events {
			if e.reply {
				w.reply(e.key, e.at, e.greeter)
			} else {
				w.create(e.key, e.at, "chat", "question", "en", "carla", e.owner, e.team)
			}
		}
		w.at(day(10, 14, 31))

		f := week(day(9, 0, 0), 7)
		rep, err := w.m.Compute(w.ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		g := rep.Greeting
		want := func(what string, got metrics.Greeting, chats, greeted int64, median, p90, within metrics.Value) {
			t.Helper()
			if got.Chats != chats || got.Greeted != greeted {
				t.Errorf("%s: %d chats, %d greeted; want %d, %d", what, got.Chats, got.Greeted, chats, greeted)
			}
			check(t, what+" median", got.Median, median)
			check(t, what+" p90", got.P90, p90)
			check(t, what+" within target", got.Within, within)
		}
		want("all", g.All, 12, 11, v(110), v(4200), v(8.0/12))
		byID := func(rs []metrics.GreetingRow) map[int64]metrics.Greeting {
			out := map[int64]metrics.Greeting{}
			for _, r := range rs {
				out[r.ID] = r.Greeting
			}
			return out
		}
		agents, teams := byID(g.Agents), byID(g.Teams)
		if len(agents) != 2 || len(teams) != 2 {
			t.Fatalf("agents %+v, teams %+v; want Al and Bo, billing and tech", g.Agents, g.Teams)
		}
		want("Al", agents[w.agents["al"]], 10, 10, v(110), v(4200), v(0.7))
		want("Bo", agents[w.agents["bo"]], 2, 1, v(12), v(12), v(0.5))
		want("billing", teams[w.teams["billing"]], 11, 10, v(110), v(4200), v(7.0/11))
		want("tech", teams[w.teams["tech"]], 1, 1, v(12), v(12), v(1))

		// The same figures as the chats one by one, under each filter.
		for _, sel := range []func(*metrics.Filter){
			func(*metrics.Filter) {},
			func(f *metrics.Filter) { f.AgentID = w.agents["bo"] },
			func(f *metrics.Filter) { f.TeamID = w.teams["billing"] },
			func(f *metrics.Filter) { f.Language = "en" },
			func(f *metrics.Filter) { f.Language = "it" },
		} {
			f := week(day(9, 0, 0), 7)
			sel(&f)
			facts, err := w.m.Greetings(w.ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			tickets, err := w.m.GreetingsFromTickets(w.ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(facts, tickets) {
				t.Errorf("team %d agent %d %q: from the facts %+v\nfrom the tickets %+v", f.TeamID, f.AgentID, f.Language, facts, tickets)
			}
		}
	})
}
