package customer

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base32"
	"errors"
	"fmt"
	"strings"

	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/valid"
)

// SetReferrer records that customer id was brought by customer by (0
// clears it): the referrals a manager counts.
func (s *Service) SetReferrer(ctx context.Context, id, by int64) error {
	if by == id {
		return valid.Field("referred_by", valid.Msg("valid.referral_self", "a customer cannot refer themselves"))
	}
	var ref any
	if by != 0 {
		if _, err := s.Get(ctx, by); err != nil {
			return valid.Field("referred_by", valid.Msg("valid.no_customer", "no such customer"))
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

// Referrer returns who referred customer id, 0 for nobody.
func (s *Service) Referrer(ctx context.Context, id int64) (int64, error) {
	var by int64
	err := s.db.R.QueryRowContext(ctx, s.q.Get("get-referrer"), id).Scan(&by)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("customer: referrer of %d: %w", id, store.ErrNotFound)
	}
	if err != nil {
		return 0, fmt.Errorf("customer: referrer of %d: %w", id, err)
	}
	return by, nil
}

// referralCodeLen is the length of a referral code: 50 random bits, short
// enough to type from a link and too many to guess.
const referralCodeLen = 10

// ReferralCode returns customer id's referral code, making one the first
// time: what a promoter's referral link carries.
func (s *Service) ReferralCode(ctx context.Context, id int64) (string, error) {
	var code string
	err := s.db.R.QueryRowContext(ctx, s.q.Get("get-referral-code"), id).Scan(&code)
	if errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("customer: referral code of %d: %w", id, store.ErrNotFound)
	}
	if err != nil || code != "" {
		return code, err
	}
	var b [8]byte
	rand.Read(b[:])
	code = strings.ToLower(base32.StdEncoding.EncodeToString(b[:]))[:referralCodeLen]
	if _, err := s.db.W.ExecContext(ctx, s.q.Get("set-referral-code"), id, code); err != nil {
		return "", fmt.Errorf("customer: referral code of %d: %w", id, err)
	}
	// Another request may have set one first: read what was kept.
	if err := s.db.W.QueryRowContext(ctx, s.q.Get("get-referral-code"), id).Scan(&code); err != nil {
		return "", fmt.Errorf("customer: referral code of %d: %w", id, err)
	}
	return code, nil
}

// ByReferralCode returns the id of the customer whose referral code is
// code, or store.ErrNotFound.
func (s *Service) ByReferralCode(ctx context.Context, code string) (int64, error) {
	code = strings.ToLower(strings.TrimSpace(code))
	if len(code) != referralCodeLen {
		return 0, store.ErrNotFound
	}
	var id int64
	err := s.db.R.QueryRowContext(ctx, s.q.Get("customer-by-referral-code"), code).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, store.ErrNotFound
	}
	if err != nil {
		return 0, fmt.Errorf("customer: by referral code: %w", err)
	}
	return id, nil
}
