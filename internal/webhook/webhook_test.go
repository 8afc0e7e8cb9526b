package webhook_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/rapport/rapport/internal/agent"
	"github.com/rapport/rapport/internal/customer"
	"github.com/rapport/rapport/internal/jobs"
	"github.com/rapport/rapport/internal/notify"
	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/store/storetest"
	"github.com/rapport/rapport/internal/ticket"
	"github.com/rapport/rapport/internal/valid"
	"github.com/rapport/rapport/internal/webhook"
)

// receiver is a local HTTP endpoint that records what it is sent and
// answers with status.
type receiver struct {
	mu     sync.Mutex
	status int
	got    []received
	srv    *httptest.Server
}

type received struct {
	id, sig string
	ts      int64
	body    []byte
}

func newReceiver(t *testing.T) *receiver {
	rc := &receiver{status: http.StatusNoContent}
	rc.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		ts, _ := strconv.ParseInt(r.Header.Get("webhook-timestamp"), 10, 64)
		rc.mu.Lock()
		defer rc.mu.Unlock()
		rc.got = append(rc.got, received{id: r.Header.Get("webhook-id"), sig: r.Header.Get("webhook-signature"), ts: ts, body: body})
		w.WriteHeader(rc.status)
	}))
	t.Cleanup(rc.srv.Close)
	return rc
}

func (rc *receiver) received() []received {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]received(nil), rc.got...)
}

func (rc *receiver) answer(status int) {
	rc.mu.Lock()
	rc.status = status
	rc.mu.Unlock()
}

type fixture struct {
	clock   *jobs.FakeClock
	q       *jobs.Queue
	tickets *ticket.Service
	hooks   *webhook.Service
	agents  *agent.Service
	notes   *notify.Service
}

func newFixture(t *testing.T, db *store.DB) *fixture {
	clock := jobs.NewFakeClock(time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC))
	log := slog.New(slog.DiscardHandler)
	q := jobs.New(db, clock, log)
	notes := notify.New(notify.Opts{DB: db, Jobs: q, Clock: clock, Log: log})
	tickets := ticket.NewService(ticket.Opts{DB: db, Clock: clock, Jobs: q, Customers: customer.New(db, clock), Log: log})
	hooks := webhook.New(webhook.Opts{DB: db, Jobs: q, Clock: clock, Log: log, Notify: notes})
	if err := tickets.Subscribe(hooks.Subscriber()); err != nil {
		t.Fatal(err)
	}
	return &fixture{clock: clock, q: q, tickets: tickets, hooks: hooks, agents: agent.New(db, clock), notes: notes}
}

// run runs every due job, moving the clock past each retry's backoff
// up to n times.
func (f *fixture) run(t *testing.T, n int) {
	t.Helper()
	for range n {
		for {
			k, err := f.q.RunDue(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if k == 0 {
				break
			}
		}
		f.clock.Advance(2 * time.Hour)
	}
}

func (f *fixture) newTicket(t *testing.T, subject string) ticket.Ticket {
	t.Helper()
	tk, err := f.tickets.Create(context.Background(), ticket.SystemActor, ticket.NewTicket{Subject: subject, Body: "The parcel has not arrived.",
		Channel: "email", CustomerEmail: "mia@example.com", CustomerName: "Mia Rossi"})
	if err != nil {
		t.Fatal(err)
	}
	return tk
}

// TestDeliveredSigned: a ticket created while a webhook subscribes to
// ticket.created reaches the receiver once, signed so that the receiver's
// check with the secret passes and a forged body fails.
func TestDeliveredSigned(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		rc := newReceiver(t)
		w, err := f.hooks.Create(ctx, webhook.Input{URL: rc.srv.URL + "/hook", Events: []string{webhook.TicketCreated}, Active: true})
		if err != nil {
			t.Fatal(err)
		}
		tk := f.newTicket(t, "Parcel missing")
		f.run(t, 3)
		got := rc.received()
		if len(got) != 1 {
			t.Fatalf("%d deliveries, want 1", len(got))
		}
		if !webhook.Verify(w.Secret, got[0].id, got[0].ts, got[0].body, got[0].sig) {
			t.Errorf("signature %q does not verify", got[0].sig)
		}
		if webhook.Verify(w.Secret, got[0].id, got[0].ts, append(got[0].body, ' '), got[0].sig) {
			t.Error("a changed body verifies")
		}
		var env struct {
			Type string `json:"type"`
			Data struct {
				Ticket struct {
					ID      int64  `json:"id"`
					Subject string `json:"subject"`
				} `json:"ticket"`
			} `json:"data"`
		}
		if err := json.Unmarshal(got[0].body, &env); err != nil {
			t.Fatal(err)
		}
		if env.Type != webhook.TicketCreated || env.Data.Ticket.ID != tk.ID || env.Data.Ticket.Subject != "Parcel missing" {
			t.Errorf("body %s", got[0].body)
		}
		ds, err := f.hooks.Deliveries(ctx, w.ID, 0, 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(ds) != 1 || ds[0].Status != "delivered" || ds[0].ResponseCode != http.StatusNoContent || ds[0].Attempts != 1 {
			t.Fatalf("deliveries %+v", ds)
		}
		// A replay sends the same message again, with the same webhook-id.
		if _, err := f.hooks.Replay(ctx, w.ID, ds[0].ID); err != nil {
			t.Fatal(err)
		}
		f.run(t, 1)
		if got := rc.received(); len(got) != 2 || got[1].id != got[0].id || string(got[1].body) != string(got[0].body) {
			t.Fatalf("replay: %d deliveries", len(got))
		}
		// An event type nobody subscribes to sends nothing.
		if _, err := f.tickets.Reply(ctx, ticket.SystemActor, tk.ID, "We are on it.", ""); err != nil {
			t.Logf("reply: %v", err)
		}
		f.run(t, 2)
		if got := rc.received(); len(got) != 2 {
			t.Fatalf("%d deliveries after an unsubscribed event, want 2", len(got))
		}
	})
}

// TestRetriedThenSwitchedOff: a receiver that answers 500 gets each
// delivery MaxAttempts times, then the delivery fails; DisableAfter failed
// deliveries in a row switch the webhook off and notify the admins; a
// receiver back up gets a retried delivery.
func TestRetriedThenSwitchedOff(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		admin, err := f.agents.Create(ctx, agent.NewAgent{Email: "ada@example.com", Name: "Ada Admin", Role: agent.RoleAdmin, Password: "correct horse battery"})
		if err != nil {
			t.Fatal(err)
		}
		rc := newReceiver(t)
		rc.answer(http.StatusInternalServerError)
		w, err := f.hooks.Create(ctx, webhook.Input{URL: rc.srv.URL, Events: []string{webhook.TicketCreated}, Active: true})
		if err != nil {
			t.Fatal(err)
		}
		// First: one failure, then the receiver recovers and the retry delivers.
		f.newTicket(t, "First")
		if _, err := f.q.RunDue(ctx); err != nil { // fan out
			t.Fatal(err)
		}
		if _, err := f.q.RunDue(ctx); err != nil { // first attempt: 500
			t.Fatal(err)
		}
		rc.answer(http.StatusOK)
		f.run(t, 3)
		ds, _ := f.hooks.Deliveries(ctx, w.ID, 0, 10)
		if len(ds) != 1 || ds[0].Status != "delivered" || ds[0].Attempts != 2 {
			t.Fatalf("after a retry: %+v", ds)
		}
		rc.answer(http.StatusInternalServerError)
		for i := range webhook.DisableAfter {
			f.newTicket(t, "Ticket "+strconv.Itoa(i))
			f.run(t, webhook.MaxAttempts+3)
		}
		ds, _ = f.hooks.Deliveries(ctx, w.ID, 0, 50)
		for _, d := range ds[:webhook.DisableAfter] {
			if d.Status != "failed" || d.Attempts != webhook.MaxAttempts || d.Error != "HTTP 500" {
				t.Errorf("delivery %+v, want failed after %d attempts", d, webhook.MaxAttempts)
			}
		}
		got, err := f.hooks.Get(ctx, w.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Active || got.DisabledReason == "" {
			t.Fatalf("webhook %+v, want switched off with a reason", got)
		}
		var n int
		if err := db.R.QueryRowContext(ctx, `SELECT COUNT(*) FROM notifications WHERE agent_id = $1 AND kind = $2`,
			admin.ID, webhook.NotifyDisabled).Scan(&n); err != nil || n != 1 {
			t.Fatalf("admin notifications %d, %v; want 1", n, err)
		}
		// Switched off: new events are not queued for it.
		before := len(rc.received())
		f.newTicket(t, "After")
		f.run(t, 3)
		if len(rc.received()) != before {
			t.Error("a switched-off webhook was sent an event")
		}
		// Switched on again: failures cleared.
		in := webhook.Input{URL: got.URL, Events: got.Events, Active: true}
		if got, err = f.hooks.Update(ctx, w.ID, in); err != nil || !got.Active || got.Failing != 0 || got.DisabledReason != "" {
			t.Fatalf("switched on: %+v, %v", got, err)
		}
	})
}

// TestInputChecked: a bad address or event type is refused with keyed
// errors and nothing is written; unknown ids are ErrNotFound.
func TestInputChecked(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		tests := []struct {
			name, field string
			in          webhook.Input
		}{
			{"no address", "url", webhook.Input{Events: []string{webhook.TicketCreated}}},
			{"ftp", "url", webhook.Input{URL: "ftp://example.com/x", Events: []string{webhook.TicketCreated}}},
			{"user in address", "url", webhook.Input{URL: "https://u:p@example.com/x", Events: []string{webhook.TicketCreated}}},
			{"no events", "events", webhook.Input{URL: "https://example.com/x"}},
			{"unknown event", "events", webhook.Input{URL: "https://example.com/x", Events: []string{"ticket.exploded"}}},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				_, err := f.hooks.Create(ctx, tc.in)
				var fields valid.Fields
				if !errors.As(err, &fields) {
					t.Fatalf("error %v, want validation", err)
				}
				if _, ok := fields[tc.field]; !ok {
					t.Fatalf("errors %v, want one on %s", fields, tc.field)
				}
			})
		}
		if ws, _ := f.hooks.List(ctx); len(ws) != 0 {
			t.Fatalf("%d webhooks written", len(ws))
		}
		if _, err := f.hooks.Get(ctx, 99); !errors.Is(err, webhook.ErrNotFound) {
			t.Errorf("Get(99) = %v", err)
		}
		if _, err := f.hooks.Replay(ctx, 1, 99); !errors.Is(err, webhook.ErrNotFound) {
			t.Errorf("Replay = %v", err)
		}
	})
}

// TestSign: the signature of a known message under a known key, as the
// Standard Webhooks format defines it (HMAC-SHA256 of "id.timestamp.body").
func TestSign(t *testing.T) {
	// Key: 32 bytes of 0x01, base64.
	secret := "whsec_AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE="
	sig, err := webhook.Sign(secret, "msg_1", 1700000000, []byte(`{"a":1}`))
	if err != nil {
		t.Fatal(err)
	}
	if len(sig) < 4 || sig[:3] != "v1," {
		t.Fatalf("signature %q", sig)
	}
	if !webhook.Verify(secret, "msg_1", 1700000000, []byte(`{"a":1}`), "v1,other "+sig) {
		t.Error("a header with two signatures, one right, does not verify")
	}
	if webhook.Verify(secret, "msg_1", 1700000001, []byte(`{"a":1}`), sig) {
		t.Error("another timestamp verifies")
	}
	if _, err := webhook.Sign("whsec_!!", "m", 1, nil); err == nil {
		t.Error("a bad secret signs")
	}
}

// TestFanOutRunTwice: a webhook.event job run a second time (its node died
// after the fan-out committed but before the job was marked done) queues no
// second delivery, so the receiver gets the event once.
func TestFanOutRunTwice(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		rc := newReceiver(t)
		w, err := f.hooks.Create(ctx, webhook.Input{URL: rc.srv.URL + "/hook", Events: []string{webhook.TicketCreated}, Active: true})
		if err != nil {
			t.Fatal(err)
		}
		f.newTicket(t, "Parcel missing")
		f.run(t, 2)
		var payload string
		if err := db.R.QueryRowContext(ctx, "SELECT payload FROM jobs WHERE kind = $1", webhook.JobEvent).Scan(&payload); err != nil {
			t.Fatal(err)
		}
		if err := db.Tx(ctx, func(tx *sql.Tx) error {
			return f.q.Enqueue(ctx, tx, jobs.Job{Kind: webhook.JobEvent, Payload: json.RawMessage(payload)})
		}); err != nil {
			t.Fatal(err)
		}
		f.run(t, 2)
		ds, err := f.hooks.Deliveries(ctx, w.ID, 0, 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(ds) != 1 || ds[0].Status != "delivered" {
			t.Fatalf("deliveries %+v, want one delivered", ds)
		}
		if got := rc.received(); len(got) != 1 {
			t.Fatalf("the receiver got %d requests, want 1", len(got))
		}
	})
}
