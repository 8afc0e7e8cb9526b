package clv

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
func (s *Service) Standing(ctx context.Context, customerID int64) (string, error) {
	var vip, regular bool
	err := s.o.DB.R.QueryRowContext(ctx, s.q.Get("customer-standing"), customerID).Scan(&vip, &regular)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("clv: standing of %d: %w", customerID, err)
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
func (s *Service) Standings(ctx context.Context, customerIDs []int64) (map[int64]string, error) {
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

// AtRiskAt tells whether the customer was at risk at time start: by their
// churn risk when the churn model has scored them, else by their
// probability of still being a customer then (RefitOpts.AtRiskChurn and
// AtRiskPAlive). q may be the caller's transaction.
func (s *Service) AtRiskAt(ctx context.Context, q Querier, customerID int64, start time.Time) (bool, error) {
	v, err := s.value(ctx, q, customerID)
	switch {
	case err == nil && v.ChurnRisk != nil:
		return *v.ChurnRisk >= s.o.Refit.AtRiskChurn, nil
	case err != nil && !errors.Is(err, store.ErrNotFound):
		return false, err
	}
	p, ok, err := s.pAliveAt(ctx, q, customerID, start)
	if err != nil || !ok {
		return false, err
	}
	return p < s.o.Refit.AtRiskPAlive, nil
}

// Worth is the customer's current predicted lifetime value and its
// currency; 0 and "" before the models have scored them. q may be the
// caller's transaction.
func (s *Service) Worth(ctx context.Context, q Querier, customerID int64) (float64, string, error) {
	v, err := s.value(ctx, q, customerID)
	if errors.Is(err, store.ErrNotFound) {
		return 0, "", nil
	}
	return v.ExpectedValue, v.Currency, err
}
