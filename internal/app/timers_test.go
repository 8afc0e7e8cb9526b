package app

import (
	"bytes"
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rapport/rapport/internal/agent"
	"github.com/rapport/rapport/internal/config"
	"github.com/rapport/rapport/internal/customer"
	"github.com/rapport/rapport/internal/intake"
	"github.com/rapport/rapport/internal/jobs"
	"github.com/rapport/rapport/internal/sla"
	"github.com/rapport/rapport/internal/store/storetest"
	"github.com/rapport/rapport/internal/ticket"
)

// TestTimersEndToEnd runs the whole service set on an injected clock: an
// SLA breach, a broken promise and a follow-up each happen at their time,
// with their events recorded and the notifications sent (in the app and by
// mail), and the customer's answer to the follow-up reopens the ticket with
// its owner.
func TestTimersEndToEnd(t *testing.T) {
	backends := []struct {
		name string
		dsn  func(t *testing.T) string
	}{
		{"sqlite", func(t *testing.T) string { return filepath.Join(t.TempDir(), "timers.db") }},
		{"postgres", func(t *testing.T) string { return storetest.PostgresDSN(t) }},
	}
	for _, be := range backends {
		t.Run(be.name, func(t *testing.T) { timersEndToEnd(t, be.dsn(t)) })
	}
}

func timersEndToEnd(t *testing.T, dsn string) {
	ctx := context.Background()
	dir := t.TempDir()
	cfg := config.Default()
	cfg.DB, cfg.OutboxDir, cfg.AttachmentsDir = dsn, filepath.Join(dir, "outbox"), filepath.Join(dir, "att")
	cfg.SingleNode = true // the outbox folder stands in for a relay on PostgreSQL too
	cfg.Mailboxes, cfg.BusinessName = "support@shop.example", "Aurora"
	clock := jobs.NewFakeClock(time.Date(2025, 3, 10, 9, 0, 0, 0, time.UTC))
	svc, err := openServices(ctx, cfg, slog.New(slog.NewTextHandler(&bytes.Buffer{}, nil)), clock)
	if err != nil {
		t.Fatal(err)
	}
	defer svc.DB.Close()
	run := func() {
		t.Helper()
		if _, err := svc.Jobs.RunDue(ctx); err != nil {
			t.Fatal(err)
		}
	}
	outbox := func() []string {
		t.Helper()
		entries, _ := os.ReadDir(cfg.OutboxDir)
		var subjects []string
		for _, e := range entries {
			if strings.HasPrefix(e.Name(), ".") {
				continue
			}
			data, _ := os.ReadFile(filepath.Join(cfg.OutboxDir, e.Name()))
			for _, line := range strings.Split(string(data), "\r\n") {
				if strings.HasPrefix(line, "Subject: ") {
					subjects = append(subjects, strings.TrimPrefix(line, "Subject: "))
				}
			}
		}
		return subjects
	}
	events := func(id int64, typ string) int {
		t.Helper()
		evs, err := svc.Tickets.Events(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, e := range evs {
			if e.Type == typ {
				n++
			}
		}
		return n
	}
	al, err := svc.Agents.Create(ctx, agent.NewAgent{Email: "al@shop.example", Name: "Al Agent", Role: agent.RoleAgent, Password: "long enough", Languages: []string{"en"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.SLA.CreatePolicy(ctx, sla.Policy{Name: "Everything", FirstResponse: time.Hour, NextResponse: 2 * time.Hour,
		Resolution: 48 * time.Hour, PauseOnPending: true, Active: true}); err != nil {
		t.Fatal(err)
	}
	res, err := svc.Intake.Receive(ctx, intake.Inbound{Channel: "email", From: intake.Sender{Kind: customer.Email, Value: "carla@example.com", Name: "Carla Client"},
		Subject: "My lamp flickers", Text: "Since yesterday the new lamp flickers every few seconds.", MessageKey: "lamp@example.com", Raw: []byte("raw")})
	if err != nil {
		t.Fatal(err)
	}
	id := res.TicketID
	if _, err := svc.Tickets.Assign(ctx, ticket.AgentActor(al.ID), id, al.ID); err != nil {
		t.Fatal(err)
	}
	run()
	if s := outbox(); len(s) != 1 || !strings.Contains(s[0], "We have your message") {
		t.Fatalf("acknowledgement: %v", s)
	}

	// The first-response target (one hour) is breached at 10:00, not before.
	clock.Set(time.Date(2025, 3, 10, 9, 59, 0, 0, time.UTC))
	run()
	if events(id, sla.EventBreached) != 0 {
		t.Fatal("breached early")
	}
	clock.Set(time.Date(2025, 3, 10, 10, 0, 0, 0, time.UTC))
	run()
	notes, _ := svc.SLA.Unread(ctx, al.ID, 10)
	if events(id, sla.EventBreached) != 1 || len(notes) == 0 || notes[0].Kind != sla.EventBreached {
		t.Fatalf("breach: events %d, notifications %+v", events(id, sla.EventBreached), notes)
	}
	// The owner's mail waits two minutes for other news, then tells the
	// warning (at 09:45, queued when the clock read 09:59) and the breach
	// together.
	if s := outbox(); strings.Contains(strings.Join(s, "|"), "overdue") {
		t.Fatalf("breach mailed before the batch's delay: %v", s)
	}
	clock.Set(time.Date(2025, 3, 10, 10, 2, 0, 0, time.UTC))
	run()
	if s := outbox(); !strings.Contains(strings.Join(s, "|"), "2 notifications need you: 1 overdue, 1 at risk") {
		t.Fatalf("no breach email to the owner: %v", s)
	}

	// A promise: a new bulb by 14:00. The owner is reminded before; at
	// 14:00 it is still open, so it is broken.
	p, err := svc.Tickets.MakePromise(ctx, ticket.AgentActor(al.ID), id, "send a new bulb", time.Date(2025, 3, 10, 14, 0, 0, 0, time.UTC),
		"Sorry for the trouble, Carla. I will send you a new bulb and confirm the tracking number by 14:00 today.")
	if err != nil {
		t.Fatal(err)
	}
	clock.Set(time.Date(2025, 3, 10, 13, 40, 0, 0, time.UTC))
	run()
	if events(id, ticket.EventPromiseBroken) != 0 {
		t.Fatal("broken early")
	}
	clock.Set(time.Date(2025, 3, 10, 14, 0, 0, 0, time.UTC))
	run()
	notes, _ = svc.SLA.Unread(ctx, al.ID, 10)
	kinds := map[string]bool{}
	for _, n := range notes {
		kinds[n.Kind] = true
	}
	ps, _ := svc.Tickets.Promises(ctx, id)
	if events(id, ticket.EventPromiseBroken) != 1 || !kinds[ticket.NotifyPromiseDueSoon] || !kinds[ticket.NotifyPromiseBroken] ||
		len(ps) != 1 || ps[0].ID != p.ID || ps[0].Status != ticket.PromiseBroken {
		t.Fatalf("promise: events %d, notifications %v, promises %+v", events(id, ticket.EventPromiseBroken), kinds, ps)
	}
	clock.Set(time.Date(2025, 3, 10, 14, 2, 0, 0, time.UTC))
	run()
	if s := strings.Join(outbox(), "|"); !strings.Contains(s, "Your promise is due soon: send a new bulb") ||
		!strings.Contains(s, "Promise broken: send a new bulb") {
		t.Fatalf("promise mail: %v", s)
	}

	// Solved at 15:00; two days later the customer is asked whether it held.
	clock.Set(time.Date(2025, 3, 10, 15, 0, 0, 0, time.UTC))
	if _, err := svc.Tickets.Reply(ctx, ticket.AgentActor(al.ID), id, "The bulb is on its way, tracking AB123.", ticket.Solved); err != nil {
		t.Fatal(err)
	}
	run()
	clock.Set(time.Date(2025, 3, 12, 14, 59, 0, 0, time.UTC))
	run()
	if events(id, ticket.EventFollowUpSent) != 0 {
		t.Fatal("follow-up early")
	}
	clock.Set(time.Date(2025, 3, 12, 15, 0, 0, 0, time.UTC))
	run()
	if events(id, ticket.EventFollowUpSent) != 1 || !strings.Contains(strings.Join(outbox(), "|"), "Is everything all right now?") {
		t.Fatalf("follow-up: events %d, mail %v", events(id, ticket.EventFollowUpSent), outbox())
	}
	// "No, it still flickers": the ticket reopens with its owner.
	if _, err := svc.Intake.Receive(ctx, intake.Inbound{Channel: "email", From: intake.Sender{Kind: customer.Email, Value: "carla@example.com"},
		Subject: "Re: Is everything all right now?", Text: "No, the new bulb flickers too.", MessageKey: "answer@example.com",
		Keys: intake.ThreadKeys{TicketNumbers: []int64{id}}, Raw: []byte("raw2")}); err != nil {
		t.Fatal(err)
	}
	tk, _ := svc.Tickets.Get(ctx, id)
	if tk.Status != ticket.Open || tk.OwnerID != al.ID || tk.ReopenCount != 1 {
		t.Fatalf("after the answer: %+v", tk)
	}
	// The auto-close that was due two days later no longer fires.
	clock.Set(time.Date(2025, 3, 15, 0, 0, 0, 0, time.UTC))
	run()
	if tk, _ := svc.Tickets.Get(ctx, id); tk.Status == ticket.Closed {
		t.Fatal("a reopened ticket closed")
	}
}
