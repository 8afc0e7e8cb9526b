package api

import (
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/rapport/rapport/internal/agent"
	"github.com/rapport/rapport/internal/recovery"
	"github.com/rapport/rapport/internal/valid"
)

// errNoRecovery answers the compensation routes on a server built without them.
var errNoRecovery = &apiError{status: http.StatusServiceUnavailable, code: "unavailable",
	message: "compensation is not enabled on this server"}

// errDecided answers a decision on a request already decided.
var errDecided = &apiError{status: http.StatusConflict, code: "already_decided",
	message: "the compensation request was already approved or declined"}

// compensationJSON is a ledger row as the API shows it.
type compensationJSON struct {
	ID            int64   `json:"id"`
	TicketID      int64   `json:"ticket_id"`
	CustomerID    int64   `json:"customer_id"`
	KindID        int64   `json:"kind_id"`
	Kind          string  `json:"kind"`
	Name          string  `json:"name"`
	Amount        string  `json:"amount"`
	AmountMinor   int64   `json:"amount_minor"`
	Currency      string  `json:"currency"`
	Reason        string  `json:"reason"`
	PurchaseID    *int64  `json:"purchase_id"`
	Reference     string  `json:"order_reference"`
	Status        string  `json:"status"`
	AgentID       *int64  `json:"agent_id"`
	DecidedBy     *int64  `json:"decided_by"`
	DeclineReason string  `json:"decline_reason"`
	CreatedAt     *string `json:"created_at"`
	DecidedAt     *string `json:"decided_at"`
	GrantedAt     *string `json:"granted_at"`
}

func toCompensationJSON(c recovery.Compensation) compensationJSON {
	return compensationJSON{ID: c.ID, TicketID: c.TicketID, CustomerID: c.CustomerID, KindID: c.KindID, Kind: c.Kind,
		Name: c.KindName, Amount: c.Amount.Decimal(), AmountMinor: c.Amount.Minor, Currency: c.Amount.Currency,
		Reason: c.Reason, PurchaseID: idJSON(c.PurchaseID), Reference: c.PurchaseRef, Status: c.Status,
		AgentID: idJSON(c.AgentID), DecidedBy: idJSON(c.DecidedBy), DeclineReason: c.DeclineReason,
		CreatedAt: timeJSON(c.CreatedAt), DecidedAt: timeJSON(c.DecidedAt), GrantedAt: timeJSON(c.GrantedAt)}
}

// compensationsJSON is a list of ledger rows.
type compensationsJSON struct {
	Items []compensationJSON `json:"data"`
}

func listJSON(cs []recovery.Compensation) compensationsJSON {
	out := compensationsJSON{Items: make([]compensationJSON, 0, len(cs))}
	for _, c := range cs {
		out.Items = append(out.Items, toCompensationJSON(c))
	}
	return out
}

// ticketCompensations serves GET /tickets/{id}/compensations.
func (s *server) ticketCompensations(w http.ResponseWriter, r *http.Request, _ agent.Agent) error {
	if s.recovery == nil {
		return errNoRecovery
	}
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if _, err := s.tickets.Get(r.Context(), id); err != nil {
		return err
	}
	cs, err := s.recovery.ForTicket(r.Context(), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, listJSON(cs))
	return nil
}

// compensationIn is the body of POST /tickets/{id}/compensations.
type compensationIn struct {
	KindID     int64      `json:"kind_id"`
	Amount     amountJSON `json:"amount"`
	Reason     string     `json:"reason"`
	PurchaseID int64      `json:"purchase_id"`
}

// grantCompensation serves POST /tickets/{id}/compensations: granted
// (201, status granted) within the caller's limits, else requested from a
// manager (201, status requested).
func (s *server) grantCompensation(w http.ResponseWriter, r *http.Request, me agent.Agent) error {
	if s.recovery == nil {
		return errNoRecovery
	}
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in compensationIn
	if err := decode(r, &in); err != nil {
		return err
	}
	c, err := s.recovery.Grant(r.Context(), me.ID, id, recovery.NewCompensation{KindID: in.KindID, Amount: string(in.Amount),
		Reason: in.Reason, PurchaseID: in.PurchaseID})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, toCompensationJSON(c))
	return nil
}

// listCompensations serves GET /compensations: the ledger, newest first,
// filtered by ?status=, ?agent_id=, ?ticket_id=, ?from= and ?to= (RFC 3339)
// and ?limit= (default 200, at most 10000).
func (s *server) listCompensations(w http.ResponseWriter, r *http.Request, _ agent.Agent) error {
	if s.recovery == nil {
		return errNoRecovery
	}
	q := r.URL.Query()
	f := recovery.Filter{Status: q.Get("status")}
	errs := valid.Fields{}
	num := func(name string, dst *int64) {
		if v := q.Get(name); v != "" {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil || n <= 0 {
				errs.Add(name, valid.Msg("valid.positive_id", "must be a positive whole number"))
				return
			}
			*dst = n
		}
	}
	num("agent_id", &f.AgentID)
	num("ticket_id", &f.TicketID)
	var limit int64
	num("limit", &limit)
	f.Limit = int(min(limit, recovery.MaxLimit))
	for name, dst := range map[string]*time.Time{"from": &f.From, "to": &f.To} {
		if v := q.Get(name); v != "" {
			t, err := time.Parse(time.RFC3339, v)
			if err != nil {
				errs.Add(name, valid.Msg("valid.datetime", "is not a time such as 2025-06-01T00:00:00Z"))
				continue
			}
			*dst = t
		}
	}
	if err := errs.Err(); err != nil {
		return err
	}
	cs, err := s.recovery.Ledger(r.Context(), f)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, listJSON(cs))
	return nil
}

// approveCompensation serves POST /compensations/{id}/approve.
func (s *server) approveCompensation(w http.ResponseWriter, r *http.Request, me agent.Agent) error {
	if s.recovery == nil {
		return errNoRecovery
	}
	id, err := pathID(r)
	if err != nil {
		return err
	}
	c, err := s.recovery.Approve(r.Context(), me.ID, id)
	if errors.Is(err, recovery.ErrDecided) {
		return errDecided
	}
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, toCompensationJSON(c))
	return nil
}

// declineIn is the body of POST /compensations/{id}/decline.
type declineIn struct {
	Reason string `json:"reason"`
}

// declineCompensation serves POST /compensations/{id}/decline.
func (s *server) declineCompensation(w http.ResponseWriter, r *http.Request, me agent.Agent) error {
	if s.recovery == nil {
		return errNoRecovery
	}
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in declineIn
	if err := decode(r, &in); err != nil {
		return err
	}
	c, err := s.recovery.Decline(r.Context(), me.ID, id, in.Reason)
	var ve valid.Errors
	switch {
	case errors.Is(err, recovery.ErrDecided):
		return errDecided
	case errors.As(err, &ve):
		return valid.Errors{"reason": ve["decline_reason"]}
	case err != nil:
		return err
	}
	writeJSON(w, http.StatusOK, toCompensationJSON(c))
	return nil
}
