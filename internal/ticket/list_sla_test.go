package ticket_test

import (
	"context"
	"database/sql"
	"slices"
	"testing"
	"time"

	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/store/storetest"
	"github.com/rapport/rapport/internal/ticket"
)

// dueByPriority is a Timers hook that gives a ticket a deadline its
// priority's time after it was created (none for a priority it lacks)
// until the ticket is solved.
type dueByPriority map[string]time.Duration

func (d dueByPriority) TicketChanged(_ context.Context, _ *sql.Tx, t ticket.TimerTicket, _ []ticket.TimerEvent) (time.Time, bool, error) {
	if t.Status == ticket.Solved || t.Status == ticket.Closed || d[t.Priority] == 0 {
		return time.Time{}, false, nil
	}
	return t.CreatedAt.Add(d[t.Priority]), false, nil
}

// The "sla" sort lists the earliest deadline first and the tickets without
// one last (by number), on both databases, page after page; each ticket
// carries its deadline.
func TestListSortSLA(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		svc := ticket.NewService(ticket.Opts{DB: db, Clock: f.clock, Jobs: f.jobs, Customers: f.customers})
		due := dueByPriority{ticket.Urgent: time.Hour, ticket.High: 4 * time.Hour, ticket.Normal: 8 * time.Hour}
		if err := svc.Subscribe(ticket.Subscriber{Name: "due", InTx: due.TicketChanged}); err != nil {
			t.Fatal(err)
		}
		ids := map[string]int64{}
		created := map[string]time.Time{}
		for _, tc := range []struct {
			subject, priority string
			owner             int64
		}{
			{"low a", ticket.Low, 0}, {"urgent", ticket.Urgent, f.agents["al"]}, {"normal", ticket.Normal, 0},
			{"high", ticket.High, 0}, {"low b", ticket.Low, f.agents["al"]}, {"high solved", ticket.High, 0},
		} {
			f.clock.Advance(time.Minute)
			tk, err := svc.Create(ctx, f.by("al"), ticket.NewTicket{Subject: tc.subject, Body: "x", CustomerID: f.carla,
				Priority: tc.priority, OwnerID: tc.owner})
			if err != nil {
				t.Fatal(err)
			}
			ids[tc.subject], created[tc.subject] = tk.ID, tk.CreatedAt
		}
		if _, err := svc.Update(ctx, f.by("al"), ids["high solved"], ticket.Update{Status: ptrStatus(ticket.Solved)}); err != nil {
			t.Fatal(err)
		}

		if got, want := f.get(t, ids["urgent"]).SLADueAt, created["urgent"].Add(time.Hour); !got.Equal(want) {
			t.Errorf("Get: SLADueAt %v, want %v", got, want)
		}
		if got := f.get(t, ids["low a"]).SLADueAt; !got.IsZero() {
			t.Errorf("Get: a ticket without a deadline has SLADueAt %v", got)
		}

		tests := []struct {
			name string
			o    ticket.ListOptions
			want []string
		}{
			{"all", ticket.ListOptions{View: ticket.ViewAll}, []string{"urgent", "high", "normal", "low a", "low b", "high solved"}},
			{"open", ticket.ListOptions{View: ticket.ViewOpen}, []string{"urgent", "high", "normal", "low a", "low b"}},
			{"high only", ticket.ListOptions{View: ticket.ViewAll, Priority: ticket.High}, []string{"high", "high solved"}},
			{"mine", ticket.ListOptions{View: ticket.ViewMine, ViewerID: f.agents["al"]}, []string{"urgent", "low b"}},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				// Pages of two cross from the deadlines to the rest.
				o := tc.o
				o.Sort, o.Limit = "sla", 2
				var got []string
				for page := 0; page < 10; page++ {
					p, err := svc.List(ctx, o)
					if err != nil {
						t.Fatal(err)
					}
					for _, tk := range p.Tickets {
						got = append(got, tk.Subject)
						want := time.Time{}
						if d := (dueByPriority{ticket.Urgent: time.Hour, ticket.High: 4 * time.Hour, ticket.Normal: 8 * time.Hour})[tk.Priority]; d != 0 && tk.Status != ticket.Solved {
							want = created[tk.Subject].Add(d)
						}
						if !tk.SLADueAt.Equal(want) {
							t.Errorf("%s: SLADueAt %v, want %v", tk.Subject, tk.SLADueAt, want)
						}
					}
					if p.NextCursor == "" {
						break
					}
					o.Cursor = p.NextCursor
				}
				if !slices.Equal(got, tc.want) {
					t.Errorf("order %q, want %q", got, tc.want)
				}
			})
		}

		// A cursor of another sort is refused.
		p, err := svc.List(ctx, ticket.ListOptions{View: ticket.ViewAll, Sort: "updated", Limit: 1})
		if err != nil {
			t.Fatal(err)
		}
		_, err = svc.List(ctx, ticket.ListOptions{View: ticket.ViewAll, Sort: "sla", Cursor: p.NextCursor})
		wantFields(t, err, "cursor")
	})
}

func ptrStatus(s ticket.Status) *ticket.Status { return &s }
