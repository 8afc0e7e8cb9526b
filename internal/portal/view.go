package portal

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/rapport/rapport/internal/customer"
	"github.com/rapport/rapport/internal/intake"
	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/ticket"
)

// TicketRow is one of the customer's tickets in their list.
type TicketRow struct {
	ID        int64         `json:"id"`
	Subject   string        `json:"subject"`
	Status    ticket.Status `json:"status"`
	CreatedAt time.Time     `json:"created_at"`
	UpdatedAt time.Time     `json:"updated_at"`
}

// maxList is the most rows of one kind the portal lists (and exports
// per query page); a customer with more sees the newest.
const maxList = 500

// Tickets lists customer id's tickets, the most recently changed first.
func (s *Service) Tickets(ctx context.Context, id int64) ([]TicketRow, error) {
	rows, err := s.o.DB.R.QueryContext(ctx, s.q.Get("customer-tickets"), id, maxList)
	if err != nil {
		return nil, fmt.Errorf("portal: tickets of %d: %w", id, err)
	}
	defer rows.Close()
	var out []TicketRow
	for rows.Next() {
		var t TicketRow
		var created, updated int64
		if err := rows.Scan(&t.ID, &t.Subject, &t.Status, &created, &updated); err != nil {
			return nil, err
		}
		t.CreatedAt, t.UpdatedAt = store.Time(created), store.Time(updated)
		out = append(out, t)
	}
	return out, rows.Err()
}

// Thread is one of the customer's tickets as they may see it: its public
// messages (never internal notes) and its promises.
type Thread struct {
	Ticket   ticket.Ticket
	Messages []ticket.Message
	Promises []ticket.Promise
}

// Thread returns ticket id when it is customer's; another customer's
// ticket is ErrNotFound, as one that does not exist.
func (s *Service) Thread(ctx context.Context, customerID, id int64) (Thread, error) {
	t, err := s.own(ctx, customerID, id)
	if err != nil {
		return Thread{}, err
	}
	msgs, err := s.o.Tickets.Messages(ctx, id)
	if err != nil {
		return Thread{}, err
	}
	th := Thread{Ticket: t}
	for _, m := range msgs {
		if m.Kind != ticket.Note {
			th.Messages = append(th.Messages, m)
		}
	}
	if th.Promises, err = s.o.Tickets.Promises(ctx, id); err != nil {
		return Thread{}, err
	}
	return th, nil
}

// own is ticket id when customer id holds it.
func (s *Service) own(ctx context.Context, customerID, id int64) (ticket.Ticket, error) {
	t, err := s.o.Tickets.Get(ctx, id)
	if err != nil {
		return ticket.Ticket{}, err
	}
	if t.CustomerID != customerID {
		return ticket.Ticket{}, fmt.Errorf("portal: ticket %d of customer %d: %w", id, customerID, ErrNotFound)
	}
	return t, nil
}

// Reply adds the customer's message to their ticket id, as a customer
// message of its thread (the agent sees it there, and live); a closed
// ticket is ticket.ErrClosed: the customer opens a new request instead.
func (s *Service) Reply(ctx context.Context, customerID, id int64, body string) (ticket.Message, error) {
	if _, err := s.own(ctx, customerID, id); err != nil {
		return ticket.Message{}, err
	}
	m, err := s.o.Tickets.AddCustomerMessage(ctx, id, strings.TrimSpace(body), "")
	if err != nil {
		return ticket.Message{}, err
	}
	s.o.Log.Info("portal reply", "customer_id", customerID, "ticket_id", id, "message_id", m.ID)
	return m, nil
}

// NewRequest opens a ticket for the customer through intake, like the
// contact form (channel web), so that it is acknowledged and routed alike;
// key makes a resubmitted form one ticket, not two.
func (s *Service) NewRequest(ctx context.Context, customerID int64, subject, body, lang, key string) (int64, error) {
	c, err := s.o.Customers.Get(ctx, customerID)
	if err != nil {
		return 0, err
	}
	// The form's key makes a resubmission one ticket; without a usable
	// one every request is new.
	if key = strings.TrimSpace(key); key == "" || len(key) > 64 {
		key = newToken("")
	}
	email := c.Email()
	if email == "" {
		return 0, fmt.Errorf("portal: customer %d has no email: %w", customerID, ErrNotFound)
	}
	raw, err := json.Marshal(map[string]string{"subject": subject, "message": body, "language": lang, "via": "portal"})
	if err != nil {
		return 0, err
	}
	res, err := s.o.Intake.Receive(ctx, intake.Inbound{
		Channel: "web", Mailbox: "portal",
		From:    intake.Sender{Kind: customer.Email, Value: email, Name: c.Name},
		Subject: strings.TrimSpace(subject), Text: strings.TrimSpace(body), Language: lang, Raw: raw,
		MessageKey: "portal:" + key,
	})
	if err != nil {
		return 0, err
	}
	return res.TicketID, nil
}

// PromiseRow is a promise made on one of the customer's tickets.
type PromiseRow struct {
	ID       int64     `json:"id"`
	TicketID int64     `json:"ticket_id"`
	Subject  string    `json:"ticket_subject"`
	What     string    `json:"what"`
	Due      time.Time `json:"due_at"`
	Status   string    `json:"status"`
}

// Promises lists the promises made on customer id's tickets, the latest
// due first.
func (s *Service) Promises(ctx context.Context, id int64) ([]PromiseRow, error) {
	rows, err := s.o.DB.R.QueryContext(ctx, s.q.Get("customer-promises"), id, maxList)
	if err != nil {
		return nil, fmt.Errorf("portal: promises of %d: %w", id, err)
	}
	defer rows.Close()
	var out []PromiseRow
	for rows.Next() {
		var p PromiseRow
		var due int64
		if err := rows.Scan(&p.ID, &p.TicketID, &p.Subject, &p.What, &due, &p.Status); err != nil {
			return nil, err
		}
		p.Due = store.Time(due)
		out = append(out, p)
	}
	return out, rows.Err()
}

// SurveyAnswer is the customer's answer to a survey about a ticket; a
// score not asked or not given is nil.
type SurveyAnswer struct {
	TicketID   int64     `json:"ticket_id"`
	AnsweredAt time.Time `json:"answered_at"`
	CSAT       *int      `json:"csat,omitempty"`
	NPS        *int      `json:"nps,omitempty"`
	Return     string    `json:"return_intent,omitempty"`
	Comment    string    `json:"comment,omitempty"`
}

// Surveys lists customer id's survey answers, the newest first.
func (s *Service) Surveys(ctx context.Context, id int64) ([]SurveyAnswer, error) {
	rows, err := s.o.DB.R.QueryContext(ctx, s.q.Get("customer-surveys"), id, maxList)
	if err != nil {
		return nil, fmt.Errorf("portal: surveys of %d: %w", id, err)
	}
	defer rows.Close()
	var out []SurveyAnswer
	for rows.Next() {
		var a SurveyAnswer
		var at int64
		var csat, nps sql.NullInt64
		var ret sql.NullString
		if err := rows.Scan(&a.TicketID, &at, &csat, &nps, &ret, &a.Comment); err != nil {
			return nil, err
		}
		a.AnsweredAt, a.Return = store.Time(at), ret.String
		if csat.Valid {
			v := int(csat.Int64)
			a.CSAT = &v
		}
		if nps.Valid {
			v := int(nps.Int64)
			a.NPS = &v
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// SetPreferences sets the customer's language and time zone ("" for
// either: unknown); bad values are valid.Fields.
func (s *Service) SetPreferences(ctx context.Context, id int64, lang, zone string) (customer.Customer, error) {
	lang, zone = strings.TrimSpace(lang), strings.TrimSpace(zone)
	return s.o.Customers.Update(ctx, id, customer.Update{Language: &lang, TimeZone: &zone})
}

// Customer is customer id.
func (s *Service) Customer(ctx context.Context, id int64) (customer.Customer, error) {
	return s.o.Customers.Get(ctx, id)
}

// isNotFound reports whether err means a row is missing.
func isNotFound(err error) bool { return errors.Is(err, store.ErrNotFound) }
