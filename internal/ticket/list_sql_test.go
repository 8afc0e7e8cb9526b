package ticket

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rapport/rapport/internal/search"
	"github.com/rapport/rapport/internal/store"
)

var updateListSQL = flag.Bool("update-list-sql", false, "rewrite testdata/list_sql.golden from the current buildList")

// Cursors of the cases below, written out so that the encoding is pinned too:
// base64url (no padding) of "sort.rank.key.id".
const (
	curUpdated   = "dXBkYXRlZC4wLjE3MDAwMDAwMDAwMDAuNDI"  // updated.0.1700000000000.42
	curCreated   = "Y3JlYXRlZC4wLjE3MDAwMDAwMDAwMDAuNDI"  // created.0.1700000000000.42
	curOldest    = "b2xkZXN0LjAuMTcwMDAwMDAwMDAwMC40Mg"   // oldest.0.1700000000000.42
	curPriority1 = "cHJpb3JpdHkuMS4xNzAwMDAwMDAwMDAwLjQy" // priority.1.1700000000000.42
	curSLA0      = "c2xhLjAuMTcwMDAwMDAwMDAwMC40Mg"       // sla.0.1700000000000.42
	curSLA1      = "c2xhLjEuMC40Mg"                       // sla.1.0.42
	curNoID      = "dXBkYXRlZC4wLjE3MDAwMDAwMDAwMDAuMA"   // updated.0.1700000000000.0: id 0 is refused
)

// listSQLCases are representative List options: every view and sort, every
// filter, cursors in each kind of branch, limits, and options refused.
var listSQLCases = []struct {
	name string
	o    ListOptions
}{
	{"defaults", ListOptions{}},
	{"mine", ListOptions{View: ViewMine, ViewerID: 7}},
	{"mine without viewer", ListOptions{View: ViewMine}},
	{"unassigned created", ListOptions{View: ViewUnassigned, Sort: "created"}},
	{"open priority", ListOptions{View: ViewOpen, Sort: "priority"}},
	{"pending sla", ListOptions{View: ViewPending, Sort: "sla"}},
	{"solved oldest", ListOptions{View: ViewSolved, Sort: "oldest"}},
	{"all", ListOptions{View: ViewAll}},
	{"all created", ListOptions{View: ViewAll, Sort: "created"}},
	{"all priority", ListOptions{View: ViewAll, Sort: "priority"}},
	{"snoozed", ListOptions{View: ViewSnoozed}},
	{"all status open", ListOptions{View: ViewAll, Status: Open}},
	{"open status solved excluded", ListOptions{View: ViewOpen, Status: Solved}},
	{"pending status pending", ListOptions{View: ViewPending, Status: Pending, Sort: "created"}},
	{"every filter", ListOptions{View: ViewOpen, OwnerID: 3, TeamID: 4, CustomerID: 5, Priority: High, Kind: "complaint",
		Channel: "email", Language: " EN ", Tag: " Billing ", Query: "refund"}},
	{"all team updated", ListOptions{View: ViewAll, TeamID: 4}},
	{"all owner created", ListOptions{View: ViewAll, OwnerID: 3, Sort: "created"}},
	{"query number", ListOptions{Query: "#12"}},
	{"query escapes", ListOptions{Query: ` 50%_off\ `}},
	{"query syntax", ListOptions{View: ViewOpen, Query: `refund "loud noise" -blender from:ana@example.com tag:vip #7`}},
	{"query negation only", ListOptions{View: ViewAll, Query: "-spam"}},
	{"query sorted by update", ListOptions{View: ViewAll, Query: "refund", Sort: "updated"}},
	{"cursor relevance", ListOptions{View: ViewAll, Query: "refund", Cursor: "cmVsZXZhbmNlLjAuMjQzMTcxLjQy"}},
	{"priority sort with priority filter", ListOptions{View: ViewOpen, Sort: "priority", Priority: High}},
	{"cursor updated", ListOptions{View: ViewOpen, Cursor: curUpdated}},
	{"cursor updated all", ListOptions{View: ViewAll, Cursor: curUpdated}},
	{"cursor created mine", ListOptions{View: ViewMine, ViewerID: 7, Sort: "created", Cursor: curCreated}},
	{"cursor oldest", ListOptions{View: ViewSolved, Sort: "oldest", Cursor: curOldest}},
	{"cursor priority rank 1", ListOptions{View: ViewOpen, Sort: "priority", Cursor: curPriority1}},
	{"cursor priority rank 1 urgent only", ListOptions{View: ViewOpen, Sort: "priority", Priority: Urgent, Cursor: curPriority1}},
	{"cursor sla due", ListOptions{View: ViewOpen, Sort: "sla", Cursor: curSLA0}},
	{"cursor sla no due", ListOptions{View: ViewAll, Sort: "sla", Cursor: curSLA1}},
	{"cursor of another sort", ListOptions{View: ViewOpen, Sort: "created", Cursor: curUpdated}},
	{"cursor without id", ListOptions{Cursor: curNoID}},
	{"cursor garbage", ListOptions{Cursor: "!!"}},
	{"limit 10", ListOptions{Limit: 10}},
	{"limit above max", ListOptions{Limit: 500}},
	{"bad options", ListOptions{View: "later", Sort: "random", Status: "gone", Priority: "meh", Kind: "x", Channel: "fax"}},
}

// TestListSQL pins the SQL text and arguments buildList makes for each
// case, so that reshaping the builder cannot change a query unnoticed.
// Run with -update-list-sql to rewrite the golden file after a change
// made on purpose, and read its diff.
func TestListSQL(t *testing.T) {
	s := &Service{q: store.MustLoadQueries(queriesFS, store.Postgres), idx: search.New(&store.DB{Dialect: store.Postgres})}
	var b strings.Builder
	for _, tc := range listSQLCases {
		fmt.Fprintf(&b, "== %s\n", tc.name)
		bl, err := s.buildList(tc.o, search.ReachIndex)
		switch {
		case err != nil:
			fmt.Fprintf(&b, "error: %v\n", err)
		case bl.sql == "":
			fmt.Fprintf(&b, "empty page, limit %d, sort %q\n", bl.limit, bl.sort)
		default:
			args := make([]string, len(bl.args))
			for i, a := range bl.args {
				args[i] = fmt.Sprintf("$%d=%T(%#v)", i+1, a, a)
			}
			fmt.Fprintf(&b, "limit: %d\nsort: %s\nargs: %s\nsql: %s\n", bl.limit, bl.sort, strings.Join(args, " "), bl.sql)
		}
	}
	got := b.String()
	golden := filepath.Join("testdata", "list_sql.golden")
	if *updateListSQL {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run with -update-list-sql to create it)", err)
	}
	if got != string(want) {
		gotCases, wantCases := strings.Split(got, "\n== "), strings.Split(string(want), "\n== ")
		for i := range max(len(gotCases), len(wantCases)) {
			var g, w string
			if i < len(gotCases) {
				g = gotCases[i]
			}
			if i < len(wantCases) {
				w = wantCases[i]
			}
			if g != w {
				t.Errorf("buildList differs from %s:\n--- got\n%s\n--- want\n%s", golden, g, w)
			}
		}
	}
}
