package web

import (
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/rapport/rapport/internal/recovery"
	"github.com/rapport/rapport/internal/valid"
)

// compensationView is the data of the managers' compensation page.
type compensationView struct {
	Requests  []recovery.Compensation
	Ledger    []recovery.Compensation
	Status    string // the ledger's filter
	Statuses  []string
	ExportURL string
}

// ledgerFilter reads ?status= of the ledger.
func ledgerFilter(q url.Values) (recovery.Filter, error) {
	f := recovery.Filter{Status: q.Get("status")}
	switch f.Status {
	case "", recovery.Granted, recovery.Requested, recovery.Declined:
	default:
		return f, valid.Field("status", valid.Msg("valid.choice", "is one of granted, requested, declined"))
	}
	return f, nil
}

// compensationManage serves GET /manage/compensation: the requests
// waiting for a manager, each approved or declined in one click, and the
// ledger.
func (s *server) compensationManage(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	return s.renderCompensation(w, r, rc, nil)
}

func (s *server) renderCompensation(w http.ResponseWriter, r *http.Request, rc *reqCtx, prob *problem) error {
	f, err := ledgerFilter(r.URL.Query())
	if err != nil {
		return err
	}
	v := compensationView{Status: f.Status, Statuses: []string{recovery.Granted, recovery.Requested, recovery.Declined},
		ExportURL: "/manage/compensation.csv"}
	if f.Status != "" {
		v.ExportURL += "?status=" + f.Status
	}
	if v.Requests, err = s.recovery.Ledger(r.Context(), recovery.Filter{Status: recovery.Requested, Limit: recovery.MaxLimit}); err != nil {
		return err
	}
	if v.Ledger, err = s.recovery.Ledger(r.Context(), f); err != nil {
		return err
	}
	p := s.newPage(w, r, rc, "recovery.manage_title")
	p.Nav = "compensation"
	p.Data = v
	status := http.StatusOK
	if prob != nil {
		p.Problem, p.Form, status = prob, r.PostForm, prob.Status
	}
	s.render(w, r, status, "compensation_manage", p)
	return nil
}

// compensationExport serves GET /manage/compensation.csv: the ledger
// (filtered like the page), amounts in minor units and as decimals.
func (s *server) compensationExport(w http.ResponseWriter, r *http.Request, _ *reqCtx) error {
	f, err := ledgerFilter(r.URL.Query())
	if err != nil {
		return err
	}
	f.Limit = recovery.MaxLimit
	rows, err := s.recovery.Ledger(r.Context(), f)
	if err != nil {
		return err
	}
	at := func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.UTC().Format(time.RFC3339)
	}
	id := func(n int64) string {
		if n == 0 {
			return ""
		}
		return strconv.FormatInt(n, 10)
	}
	if err := s.recordExport(r); err != nil {
		return err
	}
	cw := startCSV(w, "compensation-"+s.clock.Now().UTC().Format(time.DateOnly)+".csv")
	cw.Write([]string{"id", "created_at", "ticket_id", "customer_id", "kind", "name", "amount_minor", "amount", "currency",
		"status", "reason", "purchase_id", "order_reference", "agent_id", "agent", "decided_by", "decided_by_name",
		"decided_at", "granted_at", "decline_reason"})
	for _, c := range rows {
		cw.Write([]string{strconv.FormatInt(c.ID, 10), at(c.CreatedAt), strconv.FormatInt(c.TicketID, 10),
			strconv.FormatInt(c.CustomerID, 10), c.Kind, csvCell(c.KindName), strconv.FormatInt(c.Amount.Minor, 10),
			c.Amount.Decimal(), c.Amount.Currency, c.Status, csvCell(c.Reason), id(c.PurchaseID), csvCell(c.PurchaseRef),
			id(c.AgentID), csvCell(c.AgentName), id(c.DecidedBy), csvCell(c.DeciderName), at(c.DecidedAt), at(c.GrantedAt),
			csvCell(c.DeclineReason)})
	}
	cw.Flush()
	return cw.Error()
}

// RecoveryOn reports whether compensation is offered.
func (p *page) RecoveryOn() bool { return p.s.recovery != nil }
