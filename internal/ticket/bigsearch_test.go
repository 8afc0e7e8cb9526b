package ticket

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rapport/rapport/internal/customer"
	"github.com/rapport/rapport/internal/search"
	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/store/storetest"
)

// TestBigSearch fills a database with RAPPORT_BIGSEARCH tickets (seedDB,
// whose search index is built by the backfill), adds a note with a word no
// other ticket has and a phone number to one customer through the services,
// and reports how long a search takes through Service.List (the first
// call and the median of nine more) for a word in every ticket, a common
// word, the rare word, an absent word, an email address, the phone number
// and a ticket number. It checks that each finds what it must. A report,
// not a speed check; skipped unless RAPPORT_BIGSEARCH is set:
//
//	RAPPORT_BIGSEARCH=100000 go test -run TestBigSearch -v -timeout 60m ./internal/ticket/
func TestBigSearch(t *testing.T) {
	n, _ := strconv.Atoi(os.Getenv("RAPPORT_BIGSEARCH"))
	if n <= 0 {
		t.Skip("RAPPORT_BIGSEARCH not set")
	}
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		began := time.Now()
		sd := seedDB(t, db, n)
		t.Logf("seeded %d tickets in %v (%s)", n, time.Since(began).Round(time.Millisecond), strings.Join(sd.stages, ", "))
		svc := seededService(db)
		target := sd.live[len(sd.live)/2]
		if _, err := svc.AddNote(ctx, AgentActor(sd.agents[0]), target, "Checked with the quetzalcoatl warehouse."); err != nil {
			t.Fatal(err)
		}
		tk, err := svc.Get(ctx, target)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.o.Customers.AddIdentity(ctx, tk.CustomerID, customer.Phone, "+371 2000 0001"); err != nil {
			t.Fatal(err)
		}
		var email string
		if err := db.R.QueryRowContext(ctx, `SELECT value FROM customer_identities WHERE customer_id = $1 AND kind = 'email'`, tk.CustomerID).Scan(&email); err != nil {
			t.Fatal(err)
		}
		if db.Dialect == store.Postgres {
			analyze(t, db)
		}
		var b strings.Builder
		fmt.Fprintf(&b, "| search | found (page) | first | median of 9 |\n| --- | --- | --- | --- |\n")
		for _, sc := range []struct {
			name, q  string
			mustFind bool
		}{
			{"word in every ticket", "hello", true},
			{"common word", "refund", true},
			{"rare word (one note)", "quetzalcoatl", true},
			{"absent word", "xylophonist", false},
			{"email", email, true},
			{"phone", "+37120000001", true},
			{"number", "#" + strconv.FormatInt(target, 10), true},
		} {
			o := ListOptions{View: ViewAll, Query: sc.q}
			t0 := time.Now()
			p, err := svc.List(ctx, o)
			first := time.Since(t0)
			if err != nil {
				t.Fatalf("%s: %v", sc.name, err)
			}
			ids := make([]int64, len(p.Tickets))
			for i, tk := range p.Tickets {
				ids[i] = tk.ID
			}
			if sc.mustFind && (sc.name != "word in every ticket" && sc.name != "common word") && !slices.Contains(ids, target) {
				t.Errorf("%s %q: ticket %d not found in %v", sc.name, sc.q, target, ids)
			}
			if !sc.mustFind && len(ids) > 0 {
				t.Errorf("%s %q found %v", sc.name, sc.q, ids)
			}
			if sc.mustFind && len(ids) == 0 {
				t.Errorf("%s %q found nothing", sc.name, sc.q)
			}
			var ds []time.Duration
			for range 9 {
				t0 := time.Now()
				if _, err := svc.List(ctx, o); err != nil {
					t.Fatal(err)
				}
				ds = append(ds, time.Since(t0))
			}
			slices.Sort(ds)
			fmt.Fprintf(&b, "| %s `%s` | %d | %v | %v |\n", sc.name, sc.q, len(ids), first.Round(10*time.Microsecond), ds[4].Round(10*time.Microsecond))
		}
		t.Logf("%s, %d tickets:\n%s", db.Dialect, n, b.String())
		bl, err := svc.buildList(ListOptions{View: ViewAll, Query: "refund"}, search.ReachWalk)
		if err != nil {
			t.Fatal(err)
		}
		if db.Dialect == store.Postgres {
			t.Logf("plan of the common word:\n%s", explainAnalyze(t, db, bl))
		} else {
			rows, err := db.R.QueryContext(ctx, "EXPLAIN QUERY PLAN "+bl.sql, bl.args...)
			if err != nil {
				t.Fatal(err)
			}
			var plan strings.Builder
			for rows.Next() {
				var id, parent, unused int
				var detail string
				if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
					t.Fatal(err)
				}
				fmt.Fprintf(&plan, "%d %d %s\n", id, parent, detail)
			}
			rows.Close()
			t.Logf("plan of the common word:\n%s", plan.String())
		}
	})
}
