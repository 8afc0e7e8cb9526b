package web

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/store/storetest"
	"github.com/rapport/rapport/internal/ticket"
)

// ticketRow matches the subject link of each ticket in a list.
var ticketRow = regexp.MustCompile(`<td class="subject"><a href="/tickets/(\d+)">([^<]*)</a>`)

// subjects lists the subjects of a page's ticket table, in order.
func subjects(body string) []string {
	var out []string
	for _, m := range ticketRow.FindAllStringSubmatch(body, -1) {
		out = append(out, html.UnescapeString(m[2]))
	}
	return out
}

func TestInboxViews(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		as := func(id int64) ticket.Actor { return ticket.AgentActor(id) }
		me, other := f.ids["agent"], f.ids["agent2"]

		// "Parcel never arrived" (the fixture's) stays new and unassigned.
		mine := f.newTicket(t, ticket.NewTicket{Subject: "Mine open", OwnerID: me, Priority: "urgent", Kind: "complaint", Channel: "phone"})
		pending := f.newTicket(t, ticket.NewTicket{Subject: "Mine pending", OwnerID: me, Tags: []string{"refund"}})
		solved := f.newTicket(t, ticket.NewTicket{Subject: "Mine solved", OwnerID: me})
		f.newTicket(t, ticket.NewTicket{Subject: "Theirs", OwnerID: other, Language: "lv"})
		f.newTicket(t, ticket.NewTicket{Subject: "Someone else entirely", CustomerEmail: "zed@example.com", CustomerName: "Zed Zebra"})
		if _, err := f.tickets.Update(ctx, as(me), pending, ticket.Update{Status: ptr(ticket.Pending)}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.tickets.Update(ctx, as(me), solved, ticket.Update{Status: ptr(ticket.Solved)}); err != nil {
			t.Fatal(err)
		}
		f.clock.Advance(time.Second)
		if _, err := f.tickets.AddNote(ctx, as(me), mine, "bump"); err != nil {
			t.Fatal(err)
		}

		c := f.login(t, "agent")
		tests := []struct {
			name string
			path string
			want []string // subjects, in order
		}{
			{"default is mine", "/", []string{"Mine open", "Mine pending"}},
			{"mine", "/?view=mine", []string{"Mine open", "Mine pending"}},
			{"unassigned", "/?view=unassigned", []string{"Someone else entirely", "Parcel never arrived"}},
			{"open", "/?view=open", []string{"Mine open", "Someone else entirely", "Theirs", "Parcel never arrived"}},
			{"pending", "/?view=pending", []string{"Mine pending"}},
			{"solved", "/?view=solved", []string{"Mine solved"}},
			{"priority filter", "/?view=all&priority=urgent", []string{"Mine open"}},
			{"kind filter", "/?view=all&kind=complaint", []string{"Mine open"}},
			{"channel filter", "/?view=all&channel=phone", []string{"Mine open"}},
			{"language filter", "/?view=all&language=lv", []string{"Theirs"}},
			{"tag filter", "/?view=all&tag=refund", []string{"Mine pending"}},
			{"owner filter", "/?view=all&owner=" + strconv.FormatInt(other, 10), []string{"Theirs"}},
			{"status filter", "/?view=all&status=solved", []string{"Mine solved"}},
			{"oldest first", "/?view=open&sort=oldest", []string{"Parcel never arrived", "Mine open", "Theirs", "Someone else entirely"}},
			{"priority sort", "/?view=mine&sort=priority", []string{"Mine open", "Mine pending"}},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				res := c.get(t, tc.path)
				mustCode(t, res, http.StatusOK, tc.path)
				if got := subjects(res.body); fmt.Sprint(got) != fmt.Sprint(tc.want) {
					t.Errorf("%s: tickets %q, want %q", tc.path, got, tc.want)
				}
			})
		}

		res := c.get(t, "/?view=open")
		contains(t, res.body, []string{
			`aria-current="page">All open<`, "Zed Zebra", "Al Agent", "Bo Agent", "Unassigned",
			`class="badge status-new">New<`, `class="prio prio-urgent">Urgent<`,
		}, nil)

		res = c.get(t, "/?view=everything")
		mustCode(t, res, http.StatusBadRequest, "unknown view")
		res = c.get(t, "/?view=all&status=bogus")
		mustCode(t, res, http.StatusBadRequest, "unknown status")
		contains(t, res.body, []string{"Pick one of the listed values."}, nil)
		mustCode(t, c.get(t, "/?view=all&owner=abc"), http.StatusBadRequest, "malformed owner")
	})
}

func TestInboxPaging(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		for i := 1; i <= ticket.DefaultLimit+2; i++ {
			f.clock.Advance(time.Second)
			f.newTicket(t, ticket.NewTicket{Subject: fmt.Sprintf("Paged %02d", i)})
		}
		c := f.login(t, "agent")
		first := c.get(t, "/?view=all&sort=oldest")
		got := subjects(first.body)
		if len(got) != ticket.DefaultLimit || got[0] != "Parcel never arrived" || got[1] != "Paged 01" {
			t.Fatalf("first page: %q", got)
		}
		m := regexp.MustCompile(`<a href="([^"]+)" rel="next"`).FindStringSubmatch(first.body)
		if m == nil {
			t.Fatalf("no next page link: %s", first.body)
		}
		second := c.get(t, html.UnescapeString(m[1]))
		mustCode(t, second, http.StatusOK, "second page")
		if got := subjects(second.body); fmt.Sprint(got) != fmt.Sprint([]string{"Paged 25", "Paged 26", "Paged 27"}) {
			t.Errorf("second page: %q", got)
		}
		contains(t, second.body, []string{"First page"}, []string{`rel="next"`})
		mustCode(t, c.get(t, "/?view=all&cursor=garbage"), http.StatusBadRequest, "bad cursor")
	})
}

func TestSearch(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		other := f.newTicket(t, ticket.NewTicket{Subject: "Broken lawnmower", CustomerEmail: "olga@example.lv", CustomerName: "Olga Ozola"})
		c := f.login(t, "agent")
		tests := []struct {
			name, q string
			want    []string
		}{
			{"subject", "lawnmower", []string{"Broken lawnmower"}},
			{"customer name", "carla", []string{"Parcel never arrived"}},
			{"email", "olga@example", []string{"Broken lawnmower"}},
			{"nothing", "xyzzy", nil},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				res := c.get(t, "/search?q="+tc.q)
				mustCode(t, res, http.StatusOK, "search")
				if got := subjects(res.body); fmt.Sprint(got) != fmt.Sprint(tc.want) {
					t.Errorf("search %q: %q, want %q", tc.q, got, tc.want)
				}
				contains(t, res.body, []string{`value="` + tc.q + `"`}, nil)
			})
		}
		res := c.get(t, "/search?q=%23"+strconv.FormatInt(other, 10))
		mustCode(t, res, http.StatusSeeOther, "search by number")
		if loc := res.header.Get("Location"); loc != idPath("/tickets/", other, "") {
			t.Errorf("search by number went to %q", loc)
		}
	})
}

func ptr[T any](v T) *T { return &v }
