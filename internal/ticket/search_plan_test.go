package ticket

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/rapport/rapport/internal/search"
	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/store/storetest"
)

// TestSearchFromFilteredTickets checks that a ranked search gives the same
// page, ranks and cursor whether it walks the index's newest matches or
// starts from the tickets its filters keep (the plan List picks on SQLite
// when they keep fewer than fewFiltered), for a word in every seeded
// ticket and a rarer one, with an owner, a team, a status, the mine view
// of an agent and of someone with no ticket, and on a second page; and
// that List counts the filtered tickets only when something filters them.
func TestSearchFromFilteredTickets(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		sd := seedDB(t, db, 1200)
		svc := seededService(db)
		run := func(t *testing.T, o ListOptions, fromTickets bool) ([]int64, []int64, string) {
			t.Helper()
			reach, err := svc.idx.ReachFor(ctx, search.Parse(o.Query).Terms)
			if err != nil {
				t.Fatal(err)
			}
			bl, err := svc.buildListPlan(o, reach, fromTickets)
			if err != nil {
				t.Fatal(err)
			}
			if fromTickets != strings.Contains(bl.sql, "FROM tickets t CROSS JOIN search_docs d") {
				t.Fatalf("fromTickets %v, query %s", fromTickets, bl.sql)
			}
			rows, err := db.R.QueryContext(ctx, bl.sql, bl.args...)
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			var ids, ks []int64
			var last cursor
			next := ""
			for rows.Next() {
				var c cursor
				tk, err := scanTicket(rows, &c.rank, &c.key)
				if err != nil {
					t.Fatal(err)
				}
				if len(ids) == bl.limit {
					next = last.encode()
					break
				}
				c.sort, c.id = bl.sort, tk.ID
				last = c
				ids, ks = append(ids, tk.ID), append(ks, c.key)
			}
			if err := rows.Err(); err != nil {
				t.Fatal(err)
			}
			return ids, ks, next
		}
		for _, tc := range []struct {
			name string
			o    ListOptions
		}{
			{"owner", ListOptions{View: ViewAll, Query: "hello", OwnerID: sd.agents[1]}},
			{"team and rarer word", ListOptions{View: ViewAll, Query: "refund", TeamID: sd.teams[0]}},
			{"status", ListOptions{View: ViewAll, Query: "hello", Status: Pending, Limit: 5}},
			{"mine", ListOptions{View: ViewMine, ViewerID: sd.agents[2], Query: "hello"}},
			{"mine, no tickets", ListOptions{View: ViewMine, ViewerID: 1 << 40, Query: "hello"}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				walk, walkK, walkNext := run(t, tc.o, false)
				from, fromK, fromNext := run(t, tc.o, true)
				if !slices.Equal(walk, from) || !slices.Equal(walkK, fromK) || walkNext != fromNext {
					t.Fatalf("walking the matches: %v %v %q; from the tickets: %v %v %q", walk, walkK, walkNext, from, fromK, fromNext)
				}
				if tc.name != "mine, no tickets" && len(walk) == 0 {
					t.Fatalf("found nothing: the case tests nothing")
				}
				if walkNext != "" {
					o := tc.o
					o.Cursor = walkNext
					walk2, _, _ := run(t, o, false)
					from2, _, _ := run(t, o, true)
					if !slices.Equal(walk2, from2) || len(walk2) == 0 {
						t.Fatalf("second page: walking %v, from the tickets %v", walk2, from2)
					}
				}
			})
		}
		for _, tc := range []struct {
			name   string
			o      ListOptions
			counts int
		}{
			{"no filter", ListOptions{View: ViewAll, Query: "hello"}, 0},
			{"language only: no index to count by", ListOptions{View: ViewAll, Query: "hello", Language: "de"}, 0},
			{"owner", ListOptions{View: ViewAll, Query: "hello", OwnerID: sd.agents[1]}, 1},
			{"mine view: owner and statuses", ListOptions{View: ViewMine, ViewerID: sd.agents[1], Query: "hello"}, 2},
			{"team, customer, status", ListOptions{View: ViewAll, Query: "hello", TeamID: sd.teams[0], CustomerID: sd.customers[0], Status: Open}, 3},
		} {
			bl, err := svc.buildList(tc.o, search.ReachWalk)
			if err != nil {
				t.Fatal(err)
			}
			want := tc.counts
			if db.Dialect != store.SQLite {
				want = 0
			}
			if len(bl.counts) != want {
				t.Errorf("%s: %d count queries, want %d", tc.name, len(bl.counts), want)
			}
			for _, c := range bl.counts {
				var n int
				if err := db.R.QueryRowContext(ctx, c.sql, c.args...).Scan(&n); err != nil {
					t.Fatalf("%s: %s: %v", tc.name, c.sql, err)
				}
			}
		}
	})
}
