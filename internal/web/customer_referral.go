package web

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/rapport/rapport/internal/customer"
	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/valid"
)

// findReferrer reads who an agent says referred a customer: an email
// address of a customer, or a customer number (42 or #42); "" is nobody.
func (s *server) findReferrer(ctx context.Context, raw string) (int64, error) {
	raw = strings.TrimSpace(raw)
	switch {
	case raw == "":
		return 0, nil
	case strings.Contains(raw, "@"):
		c, err := s.customers.FindByIdentity(ctx, customer.Email, raw)
		if errors.Is(err, store.ErrNotFound) {
			return 0, valid.Field("referred_by", valid.Msg("valid.no_customer", "no such customer"))
		}
		return c.ID, err
	}
	id, err := strconv.ParseInt(strings.TrimPrefix(raw, "#"), 10, 64)
	if err != nil || id <= 0 {
		return 0, valid.Field("referred_by", valid.Msg("valid.referral_who", "give the customer's email address or number"))
	}
	return id, nil
}

// customerReferrer serves POST /customers/{id}/referrer: who brought the
// customer, by email or customer number; empty clears it.
func (s *server) customerReferrer(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	return s.customerAction(w, r, rc, "referrer", "flash.referrer_saved", func(id int64) error {
		by, err := s.findReferrer(r.Context(), r.PostForm.Get("referred_by"))
		if err != nil {
			return err
		}
		return s.customers.SetReferrer(r.Context(), id, by)
	})
}
