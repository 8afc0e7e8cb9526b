package loyalty

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/rapport/rapport/internal/store"
)

// Standings of a customer, as badges show them.
const (
	StandingVIP     = "vip"     // marked VIP by hand
	StandingRegular = "regular" // computed by the refit from purchases
)

// Standing returns "vip", "regular" or "" for customer id.
func (s *Store) Standing(ctx context.Context, customerID int64) (string, error) {
	var vip, regular bool
	err := s.o.DB.R.QueryRowContext(ctx, s.q.Get("customer-standing"), customerID).Scan(&vip, &regular)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("loyalty: standing of %d: %w", customerID, err)
	}
	switch {
	case vip:
		return StandingVIP, nil
	case regular:
		return StandingRegular, nil
	}
	return "", nil
}

// Standings returns the standing of each of the customers that has one,
// for lists such as the inbox.
func (s *Store) Standings(ctx context.Context, customerIDs []int64) (map[int64]string, error) {
	out := map[int64]string{}
	for _, id := range customerIDs {
		if _, done := out[id]; done {
			continue
		}
		st, err := s.Standing(ctx, id)
		if err != nil {
			return nil, err
		}
		if st != "" {
			out[id] = st
		}
	}
	return out, nil
}

// SurveyAnswer is one survey sent to the customer, answered or not.
type SurveyAnswer struct {
	TicketID     int64
	SentAt       time.Time
	AnsweredAt   time.Time // zero when unanswered
	CSAT         int       // 1–5; 0 when not answered
	NPS          int       // 0–10; -1 when not answered
	ReturnIntent string    // yes, maybe, no or ""
	Comment      string
}

// Surveys lists the customer's latest surveys, newest first.
func (s *Store) Surveys(ctx context.Context, customerID int64, limit int) ([]SurveyAnswer, error) {
	rows, err := s.o.DB.R.QueryContext(ctx, s.q.Get("customer-surveys"), customerID, limit)
	if err != nil {
		return nil, fmt.Errorf("loyalty: surveys of %d: %w", customerID, err)
	}
	defer rows.Close()
	out := []SurveyAnswer{}
	for rows.Next() {
		var a SurveyAnswer
		var sent int64
		var answered, csat, nps sql.NullInt64
		var intent sql.NullString
		if err := rows.Scan(&a.TicketID, &sent, &answered, &csat, &nps, &intent, &a.Comment); err != nil {
			return nil, fmt.Errorf("loyalty: surveys of %d: %w", customerID, err)
		}
		a.SentAt, a.AnsweredAt = store.Time(sent), store.NullTime(answered)
		a.CSAT, a.NPS, a.ReturnIntent = int(csat.Int64), -1, intent.String
		if nps.Valid {
			a.NPS = int(nps.Int64)
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// Panel is what Rapport knows of a customer's worth: the customer-360
// panel beside every ticket and on the customer page.
type Panel struct {
	CustomerID int64
	Standing   string // "vip", "regular" or ""
	Recent     []Purchase
	More       bool // there are purchases beyond Recent
	Summary    PurchaseSummary
	// Value is nil until the refit has scored the customer.
	Value         *CustomerValue
	Surveys       []SurveyAnswer
	Recommitments []Recommitment
}

// PanelPurchases is how many purchases the panel lists.
const PanelPurchases = 10

// Panel gathers customer id's panel.
func (s *Store) Panel(ctx context.Context, customerID int64) (Panel, error) {
	p := Panel{CustomerID: customerID}
	var err error
	if p.Standing, err = s.Standing(ctx, customerID); err != nil {
		return p, err
	}
	var next *PurchaseCursor
	if p.Recent, next, err = s.Purchases(ctx, customerID, nil, PanelPurchases); err != nil {
		return p, err
	}
	p.More = next != nil
	if p.Summary, err = s.Summary(ctx, customerID); err != nil {
		return p, err
	}
	v, err := s.Value(ctx, customerID)
	switch {
	case err == nil:
		p.Value = &v
	case !errors.Is(err, store.ErrNotFound):
		return p, err
	}
	if p.Surveys, err = s.Surveys(ctx, customerID, 10); err != nil {
		return p, err
	}
	if p.Recommitments, err = s.ForCustomer(ctx, customerID, 10); err != nil {
		return p, err
	}
	return p, nil
}
