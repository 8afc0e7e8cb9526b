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

// ErrUnknownReferralCode is returned (inside valid.Errors, field
// referral_code) for a referral code no customer has.
var ErrUnknownReferralCode = errors.New("no customer has this referral code")

// ReferredByCodeTx records, inside tx, that customer id came through the
// referral link with code: its owner becomes id's referrer unless id has
// one already (the first referrer stands) or is the owner. It reports
// whether it recorded one. An unknown or malformed code is an error on the
// field referral_code.
func (s *Service) ReferredByCodeTx(ctx context.Context, tx *sql.Tx, id int64, code string) (bool, error) {
	code = strings.ToLower(strings.TrimSpace(code))
	var by int64
	err := sql.ErrNoRows
	if len(code) == referralCodeLen {
		err = tx.QueryRowContext(ctx, s.q.Get("customer-by-referral-code"), code).Scan(&by)
	}
	if errors.Is(err, sql.ErrNoRows) {
		return false, valid.Errors{"referral_code": ErrUnknownReferralCode.Error()}
	}
	if err != nil {
		return false, fmt.Errorf("customer: by referral code: %w", err)
	}
	if by == id {
		return false, nil
	}
	res, err := tx.ExecContext(ctx, s.q.Get("set-referrer-if-none"), id, by, store.Millis(s.now()))
	if err != nil {
		return false, fmt.Errorf("customer: referrer of %d: %w", id, err)
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
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
