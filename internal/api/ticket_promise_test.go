package api

import (
	"context"
	"testing"
	"time"

	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/store/storetest"
	"github.com/rapport/rapport/internal/ticket"
)

// TestPromiseScenarios: list, make (with and without a reply), keep and
// cancel action plans, and each kind of bad input, on every database.
func TestPromiseScenarios(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		f.seed(t)
		f.run(t, []scenario{
			{name: "none yet", method: "GET", path: "/tickets/{printer}/promises", as: "agent", status: 200, want: []string{`"data":[]`}},
			{name: "unknown ticket", method: "GET", path: "/tickets/999999/promises", as: "agent", status: 404},
			{name: "no token", method: "GET", path: "/tickets/{printer}/promises", status: 401},
			{name: "make with a reply", method: "POST", path: "/tickets/{printer}/promises", as: "agent", status: 201,
				body: `{"what":"the replacement ships","due":"2025-03-11T12:00:00Z","body":"Sorry about the fire."}`,
				json: map[string]string{"what": "the replacement ships", "status": "open", "due": "2025-03-11T12:00:00.000Z",
					"agent_id": "{agent}", "overdue": "false", "resolved_at": "null"},
				save: map[string]string{"shipped": "id"}},
			{name: "the customer is told the time in words", method: "GET", path: "/tickets/{printer}/messages", as: "agent", status: 200,
				want: []string{`Sorry about the fire.\n\nWhat we will do: the replacement ships — by Tuesday 11 March 2025 at 12:00 UTC.`}},
			{name: "make on its own", method: "POST", path: "/tickets/{printer}/promises", as: "agent", status: 201,
				body: `{"what":"check the stock","due":"2025-03-10T15:00:00Z"}`, save: map[string]string{"stock": "id"}},
			{name: "past", method: "POST", path: "/tickets/{printer}/promises", as: "agent", status: 400,
				body: `{"what":"x","due":"2025-03-01T09:00:00Z"}`, json: map[string]string{"error.fields.due": "*"}},
			{name: "not a time", method: "POST", path: "/tickets/{printer}/promises", as: "agent", status: 400,
				body: `{"what":"x","due":"tomorrow"}`, json: map[string]string{"error.fields.due": "*"}},
			{name: "empty what", method: "POST", path: "/tickets/{printer}/promises", as: "agent", status: 400,
				body: `{"what":" ","due":"2025-03-11T09:00:00Z"}`, json: map[string]string{"error.fields.what": "*"}},
			{name: "unknown field", method: "POST", path: "/tickets/{printer}/promises", as: "agent", status: 400,
				body: `{"what":"x","due":"2025-03-11T09:00:00Z","when":"soon"}`, json: map[string]string{"error.code": "invalid_json"}},
			{name: "closed ticket", method: "POST", path: "/tickets/{old}/promises", as: "agent", status: 400,
				body: `{"what":"x","due":"2025-03-11T09:00:00Z"}`, json: map[string]string{"error.fields.status": "*"}},
			{name: "list", method: "GET", path: "/tickets/{printer}/promises", as: "agent", status: 200,
				json: map[string]string{"data.0.id": "{shipped}", "data.1.id": "{stock}", "data.1.status": "open"},
				not:  []string{`"said_done"`}},
			{name: "keep", method: "POST", path: "/tickets/{printer}/promises/{shipped}/keep", as: "agent", status: 200,
				json: map[string]string{"data.0.status": "kept", "data.0.resolved_at": "*"}},
			{name: "keep twice", method: "POST", path: "/tickets/{printer}/promises/{shipped}/keep", as: "agent", status: 400,
				json: map[string]string{"error.fields.promise": "*"}},
			{name: "keep through another ticket", method: "POST", path: "/tickets/{refund}/promises/{stock}/keep", as: "agent", status: 404},
			{name: "keep unknown", method: "POST", path: "/tickets/{printer}/promises/999999/keep", as: "agent", status: 404},
			{name: "cancel without a reason", method: "POST", path: "/tickets/{printer}/promises/{stock}/cancel", as: "agent", status: 400,
				body: `{"reason":""}`, json: map[string]string{"error.fields.reason": "*"}},
			{name: "cancel", method: "POST", path: "/tickets/{printer}/promises/{stock}/cancel", as: "agent", status: 200,
				body: `{"reason":"the stock arrived"}`,
				json: map[string]string{"data.1.status": "cancelled", "data.1.cancel_reason": "the stock arrived"}},
			{name: "history", method: "GET", path: "/tickets/{printer}/events", as: "agent", status: 200,
				want: []string{`"promise_made"`, `"promise_kept"`, `"promise_cancelled"`}},
		})
		// An open promise past its time reads overdue until its job runs.
		if _, err := f.tickets.MakePromise(context.Background(), ticket.AgentActor(f.ids["agent"]), f.ids["refund"], "call back",
			f.clock.Now().Add(time.Hour), ""); err != nil {
			t.Fatal(err)
		}
		f.clock.Advance(2 * time.Hour)
		f.run(t, []scenario{{name: "overdue", method: "GET", path: "/tickets/{refund}/promises", as: "agent", status: 200,
			json: map[string]string{"data.0.overdue": "true", "data.0.status": "open"}, not: []string{`"said_done"`}},
			// A reply that says it is done: the list offers to keep it.
			{name: "a reply that says it is done", method: "POST", path: "/tickets/{refund}/reply", as: "agent", status: 201,
				body: `{"body":"Good news: the replacement has shipped."}`},
			{name: "the list offers to keep", method: "GET", path: "/tickets/{refund}/promises", as: "agent", status: 200,
				json: map[string]string{"data.0.said_done.by": "agent", "data.0.said_done.words": "replacement has shipped",
					"data.0.status": "open"}}})
	})
}
