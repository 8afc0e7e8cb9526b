package realtime

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/store/storetest"
)

// next waits for s's next event, failing the test when the subscription
// ends or the test's deadline passes.
func next(t *testing.T, s *Sub) Event {
	t.Helper()
	select {
	case ev := <-s.Events():
		return ev
	case <-s.Done():
		t.Fatalf("subscription ended: %v", s.Err())
	case <-time.After(20 * time.Second):
		t.Fatal("no event")
	}
	return Event{}
}

// none fails when s holds an event.
func none(t *testing.T, s *Sub) {
	t.Helper()
	select {
	case ev := <-s.Events():
		t.Fatalf("unexpected event %+v", ev)
	default:
	}
}

// Each connection hears only what its filter lets through: an agent every
// ticket and only their own notifications, a ticket's visitor only that
// ticket's public changes.
func TestFilters(t *testing.T) {
	b := New(Opts{})
	ctx := context.Background()
	mia, _ := b.Subscribe(ForAgent(1))
	leo, _ := b.Subscribe(ForAgent(2))
	visitor, _ := b.Subscribe(ForTicket(7))

	events := []Event{
		{Kind: KindTicketCreated, Ticket: 9},
		{Kind: KindNotification, Agent: 2, Ticket: 9},
		{Kind: KindNote, Ticket: 7, Message: 40},
		{Kind: KindMessage, Ticket: 7, Message: 41},
		{Kind: KindPresence, Ticket: 7, Agent: 1},
		{Kind: KindStatus, Ticket: 8},
	}
	if err := b.Publish(ctx, events...); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		sub  *Sub
		want []Event
	}{
		{"agent 1: tickets, no one else's notification, not their own presence", mia,
			[]Event{events[0], events[2], events[3], events[5]}},
		{"agent 2: tickets, their notification, agent 1's presence", leo,
			[]Event{events[0], events[1], events[2], events[3], events[4], events[5]}},
		{"visitor of ticket 7: its public message only", visitor, []Event{events[3]}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			for _, want := range tc.want {
				if got := next(t, tc.sub); got != want {
					t.Fatalf("got %+v, want %+v", got, want)
				}
			}
			none(t, tc.sub)
		})
	}
}

// A connection that does not take its events is dropped when its queue is
// full, and the others go on receiving: it cannot stall them.
func TestSlowSubscriberDropped(t *testing.T) {
	b := New(Opts{Queue: 4})
	ctx := context.Background()
	slow, _ := b.Subscribe(ForAgent(1))
	fast, _ := b.Subscribe(ForAgent(2))
	for i := range 10 {
		if err := b.Publish(ctx, Event{Kind: KindTicketCreated, Ticket: int64(i + 1)}); err != nil {
			t.Fatal(err)
		}
		if got := next(t, fast); got.Ticket != int64(i+1) {
			t.Fatalf("fast subscriber got ticket %d, want %d", got.Ticket, i+1)
		}
	}
	select {
	case <-slow.Done():
	default:
		t.Fatal("the slow subscriber is still subscribed")
	}
	if !errors.Is(slow.Err(), ErrSlow) {
		t.Errorf("slow subscriber ended with %v, want ErrSlow", slow.Err())
	}
	if fast.Err() != nil {
		t.Errorf("fast subscriber ended: %v", fast.Err())
	}
	if n := b.Subscribers(); n != 1 {
		t.Errorf("%d subscribers left, want 1", n)
	}
}

// Draining ends every subscription with ErrDraining and refuses new ones.
func TestDrainEndsSubscriptions(t *testing.T) {
	b := New(Opts{})
	s, _ := b.Subscribe(ForAgent(1))
	if err := b.Drain(context.Background()); err != nil {
		t.Fatal(err)
	}
	if !errors.Is(s.Err(), ErrDraining) {
		t.Errorf("subscription ended with %v, want ErrDraining", s.Err())
	}
	if _, err := b.Subscribe(ForAgent(1)); !errors.Is(err, ErrDraining) {
		t.Errorf("subscribe while draining: %v, want ErrDraining", err)
	}
}

// Two nodes on one PostgreSQL database: an event published on one reaches
// the other's subscribers (and its own) through LISTEN/NOTIFY.
func TestTwoNodesOnPostgres(t *testing.T) {
	dsn := storetest.PostgresDSN(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var brokers [2]*Broker
	for i := range brokers {
		db, err := store.Open(ctx, dsn)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		brokers[i] = New(Opts{DB: db})
		done := make(chan struct{})
		go func() { defer close(done); brokers[i].Run(ctx) }()
		t.Cleanup(func() { cancel(); <-done })
		select {
		case <-brokers[i].Ready():
		case <-time.After(20 * time.Second):
			t.Fatal("LISTEN did not start")
		}
	}
	there, _ := brokers[1].Subscribe(ForAgent(5))
	here, _ := brokers[0].Subscribe(ForAgent(5))
	ev := Event{Kind: KindMessage, Ticket: 12, Message: 99}
	if err := brokers[0].Publish(ctx, ev); err != nil {
		t.Fatal(err)
	}
	if got := next(t, there); got != ev {
		t.Errorf("the other node got %+v, want %+v", got, ev)
	}
	if got := next(t, here); got != ev {
		t.Errorf("the publishing node got %+v, want %+v", got, ev)
	}
	// A notification crosses to its agent only.
	other, _ := brokers[1].Subscribe(ForAgent(6))
	if err := brokers[0].Publish(ctx, Event{Kind: KindNotification, Agent: 5}); err != nil {
		t.Fatal(err)
	}
	if got := next(t, there); got.Kind != KindNotification {
		t.Errorf("agent 5 got %+v, want the notification", got)
	}
	if err := brokers[0].Publish(ctx, Event{Kind: KindStatus, Ticket: 3}); err != nil {
		t.Fatal(err)
	}
	if got := next(t, other); got.Kind != KindStatus {
		t.Errorf("agent 6 got %+v before the status change, want no notification", got)
	}
}

func TestParseEvents(t *testing.T) {
	cases := []struct {
		name, in string
		ok       bool
	}{
		{"one event", `[{"kind":"ticket.created","ticket":4}]`, true},
		{"empty list", `[]`, true},
		{"unknown kind", `[{"kind":"secret","ticket":4}]`, false},
		{"negative id", `[{"kind":"ticket.message","ticket":-4}]`, false},
		{"not a list", `{"kind":"ticket.created"}`, false},
		{"not JSON", `ticket 4`, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseEvents([]byte(tc.in))
			if (err == nil) != tc.ok {
				t.Errorf("ParseEvents(%s) = %v, want ok %v", tc.in, err, tc.ok)
			}
			if err != nil && !errors.Is(err, ErrBadPayload) {
				t.Errorf("error %v is not ErrBadPayload", err)
			}
		})
	}
}

func FuzzParseEvents(f *testing.F) {
	for _, s := range []string{`[{"kind":"ticket.created","ticket":4}]`, `[]`, `[{"kind":"notification","agent":3,"ticket":1}]`,
		`[{"kind":"x"}]`, `null`, `[{"kind":"ticket.message","ticket":1,"message":9223372036854775807}]`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		evs, err := ParseEvents(b)
		if err != nil {
			return
		}
		for _, ev := range evs {
			if !kinds[ev.Kind] || ev.Ticket < 0 || ev.Agent < 0 || ev.Message < 0 {
				t.Fatalf("accepted %+v", ev)
			}
		}
		if len(evs) > maxEvents {
			t.Fatalf("accepted %d events", len(evs))
		}
	})
}

// The events of a ticket change: one per kind, one per message.
func TestTicketEvents(t *testing.T) {
	got := TicketEvents(5, []string{"created", "assigned", "customer_message", "replied", "tags_changed", "priority_changed"},
		[]int64{0, 0, 10, 11, 0, 0})
	want := []Event{{Kind: KindTicketCreated, Ticket: 5}, {Kind: KindAssigned, Ticket: 5},
		{Kind: KindMessage, Ticket: 5, Message: 10}, {Kind: KindMessage, Ticket: 5, Message: 11}, {Kind: KindChanged, Ticket: 5}}
	if len(got) != len(want) {
		t.Fatalf("got %+v, want %+v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("event %d: got %+v, want %+v", i, got[i], want[i])
		}
	}
}

// TestPublishSoonReachesOtherNode checks that events many changes publish
// at once with PublishSoon, which Run's sender sends together, all reach
// another node, each once.
func TestPublishSoonReachesOtherNode(t *testing.T) {
	dsn := storetest.PostgresDSN(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var brokers [2]*Broker
	for i := range brokers {
		db, err := store.Open(ctx, dsn)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		brokers[i] = New(Opts{DB: db})
		done := make(chan struct{})
		go func() { defer close(done); brokers[i].Run(ctx) }()
		t.Cleanup(func() { cancel(); <-done })
		select {
		case <-brokers[i].Ready():
		case <-time.After(20 * time.Second):
			t.Fatal("LISTEN did not start")
		}
	}
	there, _ := brokers[1].Subscribe(ForAgent(5))
	const n = 40
	var wg sync.WaitGroup
	for i := 1; i <= n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := brokers[0].PublishSoon(ctx, Event{Kind: KindMessage, Ticket: int64(i), Message: int64(100 + i)}); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	seen := map[int64]int{}
	for range n {
		ev := next(t, there)
		seen[ev.Ticket]++
	}
	for i := int64(1); i <= n; i++ {
		if seen[i] != 1 {
			t.Errorf("ticket %d's event arrived %d times, want once", i, seen[i])
		}
	}
}
