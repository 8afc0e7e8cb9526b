package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/rapport/rapport/internal/churn"
	"github.com/rapport/rapport/internal/valid"
)

// atRiskPageSize is how many customers one page of the at-risk list shows.
const atRiskPageSize = 50

// atRiskView is the data of the at-risk list.
type atRiskView struct {
	Sort      string
	Page      int
	Pages     int
	Total     int
	Offset    int
	Customers []churn.AtRiskCustomer
	ByValue   string // the URLs of the two orders
	ByRisk    string
	PrevURL   string
	NextURL   string
	ExportURL string
}

// atRiskQuery reads ?sort= and ?page= of the at-risk list.
func atRiskQuery(q url.Values) (order string, page int, err error) {
	order = q.Get("sort")
	errs := valid.Fields{}
	switch order {
	case "":
		order = churn.AtRiskByValue
	case churn.AtRiskByValue, churn.AtRiskByRisk:
	default:
		errs.Add("sort", valid.Msg("valid.choice", "must be value or risk"))
	}
	page = 1
	if s := q.Get("page"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > churn.MaxAtRiskLimit/atRiskPageSize {
			errs.Add("page", valid.Msg("valid.choice", "must be a page number"))
		} else {
			page = n
		}
	}
	return order, page, errs.Err()
}

// atRiskPage serves GET /manage/at-risk: the scored customers, by value at
// risk (churn risk × predicted lifetime value) or by churn risk, a page at
// a time, with the reasons the model gives.
func (s *server) atRiskPage(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	order, pageNo, err := atRiskQuery(r.URL.Query())
	if err != nil {
		return err
	}
	res, err := s.churn.AtRisk(r.Context(), order, (pageNo-1)*atRiskPageSize, atRiskPageSize)
	if err != nil {
		return err
	}
	v := atRiskView{Sort: order, Page: pageNo, Total: res.Total, Offset: (pageNo - 1) * atRiskPageSize,
		Customers: res.Customers, Pages: max(1, (res.Total+atRiskPageSize-1)/atRiskPageSize),
		ByValue: "/manage/at-risk?sort=value", ByRisk: "/manage/at-risk?sort=risk",
		ExportURL: "/manage/at-risk.csv?sort=" + order}
	if pageNo > 1 {
		v.PrevURL = fmt.Sprintf("/manage/at-risk?sort=%s&page=%d", order, pageNo-1)
	}
	if pageNo < v.Pages {
		v.NextURL = fmt.Sprintf("/manage/at-risk?sort=%s&page=%d", order, pageNo+1)
	}
	p := s.newPage(w, r, rc, "churn.title")
	p.Nav = "at_risk"
	p.Data = v
	s.render(w, r, http.StatusOK, "at_risk", p)
	return nil
}

// atRiskExport serves GET /manage/at-risk.csv: the whole list in the
// chosen order, as raw numbers.
func (s *server) atRiskExport(w http.ResponseWriter, r *http.Request, _ *reqCtx) error {
	order, _, err := atRiskQuery(r.URL.Query())
	if err != nil {
		return err
	}
	res, err := s.churn.AtRisk(r.Context(), order, 0, churn.MaxAtRiskLimit)
	if err != nil {
		return err
	}
	num := func(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }
	if err := s.recordExport(r); err != nil {
		return err
	}
	cw := startCSV(w, "at-risk-"+s.clock.Now().UTC().Format(time.DateOnly)+".csv")
	cw.Write([]string{"customer_id", "name", "churn_risk", "expected_value", "currency", "value_at_risk", "p_alive",
		"last_contact", "open_complaints", "latest_ticket_id", "reasons"})
	for _, a := range res.Customers {
		ev, cur, vr, alive := "", "", "", ""
		if a.Valued {
			ev, cur, vr, alive = num(a.ExpectedValue), a.Currency, num(a.ValueAtRisk()), num(a.PAlive)
		}
		last, latest := "", ""
		if !a.LastContact.IsZero() {
			last = a.LastContact.UTC().Format(time.RFC3339)
		}
		if a.LatestTicketID > 0 {
			latest = strconv.FormatInt(a.LatestTicketID, 10)
		}
		why := make([]string, 0, len(a.Reasons))
		for _, c := range a.Reasons {
			why = append(why, c.Feature+" "+strconv.FormatFloat(c.Contribution, 'f', 3, 64))
		}
		cw.Write([]string{strconv.FormatInt(a.CustomerID, 10), csvCell(a.Name), num(a.ChurnRisk), ev, cur, vr, alive,
			last, strconv.Itoa(a.OpenComplaints), latest, csvCell(strings.Join(why, "; "))})
	}
	cw.Flush()
	return cw.Error()
}

// ChurnOn reports whether the at-risk list is shown.
func (p *page) ChurnOn() bool { return p.s.churn != nil }

// RowNo numbers the i-th row (from 0) of a page that starts after offset.
func (p *page) RowNo(offset, i int) int { return offset + i + 1 }
