package ticket

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base32"
	"errors"
	"fmt"
	"strings"

	"github.com/rapport/rapport/internal/valid"
)

// Create opens a ticket with the customer's first message. The customer is
// n.CustomerID, or the one with n.CustomerEmail (created if new, in the same
// transaction). Everything — customer, ticket, message, tags, events — is
// written together or not at all.
func (s *Service) Create(ctx context.Context, a Actor, n NewTicket) (Ticket, error) {
	n, b, errs := s.checkNew(n)
	if err := errs.Err(); err != nil {
		return Ticket{}, err
	}

	var id int64
	err := s.run(ctx, a, func(c *change) error {
		var err error
		id, _, err = c.create(n, b, errs)
		return err
	})
	if err != nil {
		return Ticket{}, createErr(err)
	}
	return s.Get(ctx, id)
}

// CreateTx is Create inside the caller's transaction, for intake that
// writes its own rows with the ticket; it returns the new ticket's id.
func (s *Service) CreateTx(ctx context.Context, tx *sql.Tx, a Actor, n NewTicket) (int64, error) {
	id, _, err := s.CreateTxWithMessage(ctx, tx, a, n)
	return id, err
}

// CreateTxWithMessage is CreateTx that also returns the id of the ticket's
// first message, which intake attaches files to and answers with, without
// a query to find it again.
func (s *Service) CreateTxWithMessage(ctx context.Context, tx *sql.Tx, a Actor, n NewTicket) (id, messageID int64, err error) {
	n, b, errs := s.checkNew(n)
	if err := errs.Err(); err != nil {
		return 0, 0, err
	}
	err = s.runIn(ctx, tx, a, func(c *change) error {
		var err error
		id, messageID, err = c.create(n, b, errs)
		return err
	})
	if err != nil {
		return 0, 0, createErr(err)
	}
	return id, messageID, nil
}

// checkNew validates and normalises n.
func (s *Service) checkNew(n NewTicket) (NewTicket, body, valid.Fields) {
	errs := valid.Fields{}
	n.Subject = checkSubject(errs, n.Subject)
	b := s.cleanBody(n.Body, n.BodyHTML)
	if b.Text == "" {
		errs.Add("body", valid.Msg("valid.required", "is required"))
	}
	n.Channel = checkOneOf(errs, "channel", n.Channel, "web", Channels)
	n.Priority = checkOneOf(errs, "priority", n.Priority, Normal, Priorities)
	n.Kind = checkOneOf(errs, "kind", n.Kind, "question", Kinds)
	n.Language = checkLanguage(errs, n.Language)
	n.Tags = checkTags(errs, n.Tags)
	n.CustomerEmail = strings.TrimSpace(n.CustomerEmail)
	if n.CustomerID == 0 && n.CustomerEmail == "" {
		errs.Add("customer_id", valid.Msg("valid.customer_ref", "give a customer id or an email"))
	}
	if n.CustomerID < 0 {
		errs.Add("customer_id", valid.Msg("valid.no_customer", "no such customer"))
	}
	return n, b, errs
}

// create writes the ticket n, its first message, tags and events, and
// returns the ticket's and the message's ids.
func (c *change) create(n NewTicket, b body, errs valid.Fields) (int64, int64, error) {
	r := row{Subject: n.Subject, Channel: n.Channel, Status: New, Priority: n.Priority,
		Kind: n.Kind, Language: n.Language, OwnerID: n.OwnerID, TeamID: n.TeamID}
	if err := c.resolveCustomer(&r, n, errs); err != nil {
		return 0, 0, err
	}
	if n.OwnerID != 0 {
		if _, err := c.checkAgent(errs, "owner_id", n.OwnerID); err != nil {
			return 0, 0, err
		}
		r.Status = Open
	}
	if n.TeamID != 0 {
		if err := c.checkTeam(errs, "team_id", n.TeamID); err != nil {
			return 0, 0, err
		}
	}
	if err := errs.Err(); err != nil {
		return 0, 0, err
	}
	if err := c.insert(&r); err != nil {
		return 0, 0, err
	}
	messageID, err := c.addMessageFrom(&r, CustomerMessage, 0, r.CustomerID, b, n.ChannelMessageID, n.InboundID)
	if err != nil {
		return 0, 0, err
	}
	for _, tag := range n.Tags {
		if _, err := c.tx.ExecContext(c.ctx, c.s.q.Get("insert-tag"), r.ID, tag); err != nil {
			return 0, 0, err
		}
	}
	created := map[string]any{"channel": r.Channel, "customer_id": r.CustomerID}
	if n.Acknowledge {
		created["acknowledge"] = true
	}
	if err := c.event(r.ID, EventCreated, created); err != nil {
		return 0, 0, err
	}
	if r.OwnerID != 0 {
		if err := c.event(r.ID, EventAssigned, map[string]any{"to": r.OwnerID, "from": 0}); err != nil {
			return 0, 0, err
		}
	}
	return r.ID, messageID, nil
}

// createErr wraps err unless it is a validation error, which goes back as
// it is so that callers can show it field by field.
func createErr(err error) error {
	var ve valid.Fields
	if errors.As(err, &ve) {
		return ve
	}
	return fmt.Errorf("ticket: create: %w", err)
}

// resolveCustomer sets r.CustomerID from n: an existing customer by id, or
// the one with n's email, created inside the change's transaction.
func (c *change) resolveCustomer(r *row, n NewTicket, errs valid.Fields) error {
	if n.CustomerID != 0 {
		ok, err := c.exists("customer-exists", n.CustomerID)
		if err != nil {
			return err
		}
		if !ok {
			errs.Add("customer_id", valid.Msg("valid.no_customer", "no such customer"))
		}
		r.CustomerID = n.CustomerID
		return nil
	}
	if c.s.o.Customers == nil {
		return errors.New("no customer service to find customers by email")
	}
	id, err := c.s.o.Customers.EnsureIDByEmailTx(c.ctx, c.tx, n.CustomerEmail, strings.TrimSpace(n.CustomerName))
	if err != nil {
		var ve valid.Fields
		if errors.As(err, &ve) {
			// The customer service names its own fields; here there is one.
			for _, msg := range ve {
				errs.Add("customer_email", msg)
				break
			}
			return nil
		}
		return err
	}
	r.CustomerID = id
	return nil
}

// insert adds r as a new ticket row and sets its id and times.
func (c *change) insert(r *row) error {
	r.CreatedAt = c.now.UnixMilli()
	r.UpdatedAt = r.CreatedAt
	err := c.tx.QueryRowContext(c.ctx, c.s.q.Get("insert-ticket"),
		r.Subject, r.Channel, string(r.Status), r.Priority, r.Kind, r.Language, r.CustomerID,
		nullID(r.OwnerID), nullID(r.TeamID), r.CreatedAt, newReplyToken()).Scan(&r.ID)
	if err == nil {
		// insert-ticket counts the first message, which the caller adds next.
		w := *r
		w.MessageCount = 1
		c.wrote(w)
	}
	return err
}

// replyTokenEncoding spells reply tokens in lower-case letters and digits,
// which survive any mail system's handling of the local part.
var replyTokenEncoding = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

// newReplyToken returns a ticket's reply token: 80 random bits, so that
// nobody guesses the address that threads into someone else's ticket.
func newReplyToken() string {
	var b [10]byte
	rand.Read(b[:])
	return replyTokenEncoding.EncodeToString(b[:])
}
