package ticket_test

import (
	"context"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/store/storetest"
	"github.com/rapport/rapport/internal/ticket"
)

// listIDs returns the ids of the first page of view for agent viewer.
func listIDs(t *testing.T, f *fixture, view string, viewer int64) []int64 {
	t.Helper()
	p, err := f.svc.List(context.Background(), ticket.ListOptions{View: view, ViewerID: viewer})
	if err != nil {
		t.Fatalf("list %s: %v", view, err)
	}
	var ids []int64
	for _, tk := range p.Tickets {
		ids = append(ids, tk.ID)
	}
	return ids
}

// TestSnooze: a snoozed ticket leaves the inbox views until it wakes at its
// time (its owner told), or until the customer writes.
func TestSnooze(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		tk := f.create(t, ticket.NewTicket{Subject: "Waiting for the courier", OwnerID: f.agents["al"]})
		al := f.agents["al"]

		for _, tc := range []struct {
			name  string
			until time.Time
		}{
			{"zero", time.Time{}},
			{"past", f.clock.Now().Add(-time.Minute)},
			{"now", f.clock.Now()},
			{"over a year", f.clock.Now().Add(ticket.MaxSnooze + time.Hour)},
		} {
			t.Run(tc.name, func(t *testing.T) {
				_, err := f.svc.Snooze(ctx, f.by("al"), tk.ID, tc.until)
				wantFields(t, err, "until")
			})
		}

		until := f.clock.Now().Add(2 * time.Hour)
		got, err := f.svc.Snooze(ctx, f.by("al"), tk.ID, until)
		if err != nil {
			t.Fatal(err)
		}
		if !got.SnoozedUntil.Equal(until) {
			t.Fatalf("snoozed until %v, want %v", got.SnoozedUntil, until)
		}
		for _, view := range []string{ticket.ViewMine, ticket.ViewOpen} {
			if slices.Contains(listIDs(t, f, view, al), tk.ID) {
				t.Errorf("a snoozed ticket shows in %s", view)
			}
		}
		if ids := listIDs(t, f, ticket.ViewSnoozed, al); !slices.Equal(ids, []int64{tk.ID}) {
			t.Errorf("snoozed view = %v, want [%d]", ids, tk.ID)
		}

		// Snoozing again moves the wake-up: the first job, if it ran, does nothing.
		until = f.clock.Now().Add(3 * time.Hour)
		if _, err := f.svc.Snooze(ctx, f.by("al"), tk.ID, until); err != nil {
			t.Fatal(err)
		}
		f.clock.Advance(2*time.Hour + time.Minute)
		if n, err := f.jobs.RunDue(ctx); err != nil || n != 0 {
			t.Fatalf("RunDue before the wake-up = %d, %v", n, err)
		}
		if !f.get(t, tk.ID).SnoozedUntil.Equal(until) {
			t.Fatal("the ticket woke before its time")
		}
		f.clock.Advance(time.Hour)
		if n, err := f.jobs.RunDue(ctx); err != nil || n != 1 {
			t.Fatalf("RunDue at the wake-up = %d, %v", n, err)
		}
		if got := f.get(t, tk.ID); !got.SnoozedUntil.IsZero() {
			t.Fatalf("still snoozed after its time: %v", got.SnoozedUntil)
		}
		if !slices.Contains(listIDs(t, f, ticket.ViewMine, al), tk.ID) {
			t.Error("the woken ticket is not back in Mine")
		}
		es := f.events(t, tk.ID)
		last := es[len(es)-1]
		if last.Type != ticket.EventWoke || last.Data["reason"] != "time" {
			t.Errorf("last event = %s %v, want woke by time", last.Type, last.Data)
		}
		var kind string
		if err := db.R.QueryRowContext(ctx, `SELECT kind FROM notifications WHERE agent_id = $1 AND ticket_id = $2`, al, tk.ID).Scan(&kind); err != nil || kind != ticket.NotifyWoke {
			t.Errorf("owner's notification = %q, %v", kind, err)
		}

		// A customer's message wakes a snoozed ticket at once.
		if _, err := f.svc.Snooze(ctx, f.by("al"), tk.ID, f.clock.Now().Add(24*time.Hour)); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.AddCustomerMessage(ctx, tk.ID, "Any news?", ""); err != nil {
			t.Fatal(err)
		}
		if got := f.get(t, tk.ID); !got.SnoozedUntil.IsZero() {
			t.Fatal("a customer message did not wake the ticket")
		}
		if n := f.pendingJobs(t, ticket.JobWake+":"+strconv.FormatInt(tk.ID, 10)); n != 0 {
			t.Errorf("%d wake jobs left after the customer woke it", n)
		}
		es = f.events(t, tk.ID)
		if last := es[len(es)-1]; last.Type != ticket.EventWoke || last.Data["reason"] != "customer" {
			t.Errorf("last event = %s %v, want woke by customer", last.Type, last.Data)
		}

		// Solving ends a snooze; a solved ticket cannot be snoozed.
		if _, err := f.svc.Snooze(ctx, f.by("al"), tk.ID, f.clock.Now().Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.Update(ctx, f.by("al"), tk.ID, ticket.Update{Status: statusPtr(ticket.Solved)}); err != nil {
			t.Fatal(err)
		}
		if got := f.get(t, tk.ID); !got.SnoozedUntil.IsZero() {
			t.Fatal("solving left the ticket snoozed")
		}
		_, err = f.svc.Snooze(ctx, f.by("al"), tk.ID, f.clock.Now().Add(time.Hour))
		wantFields(t, err, "until")
	})
}

// TestCollaborators: a colleague helps without taking the ticket.
func TestCollaborators(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		tk := f.create(t, ticket.NewTicket{Subject: "Odd invoice", OwnerID: f.agents["al"]})
		bo := f.agents["bo"]

		wantFields(t, f.svc.AddCollaborator(ctx, f.by("al"), tk.ID, f.agents["al"]), "agent_id")
		wantFields(t, f.svc.AddCollaborator(ctx, f.by("al"), tk.ID, f.agents["ina"]), "agent_id")
		wantFields(t, f.svc.AddCollaborator(ctx, f.by("al"), tk.ID, 999999), "agent_id")
		for range 2 {
			if err := f.svc.AddCollaborator(ctx, f.by("al"), tk.ID, bo); err != nil {
				t.Fatal(err)
			}
		}
		cs, err := f.svc.Collaborators(ctx, tk.ID)
		if err != nil || len(cs) != 1 || cs[0].AgentID != bo || cs[0].Name != "Bo Agent" || cs[0].AddedBy != "Al Agent" {
			t.Fatalf("collaborators = %+v, %v", cs, err)
		}
		got := f.get(t, tk.ID)
		if got.OwnerID != f.agents["al"] || got.TransferCount != 0 {
			t.Errorf("adding a collaborator moved the ticket: owner %d, transfers %d", got.OwnerID, got.TransferCount)
		}
		if n := countTypes(f.eventTypes(t, tk.ID), ticket.EventCollabAdded); n != 1 {
			t.Errorf("%d collaborator_added events, want 1", n)
		}
		var kind string
		if err := db.R.QueryRowContext(ctx, `SELECT kind FROM notifications WHERE agent_id = $1`, bo).Scan(&kind); err != nil || kind != ticket.NotifyCollab {
			t.Errorf("collaborator's notification = %q, %v", kind, err)
		}
		// The collaborator can write on the ticket; it stays Al's.
		if _, err := f.svc.AddNote(ctx, f.by("bo"), tk.ID, "The invoice used the old VAT rate."); err != nil {
			t.Fatal(err)
		}
		if err := f.svc.RemoveCollaborator(ctx, f.by("al"), tk.ID, bo); err != nil {
			t.Fatal(err)
		}
		if cs, _ := f.svc.Collaborators(ctx, tk.ID); len(cs) != 0 {
			t.Errorf("after removal: %+v", cs)
		}
		if n := countTypes(f.eventTypes(t, tk.ID), ticket.EventCollabGone); n != 1 {
			t.Errorf("%d collaborator_removed events, want 1", n)
		}
	})
}

// TestPresence: who else has the ticket open, and whether they are writing.
func TestPresence(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		tk := f.create(t, ticket.NewTicket{Subject: "Two agents"})
		al, bo := f.agents["al"], f.agents["bo"]
		if err := f.svc.SetPresence(ctx, tk.ID, al, ticket.Viewing); err != nil {
			t.Fatal(err)
		}
		if err := f.svc.SetPresence(ctx, tk.ID, bo, ticket.Replying); err != nil {
			t.Fatal(err)
		}
		ps, err := f.svc.Presence(ctx, tk.ID, al)
		if err != nil || len(ps) != 1 || ps[0].AgentID != bo || ps[0].State != ticket.Replying {
			t.Fatalf("Al sees %+v, %v; want Bo replying", ps, err)
		}
		if err := f.svc.SetPresence(ctx, tk.ID, al, "typing"); err == nil {
			t.Error("an unknown state was accepted")
		}
		if err := f.svc.SetPresence(ctx, 999999, al, ticket.Viewing); err == nil {
			t.Error("presence on an unknown ticket was accepted")
		}
		// A presence without a heartbeat fades.
		f.clock.Advance(ticket.PresenceTTL + time.Second)
		if ps, _ := f.svc.Presence(ctx, tk.ID, al); len(ps) != 0 {
			t.Errorf("a stale presence shows: %+v", ps)
		}
		if err := f.svc.SetPresence(ctx, tk.ID, bo, ticket.Viewing); err != nil {
			t.Fatal(err)
		}
		if err := f.svc.SetPresence(ctx, tk.ID, bo, ""); err != nil {
			t.Fatal(err)
		}
		if ps, _ := f.svc.Presence(ctx, tk.ID, al); len(ps) != 0 {
			t.Errorf("Bo left but still shows: %+v", ps)
		}
	})
}

func countTypes(types []string, want string) int {
	n := 0
	for _, t := range types {
		if t == want {
			n++
		}
	}
	return n
}
