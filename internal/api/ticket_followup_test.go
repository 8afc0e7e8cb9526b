package api

import (
	"context"
	"testing"
	"time"

	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/store/storetest"
	"github.com/rapport/rapport/internal/ticket"
)

// unclearFollowUp makes a ticket owned by the agent, solved, followed up
// and answered in unclear words, and saves its id as key.
func (f *fixture) unclearFollowUp(t *testing.T, key string) {
	t.Helper()
	ctx := context.Background()
	by := ticket.AgentActor(f.ids["agent"])
	tk, err := f.tickets.Create(ctx, by, ticket.NewTicket{Subject: "Lamp " + key, Body: "It flickers.",
		CustomerID: f.ids["customer"], OwnerID: f.ids["agent"], Language: "en"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.tickets.Reply(ctx, by, tk.ID, "Replaced.", ticket.Solved); err != nil {
		t.Fatal(err)
	}
	f.clock.Advance(48 * time.Hour)
	if _, err := f.tickets.NewFollowUp(ctx, tk.ID); err != nil {
		t.Fatal(err)
	}
	if err := f.tickets.RecordSystemEvent(ctx, tk.ID, ticket.EventFollowUpSent, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := f.tickets.AddCustomerMessage(ctx, tk.ID, "When will my refund arrive?", ""); err != nil {
		t.Fatal(err)
	}
	f.ids[key] = tk.ID
}

// TestDecideFollowUpScenarios: an agent decides unclear follow-up answers
// through the API, once each, on every database.
func TestDecideFollowUpScenarios(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		f.seed(t)
		f.unclearFollowUp(t, "rework")
		f.unclearFollowUp(t, "fixed")
		f.run(t, []scenario{
			{name: "the answer is unclear", method: "GET", path: "/tickets/{rework}/followup", as: "agent", status: 200,
				json: map[string]string{"answer": "unclear", "via": "reply"}},
			{name: "the ticket shows it waits", method: "GET", path: "/tickets/{rework}", as: "agent", status: 200,
				json: map[string]string{"followup.answer": "unclear", "followup.awaiting_decision": "true", "followup.sent_at": "*", "reopen_count": "0"}},
			{name: "a ticket never followed up", method: "GET", path: "/tickets/{printer}", as: "agent", status: 200,
				json: map[string]string{"followup": "null"}},
			{name: "no token", method: "POST", path: "/tickets/{rework}/followup/decide", body: `{"fixed":false}`, status: 401},
			{name: "fixed missing", method: "POST", path: "/tickets/{rework}/followup/decide", as: "agent", body: `{}`, status: 400,
				json: map[string]string{"error.fields.fixed": "is required"}},
			{name: "not a boolean", method: "POST", path: "/tickets/{rework}/followup/decide", as: "agent", body: `{"fixed":"yes"}`, status: 400},
			{name: "count as rework", method: "POST", path: "/tickets/{rework}/followup/decide", as: "agent", body: `{"fixed":false}`, status: 200,
				json: map[string]string{"status": "open", "reopen_count": "1", "owner_id": "{agent}", "followup.awaiting_decision": "false"}},
			{name: "rework twice", method: "POST", path: "/tickets/{rework}/followup/decide", as: "agent", body: `{"fixed":true}`, status: 409,
				json: map[string]string{"error.code": "followup_decided"}},
			{name: "still rework", method: "GET", path: "/tickets/{rework}", as: "agent", status: 200,
				json: map[string]string{"status": "open", "reopen_count": "1", "followup.answer": "unclear", "followup.awaiting_decision": "false"}},
			{name: "it was fixed", method: "POST", path: "/tickets/{fixed}/followup/decide", as: "agent", body: `{"fixed":true}`, status: 200,
				json: map[string]string{"status": "closed", "reopen_count": "0", "solved_at": "*", "closed_at": "*"}},
			{name: "fixed twice", method: "POST", path: "/tickets/{fixed}/followup/decide", as: "agent", body: `{"fixed":false}`, status: 409,
				json: map[string]string{"error.code": "followup_decided"}},
			{name: "history", method: "GET", path: "/tickets/{fixed}/events", as: "agent", status: 200,
				want: []string{`"followup_unclear"`, `"fix_confirmed"`, `"followup_decided"`}},
			{name: "nothing to decide", method: "POST", path: "/tickets/{printer}/followup/decide", as: "agent", body: `{"fixed":true}`, status: 409,
				json: map[string]string{"error.code": "no_unclear_followup"}},
			{name: "unknown ticket", method: "POST", path: "/tickets/999999/followup/decide", as: "agent", body: `{"fixed":true}`, status: 404},
		})
	})
}
