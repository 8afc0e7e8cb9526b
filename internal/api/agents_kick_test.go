package api

import (
	"context"
	"strconv"
	"testing"

	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/store/storetest"
)

// kicks counts assignment runs asked for.
type kicks int

func (k *kicks) KickNow(context.Context) error { *k++; return nil }

// TestAgentOnlineStartsAssignment: an agent set online through the API
// starts an assignment run, so that tickets waiting for someone are not
// left waiting; other changes do not.
func TestAgentOnlineStartsAssignment(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		var k kicks
		f.h = New(Opts{Agents: f.agents, Customers: f.customers, Tickets: f.tickets, Router: &k, MaxBodyBytes: testMaxBody})
		tests := []struct {
			name string
			body string
			want kicks
		}{
			{"name only", `{"name":"Al A. Agent"}`, 0},
			{"online", `{"availability":"online"}`, 1},
			{"languages while online", `{"languages":["en","it"]}`, 2},
			{"away", `{"availability":"away"}`, 2},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				rec := f.do(t, "PATCH", Prefix+"/agents/"+strconv.FormatInt(f.ids["agent"], 10), tc.body, "admin")
				mustStatus(t, rec, 200, tc.body)
				if k != tc.want {
					t.Errorf("%d runs asked for, want %d", k, tc.want)
				}
			})
		}
	})
}
