package ticket

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/rapport/rapport/internal/agent"
	"github.com/rapport/rapport/internal/notify"
	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/valid"
)

// row is a ticket's own columns as a change reads, edits and saves them.
type row struct {
	ID              int64
	Subject         string
	Channel         string
	Status          Status
	Priority        string
	Kind            string
	Language        string
	CustomerID      int64
	OwnerID         int64
	TeamID          int64
	CreatedAt       int64
	UpdatedAt       int64
	FirstResponseAt sql.NullInt64
	SolvedAt        sql.NullInt64
	ClosedAt        sql.NullInt64
	ReopenCount     int
	TransferCount   int
	MessageCount    int
	SnoozedUntil    sql.NullInt64
}

// change is one transaction of the service: who acts, when, and what it
// has written so far. Every event of a change carries the same time.
type change struct {
	s      *Service
	ctx    context.Context
	tx     *sql.Tx
	actor  Actor
	now    time.Time
	notify bool // a job was enqueued: wake the workers after commit
	// touched lists the tickets this change wrote events for, in order,
	// with their events, for the subscribers.
	touched []int64
	events  map[int64][]TimerEvent
	// reindex holds the tickets whose search document the change must
	// rewrite: a message was added, or the subject or language changed.
	reindex map[int64]bool
	// written holds each ticket row as this change last wrote it (insert,
	// save), so that the subscribers start from it without reading it
	// back: no other statement of a change writes the columns a row holds.
	written map[int64]row
}

// run runs fn as one change in one transaction and wakes the job workers
// after the commit if fn enqueued a job.
//
// Lock order. Every change takes its row locks in this order, so that two
// changes that share rows wait for each other instead of deadlocking:
//
//  1. the customer (only when a new ticket creates one, or when an agent's
//     correction of a ticket's language sets the customer's preference);
//  2. the ticket row (lock or insert; a change touches one ticket);
//  3. the ticket's own rows: messages, events, tags, collaborators,
//     promises, its search document (keyed by the ticket, so never
//     shared);
//  4. jobs: the ticket's own timers, then what the subscribers queue, in
//     their order (SLA timers, routing's one assignment job, mail,
//     surveys, re-commitment proposals);
//  5. the ticket's metric deltas (rows of its own, inserted) and its
//     metric fact: the metrics subscriber is the last one. The shared
//     rollup rows are written by the fold after the commit, not here
//     (internal/metrics/fold.go).
//
// A collision that still happens (a deadlock or serialisation failure) is
// run again by store.DB.Tx, so fn and everything it calls may run more
// than once: the change's state is reset at the start of each attempt.
func (s *Service) run(ctx context.Context, a Actor, fn func(c *change) error) error {
	if err := a.check(); err != nil {
		return err
	}
	c := &change{s: s, ctx: ctx, actor: a, now: s.o.Clock.Now().UTC()}
	err := s.o.DB.Tx(ctx, func(tx *sql.Tx) error {
		c.tx = tx
		c.touched, c.events, c.notify, c.reindex, c.written = nil, nil, false, nil, nil
		if err := fn(c); err != nil {
			return err
		}
		if err := c.indexSearch(); err != nil {
			return err
		}
		return c.runSubscribers()
	})
	if err != nil {
		return err
	}
	if c.notify {
		s.o.Jobs.Notify()
	}
	return nil
}

// runIn is run inside the caller's transaction. The caller commits, so it
// wakes the job workers afterwards (Jobs.Notify): the change may have
// enqueued timers.
func (s *Service) runIn(ctx context.Context, tx *sql.Tx, a Actor, fn func(c *change) error) error {
	if err := a.check(); err != nil {
		return err
	}
	c := &change{s: s, ctx: ctx, tx: tx, actor: a, now: s.o.Clock.Now().UTC()}
	if err := fn(c); err != nil {
		return err
	}
	if err := c.indexSearch(); err != nil {
		return err
	}
	return c.runSubscribers()
}

// check rejects an Actor the service cannot record.
func (a Actor) check() error {
	switch a.Kind {
	case "agent":
		if a.AgentID <= 0 {
			return errors.New("ticket: agent actor without an agent id")
		}
	case "customer", "system":
	default:
		return fmt.Errorf("ticket: unknown actor kind %q", a.Kind)
	}
	return nil
}

// lock reads ticket id for change, locked until the transaction ends.
func (c *change) lock(id int64) (row, error) {
	var r row
	var owner, team sql.NullInt64
	err := c.tx.QueryRowContext(c.ctx, c.s.q.Get("lock-ticket"), id).Scan(
		&r.ID, &r.Subject, &r.Channel, &r.Status, &r.Priority, &r.Kind, &r.Language, &r.CustomerID,
		&owner, &team, &r.CreatedAt, &r.UpdatedAt, &r.FirstResponseAt, &r.SolvedAt,
		&r.ClosedAt, &r.ReopenCount, &r.TransferCount, &r.MessageCount, &r.SnoozedUntil)
	if errors.Is(err, sql.ErrNoRows) {
		return r, ErrNotFound
	}
	r.OwnerID, r.TeamID = owner.Int64, team.Int64
	return r, err
}

// lockOpen is lock for changes a closed ticket does not allow.
func (c *change) lockOpen(id int64) (row, error) {
	r, err := c.lock(id)
	if err == nil && r.Status == Closed {
		err = ErrClosed
	}
	return r, err
}

// save writes r back and bumps its updated_at: every change is an update.
func (c *change) save(r *row) error {
	r.UpdatedAt = store.Millis(c.now)
	_, err := c.tx.ExecContext(c.ctx, c.s.q.Get("save-ticket"),
		r.ID, r.Subject, string(r.Status), r.Priority, r.Kind, r.Language,
		nullID(r.OwnerID), nullID(r.TeamID), r.UpdatedAt, r.FirstResponseAt,
		r.SolvedAt, r.ClosedAt, r.ReopenCount, r.TransferCount, r.MessageCount, r.SnoozedUntil)
	if err == nil {
		c.wrote(*r)
	}
	return err
}

// wrote notes r as the change has just written it.
func (c *change) wrote(r row) {
	if c.written == nil {
		c.written = map[int64]row{}
	}
	c.written[r.ID] = r
}

// current is ticket id as the change leaves it: the row it last wrote,
// else the row read and locked now.
func (c *change) current(id int64) (row, error) {
	if r, ok := c.written[id]; ok {
		return r, nil
	}
	return c.lock(id)
}

// event appends one row to the ticket's history.
func (c *change) event(ticketID int64, typ string, data map[string]any) error {
	if data == nil {
		data = map[string]any{}
	}
	b, err := json.Marshal(data)
	if err != nil {
		return err
	}
	_, err = c.tx.ExecContext(c.ctx, c.s.q.Get("insert-event"),
		ticketID, typ, c.actor.Kind, nullID(c.actor.AgentID), string(b), store.Millis(c.now))
	if err != nil {
		return err
	}
	if c.events == nil {
		c.events = map[int64][]TimerEvent{}
	}
	if _, seen := c.events[ticketID]; !seen {
		c.touched = append(c.touched, ticketID)
	}
	c.events[ticketID] = append(c.events[ticketID], TimerEvent{Type: typ, Data: data})
	if typ == EventCreated || typ == EventSubject || typ == EventLanguage {
		c.markReindex(ticketID)
	}
	return c.tellAssigned(ticketID, typ, data)
}

// tellAssigned tells an agent that someone else (a colleague, routing)
// gave them ticket ticketID, by an assignment or a transfer.
func (c *change) tellAssigned(ticketID int64, typ string, data map[string]any) error {
	if c.s.o.Notes == nil || (typ != EventAssigned && typ != EventTransferred) {
		return nil
	}
	to, _ := data["to"].(int64)
	if to == 0 || to == c.actor.AgentID {
		return nil
	}
	return c.s.o.Notes.Add(c.ctx, c.tx, c.now, notify.Note{AgentID: to, TicketID: ticketID, Kind: notify.KindAssigned,
		Data: map[string]any{"by": c.actor.AgentID}})
}

// addMessage inserts a message into r's thread and counts it.
func (c *change) addMessage(r *row, kind string, agentID, customerID int64, text, html string) (int64, error) {
	return c.addMessageFrom(r, kind, agentID, customerID, body{Text: text, HTML: html}, "", 0)
}

// addMessageFrom is addMessage for a message a channel delivered, with its
// channel message id and inbound row.
func (c *change) addMessageFrom(r *row, kind string, agentID, customerID int64, b body, channelMsgID string, inboundID int64) (int64, error) {
	var id int64
	err := c.tx.QueryRowContext(c.ctx, c.s.q.Get("insert-message"),
		r.ID, kind, nullID(agentID), nullID(customerID), b.Text, b.HTML, store.Millis(c.now),
		channelMsgID, nullID(inboundID)).Scan(&id)
	if err != nil {
		return 0, err
	}
	r.MessageCount++
	c.markReindex(r.ID)
	return id, nil
}

// markReindex notes that ticket id's search document must be rewritten
// before the change commits.
func (c *change) markReindex(id int64) {
	if c.reindex == nil {
		c.reindex = map[int64]bool{}
	}
	c.reindex[id] = true
}

// indexSearch rewrites the search documents of the tickets whose text the
// change wrote, in its transaction, so that search finds a message the
// moment it is committed and never finds a change that rolled back.
func (c *change) indexSearch() error {
	for _, id := range slices.Sorted(maps.Keys(c.reindex)) {
		if err := c.s.idx.IndexTicket(c.ctx, c.tx, id); err != nil {
			return err
		}
	}
	return nil
}

// message reads message id inside the change's transaction.
func (c *change) message(id int64) (Message, error) {
	return scanMessage(c.tx.QueryRowContext(c.ctx, c.s.q.Get("get-message"), id))
}

// exists reports whether the named existence query finds id.
func (c *change) exists(query string, id int64) (bool, error) {
	var one int
	err := c.tx.QueryRowContext(c.ctx, c.s.q.Get(query), id).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
}

// checkAgent adds a message for field to errs unless agent id exists and
// is active. It returns the agent's role.
func (c *change) checkAgent(errs valid.Fields, field string, id int64) (string, error) {
	var active bool
	var role string
	err := c.tx.QueryRowContext(c.ctx, c.s.q.Get("agent-status"), id).Scan(&active, &role)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		errs.Add(field, valid.Msg("valid.no_agent", "no such agent"))
	case err != nil:
		return "", err
	case !active:
		errs.Add(field, valid.Msg("valid.agent_inactive", "agent is not active"))
	}
	return role, nil
}

// checkTeam adds a message for field to errs unless team id exists.
func (c *change) checkTeam(errs valid.Fields, field string, id int64) error {
	ok, err := c.exists("team-exists", id)
	if err == nil && !ok {
		errs.Add(field, valid.Msg("valid.no_team", "no such team"))
	}
	return err
}

// mayChange is the one rule for who changes ticket r's status or transfers
// it: the system and the customer (their messages reopen); the owner; a
// collaborator; an agent whose role may change any ticket (managers and
// admins); and, while the ticket has no owner, any agent of its team (or
// any agent when it has no team), who is taking it up. Anyone else gets
// ErrNotYours.
func (c *change) mayChange(r row) error {
	if c.actor.Kind != "agent" {
		return nil
	}
	id := c.actor.AgentID
	if id != 0 && id == r.OwnerID {
		return nil
	}
	var role string
	err := c.tx.QueryRowContext(c.ctx, c.s.q.Get("agent-status"), id).Scan(new(bool), &role)
	if errors.Is(err, sql.ErrNoRows) {
		return ErrNotYours
	}
	if err != nil {
		return err
	}
	if agent.Role(role).Can(agent.PermChangeAnyTicket) {
		return nil
	}
	var one int
	err = c.tx.QueryRowContext(c.ctx, c.s.q.Get("may-change-ticket"), r.ID, id, r.OwnerID, r.TeamID).Scan(&one)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return ErrNotYours
	case err != nil:
		return err
	}
	return nil
}

// setStatus moves r to status to and records it: solving schedules the
// auto-close job, leaving Solved for an active status is a reopen (which
// cancels it), closing stamps closed_at.
func (c *change) setStatus(r *row, to Status) error {
	from := r.Status
	if from == to {
		return nil
	}
	r.Status = to
	if to == Solved || to == Closed {
		if err := c.wake(r, "solved"); err != nil {
			return err
		}
	}
	key := autoCloseKey(r.ID)
	switch {
	case to == Solved:
		r.SolvedAt = store.NullMillis(c.now)
		if err := c.keepOpenPromises(r.ID); err != nil {
			return err
		}
		payload, _ := json.Marshal(map[string]int64{"ticket_id": r.ID})
		if err := c.s.o.Jobs.Enqueue(c.ctx, c.tx, autoCloseJob(key, payload, c.now.Add(c.s.autoCloseAfter()))); err != nil {
			return err
		}
		c.notify = true
		return c.event(r.ID, EventStatus, map[string]any{"from": from, "to": to})
	case to == Closed:
		// No Cancel: the auto-close job closing it is running now, and any
		// other pending one finds the ticket closed and does nothing.
		r.ClosedAt = store.NullMillis(c.now)
		return c.event(r.ID, EventClosed, map[string]any{"from": from})
	case from == Solved:
		r.SolvedAt = sql.NullInt64{}
		r.ReopenCount++
		if err := c.s.o.Jobs.Cancel(c.ctx, c.tx, key); err != nil {
			return err
		}
		return c.event(r.ID, EventReopened, map[string]any{"from": from, "to": to, "by": c.actor.Kind})
	default:
		return c.event(r.ID, EventStatus, map[string]any{"from": from, "to": to})
	}
}

// nullID stores id 0 as NULL.
func nullID(id int64) sql.NullInt64 {
	return sql.NullInt64{Int64: id, Valid: id != 0}
}
