package routing_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/rapport/rapport/internal/customer"
	"github.com/rapport/rapport/internal/routing"
	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/store/storetest"
	"github.com/rapport/rapport/internal/ticket"
)

// chat opens a chat ticket of language lang, VIP or not.
func (f *fixture) chat(t *testing.T, lang string, vip bool) int64 {
	t.Helper()
	ctx := context.Background()
	f.clock.Advance(time.Second)
	c, err := f.custs.Create(ctx, customer.NewCustomer{Name: "V", VIP: vip, Emails: []string{fmt.Sprintf("v%d@example.com", f.clock.Now().Unix())}})
	if err != nil {
		t.Fatal(err)
	}
	tk, err := f.tickets.Create(ctx, ticket.SystemActor, ticket.NewTicket{Subject: "Chat", Body: "Hi, anyone there?",
		CustomerID: c.ID, Language: lang, Channel: routing.ChatChannel})
	if err != nil {
		t.Fatal(err)
	}
	return tk.ID
}

// TestChatCapacity: chats fill each agent's chat capacity and only it; an
// agent at chat capacity gets no chat (but still tickets), an offline
// agent none; a freed slot takes the next chat, the VIP's first; and a
// capacity raised by an admin hands out the waiting chats at once.
func TestChatCapacity(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		ada := f.agent(t, "ada", []string{"en"}, true, 10)
		bo := f.agent(t, "bo", []string{"en"}, true, 10)
		f.agent(t, "off", []string{"en"}, false, 10)
		if _, chats, err := f.router.Capacities(ctx, ada); err != nil || chats != 3 {
			t.Fatalf("a new agent's chat capacity is %d (%v), want the default 3", chats, err)
		}
		if err := f.router.SetChatCapacity(ctx, ada, 2); err != nil {
			t.Fatal(err)
		}
		if err := f.router.SetChatCapacity(ctx, bo, 1); err != nil {
			t.Fatal(err)
		}
		if err := f.router.SetChatCapacity(ctx, bo, routing.MaxChatCapacity+1); err == nil {
			t.Error("a chat capacity over the maximum was accepted")
		}
		var chats []int64
		for i := 0; i < 4; i++ {
			chats = append(chats, f.chat(t, "en", false))
		}
		if _, err := f.q.RunDue(ctx); err != nil {
			t.Fatal(err)
		}
		held := map[int64]int{}
		for _, id := range chats {
			held[f.owner(t, id)]++
		}
		if held[ada] != 2 || held[bo] != 1 || held[0] != 1 {
			t.Fatalf("four chats over capacities 2 and 1: %v, want ada 2, bo 1, one waiting", held)
		}
		// At chat capacity, an email ticket still goes to them.
		mail := f.ticket(t, "en", 0, false)
		f.q.RunDue(ctx)
		if o := f.owner(t, mail); o != ada && o != bo {
			t.Errorf("an email ticket waits while agents have ticket room (owner %d)", o)
		}
		// A VIP's chat comes later but goes first when a slot frees.
		waitingPlain := chats[3]
		vip := f.chat(t, "en", true)
		f.q.RunDue(ctx)
		if f.owner(t, vip) != 0 || f.owner(t, waitingPlain) != 0 {
			t.Fatal("a chat was given to an agent at chat capacity")
		}
		var boChat int64
		for _, id := range chats {
			if f.owner(t, id) == bo {
				boChat = id
			}
		}
		solved := ticket.Solved
		if _, err := f.tickets.Update(ctx, ticket.AgentActor(bo), boChat, ticket.Update{Status: &solved}); err != nil {
			t.Fatal(err)
		}
		f.q.RunDue(ctx)
		if f.owner(t, vip) != bo {
			t.Errorf("the freed slot went to %d's chat, want the VIP's to bo", f.owner(t, waitingPlain))
		}
		if f.owner(t, waitingPlain) != 0 {
			t.Error("bo got two chats with a chat capacity of 1")
		}
		// More capacity: the waiting chat is handed out at once.
		if err := f.router.SetChatCapacity(ctx, bo, 2); err != nil {
			t.Fatal(err)
		}
		f.q.RunDue(ctx)
		if f.owner(t, waitingPlain) != bo {
			t.Errorf("after raising bo's chat capacity the chat waits (owner %d)", f.owner(t, waitingPlain))
		}
	})
}
