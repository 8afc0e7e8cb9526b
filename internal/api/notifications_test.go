package api

import (
	"testing"

	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/store/storetest"
)

// TestNotificationScenarios: the caller's unread notifications, marking
// them read, and bad input, on every database.
func TestNotificationScenarios(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		f.seed(t)
		f.run(t, []scenario{
			{name: "none yet", method: "GET", path: "/notifications", as: "agent", status: 200, want: []string{`"data":[]`}},
			{name: "no token", method: "GET", path: "/notifications", status: 401},
			{name: "a colleague asks for help", method: "POST", path: "/tickets/{refund}/collaborators", as: "agent2", status: 200,
				body: `{"agent_id":{agent}}`},
			{name: "the helper is told", method: "GET", path: "/notifications", as: "agent", status: 200,
				json: map[string]string{"data.0.kind": "collaborator_added", "data.0.ticket_id": "{refund}", "data.0.ticket_subject": "*",
					"data.0.created_at": "*"},
				save: map[string]string{"note": "data.0.id"}},
			{name: "nobody else is", method: "GET", path: "/notifications", as: "manager", status: 200, want: []string{`"data":[]`}},
			{name: "read without an id", method: "POST", path: "/notifications/read", as: "agent", status: 400,
				body: `{"up_to":0}`, json: map[string]string{"error.fields.up_to": "*"}},
			{name: "read with an unknown field", method: "POST", path: "/notifications/read", as: "agent", status: 400,
				body: `{"up_to":1,"all":true}`, json: map[string]string{"error.code": "invalid_json"}},
			{name: "read", method: "POST", path: "/notifications/read", as: "agent", status: 204, body: `{"up_to":{note}}`},
			{name: "none left", method: "GET", path: "/notifications", as: "agent", status: 200, want: []string{`"data":[]`}},
		})
	})
}
