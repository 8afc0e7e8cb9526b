package ticket

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/rapport/rapport/internal/valid"
)

// EventDeliveryFailed records that a message to the customer bounced.
const EventDeliveryFailed = "delivery_failed" // data: recipient, status, reason, message_id

// Incoming is a customer's message as a channel delivered it.
type Incoming struct {
	Body             string
	BodyHTML         string
	ChannelMessageID string // an email's Message-ID, for threading
	InboundID        int64  // the raw inbound_messages row
}

// AppendCustomerTx adds the customer's message in to ticket id inside the
// caller's transaction; the rules are those of AddCustomerMessage, except
// that a message answering the follow-up of a solved ticket acts as its
// answer says (see followup.go).
func (s *Service) AppendCustomerTx(ctx context.Context, tx *sql.Tx, id int64, in Incoming) (Message, error) {
	b := s.cleanBody(in.Body, in.BodyHTML)
	if b.Text == "" {
		return Message{}, valid.Field("body", valid.Msg("valid.required", "is required"))
	}
	var m Message
	err := s.runIn(ctx, tx, Actor{Kind: "customer"}, func(c *change) error {
		r, err := c.lockOpen(id)
		if err != nil {
			return err
		}
		mid, err := c.addMessageFrom(&r, CustomerMessage, 0, r.CustomerID, b, in.ChannelMessageID, in.InboundID)
		if err != nil {
			return err
		}
		if err := c.event(r.ID, EventCustomerMsg, map[string]any{"message_id": mid}); err != nil {
			return err
		}
		if err := c.wake(&r, "customer"); err != nil {
			return err
		}
		answered, err := c.followUpReply(&r, mid, b.Text)
		if err != nil {
			return err
		}
		if !answered && (r.Status == Solved || r.Status == Pending) {
			if err := c.setStatus(&r, Open); err != nil {
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
		return Message{}, changeErr("customer message", id, err)
	}
	return m, nil
}

// DeliveryFailure is what a bounce says about a message that did not
// reach the customer.
type DeliveryFailure struct {
	Recipient string
	Status    string // e.g. the DSN status 5.1.1
	Reason    string
	MessageID int64 // our message that bounced, 0 if unknown
}

// RecordDeliveryFailureTx shows the owner that a message to the customer
// did not arrive: an internal note in the thread and an event. It changes
// no status and works on closed tickets too, so that no bounce is lost.
func (s *Service) RecordDeliveryFailureTx(ctx context.Context, tx *sql.Tx, id int64, f DeliveryFailure) error {
	text := "Delivery failed"
	if f.Recipient != "" {
		text += " to " + f.Recipient
	}
	if f.Status != "" {
		text += " (" + f.Status + ")"
	}
	if r := strings.TrimSpace(f.Reason); r != "" {
		text += ": " + r
	}
	err := s.runIn(ctx, tx, SystemActor, func(c *change) error {
		r, err := c.lock(id)
		if err != nil {
			return err
		}
		mid, err := c.addMessage(&r, Note, 0, 0, text, "")
		if err != nil {
			return err
		}
		if err := c.event(r.ID, EventDeliveryFailed, map[string]any{
			"recipient": f.Recipient, "status": f.Status, "reason": f.Reason,
			"message_id": f.MessageID, "note_id": mid,
		}); err != nil {
			return err
		}
		return c.save(&r)
	})
	if err != nil {
		return fmt.Errorf("ticket: delivery failure on %d: %w", id, err)
	}
	return nil
}

// ReplyToken returns ticket id's reply token, the part after + in the
// address that threads a customer's answer into it. Tickets made before
// tokens existed get one now.
func (s *Service) ReplyToken(ctx context.Context, id int64) (string, error) {
	var tok string
	err := s.o.DB.R.QueryRowContext(ctx, s.q.Get("reply-token"), id).Scan(&tok)
	if errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("ticket %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return "", fmt.Errorf("ticket: reply token %d: %w", id, err)
	}
	if tok != "" {
		return tok, nil
	}
	if _, err := s.o.DB.W.ExecContext(ctx, s.q.Get("set-reply-token"), id, newReplyToken()); err != nil {
		return "", fmt.Errorf("ticket: reply token %d: %w", id, err)
	}
	return s.ReplyToken(ctx, id)
}

// RecordSystemEvent appends an event the system observed (an SLA warning or
// breach) to ticket id's history, changing nothing else.
func (s *Service) RecordSystemEvent(ctx context.Context, id int64, typ string, data map[string]any) error {
	err := s.run(ctx, SystemActor, func(c *change) error {
		if _, err := c.lock(id); err != nil {
			return err
		}
		return c.event(id, typ, data)
	})
	if err != nil {
		return fmt.Errorf("ticket: event %s on %d: %w", typ, id, err)
	}
	return nil
}

// HasTimers reports whether changes may start timers (enqueue jobs), so
// that callers of the *Tx methods know to wake the workers after commit.
func (s *Service) HasTimers() bool { return len(s.subs) > 0 }

// RefreshTimers runs the subscribers for ticket id with no new event, so
// that a ticket made before its policy existed gets its deadlines.
func (s *Service) RefreshTimers(ctx context.Context, id int64) error {
	err := s.run(ctx, SystemActor, func(c *change) error {
		if _, err := c.lock(id); err != nil {
			return err
		}
		if c.events == nil {
			c.events = map[int64][]TimerEvent{}
		}
		c.touched = append(c.touched, id)
		return nil
	})
	if err != nil {
		return fmt.Errorf("ticket: refresh timers of %d: %w", id, err)
	}
	return nil
}
