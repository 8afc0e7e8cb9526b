// Package customer holds the people who contact the business: their
// identities (emails, phones, external ids), language, notes and tags.
package customer

import (
	"context"
	"database/sql"
	"embed"
	"encoding/base64"
	"errors"
	"fmt"
	"net/mail"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/rapport/rapport/internal/i18n"
	"github.com/rapport/rapport/internal/jobs"
	"github.com/rapport/rapport/internal/search"
	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/valid"
)

// Identity kinds.
const (
	Email    = "email"
	Phone    = "phone"
	External = "external"
)

// ErrNotFound is returned (wrapped) for an unknown customer.
var ErrNotFound = store.ErrNotFound

// Identity is one way to recognise a customer.
type Identity struct {
	ID    int64
	Kind  string
	Value string // emails lower-cased, phones as given without spaces
}

// Customer is a person or organisation the business serves.
type Customer struct {
	ID         int64
	Name       string
	Language   string // preferred language, "" if unknown
	Notes      string
	VIP        bool
	TimeZone   string // IANA zone when known (portal, chat, an agent), else ""
	Tags       []string
	Identities []Identity
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// Email returns the customer's first email address, or "".
func (c Customer) Email() string {
	for _, i := range c.Identities {
		if i.Kind == Email {
			return i.Value
		}
	}
	return ""
}

// NewCustomer is what Create needs; at least a name or one identity.
type NewCustomer struct {
	Name        string
	Language    string
	Notes       string
	VIP         bool
	Tags        []string
	Emails      []string
	Phones      []string
	ExternalIDs []string
	// CreatedAt is when the customer first came (zero: now); an import
	// from another help desk keeps the original time.
	CreatedAt time.Time
}

// Update changes the fields that are not nil.
type Update struct {
	Name     *string
	Language *string
	Notes    *string
	VIP      *bool
	TimeZone *string
	Tags     *[]string
}

// ListOptions filters and pages List.
type ListOptions struct {
	Query  string // matches name or any identity, case-insensitive
	Cursor string // from a previous Page
	Limit  int    // default 50, at most 200
}

// Page is one page of customers.
type Page struct {
	Customers  []Customer
	NextCursor string // "" on the last page
}

// Service manages customers.
type Service struct {
	db    *store.DB
	clock jobs.Clock
	q     store.Queries
	// idx is the full-text index: the documents of a customer's tickets
	// hold their name and identities, rewritten when those change.
	idx *search.Index
}

//go:embed queries*.sql
var queriesFS embed.FS

// Field limits.
const (
	MaxName  = 200
	MaxNotes = 10000
	MaxTags  = 30
	MaxTag   = 50
)

// New returns a Service over db.
func New(db *store.DB, clock jobs.Clock) *Service {
	if clock == nil {
		clock = jobs.SystemClock{}
	}
	return &Service{db: db, clock: clock, q: store.MustLoadQueries(queriesFS, db.Dialect), idx: search.New(db)}
}

func (s *Service) now() time.Time { return s.clock.Now().UTC() }

// NormalizeIdentity returns value as stored for kind (emails lower-cased,
// phones without spaces, dots, dashes or brackets), or a message saying
// what is wrong with it.
func NormalizeIdentity(kind, value string) (string, string) {
	value = strings.TrimSpace(value)
	switch kind {
	case Email:
		v := strings.ToLower(value)
		if len(v) > 254 || strings.ContainsAny(v, " \t\r\n<>,;\"") {
			return "", "is not an email address"
		}
		a, err := mail.ParseAddress(v)
		if err != nil || a.Address != v || !strings.Contains(v[strings.LastIndex(v, "@"):], ".") {
			return "", "is not an email address"
		}
		return v, ""
	case Phone:
		var b strings.Builder
		for i, r := range value {
			switch {
			case r >= '0' && r <= '9':
				b.WriteRune(r)
			case r == '+' && i == 0:
				b.WriteRune(r)
			case r == ' ' || r == '-' || r == '.' || r == '(' || r == ')' || r == '/':
			default:
				return "", "is not a phone number"
			}
		}
		v := b.String()
		if digits := strings.TrimPrefix(v, "+"); len(digits) < 3 || len(digits) > 20 {
			return "", "is not a phone number"
		}
		return v, ""
	case External:
		if value == "" || utf8.RuneCountInString(value) > 200 {
			return "", "must be 1 to 200 characters"
		}
		return value, ""
	}
	return "", "must be email, phone or external"
}

// IdentityMessage is NormalizeIdentity's message msg about an identity of
// kind, keyed for the catalogue.
func IdentityMessage(kind, msg string) valid.Message {
	return valid.Message{Key: identityKey(kind), Text: msg}
}

// identityKey is the catalogue key of the message for an identity of kind
// that NormalizeIdentity refused.
func identityKey(kind string) string {
	switch kind {
	case Email:
		return "valid.email"
	case Phone:
		return "valid.phone"
	case External:
		return "valid.too_long" // 1 to 200 characters
	}
	return "valid.choice"
}

func checkLanguage(errs valid.Fields, l string) string {
	l = strings.ToLower(strings.TrimSpace(l))
	if len(l) > 16 || strings.ContainsAny(l, " \t,;") {
		errs.Add("language", valid.Msg("valid.language", "is not a language code"))
	}
	return l
}

// checkZone is the IANA time zone z, trimmed; "" stays unknown.
func checkZone(errs valid.Fields, z string) string {
	z = strings.TrimSpace(z)
	if z == "" {
		return ""
	}
	if _, err := i18n.Zone(z); err != nil {
		errs.Add("time_zone", valid.Msg("valid.time_zone", "is not a time zone (for example Europe/Rome)"))
	}
	return z
}

func checkName(errs valid.Fields, n string) string {
	n = strings.TrimSpace(n)
	if utf8.RuneCountInString(n) > MaxName {
		errs.Add("name", valid.Message{Key: "valid.too_long", Text: fmt.Sprintf("is longer than %d characters", MaxName)})
	}
	return n
}

func checkNotes(errs valid.Fields, n string) string {
	n = strings.TrimSpace(n)
	if utf8.RuneCountInString(n) > MaxNotes {
		errs.Add("notes", valid.Message{Key: "valid.too_long", Text: fmt.Sprintf("is longer than %d characters", MaxNotes)})
	}
	return n
}

func checkTags(errs valid.Fields, tags []string) []string {
	seen := map[string]bool{}
	out := []string{}
	for _, t := range tags {
		t = strings.ToLower(strings.TrimSpace(t))
		if t == "" || seen[t] {
			continue
		}
		if utf8.RuneCountInString(t) > MaxTag || strings.ContainsAny(t, ",\n\t") {
			errs.Add("tags", valid.Message{Key: "valid.tags", Text: fmt.Sprintf("each tag is at most %d characters, without commas", MaxTag)})
			continue
		}
		seen[t] = true
		out = append(out, t)
	}
	if len(out) > MaxTags {
		errs.Add("tags", valid.Message{Key: "valid.tags", Text: fmt.Sprintf("at most %d tags", MaxTags)})
	}
	sort.Strings(out)
	return out
}

// Create adds a customer; an identity that belongs to someone else gives
// store.ErrConflict, invalid fields valid.Fields.
func (s *Service) Create(ctx context.Context, n NewCustomer) (Customer, error) {
	var id int64
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		c, err := s.CreateTx(ctx, tx, n)
		id = c.ID
		return err
	})
	if err != nil {
		return Customer{}, err
	}
	return s.Get(ctx, id)
}

// CreateTx is Create inside the caller's transaction.
func (s *Service) CreateTx(ctx context.Context, tx *sql.Tx, n NewCustomer) (Customer, error) {
	errs := valid.Fields{}
	c := Customer{
		Name:     checkName(errs, n.Name),
		Language: checkLanguage(errs, n.Language),
		Notes:    checkNotes(errs, n.Notes),
		VIP:      n.VIP,
		Tags:     checkTags(errs, n.Tags),
	}
	seen := map[string]bool{}
	add := func(kind, field string, values []string) {
		for _, v := range values {
			norm, msg := NormalizeIdentity(kind, v)
			if msg != "" {
				errs.Add(field, valid.Message{Key: identityKey(kind), Text: fmt.Sprintf("%q %s", v, msg)})
				continue
			}
			if seen[kind+":"+norm] {
				continue
			}
			seen[kind+":"+norm] = true
			c.Identities = append(c.Identities, Identity{Kind: kind, Value: norm})
		}
	}
	add(Email, "emails", n.Emails)
	add(Phone, "phones", n.Phones)
	add(External, "external_ids", n.ExternalIDs)
	if c.Name == "" && len(c.Identities) == 0 && len(errs) == 0 {
		errs.Add("name", valid.Msg("valid.customer_name", "give a name or at least one email, phone or external id"))
	}
	if err := errs.Err(); err != nil {
		return Customer{}, err
	}
	now := s.now()
	if !n.CreatedAt.IsZero() {
		now = n.CreatedAt.UTC()
	}
	c.CreatedAt, c.UpdatedAt = now, now
	if err := tx.QueryRowContext(ctx, s.q.Get("insert-customer"), c.Name, c.Language, c.Notes, c.VIP,
		store.Millis(now)).Scan(&c.ID); err != nil {
		return Customer{}, fmt.Errorf("customer: create: %w", err)
	}
	for i := range c.Identities {
		id, err := s.insertIdentity(ctx, tx, c.ID, c.Identities[i].Kind, c.Identities[i].Value, now)
		if err != nil {
			return Customer{}, err
		}
		c.Identities[i].ID = id
	}
	// A new customer has no tags yet to replace.
	if len(c.Tags) > 0 {
		if err := s.setTags(ctx, tx, c.ID, c.Tags); err != nil {
			return Customer{}, err
		}
	}
	return c, nil
}

func (s *Service) insertIdentity(ctx context.Context, tx *sql.Tx, customerID int64, kind, value string, now time.Time) (int64, error) {
	var id int64
	err := tx.QueryRowContext(ctx, s.q.Get("insert-identity"), customerID, kind, value, store.Millis(now)).Scan(&id)
	if store.IsUniqueViolation(err) {
		return 0, fmt.Errorf("customer: %s %s belongs to another customer: %w", kind, value, store.ErrConflict)
	}
	if err != nil {
		return 0, fmt.Errorf("customer: add %s: %w", kind, err)
	}
	return id, nil
}

func (s *Service) setTags(ctx context.Context, tx *sql.Tx, id int64, tags []string) error {
	if _, err := tx.ExecContext(ctx, s.q.Get("clear-tags"), id); err != nil {
		return fmt.Errorf("customer: tags of %d: %w", id, err)
	}
	for _, t := range tags {
		if _, err := tx.ExecContext(ctx, s.q.Get("add-tag"), id, t); err != nil {
			return fmt.Errorf("customer: tags of %d: %w", id, err)
		}
	}
	return nil
}

type scanner interface{ Scan(...any) error }

func scanCustomer(sc scanner, extra ...any) (Customer, error) {
	var c Customer
	var created, updated int64
	if err := sc.Scan(append([]any{&c.ID, &c.Name, &c.Language, &c.Notes, &c.VIP, &c.TimeZone, &created, &updated}, extra...)...); err != nil {
		return Customer{}, err
	}
	c.CreatedAt, c.UpdatedAt = store.Time(created), store.Time(updated)
	c.Tags, c.Identities = []string{}, []Identity{}
	return c, nil
}

// querier is what both *sql.DB and *sql.Tx offer.
type querier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// Get returns customer id with identities and tags.
func (s *Service) Get(ctx context.Context, id int64) (Customer, error) {
	return s.get(ctx, s.db.R, id)
}

func (s *Service) get(ctx context.Context, q querier, id int64) (Customer, error) {
	c, err := scanCustomer(q.QueryRowContext(ctx, s.q.Get("get-customer"), id))
	if errors.Is(err, sql.ErrNoRows) {
		return Customer{}, fmt.Errorf("customer %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return Customer{}, fmt.Errorf("customer: get %d: %w", id, err)
	}
	if err := s.loadDetails(ctx, q, &c); err != nil {
		return Customer{}, err
	}
	return c, nil
}

func (s *Service) loadDetails(ctx context.Context, q querier, c *Customer) error {
	rows, err := q.QueryContext(ctx, s.q.Get("identities"), c.ID)
	if err != nil {
		return fmt.Errorf("customer: identities of %d: %w", c.ID, err)
	}
	for rows.Next() {
		var i Identity
		if err := rows.Scan(&i.ID, &i.Kind, &i.Value); err != nil {
			rows.Close()
			return err
		}
		c.Identities = append(c.Identities, i)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	rows, err = q.QueryContext(ctx, s.q.Get("tags"), c.ID)
	if err != nil {
		return fmt.Errorf("customer: tags of %d: %w", c.ID, err)
	}
	defer rows.Close()
	for rows.Next() {
		var t string
		if err := rows.Scan(&t); err != nil {
			return err
		}
		c.Tags = append(c.Tags, t)
	}
	return rows.Err()
}

// FindByIdentity returns the customer with that identity.
func (s *Service) FindByIdentity(ctx context.Context, kind, value string) (Customer, error) {
	norm, msg := NormalizeIdentity(kind, value)
	if msg != "" {
		return Customer{}, fmt.Errorf("customer: %s %q: %w", kind, value, ErrNotFound)
	}
	var id int64
	err := s.db.R.QueryRowContext(ctx, s.q.Get("find-by-identity"), kind, norm).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return Customer{}, fmt.Errorf("customer: %s %s: %w", kind, norm, ErrNotFound)
	}
	if err != nil {
		return Customer{}, fmt.Errorf("customer: find %s: %w", kind, err)
	}
	return s.Get(ctx, id)
}

// EnsureByEmailTx returns the customer with email, creating one named name
// (inside tx) when there is none.
func (s *Service) EnsureByEmailTx(ctx context.Context, tx *sql.Tx, email, name string) (Customer, error) {
	return s.EnsureByIdentityTx(ctx, tx, Email, email, name)
}

// EnsureByIdentityTx returns the customer with the identity kind/value,
// creating one named name (inside tx) when there is none. An invalid value
// gives valid.Fields keyed by the kind.
func (s *Service) EnsureByIdentityTx(ctx context.Context, tx *sql.Tx, kind, value, name string) (Customer, error) {
	id, c, err := s.ensure(ctx, tx, kind, value, name)
	if err != nil || c.ID != 0 {
		return c, err
	}
	return s.get(ctx, tx, id)
}

// EnsureIDByEmailTx is EnsureByEmailTx for a caller that needs only the
// customer's id (a new ticket): an existing customer is not read.
func (s *Service) EnsureIDByEmailTx(ctx context.Context, tx *sql.Tx, email, name string) (int64, error) {
	id, _, err := s.ensure(ctx, tx, Email, email, name)
	return id, err
}

// ensure finds or creates the customer with the identity kind/value and
// returns its id, and the customer too when it read or made it whole (a
// new one); an existing one it only finds, c.ID 0.
func (s *Service) ensure(ctx context.Context, tx *sql.Tx, kind, value, name string) (id int64, c Customer, err error) {
	norm, msg := NormalizeIdentity(kind, value)
	if msg != "" {
		return 0, Customer{}, valid.Field(kind, valid.Message{Key: identityKey(kind), Text: msg})
	}
	err = tx.QueryRowContext(ctx, s.q.Get("find-by-identity"), kind, norm).Scan(&id)
	switch {
	case err == nil:
		return id, Customer{}, nil
	case errors.Is(err, sql.ErrNoRows):
	default:
		return 0, Customer{}, fmt.Errorf("customer: find %s: %w", kind, err)
	}
	n := NewCustomer{Name: name}
	switch kind {
	case Email:
		n.Emails = []string{norm}
	case Phone:
		n.Phones = []string{norm}
	default:
		n.ExternalIDs = []string{norm}
	}
	if utf8.RuneCountInString(n.Name) > MaxName {
		n.Name = string([]rune(n.Name)[:MaxName])
	}
	// Two changes may bring the same new customer at once (two tickets
	// from one new address). The second's identity insert waits for the
	// first and then breaks the identity's uniqueness; the savepoint lets
	// it drop its half-made customer and take the first one's instead of
	// failing. SQLite runs one writing transaction at a time, so the find
	// above has seen every committed identity and no other is pending:
	// there the savepoint (and the copies of the pages it changes) is
	// spared.
	if s.db.Dialect == store.SQLite {
		c, err := s.CreateTx(ctx, tx, n)
		return c.ID, c, err
	}
	if _, err := tx.ExecContext(ctx, s.q.Get("savepoint-ensure")); err != nil {
		return 0, Customer{}, fmt.Errorf("customer: ensure %s: %w", kind, err)
	}
	c, err = s.CreateTx(ctx, tx, n)
	if errors.Is(err, store.ErrConflict) {
		if _, err := tx.ExecContext(ctx, s.q.Get("rollback-ensure")); err != nil {
			return 0, Customer{}, fmt.Errorf("customer: ensure %s: %w", kind, err)
		}
		if err := tx.QueryRowContext(ctx, s.q.Get("find-by-identity"), kind, norm).Scan(&id); err != nil {
			return 0, Customer{}, fmt.Errorf("customer: find %s after a conflict: %w", kind, err)
		}
		c, err = Customer{}, nil
	}
	if err != nil {
		return 0, Customer{}, err
	}
	if _, err := tx.ExecContext(ctx, s.q.Get("release-ensure")); err != nil {
		return 0, Customer{}, fmt.Errorf("customer: ensure %s: %w", kind, err)
	}
	if c.ID != 0 {
		id = c.ID
	}
	return id, c, nil
}

// listCursor is where a page of List ends: the last customer's sort key.
type listCursor struct {
	name string
	id   int64
}

func (c listCursor) encode() string {
	return base64.RawURLEncoding.EncodeToString([]byte(strconv.FormatInt(c.id, 10) + ":" + c.name))
}

func decodeListCursor(s string) (listCursor, bool) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return listCursor{}, false
	}
	idStr, name, ok := strings.Cut(string(b), ":")
	id, err := strconv.ParseInt(idStr, 10, 64)
	if !ok || err != nil || id < 0 {
		return listCursor{}, false
	}
	return listCursor{name: name, id: id}, true
}

// likePattern escapes s for LIKE ... ESCAPE '\' and wraps it in %.
func likePattern(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return "%" + r.Replace(strings.ToLower(s)) + "%"
}

// List returns customers by name, paged by cursor.
func (s *Service) List(ctx context.Context, o ListOptions) (Page, error) {
	limit := o.Limit
	if limit <= 0 {
		limit = 50
	}
	if limit > 200 {
		return Page{}, valid.Field("limit", valid.Msg("valid.invalid", "must be an integer from 1 to 200"))
	}
	cur := listCursor{name: "", id: 0}
	if o.Cursor != "" {
		c, ok := decodeListCursor(o.Cursor)
		if !ok {
			return Page{}, valid.Field("cursor", valid.Msg("valid.cursor", "is not a cursor from a previous page"))
		}
		cur = c
	}
	var rows *sql.Rows
	var err error
	if q := strings.TrimSpace(o.Query); q != "" {
		rows, err = s.db.R.QueryContext(ctx, s.q.Get("search-customers"), cur.name, cur.id, limit+1, likePattern(q))
	} else {
		rows, err = s.db.R.QueryContext(ctx, s.q.Get("list-customers"), cur.name, cur.id, limit+1)
	}
	if err != nil {
		return Page{}, fmt.Errorf("customer: list: %w", err)
	}
	var out []Customer
	var keys []string
	for rows.Next() {
		var key string
		c, err := scanCustomer(rows, &key)
		if err != nil {
			rows.Close()
			return Page{}, fmt.Errorf("customer: list: %w", err)
		}
		out = append(out, c)
		keys = append(keys, key)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return Page{}, fmt.Errorf("customer: list: %w", err)
	}
	p := Page{Customers: []Customer{}}
	if len(out) > limit {
		out = out[:limit]
		// The cursor holds the database's own lower(name): SQLite and
		// PostgreSQL lower-case non-ASCII letters differently from Go.
		p.NextCursor = listCursor{name: keys[limit-1], id: out[limit-1].ID}.encode()
	}
	for i := range out {
		if err := s.loadDetails(ctx, s.db.R, &out[i]); err != nil {
			return Page{}, err
		}
	}
	p.Customers = append(p.Customers, out...)
	return p, nil
}

// Update changes a customer.
func (s *Service) Update(ctx context.Context, id int64, u Update) (Customer, error) {
	c, err := s.Get(ctx, id)
	if err != nil {
		return Customer{}, err
	}
	errs := valid.Fields{}
	if u.Name != nil {
		c.Name = checkName(errs, *u.Name)
		if c.Name == "" && len(c.Identities) == 0 {
			errs.Add("name", valid.Msg("valid.customer_name", "is required for a customer without email, phone or external id"))
		}
	}
	if u.Language != nil {
		c.Language = checkLanguage(errs, *u.Language)
	}
	if u.Notes != nil {
		c.Notes = checkNotes(errs, *u.Notes)
	}
	if u.VIP != nil {
		c.VIP = *u.VIP
	}
	if u.TimeZone != nil {
		c.TimeZone = checkZone(errs, *u.TimeZone)
	}
	if u.Tags != nil {
		c.Tags = checkTags(errs, *u.Tags)
	}
	if err := errs.Err(); err != nil {
		return Customer{}, err
	}
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, s.q.Get("update-customer"), id, c.Name, c.Language, c.Notes, c.VIP,
			store.Millis(s.now()), c.TimeZone); err != nil {
			return fmt.Errorf("customer: update %d: %w", id, err)
		}
		if u.Tags != nil {
			if err := s.setTags(ctx, tx, id, c.Tags); err != nil {
				return err
			}
		}
		if u.Name != nil {
			return s.idx.IndexCustomer(ctx, tx, id)
		}
		return nil
	})
	if err != nil {
		return Customer{}, err
	}
	return s.Get(ctx, id)
}

// AddIdentity gives the customer another identity.
func (s *Service) AddIdentity(ctx context.Context, id int64, kind, value string) (Identity, error) {
	norm, msg := NormalizeIdentity(kind, value)
	if msg != "" {
		field := "value"
		if kind != Email && kind != Phone && kind != External {
			field = "kind"
		}
		return Identity{}, valid.Field(field, valid.Message{Key: identityKey(kind), Text: msg})
	}
	if _, err := s.Get(ctx, id); err != nil {
		return Identity{}, err
	}
	var out Identity
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		now := s.now()
		iid, err := s.insertIdentity(ctx, tx, id, kind, norm, now)
		if err != nil {
			return err
		}
		out = Identity{ID: iid, Kind: kind, Value: norm}
		if _, err = tx.ExecContext(ctx, s.q.Get("touch-customer"), id, store.Millis(now)); err != nil {
			return err
		}
		return s.idx.IndexCustomer(ctx, tx, id)
	})
	if err != nil {
		return Identity{}, err
	}
	return out, nil
}

// RemoveIdentity deletes one of the customer's identities.
func (s *Service) RemoveIdentity(ctx context.Context, id, identityID int64) error {
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.q.Get("delete-identity"), identityID, id)
		if err != nil {
			return fmt.Errorf("customer: remove identity %d: %w", identityID, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("customer %d identity %d: %w", id, identityID, ErrNotFound)
		}
		if _, err = tx.ExecContext(ctx, s.q.Get("touch-customer"), id, store.Millis(s.now())); err != nil {
			return err
		}
		return s.idx.IndexCustomer(ctx, tx, id)
	})
}

// LockTx locks customer id until tx ends, for a change that writes the
// customer after locking one of its tickets: taken first, it keeps the
// lock order of the ticket service (customer, then ticket).
func (s *Service) LockTx(ctx context.Context, tx *sql.Tx, id int64) error {
	var got int64
	err := tx.QueryRowContext(ctx, s.q.Get("lock-customer"), id).Scan(&got)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return ErrNotFound
	case err != nil:
		return fmt.Errorf("customer: lock %d: %w", id, err)
	}
	return nil
}

// SetLanguageTx sets customer id's preferred language inside tx: an agent
// corrected the language of one of its tickets. The caller holds the
// customer's lock (LockTx) when it also holds a ticket's.
func (s *Service) SetLanguageTx(ctx context.Context, tx *sql.Tx, id int64, lang string) error {
	errs := valid.Fields{}
	lang = checkLanguage(errs, lang)
	if err := errs.Err(); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, s.q.Get("set-customer-language"), id, lang, store.Millis(s.now())); err != nil {
		return fmt.Errorf("customer: set the language of %d: %w", id, err)
	}
	return nil
}
