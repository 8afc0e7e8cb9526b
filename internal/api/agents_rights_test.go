package api

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/rapport/rapport/internal/audit"
	"github.com/rapport/rapport/internal/i18n"
	"github.com/rapport/rapport/internal/jobs"
	"github.com/rapport/rapport/internal/kb"
	"github.com/rapport/rapport/internal/routing"
	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/store/storetest"
)

// An admin gives an agent the right to write the knowledge base through
// PATCH /agents/{id}: the agent's token writes articles from the next
// request on, and cannot once the right is taken away; both changes are
// in the audit log with the state before and after. chat_capacity is
// read and written alike, within the web form's range, audited as the
// admin's page audits it.
func TestAgentRightsAndChatCapacityScenarios(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		svc := kb.New(kb.Opts{DB: db, Clock: f.clock})
		cat, err := svc.SaveCategory(ctx, 0, kb.CategoryInput{Slug: "orders", Names: kb.Names{"en": "Orders"}})
		if err != nil {
			t.Fatal(err)
		}
		sec, err := svc.SaveSection(ctx, 0, kb.SectionInput{CategoryID: cat, Names: kb.Names{"en": "Returns"}})
		if err != nil {
			t.Fatal(err)
		}
		router := routing.NewRouter(routing.Opts{DB: db, Jobs: jobs.New(db, f.clock, nil), Tickets: f.tickets, Clock: f.clock})
		f.h = New(Opts{Agents: f.agents, Customers: f.customers, Tickets: f.tickets, Routing: router, Router: router,
			MaxBodyBytes: testMaxBody, I18n: i18n.MustLoad(), Clock: f.clock, KB: svc})
		article := `{"section_id": ` + strconv.FormatInt(sec, 10) + `, "language": "en", "title": "Returns"}`
		f.run(t, []scenario{
			{name: "read: no right, chat capacity 3", method: "GET", path: "/agents/{agent}", as: "agent2", status: 200,
				json: map[string]string{"id": "{agent}", "kb_editor": "false", "chat_capacity": "3"}},
			{name: "list shows both", method: "GET", path: "/agents", as: "agent", status: 200, want: []string{`"kb_editor":false`, `"chat_capacity":3`}},
			{name: "unknown agent", method: "GET", path: "/agents/9999", as: "agent", status: 404},
			{name: "without the right, no article", method: "POST", path: "/kb/articles", as: "agent", body: article, status: 403},
			{name: "a manager may not give it", method: "PATCH", path: "/agents/{agent}", as: "manager", body: `{"kb_editor": true}`, status: 403},
			{name: "not a boolean", method: "PATCH", path: "/agents/{agent}", as: "admin", body: `{"kb_editor": "yes"}`, status: 400},
			{name: "the admin gives it", method: "PATCH", path: "/agents/{agent}", as: "admin", body: `{"kb_editor": true}`, status: 200,
				json: map[string]string{"kb_editor": "true", "role": "agent"}},
			{name: "with the right, an article", method: "POST", path: "/kb/articles", as: "agent", body: article, status: 201, save: map[string]string{"art": "id"}},
			{name: "and publishes it", method: "POST", path: "/kb/articles/{art}/publish", as: "agent", body: `{"language": "en"}`, status: 200},
			{name: "another agent still may not", method: "POST", path: "/kb/articles", as: "agent2", body: article, status: 403},
			{name: "the admin takes it away", method: "PATCH", path: "/agents/{agent}", as: "admin", body: `{"kb_editor": false}`, status: 200,
				json: map[string]string{"kb_editor": "false"}},
			{name: "at once, no article", method: "POST", path: "/kb/articles", as: "agent", body: article, status: 403},
			{name: "nor a publish", method: "POST", path: "/kb/articles/{art}/publish", as: "agent", body: `{"language": "en", "publish": false}`, status: 403},

			{name: "chat capacity set", method: "PATCH", path: "/agents/{agent}", as: "admin", body: `{"chat_capacity": 7}`, status: 200,
				json: map[string]string{"chat_capacity": "7"}},
			{name: "chat capacity read back", method: "GET", path: "/agents/{agent}", as: "agent", status: 200, json: map[string]string{"chat_capacity": "7"}},
			{name: "chat capacity 0 is allowed", method: "PATCH", path: "/agents/{agent2}", as: "admin", body: `{"chat_capacity": 0}`, status: 200,
				json: map[string]string{"chat_capacity": "0"}},
			{name: "chat capacity above 50", method: "PATCH", path: "/agents/{agent}", as: "admin", body: `{"chat_capacity": 51, "name": "Al Renamed"}`, status: 400,
				json: map[string]string{"error.code": "invalid_input"}, want: []string{`"chat_capacity"`}},
			{name: "chat capacity below 0", method: "PATCH", path: "/agents/{agent}", as: "admin", body: `{"chat_capacity": -1}`, status: 400, want: []string{`"chat_capacity"`}},
			{name: "chat capacity not a whole number", method: "PATCH", path: "/agents/{agent}", as: "admin", body: `{"chat_capacity": 2.5}`, status: 400},
			{name: "nothing saved by a refused change", method: "GET", path: "/agents/{agent}", as: "agent", status: 200,
				json: map[string]string{"chat_capacity": "7", "name": "Al Agent"}},
			{name: "a manager may not set it", method: "PATCH", path: "/agents/{agent}", as: "manager", body: `{"chat_capacity": 9}`, status: 403},
		})
		if t.Failed() {
			return
		}
		log := audit.New(db, f.clock)
		rows, err := log.List(ctx, audit.Filter{Action: "agent.update", TargetKind: "agent", TargetID: strconv.FormatInt(f.ids["agent"], 10)})
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != 2 || !strings.Contains(rows[1].Before, `"kb_editor":false`) || !strings.Contains(rows[1].After, `"kb_editor":true`) ||
			!strings.Contains(rows[0].Before, `"kb_editor":true`) || !strings.Contains(rows[0].After, `"kb_editor":false`) ||
			rows[0].AgentID != f.ids["admin"] || rows[0].TokenID == 0 {
			t.Errorf("agent.update rows %+v, want the right given then taken away, by the admin's token", rows)
		}
		rows, err = log.List(ctx, audit.Filter{Action: "agent.chat_capacity", TargetID: strconv.FormatInt(f.ids["agent"], 10)})
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != 1 || rows[0].Before != `{"chat_capacity":3}` || rows[0].After != `{"chat_capacity":7}` || rows[0].AgentID != f.ids["admin"] {
			t.Errorf("agent.chat_capacity rows %+v, want one from 3 to 7 by the admin", rows)
		}
	})
}

// Without a router, a chat capacity cannot be set (503), and nothing else
// in the same request is saved.
func TestAgentChatCapacityWithoutRouter(t *testing.T) {
	f := newFixture(t, storetest.SQLite(t))
	f.run(t, []scenario{
		{name: "no router", method: "PATCH", path: "/agents/{agent}", as: "admin", body: `{"chat_capacity": 4, "name": "Al Renamed"}`, status: 503},
		{name: "nothing saved", method: "GET", path: "/agents/{agent}", as: "agent", status: 200, json: map[string]string{"name": "Al Agent", "chat_capacity": "3"}},
	})
}
