package recovery

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/store/storetest"
	"github.com/rapport/rapport/internal/ticket"
	"github.com/rapport/rapport/internal/valid"
)

func (f *fixture) newTicket(t testing.TB, subject, body, kind string) int64 {
	t.Helper()
	tk, err := f.tickets.Create(context.Background(), ticket.Actor{Kind: "customer"}, ticket.NewTicket{Subject: subject, Body: body,
		Channel: "email", CustomerEmail: "carla@example.com", Kind: kind})
	if err != nil {
		t.Fatal(err)
	}
	return tk.ID
}

func (f *fixture) notes(t testing.TB, agentID int64, kind string) int {
	t.Helper()
	var n int
	if err := f.db.R.QueryRow("SELECT count(*) FROM notifications WHERE agent_id = $1 AND kind = $2", agentID, kind).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestRootCauseLifecycle(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		first := f.newTicket(t, "Parcel arrived crushed", "The courier box was crushed and the lamp broken", "complaint")
		due := f.clock.Now().Add(72 * time.Hour)
		c, err := f.s.CreateCause(ctx, f.agent, first, NewCause{Category: "delivery", Title: "Courier crushes parcels",
			WhatHappened: "Thin boxes", Prevention: "Double-wall boxes for lamps", OwnerID: f.agent, Due: due})
		if err != nil {
			t.Fatal(err)
		}
		second := f.newTicket(t, "Crushed parcel again", "My parcel arrived crushed, the courier box was flat", "complaint")
		// Rapport proposes the cause from the words the tickets share.
		props, err := f.s.Propose(ctx, second)
		if err != nil || len(props) != 1 || props[0].Cause.ID != c.ID {
			t.Fatalf("proposals %+v %v", props, err)
		}
		if err := f.s.Link(ctx, f.agent, second, c.ID); err != nil {
			t.Fatal(err)
		}
		err = f.s.Link(ctx, f.agent, second, c.ID)
		var ve valid.Errors
		if !errors.As(err, &ve) || ve["cause"] == "" {
			t.Fatalf("linking twice: %v", err)
		}
		if err := f.s.Link(ctx, f.agent, second, 9999); err == nil {
			t.Fatal("linked to an unknown cause")
		}
		third := f.newTicket(t, "Lamp broken", "broken in transit", "question")
		if err := f.s.Link(ctx, f.agent, third, c.ID); err != nil {
			t.Fatal(err)
		}
		// The owner is reminded a day before it is due; at the due date the
		// owner and the managers hear it is overdue.
		f.clock.Advance(47 * time.Hour)
		if _, err := f.queue.RunDue(ctx); err != nil {
			t.Fatal(err)
		}
		if n := f.notes(t, f.agent, NotifyPreventionDueSoon); n != 0 {
			t.Fatal("reminded early")
		}
		f.clock.Advance(2 * time.Hour)
		if _, err := f.queue.RunDue(ctx); err != nil {
			t.Fatal(err)
		}
		if n := f.notes(t, f.agent, NotifyPreventionDueSoon); n != 1 {
			t.Fatalf("owner reminders %d", n)
		}
		f.clock.Advance(24 * time.Hour)
		if _, err := f.queue.RunDue(ctx); err != nil {
			t.Fatal(err)
		}
		if f.notes(t, f.agent, NotifyPreventionOverdue) != 1 || f.notes(t, f.manager, NotifyPreventionOverdue) != 1 {
			t.Fatal("overdue not notified")
		}
		// Done; a ticket linked afterwards is a recurrence.
		if _, err := f.s.SetDone(ctx, c.ID, true); err != nil {
			t.Fatal(err)
		}
		f.clock.Advance(time.Hour)
		fourth := f.newTicket(t, "Crushed box", "crushed again", "complaint")
		if err := f.s.Link(ctx, f.agent, fourth, c.ID); err != nil {
			t.Fatal(err)
		}
		got, err := f.s.Cause(ctx, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Tickets != 4 || got.Complaints != 3 || got.Recurrences != 1 || got.Status != CauseDone || got.Last30 != 4 || got.Trend() != 1 {
			t.Fatalf("cause %+v", got)
		}
		lts, err := f.s.CauseTickets(ctx, c.ID)
		if err != nil || len(lts) != 4 || !lts[3].Recurrence || lts[2].Recurrence {
			t.Fatalf("linked %+v %v", lts, err)
		}
		list, err := f.s.Causes(ctx, "courier", 0)
		if err != nil || len(list) != 1 {
			t.Fatalf("search %+v %v", list, err)
		}
		if list, _ := f.s.Causes(ctx, "nothing like it", 0); len(list) != 0 {
			t.Fatal("search found a cause it should not")
		}
	})
}

func TestRootCauseBadInput(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		cases := []struct {
			name  string
			n     NewCause
			field string
		}{
			{"no title", NewCause{Category: "product"}, "title"},
			{"unknown category", NewCause{Category: "weather", Title: "x"}, "category"},
			{"due in the past", NewCause{Category: "product", Title: "x", Prevention: "y", Due: f.clock.Now().Add(-time.Hour)}, "due"},
			{"unknown owner", NewCause{Category: "product", Title: "x", OwnerID: 9999}, "owner_id"},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				_, err := f.s.CreateCause(ctx, f.agent, f.ticket.ID, tc.n)
				var ve valid.Errors
				if !errors.As(err, &ve) || ve[tc.field] == "" {
					t.Fatalf("got %v, want an error on %s", err, tc.field)
				}
			})
		}
		var n int
		if err := db.R.QueryRow("SELECT count(*) FROM root_causes").Scan(&n); err != nil || n != 0 {
			t.Fatalf("%d causes written by failed creates (%v)", n, err)
		}
	})
}

// TestUpdateCause: every field of a cause is edited in one step; bad input
// is a keyed error that changes nothing; a new due date moves the
// prevention's timers, and marking it done stops them.
func TestUpdateCause(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		tk := f.newTicket(t, "Parcel arrived crushed", "crushed", "complaint")
		c, err := f.s.CreateCause(ctx, f.agent, tk, NewCause{Category: "delivery", Title: "Courier crushes parcels",
			Prevention: "Double-wall boxes", OwnerID: f.agent, Due: f.clock.Now().Add(72 * time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
		good := CauseEdit{NewCause: NewCause{Category: "product", Title: "Lamp box too thin", WhatHappened: "Single-wall box",
			Prevention: "New box from the supplier", OwnerID: f.manager, Due: f.clock.Now().Add(10 * 24 * time.Hour)}, Status: CauseOpen}
		for _, tc := range []struct {
			name, field string
			edit        func(e *CauseEdit)
		}{
			{"no title", "title", func(e *CauseEdit) { e.Title = " " }},
			{"unknown category", "category", func(e *CauseEdit) { e.Category = "weather" }},
			{"due in the past", "due", func(e *CauseEdit) { e.Due = f.clock.Now().Add(-time.Hour) }},
			{"due without prevention", "prevention", func(e *CauseEdit) { e.Prevention = "" }},
			{"unknown status", "status", func(e *CauseEdit) { e.Status = "maybe" }},
			{"unknown owner", "owner_id", func(e *CauseEdit) { e.OwnerID = 9999 }},
		} {
			t.Run(tc.name, func(t *testing.T) {
				e := good
				tc.edit(&e)
				_, err := f.s.UpdateCause(ctx, c.ID, e)
				var ve valid.Errors
				if !errors.As(err, &ve) || ve[tc.field] == "" {
					t.Fatalf("%s: %v, want an error on %s", tc.name, err, tc.field)
				}
				if got, _ := f.s.Cause(ctx, c.ID); got.Title != "Courier crushes parcels" || got.Category != "delivery" {
					t.Fatalf("a refused edit changed the cause: %+v", got)
				}
			})
		}
		if _, err := f.s.UpdateCause(ctx, 9999, good); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("unknown cause: %v", err)
		}

		got, err := f.s.UpdateCause(ctx, c.ID, good)
		if err != nil {
			t.Fatal(err)
		}
		if got.Title != "Lamp box too thin" || got.Category != "product" || got.WhatHappened != "Single-wall box" ||
			got.Prevention != "New box from the supplier" || got.OwnerID != f.manager || !got.Due.Equal(good.Due) || got.Tickets != 1 {
			t.Fatalf("edited cause %+v", got)
		}
		// The old due date's reminder is gone: three days on, nobody is told.
		f.clock.Advance(72 * time.Hour)
		if _, err := f.queue.RunDue(ctx); err != nil {
			t.Fatal(err)
		}
		if n := f.notes(t, f.agent, NotifyPreventionDueSoon) + f.notes(t, f.manager, NotifyPreventionDueSoon); n != 0 {
			t.Fatalf("%d reminders of the old due date", n)
		}
		// The new one reminds its new owner a day before.
		f.clock.Set(good.Due.Add(-23 * time.Hour))
		if _, err := f.queue.RunDue(ctx); err != nil {
			t.Fatal(err)
		}
		if n := f.notes(t, f.manager, NotifyPreventionDueSoon); n != 1 {
			t.Fatalf("new owner reminded %d times", n)
		}
		// Overdue, and the due date left as it was: the edit is accepted.
		f.clock.Set(good.Due.Add(time.Hour))
		done := good
		done.Status = CauseDone
		got, err = f.s.UpdateCause(ctx, c.ID, done)
		if err != nil || got.Status != CauseDone || got.DoneAt.IsZero() {
			t.Fatalf("marked done %+v %v", got, err)
		}
	})
}
