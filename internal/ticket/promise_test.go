package ticket_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/store/storetest"
	"github.com/rapport/rapport/internal/ticket"
)

// TestPromiseLifecycle: an agent promises with or without a reply, keeps
// or cancels with a reason; bad input changes nothing; an overdue promise
// is broken and its owner and the managers hear of it.
func TestPromiseLifecycle(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		tk := f.create(t, ticket.NewTicket{Subject: "Broken lamp"})
		later := f.clock.Now().Add(5 * time.Hour)

		for _, tc := range []struct {
			name   string
			what   string
			due    time.Time
			fields []string
		}{
			{"empty what", " ", later, []string{"what"}},
			{"no due", "ship it", time.Time{}, []string{"due"}},
			{"past", "ship it", f.clock.Now().Add(-time.Minute), []string{"due"}},
			{"too far", "ship it", f.clock.Now().Add(ticket.MaxPromiseAhead + time.Hour), []string{"due"}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				_, err := f.svc.MakePromise(ctx, f.by("al"), tk.ID, tc.what, tc.due, "I will ship it.")
				wantFields(t, err, tc.fields...)
			})
		}
		eq(t, f.count(t, "promises"), 0)

		// On its own: no message to the customer, the ticket stays new.
		alone, err := f.svc.MakePromise(ctx, f.by("al"), tk.ID, "check the stock", later, "")
		if err != nil {
			t.Fatal(err)
		}
		eq(t, f.get(t, tk.ID).Status, ticket.New)
		// With a reply: the message goes out and the ticket opens.
		withReply, err := f.svc.MakePromise(ctx, f.by("al"), tk.ID, "ship the replacement", later.Add(time.Hour), "The replacement ships today.")
		if err != nil {
			t.Fatal(err)
		}
		eq(t, f.get(t, tk.ID).Status, ticket.Open)
		msgs, _ := f.svc.Messages(ctx, tk.ID)
		eq(t, len(msgs), 2)

		next, err := f.svc.NextPromises(ctx, []int64{tk.ID, 999})
		if err != nil {
			t.Fatal(err)
		}
		eq(t, len(next), 1)
		eq(t, next[tk.ID].ID, alone.ID)

		// Cancel needs a reason, and the promise of another ticket is not found.
		wantFields(t, f.svc.CancelPromise(ctx, f.by("al"), tk.ID, alone.ID, "  "), "reason")
		other := f.create(t, ticket.NewTicket{Subject: "Other"})
		if err := f.svc.KeepPromise(ctx, f.by("al"), other.ID, alone.ID); !isNotFound(err) {
			t.Fatalf("keep through another ticket: %v, want not found", err)
		}
		if err := f.svc.CancelPromise(ctx, f.by("al"), tk.ID, alone.ID, "the stock arrived"); err != nil {
			t.Fatal(err)
		}
		wantFields(t, f.svc.KeepPromise(ctx, f.by("al"), tk.ID, alone.ID), "promise")
		eq(t, f.pendingJobs(t, ticket.JobPromiseDue+":"+itoa(alone.ID)), 0)

		// Broken at its time: the owner and the manager are told.
		f.clock.Advance(7 * time.Hour)
		if _, err := f.jobs.RunDue(ctx); err != nil {
			t.Fatal(err)
		}
		ps, err := f.svc.Promises(ctx, tk.ID)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, p := range ps {
			got = append(got, p.Status)
		}
		if !slices.Equal(got, []string{ticket.PromiseCancelled, ticket.PromiseBroken}) {
			t.Fatalf("statuses = %v", got)
		}
		eq(t, ps[0].CancelReason, "the stock arrived")
		wantFields(t, f.svc.KeepPromise(ctx, f.by("al"), tk.ID, withReply.ID), "promise")
		var told []int64
		rows, err := db.R.QueryContext(ctx, `SELECT agent_id FROM notifications WHERE kind = $1 ORDER BY agent_id`, ticket.NotifyPromiseBroken)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var id int64
			rows.Scan(&id)
			told = append(told, id)
		}
		rows.Close()
		if !slices.Equal(told, []int64{f.agents["al"], f.agents["mia"]}) {
			t.Fatalf("told of the broken promise: %v, want al and mia", told)
		}
		types := f.eventTypes(t, tk.ID)
		for _, want := range []string{ticket.EventPromiseMade, ticket.EventPromiseCancelled, ticket.EventPromiseBroken} {
			if !slices.Contains(types, want) {
				t.Errorf("events %v lack %s", types, want)
			}
		}

		// Solved and closed tickets take no promises.
		solved := ticket.Solved
		if _, err := f.svc.Update(ctx, f.by("al"), tk.ID, ticket.Update{Status: &solved}); err != nil {
			t.Fatal(err)
		}
		_, err = f.svc.MakePromise(ctx, f.by("al"), tk.ID, "more", f.clock.Now().Add(time.Hour), "")
		wantFields(t, err, "status")
	})
}
