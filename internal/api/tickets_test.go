package api

import (
	"fmt"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/store/storetest"
)

// TestTicketCursorPaging creates more tickets than a page holds and walks
// the pages by next_cursor: every ticket comes exactly once, in order, and
// the last page has no cursor.
func TestTicketCursorPaging(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		const n = 11
		var created []int64
		for i := range n {
			rec := f.do(t, "POST", Prefix+"/tickets",
				fmt.Sprintf(`{"subject":"Paging %02d","body":"b","customer_email":"pager@example.com"}`, i), "agent")
			mustStatus(t, rec, http.StatusCreated, "create")
			var tk ticketJSON
			decodeJSON(t, rec, &tk)
			created = append(created, tk.ID)
			f.clock.Advance(time.Minute) // distinct created and updated times
		}
		tests := []struct {
			name  string
			query string
			want  []int64 // the order the pages must give
		}{
			{"newest updated first", "view=all&limit=4", reversed(created)},
			{"oldest first", "view=all&sort=oldest&limit=3", created},
			{"created, page of one", "view=open&sort=created&limit=1", reversed(created)},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				var got []int64
				cursor, pages := "", 0
				for {
					q := tc.query
					if cursor != "" {
						q += "&cursor=" + url.QueryEscape(cursor)
					}
					rec := f.do(t, "GET", Prefix+"/tickets?"+q, "", "agent")
					mustStatus(t, rec, http.StatusOK, "page")
					var page list[ticketJSON]
					decodeJSON(t, rec, &page)
					pages++
					if pages > n+1 {
						t.Fatalf("paging does not end: %v", got)
					}
					for _, tk := range page.Data {
						got = append(got, tk.ID)
					}
					if page.NextCursor == "" {
						break
					}
					if len(page.Data) == 0 {
						t.Fatal("empty page with a next cursor")
					}
					cursor = page.NextCursor
				}
				if fmt.Sprint(got) != fmt.Sprint(tc.want) {
					t.Errorf("pages gave %v, want %v", got, tc.want)
				}
			})
		}
		t.Run("bad cursor", func(t *testing.T) {
			rec := f.do(t, "GET", Prefix+"/tickets?cursor=%21%21not-a-cursor", "", "agent")
			if rec.Code != http.StatusBadRequest {
				t.Errorf("bad cursor: status %d, want 400: %s", rec.Code, rec.Body.String())
			}
			checkResponse(t, rec)
		})
	})
}

func reversed(ids []int64) []int64 {
	out := make([]int64, len(ids))
	for i, id := range ids {
		out[len(ids)-1-i] = id
	}
	return out
}

// TestFailedCreateWritesNothing checks that a create the API refuses, for
// whatever reason, leaves no ticket, customer or event behind.
func TestFailedCreateWritesNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		bodies := []struct {
			name   string
			body   string
			status int
		}{
			{"missing subject", `{"body":"hi","customer_email":"ghost@example.com","customer_name":"Ghost"}`, 400},
			{"bad priority", `{"subject":"s","body":"hi","customer_email":"ghost@example.com","priority":"meh"}`, 400},
			{"bad kind", `{"subject":"s","body":"hi","customer_email":"ghost@example.com","kind":"rant"}`, 400},
			{"bad channel", `{"subject":"s","body":"hi","customer_email":"ghost@example.com","channel":"fax"}`, 400},
			{"unknown team", `{"subject":"s","body":"hi","customer_email":"ghost@example.com","team_id":424242}`, 400},
			{"unknown owner", `{"subject":"s","body":"hi","customer_email":"ghost@example.com","owner_id":424242}`, 400},
			{"unknown field", `{"subject":"s","body":"hi","customer_email":"ghost@example.com","cc":"x"}`, 400},
		}
		for _, tc := range bodies {
			t.Run(tc.name, func(t *testing.T) {
				rec := f.do(t, "POST", Prefix+"/tickets", tc.body, "agent")
				mustStatus(t, rec, tc.status, "create")
				checkResponse(t, rec)
				f.assertEmpty(t)
			})
		}
	})
}

// assertEmpty fails if any ticket, customer or ticket event exists.
func (f *fixture) assertEmpty(t *testing.T) {
	t.Helper()
	for _, path := range []string{"/tickets?view=all", "/customers"} {
		rec := f.do(t, "GET", Prefix+path, "", "agent")
		mustStatus(t, rec, http.StatusOK, path)
		var page list[map[string]any]
		decodeJSON(t, rec, &page)
		if len(page.Data) != 0 {
			t.Errorf("%s after a failed create: %v", path, page.Data)
		}
	}
	for _, table := range []string{"tickets", "customers", "customer_identities", "messages", "ticket_events"} {
		var n int
		if err := f.db.R.QueryRow("SELECT count(*) FROM " + table).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 0 {
			t.Errorf("%d rows in %s after a failed create", n, table)
		}
	}
}
