package ticket_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/store/storetest"
	"github.com/rapport/rapport/internal/ticket"
)

// TestWhoChangesStatus checks the one rule for status changes and
// transfers: the owner, a collaborator, a manager, or (while nobody owns
// the ticket) an agent of its team; anyone else gets ErrNotYours and the
// ticket stays as it was.
func TestWhoChangesStatus(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		// bo is of billing; al is of tech.
		for _, m := range []struct{ team, agent string }{{"billing", "bo"}, {"tech", "al"}} {
			if _, err := db.W.ExecContext(ctx, `INSERT INTO team_members (team_id, agent_id) VALUES ($1, $2)`,
				f.teams[m.team], f.agents[m.agent]); err != nil {
				t.Fatal(err)
			}
		}
		pending := func(a ticket.Actor, id int64) error {
			_, err := f.svc.Update(ctx, a, id, ticket.Update{Status: statusPtr(ticket.Pending)})
			return err
		}
		tests := []struct {
			name   string
			ticket ticket.NewTicket
			helper string // a collaborator to add first
			by     string
			act    func(a ticket.Actor, id int64) error
			allow  bool
		}{
			{name: "owner", ticket: ticket.NewTicket{OwnerID: f.agents["al"]}, by: "al", act: pending, allow: true},
			{name: "agent of another team", ticket: ticket.NewTicket{OwnerID: f.agents["al"], TeamID: f.teams["tech"]},
				by: "bo", act: pending},
			{name: "collaborator", ticket: ticket.NewTicket{OwnerID: f.agents["al"]}, helper: "bo", by: "bo", act: pending, allow: true},
			{name: "manager", ticket: ticket.NewTicket{OwnerID: f.agents["al"]}, by: "mia", act: pending, allow: true},
			{name: "unowned, agent of its team", ticket: ticket.NewTicket{TeamID: f.teams["billing"]}, by: "bo", act: pending, allow: true},
			{name: "unowned, agent of another team", ticket: ticket.NewTicket{TeamID: f.teams["billing"]}, by: "al", act: pending},
			{name: "unowned without a team", ticket: ticket.NewTicket{}, by: "al", act: pending, allow: true},
			{name: "reply and solve by another agent", ticket: ticket.NewTicket{OwnerID: f.agents["al"]}, by: "bo",
				act: func(a ticket.Actor, id int64) error {
					_, err := f.svc.Reply(ctx, a, id, "Done.", ticket.Solved)
					return err
				}},
			{name: "transfer by another agent", ticket: ticket.NewTicket{OwnerID: f.agents["al"]}, by: "bo",
				act: func(a ticket.Actor, id int64) error {
					_, err := f.svc.Transfer(ctx, a, id, f.agents["bo"], 0, "mine now", false)
					return err
				}},
			{name: "transfer by the owner", ticket: ticket.NewTicket{OwnerID: f.agents["al"]}, by: "al", allow: true,
				act: func(a ticket.Actor, id int64) error {
					_, err := f.svc.Transfer(ctx, a, id, f.agents["bo"], 0, "billing question", false)
					return err
				}},
			{name: "snooze by another agent", ticket: ticket.NewTicket{OwnerID: f.agents["al"]}, by: "bo",
				act: func(a ticket.Actor, id int64) error {
					_, err := f.svc.Snooze(ctx, a, id, f.clock.Now().Add(time.Hour))
					return err
				}},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				tc.ticket.Subject = tc.name
				tc.ticket.CustomerID = f.carla
				tk := f.create(t, tc.ticket)
				if tc.helper != "" {
					if err := f.svc.AddCollaborator(ctx, f.by("al"), tk.ID, f.agents[tc.helper]); err != nil {
						t.Fatal(err)
					}
				}
				n := len(f.events(t, tk.ID))
				err := tc.act(f.by(tc.by), tk.ID)
				if tc.allow {
					if err != nil {
						t.Fatalf("refused: %v", err)
					}
					return
				}
				if !errors.Is(err, ticket.ErrNotYours) {
					t.Fatalf("error = %v, want ErrNotYours", err)
				}
				got := f.get(t, tk.ID)
				if got.Status != tk.Status || got.OwnerID != tk.OwnerID || got.MessageCount != tk.MessageCount || len(f.events(t, tk.ID)) != n {
					t.Errorf("a refused change changed the ticket: %+v", got)
				}
			})
		}
	})
}
