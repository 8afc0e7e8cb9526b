package intake

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/rapport/rapport/internal/customer"
	"github.com/rapport/rapport/internal/ticket"
	"github.com/rapport/rapport/internal/valid"
)

// Call is a phone call an agent logs: who called, what about, and what
// kind of contact it was. A complaint by phone is an oral complaint.
type Call struct {
	AgentID    int64  // who took the call; owns a new ticket
	TicketID   int64  // log it on this ticket; 0 opens a new one
	CustomerID int64  // the caller, when known
	Phone      string // or the caller's number, found or added as a customer
	Email      string // or the caller's email
	Name       string // the caller's name, for a new customer
	Subject    string // for a new ticket; default the summary's first line
	Summary    string // what the customer said
	Kind       string // ticket kind for a new ticket: question, complaint, …
	Language   string
}

// LogCall records a call as a new ticket of channel phone (owned by the
// agent who took it, not acknowledged: the customer was just spoken to) or
// as the customer's message on an existing ticket. The call is kept in
// inbound_messages like every other contact.
func (s *Service) LogCall(ctx context.Context, c Call) (Result, error) {
	errs := valid.Fields{}
	c.Summary = strings.TrimSpace(c.Summary)
	if c.Summary == "" {
		errs.Add("summary", valid.Msg("valid.required", "is required"))
	} else if utf8.RuneCountInString(c.Summary) > 20000 {
		errs.Add("summary", valid.Msg("valid.too_long", "is longer than 20000 characters"))
	}
	if c.AgentID <= 0 {
		return Result{}, errors.New("intake: a call needs the agent who took it")
	}
	if c.TicketID == 0 && c.CustomerID == 0 && strings.TrimSpace(c.Phone) == "" && strings.TrimSpace(c.Email) == "" {
		errs.Add("phone", valid.Msg("valid.caller", "give the caller's phone number, email or an existing customer"))
	}
	if p := strings.TrimSpace(c.Phone); p != "" {
		if _, msg := customer.NormalizeIdentity(customer.Phone, p); msg != "" {
			errs.Add("phone", customer.IdentityMessage(customer.Phone, msg))
		}
	}
	if e := strings.TrimSpace(c.Email); e != "" {
		if _, msg := customer.NormalizeIdentity(customer.Email, e); msg != "" {
			errs.Add("email", customer.IdentityMessage(customer.Email, msg))
		}
	}
	if err := errs.Err(); err != nil {
		return Result{}, err
	}
	raw, _ := json.Marshal(c)
	var res Result
	err := s.o.DB.Tx(ctx, func(tx *sql.Tx) error {
		res = Result{}
		var customerID int64
		switch {
		case c.TicketID != 0:
		case c.CustomerID != 0:
			customerID = c.CustomerID
		case strings.TrimSpace(c.Phone) != "":
			cu, err := s.o.Customers.EnsureByIdentityTx(ctx, tx, customer.Phone, c.Phone, c.Name)
			if err != nil {
				return err
			}
			customerID = cu.ID
		default:
			cu, err := s.o.Customers.EnsureByIdentityTx(ctx, tx, customer.Email, c.Email, c.Name)
			if err != nil {
				return err
			}
			customerID = cu.ID
		}
		now := s.o.Clock.Now()
		var nonce [8]byte
		rand.Read(nonce[:])
		key := fmt.Sprintf("call:%d:%d:%x", c.AgentID, now.UnixNano(), nonce)
		if err := tx.QueryRowContext(ctx, s.q.Get("insert-inbound"), "phone", "", fmt.Sprintf("agent:%d", c.AgentID), key,
			raw, len(raw), now.UnixMilli(), "").Scan(&res.InboundID); err != nil {
			return fmt.Errorf("store call: %w", err)
		}
		if c.TicketID != 0 {
			m, err := s.o.Tickets.AppendCustomerTx(ctx, tx, c.TicketID, ticket.Incoming{
				Body: "Phone call: " + c.Summary, InboundID: res.InboundID})
			if err != nil {
				return err
			}
			res.TicketID, res.MessageID, res.Outcome = c.TicketID, m.ID, OutcomeReply
		} else {
			subject := strings.TrimSpace(c.Subject)
			if subject == "" {
				subject = firstLine(c.Summary)
			}
			id, err := s.o.Tickets.CreateTx(ctx, tx, ticket.AgentActor(c.AgentID), ticket.NewTicket{
				Subject: subject, Body: c.Summary, Channel: "phone", Kind: c.Kind, Language: c.Language,
				CustomerID: customerID, OwnerID: c.AgentID, InboundID: res.InboundID,
			})
			if err != nil {
				return err
			}
			res.TicketID, res.Outcome = id, OutcomeTicket
		}
		_, err := tx.ExecContext(ctx, s.q.Get("set-outcome"), res.InboundID, res.Outcome, "logged by an agent", nullID(res.TicketID))
		return err
	})
	if err != nil {
		var ve valid.Fields
		if errors.As(err, &ve) {
			return Result{}, ve
		}
		if errors.Is(err, ticket.ErrNotFound) || errors.Is(err, ticket.ErrClosed) {
			return Result{}, err
		}
		return Result{}, fmt.Errorf("intake: log call: %w", err)
	}
	return res, nil
}
