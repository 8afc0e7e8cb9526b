package api

import (
	"errors"
	"net/http"

	"github.com/rapport/rapport/internal/agent"
	"github.com/rapport/rapport/internal/portal"
)

// errNoPortal answers the erasure routes on a server without the portal.
var errNoPortal = &apiError{status: http.StatusServiceUnavailable, code: "unavailable",
	message: "the customer portal is not enabled on this server"}

// errErasureDecided is a request decided before.
var errErasureDecided = &apiError{status: http.StatusConflict, code: "conflict",
	message: "the erasure request was already decided"}

// erasureJSON is one erasure request.
type erasureJSON struct {
	ID           int64   `json:"id"`
	CustomerID   int64   `json:"customer_id"`
	CustomerName string  `json:"customer_name"`
	Status       string  `json:"status"`
	Reason       string  `json:"reason"`
	RequestedAt  *string `json:"requested_at"`
	DecidedAt    *string `json:"decided_at"`
	DecidedBy    *int64  `json:"decided_by"`
}

func toErasureJSON(e portal.Erasure) erasureJSON {
	return erasureJSON{ID: e.ID, CustomerID: e.CustomerID, CustomerName: e.CustomerName, Status: e.Status,
		Reason: e.Reason, RequestedAt: timeJSON(e.RequestedAt), DecidedAt: timeJSON(e.DecidedAt), DecidedBy: idJSON(e.DecidedBy)}
}

// listErasure serves GET /erasure-requests (admins): pending first, then
// the newest; ?status=pending|approved|declined filters.
func (s *server) listErasure(w http.ResponseWriter, r *http.Request, _ agent.Agent) error {
	if s.portal == nil {
		return errNoPortal
	}
	q := newQuery(r)
	status := q.str("status")
	if err := q.err(); err != nil {
		return err
	}
	list, err := s.portal.ErasureRequests(r.Context(), status)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newList(list, toErasureJSON, ""))
	return nil
}

// approveErasure serves POST /erasure-requests/{id}/approve: the
// customer is anonymised in the same transaction, audit-logged.
func (s *server) approveErasure(w http.ResponseWriter, r *http.Request, _ agent.Agent) error {
	return s.decideErasure(w, r, true)
}

// declineErasure serves POST /erasure-requests/{id}/decline.
func (s *server) declineErasure(w http.ResponseWriter, r *http.Request, _ agent.Agent) error {
	return s.decideErasure(w, r, false)
}

func (s *server) decideErasure(w http.ResponseWriter, r *http.Request, approve bool) error {
	if s.portal == nil {
		return errNoPortal
	}
	id, err := pathID(r)
	if err != nil {
		return err
	}
	decide := s.portal.DeclineErasure
	if approve {
		decide = s.portal.ApproveErasure
	}
	e, err := decide(r.Context(), id)
	if errors.Is(err, portal.ErrDecided) {
		return errErasureDecided
	}
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, toErasureJSON(e))
	return nil
}
