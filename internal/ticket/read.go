package ticket

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/rapport/rapport/internal/store"
)

// scanner is a *sql.Row or *sql.Rows.
type scanner interface {
	Scan(dest ...any) error
}

// scanTicket reads the columns of get-ticket (and the first ones of
// list-tickets), followed by extra destinations.
func scanTicket(sc scanner, extra ...any) (Ticket, error) {
	var t Ticket
	var created, updated int64
	var first, solved, closed, slaDue, snoozed sql.NullInt64
	dest := []any{&t.ID, &t.Subject, &t.Channel, &t.Status, &t.Priority, &t.Kind, &t.Language,
		&t.CustomerID, &t.CustomerName, &t.CustomerEmail,
		&t.OwnerID, &t.OwnerName, &t.TeamID, &t.TeamName,
		&created, &updated, &first, &solved, &closed,
		&t.ReopenCount, &t.TransferCount, &t.MessageCount, &slaDue, &snoozed}
	if err := sc.Scan(append(dest, extra...)...); err != nil {
		return t, err
	}
	t.CreatedAt, t.UpdatedAt = store.Time(created), store.Time(updated)
	t.FirstResponseAt, t.SolvedAt, t.ClosedAt = store.NullTime(first), store.NullTime(solved), store.NullTime(closed)
	t.SLADueAt, t.SnoozedUntil = store.NullTime(slaDue), store.NullTime(snoozed)
	return t, nil
}

// Get returns ticket id with its customer, owner, team and tags.
func (s *Service) Get(ctx context.Context, id int64) (Ticket, error) {
	t, err := scanTicket(s.o.DB.R.QueryRowContext(ctx, s.q.Get("get-ticket"), id))
	if errors.Is(err, sql.ErrNoRows) {
		return Ticket{}, fmt.Errorf("ticket: get %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return Ticket{}, fmt.Errorf("ticket: get %d: %w", id, err)
	}
	t.Tags = []string{}
	rows, err := s.o.DB.R.QueryContext(ctx, s.q.Get("ticket-tags"), id)
	if err != nil {
		return Ticket{}, fmt.Errorf("ticket: get %d: tags: %w", id, err)
	}
	defer rows.Close()
	for rows.Next() {
		var tag string
		if err := rows.Scan(&tag); err != nil {
			return Ticket{}, fmt.Errorf("ticket: get %d: tags: %w", id, err)
		}
		t.Tags = append(t.Tags, tag)
	}
	if err := rows.Err(); err != nil {
		return Ticket{}, fmt.Errorf("ticket: get %d: tags: %w", id, err)
	}
	return t, nil
}

// loadTags fills in the tags of a page of tickets with one query.
func (s *Service) loadTags(ctx context.Context, ts []Ticket) error {
	if len(ts) == 0 {
		return nil
	}
	byID := make(map[int64]*Ticket, len(ts))
	marks := make([]string, len(ts))
	args := make([]any, len(ts))
	for i := range ts {
		ts[i].Tags = []string{}
		byID[ts[i].ID] = &ts[i]
		marks[i] = "$" + strconv.Itoa(i+1)
		args[i] = ts[i].ID
	}
	q := strings.Replace(s.q.Get("tags-of-tickets"), "/*ids*/", strings.Join(marks, ", "), 1)
	rows, err := s.o.DB.R.QueryContext(ctx, q, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var tag string
		if err := rows.Scan(&id, &tag); err != nil {
			return err
		}
		if t := byID[id]; t != nil {
			t.Tags = append(t.Tags, tag)
		}
	}
	return rows.Err()
}

// scanMessage reads the columns of get-message and list-messages.
func scanMessage(sc scanner) (Message, error) {
	var m Message
	var created int64
	err := sc.Scan(&m.ID, &m.TicketID, &m.Kind, &m.AuthorAgentID, &m.AuthorCustomerID,
		&m.AuthorName, &m.BodyText, &m.BodyHTML, &created, &m.InboundID, &m.To, &m.Cc)
	m.CreatedAt = store.Time(created)
	return m, err
}

// Messages returns a ticket's thread, oldest first, notes included. An
// unknown ticket gives ErrNotFound.
func (s *Service) Messages(ctx context.Context, id int64) ([]Message, error) {
	rows, err := s.o.DB.R.QueryContext(ctx, s.q.Get("list-messages"), id)
	if err != nil {
		return nil, fmt.Errorf("ticket: messages %d: %w", id, err)
	}
	defer rows.Close()
	out := []Message{}
	for rows.Next() {
		m, err := scanMessage(rows)
		if err != nil {
			return nil, fmt.Errorf("ticket: messages %d: %w", id, err)
		}
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("ticket: messages %d: %w", id, err)
	}
	if len(out) == 0 {
		// Every ticket has its first message, so none means no ticket;
		// ask to be sure.
		if err := s.mustExist(ctx, id); err != nil {
			return nil, fmt.Errorf("ticket: messages %d: %w", id, err)
		}
	}
	return out, nil
}

// Events returns a ticket's history, oldest first, with the name of the
// agent or customer who acted ("" for the system). An unknown ticket gives
// ErrNotFound.
func (s *Service) Events(ctx context.Context, id int64) ([]Event, error) {
	rows, err := s.o.DB.R.QueryContext(ctx, s.q.Get("list-events"), id)
	if err != nil {
		return nil, fmt.Errorf("ticket: events %d: %w", id, err)
	}
	defer rows.Close()
	out := []Event{}
	for rows.Next() {
		var e Event
		var data string
		var created int64
		if err := rows.Scan(&e.ID, &e.TicketID, &e.Type, &e.ActorKind, &e.ActorAgentID,
			&e.ActorName, &data, &created); err != nil {
			return nil, fmt.Errorf("ticket: events %d: %w", id, err)
		}
		e.CreatedAt = store.Time(created)
		if err := json.Unmarshal([]byte(data), &e.Data); err != nil {
			return nil, fmt.Errorf("ticket: events %d: event %d data: %w", id, e.ID, err)
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("ticket: events %d: %w", id, err)
	}
	if len(out) == 0 {
		if err := s.mustExist(ctx, id); err != nil {
			return nil, fmt.Errorf("ticket: events %d: %w", id, err)
		}
	}
	return out, nil
}

// mustExist returns ErrNotFound unless ticket id exists.
func (s *Service) mustExist(ctx context.Context, id int64) error {
	var one int
	err := s.o.DB.R.QueryRowContext(ctx, s.q.Get("ticket-exists"), id).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return ErrNotFound
	}
	return err
}
