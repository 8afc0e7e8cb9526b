package api

import (
	"net/http"
	"strconv"

	"github.com/rapport/rapport/internal/agent"
	"github.com/rapport/rapport/internal/customer"
)

// customerJSON is a customer as the API shows it.
type customerJSON struct {
	ID         int64          `json:"id"`
	Name       string         `json:"name"`
	Email      string         `json:"email"`
	Language   string         `json:"language"`
	Notes      string         `json:"notes"`
	VIP        bool           `json:"vip"`
	TimeZone   string         `json:"time_zone"` // IANA; "" unknown: the business's zone is used
	Tags       []string       `json:"tags"`
	Identities []identityJSON `json:"identities"`
	CreatedAt  *string        `json:"created_at"`
	UpdatedAt  *string        `json:"updated_at"`
}

// identityJSON is one way to recognise a customer.
type identityJSON struct {
	ID    int64  `json:"id"`
	Kind  string `json:"kind"`
	Value string `json:"value"`
}

func toIdentityJSON(i customer.Identity) identityJSON {
	return identityJSON{ID: i.ID, Kind: i.Kind, Value: i.Value}
}

func toCustomerJSON(c customer.Customer) customerJSON {
	ids := make([]identityJSON, 0, len(c.Identities))
	for _, i := range c.Identities {
		ids = append(ids, toIdentityJSON(i))
	}
	return customerJSON{
		ID:         c.ID,
		Name:       c.Name,
		Email:      c.Email(),
		Language:   c.Language,
		Notes:      c.Notes,
		VIP:        c.VIP,
		TimeZone:   c.TimeZone,
		Tags:       nonNil(c.Tags),
		Identities: ids,
		CreatedAt:  timeJSON(c.CreatedAt),
		UpdatedAt:  timeJSON(c.UpdatedAt),
	}
}

// listCustomers serves GET /customers?q=&cursor=&limit=.
func (s *server) listCustomers(w http.ResponseWriter, r *http.Request, _ agent.Agent) error {
	q := newQuery(r)
	o := customer.ListOptions{
		Query:  q.str("q"),
		Cursor: q.str("cursor"),
		Limit:  q.limit(200),
	}
	if err := q.err(); err != nil {
		return err
	}
	page, err := s.customers.List(r.Context(), o)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newList(page.Customers, toCustomerJSON, page.NextCursor))
	return nil
}

// createCustomerRequest is the body of POST /customers.
type createCustomerRequest struct {
	Name        string   `json:"name"`
	Language    string   `json:"language"`
	Notes       string   `json:"notes"`
	VIP         bool     `json:"vip"`
	Tags        []string `json:"tags"`
	Emails      []string `json:"emails"`
	Phones      []string `json:"phones"`
	ExternalIDs []string `json:"external_ids"`
}

// createCustomer serves POST /customers.
func (s *server) createCustomer(w http.ResponseWriter, r *http.Request, _ agent.Agent) error {
	var req createCustomerRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	c, err := s.customers.Create(r.Context(), customer.NewCustomer{
		Name:        req.Name,
		Language:    req.Language,
		Notes:       req.Notes,
		VIP:         req.VIP,
		Tags:        req.Tags,
		Emails:      req.Emails,
		Phones:      req.Phones,
		ExternalIDs: req.ExternalIDs,
	})
	if err != nil {
		return err
	}
	w.Header().Set("Location", Prefix+"/customers/"+strconv.FormatInt(c.ID, 10))
	writeJSON(w, http.StatusCreated, toCustomerJSON(c))
	return nil
}

// getCustomer serves GET /customers/{id}.
func (s *server) getCustomer(w http.ResponseWriter, r *http.Request, _ agent.Agent) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	c, err := s.customers.Get(r.Context(), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, toCustomerJSON(c))
	return nil
}

// updateCustomerRequest is the body of PATCH /customers/{id}; absent fields
// do not change.
type updateCustomerRequest struct {
	Name     *string   `json:"name"`
	Language *string   `json:"language"`
	Notes    *string   `json:"notes"`
	VIP      *bool     `json:"vip"`
	TimeZone *string   `json:"time_zone"`
	Tags     *[]string `json:"tags"`
}

// updateCustomer serves PATCH /customers/{id}.
func (s *server) updateCustomer(w http.ResponseWriter, r *http.Request, _ agent.Agent) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var req updateCustomerRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	c, err := s.customers.Update(r.Context(), id, customer.Update{
		Name:     req.Name,
		Language: req.Language,
		Notes:    req.Notes,
		VIP:      req.VIP,
		TimeZone: req.TimeZone,
		Tags:     req.Tags,
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, toCustomerJSON(c))
	return nil
}

// identityRequest is the body of POST /customers/{id}/identities.
type identityRequest struct {
	Kind  string `json:"kind"`
	Value string `json:"value"`
}

// addIdentity serves POST /customers/{id}/identities. An identity that
// belongs to another customer is a 409 conflict.
func (s *server) addIdentity(w http.ResponseWriter, r *http.Request, _ agent.Agent) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var req identityRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	i, err := s.customers.AddIdentity(r.Context(), id, req.Kind, req.Value)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, toIdentityJSON(i))
	return nil
}
