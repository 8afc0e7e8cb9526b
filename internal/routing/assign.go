// Package routing decides who owns a ticket: assignment, ownership and
// transfers. The ticket's language is told by internal/text.
package routing

import (
	"cmp"
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

	"github.com/rapport/rapport/internal/audit"
	"github.com/rapport/rapport/internal/jobs"
	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/ticket"
	"github.com/rapport/rapport/internal/valid"
)

// JobAssign is the job that gives waiting tickets owners: one round over
// every waiting ticket. A change that may let a ticket get an owner wakes
// it in memory once it has committed (jobs.Queue.Wake), on the node that
// made the change, rather than queuing a row: every writer used to upsert
// the one row of this kind and hold it locked until its commit, so that on
// PostgreSQL the transactions that created tickets ran one at a time
// (docs/PERFORMANCE.md, "Concurrent writers"). Any number of wakes make
// one round at a time.
const JobAssign = "routing.assign"

// JobSweep is the periodic round that makes the in-memory wake durable: a
// ticket whose node stopped between its commit and its round (or that a
// process without workers created) is routed by whichever node's workers
// run the sweep next, within SweepEvery.
const JobSweep = "routing.sweep"

// SweepEvery is how often the sweep runs.
const SweepEvery = time.Minute

//go:embed queries*.sql
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
// team who speak their language and have room, VIP customers first (and
// regular customers with them when Settings.RegularsFirst is on). Chats
// (channel chat) fill an agent's chat capacity, other tickets their
// ticket capacity: an agent at capacity for a kind gets none of it.
type Router struct {
	o     Opts
	q     store.Queries
	audit *audit.Log // settings changes, recorded in their transaction
}

// NewRouter returns a Router and registers its job.
func NewRouter(o Opts) *Router {
	if o.Clock == nil {
		o.Clock = jobs.SystemClock{}
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	r := &Router{o: o, q: store.MustLoadQueries(queriesFS, o.DB.Dialect), audit: audit.New(o.DB, o.Clock)}
	o.Jobs.Handle(JobAssign, r.run)
	o.Jobs.Handle(JobSweep, r.sweep)
	return r
}

// Schedule makes sure the sweep is queued (SweepEvery from now) unless it
// already is; every node calls it at start.
func (r *Router) Schedule(ctx context.Context) error {
	return r.o.Jobs.Ensure(ctx, jobs.Job{Kind: JobSweep, UniqueKey: JobSweep, RunAt: r.o.Clock.Now().Add(SweepEvery)})
}

// sweep queues its next run first, under its own key, so that a crash
// mid-round cannot end the cycle, then runs a round.
func (r *Router) sweep(ctx context.Context, _ json.RawMessage) error {
	err := r.o.DB.Tx(ctx, func(tx *sql.Tx) error {
		return r.o.Jobs.Enqueue(ctx, tx, jobs.Job{Kind: JobSweep, UniqueKey: JobSweep, RunAt: r.o.Clock.Now().Add(SweepEvery)})
	})
	if err != nil {
		return fmt.Errorf("routing: schedule the sweep: %w", err)
	}
	return r.run(ctx, nil)
}

// Kick asks for an assignment round once tx commits (see JobAssign).
func (r *Router) Kick(ctx context.Context, tx *sql.Tx) error {
	queued, err := r.o.Jobs.WakeAfterCommit(ctx, tx, JobAssign)
	if queued {
		defer r.o.Jobs.Notify()
	}
	return err
}

// KickNow asks for an assignment round now, after a change that has
// committed (an agent back online, more capacity).
func (r *Router) KickNow(ctx context.Context) error {
	r.o.Jobs.Wake(JobAssign)
	return nil
}

// TicketChanged is the routing subscriber to ticket changes (a
// ticket.AfterFunc). A new or reopened ticket without an owner, or one
// that lost its owner, wakes an assignment round for after the commit; so
// does a change that frees an owner's slot (solved, pending, closed, or
// given to someone else) while tickets wait, as the router does not look
// again on its own: nothing waits for an assignment that only such a
// change, an agent coming online (KickNow) or more capacity (SetCapacity)
// can allow.
func (r *Router) TicketChanged(ctx context.Context, out ticket.Outbox, t ticket.TimerTicket, events []ticket.TimerEvent) error {
	waiting := t.OwnerID == 0 && (t.Status == ticket.New || t.Status == ticket.Open)
	freed := false
	for _, ev := range events {
		switch ev.Type {
		case ticket.EventCreated, ticket.EventReopened, ticket.EventAssigned, ticket.EventTransferred, ticket.EventTeam:
			if waiting {
				return out.Wake(JobAssign)
			}
		}
		freed = freed || freesSlot(ev)
	}
	if !freed {
		return nil
	}
	var one int
	err := out.QueryRowContext(ctx, r.q.Get("any-waiting")).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("routing: waiting tickets: %w", err)
	}
	return out.Wake(JobAssign)
}

// freesSlot reports whether ev may leave an agent with room: a ticket that
// leaves new/open (solved, pending, closed) or moves away from its owner.
func freesSlot(ev ticket.TimerEvent) bool {
	switch ev.Type {
	case ticket.EventClosed:
		return true
	case ticket.EventStatus:
		to := fmt.Sprint(ev.Data["to"])
		return to != string(ticket.New) && to != string(ticket.Open)
	case ticket.EventAssigned, ticket.EventTransferred:
		from := fmt.Sprint(ev.Data["from"])
		return from != "0" && from != "" && from != "<nil>"
	}
	return false
}

type candidate struct {
	id           int64
	langs        []string
	capacity     int // open tickets other than chats, at most
	chatCapacity int // open chats at most
	last         int64
	load         int // open tickets other than chats
	chatLoad     int // open chats
	teams        map[int64]bool
}

// room is how many more tickets of the kind (chats or not) c may take.
func (c *candidate) room(chat bool) int {
	if chat {
		return max(c.chatCapacity-c.chatLoad, 0)
	}
	return max(c.capacity-c.load, 0)
}

// ChatChannel is the channel whose tickets fill agents' chat capacity.
const ChatChannel = "chat"

// waiting is a ticket waiting for an owner.
type waiting struct {
	id, team, created int64
	lang              string
	first             bool // served first: a VIP, or a regular when regulars go first
	chat              bool
}

// anyLanguage stands for "every language" in a pair of waitingPairs.
const anyLanguage = "*"

// maxRound bounds the tickets one round reads per team and language.
const maxRound = 500

// Assign runs one assignment round and returns how many tickets got an
// owner. Tickets nobody can take now wait until a change that might let
// someone take them kicks another round (see TicketChanged).
//
// It reads the agents who could take tickets first; when none has room it
// returns without reading any ticket. Otherwise it reads, for each team
// and language some agent with room can take, the first waiting tickets
// (VIPs and, when the business chooses it, regulars first, then oldest;
// as many as there is room in all) through the
// waiting-tickets index, and hands them out in that order. That is the
// same as going through every waiting ticket: within one team and
// language the same agents qualify for every ticket, so a ticket past the
// first "room" ones could only be reached after those were all assigned.
func (r *Router) Assign(ctx context.Context) (int, error) {
	cands, err := r.candidates(ctx)
	if err != nil {
		return 0, err
	}
	room := 0
	for _, c := range cands {
		room += c.room(false) + c.room(true)
	}
	if room == 0 {
		return 0, nil
	}
	st, err := r.Settings(ctx)
	if err != nil {
		return 0, err
	}
	queue, err := r.waiting(ctx, cands, st.RegularsFirst, min(room, maxRound))
	if err != nil {
		return 0, err
	}
	assigned := 0
	for _, w := range queue {
		c := pick(cands, w.team, w.lang, w.chat)
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
		c.last = now
		if w.chat {
			c.chatLoad++
		} else {
			c.load++
		}
		assigned++
	}
	return assigned, nil
}

// waiting reads up to limit waiting tickets of each team and language
// that an agent with room can take, in the order they are to be handed
// out: VIP customers (and regulars, when regularsFirst) first, then the
// oldest.
func (r *Router) waiting(ctx context.Context, cands []*candidate, regularsFirst bool, limit int) ([]waiting, error) {
	type pair struct {
		team int64
		lang string
		chat bool
	}
	pairs := map[pair]bool{}
	for _, c := range cands {
		var kinds []bool
		for _, chat := range []bool{false, true} {
			if c.room(chat) > 0 {
				kinds = append(kinds, chat)
			}
		}
		if len(kinds) == 0 {
			continue
		}
		langs := append([]string{""}, c.langs...) // a ticket of no language goes to anyone
		if len(c.langs) == 0 {
			langs = []string{anyLanguage}
		}
		teams := []int64{0} // a ticket of no team goes to anyone
		for t := range c.teams {
			teams = append(teams, t)
		}
		for _, t := range teams {
			for _, l := range langs {
				for _, chat := range kinds {
					pairs[pair{t, l, chat}] = true
				}
			}
		}
	}
	seen := map[int64]bool{}
	var queue []waiting
	for p := range pairs {
		var rows *sql.Rows
		var err error
		if p.lang == anyLanguage {
			rows, err = r.o.DB.R.QueryContext(ctx, r.q.Get("waiting-team"), p.team, regularsFirst, limit, p.chat)
		} else {
			rows, err = r.o.DB.R.QueryContext(ctx, r.q.Get("waiting-team-language"), p.team, p.lang, regularsFirst, limit, p.chat)
		}
		if err != nil {
			return nil, fmt.Errorf("routing: waiting tickets: %w", err)
		}
		for rows.Next() {
			w := waiting{chat: p.chat}
			if err := rows.Scan(&w.id, &w.team, &w.lang, &w.first, &w.created); err != nil {
				rows.Close()
				return nil, err
			}
			if !seen[w.id] {
				seen[w.id] = true
				queue = append(queue, w)
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	slices.SortFunc(queue, func(a, b waiting) int {
		if a.first != b.first {
			if a.first {
				return -1
			}
			return 1
		}
		return cmp.Or(cmp.Compare(a.created, b.created), cmp.Compare(a.id, b.id))
	})
	return queue, nil
}

// pick returns the agent who should get a ticket of team and lang: a member
// of the team (any agent when the ticket has none) who speaks the language
// (any, when the ticket's is unknown) and has room for its kind (a chat
// or not); of those, the one who waited longest since their last ticket.
func pick(cands []*candidate, team int64, lang string, chat bool) *candidate {
	var best *candidate
	for _, c := range cands {
		if c.room(chat) == 0 || (team != 0 && !c.teams[team]) {
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
		var open int
		if err := rows.Scan(&c.id, &langs, &c.capacity, &c.last, &open, &c.chatCapacity, &c.chatLoad); err != nil {
			rows.Close()
			return nil, err
		}
		c.load = open - c.chatLoad
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

// SetCapacity sets how many open tickets agent id may hold at once; a
// change is in the audit log.
func (r *Router) SetCapacity(ctx context.Context, id int64, capacity int) error {
	if capacity < 0 || capacity > 1000 {
		return valid.Field("capacity", valid.Msg("valid.capacity", "must be from 0 to 1000"))
	}
	if err := r.saveCapacity(ctx, id, capacityTickets, capacity); err != nil {
		return err
	}
	return r.KickNow(ctx)
}

// SetChatCapacity sets how many open chats agent id may hold at once,
// apart from their other tickets; 0 takes them out of chat routing. The
// admin's agent page and the API set it here; a change is in the audit log.
func (r *Router) SetChatCapacity(ctx context.Context, id int64, capacity int) error {
	if capacity < 0 || capacity > MaxChatCapacity {
		return valid.Field("chat_capacity", valid.Msg("valid.chat_capacity", "must be from 0 to %d", MaxChatCapacity))
	}
	if err := r.saveCapacity(ctx, id, capacityChats, capacity); err != nil {
		return err
	}
	return r.KickNow(ctx)
}

// MaxChatCapacity is the most chats one agent may be given at once.
const MaxChatCapacity = 50

// Capacity returns agent id's capacity.
func (r *Router) Capacity(ctx context.Context, id int64) (int, error) {
	c, _, err := r.Capacities(ctx, id)
	return c, err
}

// Capacities returns agent id's ticket capacity and chat capacity.
func (r *Router) Capacities(ctx context.Context, id int64) (tickets, chats int, err error) {
	err = r.o.DB.R.QueryRowContext(ctx, r.q.Get("get-capacity"), id).Scan(&tickets, &chats)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, 0, fmt.Errorf("routing: agent %d: %w", id, store.ErrNotFound)
	}
	return tickets, chats, err
}
