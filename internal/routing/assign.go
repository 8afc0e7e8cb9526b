// Package routing decides who owns a ticket: assignment, ownership and
// transfers. The ticket's language is told by internal/text.
package routing

import (
	"context"
	"database/sql"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/rapport/rapport/internal/jobs"
	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/ticket"
	"github.com/rapport/rapport/internal/valid"
)

// JobAssign is the job that gives waiting tickets owners. It has one
// unique key, so that any number of kicks make one run.
const JobAssign = "routing.assign"

const assignKey = "routing.assign"

// retryAfter is when the router looks again while tickets still wait and
// nobody can take them (everyone away or full).
const retryAfter = time.Minute

//go:embed queries.sql
var queriesFS embed.FS

// Opts configure a Router.
type Opts struct {
	DB      *store.DB
	Jobs    *jobs.Queue
	Tickets *ticket.Service
	Clock   jobs.Clock
	Log     *slog.Logger
}

// Router assigns tickets round-robin among the available agents of their
// team who speak their language and have room, VIP customers first.
type Router struct {
	o Opts
	q store.Queries
}

// NewRouter returns a Router and registers its job.
func NewRouter(o Opts) *Router {
	if o.Clock == nil {
		o.Clock = jobs.SystemClock{}
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	r := &Router{o: o, q: store.MustLoadQueries(queriesFS, o.DB.Dialect)}
	o.Jobs.Handle(JobAssign, r.run)
	return r
}

// Kick asks for an assignment run now, inside tx (a new ticket, an agent
// back online).
func (r *Router) Kick(ctx context.Context, tx *sql.Tx) error {
	return r.o.Jobs.Enqueue(ctx, tx, jobs.Job{Kind: JobAssign, UniqueKey: assignKey})
}

// KickNow is Kick in a transaction of its own, with the workers woken.
func (r *Router) KickNow(ctx context.Context) error {
	if err := r.o.DB.Tx(ctx, func(tx *sql.Tx) error { return r.Kick(ctx, tx) }); err != nil {
		return err
	}
	r.o.Jobs.Notify()
	return nil
}

// TicketChanged is the routing subscriber to ticket changes (a
// ticket.AfterFunc): a new or reopened ticket without an owner, or one
// that lost its owner, queues an assignment run for after the commit.
func (r *Router) TicketChanged(_ context.Context, out ticket.Outbox, t ticket.TimerTicket, events []ticket.TimerEvent) error {
	for _, ev := range events {
		switch ev.Type {
		case ticket.EventCreated, ticket.EventReopened, ticket.EventAssigned, ticket.EventTransferred, ticket.EventTeam:
			if t.OwnerID == 0 && (t.Status == ticket.New || t.Status == ticket.Open) {
				return out.Enqueue(jobs.Job{Kind: JobAssign, UniqueKey: assignKey})
			}
		}
	}
	return nil
}

type candidate struct {
	id       int64
	langs    []string
	capacity int
	last     int64
	load     int
	teams    map[int64]bool
}

// Assign runs one assignment round and returns how many tickets got an
// owner. Tickets nobody can take now wait for the next round.
func (r *Router) Assign(ctx context.Context) (int, error) {
	cands, err := r.candidates(ctx)
	if err != nil {
		return 0, err
	}
	rows, err := r.o.DB.R.QueryContext(ctx, r.q.Get("unassigned"), 500)
	if err != nil {
		return 0, fmt.Errorf("routing: unassigned: %w", err)
	}
	type waiting struct {
		id, team int64
		lang     string
		vip      bool
	}
	var queue []waiting
	for rows.Next() {
		var w waiting
		if err := rows.Scan(&w.id, &w.team, &w.lang, &w.vip); err != nil {
			rows.Close()
			return 0, err
		}
		queue = append(queue, w)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	assigned := 0
	for _, w := range queue {
		c := pick(cands, w.team, w.lang)
		if c == nil {
			continue
		}
		_, err := r.o.Tickets.Assign(ctx, ticket.SystemActor, w.id, c.id)
		switch {
		case errors.Is(err, ticket.ErrNeedsTransfer), errors.Is(err, ticket.ErrClosed), errors.Is(err, ticket.ErrNotFound):
			continue // someone took it, or it closed, since the query
		case err != nil:
			var ve valid.Errors
			if errors.As(err, &ve) {
				continue // the agent was deactivated meanwhile
			}
			return assigned, err
		}
		// Strictly after everyone's last, so that the order holds even when
		// many tickets are assigned within one millisecond.
		now := store.Millis(r.o.Clock.Now())
		for _, o := range cands {
			now = max(now, o.last+1)
		}
		if _, err := r.o.DB.W.ExecContext(ctx, r.q.Get("touch-agent"), c.id, now); err != nil {
			return assigned, err
		}
		c.last, c.load = now, c.load+1
		assigned++
	}
	if len(queue) > assigned {
		// Some wait: look again soon, in case someone comes online or
		// finishes a ticket without the router being told.
		if err := r.o.DB.Tx(ctx, func(tx *sql.Tx) error {
			return r.o.Jobs.Enqueue(ctx, tx, jobs.Job{Kind: JobAssign, UniqueKey: assignKey, RunAt: r.o.Clock.Now().Add(retryAfter)})
		}); err != nil {
			return assigned, err
		}
	}
	return assigned, nil
}

// pick returns the agent who should get a ticket of team and lang: a member
// of the team (any agent when the ticket has none) who speaks the language
// (any, when the ticket's is unknown) and has room; of those, the one who
// waited longest since their last ticket.
func pick(cands []*candidate, team int64, lang string) *candidate {
	var best *candidate
	for _, c := range cands {
		if c.load >= c.capacity || (team != 0 && !c.teams[team]) {
			continue
		}
		if lang != "" && len(c.langs) > 0 && !slices.Contains(c.langs, lang) {
			continue
		}
		if best == nil || c.last < best.last || (c.last == best.last && c.id < best.id) {
			best = c
		}
	}
	return best
}

func (r *Router) candidates(ctx context.Context) ([]*candidate, error) {
	rows, err := r.o.DB.R.QueryContext(ctx, r.q.Get("candidates"), true)
	if err != nil {
		return nil, fmt.Errorf("routing: candidates: %w", err)
	}
	byID := map[int64]*candidate{}
	var out []*candidate
	for rows.Next() {
		c := &candidate{teams: map[int64]bool{}}
		var langs string
		if err := rows.Scan(&c.id, &langs, &c.capacity, &c.last, &c.load); err != nil {
			rows.Close()
			return nil, err
		}
		for _, l := range strings.Split(langs, ",") {
			if l = strings.TrimSpace(l); l != "" {
				c.langs = append(c.langs, l)
			}
		}
		byID[c.id] = c
		out = append(out, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows, err = r.o.DB.R.QueryContext(ctx, r.q.Get("memberships"))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var team, agent int64
		if err := rows.Scan(&team, &agent); err != nil {
			return nil, err
		}
		if c := byID[agent]; c != nil {
			c.teams[team] = true
		}
	}
	return out, rows.Err()
}

func (r *Router) run(ctx context.Context, _ json.RawMessage) error {
	n, err := r.Assign(ctx)
	if n > 0 {
		r.o.Log.Info("tickets assigned", "count", n)
	}
	return err
}

// SetCapacity sets how many open tickets agent id may hold at once.
func (r *Router) SetCapacity(ctx context.Context, id int64, capacity int) error {
	if capacity < 0 || capacity > 1000 {
		return valid.Errors{"capacity": "must be from 0 to 1000"}
	}
	res, err := r.o.DB.W.ExecContext(ctx, r.q.Get("set-capacity"), id, capacity)
	if err != nil {
		return fmt.Errorf("routing: capacity of %d: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("routing: agent %d: %w", id, store.ErrNotFound)
	}
	return r.KickNow(ctx)
}

// Capacity returns agent id's capacity.
func (r *Router) Capacity(ctx context.Context, id int64) (int, error) {
	var c int
	err := r.o.DB.R.QueryRowContext(ctx, r.q.Get("get-capacity"), id).Scan(&c)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("routing: agent %d: %w", id, store.ErrNotFound)
	}
	return c, err
}
