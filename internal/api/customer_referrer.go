package api

import (
	"errors"
	"net/http"
	"strings"

	"github.com/rapport/rapport/internal/agent"
	"github.com/rapport/rapport/internal/customer"
	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/valid"
)

// referrerRequest is the body of PUT /customers/{id}/referrer: the
// referring customer by id or by email address; neither clears it.
type referrerRequest struct {
	ReferredBy int64  `json:"referred_by"`
	Email      string `json:"email"`
}

// referrerJSON says who referred a customer; ReferredBy nil for nobody.
type referrerJSON struct {
	CustomerID int64  `json:"customer_id"`
	ReferredBy *int64 `json:"referred_by"`
}

// setReferrer serves PUT /customers/{id}/referrer.
func (s *server) setReferrer(w http.ResponseWriter, r *http.Request, me agent.Agent) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var req referrerRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	by := req.ReferredBy
	if email := strings.TrimSpace(req.Email); email != "" {
		if by != 0 {
			return valid.Field("email", valid.Msg("valid.api_referrer_both", "give referred_by or email, not both"))
		}
		c, err := s.customers.FindByIdentity(r.Context(), customer.Email, email)
		if errors.Is(err, store.ErrNotFound) {
			return valid.Field("email", valid.Msg("valid.no_customer", "no such customer"))
		}
		if err != nil {
			return err
		}
		by = c.ID
	}
	if by < 0 {
		return valid.Field("referred_by", valid.Msg("valid.no_customer", "no such customer"))
	}
	if err := s.customers.SetReferrer(r.Context(), id, by); err != nil {
		return err
	}
	out := referrerJSON{CustomerID: id}
	if by != 0 {
		out.ReferredBy = &by
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}
