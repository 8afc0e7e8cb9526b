// Package customer360 gathers what Rapport knows of a customer's worth
// for the customer-360 panel beside every ticket, on the customer page and
// in the API: their standing, recent purchases and what those add up to,
// their lifetime value and churn risk, their latest surveys and the
// re-commitments they made. It only reads, from the services that own each
// part, so it sits above them all: no domain package imports it.
package customer360

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"time"

	"github.com/rapport/rapport/internal/clv"
	"github.com/rapport/rapport/internal/purchases"
	"github.com/rapport/rapport/internal/recommit"
	"github.com/rapport/rapport/internal/store"
)

//go:embed queries.sql
var queriesFS embed.FS

// Opts are the services a panel is gathered from.
type Opts struct {
	DB        *store.DB
	Purchases *purchases.Service
	Values    *clv.Service
	Recommits *recommit.Service
}

// Service gathers customer-360 panels.
type Service struct {
	o Opts
	q store.Queries
}

// New returns a Service.
func New(o Opts) (*Service, error) {
	if o.DB == nil || o.Purchases == nil || o.Values == nil || o.Recommits == nil {
		return nil, errors.New("customer360: DB, Purchases, Values and Recommits are required")
	}
	return &Service{o: o, q: store.MustLoadQueries(queriesFS, o.DB.Dialect)}, nil
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
func (s *Service) Surveys(ctx context.Context, customerID int64, limit int) ([]SurveyAnswer, error) {
	rows, err := s.o.DB.R.QueryContext(ctx, s.q.Get("customer-surveys"), customerID, limit)
	if err != nil {
		return nil, fmt.Errorf("customer360: surveys of %d: %w", customerID, err)
	}
	defer rows.Close()
	out := []SurveyAnswer{}
	for rows.Next() {
		var a SurveyAnswer
		var sent int64
		var answered, csat, nps sql.NullInt64
		var intent sql.NullString
		if err := rows.Scan(&a.TicketID, &sent, &answered, &csat, &nps, &intent, &a.Comment); err != nil {
			return nil, fmt.Errorf("customer360: surveys of %d: %w", customerID, err)
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
	Recent     []purchases.Purchase
	More       bool // there are purchases beyond Recent
	Summary    purchases.Summary
	// Value is nil until the refit has scored the customer.
	Value         *clv.CustomerValue
	Surveys       []SurveyAnswer
	Recommitments []recommit.Recommitment
}

// PanelPurchases is how many purchases the panel lists.
const PanelPurchases = 10

// Panel gathers customer id's panel.
func (s *Service) Panel(ctx context.Context, customerID int64) (Panel, error) {
	p := Panel{CustomerID: customerID}
	var err error
	if p.Standing, err = s.o.Values.Standing(ctx, customerID); err != nil {
		return p, err
	}
	var next *purchases.Cursor
	if p.Recent, next, err = s.o.Purchases.Purchases(ctx, customerID, nil, PanelPurchases); err != nil {
		return p, err
	}
	p.More = next != nil
	if p.Summary, err = s.o.Purchases.Summary(ctx, customerID); err != nil {
		return p, err
	}
	v, err := s.o.Values.Value(ctx, customerID)
	switch {
	case err == nil:
		p.Value = &v
	case !errors.Is(err, store.ErrNotFound):
		return p, err
	}
	if p.Surveys, err = s.Surveys(ctx, customerID, 10); err != nil {
		return p, err
	}
	if p.Recommitments, err = s.o.Recommits.ForCustomer(ctx, customerID, 10); err != nil {
		return p, err
	}
	return p, nil
}
