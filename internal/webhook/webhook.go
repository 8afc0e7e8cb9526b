// Package webhook sends Rapport's events to other systems: subscriptions
// per event type, each delivery signed in the Standard Webhooks format
// (webhook-id, webhook-timestamp, webhook-signature: HMAC-SHA256), carried
// by the durable job queue with retries and backoff, a delivery log with
// replay, and a webhook that keeps failing switched off with a notice to
// the admins.
//
// Events reach it from the ticket service's after-commit subscriber list
// (Subscriber): a change queues one webhook.event job per event, in the
// change's transaction; its handler writes a delivery row per subscribed
// webhook and queues webhook.deliver for each, in one transaction; so an
// event of a committed change is delivered, after a crash too, and one of
// a change that rolled back never is.
package webhook

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"embed"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/rapport/rapport/internal/audit"
	"github.com/rapport/rapport/internal/jobs"
	"github.com/rapport/rapport/internal/notify"
	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/valid"
)

// ErrNotFound is a webhook or delivery that does not exist.
var ErrNotFound = store.ErrNotFound

// Event types a webhook can subscribe to.
const (
	TicketCreated       = "ticket.created"
	TicketMessage       = "ticket.message_added" // a customer's message or an agent's public reply
	TicketNote          = "ticket.note_added"
	TicketStatus        = "ticket.status_changed"
	TicketAssigned      = "ticket.assigned"
	TicketTransferred   = "ticket.transferred"
	SLAAtRisk           = "sla.at_risk"
	SLABreached         = "sla.breached"
	RecommitConfirmed   = "recommitment.confirmed"
	PromiseBroken       = "promise.broken"
	FollowUpFixConfirms = "followup.fix_confirmed"
	Ping                = "webhook.ping" // sent by "Send a test event", never subscribed to
)

// Events lists the event types a webhook can subscribe to, in the order
// the pages show them.
var Events = []string{TicketCreated, TicketMessage, TicketNote, TicketStatus, TicketAssigned, TicketTransferred,
	SLAAtRisk, SLABreached, RecommitConfirmed, PromiseBroken, FollowUpFixConfirms}

// Job kinds.
const (
	JobEvent   = "webhook.event"   // fan an event out to the webhooks subscribed to it
	JobDeliver = "webhook.deliver" // one delivery's attempt
)

// MaxAttempts is how often a delivery is tried before it is failed.
const MaxAttempts = 8

// DisableAfter is how many deliveries in a row may end failed before the
// webhook is switched off.
const DisableAfter = 5

// NotifyDisabled is the notification kind telling admins that a webhook
// was switched off; data: url, reason.
const NotifyDisabled = "webhook_disabled"

// Limits of a webhook's fields, in characters.
const (
	MaxURL         = 2000
	MaxDescription = 200
)

// Webhook is one subscription.
type Webhook struct {
	ID             int64
	URL            string
	Description    string
	Events         []string
	Secret         string // "whsec_" and base64; shown to admins, never logged
	Active         bool
	Failing        int // deliveries failed in a row
	DisabledReason string
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

// Input is a webhook as an admin writes it.
type Input struct {
	URL         string
	Description string
	Events      []string
	Active      bool
}

// Delivery is one event sent, or to be sent, to one webhook.
type Delivery struct {
	ID            int64
	WebhookID     int64
	MessageID     string
	EventType     string
	Payload       string
	Status        string // pending, delivered, failed
	Attempts      int
	ResponseCode  int
	Error         string
	CreatedAt     time.Time
	LastAttemptAt time.Time // zero before the first attempt
	DeliveredAt   time.Time // zero unless delivered
}

// Notifier tells agents (the admins) of a webhook switched off.
type Notifier interface {
	Add(ctx context.Context, tx *sql.Tx, now time.Time, n notify.Note) error
}

// Opts configures New.
type Opts struct {
	DB     *store.DB
	Jobs   *jobs.Queue
	Clock  jobs.Clock
	Log    *slog.Logger
	Notify Notifier // may be nil in tests
	// Send posts one delivery; nil is the HTTP client of client.go.
	Send func(ctx context.Context, r Request) (status int, err error)
}

// Service keeps webhooks and delivers their events.
type Service struct {
	o     Opts
	q     store.Queries
	audit *audit.Log // admins' changes, recorded in their transaction
}

//go:embed queries.sql
var queriesFS embed.FS

// New returns a Service and registers its job handlers.
func New(o Opts) *Service {
	if o.Clock == nil {
		o.Clock = jobs.SystemClock{}
	}
	if o.Log == nil {
		o.Log = slog.Default()
	}
	if o.Send == nil {
		o.Send = newClient().send
	}
	s := &Service{o: o, q: store.MustLoadQueries(queriesFS, o.DB.Dialect), audit: audit.New(o.DB, o.Clock)}
	if o.Jobs != nil {
		o.Jobs.Handle(JobEvent, s.fanOut)
		o.Jobs.Handle(JobDeliver, s.deliver)
	}
	return s
}

// NewSecret returns a new signing secret: "whsec_" and 32 random bytes in
// base64.
func NewSecret() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return "whsec_" + base64.StdEncoding.EncodeToString(b)
}

// Sign returns the webhook-signature header's value for a message: "v1,"
// and the base64 HMAC-SHA256 of "id.timestamp.body" under the secret's key.
func Sign(secret, msgID string, ts int64, body []byte) (string, error) {
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, "whsec_"))
	if err != nil || len(key) == 0 {
		return "", fmt.Errorf("webhook: the secret is not whsec_ and base64")
	}
	m := hmac.New(sha256.New, key)
	fmt.Fprintf(m, "%s.%d.", msgID, ts)
	m.Write(body)
	return "v1," + base64.StdEncoding.EncodeToString(m.Sum(nil)), nil
}

// Verify checks a webhook-signature header (one or more space-separated
// "v1,sig" values) against a message, as a receiver does.
func Verify(secret, msgID string, ts int64, body []byte, header string) bool {
	want, err := Sign(secret, msgID, ts, body)
	if err != nil {
		return false
	}
	for _, sig := range strings.Fields(header) {
		if hmac.Equal([]byte(sig), []byte(want)) {
			return true
		}
	}
	return false
}

// check trims in and returns it with what is wrong with it.
func check(in Input) (Input, error) {
	in.URL = strings.TrimSpace(in.URL)
	in.Description = strings.TrimSpace(in.Description)
	errs := valid.Fields{}
	u, err := url.Parse(in.URL)
	switch {
	case in.URL == "":
		errs.Add("url", valid.Msg("valid.required", "is required"))
	case utf8.RuneCountInString(in.URL) > MaxURL:
		errs.Add("url", valid.Msg("valid.longer_than", "is longer than %d characters", MaxURL))
	case err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil:
		errs.Add("url", valid.Msg("webhook.bad_url", "must be an http or https address without a user name"))
	}
	if utf8.RuneCountInString(in.Description) > MaxDescription {
		errs.Add("description", valid.Msg("valid.longer_than", "is longer than %d characters", MaxDescription))
	}
	var evs []string
	for _, e := range in.Events {
		e = strings.TrimSpace(e)
		switch {
		case e == "":
		case !slices.Contains(Events, e):
			errs.Add("events", valid.Msg("webhook.unknown_event", "has an unknown event type: %s", e))
		case !slices.Contains(evs, e):
			evs = append(evs, e)
		}
	}
	if _, bad := errs["events"]; len(evs) == 0 && !bad {
		errs.Add("events", valid.Msg("webhook.no_events", "needs at least one event type"))
	}
	slices.SortFunc(evs, func(a, b string) int { return slices.Index(Events, a) - slices.Index(Events, b) })
	in.Events = evs
	return in, errs.Err()
}

func scanWebhook(sc interface{ Scan(...any) error }) (Webhook, error) {
	var w Webhook
	var events string
	var active int
	var created, updated int64
	err := sc.Scan(&w.ID, &w.URL, &w.Description, &events, &w.Secret, &active, &w.Failing, &w.DisabledReason, &created, &updated)
	w.Events, w.Active = strings.Fields(events), active == 1
	w.CreatedAt, w.UpdatedAt = store.Time(created), store.Time(updated)
	return w, err
}

func scanDelivery(sc interface{ Scan(...any) error }) (Delivery, error) {
	var d Delivery
	var created, last, delivered int64
	err := sc.Scan(&d.ID, &d.WebhookID, &d.MessageID, &d.EventType, &d.Payload, &d.Status, &d.Attempts,
		&d.ResponseCode, &d.Error, &created, &last, &delivered)
	d.CreatedAt = store.Time(created)
	if last != 0 {
		d.LastAttemptAt = store.Time(last)
	}
	if delivered != 0 {
		d.DeliveredAt = store.Time(delivered)
	}
	return d, err
}

// List returns every webhook.
func (s *Service) List(ctx context.Context) ([]Webhook, error) {
	rows, err := s.o.DB.R.QueryContext(ctx, s.q.Get("list-webhooks"))
	if err != nil {
		return nil, fmt.Errorf("webhook: list: %w", err)
	}
	defer rows.Close()
	out := []Webhook{}
	for rows.Next() {
		w, err := scanWebhook(rows)
		if err != nil {
			return nil, fmt.Errorf("webhook: list: %w", err)
		}
		out = append(out, w)
	}
	return out, rows.Err()
}

// Get returns webhook id, or ErrNotFound.
func (s *Service) Get(ctx context.Context, id int64) (Webhook, error) {
	w, err := scanWebhook(s.o.DB.R.QueryRowContext(ctx, s.q.Get("get-webhook"), id))
	if errors.Is(err, sql.ErrNoRows) {
		return Webhook{}, fmt.Errorf("webhook %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return Webhook{}, fmt.Errorf("webhook %d: %w", id, err)
	}
	return w, nil
}

// Create adds a webhook with a new secret.
func (s *Service) Create(ctx context.Context, in Input) (Webhook, error) {
	in, err := check(in)
	if err != nil {
		return Webhook{}, err
	}
	var id int64
	now := store.Millis(s.o.Clock.Now())
	err = s.o.DB.Tx(ctx, func(tx *sql.Tx) error {
		if err := tx.QueryRowContext(ctx, s.q.Get("insert-webhook"), in.URL, in.Description,
			strings.Join(in.Events, " "), NewSecret(), boolInt(in.Active), now).Scan(&id); err != nil {
			return err
		}
		return s.audit.RecordTx(ctx, tx, audit.Entry{Action: "webhook.create", TargetKind: "webhook", TargetID: audit.ID(id),
			After: auditView(in)})
	})
	if err != nil {
		return Webhook{}, fmt.Errorf("webhook: create: %w", err)
	}
	return s.Get(ctx, id)
}

// Update changes webhook id. Switching a webhook on clears its failures.
func (s *Service) Update(ctx context.Context, id int64, in Input) (Webhook, error) {
	in, err := check(in)
	if err != nil {
		return Webhook{}, err
	}
	old, err := s.Get(ctx, id)
	if err != nil {
		return Webhook{}, err
	}
	err = s.o.DB.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.q.Get("update-webhook"), id, in.URL, in.Description,
			strings.Join(in.Events, " "), boolInt(in.Active), store.Millis(s.o.Clock.Now()))
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrNotFound
		}
		return s.audit.RecordTx(ctx, tx, audit.Entry{Action: "webhook.update", TargetKind: "webhook", TargetID: audit.ID(id),
			Before: auditView(Input{URL: old.URL, Description: old.Description, Events: old.Events, Active: old.Active}), After: auditView(in)})
	})
	if err != nil {
		return Webhook{}, fmt.Errorf("webhook %d: update: %w", id, err)
	}
	return s.Get(ctx, id)
}

// RotateSecret gives webhook id a new secret.
func (s *Service) RotateSecret(ctx context.Context, id int64) (Webhook, error) {
	err := s.o.DB.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.q.Get("rotate-webhook-secret"), id, NewSecret(), store.Millis(s.o.Clock.Now()))
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrNotFound
		}
		return s.audit.RecordTx(ctx, tx, audit.Entry{Action: "webhook.rotate_secret", TargetKind: "webhook", TargetID: audit.ID(id)})
	})
	if err != nil {
		return Webhook{}, fmt.Errorf("webhook %d: rotate: %w", id, err)
	}
	return s.Get(ctx, id)
}

// Delete removes webhook id and its deliveries.
func (s *Service) Delete(ctx context.Context, id int64) error {
	old, err := s.Get(ctx, id)
	if err != nil {
		return err
	}
	err = s.o.DB.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.q.Get("delete-webhook"), id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrNotFound
		}
		return s.audit.RecordTx(ctx, tx, audit.Entry{Action: "webhook.delete", TargetKind: "webhook", TargetID: audit.ID(id),
			Before: auditView(Input{URL: old.URL, Description: old.Description, Events: old.Events, Active: old.Active})})
	})
	if err != nil {
		return fmt.Errorf("webhook %d: delete: %w", id, err)
	}
	return nil
}

// Deliveries returns webhook id's deliveries, newest first, before the
// delivery id before (0: the newest), at most limit.
func (s *Service) Deliveries(ctx context.Context, id, before int64, limit int) ([]Delivery, error) {
	if limit <= 0 || limit > 200 {
		limit = 50
	}
	rows, err := s.o.DB.R.QueryContext(ctx, s.q.Get("list-deliveries"), id, before, limit)
	if err != nil {
		return nil, fmt.Errorf("webhook %d: deliveries: %w", id, err)
	}
	defer rows.Close()
	out := []Delivery{}
	for rows.Next() {
		d, err := scanDelivery(rows)
		if err != nil {
			return nil, fmt.Errorf("webhook %d: deliveries: %w", id, err)
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// Delivery returns delivery id of webhook webhookID, or ErrNotFound.
func (s *Service) Delivery(ctx context.Context, webhookID, id int64) (Delivery, error) {
	d, err := scanDelivery(s.o.DB.R.QueryRowContext(ctx, s.q.Get("get-delivery"), id))
	if errors.Is(err, sql.ErrNoRows) || (err == nil && d.WebhookID != webhookID) {
		return Delivery{}, fmt.Errorf("webhook delivery %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return Delivery{}, fmt.Errorf("webhook delivery %d: %w", id, err)
	}
	return d, nil
}

// Replay sends delivery id's event to its webhook again, as a new delivery
// with the same webhook-id (so a receiver that has it can drop it).
func (s *Service) Replay(ctx context.Context, webhookID, id int64) (Delivery, error) {
	d, err := s.Delivery(ctx, webhookID, id)
	if err != nil {
		return Delivery{}, err
	}
	var newID int64
	err = s.o.DB.Tx(ctx, func(tx *sql.Tx) error {
		newID, err = s.queueDelivery(ctx, tx, webhookID, d.MessageID, d.EventType, d.Payload)
		return err
	})
	if err != nil {
		return Delivery{}, fmt.Errorf("webhook delivery %d: replay: %w", id, err)
	}
	return s.Delivery(ctx, webhookID, newID)
}

// Ping queues a webhook.ping event to webhook id, whatever it subscribes to.
func (s *Service) Ping(ctx context.Context, id int64) (Delivery, error) {
	if _, err := s.Get(ctx, id); err != nil {
		return Delivery{}, err
	}
	now := s.o.Clock.Now()
	msgID := newMessageID()
	body, err := json.Marshal(envelope{Type: Ping, Timestamp: now.UTC().Format(time.RFC3339), Data: map[string]any{"webhook_id": id}})
	if err != nil {
		return Delivery{}, err
	}
	var newID int64
	err = s.o.DB.Tx(ctx, func(tx *sql.Tx) error {
		newID, err = s.queueDelivery(ctx, tx, id, msgID, Ping, string(body))
		return err
	})
	if err != nil {
		return Delivery{}, fmt.Errorf("webhook %d: ping: %w", id, err)
	}
	return s.Delivery(ctx, id, newID)
}

// queueDelivery writes a pending delivery and queues its first attempt.
func (s *Service) queueDelivery(ctx context.Context, tx *sql.Tx, webhookID int64, msgID, typ, payload string) (int64, error) {
	var id int64
	if err := tx.QueryRowContext(ctx, s.q.Get("insert-delivery"), webhookID, msgID, typ, payload,
		store.Millis(s.o.Clock.Now())).Scan(&id); err != nil {
		return 0, err
	}
	p, _ := json.Marshal(deliverPayload{DeliveryID: id})
	return id, s.o.Jobs.Enqueue(ctx, tx, jobs.Job{Kind: JobDeliver, Payload: p, MaxAttempts: MaxAttempts + 2})
}

// envelope is the JSON body of every delivery.
type envelope struct {
	Type      string         `json:"type"`
	Timestamp string         `json:"timestamp"`
	Data      map[string]any `json:"data"`
}

// eventPayload is a webhook.event job's payload: one event to fan out.
type eventPayload struct {
	MessageID string         `json:"message_id"`
	Type      string         `json:"type"`
	At        int64          `json:"at"`
	TicketID  int64          `json:"ticket_id,omitempty"`
	Data      map[string]any `json:"data,omitempty"`
}

// deliverPayload is a webhook.deliver job's payload.
type deliverPayload struct {
	DeliveryID int64 `json:"delivery_id"`
}

func newMessageID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return "msg_" + base64.RawURLEncoding.EncodeToString(b)
}

// auditView is what the audit log keeps of a webhook: never its secret.
func auditView(in Input) map[string]any {
	return map[string]any{"url": in.URL, "description": in.Description, "events": in.Events, "active": in.Active}
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
