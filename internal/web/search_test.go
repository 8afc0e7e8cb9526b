package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"testing"

	"github.com/rapport/rapport/internal/agent"
	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/store/storetest"
	"github.com/rapport/rapport/internal/ticket"
)

// TestSearchFullText searches from the search box as an agent would: a
// word that is only in an agent's reply is found, the passage is shown
// with the word marked, the syntax works, and the page says how to search.
func TestSearchFullText(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		mower := f.newTicket(t, ticket.NewTicket{Subject: "Broken lawnmower", Body: "It will not start.", Tags: []string{"garden"}})
		f.newTicket(t, ticket.NewTicket{Subject: "Another lawnmower", Body: "Mine starts fine."})
		if _, err := f.tickets.Reply(ctx, ticket.AgentActor(f.ids["agent"]), mower, "Please clean the carburettor <b>first</b>.", ""); err != nil {
			t.Fatal(err)
		}
		c := f.login(t, "agent")
		tests := []struct {
			name, q string
			want    []string
		}{
			{"word only in a reply", "carburettor", []string{"Broken lawnmower"}},
			{"negation", "lawnmower -carburettor", []string{"Another lawnmower"}},
			{"phrase", `"clean the carburettor"`, []string{"Broken lawnmower"}},
			{"tag", "tag:garden", []string{"Broken lawnmower"}},
			{"bad syntax", `carburettor "`, []string{"Broken lawnmower"}},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				res := c.get(t, "/search?q="+url.QueryEscape(tc.q))
				mustCode(t, res, http.StatusOK, "search")
				if got := subjects(res.body); fmt.Sprint(got) != fmt.Sprint(tc.want) {
					t.Errorf("search %q: %q, want %q", tc.q, got, tc.want)
				}
			})
		}
		res := c.get(t, "/search?q=carburettor&from=2000-01-01&to=2000-01-31")
		if got := subjects(res.body); len(got) != 0 {
			t.Errorf("search within January 2000: %q, want none", got)
		}
		mustCode(t, c.get(t, "/search?q=carburettor&from=soon"), http.StatusBadRequest, "bad date")
		res = c.get(t, "/search?q=carburettor")
		// The reply's text is shown escaped: SQLite's snippet keeps the
		// typed tag as text, PostgreSQL's headline leaves tags out.
		shown := "&lt;b&gt;first&lt;/b&gt;"
		if db.Dialect == store.Postgres {
			shown = "first"
		}
		contains(t, res.body, []string{"<mark>carburettor</mark>", shown, "How to search", `<option value="relevance" selected>Best match</option>`},
			[]string{"<b>first</b>"})
		// In the agent's language.
		lang := "it"
		if _, err := f.agents.Update(ctx, f.ids["agent"], agent.AgentUpdate{Locale: &lang}); err != nil {
			t.Fatal(err)
		}
		res = c.get(t, "/search?q=carburettor")
		contains(t, res.body, []string{"Come cercare", "Più pertinenti"}, nil)
	})
}
