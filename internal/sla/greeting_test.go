package sla_test

import (
	"context"
	"testing"
	"time"

	"github.com/rapport/rapport/internal/sla"
	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/store/storetest"
	"github.com/rapport/rapport/internal/ticket"
)

// TestGreetingTarget: a live contact must be greeted within seconds; the
// timer runs like the others, fires on time and stops at the first reply.
func TestGreetingTarget(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		me := ticket.AgentActor(f.agentID)
		if _, err := f.sla.CreatePolicy(ctx, sla.Policy{Name: "Chat", Position: 0, Channel: "chat",
			Greeting: sla.DefaultGreeting, FirstResponse: 5 * time.Minute, Resolution: time.Hour,
			PauseOnSnooze: true, Active: true}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.sla.CreatePolicy(ctx, sla.Policy{Name: "Bad", Greeting: 1500 * time.Millisecond, Active: true}); err == nil {
			t.Error("a greeting target in part-seconds was accepted")
		}
		start := f.clock.Now()
		chat := func(subject string) ticket.Ticket {
			tk, err := f.tickets.Create(ctx, ticket.SystemActor, ticket.NewTicket{Subject: subject, Body: "Hi, anyone there?",
				CustomerEmail: "c@example.com", Channel: "chat", OwnerID: f.agentID})
			if err != nil {
				t.Fatal(err)
			}
			return tk
		}
		dueAt := func(id int64, timer string) time.Time {
			d, err := f.sla.Due(ctx, id, timer)
			if err != nil {
				t.Fatal(err)
			}
			return d
		}

		waiting := chat("Nobody answers")
		greeted := chat("Answered at once")
		if got := dueAt(waiting.ID, sla.TimerGreeting); !got.Equal(start.Add(30 * time.Second)) {
			t.Fatalf("greeting due %v, want %v", got, start.Add(30*time.Second))
		}
		if tk, _ := f.tickets.Get(ctx, waiting.ID); !tk.SLADueAt.Equal(start.Add(30 * time.Second)) {
			t.Errorf("the inbox deadline is %v, want the greeting's", tk.SLADueAt)
		}
		// An email ticket gets no greeting timer.
		mail, err := f.tickets.Create(ctx, ticket.SystemActor, ticket.NewTicket{Subject: "By mail", Body: "Hello", CustomerEmail: "d@example.com"})
		if err != nil {
			t.Fatal(err)
		}
		if got := dueAt(mail.ID, sla.TimerGreeting); !got.IsZero() {
			t.Errorf("an email ticket has a greeting deadline %v", got)
		}

		f.clock.Advance(10 * time.Second)
		if _, err := f.tickets.Reply(ctx, me, greeted.ID, "Hello Carla, I'm here: let me look at your order.", ""); err != nil {
			t.Fatal(err)
		}
		if got := dueAt(greeted.ID, sla.TimerGreeting); !got.IsZero() {
			t.Errorf("greeting still runs after the reply: %v", got)
		}

		// 25 s: past the 75 % mark, the owner is warned; 31 s: breached.
		f.clock.Set(start.Add(25 * time.Second))
		if _, err := f.q.RunDue(ctx); err != nil {
			t.Fatal(err)
		}
		if n := f.events(t, waiting.ID, sla.EventAtRisk); n != 1 {
			t.Errorf("%d at-risk events at 25 s, want 1", n)
		}
		f.clock.Set(start.Add(31 * time.Second))
		if _, err := f.q.RunDue(ctx); err != nil {
			t.Fatal(err)
		}
		if n := f.events(t, waiting.ID, sla.EventBreached); n != 1 {
			t.Errorf("%d breach events at 31 s, want 1", n)
		}
		if n := f.events(t, greeted.ID, sla.EventBreached) + f.events(t, greeted.ID, sla.EventAtRisk); n != 0 {
			t.Errorf("the greeted chat got %d SLA events", n)
		}

		// This policy stops the clock while a ticket is snoozed: the
		// resolution deadline moves by the snoozed time.
		resolveBy := dueAt(greeted.ID, sla.TimerResolution)
		if !resolveBy.Equal(start.Add(time.Hour)) {
			t.Fatalf("resolution due %v, want %v", resolveBy, start.Add(time.Hour))
		}
		f.clock.Set(start.Add(10 * time.Minute))
		if _, err := f.tickets.Snooze(ctx, me, greeted.ID, start.Add(2*time.Hour)); err != nil {
			t.Fatal(err)
		}
		if got := dueAt(greeted.ID, sla.TimerResolution); !got.IsZero() {
			t.Errorf("a snoozed ticket's clock runs: due %v", got)
		}
		f.clock.Set(start.Add(2 * time.Hour))
		if _, err := f.q.RunDue(ctx); err != nil {
			t.Fatal(err)
		}
		if n := f.events(t, greeted.ID, sla.EventBreached); n != 0 {
			t.Errorf("the snoozed ticket breached while its clock was stopped")
		}
		if got, want := dueAt(greeted.ID, sla.TimerResolution), start.Add(2*time.Hour+50*time.Minute); !got.Equal(want) {
			t.Errorf("after waking, resolution due %v, want %v (50 minutes were left)", got, want)
		}
	})
}
