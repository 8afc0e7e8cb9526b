package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"strings"
	"time"

	"github.com/rapport/rapport/internal/agent"
	"github.com/rapport/rapport/internal/clv"
	"github.com/rapport/rapport/internal/purchases"
	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/valid"
)

// errNoPurchases answers the purchase routes of a server built without
// the purchases and lifetime-value services.
var errNoPurchases = &apiError{status: http.StatusServiceUnavailable, code: "unavailable",
	message: "purchases are not enabled on this server"}

// amountJSON is an amount as a client sends it: a JSON string ("19.90") or
// number (19.9), kept as its decimal text so that no float rounding
// happens on the way to minor units.
type amountJSON string

// UnmarshalJSON accepts a string or a number.
func (a *amountJSON) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*a = amountJSON(s)
		return nil
	}
	if string(b) == "null" {
		return nil
	}
	var n json.Number
	if err := json.Unmarshal(b, &n); err != nil {
		kind := "an object"
		switch {
		case len(b) > 0 && (b[0] == 't' || b[0] == 'f'):
			kind = "a boolean"
		case len(b) > 0 && b[0] == '[':
			kind = "an array"
		}
		return &json.UnmarshalTypeError{Value: kind, Type: reflect.TypeFor[float64]()}
	}
	*a = amountJSON(n.String())
	return nil
}

// purchaseIn is one purchase in a request body. The customer is named by
// customer_id, external_id, email or phone.
type purchaseIn struct {
	CustomerID   int64      `json:"customer_id"`
	ExternalID   string     `json:"external_id"`
	Email        string     `json:"email"`
	Phone        string     `json:"phone"`
	CustomerName string     `json:"customer_name"`
	PurchasedAt  string     `json:"purchased_at"`
	Amount       amountJSON `json:"amount"`
	Currency     string     `json:"currency"`
	Reference    string     `json:"reference"`
	Channel      string     `json:"channel"`
	ReferralCode string     `json:"referral_code"`
}

// purchasesRequest is the body of POST /purchases and of the webhook: one
// purchase, or several in "purchases".
type purchasesRequest struct {
	purchaseIn
	Purchases       []purchaseIn `json:"purchases"`
	CreateCustomers *bool        `json:"create_customers"`
}

// batch returns the purchases of the request and whether it was a batch.
func (r purchasesRequest) batch() ([]purchaseIn, bool, error) {
	if r.Purchases == nil {
		return []purchaseIn{r.purchaseIn}, false, nil
	}
	if r.purchaseIn != (purchaseIn{}) {
		return nil, true, valid.Errors{"purchases": "send either one purchase or a purchases array, not both"}
	}
	if len(r.Purchases) == 0 {
		return nil, true, valid.Errors{"purchases": "give at least one purchase"}
	}
	if len(r.Purchases) > maxBatch {
		return nil, true, valid.Errors{"purchases": fmt.Sprintf("at most %d purchases a request", maxBatch)}
	}
	return r.Purchases, true, nil
}

// maxBatch is the most purchases one request may carry.
const maxBatch = 1000

// parseTime reads a purchase time: RFC 3339, or a date (midnight UTC).
func parseTime(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t.UTC(), true
	}
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t, true
	}
	return time.Time{}, false
}

// toNew converts the request's purchases, collecting field errors keyed
// like the store's ("purchases[i].field", or "field" for one purchase).
func toNew(in []purchaseIn, isBatch bool) ([]purchases.NewPurchase, error) {
	errs := valid.Errors{}
	out := make([]purchases.NewPurchase, len(in))
	for i, p := range in {
		out[i] = purchases.NewPurchase{
			Customer: purchases.CustomerRef{ID: p.CustomerID, ExternalID: p.ExternalID, Email: p.Email, Phone: p.Phone,
				Name: p.CustomerName},
			Amount: string(p.Amount), Currency: p.Currency, Reference: p.Reference, Channel: p.Channel,
			ReferralCode: p.ReferralCode,
		}
		field := "purchased_at"
		if isBatch {
			field = fmt.Sprintf("purchases[%d].purchased_at", i)
		}
		switch t, ok := parseTime(p.PurchasedAt); {
		case strings.TrimSpace(p.PurchasedAt) == "":
			errs.Add(field, "is required")
		case !ok:
			errs.Add(field, "must be RFC 3339 (2025-05-01T10:00:00Z) or a date (2025-05-01)")
		default:
			out[i].PurchasedAt = t
		}
	}
	return out, errs.Err()
}

// purchaseJSON is a purchase as the API shows it.
type purchaseJSON struct {
	ID          int64   `json:"id"`
	CustomerID  int64   `json:"customer_id"`
	PurchasedAt *string `json:"purchased_at"`
	Amount      string  `json:"amount"`
	AmountMinor int64   `json:"amount_minor"`
	Currency    string  `json:"currency"`
	Reference   *string `json:"reference"`
	Channel     string  `json:"channel"`
	CreatedAt   *string `json:"created_at"`
}

func toPurchaseJSON(p purchases.Purchase) purchaseJSON {
	var ref *string
	if p.Reference != "" {
		r := p.Reference
		ref = &r
	}
	return purchaseJSON{ID: p.ID, CustomerID: p.CustomerID, PurchasedAt: timeJSON(p.PurchasedAt), Amount: p.Amount.Decimal(),
		AmountMinor: p.Amount.Minor, Currency: p.Amount.Currency, Reference: ref, Channel: p.Channel, CreatedAt: timeJSON(p.CreatedAt)}
}

// addedJSON is one purchase of a POST answer: created false means it was
// already stored (same customer and reference) and nothing changed.
type addedJSON struct {
	purchaseJSON
	Created         bool `json:"created"`
	CustomerCreated bool `json:"customer_created"`
}

func toAddedJSON(a purchases.Added) addedJSON {
	return addedJSON{purchaseJSON: toPurchaseJSON(a.Purchase), Created: a.Created, CustomerCreated: a.CustomerCreated}
}

// addPurchases stores the purchases of body: one answered as an object,
// several as {"data": [...]}; 201 when anything was created, else 200.
func (s *server) addPurchases(ctx context.Context, w http.ResponseWriter, req purchasesRequest, o purchases.AddOpts, needReference bool) error {
	in, isBatch, err := req.batch()
	if err != nil {
		return err
	}
	if needReference {
		errs := valid.Errors{}
		for i, p := range in {
			if strings.TrimSpace(p.Reference) == "" {
				field := "reference"
				if isBatch {
					field = fmt.Sprintf("purchases[%d].reference", i)
				}
				errs.Add(field, "is required, so that a repeated delivery is recognised")
			}
		}
		if err := errs.Err(); err != nil {
			return err
		}
	}
	// A bad time is reported together with what the store finds wrong
	// with the rest: the store sees it as missing.
	ns, timeErr := toNew(in, isBatch)
	if req.CreateCustomers != nil {
		o.CreateCustomers = *req.CreateCustomers
	}
	var added []purchases.Added
	if isBatch {
		added, err = s.purchases.AddBatch(ctx, ns, o)
	} else {
		var a purchases.Added
		a, err = s.purchases.Add(ctx, ns[0], o)
		added = []purchases.Added{a}
	}
	if timeErr != nil {
		var ve valid.Errors
		if errors.As(err, &ve) {
			for k, v := range timeErr.(valid.Errors) {
				ve[k] = v
			}
			return ve
		}
		return timeErr
	}
	if err != nil {
		return err
	}
	status := http.StatusOK
	for _, a := range added {
		if a.Created {
			status = http.StatusCreated
		}
	}
	if !isBatch {
		writeJSON(w, status, toAddedJSON(added[0]))
		return nil
	}
	writeJSON(w, status, struct {
		Data []addedJSON `json:"data"`
	}{Data: newList(added, toAddedJSON, "").Data})
	return nil
}

// createPurchases serves POST /purchases.
func (s *server) createPurchases(w http.ResponseWriter, r *http.Request, _ agent.Agent) error {
	if !s.purchasesOn() {
		return errNoPurchases
	}
	var req purchasesRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	return s.addPurchases(r.Context(), w, req, purchases.AddOpts{Channel: "api"}, false)
}

// customerPurchasesJSON is the answer of GET /customers/{id}/purchases.
type customerPurchasesJSON struct {
	Data       []purchaseJSON `json:"data"`
	NextCursor string         `json:"next_cursor"`
	Summary    summaryJSON    `json:"summary"`
}

// summaryJSON is what the customer's purchases add up to.
type summaryJSON struct {
	Count         int          `json:"count"`
	Totals        []moneyJSON  `json:"totals"`
	Frequency     int          `json:"frequency"`
	FirstAt       *string      `json:"first_at"`
	LastAt        *string      `json:"last_at"`
	DaysSinceLast *int         `json:"days_since_last"`
	Value         *clvJSON     `json:"lifetime_value"`
	ChurnRisk     *float64     `json:"churn_risk"`
	Standing      string       `json:"standing"`
	ChurnReasons  []reasonJSON `json:"churn_reasons"`
}

type moneyJSON struct {
	Amount   string `json:"amount"`
	Currency string `json:"currency"`
}

// clvJSON is the lifetime-value model's view of the customer.
type clvJSON struct {
	ExpectedValue     float64 `json:"expected_value"`
	Currency          string  `json:"currency"`
	HorizonDays       int     `json:"horizon_days"`
	ExpectedPurchases float64 `json:"expected_purchases"`
	PAlive            float64 `json:"p_alive"`
	Regular           bool    `json:"regular"`
	UpdatedAt         *string `json:"updated_at"`
}

type reasonJSON struct {
	Feature      string  `json:"feature"`
	Contribution float64 `json:"contribution"`
}

// purchasesOn reports whether the purchase routes are served.
func (s *server) purchasesOn() bool { return s.purchases != nil && s.values != nil }

// customerPurchases serves GET /customers/{id}/purchases?cursor=&limit=.
func (s *server) customerPurchases(w http.ResponseWriter, r *http.Request, _ agent.Agent) error {
	if !s.purchasesOn() {
		return errNoPurchases
	}
	id, err := pathID(r)
	if err != nil {
		return err
	}
	q := newQuery(r)
	limit := q.limit(500)
	if limit == 0 {
		limit = 50
	}
	var after *purchases.Cursor
	if c := q.str("cursor"); c != "" {
		cur, ok := purchases.DecodeCursor(c)
		if !ok {
			q.errs.Add("cursor", valid.Msg("valid.cursor", "is not a cursor from a previous page"))
		}
		after = &cur
	}
	if err := q.err(); err != nil {
		return err
	}
	ctx := r.Context()
	if _, err := s.customers.Get(ctx, id); err != nil {
		return err
	}
	list, next, err := s.purchases.Purchases(ctx, id, after, limit)
	if err != nil {
		return err
	}
	sum, err := s.purchases.Summary(ctx, id)
	if err != nil {
		return err
	}
	standing, err := s.values.Standing(ctx, id)
	if err != nil {
		return err
	}
	var value *clv.CustomerValue
	switch v, err := s.values.Value(ctx, id); {
	case err == nil:
		value = &v
	case !errors.Is(err, store.ErrNotFound):
		return err
	}
	out := customerPurchasesJSON{Data: newList(list, toPurchaseJSON, "").Data}
	if next != nil {
		out.NextCursor = next.Encode()
	}
	out.Summary = summaryJSON{Count: sum.Count, Totals: []moneyJSON{}, Frequency: sum.Frequency, FirstAt: timeJSON(sum.First),
		LastAt: timeJSON(sum.Last), Standing: standing, ChurnReasons: []reasonJSON{}}
	for _, m := range sum.Totals {
		out.Summary.Totals = append(out.Summary.Totals, moneyJSON{Amount: m.Decimal(), Currency: m.Currency})
	}
	if sum.DaysSinceLast >= 0 {
		d := sum.DaysSinceLast
		out.Summary.DaysSinceLast = &d
	}
	if v := value; v != nil {
		out.Summary.Value = &clvJSON{ExpectedValue: v.ExpectedValue, Currency: v.Currency, HorizonDays: v.HorizonDays,
			ExpectedPurchases: v.ExpectedPurchases, PAlive: v.PAlive, Regular: v.Regular, UpdatedAt: timeJSON(v.UpdatedAt)}
		out.Summary.ChurnRisk = v.ChurnRisk
		for _, c := range v.ChurnReasons {
			out.Summary.ChurnReasons = append(out.Summary.ChurnReasons, reasonJSON(c))
		}
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}
