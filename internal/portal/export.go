package portal

import (
	"context"
	"fmt"
	"time"

	"github.com/rapport/rapport/internal/audit"
	"github.com/rapport/rapport/internal/store"
)

// ExportFormat names the layout of Export's JSON.
const ExportFormat = "rapport-customer-export/1"

// Export is everything Rapport holds about a customer that is theirs to
// see: profile, identities, tickets with their public messages (internal
// notes are the team's working notes, shown to nobody outside it) and
// attachments' names, promises, survey answers, purchases and erasure
// requests.
type Export struct {
	Format     string         `json:"format"`
	ExportedAt time.Time      `json:"exported_at"`
	Customer   ExportCustomer `json:"customer"`
	Tickets    []ExportTicket `json:"tickets"`
	Promises   []PromiseRow   `json:"promises"`
	Surveys    []SurveyAnswer `json:"survey_answers"`
	Purchases  []Purchase     `json:"purchases"`
	Erasure    []Erasure      `json:"erasure_requests"`
}

// ExportCustomer is the customer's profile.
type ExportCustomer struct {
	ID         int64            `json:"id"`
	Name       string           `json:"name"`
	Language   string           `json:"language"`
	TimeZone   string           `json:"time_zone"`
	Identities []ExportIdentity `json:"identities"`
	CreatedAt  time.Time        `json:"created_at"`
}

// ExportIdentity is an email, phone or external id of the customer.
type ExportIdentity struct {
	Kind  string `json:"kind"`
	Value string `json:"value"`
}

// ExportTicket is one ticket with its public thread.
type ExportTicket struct {
	TicketRow
	Channel  string          `json:"channel"`
	Language string          `json:"language"`
	Messages []ExportMessage `json:"messages"`
}

// ExportMessage is one public message of a thread.
type ExportMessage struct {
	ID          int64              `json:"id"`
	From        string             `json:"from"` // "customer" or "team"
	Author      string             `json:"author"`
	Body        string             `json:"body"`
	CreatedAt   time.Time          `json:"created_at"`
	Attachments []ExportAttachment `json:"attachments,omitempty"`
}

// ExportAttachment names a file that came with a message.
type ExportAttachment struct {
	Filename    string `json:"filename"`
	ContentType string `json:"content_type"`
	Size        int64  `json:"size"`
}

// Purchase is one of the customer's purchases.
type Purchase struct {
	PurchasedAt time.Time `json:"purchased_at"`
	AmountMinor int64     `json:"amount_minor"`
	Currency    string    `json:"currency"`
	Reference   string    `json:"reference,omitempty"`
	Channel     string    `json:"channel,omitempty"`
}

// Export gathers what Rapport holds about customer id for their own
// download, and records the download in the audit log (action "export",
// the customer as target, what it holds counted); the client's address
// comes with the actor in ctx.
func (s *Service) Export(ctx context.Context, id int64) (Export, error) {
	e, err := s.gather(ctx, id)
	if err != nil {
		return Export{}, err
	}
	if s.o.Audit != nil {
		messages := 0
		for _, t := range e.Tickets {
			messages += len(t.Messages)
		}
		err := s.o.Audit.Record(ctx, audit.Entry{Action: "export", TargetKind: "customer", TargetID: audit.ID(id),
			After: map[string]any{"by": "customer: portal data download", "format": ExportFormat, "tickets": len(e.Tickets),
				"messages": messages, "promises": len(e.Promises), "survey_answers": len(e.Surveys),
				"purchases": len(e.Purchases), "erasure_requests": len(e.Erasure)}})
		if err != nil {
			return Export{}, fmt.Errorf("portal: export %d: %w", id, err)
		}
	}
	return e, nil
}

// gather is what Export hands out.
func (s *Service) gather(ctx context.Context, id int64) (Export, error) {
	c, err := s.o.Customers.Get(ctx, id)
	if err != nil {
		return Export{}, err
	}
	e := Export{Format: ExportFormat, ExportedAt: s.now(), Customer: ExportCustomer{
		ID: c.ID, Name: c.Name, Language: c.Language, TimeZone: c.TimeZone, CreatedAt: c.CreatedAt,
		Identities: []ExportIdentity{},
	}}
	for _, i := range c.Identities {
		e.Customer.Identities = append(e.Customer.Identities, ExportIdentity{Kind: i.Kind, Value: i.Value})
	}
	rows, err := s.Tickets(ctx, id)
	if err != nil {
		return Export{}, err
	}
	files, err := s.attachmentsOf(ctx, id)
	if err != nil {
		return Export{}, err
	}
	e.Tickets = []ExportTicket{}
	for _, r := range rows {
		th, err := s.Thread(ctx, id, r.ID)
		if err != nil {
			return Export{}, err
		}
		et := ExportTicket{TicketRow: r, Channel: th.Ticket.Channel, Language: th.Ticket.Language, Messages: []ExportMessage{}}
		for _, m := range th.Messages {
			from := "team"
			if m.Kind == "customer" {
				from = "customer"
			}
			et.Messages = append(et.Messages, ExportMessage{ID: m.ID, From: from, Author: m.AuthorName,
				Body: m.BodyText, CreatedAt: m.CreatedAt, Attachments: files[m.ID]})
		}
		e.Tickets = append(e.Tickets, et)
	}
	if e.Promises, err = s.Promises(ctx, id); err != nil {
		return Export{}, err
	}
	if e.Surveys, err = s.Surveys(ctx, id); err != nil {
		return Export{}, err
	}
	if e.Purchases, err = s.purchases(ctx, id); err != nil {
		return Export{}, err
	}
	if e.Erasure, err = s.ErasuresOf(ctx, id); err != nil {
		return Export{}, err
	}
	for _, list := range []*[]PromiseRow{&e.Promises} {
		if *list == nil {
			*list = []PromiseRow{}
		}
	}
	if e.Surveys == nil {
		e.Surveys = []SurveyAnswer{}
	}
	if e.Purchases == nil {
		e.Purchases = []Purchase{}
	}
	if e.Erasure == nil {
		e.Erasure = []Erasure{}
	}
	return e, nil
}

// attachmentsOf names the files of the public messages of customer id's
// tickets, by message.
func (s *Service) attachmentsOf(ctx context.Context, id int64) (map[int64][]ExportAttachment, error) {
	rows, err := s.o.DB.R.QueryContext(ctx, s.q.Get("customer-attachments"), id)
	if err != nil {
		return nil, fmt.Errorf("portal: attachments of %d: %w", id, err)
	}
	defer rows.Close()
	out := map[int64][]ExportAttachment{}
	for rows.Next() {
		var mid int64
		var a ExportAttachment
		if err := rows.Scan(&mid, &a.Filename, &a.ContentType, &a.Size); err != nil {
			return nil, err
		}
		out[mid] = append(out[mid], a)
	}
	return out, rows.Err()
}

// purchases lists customer id's purchases, the newest first.
func (s *Service) purchases(ctx context.Context, id int64) ([]Purchase, error) {
	rows, err := s.o.DB.R.QueryContext(ctx, s.q.Get("customer-purchases"), id, maxList)
	if err != nil {
		return nil, fmt.Errorf("portal: purchases of %d: %w", id, err)
	}
	defer rows.Close()
	var out []Purchase
	for rows.Next() {
		var p Purchase
		var at int64
		if err := rows.Scan(&at, &p.AmountMinor, &p.Currency, &p.Reference, &p.Channel); err != nil {
			return nil, err
		}
		p.PurchasedAt = store.Time(at)
		out = append(out, p)
	}
	return out, rows.Err()
}
