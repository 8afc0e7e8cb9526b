package customer

import (
	"context"
	"fmt"

	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/valid"
)

// SetReferrer records that customer id was brought by customer by (0
// clears it): the referrals a manager counts.
func (s *Service) SetReferrer(ctx context.Context, id, by int64) error {
	if by == id {
		return valid.Errors{"referred_by": "a customer cannot refer themselves"}
	}
	var ref any
	if by != 0 {
		if _, err := s.Get(ctx, by); err != nil {
			return valid.Errors{"referred_by": "no such customer"}
		}
		ref = by
	}
	res, err := s.db.W.ExecContext(ctx, s.q.Get("set-referrer"), id, ref, store.Millis(s.now()))
	if err != nil {
		return fmt.Errorf("customer: referrer of %d: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("customer: referrer of %d: %w", id, store.ErrNotFound)
	}
	return nil
}
