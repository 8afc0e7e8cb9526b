package ticket_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/store/storetest"
	"github.com/rapport/rapport/internal/ticket"
)

func TestDecideUnclearFollowUp(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		unclear := func(t *testing.T, name string) ticket.Ticket {
			tk, _ := f.solvedWithFollowUp(t, name, "en")
			if _, err := f.svc.AddCustomerMessage(ctx, tk.ID, "When will my refund arrive?", ""); err != nil {
				t.Fatal(err)
			}
			u, err := f.svc.UndecidedFollowUp(ctx, tk.ID)
			if err != nil || u.Message.BodyText != "When will my refund arrive?" {
				t.Fatalf("undecided = %+v, %v; want the customer's answer", u, err)
			}
			f.clock.Advance(time.Minute)
			return tk
		}
		count := func(id int64, typ string) int {
			return len(slices.DeleteFunc(f.eventTypes(t, id), func(s string) bool { return s != typ }))
		}

		for _, tc := range []struct {
			name        string
			fixed       bool
			wantStatus  ticket.Status
			wantReopens int
			wantFixes   int
		}{
			{"rework", false, ticket.Open, 1, 0},
			{"it was fixed", true, ticket.Closed, 0, 1},
		} {
			t.Run(tc.name, func(t *testing.T) {
				tk := unclear(t, tc.name)
				got, err := f.svc.DecideFollowUp(ctx, f.by("al"), tk.ID, tc.fixed)
				if err != nil {
					t.Fatal(err)
				}
				if got.Status != tc.wantStatus || got.ReopenCount != tc.wantReopens || got.OwnerID != f.agents["al"] ||
					count(tk.ID, ticket.EventFixConfirmed) != tc.wantFixes || count(tk.ID, ticket.EventFollowUpDecided) != 1 {
					t.Errorf("after deciding: %+v, events %v", got, f.eventTypes(t, tk.ID))
				}
				if tc.fixed && got.SolvedAt.IsZero() {
					t.Error("a confirmed fix has no solve time")
				}
				if _, err := f.svc.UndecidedFollowUp(ctx, tk.ID); !isNotFound(err) {
					t.Errorf("still undecided: %v", err)
				}
				n := len(f.eventTypes(t, tk.ID))
				_, err = f.svc.DecideFollowUp(ctx, f.by("al"), tk.ID, !tc.fixed)
				if !errors.Is(err, ticket.ErrFollowUpDecided) {
					t.Errorf("second decision: %v, want ErrFollowUpDecided", err)
				}
				if again := f.get(t, tk.ID); again.Status != got.Status || again.ReopenCount != got.ReopenCount || len(f.eventTypes(t, tk.ID)) != n {
					t.Errorf("the second decision changed the ticket: %+v", again)
				}
			})
		}

		t.Run("nothing to decide", func(t *testing.T) {
			tk, _ := f.solvedWithFollowUp(t, "clear no", "en")
			if _, err := f.svc.DecideFollowUp(ctx, f.by("al"), tk.ID, true); !errors.Is(err, ticket.ErrNoUnclearFollowUp) {
				t.Errorf("unanswered: %v, want ErrNoUnclearFollowUp", err)
			}
			if _, err := f.svc.AddCustomerMessage(ctx, tk.ID, "No, it still does not work", ""); err != nil {
				t.Fatal(err)
			}
			if _, err := f.svc.DecideFollowUp(ctx, f.by("al"), tk.ID, true); !errors.Is(err, ticket.ErrNoUnclearFollowUp) {
				t.Errorf("answered no: %v, want ErrNoUnclearFollowUp", err)
			}
			if got := f.get(t, tk.ID); got.Status != ticket.Open || got.ReopenCount != 1 {
				t.Errorf("a refused decision changed the ticket: %+v", got)
			}
			plain := f.create(t, ticket.NewTicket{Subject: "never followed up"})
			if _, err := f.svc.DecideFollowUp(ctx, f.by("al"), plain.ID, false); !errors.Is(err, ticket.ErrNoUnclearFollowUp) {
				t.Errorf("no follow-up: %v, want ErrNoUnclearFollowUp", err)
			}
			if _, err := f.svc.UndecidedFollowUp(ctx, plain.ID); !isNotFound(err) {
				t.Errorf("undecided without a follow-up: %v", err)
			}
		})
	})
}
