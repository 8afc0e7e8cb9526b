package ticket

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"time"

	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/valid"
)

// History is a ticket that lived in another help desk, brought in as it
// was: its times, status and whole thread (`rapport import zendesk` and
// the others, internal/importer).
type History struct {
	Source     string // the help desk it came from, recorded on the created event
	ExternalID string // its number there, recorded on the created event
	Subject    string
	Channel    string
	Status     Status
	Priority   string
	Kind       string
	Language   string
	CustomerID int64
	OwnerID    int64 // 0: unassigned
	Tags       []string
	CreatedAt  time.Time
	UpdatedAt  time.Time // zero: the last message's time
	SolvedAt   time.Time // zero unless solved or closed
	ClosedAt   time.Time // zero unless closed
	Messages   []HistoryMessage
}

// HistoryMessage is one message of a History: the customer's, an agent's
// public reply or an internal note, at the time it was written.
type HistoryMessage struct {
	Kind       string // CustomerMessage, Reply or Note
	AgentID    int64  // the author of a reply or note (0: unknown)
	CustomerID int64  // the author of a customer message
	Text, HTML string
	CreatedAt  time.Time
}

// ImportTx writes h inside tx as a ticket with its messages, tags and
// history events at their original times, and returns the ticket's id and
// its messages' ids in h's order. It tells no subscriber: an imported
// ticket sends no acknowledgement or reply, starts no SLA timer, queues no
// assignment, survey or webhook; it is history. The caller counts it in
// the metrics (metrics.Service.TicketChanged in the same transaction),
// which then places it on its original days. The search document is
// written here, like every change's.
func (s *Service) ImportTx(ctx context.Context, tx *sql.Tx, h History) (int64, []int64, error) {
	errs := valid.Fields{}
	h.Subject = checkSubject(errs, h.Subject)
	h.Channel = checkOneOf(errs, "channel", h.Channel, "email", Channels)
	h.Priority = checkOneOf(errs, "priority", h.Priority, Normal, Priorities)
	h.Kind = checkOneOf(errs, "kind", h.Kind, "question", Kinds)
	h.Language = checkLanguage(errs, h.Language)
	h.Tags = checkTags(errs, h.Tags)
	if !slices.Contains(Statuses, h.Status) {
		errs.Add("status", valid.OneOf(statusNames()))
	}
	if h.CustomerID <= 0 {
		errs.Add("customer_id", valid.Msg("valid.no_customer", "no such customer"))
	}
	if h.CreatedAt.IsZero() {
		errs.Add("created_at", valid.Msg("valid.required", "is required"))
	}
	if len(h.Messages) == 0 {
		errs.Add("body", valid.Msg("valid.required", "is required"))
	}
	if err := errs.Err(); err != nil {
		return 0, nil, err
	}
	if _, err := s.historyBodies(h.Messages); err != nil {
		return 0, nil, err
	}
	c := &change{s: s, ctx: ctx, tx: tx, actor: SystemActor, now: h.CreatedAt.UTC()}
	r := row{Subject: h.Subject, Channel: h.Channel, Status: h.Status, Priority: h.Priority, Kind: h.Kind,
		Language: h.Language, CustomerID: h.CustomerID, OwnerID: h.OwnerID}
	if err := c.insert(&r); err != nil {
		return 0, nil, fmt.Errorf("ticket: import: %w", err)
	}
	r.MessageCount = 0 // insert counts the first message; here every message counts itself
	for _, tag := range h.Tags {
		if _, err := tx.ExecContext(ctx, s.q.Get("insert-tag"), r.ID, tag); err != nil {
			return 0, nil, fmt.Errorf("ticket: import: %w", err)
		}
	}
	c.actor = Actor{Kind: "customer"}
	if err := c.event(r.ID, EventCreated, map[string]any{"channel": r.Channel, "customer_id": r.CustomerID,
		"imported_from": h.Source, "external_id": h.ExternalID}); err != nil {
		return 0, nil, fmt.Errorf("ticket: import: %w", err)
	}
	ids, err := c.addHistory(&r, h.Messages)
	if err != nil {
		return 0, nil, err
	}
	if !h.SolvedAt.IsZero() && (h.Status == Solved || h.Status == Closed) {
		r.SolvedAt = sql.NullInt64{Int64: store.Millis(h.SolvedAt), Valid: true}
		c.now = h.SolvedAt.UTC()
		if err := c.event(r.ID, EventStatus, map[string]any{"from": string(Open), "to": string(Solved)}); err != nil {
			return 0, nil, fmt.Errorf("ticket: import: %w", err)
		}
	}
	if !h.ClosedAt.IsZero() && h.Status == Closed {
		r.ClosedAt = sql.NullInt64{Int64: store.Millis(h.ClosedAt), Valid: true}
		c.now = h.ClosedAt.UTC()
		if err := c.event(r.ID, EventClosed, nil); err != nil {
			return 0, nil, fmt.Errorf("ticket: import: %w", err)
		}
	}
	if err := c.saveAt(&r, h.UpdatedAt); err != nil {
		return 0, nil, err
	}
	if err := c.indexSearch(); err != nil {
		return 0, nil, err
	}
	return r.ID, ids, nil
}

// AppendHistoryTx adds messages to ticket id, imported before, at their
// original times (a later export of the same ticket brought new ones).
// Like ImportTx it tells no subscriber.
func (s *Service) AppendHistoryTx(ctx context.Context, tx *sql.Tx, id int64, msgs []HistoryMessage) ([]int64, error) {
	if _, err := s.historyBodies(msgs); err != nil {
		return nil, err
	}
	c := &change{s: s, ctx: ctx, tx: tx, actor: SystemActor, now: s.o.Clock.Now().UTC()}
	r, err := c.lock(id)
	if err != nil {
		return nil, fmt.Errorf("ticket: import into %d: %w", id, err)
	}
	ids, err := c.addHistory(&r, msgs)
	if err != nil {
		return nil, err
	}
	if err := c.saveAt(&r, time.Time{}); err != nil {
		return nil, err
	}
	if err := c.indexSearch(); err != nil {
		return nil, err
	}
	return ids, nil
}

// historyBodies cleans the messages' bodies, before anything is written:
// one without text once cleaned refuses the whole import of the ticket.
func (s *Service) historyBodies(msgs []HistoryMessage) ([]body, error) {
	out := make([]body, len(msgs))
	for i, m := range msgs {
		out[i] = s.cleanBody(m.Text, m.HTML)
		if out[i].Text == "" {
			return nil, valid.Fields{"body": valid.Msg("valid.required", "is required")}
		}
	}
	return out, nil
}

// addHistory writes msgs to r, each with its event at its own time, and
// sets the first response from the first public reply.
func (c *change) addHistory(r *row, msgs []HistoryMessage) ([]int64, error) {
	ids := make([]int64, 0, len(msgs))
	bodies, err := c.s.historyBodies(msgs)
	if err != nil {
		return nil, err
	}
	for i, m := range msgs {
		b := bodies[i]
		c.now = m.CreatedAt.UTC()
		if m.CreatedAt.IsZero() {
			c.now = store.Time(r.CreatedAt).UTC()
		}
		var typ string
		var data map[string]any
		var agentID, customerID int64
		switch m.Kind {
		case CustomerMessage:
			typ, customerID = EventCustomerMsg, m.CustomerID
			if customerID == 0 {
				customerID = r.CustomerID
			}
		case Reply:
			typ, agentID = EventReplied, m.AgentID
		case Note:
			typ, agentID = EventNoted, m.AgentID
		default:
			return nil, fmt.Errorf("ticket: import: unknown message kind %q", m.Kind)
		}
		c.actor = SystemActor
		if agentID != 0 {
			c.actor = AgentActor(agentID)
		}
		id, err := c.addMessageFrom(r, m.Kind, agentID, customerID, b, "", 0)
		if err != nil {
			return nil, fmt.Errorf("ticket: import: %w", err)
		}
		data = map[string]any{"message_id": id}
		// The first message is the ticket's opening, told by its created event.
		if len(ids) > 0 || r.MessageCount > 1 || m.Kind != CustomerMessage {
			if err := c.event(r.ID, typ, data); err != nil {
				return nil, fmt.Errorf("ticket: import: %w", err)
			}
		}
		if m.Kind == Reply && !r.FirstResponseAt.Valid {
			r.FirstResponseAt = sql.NullInt64{Int64: store.Millis(c.now), Valid: true}
		}
		ids = append(ids, id)
	}
	c.actor = SystemActor
	return ids, nil
}

// saveAt saves r with updated_at at the given time, or at the latest of
// its messages' and events' times when zero: an import is not a change
// made now, and must not bring old tickets to the top of the inbox.
func (c *change) saveAt(r *row, at time.Time) error {
	var latest int64
	if err := c.tx.QueryRowContext(c.ctx, c.s.q.Get("history-latest"), r.ID).Scan(&latest); err != nil {
		return fmt.Errorf("ticket: import: %w", err)
	}
	latest = max(latest, r.CreatedAt)
	if !at.IsZero() && store.Millis(at) > latest {
		latest = store.Millis(at)
	}
	_, err := c.tx.ExecContext(c.ctx, c.s.q.Get("save-ticket"),
		r.ID, r.Subject, string(r.Status), r.Priority, r.Kind, r.Language,
		nullID(r.OwnerID), nullID(r.TeamID), latest, r.FirstResponseAt,
		r.SolvedAt, r.ClosedAt, r.ReopenCount, r.TransferCount, r.MessageCount, r.SnoozedUntil)
	if err != nil {
		return fmt.Errorf("ticket: import: %w", err)
	}
	w := *r
	w.UpdatedAt = latest
	c.wrote(w)
	return nil
}

// statusNames lists the statuses as text, for a validation message.
func statusNames() []string {
	out := make([]string, len(Statuses))
	for i, s := range Statuses {
		out[i] = string(s)
	}
	return out
}
