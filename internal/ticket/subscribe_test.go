package ticket_test

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rapport/rapport/internal/jobs"
	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/store/storetest"
	"github.com/rapport/rapport/internal/ticket"
)

// Subscribers are one list: a second registration, a nameless or doubled
// subscriber, or one that is neither or both kinds is refused.
func TestSubscribeRefusesBadLists(t *testing.T) {
	inTx := func(context.Context, *sql.Tx, ticket.TimerTicket, []ticket.TimerEvent) (time.Time, bool, error) {
		return time.Time{}, false, nil
	}
	after := func(context.Context, ticket.Outbox, ticket.TimerTicket, []ticket.TimerEvent) error { return nil }
	for _, tc := range []struct {
		name string
		subs []ticket.Subscriber
		want string
	}{
		{"no name", []ticket.Subscriber{{InTx: inTx}}, "without a name"},
		{"twice", []ticket.Subscriber{{Name: "a", InTx: inTx}, {Name: "a", After: after}}, `"a" registered twice`},
		{"neither", []ticket.Subscriber{{Name: "a"}}, "exactly one of InTx and After"},
		{"both", []ticket.Subscriber{{Name: "a", InTx: inTx, After: after}}, "exactly one of InTx and After"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, storetest.SQLite(t))
			err := f.svc.Subscribe(tc.subs...)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Subscribe = %v, want an error with %q", err, tc.want)
			}
		})
	}
	f := newFixture(t, storetest.SQLite(t))
	if err := f.svc.Subscribe(ticket.Subscriber{Name: "a", InTx: inTx}); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.Subscribe(ticket.Subscriber{Name: "b", InTx: inTx}); !errors.Is(err, ticket.ErrSubscribed) {
		t.Fatalf("second Subscribe = %v, want ErrSubscribed", err)
	}
	if got := f.svc.Subscribers(); len(got) != 1 || got[0] != "a" {
		t.Fatalf("Subscribers = %v", got)
	}
}

// Subscribers run in their order for every change; an after-commit
// subscriber's jobs are queued with the change and vanish with it when a
// later subscriber fails; the earliest in-transaction deadline is stored.
func TestSubscribersOrderAndOutbox(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		var order []string
		fail := false
		due := func(name string, d time.Duration) ticket.InTxFunc {
			return func(_ context.Context, _ *sql.Tx, tk ticket.TimerTicket, _ []ticket.TimerEvent) (time.Time, bool, error) {
				order = append(order, name)
				if fail && name == "last" {
					return time.Time{}, false, errors.New("refused")
				}
				return tk.Now.Add(d), false, nil
			}
		}
		err := f.svc.Subscribe(
			ticket.Subscriber{Name: "early", InTx: due("early", 3*time.Hour)},
			ticket.Subscriber{Name: "queue", After: func(_ context.Context, out ticket.Outbox, tk ticket.TimerTicket, evs []ticket.TimerEvent) error {
				order = append(order, "queue")
				return out.Enqueue(jobs.Job{Kind: "test.after", UniqueKey: "after:" + evs[0].Type + ":" + strconv.FormatInt(tk.ID, 10)})
			}},
			ticket.Subscriber{Name: "last", InTx: due("last", time.Hour)},
		)
		if err != nil {
			t.Fatal(err)
		}
		tk := f.create(t, ticket.NewTicket{Subject: "Order", Body: "Where is it?", CustomerID: f.carla})
		if strings.Join(order, ",") != "early,queue,last" {
			t.Fatalf("order = %v", order)
		}
		if got := f.get(t, tk.ID).SLADueAt; !got.Equal(start.Add(time.Hour)) {
			t.Fatalf("sla due = %v, want the earliest deadline %v", got, start.Add(time.Hour))
		}
		if f.pendingJobs(t, "after:created:"+strconv.FormatInt(tk.ID, 10)) != 1 {
			t.Fatal("the after-commit job was not queued with the change")
		}
		fail = true
		note := "Checking"
		if _, err := f.svc.Update(ctx, f.by("al"), tk.ID, ticket.Update{Subject: &note}); err == nil {
			t.Fatal("a failing subscriber did not fail the change")
		}
		if f.pendingJobs(t, "after:subject_changed:"+strconv.FormatInt(tk.ID, 10)) != 0 {
			t.Fatal("a job queued by a change that rolled back was kept")
		}
		if got := f.get(t, tk.ID); got.Subject != "Order" {
			t.Fatalf("subject = %q after the change failed", got.Subject)
		}
	})
}

// An event's id reads the same whichever integer type the change stored.
func TestTimerEventID(t *testing.T) {
	for _, tc := range []struct {
		name string
		data map[string]any
		want int64
	}{
		{"int64", map[string]any{"message_id": int64(42)}, 42},
		{"int", map[string]any{"message_id": 42}, 42},
		{"from JSON", map[string]any{"message_id": float64(42)}, 42},
		{"missing", map[string]any{"to": "solved"}, 0},
		{"not a number", map[string]any{"message_id": "42"}, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := (ticket.TimerEvent{Type: ticket.EventReplied, Data: tc.data}).ID("message_id"); got != tc.want {
				t.Fatalf("ID = %d, want %d", got, tc.want)
			}
		})
	}
}

// Subscribers are told the ticket as the change leaves it, whether the
// change read it back or kept the row it wrote: what they are given is
// what a query in their transaction reads, for a new ticket with and
// without an owner, a reply that solves, a snooze, a transfer and a
// customer's message that reopens.
func TestSubscribersSeeTheRowTheChangeLeft(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		checked := 0
		err := f.svc.Subscribe(ticket.Subscriber{Name: "check", InTx: func(ctx context.Context, tx *sql.Tx, tk ticket.TimerTicket, _ []ticket.TimerEvent) (time.Time, bool, error) {
			var status, priority, channel string
			var owner, team, customer, created int64
			var first, snoozed sql.NullInt64
			err := tx.QueryRowContext(ctx, `SELECT status, priority, channel, COALESCE(owner_id, 0), COALESCE(team_id, 0),
				customer_id, created_at, first_response_at, snoozed_until FROM tickets WHERE id = $1`, tk.ID).
				Scan(&status, &priority, &channel, &owner, &team, &customer, &created, &first, &snoozed)
			if err != nil {
				return time.Time{}, false, err
			}
			want := ticket.TimerTicket{ID: tk.ID, Status: ticket.Status(status), Priority: priority, Channel: channel,
				TeamID: team, OwnerID: owner, CustomerID: customer, CreatedAt: store.Time(created),
				FirstResponseAt: store.NullTime(first), Snoozed: snoozed.Valid, Now: tk.Now}
			if !tk.CreatedAt.Equal(want.CreatedAt) || !tk.FirstResponseAt.Equal(want.FirstResponseAt) {
				t.Errorf("ticket %d: subscriber told created %v, first response %v; the row has %v, %v",
					tk.ID, tk.CreatedAt, tk.FirstResponseAt, want.CreatedAt, want.FirstResponseAt)
			}
			tk.CreatedAt, tk.FirstResponseAt = want.CreatedAt, want.FirstResponseAt
			if tk != want {
				t.Errorf("subscriber told %+v, the row is %+v", tk, want)
			}
			checked++
			return time.Time{}, false, nil
		}})
		if err != nil {
			t.Fatal(err)
		}
		plain := f.create(t, ticket.NewTicket{Subject: "Order", Body: "Where is it?", CustomerID: f.carla, Priority: ticket.High})
		f.create(t, ticket.NewTicket{Subject: "Refund", Body: "Please", CustomerID: f.carla,
			OwnerID: f.agents["al"], TeamID: f.teams["billing"]})
		if _, err := f.svc.Reply(ctx, f.by("bo"), plain.ID, "Sent today", ticket.Solved); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.AddCustomerMessage(ctx, plain.ID, "Not here yet", ""); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.Snooze(ctx, f.by("bo"), plain.ID, start.Add(48*time.Hour)); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.Transfer(ctx, f.by("bo"), plain.ID, f.agents["al"], f.teams["tech"], "billing question", false); err != nil {
			t.Fatal(err)
		}
		if checked < 6 {
			t.Fatalf("the subscriber checked %d changes, want 6", checked)
		}
	})
}
