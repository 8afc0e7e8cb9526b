package churn

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/valid"
)

// The orders of the at-risk list.
const (
	AtRiskByValue = "value" // churn risk × expected value, largest first
	AtRiskByRisk  = "risk"  // churn risk, highest first
)

// AtRiskCustomer is one line of the at-risk list.
type AtRiskCustomer struct {
	CustomerID int64
	Name       string
	ChurnRisk  float64
	Reasons    []Reason
	// Valued is false when the lifetime-value refit has not scored the
	// customer: ExpectedValue, Currency, HorizonDays and PAlive are then
	// empty.
	Valued        bool
	ExpectedValue float64
	Currency      string
	HorizonDays   int
	PAlive        float64
	// LastContact is the customer's latest ticket or message (zero: never).
	LastContact    time.Time
	OpenComplaints int
	// LatestTicketID is 0 for a customer without tickets.
	LatestTicketID int64
}

// ValueAtRisk is the expected value the business loses if the customer
// churns: churn risk × expected value.
func (a AtRiskCustomer) ValueAtRisk() float64 { return a.ChurnRisk * a.ExpectedValue }

// AtRiskPage is one page of the at-risk list.
type AtRiskPage struct {
	Customers []AtRiskCustomer
	// Total is the number of scored customers.
	Total int
}

// MaxAtRiskLimit is the largest page AtRisk returns.
const MaxAtRiskLimit = 100000

// AtRisk returns the scored customers in order ("value" or "risk"),
// skipping offset and returning at most limit (1 to MaxAtRiskLimit).
func (c *Scorer) AtRisk(ctx context.Context, order string, offset, limit int) (AtRiskPage, error) {
	name := "at-risk-by-value"
	switch order {
	case AtRiskByValue, "":
	case AtRiskByRisk:
		name = "at-risk-by-risk"
	default:
		return AtRiskPage{}, valid.Field("sort", valid.Msg("valid.choice", "must be value or risk"))
	}
	if limit < 1 || limit > MaxAtRiskLimit {
		return AtRiskPage{}, valid.Field("limit", valid.Msg("valid.range", "must be from %d to %d", 1, MaxAtRiskLimit))
	}
	if offset < 0 {
		return AtRiskPage{}, valid.Field("offset", valid.Msg("valid.negative", "must not be negative"))
	}
	var page AtRiskPage
	if err := c.o.DB.R.QueryRowContext(ctx, c.q.Get("at-risk-count")).Scan(&page.Total); err != nil {
		return page, fmt.Errorf("churn: at-risk list: %w", err)
	}
	rows, err := c.o.DB.R.QueryContext(ctx, c.q.Get(name), limit, offset)
	if err != nil {
		return page, fmt.Errorf("churn: at-risk list: %w", err)
	}
	defer rows.Close()
	page.Customers = []AtRiskCustomer{}
	for rows.Next() {
		var a AtRiskCustomer
		var reasons string
		var lastTicket, lastMessage, latest sql.NullInt64
		if err := rows.Scan(&a.CustomerID, &a.Name, &a.ChurnRisk, &reasons, &a.ExpectedValue, &a.Currency,
			&a.HorizonDays, &a.PAlive, &lastTicket, &lastMessage, &a.OpenComplaints, &latest); err != nil {
			return page, fmt.Errorf("churn: at-risk list: %w", err)
		}
		a.Reasons = ParseReasons(reasons)
		a.Valued = a.Currency != "" && a.HorizonDays > 0
		last := max(lastTicket.Int64, lastMessage.Int64)
		if last > 0 {
			a.LastContact = store.Time(last)
		}
		a.LatestTicketID = latest.Int64
		page.Customers = append(page.Customers, a)
	}
	if err := rows.Err(); err != nil {
		return page, fmt.Errorf("churn: at-risk list: %w", err)
	}
	return page, nil
}
