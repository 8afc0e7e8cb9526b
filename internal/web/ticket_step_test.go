package web

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/store/storetest"
	"github.com/rapport/rapport/internal/ticket"
)

// TestTicketStep steps through the inbox list the agent last viewed, in
// that list's order, from the ticket page's previous and next links: to
// the neighbour, back to the list at either end, to the top of the list
// from a ticket that has left it, and to the inbox's own view without a
// list remembered.
func TestTicketStep(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		a := f.ids["ticket"]
		b := f.newTicket(t, ticket.NewTicket{Subject: "Refund for a broken mug", Channel: "email"})
		c := f.newTicket(t, ticket.NewTicket{Subject: "Change my delivery address", Channel: "email"})
		cl := f.login(t, "agent")
		const list = "/?view=unassigned&sort=oldest"
		mustCode(t, cl.get(t, list), http.StatusOK, "the unassigned list, oldest first")

		tests := []struct {
			name string
			path string
			want string // Location
		}{
			{"next of the first", idPath("/tickets/", a, "/next"), idPath("/tickets/", b, "")},
			{"next of the middle", idPath("/tickets/", b, "/next"), idPath("/tickets/", c, "")},
			{"previous of the last", idPath("/tickets/", c, "/previous"), idPath("/tickets/", b, "")},
			{"previous of the middle", idPath("/tickets/", b, "/previous"), idPath("/tickets/", a, "")},
			{"next of the last is the list", idPath("/tickets/", c, "/next"), "/?sort=oldest&view=unassigned"},
			{"previous of the first is the list", idPath("/tickets/", a, "/previous"), "/?sort=oldest&view=unassigned"},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				res := cl.get(t, tc.path)
				mustCode(t, res, http.StatusSeeOther, tc.path)
				if got := res.header.Get("Location"); got != tc.want {
					t.Errorf("%s goes to %q, want %q", tc.path, got, tc.want)
				}
			})
		}

		// At the end of the list the agent is told so on the list.
		cl.get(t, idPath("/tickets/", c, "/next"))
		back := cl.get(t, "/?sort=oldest&view=unassigned")
		contains(t, back.body, []string{"That was the last ticket in this list."}, nil)

		// The ticket page leads back to the same list.
		page := cl.get(t, idPath("/tickets/", b, ""))
		contains(t, page.body, []string{`href="/?sort=oldest&amp;view=unassigned" id="inbox-link"`,
			idPath(`href="/tickets/`, b, `/next" id="next-ticket"`), idPath(`href="/tickets/`, b, `/previous" id="previous-ticket"`)}, nil)

		// Taken by the agent, b leaves the unassigned list: its next is
		// the list's first ticket, the next one waiting.
		res := cl.post(t, idPath("/tickets/", b, "/assign"), url.Values{})
		mustCode(t, res, http.StatusSeeOther, "take b")
		res = cl.get(t, idPath("/tickets/", b, "/next"))
		if got := res.header.Get("Location"); got != idPath("/tickets/", a, "") {
			t.Errorf("next of a ticket no longer in the list goes to %q, want the list's first, ticket %d", got, a)
		}

		// In "mine" b is the only ticket: nothing else waits there.
		mustCode(t, cl.get(t, "/?view=mine"), http.StatusOK, "mine")
		res = cl.get(t, idPath("/tickets/", b, "/next"))
		if got := res.header.Get("Location"); got != "/" {
			t.Errorf("next at the end of mine goes to %q, want /", got)
		}
		contains(t, cl.get(t, "/").body, []string{"That was the last ticket in this list."}, nil)

		// A forged list falls back to the inbox: the link never leaves it.
		u, _ := url.Parse(f.srv.URL)
		cl.http.Jar.SetCookies(u, []*http.Cookie{{Name: inboxCookie, Value: url.QueryEscape("https://elsewhere.example/?view=all"), Path: "/"}})
		page = cl.get(t, idPath("/tickets/", a, ""))
		contains(t, page.body, []string{`href="/" id="inbox-link"`}, []string{"elsewhere.example"})

		// Unknown tickets have no neighbours.
		mustCode(t, cl.get(t, "/tickets/999999/next"), http.StatusNotFound, "next of an unknown ticket")
	})
}

// TestTicketTabs shows the conversation or the history as the query asks,
// the open tab marked, the other panel hidden: the tabs work as links.
func TestTicketTabs(t *testing.T) {
	f := newFixture(t, storetest.SQLite(t))
	cl := f.login(t, "agent")
	id := f.ids["ticket"]
	tests := []struct {
		name     string
		query    string
		want     []string
		wantNot  []string
		selected string
	}{
		{"conversation by default", "",
			[]string{`id="tab-conversation" aria-controls="conversation-panel" aria-selected="true" aria-current="page"`,
				`id="tab-history" aria-controls="history-panel" aria-selected="false"`,
				`id="history-panel" role="tabpanel" aria-labelledby="tab-history" hidden`},
			[]string{`id="conversation-panel" role="tabpanel" aria-labelledby="tab-conversation" hidden`}, "conversation"},
		{"history on request", "?tab=history",
			[]string{`id="tab-history" aria-controls="history-panel" aria-selected="true" aria-current="page"`,
				`id="tab-conversation" aria-controls="conversation-panel" aria-selected="false"`,
				`id="conversation-panel" role="tabpanel" aria-labelledby="tab-conversation" hidden`,
				"Carla Customer opened the ticket"},
			[]string{`id="history-panel" role="tabpanel" aria-labelledby="tab-history" hidden`}, "history"},
		{"an unknown tab is the conversation", "?tab=nonsense",
			[]string{`id="tab-conversation" aria-controls="conversation-panel" aria-selected="true"`},
			[]string{`id="conversation-panel" role="tabpanel" aria-labelledby="tab-conversation" hidden`}, "conversation"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := cl.get(t, idPath("/tickets/", id, tc.query))
			mustCode(t, res, http.StatusOK, "ticket page")
			contains(t, res.body, tc.want, tc.wantNot)
		})
	}
	// Every sidebar card folds, open to begin with.
	res := cl.get(t, idPath("/tickets/", id, ""))
	for _, card := range []string{"customer", "owner", "collab", "snooze", "transfer", "update", "tags"} {
		contains(t, res.body, []string{`<details class="fold" data-card="` + card + `" open>`}, nil)
	}
}
