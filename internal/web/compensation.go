package web

import (
	"context"
	"errors"
	"net/http"
	"strconv"

	"github.com/rapport/rapport/internal/purchases"
	"github.com/rapport/rapport/internal/recovery"
	"github.com/rapport/rapport/internal/ticket"
)

// recoveryCard is the data of the ticket's "Make it right" card.
type recoveryCard struct {
	TicketID int64
	Closed   bool
	Currency string
	Kinds    []recovery.Kind
	Orders   []purchases.Purchase // the customer's recent purchases, for a refund
	Given    []recovery.Compensation
	// Causes is the root-cause card.
	Causes *causesCard
}

// recoveryOrders is how many of the customer's purchases the card offers.
const recoveryOrders = 50

// recoveryCard reads the card of ticket t; nil without the recovery service.
func (s *server) recoveryCard(ctx context.Context, t ticket.Ticket, causeQuery string) (*recoveryCard, error) {
	if s.recovery == nil {
		return nil, nil
	}
	st, err := s.recovery.Settings(ctx)
	if err != nil {
		return nil, err
	}
	c := &recoveryCard{TicketID: t.ID, Closed: t.Status == ticket.Closed, Currency: st.Currency}
	if c.Kinds, err = s.recovery.Kinds(ctx, false); err != nil {
		return nil, err
	}
	if c.Given, err = s.recovery.ForTicket(ctx, t.ID); err != nil {
		return nil, err
	}
	if c.Causes, err = s.causesCard(ctx, t, causeQuery); err != nil {
		return nil, err
	}
	if s.purchases != nil {
		if c.Orders, _, err = s.purchases.Purchases(ctx, t.CustomerID, nil, recoveryOrders); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// CompensationStatus names a compensation's status.
func (p *page) CompensationStatus(st string) string { return p.label("recovery.status.", st) }

// optionalID reads an optional id field of a form: 0 when empty, -1 when it is
// not a positive number (which no row has, so the service says so).
func optionalID(v string) int64 {
	if v == "" {
		return 0
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n <= 0 {
		return -1
	}
	return n
}

// ticketCompensate serves POST /tickets/{id}/compensations: the agent
// grants compensation within their limits, or asks a manager above them.
func (s *server) ticketCompensate(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	f := r.PostForm
	c, err := s.recovery.Grant(r.Context(), rc.me.ID, id, recovery.NewCompensation{
		KindID: optionalID(f.Get("kind_id")), Amount: f.Get("amount"), Reason: f.Get("reason"), PurchaseID: optionalID(f.Get("purchase_id")),
	})
	if err != nil {
		prob, ok := s.asProblem(rc.lang, "compensate", err)
		if !ok {
			return err
		}
		return s.renderTicket(w, r, rc, id, prob)
	}
	flash := "flash.compensation_granted"
	if c.Status == recovery.Requested {
		flash = "flash.compensation_requested"
	}
	s.setFlash(w, flash)
	redirect(w, r, ticketURL(id)+"#compensate")
	return nil
}

// compensationEvent puts a compensation event of the history into words.
func compensationEvent(p *page, actor string, e ticket.Event) (string, bool) {
	d := e.Data
	what := dataStr(d, "name")
	if a := dataStr(d, "amount"); a != "" && a != "0" && a != "0.00" {
		m, err := purchases.ParseMoney(a, dataStr(d, "currency"))
		if err == nil && m.Minor > 0 {
			what += " " + p.Money(m)
		}
	}
	switch e.Type {
	case recovery.EventGranted:
		return p.T("event.compensation_granted", actor, what, dataStr(d, "reason")), true
	case recovery.EventRequested:
		return p.T("event.compensation_requested", actor, what, dataStr(d, "reason")), true
	case recovery.EventDeclined:
		return p.T("event.compensation_declined", actor, what, dataStr(d, "reason")), true
	}
	return "", false
}

// compensationDecide runs a manager's decision on request {id}: on success
// back to the requests with the flash, else the page with the problem.
func (s *server) compensationDecide(w http.ResponseWriter, r *http.Request, rc *reqCtx, flash string,
	decide func(id int64) error) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := decide(id); err != nil {
		if errors.Is(err, recovery.ErrDecided) {
			return s.renderCompensation(w, r, rc, &problem{Status: http.StatusConflict, Form: "decide-" + strconv.FormatInt(id, 10),
				Message: s.cat.T(rc.lang, "problem.conflict"), Fields: map[string]string{}})
		}
		prob, ok := s.asProblem(rc.lang, "decide-"+strconv.FormatInt(id, 10), err)
		if !ok {
			return err
		}
		return s.renderCompensation(w, r, rc, prob)
	}
	s.setFlash(w, flash)
	redirect(w, r, "/manage/compensation")
	return nil
}

// compensationApprove serves POST /manage/compensation/{id}/approve.
func (s *server) compensationApprove(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	return s.compensationDecide(w, r, rc, "flash.compensation_approved", func(id int64) error {
		_, err := s.recovery.Approve(r.Context(), rc.me.ID, id)
		return err
	})
}

// compensationDecline serves POST /manage/compensation/{id}/decline.
func (s *server) compensationDecline(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	return s.compensationDecide(w, r, rc, "flash.compensation_declined", func(id int64) error {
		_, err := s.recovery.Decline(r.Context(), rc.me.ID, id, r.PostForm.Get("decline_reason"))
		return err
	})
}
