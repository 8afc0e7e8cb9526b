package ticket

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/valid"
)

// Reply adds a public reply by the acting agent. The first public reply
// sets first_response_at; a new ticket becomes open; an unowned ticket
// becomes the replying agent's. setStatus, when not empty, is applied in the
// same transaction (e.g. reply and solve); it may be open, pending or
// solved. A closed ticket gives ErrClosed.
func (s *Service) Reply(ctx context.Context, a Actor, id int64, body string, setStatus Status) (Message, error) {
	errs := valid.Fields{}
	b := s.cleanBody(body, "")
	if b.Text == "" {
		errs.Add("body", valid.Msg("valid.required", "is required"))
	}
	if setStatus != "" {
		checkSetStatus(errs, a, setStatus)
		if setStatus == New {
			errs.Add("status", valid.Msg("valid.reply_not_new", "a ticket with a reply is no longer new"))
		}
	}
	if a.Kind != "agent" {
		return Message{}, fmt.Errorf("ticket: reply %d: only an agent replies", id)
	}
	if err := errs.Err(); err != nil {
		return Message{}, err
	}
	var m Message
	err := s.run(ctx, a, func(c *change) error {
		r, err := c.lockOpen(id)
		if err != nil {
			return err
		}
		if setStatus != "" && setStatus != r.Status {
			if err := c.mayChange(r); err != nil {
				return err
			}
		}
		mid, err := c.addMessage(&r, Reply, a.AgentID, 0, b.Text, b.HTML)
		if err != nil {
			return err
		}
		if err := c.event(r.ID, EventReplied, map[string]any{"message_id": mid}); err != nil {
			return err
		}
		if !r.FirstResponseAt.Valid {
			r.FirstResponseAt = store.NullMillis(c.now)
		}
		if r.OwnerID == 0 {
			r.OwnerID = a.AgentID
			if err := c.event(r.ID, EventAssigned, map[string]any{"to": a.AgentID, "from": 0}); err != nil {
				return err
			}
		}
		to := setStatus
		if to == "" && r.Status == New {
			to = Open
		}
		if to != "" {
			if err := c.setStatus(&r, to); err != nil {
				return err
			}
		}
		if err := c.save(&r); err != nil {
			return err
		}
		m, err = c.message(mid)
		return err
	})
	if err != nil {
		return Message{}, changeErr("reply", id, err)
	}
	return m, nil
}

// AddNote adds an internal note by any agent, never shown to the customer.
// It changes no status; a closed ticket gives ErrClosed.
func (s *Service) AddNote(ctx context.Context, a Actor, id int64, body string) (Message, error) {
	b := s.cleanBody(body, "")
	if b.Text == "" {
		return Message{}, valid.Field("body", valid.Msg("valid.required", "is required"))
	}
	if a.Kind != "agent" {
		return Message{}, fmt.Errorf("ticket: note %d: only an agent writes notes", id)
	}
	var m Message
	err := s.run(ctx, a, func(c *change) error {
		r, err := c.lockOpen(id)
		if err != nil {
			return err
		}
		mid, err := c.addMessage(&r, Note, a.AgentID, 0, b.Text, b.HTML)
		if err != nil {
			return err
		}
		if err := c.event(r.ID, EventNoted, map[string]any{"message_id": mid}); err != nil {
			return err
		}
		if err := c.save(&r); err != nil {
			return err
		}
		m, err = c.message(mid)
		return err
	})
	if err != nil {
		return Message{}, changeErr("note", id, err)
	}
	return m, nil
}

// AddCustomerMessage appends the customer's message. A solved ticket
// reopens (EventReopened by the customer: rework) and its auto-close job is
// cancelled; a pending one becomes open. A closed ticket gives ErrClosed:
// the caller opens a new ticket instead.
func (s *Service) AddCustomerMessage(ctx context.Context, id int64, body, bodyHTML string) (Message, error) {
	var m Message
	err := s.o.DB.Tx(ctx, func(tx *sql.Tx) error {
		var err error
		m, err = s.AddCustomerMessageTx(ctx, tx, id, body, bodyHTML)
		return err
	})
	return m, err
}

// AddCustomerMessageTx is AddCustomerMessage inside the caller's
// transaction, for intake that also writes its own rows.
func (s *Service) AddCustomerMessageTx(ctx context.Context, tx *sql.Tx, id int64, body, bodyHTML string) (Message, error) {
	return s.AppendCustomerTx(ctx, tx, id, Incoming{Body: body, BodyHTML: bodyHTML})
}

// changeErr wraps the error of change op on ticket id; validation errors
// go back as they are, for the caller to show field by field.
func changeErr(op string, id int64, err error) error {
	var ve valid.Fields
	if errors.As(err, &ve) {
		return ve
	}
	return fmt.Errorf("ticket: %s %d: %w", op, id, err)
}
