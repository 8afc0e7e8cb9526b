// Package purchases keeps what customers bought: purchases added one by
// one or in batches (the API and the signed purchases hook), imported from
// CSV files, listed a page at a time and summed up per customer. The
// lifetime-value and churn models read them.
package purchases

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/rapport/rapport/internal/customer"
	"github.com/rapport/rapport/internal/jobs"
	"github.com/rapport/rapport/internal/metrics"
	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/valid"
)

//go:embed queries.sql
var queriesFS embed.FS

// Opts are the dependencies of a Service.
type Opts struct {
	DB *store.DB
	// Customers finds the customer of a purchase by identity, and creates
	// one when asked to.
	Customers *customer.Service
	Clock     jobs.Clock
	// Zone is the business's time zone, the one its metrics count days in
	// (metrics.Service.Zone): purchase days are its calendar days. Nil
	// counts UTC days.
	Zone func(context.Context) (*time.Location, error)
}

// Service keeps what customers bought.
type Service struct {
	o Opts
	q store.Queries
}

// New returns a Service.
func New(o Opts) (*Service, error) {
	if o.DB == nil || o.Customers == nil {
		return nil, errors.New("purchases: DB and Customers are required")
	}
	if o.Clock == nil {
		o.Clock = jobs.SystemClock{}
	}
	return &Service{o: o, q: store.MustLoadQueries(queriesFS, o.DB.Dialect)}, nil
}

func (s *Service) now() time.Time { return s.o.Clock.Now().UTC() }

// zone is the business's time zone, UTC without Opts.Zone.
func (s *Service) zone(ctx context.Context) (*time.Location, error) {
	if s.o.Zone == nil {
		return time.UTC, nil
	}
	loc, err := s.o.Zone(ctx)
	if err != nil {
		return nil, err
	}
	if loc == nil {
		return time.UTC, nil
	}
	return loc, nil
}

// Purchase is one thing a customer bought.
type Purchase struct {
	ID          int64
	CustomerID  int64
	PurchasedAt time.Time
	Amount      Money
	Reference   string // "" when the source gave none
	Channel     string
	CreatedAt   time.Time
}

// CustomerRef names the customer of a purchase: by id, or by one of their
// identities (external id first, then email, then phone). Name is used
// when a new customer is created.
type CustomerRef struct {
	ID         int64
	ExternalID string
	Email      string
	Phone      string
	Name       string
}

// NewPurchase is what Add needs. Amount is a decimal with '.' decimals.
type NewPurchase struct {
	Customer    CustomerRef
	PurchasedAt time.Time
	Amount      string
	Currency    string
	Reference   string
	Channel     string
	// ReferralCode, when set, is the referral code of the link the
	// customer came through (a promoter's, from the survey thanks page):
	// its owner is recorded as the customer's referrer, unless the
	// customer has one already. An unknown code is an error.
	ReferralCode string
}

// AddOpts say how Add treats customers it does not know.
type AddOpts struct {
	// CreateCustomers makes a customer for an unknown identity instead of
	// failing.
	CreateCustomers bool
	// Channel is the channel of purchases that name none.
	Channel string
}

// Added is the outcome of adding one purchase.
type Added struct {
	Purchase Purchase
	// Created is false when a purchase with the same customer and
	// reference was already there (a re-import or a retried delivery):
	// Purchase is then the one stored before.
	Created bool
	// CustomerCreated tells that the customer was made for this purchase.
	CustomerCreated bool
}

// Field limits.
const (
	MaxReference = 200
	MaxChannel   = 50
)

// ErrUnknownCustomer is returned (wrapped, inside valid.Errors) when a
// purchase names a customer Rapport does not know.
var ErrUnknownCustomer = errors.New("no such customer")

// checked is a NewPurchase after validation.
type checked struct {
	ref       CustomerRef
	at        time.Time
	amount    Money
	reference string
	channel   string
	referral  string
}

// check validates n; errs gets a message per bad field.
func (s *Service) check(n NewPurchase, o AddOpts, errs valid.Fields) checked {
	c := checked{ref: n.Customer, at: n.PurchasedAt.UTC().Truncate(time.Millisecond)}
	r := &c.ref
	r.ExternalID, r.Email, r.Phone, r.Name = strings.TrimSpace(r.ExternalID), strings.TrimSpace(r.Email),
		strings.TrimSpace(r.Phone), strings.TrimSpace(r.Name)
	if r.ID < 0 || (r.ID == 0 && r.ExternalID == "" && r.Email == "" && r.Phone == "") {
		errs.Add("customer", valid.Msg("valid.customer_ref", "name the customer by customer_id, external_id, email or phone"))
	}
	for _, id := range []struct{ kind, field, value string }{
		{customer.External, "external_id", r.ExternalID}, {customer.Email, "email", r.Email}, {customer.Phone, "phone", r.Phone},
	} {
		if id.value != "" {
			if _, msg := customer.NormalizeIdentity(id.kind, id.value); msg != "" {
				errs.Add(id.field, customer.IdentityMessage(id.kind, msg))
			}
		}
	}
	if utf8.RuneCountInString(r.Name) > customer.MaxName {
		errs.Add("name", valid.Msg("valid.longer_than", "is longer than %d characters", customer.MaxName))
	}
	switch {
	case n.PurchasedAt.IsZero():
		errs.Add("purchased_at", valid.Msg("valid.required", "is required"))
	case n.PurchasedAt.Year() < 1970:
		errs.Add("purchased_at", valid.Msg("valid.date_past", "is before 1970"))
	case n.PurchasedAt.After(s.now().Add(24 * time.Hour)):
		errs.Add("purchased_at", valid.Msg("valid.date_future", "is in the future"))
	}
	m, err := ParseMoney(n.Amount, n.Currency)
	if err != nil {
		field := "amount"
		if _, cerr := ParseCurrency(n.Currency); cerr != nil {
			field = "currency"
		}
		errs.Add(field, MoneyMessage(err))
	}
	c.amount = m
	c.reference = strings.TrimSpace(n.Reference)
	if utf8.RuneCountInString(c.reference) > MaxReference {
		errs.Add("reference", valid.Msg("valid.longer_than", "is longer than %d characters", MaxReference))
	}
	c.referral = strings.TrimSpace(n.ReferralCode)
	if len(c.referral) > 64 {
		errs.Add("referral_code", valid.Msg("valid.referral_code", "no customer has this referral code"))
	}
	c.channel = strings.ToLower(strings.TrimSpace(n.Channel))
	if c.channel == "" {
		c.channel = o.Channel
	}
	if utf8.RuneCountInString(c.channel) > MaxChannel || strings.ContainsAny(c.channel, "\r\n\t") {
		errs.Add("channel", valid.Msg("valid.longer_than", "is at most %d characters on one line", MaxChannel))
	}
	return c
}

// Add records one purchase. The customer is matched by id or identity (and
// created when o.CreateCustomers says so); a purchase whose customer and
// reference are already stored is not added twice.
func (s *Service) Add(ctx context.Context, n NewPurchase, o AddOpts) (Added, error) {
	out, err := s.AddBatch(ctx, []NewPurchase{n}, o)
	if err != nil {
		var ve valid.Fields
		if errors.As(err, &ve) {
			return Added{}, stripIndex(ve)
		}
		return Added{}, err
	}
	return out[0], nil
}

// stripIndex turns the "purchases[0].field" keys of a one-item batch back
// into "field".
func stripIndex(ve valid.Fields) valid.Fields {
	out := valid.Fields{}
	for k, v := range ve {
		out[strings.TrimPrefix(k, "purchases[0].")] = v
	}
	return out
}

// AddBatch records purchases in one transaction: all of them or, when any
// is invalid, none. Field errors are keyed "purchases[i].field".
func (s *Service) AddBatch(ctx context.Context, ns []NewPurchase, o AddOpts) ([]Added, error) {
	if len(ns) == 0 {
		return nil, valid.Field("purchases", valid.Msg("valid.purchase_needed", "give at least one purchase"))
	}
	errs := valid.Fields{}
	cs := make([]checked, len(ns))
	for i, n := range ns {
		fe := valid.Fields{}
		cs[i] = s.check(n, o, fe)
		for k, v := range fe {
			errs[fmt.Sprintf("purchases[%d].%s", i, k)] = v
		}
	}
	if err := errs.Err(); err != nil {
		return nil, err
	}
	var out []Added
	err := s.o.DB.Tx(ctx, func(tx *sql.Tx) error {
		res := newResolver(s, o.CreateCustomers)
		out = make([]Added, 0, len(cs))
		for i, c := range cs {
			a, err := s.insert(ctx, tx, res, c)
			if err != nil {
				var ve valid.Fields
				if errors.As(err, &ve) {
					for k, v := range ve {
						errs[fmt.Sprintf("purchases[%d].%s", i, k)] = v
					}
					continue
				}
				return err
			}
			out = append(out, a)
		}
		return errs.Err()
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// resolver finds (or makes) the customers of one transaction's purchases,
// remembering those it has seen.
type resolver struct {
	s      *Service
	create bool
	seen   map[string]int64
}

func newResolver(s *Service, create bool) *resolver {
	return &resolver{s: s, create: create, seen: map[string]int64{}}
}

// resolve returns the customer id for ref and whether it was created now.
func (r *resolver) resolve(ctx context.Context, tx *sql.Tx, ref CustomerRef) (int64, bool, error) {
	if ref.ID > 0 {
		var one int
		err := tx.QueryRowContext(ctx, r.s.q.Get("customer-exists"), ref.ID).Scan(&one)
		if errors.Is(err, sql.ErrNoRows) {
			return 0, false, valid.Field("customer_id", valid.Message{Key: "valid.no_customer", Text: ErrUnknownCustomer.Error()})
		}
		return ref.ID, false, err
	}
	kind, field, value := customer.External, "external_id", ref.ExternalID
	switch {
	case ref.ExternalID != "":
	case ref.Email != "":
		kind, field, value = customer.Email, "email", ref.Email
	default:
		kind, field, value = customer.Phone, "phone", ref.Phone
	}
	norm, msg := customer.NormalizeIdentity(kind, value)
	if msg != "" {
		return 0, false, valid.Field(field, customer.IdentityMessage(kind, msg))
	}
	key := kind + ":" + norm
	if id, ok := r.seen[key]; ok {
		return id, false, nil
	}
	c, err := r.s.o.Customers.FindByIdentity(ctx, kind, norm)
	switch {
	case err == nil:
		r.seen[key] = c.ID
		return c.ID, false, nil
	case !errors.Is(err, customer.ErrNotFound):
		return 0, false, err
	case !r.create:
		return 0, false, valid.Field(field, valid.Message{Key: "valid.no_customer", Text: fmt.Sprintf("%s: %v", norm, ErrUnknownCustomer)})
	}
	c, err = r.s.o.Customers.EnsureByIdentityTx(ctx, tx, kind, norm, ref.Name)
	if err != nil {
		return 0, false, err
	}
	r.seen[key] = c.ID
	return c.ID, true, nil
}

// insert stores one checked purchase inside tx.
func (s *Service) insert(ctx context.Context, tx *sql.Tx, res *resolver, c checked) (Added, error) {
	cid, created, err := res.resolve(ctx, tx, c.ref)
	if err != nil {
		return Added{}, err
	}
	if c.referral != "" {
		if _, err := s.o.Customers.ReferredByCodeTx(ctx, tx, cid, c.referral); err != nil {
			return Added{}, err
		}
	}
	p := Purchase{CustomerID: cid, PurchasedAt: c.at, Amount: c.amount, Reference: c.reference, Channel: c.channel,
		CreatedAt: s.now().Truncate(time.Millisecond)}
	ref := sql.NullString{String: c.reference, Valid: c.reference != ""}
	err = tx.QueryRowContext(ctx, s.q.Get("insert-purchase"), cid, store.Millis(p.PurchasedAt), p.Amount.Minor,
		p.Amount.Currency, ref, p.Channel, store.Millis(p.CreatedAt)).Scan(&p.ID)
	if errors.Is(err, sql.ErrNoRows) {
		// Already there: the same customer and reference.
		old, err := scanPurchase(tx.QueryRowContext(ctx, s.q.Get("purchase-by-reference"), cid, c.reference))
		if err != nil {
			return Added{}, fmt.Errorf("purchases: purchase %q of %d: %w", c.reference, cid, err)
		}
		return Added{Purchase: old, CustomerCreated: created}, nil
	}
	if err != nil {
		return Added{}, fmt.Errorf("purchases: add purchase: %w", err)
	}
	return Added{Purchase: p, Created: true, CustomerCreated: created}, nil
}

type scanner interface{ Scan(...any) error }

func scanPurchase(sc scanner) (Purchase, error) {
	var p Purchase
	var at, created int64
	var ref sql.NullString
	if err := sc.Scan(&p.ID, &p.CustomerID, &at, &p.Amount.Minor, &p.Amount.Currency, &ref, &p.Channel, &created); err != nil {
		return Purchase{}, err
	}
	p.PurchasedAt, p.CreatedAt, p.Reference = store.Time(at), store.Time(created), ref.String
	return p, nil
}

// Cursor is where a page of Purchases ends.
type Cursor struct {
	At time.Time
	ID int64
}

// Encode writes the cursor for a URL.
func (c Cursor) Encode() string {
	return strconv.FormatInt(store.Millis(c.At), 10) + "." + strconv.FormatInt(c.ID, 10)
}

// DecodeCursor reads a cursor Encode wrote.
func DecodeCursor(s string) (Cursor, bool) {
	a, b, ok := strings.Cut(s, ".")
	at, err1 := strconv.ParseInt(a, 10, 64)
	id, err2 := strconv.ParseInt(b, 10, 64)
	if !ok || err1 != nil || err2 != nil || id <= 0 {
		return Cursor{}, false
	}
	return Cursor{At: store.Time(at), ID: id}, true
}

// Purchases returns the customer's purchases, newest first, after the
// cursor (nil for the first page), at most limit (1 to 500), and the
// cursor of the next page (nil on the last).
func (s *Service) Purchases(ctx context.Context, customerID int64, after *Cursor, limit int) ([]Purchase, *Cursor, error) {
	if limit <= 0 || limit > 500 {
		return nil, nil, valid.Field("limit", valid.Msg("valid.choice", "must be an integer from 1 to 500"))
	}
	at, id := int64(1<<62), int64(1<<62)
	if after != nil {
		at, id = store.Millis(after.At), after.ID
	}
	rows, err := s.o.DB.R.QueryContext(ctx, s.q.Get("customer-purchases"), customerID, at, id, limit+1)
	if err != nil {
		return nil, nil, fmt.Errorf("purchases: purchases of %d: %w", customerID, err)
	}
	defer rows.Close()
	out := []Purchase{}
	for rows.Next() {
		p, err := scanPurchase(rows)
		if err != nil {
			return nil, nil, fmt.Errorf("purchases: purchases of %d: %w", customerID, err)
		}
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, nil, fmt.Errorf("purchases: purchases of %d: %w", customerID, err)
	}
	var next *Cursor
	if len(out) > limit {
		out = out[:limit]
		last := out[limit-1]
		next = &Cursor{At: last.PurchasedAt, ID: last.ID}
	}
	return out, next, nil
}

// Summary is what a customer's purchases add up to.
type Summary struct {
	Count int
	// Totals is the spend per currency, the most used currency first.
	Totals []Money
	// Frequency is the number of repeat purchases as the lifetime-value
	// model counts them: distinct purchase days after the first, days
	// being the business's calendar days (Opts.Zone).
	Frequency int
	First     time.Time // zero without purchases
	Last      time.Time
	// DaysSinceLast is the number of whole days from the last purchase to
	// now; -1 without purchases.
	DaysSinceLast int
}

// Summary adds up customer id's purchases as of now.
func (s *Service) Summary(ctx context.Context, customerID int64) (Summary, error) {
	sum := Summary{DaysSinceLast: -1, Totals: []Money{}}
	rows, err := s.o.DB.R.QueryContext(ctx, s.q.Get("purchase-totals"), customerID)
	if err != nil {
		return sum, fmt.Errorf("purchases: summary of %d: %w", customerID, err)
	}
	defer rows.Close()
	for rows.Next() {
		var m Money
		var n int
		var first, last int64
		if err := rows.Scan(&m.Currency, &n, &m.Minor, &first, &last); err != nil {
			return sum, fmt.Errorf("purchases: summary of %d: %w", customerID, err)
		}
		sum.Count += n
		sum.Totals = append(sum.Totals, m)
		if f := store.Time(first); sum.First.IsZero() || f.Before(sum.First) {
			sum.First = f
		}
		if l := store.Time(last); l.After(sum.Last) {
			sum.Last = l
		}
	}
	if err := rows.Err(); err != nil {
		return sum, fmt.Errorf("purchases: summary of %d: %w", customerID, err)
	}
	rows.Close()
	if sum.Count == 0 {
		return sum, nil
	}
	loc, err := s.zone(ctx)
	if err != nil {
		return sum, fmt.Errorf("purchases: summary of %d: %w", customerID, err)
	}
	days := 0
	drows, err := s.o.DB.R.QueryContext(ctx, s.q.Get("purchase-times"), customerID)
	if err != nil {
		return sum, fmt.Errorf("purchases: summary of %d: %w", customerID, err)
	}
	defer drows.Close()
	prev := int64(math.MinInt64)
	for drows.Next() {
		var at int64
		if err := drows.Scan(&at); err != nil {
			return sum, fmt.Errorf("purchases: summary of %d: %w", customerID, err)
		}
		// In time order, so a new calendar day in the business's zone is
		// a day number larger than the one before.
		if d := metrics.DayOf(store.Time(at), loc); d != prev {
			days++
			prev = d
		}
	}
	if err := drows.Err(); err != nil {
		return sum, fmt.Errorf("purchases: summary of %d: %w", customerID, err)
	}
	sum.Frequency = days - 1
	sum.DaysSinceLast = max(0, int(s.now().Sub(sum.Last).Hours()/24))
	return sum, nil
}
