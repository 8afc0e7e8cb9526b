package metrics

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"

	"github.com/rapport/rapport/internal/store"
)

// The greeting facts (metric_greetings, migration 0057): one row a chat,
// what greeting.go reads a period's greeting times from. A row is the
// chat's own, so a change writes no row another change writes, and needs
// no delta and no fold (fold.go): the change hook brings it up to date in
// the change's transaction, after the ticket's SLA state (the policy) is.
// The background fill (greetStep) and Rebuild make the rows of the chats
// there are from the tickets, set-based, a range of chats at a time.

// chatChannel is the channel whose tickets have greeting facts: the one
// live channel (sla.LiveChannels), as the queries name it.
const chatChannel = "chat"

// greetFact is one metric_greetings row.
type greetFact struct {
	Created  int64
	First    sql.NullInt64
	Team     int64
	Owner    int64
	Greeter  int64
	Policy   int64
	Language string
}

func (g *greetFact) scan(sc interface{ Scan(...any) error }) error {
	return sc.Scan(&g.Created, &g.First, &g.Team, &g.Owner, &g.Greeter, &g.Policy, &g.Language)
}

// refreshGreeting brings ticket id's greeting fact up to date: a chat's is
// made or updated when it moved, and one left by a ticket that is no
// longer a chat (wasChat: its stored metric fact's channel was chat, or
// it has none) is dropped.
func (s *Service) refreshGreeting(ctx context.Context, tx execer, id int64, channel string, wasChat bool) error {
	if channel != chatChannel {
		if !wasChat {
			return nil
		}
		if _, err := tx.ExecContext(ctx, s.q.Get("delete-greeting"), id); err != nil {
			return fmt.Errorf("metrics: greeting %d: %w", id, err)
		}
		return nil
	}
	var now, old greetFact
	if err := now.scan(tx.QueryRowContext(ctx, s.q.Get("greeting-of"), id)); err != nil {
		return fmt.Errorf("metrics: greeting %d: %w", id, err)
	}
	err := old.scan(tx.QueryRowContext(ctx, s.q.Get("get-greeting"), id))
	switch {
	case err == nil && old == now:
		return nil
	case err != nil && !errors.Is(err, sql.ErrNoRows):
		return fmt.Errorf("metrics: greeting %d: %w", id, err)
	}
	if _, err := tx.ExecContext(ctx, s.q.Get("put-greeting"), id, now.Created, now.First, now.Team, now.Owner,
		now.Greeter, now.Policy, now.Language); err != nil {
		return fmt.Errorf("metrics: greeting %d: %w", id, err)
	}
	return nil
}

// GreetBatch is how many chats one step of the background fill of the
// greeting facts takes: one set-based statement over them, which on
// SQLite holds the writer for a few milliseconds (docs/PERFORMANCE.md).
const GreetBatch = 500

// greetStep fills the greeting facts of the next batch of chats in one
// transaction and reports the last chat done and whether the fill is
// finished (true at once when none is running). A chat changed meanwhile
// has its fact made by its change; its batch makes it again from the same
// ticket, locked on PostgreSQL as a change locks it.
func (s *Service) greetStep(ctx context.Context) (int64, bool, error) {
	var last int64
	done := false
	err := s.o.DB.Tx(ctx, func(tx *sql.Tx) error {
		var after sql.NullInt64
		if err := tx.QueryRowContext(ctx, s.q.Get("greet-state")).Scan(&after); err != nil {
			return fmt.Errorf("metrics: greeting facts: %w", err)
		}
		if !after.Valid {
			done = true
			return nil
		}
		ids, err := store.Int64s(tx.QueryContext(ctx, s.q.Get("lock-chats-after"), after.Int64, GreetBatch))
		if err != nil {
			return fmt.Errorf("metrics: greeting facts: lock chats: %w", err)
		}
		var next sql.NullInt64
		if len(ids) > 0 {
			last = ids[len(ids)-1]
			if err := s.fillGreetings(ctx, tx, after.Int64, last); err != nil {
				return err
			}
			next = sql.NullInt64{Int64: last, Valid: true}
		}
		if len(ids) < GreetBatch {
			// The last batch also drops the facts of tickets after it that
			// are gone or no longer chats.
			if _, err := tx.ExecContext(ctx, s.q.Get("drop-greetings-after"), max(last, after.Int64)); err != nil {
				return fmt.Errorf("metrics: greeting facts: %w", err)
			}
			next, done = sql.NullInt64{}, true
		}
		if _, err := tx.ExecContext(ctx, s.q.Get("greet-after"), next); err != nil {
			return fmt.Errorf("metrics: greeting facts: %w", err)
		}
		return nil
	})
	return last, done, err
}

// fillGreetings makes the greeting facts of tickets (after, upTo] afresh
// from the tickets.
func (s *Service) fillGreetings(ctx context.Context, tx execer, after, upTo int64) error {
	for _, q := range []string{"clear-greetings-between", "fill-greetings-between"} {
		if _, err := tx.ExecContext(ctx, s.q.Get(q), after, upTo); err != nil {
			return fmt.Errorf("metrics: greeting facts: %w", err)
		}
	}
	return nil
}

// rebuildGreetings makes every greeting fact afresh, for Rebuild.
func (s *Service) rebuildGreetings(ctx context.Context, tx execer) error {
	if err := s.fillGreetings(ctx, tx, math.MinInt64, math.MaxInt64); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, s.q.Get("greet-after"), nil); err != nil {
		return fmt.Errorf("metrics: greeting facts: %w", err)
	}
	return nil
}
