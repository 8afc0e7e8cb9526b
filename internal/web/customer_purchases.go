package web

import (
	"net/http"
	"net/url"

	"github.com/rapport/rapport/internal/customer"
	"github.com/rapport/rapport/internal/purchases"
)

// customerPurchasesView is the data of a customer's purchases page.
type customerPurchasesView struct {
	C         customer.Customer
	Purchases []purchases.Purchase
	Panel     *customer360View
	NextURL   string
	FirstURL  string
}

// purchasesPage is how many purchases a page lists.
const purchasesPage = 50

// customerPurchases serves GET /customers/{id}/purchases: every purchase
// of the customer, newest first, paged, with the panel's figures.
func (s *server) customerPurchases(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	ctx := r.Context()
	c, err := s.customers.Get(ctx, id)
	if err != nil {
		return err
	}
	v := customerPurchasesView{C: c}
	var after *purchases.Cursor
	if raw := r.URL.Query().Get("cursor"); raw != "" {
		cur, ok := purchases.DecodeCursor(raw)
		if !ok {
			return errBadForm
		}
		after = &cur
		v.FirstURL = customerURL(id) + "/purchases"
	}
	list, next, err := s.purchases.Purchases(ctx, id, after, purchasesPage)
	if err != nil {
		return err
	}
	v.Purchases = list
	if next != nil {
		v.NextURL = customerURL(id) + "/purchases?" + url.Values{"cursor": {next.Encode()}}.Encode()
	}
	if v.Panel, err = s.customer360(ctx, id, nil); err != nil {
		return err
	}
	p := s.newPage(w, r, rc, "loyalty.purchases_title")
	name := c.Name
	if name == "" {
		name = c.Email()
	}
	p.Title = p.T("loyalty.purchases_of", name)
	p.Nav = "customers"
	p.Data = v
	s.render(w, r, http.StatusOK, "customer_purchases", p)
	return nil
}
