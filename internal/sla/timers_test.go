package sla_test

import (
	"context"
	"database/sql"
	"testing"
	"time"

	"github.com/rapport/rapport/internal/agent"
	"github.com/rapport/rapport/internal/customer"
	"github.com/rapport/rapport/internal/i18n"
	"github.com/rapport/rapport/internal/jobs"
	"github.com/rapport/rapport/internal/notify"
	"github.com/rapport/rapport/internal/sla"
	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/store/storetest"
	"github.com/rapport/rapport/internal/ticket"
)

type fixture struct {
	clock   *jobs.FakeClock
	q       *jobs.Queue
	tickets *ticket.Service
	sla     *sla.Service
	agentID int64
	rome    *time.Location
	emails  []string
}

func newFixture(t *testing.T, db *store.DB) *fixture {
	t.Helper()
	ctx := context.Background()
	rome := mustLoc(t, "Europe/Rome")
	f := &fixture{rome: rome, clock: jobs.NewFakeClock(time.Date(2025, 3, 10, 10, 0, 0, 0, rome))}
	f.q = jobs.New(db, f.clock, nil)
	f.tickets = ticket.NewService(ticket.Opts{DB: db, Clock: f.clock, Jobs: f.q, Customers: customer.New(db, f.clock)})
	notes := notify.New(notify.Opts{DB: db, Jobs: f.q, Clock: f.clock, I18n: i18n.MustLoad(),
		Send: func(_ context.Context, _ *sql.Tx, to, _, subject, _, _ string) error {
			f.emails = append(f.emails, to+": "+subject)
			return nil
		}})
	f.sla = sla.New(sla.Opts{DB: db, Jobs: f.q, Clock: f.clock, Tickets: f.tickets, Notes: notes})
	if err := f.tickets.Subscribe(ticket.Subscriber{Name: "sla", InTx: f.sla.TicketChanged}); err != nil {
		t.Fatal(err)
	}
	a, err := agent.New(db, f.clock).Create(ctx, agent.NewAgent{Email: "al@shop.example", Name: "Al", Role: agent.RoleAgent, Password: "long enough"})
	if err != nil {
		t.Fatal(err)
	}
	f.agentID = a.ID
	cal, err := f.sla.SaveCalendar(ctx, sla.CalendarRow{Name: "Rome office", Timezone: "Europe/Rome", Week: "mon-fri 09:00-17:00"})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []sla.Policy{
		{Name: "Urgent", Position: 1, Priority: ticket.Urgent, FirstResponse: 30 * time.Minute, NextResponse: time.Hour,
			Resolution: 4 * time.Hour, PauseOnPending: true, Active: true},
		{Name: "Standard", Position: 2, CalendarID: cal.ID, FirstResponse: 4 * time.Hour, NextResponse: 8 * time.Hour,
			Resolution: 24 * time.Hour, PauseOnPending: true, Active: true},
	} {
		if _, err := f.sla.CreatePolicy(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	return f
}

func (f *fixture) at(t *testing.T, s string) time.Time {
	t.Helper()
	v, err := time.ParseInLocation("2006-01-02 15:04", s, f.rome)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func (f *fixture) due(t *testing.T, id int64, timer string) string {
	t.Helper()
	d, err := f.sla.Due(context.Background(), id, timer)
	if err != nil {
		t.Fatal(err)
	}
	if d.IsZero() {
		return "-"
	}
	return d.In(f.rome).Format("2006-01-02 15:04")
}

func (f *fixture) events(t *testing.T, id int64, typ string) int {
	t.Helper()
	evs, err := f.tickets.Events(context.Background(), id)
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

func TestTimersInBusinessHours(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		me := ticket.AgentActor(f.agentID)
		tk, err := f.tickets.Create(ctx, me, ticket.NewTicket{Subject: "Late order", Body: "Where is it?",
			CustomerEmail: "c@example.com", OwnerID: f.agentID})
		if err != nil {
			t.Fatal(err)
		}
		// Monday 10:00 + 4 business hours; 24 business hours is three days.
		if got := f.due(t, tk.ID, sla.TimerFirstResponse); got != "2025-03-10 14:00" {
			t.Fatalf("first response due %s", got)
		}
		if got := f.due(t, tk.ID, sla.TimerResolution); got != "2025-03-13 10:00" {
			t.Fatalf("resolution due %s", got)
		}
		// At 13:00 (75 % of four hours) the owner is warned, once.
		f.clock.Set(f.at(t, "2025-03-10 12:59"))
		f.q.RunDue(ctx)
		if n := f.events(t, tk.ID, sla.EventAtRisk); n != 0 {
			t.Fatalf("warned early: %d", n)
		}
		f.clock.Set(f.at(t, "2025-03-10 13:00"))
		f.q.RunDue(ctx)
		if n := f.events(t, tk.ID, sla.EventAtRisk); n != 1 {
			t.Fatalf("%d at-risk events at 13:00", n)
		}
		notes, _ := f.sla.Unread(ctx, f.agentID, 10)
		f.clock.Set(f.at(t, "2025-03-10 13:02"))
		f.q.RunDue(ctx)
		if len(notes) != 1 || notes[0].Kind != sla.EventAtRisk || len(f.emails) != 1 {
			t.Fatalf("notifications %+v, emails %v", notes, f.emails)
		}
		// At 14:00 the target is breached.
		f.clock.Set(f.at(t, "2025-03-10 14:00"))
		f.q.RunDue(ctx)
		if n := f.events(t, tk.ID, sla.EventBreached); n != 1 {
			t.Fatalf("%d breach events", n)
		}
		// The reply stops the first-response timer.
		f.clock.Set(f.at(t, "2025-03-10 14:30"))
		if _, err := f.tickets.Reply(ctx, me, tk.ID, "It is on its way.", ticket.Pending); err != nil {
			t.Fatal(err)
		}
		if got := f.due(t, tk.ID, sla.TimerFirstResponse); got != "-" {
			t.Fatalf("first response still running: %s", got)
		}
		// Pending pauses the clock: two days waiting for the customer do not count.
		if got := f.due(t, tk.ID, sla.TimerResolution); got != "-" {
			t.Fatalf("resolution runs while pending: %s", got)
		}
		f.clock.Set(f.at(t, "2025-03-12 11:00"))
		if _, err := f.tickets.AddCustomerMessage(ctx, tk.ID, "It has not arrived.", ""); err != nil {
			t.Fatal(err)
		}
		// Paused at Monday 14:30 with 19.5 business hours left: resumes
		// Wednesday 11:00, ends Friday 14:30.
		if got := f.due(t, tk.ID, sla.TimerResolution); got != "2025-03-14 14:30" {
			t.Fatalf("resolution after the pause: %s", got)
		}
		if got := f.due(t, tk.ID, sla.TimerNextResponse); got != "2025-03-13 11:00" {
			t.Fatalf("next response due %s", got)
		}
		tk, _ = f.tickets.Get(ctx, tk.ID)
		// Solving stops every timer; no stale job fires later.
		if _, err := f.tickets.Reply(ctx, me, tk.ID, "Found it, delivered tomorrow.", ticket.Solved); err != nil {
			t.Fatal(err)
		}
		f.clock.Set(f.at(t, "2025-03-20 12:00"))
		f.q.RunDue(ctx)
		if n := f.events(t, tk.ID, sla.EventBreached); n != 1 {
			t.Fatalf("%d breach events after solving", n)
		}
	})
}

func TestUrgentPolicyInCalendarTime(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		// Saturday night: the urgent policy runs on calendar time.
		f.clock.Set(f.at(t, "2025-03-15 23:50"))
		tk, err := f.tickets.Create(ctx, ticket.SystemActor, ticket.NewTicket{Subject: "Site down", Body: "Cannot pay",
			CustomerEmail: "c@example.com", Priority: ticket.Urgent})
		if err != nil {
			t.Fatal(err)
		}
		if got := f.due(t, tk.ID, sla.TimerFirstResponse); got != "2025-03-16 00:20" {
			t.Fatalf("urgent first response due %s", got)
		}
		// Lowering the priority moves the ticket to the standard policy,
		// counted from its creation in business hours: Monday 13:00.
		normal := ticket.Normal
		if _, err := f.tickets.Update(ctx, ticket.SystemActor, tk.ID, ticket.Update{Priority: &normal}); err != nil {
			t.Fatal(err)
		}
		if got := f.due(t, tk.ID, sla.TimerFirstResponse); got != "2025-03-17 13:00" {
			t.Fatalf("after lowering the priority: %s", got)
		}
		// The urgent policy's jobs were cancelled: nothing fires at 00:20.
		f.clock.Set(f.at(t, "2025-03-16 01:00"))
		f.q.RunDue(ctx)
		if n := f.events(t, tk.ID, sla.EventBreached) + f.events(t, tk.ID, sla.EventAtRisk); n != 0 {
			t.Fatalf("%d events from the old policy", n)
		}
	})
}
