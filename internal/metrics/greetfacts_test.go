package metrics_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"

	"github.com/rapport/rapport/internal/jobs"
	"github.com/rapport/rapport/internal/metrics"
	"github.com/rapport/rapport/internal/metrics/metricstest"
	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/store/storetest"
)

// TestGreetingFactsMatchTickets: the greeting figures (per agent, per
// team, on the chat channel, within the 30-second rule and the targets of
// other policies) read from the greeting facts are exactly those read
// from the tickets and their messages, for random periods under random
// filters, on a generated year of tickets whose chats were greeted by
// their owners, by other agents or by nobody, under three policies (30 s,
// 20 s, none set). The facts are made three ways: by Rebuild, by the
// background fill that migration 0057 starts (read from the tickets
// meanwhile), and by the change hook after a policy edit. A changed fact
// shows, so the comparison is not vacuous.
func TestGreetingFactsMatchTickets(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		end := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
		clock := jobs.NewFakeClock(end.Add(-90 * time.Second))
		w := &world{t: t, ctx: ctx, db: db, clock: clock}
		g, err := metricstest.Generate(ctx, db, metricstest.GenOpts{Tickets: 4000, Days: 120, End: end, Agents: 8, Customers: 1500, Seed: 11})
		if err != nil {
			t.Fatal(err)
		}
		now := clock.Now().UnixMilli()
		// The generated chats answered, the first reply's author being
		// their owner, another agent or none (a reply by the system), some
		// after a note by another agent; a few chats of the last minutes
		// unanswered, within their targets or past them; the chats under
		// three policies: the generated one (greeting_seconds 30 by
		// default), a 20-second one and none.
		w.exec(`UPDATE tickets SET first_response_at = created_at + (id % 45) * 1000
			WHERE channel = 'chat' AND first_response_at IS NOT NULL AND id % 4 <> 3`)
		w.exec(`INSERT INTO sla_policies (name, position, channel, greeting_seconds, first_response_minutes, created_at, updated_at)
			VALUES ('Chat', 5, 'chat', 20, 5, $1, $1)`, now)
		for i, id := range g.AgentIDs {
			w.exec(`INSERT INTO messages (ticket_id, kind, author_agent_id, body_text, created_at)
				SELECT id, 'note', $1, 'note', created_at + 1 FROM tickets WHERE channel = 'chat' AND id % 8 = $2`, id, int64(i))
		}
		w.exec(`INSERT INTO messages (ticket_id, kind, author_customer_id, body_text, created_at)
			SELECT id, 'customer', customer_id, 'hello', created_at FROM tickets WHERE channel = 'chat'`)
		w.exec(`INSERT INTO messages (ticket_id, kind, author_agent_id, body_text, created_at)
			SELECT id, 'reply', CASE WHEN id % 5 = 0 THEN NULL WHEN id % 3 = 0 THEN $1 ELSE owner_id END, 'hi', first_response_at
			FROM tickets WHERE channel = 'chat' AND first_response_at IS NOT NULL`, g.AgentIDs[0])
		w.exec(`INSERT INTO messages (ticket_id, kind, author_agent_id, body_text, created_at)
			SELECT id, 'reply', $1, 'later', first_response_at + 60000
			FROM tickets WHERE channel = 'chat' AND first_response_at IS NOT NULL AND id % 2 = 0`, g.AgentIDs[1])
		w.exec(`UPDATE tickets SET created_at = $1 - (id % 60) * 1000, first_response_at = NULL
			WHERE id IN (SELECT id FROM tickets WHERE channel = 'chat' ORDER BY id DESC LIMIT 40)`, now)
		w.exec(`UPDATE ticket_sla SET policy_id = (SELECT id FROM sla_policies WHERE name = 'Chat')
			WHERE ticket_id IN (SELECT id FROM tickets WHERE channel = 'chat' AND id % 3 = 1)`)
		w.exec(`UPDATE ticket_sla SET policy_id = NULL
			WHERE ticket_id IN (SELECT id FROM tickets WHERE channel = 'chat' AND id % 7 = 2)`)
		m := metrics.New(metrics.Opts{DB: db, Clock: clock})
		if _, err := m.Rebuild(ctx); err != nil {
			t.Fatal(err)
		}

		last := metrics.DayOf(end, time.UTC)
		filters := []func(f *metrics.Filter, r *rand.Rand){
			func(*metrics.Filter, *rand.Rand) {},
			func(f *metrics.Filter, r *rand.Rand) { f.TeamID = g.TeamIDs[r.IntN(len(g.TeamIDs))] },
			func(f *metrics.Filter, r *rand.Rand) { f.AgentID = g.AgentIDs[r.IntN(len(g.AgentIDs))] },
			func(f *metrics.Filter, _ *rand.Rand) { f.Channel = "chat" },
			func(f *metrics.Filter, _ *rand.Rand) { f.Channel = "email" },
			func(f *metrics.Filter, _ *rand.Rand) { f.Language = "it" },
			func(f *metrics.Filter, r *rand.Rand) {
				f.TeamID, f.AgentID = g.TeamIDs[r.IntN(len(g.TeamIDs))], g.AgentIDs[r.IntN(len(g.AgentIDs))]
			},
		}
		lengths := []int64{1, 7, 30, 90, 120}
		r := rand.New(rand.NewPCG(3, 4))
		cases := []metrics.Filter{{From: metrics.DayStart(last-120, time.UTC), To: metrics.DayStart(last+1, time.UTC)}}
		for range 30 {
			n := lengths[r.IntN(len(lengths))]
			from := last + 1 - n - r.Int64N(121-n)
			f := metrics.Filter{From: metrics.DayStart(from, time.UTC), To: metrics.DayStart(from+n, time.UTC)}
			filters[r.IntN(len(filters))](&f, r)
			cases = append(cases, f)
		}
		compare := func(t *testing.T, f metrics.Filter) (bool, string) {
			t.Helper()
			tickets, err := m.GreetingsFromTickets(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			rep, err := m.Compute(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			if reflect.DeepEqual(rep.Greeting, tickets) {
				return true, ""
			}
			return false, fmt.Sprintf("dashboard: %+v\ntickets:   %+v", rep.Greeting, tickets)
		}
		check := func(t *testing.T, how string) {
			t.Helper()
			for _, f := range cases {
				if ok, diff := compare(t, f); !ok {
					t.Errorf("%s, %s+%dd team %d agent %d %q %q: the dashboard's greeting figures differ from the tickets':\n%s",
						how, f.From.Format(time.DateOnly), f.Days(), f.TeamID, f.AgentID, f.Channel, f.Language, diff)
				}
			}
		}

		// The comparison covers what it should: greeters other than the
		// owner, misses of unanswered chats, chats not decided yet, and
		// the three targets.
		all, err := m.GreetingsFromTickets(ctx, cases[0])
		if err != nil {
			t.Fatal(err)
		}
		if all.All.Chats < 400 || all.All.Greeted == all.All.Chats || len(all.Agents) < len(g.AgentIDs) || len(all.Teams) < len(g.TeamIDs) {
			t.Fatalf("the generated chats say little: %+v", all.All)
		}
		if w := all.All.Within.V; !all.All.Within.Valid || w <= 0 || w >= 1 {
			t.Fatalf("within target %+v: want some chats within and some not", all.All.Within)
		}
		check(t, "after Rebuild")

		// As migration 0057 leaves a database with chats: no facts, the
		// fill to run. The dashboard reads the tickets meanwhile, then the
		// facts the fill made.
		w.exec(`DELETE FROM metric_greetings`)
		w.exec(`INSERT INTO metric_greetings (ticket_id, created_at, team_id, owner_id, greeter_id, policy_id, language)
			VALUES (999999, $1, 0, 0, 0, 0, 'en')`, now-3_600_000) // a fact whose ticket is gone
		w.exec(`UPDATE metric_zone SET greet_after = 0`)
		check(t, "before the fill")
		steps := 0
		for done := false; !done; steps++ {
			if _, done, err = m.RebuildStep(ctx, 0); err != nil {
				t.Fatal(err)
			}
		}
		if steps < 2 {
			t.Errorf("the fill took %d steps; want several batches of %d chats", steps, metrics.GreetBatch)
		}
		var facts, chats int
		if err := db.R.QueryRowContext(ctx, `SELECT (SELECT COUNT(*) FROM metric_greetings),
			(SELECT COUNT(*) FROM tickets WHERE channel = 'chat')`).Scan(&facts, &chats); err != nil {
			t.Fatal(err)
		}
		if facts != chats {
			t.Errorf("%d greeting facts for %d chats", facts, chats)
		}
		check(t, "after the background fill")

		// A policy edited: its chats' targets move with it.
		w.exec(`UPDATE sla_policies SET greeting_seconds = 600 WHERE name = 'Chat'`)
		check(t, "after a policy edit")

		// One chat's greeter changed behind the tickets' back shows.
		w.exec(`UPDATE metric_greetings SET greeter_id = $1
			WHERE ticket_id = (SELECT MIN(ticket_id) FROM metric_greetings WHERE first_at IS NOT NULL AND greeter_id <> $1)`, g.AgentIDs[2])
		if ok, _ := compare(t, cases[0]); ok {
			t.Error("a changed greeting fact went unnoticed")
		}
	})
}
