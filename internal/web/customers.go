package web

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/rapport/rapport/internal/customer"
)

// customersView is the data of the customers list.
type customersView struct {
	Query     string
	Customers []customer.Customer
	NextURL   string
	FirstURL  string
}

// customersPage serves GET /customers?q=: customers by name, searched by
// name or any email, phone or external id, paged by cursor.
func (s *server) customersPage(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	cursor := r.URL.Query().Get("cursor")
	v := customersView{Query: q, Customers: []customer.Customer{}}
	status := http.StatusOK
	var prob *problem
	page, err := s.customers.List(r.Context(), customer.ListOptions{Query: q, Cursor: cursor})
	if err != nil {
		var ok bool
		if prob, ok = s.asProblem(rc.lang, "search", err); !ok {
			return err
		}
		status = http.StatusBadRequest
	}
	v.Customers = append(v.Customers, page.Customers...)
	link := func(cursor string) string {
		u := url.Values{}
		if q != "" {
			u.Set("q", q)
		}
		if cursor != "" {
			u.Set("cursor", cursor)
		}
		if len(u) == 0 {
			return "/customers"
		}
		return "/customers?" + u.Encode()
	}
	if page.NextCursor != "" {
		v.NextURL = link(page.NextCursor)
	}
	if cursor != "" {
		v.FirstURL = link("")
	}
	p := s.newPage(w, r, rc, "customers.title")
	p.Nav = "customers"
	p.Problem = prob
	p.Data = v
	s.render(w, r, status, "customers", p)
	return nil
}
