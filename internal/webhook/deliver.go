package webhook

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/rapport/rapport/internal/jobs"
	"github.com/rapport/rapport/internal/notify"
	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/ticket"
)

// ticketEvents maps the ticket service's event types to webhook event
// types. A status change to open that is a reopening comes as its own
// status_changed event too.
var ticketEvents = map[string]string{
	ticket.EventCreated:       TicketCreated,
	ticket.EventCustomerMsg:   TicketMessage,
	ticket.EventReplied:       TicketMessage,
	ticket.EventNoted:         TicketNote,
	ticket.EventStatus:        TicketStatus,
	ticket.EventAssigned:      TicketAssigned,
	ticket.EventTransferred:   TicketTransferred,
	"sla_at_risk":             SLAAtRisk,   // sla.EventAtRisk (sla imports ticket; this package does not import sla)
	"sla_breached":            SLABreached, // sla.EventBreached
	ticket.EventRecommitted:   RecommitConfirmed,
	ticket.EventPromiseBroken: PromiseBroken,
	ticket.EventFixConfirmed:  FollowUpFixConfirms,
}

// Subscriber is the after-commit ticket subscriber that queues one
// webhook.event job per event of a change that a webhook type matches.
// It queues nothing when no webhook is active, read in the change's
// transaction.
func (s *Service) Subscriber() ticket.Subscriber {
	return ticket.Subscriber{Name: "webhook", After: s.ticketChanged}
}

func (s *Service) ticketChanged(ctx context.Context, out ticket.Outbox, t ticket.TimerTicket, events []ticket.TimerEvent) error {
	var wanted []eventPayload
	for _, ev := range events {
		typ, ok := ticketEvents[ev.Type]
		if !ok {
			continue
		}
		wanted = append(wanted, eventPayload{MessageID: newMessageID(), Type: typ, At: store.Millis(s.o.Clock.Now()),
			TicketID: t.ID, Data: ev.Data})
	}
	if len(wanted) == 0 {
		return nil
	}
	active, err := readActive(out.QueryContext(ctx, s.q.Get("active-webhooks")))
	if err != nil {
		return fmt.Errorf("webhook: %w", err)
	}
	subscribed := map[string]bool{}
	for _, a := range active {
		for _, e := range a.events {
			subscribed[e] = true
		}
	}
	for _, p := range wanted {
		if !subscribed[p.Type] {
			continue
		}
		b, err := json.Marshal(p)
		if err != nil {
			return fmt.Errorf("webhook: %w", err)
		}
		if err := out.Enqueue(jobs.Job{Kind: JobEvent, Payload: b}); err != nil {
			return fmt.Errorf("webhook: %w", err)
		}
	}
	return nil
}

// fanOut runs webhook.event: the event's body, built once with the
// ticket as it is now, and a delivery per webhook subscribed to its type.
func (s *Service) fanOut(ctx context.Context, raw json.RawMessage) error {
	var p eventPayload
	if err := json.Unmarshal(raw, &p); err != nil || p.Type == "" || p.MessageID == "" {
		return fmt.Errorf("%w: webhook event payload %s", jobs.ErrPermanent, raw)
	}
	data := map[string]any{}
	for k, v := range p.Data {
		data[k] = v
	}
	if p.TicketID != 0 {
		tk, err := s.ticketSummary(ctx, p.TicketID)
		if err != nil {
			return err
		}
		data["ticket"] = tk
	}
	body, err := json.Marshal(envelope{Type: p.Type, Timestamp: time.UnixMilli(p.At).UTC().Format(time.RFC3339), Data: data})
	if err != nil {
		return fmt.Errorf("%w: webhook event: %v", jobs.ErrPermanent, err)
	}
	active, err := readActive(s.o.DB.R.QueryContext(ctx, s.q.Get("active-webhooks")))
	if err != nil {
		return err
	}
	var ids []int64
	for _, a := range active {
		if slices.Contains(a.events, p.Type) {
			ids = append(ids, a.id)
		}
	}
	return s.o.DB.Tx(ctx, func(tx *sql.Tx) error {
		for _, id := range ids {
			// A fan-out run again (its node died after this transaction
			// committed but before the job was marked done) must not
			// send the event twice.
			var n int
			if err := tx.QueryRowContext(ctx, s.q.Get("delivery-for-message"), id, p.MessageID).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				continue
			}
			if _, err := s.queueDelivery(ctx, tx, id, p.MessageID, p.Type, string(body)); err != nil {
				return err
			}
		}
		return nil
	})
}

// activeHook is an active webhook and the event types it subscribes to.
type activeHook struct {
	id     int64
	events []string
}

// readActive reads the rows of "active-webhooks".
func readActive(rows *sql.Rows, err error) ([]activeHook, error) {
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []activeHook
	for rows.Next() {
		var a activeHook
		var evs string
		if err := rows.Scan(&a.id, &evs); err != nil {
			return nil, err
		}
		a.events = strings.Fields(evs)
		out = append(out, a)
	}
	return out, rows.Err()
}

// ticketSummary is what an event says of its ticket; a ticket deleted
// since is only its id.
func (s *Service) ticketSummary(ctx context.Context, id int64) (map[string]any, error) {
	var subject, status, channel, language, priority string
	var tid, owner, team, customer int64
	err := s.o.DB.R.QueryRowContext(ctx, s.q.Get("webhook-ticket"), id).Scan(&tid, &subject, &status, &channel,
		&language, &priority, &owner, &team, &customer)
	if errors.Is(err, sql.ErrNoRows) {
		return map[string]any{"id": id}, nil
	}
	if err != nil {
		return nil, err
	}
	return map[string]any{"id": tid, "subject": subject, "status": status, "channel": channel, "language": language,
		"priority": priority, "owner_id": owner, "team_id": team, "customer_id": customer}, nil
}

// Request is one delivery attempt as sent.
type Request struct {
	URL       string
	MessageID string
	Timestamp int64 // Unix seconds
	Signature string
	Body      []byte
}

// deliver runs webhook.deliver: one attempt. A failed attempt is recorded
// and retried by the queue with its backoff; the MaxAttempts-th ends the
// delivery failed, and DisableAfter failed deliveries in a row switch the
// webhook off and tell the admins.
func (s *Service) deliver(ctx context.Context, raw json.RawMessage) error {
	var p deliverPayload
	if err := json.Unmarshal(raw, &p); err != nil || p.DeliveryID <= 0 {
		return fmt.Errorf("%w: webhook deliver payload %s", jobs.ErrPermanent, raw)
	}
	d, err := scanDelivery(s.o.DB.R.QueryRowContext(ctx, s.q.Get("get-delivery"), p.DeliveryID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil // the webhook was deleted
	}
	if err != nil {
		return err
	}
	if d.Status != "pending" {
		return nil
	}
	w, err := s.Get(ctx, d.WebhookID)
	if errors.Is(err, ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	now := s.o.Clock.Now()
	if !w.Active && d.EventType != Ping {
		return s.attempted(ctx, d, w, now, 0, "the webhook is switched off", "failed")
	}
	ts := now.Unix()
	sig, err := Sign(w.Secret, d.MessageID, ts, []byte(d.Payload))
	if err != nil {
		return s.attempted(ctx, d, w, now, 0, err.Error(), "failed")
	}
	code, sendErr := s.o.Send(ctx, Request{URL: w.URL, MessageID: d.MessageID, Timestamp: ts, Signature: sig, Body: []byte(d.Payload)})
	if sendErr == nil && code >= 200 && code < 300 {
		return s.attempted(ctx, d, w, now, code, "", "delivered")
	}
	msg := fmt.Sprintf("HTTP %d", code)
	if sendErr != nil {
		msg = sendErr.Error()
	}
	status := "pending"
	if d.Attempts+1 >= MaxAttempts {
		status = "failed"
	}
	if err := s.attempted(ctx, d, w, now, code, msg, status); err != nil {
		return err
	}
	if status == "failed" {
		return nil
	}
	return fmt.Errorf("webhook %d: delivery %d: %s", w.ID, d.ID, msg) // the queue retries with backoff
}

// attempted records an attempt, and what a delivered or failed one means
// for its webhook, in one transaction.
func (s *Service) attempted(ctx context.Context, d Delivery, w Webhook, now time.Time, code int, msg, status string) error {
	if len(msg) > 500 {
		msg = msg[:500]
	}
	return s.o.DB.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.q.Get("delivery-attempted"), d.ID, code, msg, store.Millis(now), status)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil // another worker finished it
		}
		switch status {
		case "delivered":
			_, err = tx.ExecContext(ctx, s.q.Get("webhook-delivered"), w.ID)
			return err
		case "failed":
			if d.EventType == Ping {
				return nil
			}
			var failing, active int
			if err := tx.QueryRowContext(ctx, s.q.Get("webhook-failed"), w.ID).Scan(&failing, &active); err != nil {
				return err
			}
			if failing < DisableAfter || active == 0 {
				return nil
			}
			reason := fmt.Sprintf("%d deliveries in a row failed; the last: %s", failing, msg)
			if _, err := tx.ExecContext(ctx, s.q.Get("disable-webhook"), w.ID, reason, store.Millis(now)); err != nil {
				return err
			}
			s.o.Log.Warn("webhook switched off", "webhook_id", w.ID, "failing", failing)
			return s.tellAdmins(ctx, tx, now, w, reason)
		}
		return nil
	})
}

// tellAdmins notifies every active admin that webhook w was switched off.
func (s *Service) tellAdmins(ctx context.Context, tx *sql.Tx, now time.Time, w Webhook, reason string) error {
	if s.o.Notify == nil {
		return nil
	}
	admins, err := store.Int64s(tx.QueryContext(ctx, s.q.Get("webhook-admins")))
	if err != nil {
		return err
	}
	for _, id := range admins {
		if err := s.o.Notify.Add(ctx, tx, now, notify.Note{AgentID: id, Kind: NotifyDisabled,
			Data: map[string]any{"url": w.URL, "webhook_id": w.ID, "reason": reason}}); err != nil {
			return err
		}
	}
	return nil
}
