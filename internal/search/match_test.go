package search

import (
	"context"
	"database/sql"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/store/storetest"
)

// TestNewestMatchesEitherReach checks that both ways NewestMatches reads
// the matches (through the GIN index, or walking the documents newest
// first) find the same newest documents with the same ranks, and the same
// ones as the plain match (MatchParts), for words in every document, in
// some, in one language's stem only, in none, phrases, prefixes and
// negations, with a filter on the documents; and that ReachFor, after
// ANALYZE, walks for a word in more documents than its bound and reads
// the index for a rare or absent one.
func TestNewestMatchesEitherReach(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		ix := New(db)
		langs := []string{"en", "it", "ru", "lv"}
		words := []string{"blender", "noise", "parcel", "loud", "zanzibar", "order", "rimborsi", "hello"}
		err := db.Tx(ctx, func(tx *sql.Tx) error {
			for i := 1; i <= 400; i++ {
				body := []string{"refund"}
				for j := range 2 + i%5 {
					body = append(body, words[(i*3+j*j)%len(words)])
				}
				if i%97 == 0 {
					body = append(body, "zezezele") // stemmed zezezel except by simple
				}
				d := Doc{Kind: KindTicket, Ref: int64(i), Language: langs[i%len(langs)],
					Title: words[i%len(words)], Body: strings.Join(body, " ") + ". Loud noise!",
					Extra: fmt.Sprintf("#%d customer%d@example.com", i, i%7)}
				if err := ix.Put(ctx, tx, d); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}

		// newest runs a search's query and returns ref → rank.
		newest := func(t *testing.T, q string, reach Reach) map[int64]int64 {
			t.Helper()
			sq := Parse(q)
			var args []any
			bind := func(v any) string {
				args = append(args, v)
				return fmt.Sprintf("$%d", len(args))
			}
			src := ix.NewestMatches(KindTicket, sq.Terms, sq.Not, bind, "", []string{"d.ref_id % 5 <> " + bind(int64(3))}, 30, reach)
			return collect(t, db, "SELECT m.id, m.k FROM ("+src+") m", args)
		}
		plain := func(t *testing.T, q string) map[int64]int64 {
			t.Helper()
			sq := Parse(q)
			var args []any
			bind := func(v any) string {
				args = append(args, v)
				return fmt.Sprintf("$%d", len(args))
			}
			p := ix.MatchParts(KindTicket, sq.Terms, sq.Not, bind)
			return collect(t, db, fmt.Sprintf("SELECT d.ref_id, 0 FROM %s WHERE %s AND d.ref_id %% 5 <> 3 ORDER BY %s LIMIT 30",
				p.From, p.Where, p.Newest), args)
		}
		for _, tc := range []struct {
			name, q string
			found   int
		}{
			{"in every document", "refund", 30},
			{"in some", "zanzibar", 30},
			{"stemmed apart", "zezezele", 3},
			{"in none", "xylophonist", 0},
			{"phrase", `"loud noise"`, 30},
			{"prefix", "zanz*", 30},
			{"negation", "parcel -blender", 30},
			{"two words", "hello order", -1},
		} {
			t.Run(tc.name, func(t *testing.T) {
				idx, walk, want := newest(t, tc.q, ReachIndex), newest(t, tc.q, ReachWalk), plain(t, tc.q)
				if tc.found >= 0 && len(idx) != tc.found {
					t.Errorf("%q: %d found through the index, want %d", tc.q, len(idx), tc.found)
				}
				if !maps.Equal(idx, walk) {
					t.Errorf("%q: through the index %v, walking %v", tc.q, idx, walk)
				}
				if got, w := slices.Sorted(maps.Keys(idx)), slices.Sorted(maps.Keys(want)); !slices.Equal(got, w) {
					t.Errorf("%q: found %v, the plain match finds %v", tc.q, got, w)
				}
			})
		}

		if db.Dialect != store.Postgres {
			return
		}
		if _, err := db.W.ExecContext(ctx, "ANALYZE search_fts"); err != nil {
			t.Fatal(err)
		}
		ix.few = 100
		for _, tc := range []struct {
			q    string
			want Reach
		}{
			{"refund", ReachWalk},
			{"loud*", ReachWalk},
			{`"loud noise"`, ReachWalk},
			{"refund zezezele", ReachIndex},
			{"zezezele", ReachIndex},
			{"xylophonist", ReachIndex},
		} {
			got, err := ix.ReachFor(ctx, Parse(tc.q).Terms)
			if err != nil || got != tc.want {
				t.Errorf("ReachFor(%q) = %v, %v; want %v", tc.q, got, err, tc.want)
			}
		}
	})
}

// collect runs q, whose rows are a ref and a rank, and returns them.
func collect(t *testing.T, db *store.DB, q string, args []any) map[int64]int64 {
	t.Helper()
	rows, err := db.R.QueryContext(context.Background(), q, args...)
	if err != nil {
		t.Fatalf("%v\n%s", err, q)
	}
	defer rows.Close()
	out := map[int64]int64{}
	for rows.Next() {
		var ref, k int64
		if err := rows.Scan(&ref, &k); err != nil {
			t.Fatal(err)
		}
		out[ref] = k
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestReachCacheForgets checks that remembered reaches are forgotten
// after reachCacheUses lookups, so that a new ANALYZE is seen.
func TestReachCacheForgets(t *testing.T) {
	var c reachCache
	if _, ok := c.get("refund"); ok {
		t.Fatal("an empty cache answered")
	}
	c.put("refund", ReachWalk)
	for i := 1; i < reachCacheUses; i++ {
		if r, ok := c.get("refund"); !ok || r != ReachWalk {
			t.Fatalf("lookup %d: %v, %v; want ReachWalk", i+1, r, ok)
		}
	}
	if _, ok := c.get("refund"); ok {
		t.Fatalf("still remembered after %d lookups", reachCacheUses+1)
	}
}
