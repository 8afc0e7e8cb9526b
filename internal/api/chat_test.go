package api

import (
	"context"
	"testing"

	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/store/storetest"
	"github.com/rapport/rapport/internal/ticket"
)

// TestEndChat: an agent ends a live chat through the API; it is solved
// with chat_ended in its history. Another channel's ticket cannot be
// ended, and an agent who may not solve the chat may not end it.
func TestEndChat(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		chat, err := f.tickets.Create(ctx, ticket.Actor{Kind: "customer"}, ticket.NewTicket{Subject: "Sizes", Body: "Hi!",
			CustomerEmail: "v@example.com", Channel: "chat", OwnerID: f.ids["agent"]})
		if err != nil {
			t.Fatal(err)
		}
		mail, err := f.tickets.Create(ctx, ticket.Actor{Kind: "customer"}, ticket.NewTicket{Subject: "Invoice", Body: "Hello",
			CustomerEmail: "m@example.com", OwnerID: f.ids["agent"]})
		if err != nil {
			t.Fatal(err)
		}
		f.ids["chat"], f.ids["mail"] = chat.ID, mail.ID
		f.run(t, []scenario{
			{name: "not the owner", method: "POST", path: "/api/v1/tickets/{chat}/end-chat", as: "agent2", status: 403},
			{name: "not a chat", method: "POST", path: "/api/v1/tickets/{mail}/end-chat", as: "agent", status: 400,
				want: []string{"invalid_input", "chat"}},
			{name: "unknown ticket", method: "POST", path: "/api/v1/tickets/999999/end-chat", as: "agent", status: 404},
			{name: "the owner ends it", method: "POST", path: "/api/v1/tickets/{chat}/end-chat", as: "agent", status: 200,
				json: map[string]string{"status": "solved", "channel": "chat"}},
			{name: "again: as it is", method: "POST", path: "/api/v1/tickets/{chat}/end-chat", as: "agent", status: 200,
				json: map[string]string{"status": "solved"}},
		})
		evs, err := f.tickets.Events(ctx, chat.ID)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, e := range evs {
			if e.Type == ticket.EventChatEnded {
				n++
			}
		}
		if n != 1 {
			t.Errorf("%d chat_ended events, want 1", n)
		}
	})
}
