package api

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/rapport/rapport/internal/agent"
	"github.com/rapport/rapport/internal/customer"
	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/store/storetest"
	"github.com/rapport/rapport/internal/ticket"
)

// seed adds what the scenarios start from: a team, a customer, an unowned
// ticket (printer), a ticket owned by agent2 (refund) and a closed one (old).
func (f *fixture) seed(t testing.TB) {
	t.Helper()
	ctx := context.Background()
	team, err := f.agents.CreateTeam(ctx, "Billing", "Money questions")
	if err != nil {
		t.Fatal(err)
	}
	f.ids["team"] = team.ID
	c, err := f.customers.Create(ctx, customer.NewCustomer{Name: "Carla Client", Emails: []string{"carla@example.com"}})
	if err != nil {
		t.Fatal(err)
	}
	f.ids["customer"] = c.ID
	other, err := f.customers.Create(ctx, customer.NewCustomer{Name: "Otto Other", Emails: []string{"otto@example.com"}})
	if err != nil {
		t.Fatal(err)
	}
	f.ids["other"] = other.ID
	by := ticket.AgentActor(f.ids["admin"])
	printer, err := f.tickets.Create(ctx, by, ticket.NewTicket{
		Subject: "Printer on fire", Body: "It smokes.", CustomerID: c.ID, Channel: "email",
	})
	if err != nil {
		t.Fatal(err)
	}
	f.ids["printer"] = printer.ID
	refund, err := f.tickets.Create(ctx, by, ticket.NewTicket{
		Subject: "Refund please", Body: "Twice charged.", CustomerID: c.ID, OwnerID: f.ids["agent2"],
	})
	if err != nil {
		t.Fatal(err)
	}
	f.ids["refund"] = refund.ID
	old, err := f.tickets.Create(ctx, by, ticket.NewTicket{Subject: "Old question", Body: "Hello?", CustomerID: other.ID})
	if err != nil {
		t.Fatal(err)
	}
	// Agents solve; only the system (the auto-close job) closes.
	solved, closed := ticket.Solved, ticket.Closed
	if _, err := f.tickets.Update(ctx, by, old.ID, ticket.Update{Status: &solved}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.tickets.Update(ctx, ticket.SystemActor, old.ID, ticket.Update{Status: &closed}); err != nil {
		t.Fatal(err)
	}
	f.ids["old"] = old.ID
}

// TestScenarios walks every route through its success path and each class
// of error, on every database backend.
func TestScenarios(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		f.seed(t)
		f.run(t, scenarios())
	})
}

func scenarios() []scenario {
	big := `{"subject":"big","body":"` + strings.Repeat("x", testMaxBody) + `"}`
	return []scenario{
		// Authentication and routing
		{name: "no token", method: "GET", path: "/tickets", status: 401, json: map[string]string{"error.code": "unauthorized"}},
		{name: "unknown token", method: "GET", path: "/tickets", as: "bad", status: 401, json: map[string]string{"error.code": "unauthorized"}},
		{name: "openapi without token", method: "GET", path: "/openapi.json", status: 200, want: []string{`"openapi"`}},
		{name: "unknown route", method: "GET", path: "/ticket", as: "agent", status: 404, json: map[string]string{"error.code": "not_found"}},
		{name: "wrong method", method: "DELETE", path: "/tickets/{printer}", as: "agent", status: 405,
			json: map[string]string{"error.code": "method_not_allowed"}, header: map[string]string{"Allow": "PATCH"}},
		{name: "me", method: "GET", path: "/me", as: "agent", status: 200,
			json: map[string]string{"id": "{agent}", "email": "agent@rapport.test", "role": "agent"}},
		{name: "set my time zone", method: "PATCH", path: "/me", as: "agent", status: 200,
			body: `{"time_zone":"Asia/Tokyo"}`, json: map[string]string{"id": "{agent}", "time_zone": "Asia/Tokyo", "role": "agent"}},
		{name: "my time zone not a zone", method: "PATCH", path: "/me", as: "agent", status: 400,
			body: `{"time_zone":"Mars/Olympus"}`, json: map[string]string{"error.code": "invalid_input", "error.fields.time_zone": "*"}},
		{name: "my time zone kept", method: "GET", path: "/me", as: "agent", status: 200, json: map[string]string{"time_zone": "Asia/Tokyo"}},
		{name: "my role is not mine to set", method: "PATCH", path: "/me", as: "agent", status: 400,
			body: `{"role":"admin"}`, json: map[string]string{"error.code": "invalid_json"}},
		{name: "my zone back to the business's", method: "PATCH", path: "/me", as: "agent", status: 200,
			body: `{"time_zone":""}`, json: map[string]string{"time_zone": ""}},

		// Tickets: reading
		{name: "list default view", method: "GET", path: "/tickets", as: "agent", status: 200,
			want: []string{"Printer on fire", "Refund please", `"next_cursor":""`}},
		{name: "list all", method: "GET", path: "/tickets?view=all&sort=created", as: "agent", status: 200, want: []string{"Old question"}},
		{name: "list solved view", method: "GET", path: "/tickets?view=solved", as: "agent", status: 200,
			json: map[string]string{"data.0.id": "{old}", "data.0.status": "closed"}},
		{name: "list mine", method: "GET", path: "/tickets?view=mine", as: "agent2", status: 200,
			json: map[string]string{"data.0.id": "{refund}", "data.0.owner_id": "{agent2}"}},
		{name: "list unassigned", method: "GET", path: "/tickets?view=unassigned", as: "agent", status: 200,
			json: map[string]string{"data.0.id": "{printer}", "data.0.owner_id": "null"}},
		{name: "list by owner", method: "GET", path: "/tickets?view=all&owner_id={agent2}", as: "agent", status: 200,
			json: map[string]string{"data.0.id": "{refund}"}},
		{name: "list by customer and channel", method: "GET", path: "/tickets?view=all&customer_id={customer}&channel=email", as: "agent", status: 200,
			json: map[string]string{"data.0.id": "{printer}", "data.0.channel": "email"}},
		{name: "list by status", method: "GET", path: "/tickets?view=all&status=closed", as: "agent", status: 200,
			json: map[string]string{"data.0.id": "{old}"}},
		{name: "list by query", method: "GET", path: "/tickets?view=all&q=printer", as: "agent", status: 200,
			json: map[string]string{"data.0.id": "{printer}", "data.0.customer_email": "carla@example.com"}},
		{name: "search a word only in a message body", method: "GET", path: "/tickets?q=smokes", as: "agent", status: 200,
			json: map[string]string{"data.0.id": "{printer}", "data.0.snippet": "It <mark>smokes</mark>.", "data.0.rank": "*"},
			not:  []string{"Refund please", "Old question"}},
		{name: "search with syntax and filters", method: "GET", path: "/tickets?q=charged+-smokes+from:CARLA@example.com&owner_id={agent2}", as: "agent", status: 200,
			json: map[string]string{"data.0.id": "{refund}"}, not: []string{"Printer on fire", "Old question"}},
		{name: "search by number", method: "GET", path: "/tickets?q=%23{old}", as: "agent", status: 200,
			json: map[string]string{"data.0.id": "{old}"}, not: []string{"Printer on fire", "Refund please"}},
		{name: "search within dates", method: "GET", path: "/tickets?q=smokes&created_from=2025-03-10T00:00:00Z&created_before=2025-03-11T00:00:00Z", as: "agent", status: 200,
			json: map[string]string{"data.0.id": "{printer}"}},
		{name: "search before the tickets", method: "GET", path: "/tickets?q=smokes&created_before=2025-03-10T00:00:00Z", as: "agent", status: 200, want: []string{`"data":[]`}},
		{name: "search bad date", method: "GET", path: "/tickets?q=smokes&created_from=yesterday", as: "agent", status: 400,
			json: map[string]string{"error.fields.created_from": "*"}},
		{name: "search finds nothing", method: "GET", path: "/tickets?q=xylophone", as: "agent", status: 200, want: []string{`"data":[]`}},
		{name: "list with every filter", method: "GET",
			path: "/tickets?view=all&status=new&priority=normal&kind=question&channel=email&language=&team_id={team}&owner_id={agent}&customer_id={customer}&tag=x&q=y&sort=priority&limit=5",
			as:   "agent", status: 200, want: []string{`"data":[]`}},
		{name: "list bad status", method: "GET", path: "/tickets?status=burning", as: "agent", status: 400,
			json: map[string]string{"error.code": "invalid_input", "error.fields.status": "*"}},
		{name: "list bad numbers", method: "GET", path: "/tickets?team_id=x&limit=0", as: "agent", status: 400,
			json: map[string]string{"error.fields.team_id": "*", "error.fields.limit": "*"}},
		// Strict input (issue 17): a parameter that cannot be read is a 400
		// naming it, never a filter dropped.
		{name: "list status with a semicolon", method: "GET", path: "/tickets?view=all&status=solved;x", as: "agent", status: 400,
			json: map[string]string{"error.code": "invalid_query", "error.fields.status": "contains a semicolon: separate parameters with &"}},
		{name: "list with a broken escape", method: "GET", path: "/tickets?q=%zz", as: "agent", status: 400,
			json: map[string]string{"error.code": "invalid_query", "error.fields.q": "is not correctly percent-encoded"}},
		{name: "list with invalid UTF-8", method: "GET", path: "/tickets?q=%ff", as: "agent", status: 400,
			json: map[string]string{"error.code": "invalid_query", "error.fields.q": "*"}},
		{name: "list with a NUL", method: "GET", path: "/tickets?tag=a%00", as: "agent", status: 400,
			json: map[string]string{"error.code": "invalid_query", "error.fields.tag": "must not contain NUL characters"}},
		{name: "list with a status twice", method: "GET", path: "/tickets?status=new&status=solved", as: "agent", status: 400,
			json: map[string]string{"error.code": "invalid_input", "error.fields.status": "is given more than once"}},
		{name: "customers with a semicolon", method: "GET", path: "/customers?q=a;b", as: "agent", status: 400,
			json: map[string]string{"error.fields.q": "*"}},
		{name: "list bad view and sort", method: "GET", path: "/tickets?view=everything&sort=random", as: "agent", status: 400,
			json: map[string]string{"error.fields.view": "*", "error.fields.sort": "*"}},
		{name: "get ticket", method: "GET", path: "/tickets/{printer}", as: "agent", status: 200,
			json: map[string]string{"id": "{printer}", "subject": "Printer on fire", "status": "new", "customer_id": "{customer}",
				"customer_name": "Carla Client", "owner_id": "null", "team_id": "null", "tags": "[]", "first_response_at": "null",
				"created_at": "2025-03-10T09:00:00.000Z", "message_count": "1"}},
		{name: "get unknown ticket", method: "GET", path: "/tickets/999999", as: "agent", status: 404, json: map[string]string{"error.code": "not_found"}},
		{name: "get non-numeric ticket", method: "GET", path: "/tickets/abc", as: "agent", status: 404, json: map[string]string{"error.code": "not_found"}},
		{name: "get ticket zero", method: "GET", path: "/tickets/0", as: "agent", status: 404},

		// Tickets: creating
		{name: "create by email", method: "POST", path: "/tickets", as: "agent", status: 201,
			body:   `{"subject":"Cannot log in","body":"Password reset fails.","customer_email":"Dora@Example.com","customer_name":"Dora","priority":"high","tags":["login"]}`,
			json:   map[string]string{"subject": "Cannot log in", "channel": "api", "status": "new", "priority": "high", "tags.0": "login", "customer_email": "dora@example.com"},
			header: map[string]string{"Location": "/api/v1/tickets/"}, save: map[string]string{"login": "id", "dora": "customer_id"}},
		{name: "create for customer with owner and team", method: "POST", path: "/tickets", as: "agent", status: 201,
			body: `{"subject":"Invoice","body":"Need a copy.","customer_id":{customer},"owner_id":{agent},"team_id":{team},"kind":"request","channel":"phone"}`,
			json: map[string]string{"customer_id": "{customer}", "owner_id": "{agent}", "team_id": "{team}", "team_name": "Billing", "kind": "request", "channel": "phone"},
			save: map[string]string{"invoice": "id"}},
		{name: "create missing subject", method: "POST", path: "/tickets", as: "agent", status: 400,
			body: `{"body":"Hello","customer_id":{customer}}`,
			json: map[string]string{"error.code": "invalid_input", "error.fields.subject": "*"}},
		{name: "create bad priority", method: "POST", path: "/tickets", as: "agent", status: 400,
			body: `{"subject":"x","body":"y","customer_id":{customer},"priority":"whenever"}`,
			json: map[string]string{"error.code": "invalid_input", "error.fields.priority": "*"}},
		{name: "create unknown customer", method: "POST", path: "/tickets", as: "agent", status: 400,
			body: `{"subject":"x","body":"y","customer_id":999999}`,
			json: map[string]string{"error.code": "invalid_input", "error.fields.customer_id": "no such customer"}},
		{name: "create unknown team and owner", method: "POST", path: "/tickets", as: "agent", status: 400,
			body: `{"subject":"x","body":"y","customer_id":{customer},"team_id":999999,"owner_id":999999}`,
			json: map[string]string{"error.fields.team_id": "no such team", "error.fields.owner_id": "no such agent"}},
		{name: "create malformed JSON", method: "POST", path: "/tickets", as: "agent", status: 400,
			body: `{"subject":"x",}`, json: map[string]string{"error.code": "invalid_json"}, want: []string{"offset"}},
		{name: "create unknown field", method: "POST", path: "/tickets", as: "agent", status: 400,
			body: `{"subject":"x","body":"y","urgency":9}`, json: map[string]string{"error.code": "invalid_json"}, want: []string{"urgency"}},
		{name: "create wrong type", method: "POST", path: "/tickets", as: "agent", status: 400,
			body: `{"subject":["x"],"body":"y"}`, json: map[string]string{"error.code": "invalid_json"}, want: []string{"subject"}},
		{name: "create empty body", method: "POST", path: "/tickets", as: "agent", status: 400, json: map[string]string{"error.code": "invalid_json"}},
		{name: "create too large", method: "POST", path: "/tickets", as: "agent", status: 413, body: big,
			json: map[string]string{"error.code": "body_too_large"}},
		{name: "create without token", method: "POST", path: "/tickets", status: 401, body: `{"subject":"x","body":"y"}`},

		// Tickets: changing
		{name: "update fields", method: "PATCH", path: "/tickets/{printer}", as: "agent", status: 200,
			body: `{"subject":"Printer on fire (3rd floor)","priority":"urgent","kind":"complaint","language":"en","tags":["hardware","fire"],"team_id":{team}}`,
			json: map[string]string{"subject": "Printer on fire (3rd floor)", "priority": "urgent", "kind": "complaint", "language": "en",
				"team_id": "{team}"}, want: []string{`"fire"`, `"hardware"`}},
		// Nobody owns the printer ticket, now of Billing, whose member Al
		// is not: a manager changes it.
		{name: "update removes team with null", method: "PATCH", path: "/tickets/{printer}", as: "manager", status: 200,
			body: `{"team_id":null}`, json: map[string]string{"team_id": "null", "priority": "urgent"}},
		{name: "update status", method: "PATCH", path: "/tickets/{printer}", as: "agent", status: 200,
			body: `{"status":"pending"}`, json: map[string]string{"status": "pending"}},
		{name: "update status of a colleague's ticket", method: "PATCH", path: "/tickets/{refund}", as: "agent", status: 403,
			body: `{"status":"solved"}`, json: map[string]string{"error.code": "not_yours"}, want: []string{"owner, a collaborator or a manager"}},
		{name: "transfer a colleague's ticket", method: "POST", path: "/tickets/{refund}/transfer", as: "agent", status: 403,
			body: `{"agent_id":{agent},"reason":"mine now"}`, json: map[string]string{"error.code": "not_yours"}},
		{name: "colleague's ticket unchanged", method: "GET", path: "/tickets/{refund}", as: "agent", status: 200,
			json: map[string]string{"status": "open", "owner_id": "{agent2}", "transfer_count": "0"}},
		{name: "update bad status", method: "PATCH", path: "/tickets/{printer}", as: "agent", status: 400,
			body: `{"status":"burning"}`, json: map[string]string{"error.code": "invalid_input", "error.fields.status": "*"}},
		{name: "update unknown team", method: "PATCH", path: "/tickets/{printer}", as: "agent", status: 400,
			body: `{"team_id":999999}`, json: map[string]string{"error.fields.team_id": "no such team"}},
		{name: "update empty subject", method: "PATCH", path: "/tickets/{printer}", as: "agent", status: 400,
			body: `{"subject":""}`, json: map[string]string{"error.fields.subject": "*"}},
		{name: "update unknown field", method: "PATCH", path: "/tickets/{printer}", as: "agent", status: 400,
			body: `{"owner_id":3}`, json: map[string]string{"error.code": "invalid_json"}, want: []string{"owner_id"}},
		{name: "update unknown ticket", method: "PATCH", path: "/tickets/999999", as: "agent", status: 404, body: `{"priority":"low"}`},
		{name: "update closed ticket", method: "PATCH", path: "/tickets/{old}", as: "agent", status: 409,
			body: `{"priority":"low"}`, json: map[string]string{"error.code": "ticket_closed"}},

		// Tickets: ownership
		{name: "assign missing agent_id", method: "POST", path: "/tickets/{printer}/assign", as: "agent", status: 400,
			body: `{}`, json: map[string]string{"error.fields.agent_id": "*"}},
		{name: "assign unknown agent", method: "POST", path: "/tickets/{printer}/assign", as: "agent", status: 400,
			body: `{"agent_id":999999}`, json: map[string]string{"error.fields.agent_id": "no such agent"}},
		{name: "assign", method: "POST", path: "/tickets/{printer}/assign", as: "agent", status: 200,
			body: `{"agent_id":{agent}}`, json: map[string]string{"owner_id": "{agent}", "owner_name": "Al Agent"}},
		{name: "assign owned ticket needs transfer", method: "POST", path: "/tickets/{refund}/assign", as: "agent", status: 409,
			body: `{"agent_id":{agent}}`, json: map[string]string{"error.code": "needs_transfer"}},
		{name: "assign unknown ticket", method: "POST", path: "/tickets/999999/assign", as: "agent", status: 404, body: `{"agent_id":{agent}}`},
		{name: "transfer without reason", method: "POST", path: "/tickets/{refund}/transfer", as: "agent2", status: 400,
			body: `{"agent_id":{agent}}`, json: map[string]string{"error.fields.reason": "*"}},
		{name: "transfer to nobody", method: "POST", path: "/tickets/{refund}/transfer", as: "agent2", status: 400,
			body: `{"reason":"not mine"}`, json: map[string]string{"error.fields.agent_id": "*"}},
		{name: "transfer", method: "POST", path: "/tickets/{refund}/transfer", as: "agent2", status: 200,
			body: `{"agent_id":{agent},"team_id":{team},"reason":"Billing knows refunds"}`,
			json: map[string]string{"owner_id": "{agent}", "team_id": "{team}", "transfer_count": "1"}},
		{name: "second transfer unconfirmed", method: "POST", path: "/tickets/{refund}/transfer", as: "agent", status: 409,
			body: `{"agent_id":{agent2},"reason":"back to you"}`, json: map[string]string{"error.code": "transfer_again"}},
		{name: "second transfer confirmed", method: "POST", path: "/tickets/{refund}/transfer", as: "agent", status: 200,
			body: `{"agent_id":{agent2},"reason":"back to you","again":true}`, json: map[string]string{"owner_id": "{agent2}", "transfer_count": "2"}},
		{name: "transfer back", method: "POST", path: "/tickets/{refund}/transfer", as: "agent2", status: 200,
			body: `{"agent_id":{agent},"team_id":{team},"reason":"Billing knows refunds","again":true}`,
			json: map[string]string{"owner_id": "{agent}", "transfer_count": "3"}},
		{name: "snooze in the past", method: "POST", path: "/tickets/{refund}/snooze", as: "agent", status: 400,
			body: `{"until":"2001-01-01T00:00:00Z"}`, json: map[string]string{"error.fields.until": "*"}},
		{name: "snooze malformed time", method: "POST", path: "/tickets/{refund}/snooze", as: "agent", status: 400,
			body: `{"until":"tomorrow"}`, json: map[string]string{"error.fields.until": "*"}},
		{name: "snooze", method: "POST", path: "/tickets/{refund}/snooze", as: "agent", status: 200,
			body: `{"until":"2025-03-12T09:00:00Z"}`, json: map[string]string{"snoozed_until": "2025-03-12T09:00:00.000Z"}},
		{name: "snoozed view", method: "GET", path: "/tickets?view=snoozed", as: "agent", status: 200,
			json: map[string]string{"data.0.id": "{refund}"}},
		{name: "unsnooze", method: "POST", path: "/tickets/{refund}/unsnooze", as: "agent", status: 200,
			json: map[string]string{"snoozed_until": "null"}},
		{name: "collaborator unknown agent", method: "POST", path: "/tickets/{refund}/collaborators", as: "agent", status: 400,
			body: `{"agent_id":999999}`, json: map[string]string{"error.fields.agent_id": "*"}},
		{name: "add collaborator", method: "POST", path: "/tickets/{refund}/collaborators", as: "agent", status: 200,
			body: `{"agent_id":{agent2}}`, json: map[string]string{"data.0.agent_id": "{agent2}"}},
		{name: "list collaborators", method: "GET", path: "/tickets/{refund}/collaborators", as: "agent2", status: 200,
			json: map[string]string{"data.0.agent_id": "{agent2}", "data.0.added_by_id": "{agent}"}},
		{name: "remove collaborator", method: "DELETE", path: "/tickets/{refund}/collaborators/{agent2}", as: "agent", status: 200,
			want: []string{`"data":[]`}},
		{name: "collaborators of unknown ticket", method: "GET", path: "/tickets/999999/collaborators", as: "agent", status: 404},
		{name: "transfer closed ticket", method: "POST", path: "/tickets/{old}/transfer", as: "agent", status: 409,
			body: `{"agent_id":{agent2},"reason":"x"}`, json: map[string]string{"error.code": "ticket_closed"}},

		// Tickets: thread and history
		{name: "reply", method: "POST", path: "/tickets/{login}/reply", as: "agent", status: 201,
			body: `{"body":"Try the link again."}`, json: map[string]string{"kind": "reply", "ticket_id": "{login}", "author_agent_id": "{agent}", "body_text": "Try the link again."}},
		{name: "reply makes it open and mine", method: "GET", path: "/tickets/{login}", as: "agent", status: 200,
			json: map[string]string{"status": "open", "owner_id": "{agent}", "first_response_at": "*"}},
		{name: "reply and solve", method: "POST", path: "/tickets/{login}/reply", as: "agent", status: 201,
			body: `{"body":"Fixed.","status":"solved"}`, json: map[string]string{"kind": "reply"}},
		{name: "solved", method: "GET", path: "/tickets/{login}", as: "agent", status: 200,
			json: map[string]string{"status": "solved", "solved_at": "*"}},
		{name: "reply bad status", method: "POST", path: "/tickets/{login}/reply", as: "agent", status: 400,
			body: `{"body":"x","status":"done"}`, json: map[string]string{"error.fields.status": "*"}},
		{name: "reply empty", method: "POST", path: "/tickets/{printer}/reply", as: "agent", status: 400,
			body: `{"body":""}`, json: map[string]string{"error.code": "invalid_input", "error.fields.body": "*"}},
		{name: "reply to closed ticket", method: "POST", path: "/tickets/{old}/reply", as: "agent", status: 409,
			body: `{"body":"Still there?"}`, json: map[string]string{"error.code": "ticket_closed"}},
		{name: "reply to unknown ticket", method: "POST", path: "/tickets/999999/reply", as: "agent", status: 404, body: `{"body":"x"}`},
		{name: "note", method: "POST", path: "/tickets/{printer}/notes", as: "agent2", status: 201,
			body: `{"body":"Called facilities."}`, json: map[string]string{"kind": "note", "author_agent_id": "{agent2}"}},
		{name: "note empty", method: "POST", path: "/tickets/{printer}/notes", as: "agent", status: 400,
			body: `{"body":"  "}`, json: map[string]string{"error.fields.body": "*"}},
		{name: "messages", method: "GET", path: "/tickets/{printer}/messages", as: "agent", status: 200,
			json: map[string]string{"data.0.kind": "customer", "data.0.body_text": "It smokes.", "data.0.author_customer_id": "{customer}",
				"data.1.kind": "note", "next_cursor": ""}},
		{name: "messages of unknown ticket", method: "GET", path: "/tickets/999999/messages", as: "agent", status: 404},
		{name: "events", method: "GET", path: "/tickets/{refund}/events", as: "agent", status: 200,
			json: map[string]string{"data.0.type": "created", "data.0.ticket_id": "{refund}"}, want: []string{`"transferred"`, "Billing knows refunds"}},
		{name: "events of unknown ticket", method: "GET", path: "/tickets/x/events", as: "agent", status: 404},
		{name: "follow-up not sent", method: "GET", path: "/tickets/{refund}/followup", as: "agent", status: 200,
			json: map[string]string{"ticket_id": "{refund}", "sent": "false", "answer": ""}, want: []string{`"sent_at":null`}},
		{name: "follow-up of unknown ticket", method: "GET", path: "/tickets/999999/followup", as: "agent", status: 404},

		// Customers
		{name: "list customers", method: "GET", path: "/customers", as: "agent", status: 200,
			want: []string{"Carla Client", "Otto Other", `"next_cursor"`}},
		{name: "search customers", method: "GET", path: "/customers?q=CARLA&limit=10", as: "agent", status: 200,
			json: map[string]string{"data.0.id": "{customer}", "data.0.email": "carla@example.com", "data.0.identities.0.kind": "email"}},
		{name: "customers bad limit", method: "GET", path: "/customers?limit=1000", as: "agent", status: 400,
			json: map[string]string{"error.fields.limit": "*"}},
		{name: "create customer", method: "POST", path: "/customers", as: "agent", status: 201,
			body: `{"name":"Eve Example","language":"it","vip":true,"tags":["wholesale"],"emails":["eve@example.com"],"phones":["+39 333 1234567"]}`,
			json: map[string]string{"name": "Eve Example", "language": "it", "vip": "true", "email": "eve@example.com", "tags.0": "wholesale"},
			save: map[string]string{"eve": "id"}},
		{name: "create customer with taken email", method: "POST", path: "/customers", as: "agent", status: 409,
			body: `{"name":"Imposter","emails":["carla@example.com"]}`, json: map[string]string{"error.code": "conflict"}},
		{name: "create customer with nothing", method: "POST", path: "/customers", as: "agent", status: 400,
			body: `{}`, json: map[string]string{"error.code": "invalid_input"}},
		{name: "create customer with bad email", method: "POST", path: "/customers", as: "agent", status: 400,
			body: `{"name":"X","emails":["not an email"]}`, json: map[string]string{"error.code": "invalid_input"}},
		{name: "get customer", method: "GET", path: "/customers/{eve}", as: "agent", status: 200,
			json: map[string]string{"id": "{eve}", "vip": "true", "created_at": "*"}},
		{name: "get unknown customer", method: "GET", path: "/customers/999999", as: "agent", status: 404},
		{name: "update customer", method: "PATCH", path: "/customers/{eve}", as: "agent", status: 200,
			body: `{"notes":"Prefers phone","vip":false}`, json: map[string]string{"notes": "Prefers phone", "vip": "false", "name": "Eve Example"}},
		{name: "customer's time zone", method: "PATCH", path: "/customers/{eve}", as: "agent", status: 200,
			body: `{"time_zone":"Europe/Rome"}`, json: map[string]string{"time_zone": "Europe/Rome", "notes": "Prefers phone"}},
		{name: "customer's time zone not a zone", method: "PATCH", path: "/customers/{eve}", as: "agent", status: 400,
			body: `{"time_zone":"Rome"}`, json: map[string]string{"error.code": "invalid_input", "error.fields.time_zone": "*"}},
		{name: "customer's time zone kept", method: "GET", path: "/customers/{eve}", as: "agent", status: 200,
			json: map[string]string{"time_zone": "Europe/Rome"}},
		{name: "update customer wrong type", method: "PATCH", path: "/customers/{eve}", as: "agent", status: 400,
			body: `{"vip":"yes"}`, json: map[string]string{"error.code": "invalid_json"}, want: []string{"vip"}},
		{name: "update unknown customer", method: "PATCH", path: "/customers/999999", as: "agent", status: 404, body: `{"notes":"x"}`},
		{name: "add identity", method: "POST", path: "/customers/{eve}/identities", as: "agent", status: 201,
			body: `{"kind":"external","value":"shop-42"}`, json: map[string]string{"kind": "external", "value": "shop-42", "id": "*"}},
		{name: "add identity taken", method: "POST", path: "/customers/{eve}/identities", as: "agent", status: 409,
			body: `{"kind":"email","value":"carla@example.com"}`, json: map[string]string{"error.code": "conflict"}},
		{name: "add identity bad kind", method: "POST", path: "/customers/{eve}/identities", as: "agent", status: 400,
			body: `{"kind":"fax","value":"123"}`, json: map[string]string{"error.code": "invalid_input"}},
		{name: "add identity to unknown customer", method: "POST", path: "/customers/999999/identities", as: "agent", status: 404,
			body: `{"kind":"external","value":"shop-43"}`},

		// Agents
		{name: "list agents", method: "GET", path: "/agents", as: "agent", status: 200,
			want: []string{"Ada Admin", "Al Agent", "Bo Agent", "Mia Manager"}},
		{name: "agents never show passwords", method: "GET", path: "/agents", as: "admin", status: 200, not: []string{"password", "argon"}},
		{name: "create agent as agent", method: "POST", path: "/agents", as: "agent", status: 403,
			body: `{"email":"new@rapport.test","name":"New","role":"agent","password":"long enough pw"}`, json: map[string]string{"error.code": "forbidden"}},
		{name: "create agent as manager", method: "POST", path: "/agents", as: "manager", status: 403,
			body: `{"email":"new@rapport.test","name":"New","role":"agent","password":"long enough pw"}`},
		{name: "create agent", method: "POST", path: "/agents", as: "admin", status: 201,
			body: `{"email":"new@rapport.test","name":"Nina New","role":"manager","password":"long enough pw","languages":["it","en"]}`,
			json: map[string]string{"email": "new@rapport.test", "role": "manager", "languages": `["it","en"]`, "active": "true"},
			save: map[string]string{"nina": "id"}},
		{name: "create agent with taken email", method: "POST", path: "/agents", as: "admin", status: 409,
			body: `{"email":"agent@rapport.test","name":"Copy","role":"agent","password":"long enough pw"}`, json: map[string]string{"error.code": "conflict"}},
		{name: "create agent short password", method: "POST", path: "/agents", as: "admin", status: 400,
			body: `{"email":"short@rapport.test","name":"Short","role":"agent","password":"123"}`, json: map[string]string{"error.fields.password": "*"}},
		{name: "create agent bad role", method: "POST", path: "/agents", as: "admin", status: 400,
			body: `{"email":"role@rapport.test","name":"Role","role":"owner","password":"long enough pw"}`, json: map[string]string{"error.fields.role": "*"}},
		{name: "update agent", method: "PATCH", path: "/agents/{nina}", as: "admin", status: 200,
			body: `{"availability":"online","role":"agent","locale":"it"}`, json: map[string]string{"availability": "online", "role": "agent", "locale": "it"}},
		{name: "update agent as manager", method: "PATCH", path: "/agents/{nina}", as: "manager", status: 403, body: `{"name":"X"}`},
		{name: "update unknown agent", method: "PATCH", path: "/agents/999999", as: "admin", status: 404, body: `{"name":"X"}`},
		{name: "update agent bad availability", method: "PATCH", path: "/agents/{nina}", as: "admin", status: 400,
			body: `{"availability":"asleep"}`, json: map[string]string{"error.fields.availability": "*"}},

		// Teams
		{name: "list teams", method: "GET", path: "/teams", as: "agent", status: 200,
			json: map[string]string{"data.0.name": "Billing", "data.0.member_ids": "[]"}},
		{name: "create team as agent", method: "POST", path: "/teams", as: "agent", status: 403, body: `{"name":"Support"}`},
		{name: "create team", method: "POST", path: "/teams", as: "manager", status: 201,
			body: `{"name":"Support","description":"First line"}`, json: map[string]string{"name": "Support", "description": "First line"},
			save: map[string]string{"support": "id"}},
		{name: "create team with taken name", method: "POST", path: "/teams", as: "manager", status: 409,
			body: `{"name":"Billing"}`, json: map[string]string{"error.code": "conflict"}},
		{name: "create team without name", method: "POST", path: "/teams", as: "manager", status: 400,
			body: `{"description":"x"}`, json: map[string]string{"error.fields.name": "*"}},
		{name: "update team", method: "PATCH", path: "/teams/{support}", as: "admin", status: 200,
			body: `{"description":"Front line"}`, json: map[string]string{"name": "Support", "description": "Front line"}},
		{name: "update team as agent", method: "PATCH", path: "/teams/{support}", as: "agent", status: 403, body: `{"name":"X"}`},
		{name: "update unknown team", method: "PATCH", path: "/teams/999999", as: "manager", status: 404, body: `{"name":"X"}`},
		{name: "set members", method: "PUT", path: "/teams/{support}/members", as: "manager", status: 200,
			body: `{"agent_ids":[{agent},{agent2}]}`, json: map[string]string{"id": "{support}"}, want: []string{"member_ids"}},
		{name: "members show on agents", method: "GET", path: "/me", as: "agent2", status: 200, json: map[string]string{"team_ids": "[{support}]"}},
		{name: "set members unknown agent", method: "PUT", path: "/teams/{support}/members", as: "manager", status: 400,
			body: `{"agent_ids":[999999]}`, json: map[string]string{"error.fields.agent_ids": "*"}},
		{name: "set members missing list", method: "PUT", path: "/teams/{support}/members", as: "manager", status: 400,
			body: `{}`, json: map[string]string{"error.fields.agent_ids": "*"}},
		{name: "set members of unknown team", method: "PUT", path: "/teams/999999/members", as: "manager", status: 404, body: `{"agent_ids":[]}`},
		{name: "set members as agent", method: "PUT", path: "/teams/{support}/members", as: "agent", status: 403, body: `{"agent_ids":[]}`},
		{name: "delete team as agent", method: "DELETE", path: "/teams/{support}", as: "agent", status: 403},
		{name: "delete team", method: "DELETE", path: "/teams/{support}", as: "manager", status: 204},
		{name: "delete team again", method: "DELETE", path: "/teams/{support}", as: "manager", status: 404},
		{name: "deleted team is gone", method: "GET", path: "/teams", as: "agent", status: 200,
			json: map[string]string{"data.0.name": "Billing"}, not: []string{"Support"}},
	}
}

// TestPermissionsFromRouteTable calls every route that needs more than
// working tickets as a plain agent (403) and every non-public route without
// a token (401), so a route added to the table is checked automatically.
func TestPermissionsFromRouteTable(t *testing.T) {
	f := newFixture(t, storetest.SQLite(t))
	for _, rt := range (&server{}).routes() {
		path := Prefix + strings.ReplaceAll(rt.path, "{id}", "1")
		name := rt.method + " " + rt.path
		if rt.perm == public {
			continue
		}
		t.Run(name, func(t *testing.T) {
			rec := f.do(t, rt.method, path, `{}`, "")
			mustStatus(t, rec, http.StatusUnauthorized, "without token")
			checkResponse(t, rec)
			rec = f.do(t, rt.method, path, `{}`, "bad")
			mustStatus(t, rec, http.StatusUnauthorized, "unknown token")
			if agent.RoleAgent.Can(rt.perm) {
				return
			}
			rec = f.do(t, rt.method, path, `{}`, "agent")
			mustStatus(t, rec, http.StatusForbidden, "as agent")
			checkResponse(t, rec)
			if agent.RoleManager.Can(rt.perm) {
				return
			}
			rec = f.do(t, rt.method, path, `{}`, "manager")
			mustStatus(t, rec, http.StatusForbidden, "as manager")
		})
	}
}
