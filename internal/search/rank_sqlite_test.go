package search

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/rapport/rapport/internal/store/storetest"
)

// TestRankIsFTS5BM25 checks that the ticket search's relevance on SQLite
// (rapport_bm25, which reads no term's whole list) scores every document
// as FTS5's own bm25() does, for words, phrases, prefixes, several terms
// and accents, on a corpus where each term is in fewer than idfExact
// documents (where its count is exact); and that with a term in more, the
// order is still bm25's.
func TestRankIsFTS5BM25(t *testing.T) {
	db := storetest.SQLite(t)
	ix := New(db)
	ctx := context.Background()
	words := []string{"refund", "blender", "noise", "parcel", "loud", "zanzibar", "café", "order"}
	put := func(from, n int) {
		t.Helper()
		err := db.Tx(ctx, func(tx *sql.Tx) error {
			for i := from; i < from+n; i++ {
				var body []string
				for j := range 3 + i%11 {
					body = append(body, words[(i*7+j*j)%len(words)])
				}
				d := Doc{Kind: KindTicket, Ref: int64(i), Language: "en",
					Title: words[i%len(words)] + " " + words[(i/3)%len(words)],
					Body:  strings.Join(body, " ") + ". Loud noise, Loud-noise!",
					Extra: fmt.Sprintf("#%d customer%d@example.com", i, i%5)}
				if i%4 == 0 {
					d.Body += " filler text to make it longer than the others"
				}
				if err := ix.Put(ctx, tx, d); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	put(1, 300)

	compare := func(t *testing.T, q string) (ours, theirs map[int64]float64) {
		t.Helper()
		sq := Parse(q)
		var args []any
		bind := func(v any) string {
			args = append(args, v)
			return fmt.Sprintf("$%d", len(args))
		}
		p := ix.MatchParts(KindTicket, sq.Terms, sq.Not, bind)
		p.Rank = sqliteRank(sq.Terms, bind)
		query := fmt.Sprintf("SELECT d.ref_id, %s, -bm25(search_fts, 10.0, 1.0, 5.0) FROM %s WHERE %s", p.Rank, p.From, p.Where)
		rows, err := db.R.QueryContext(ctx, query, args...)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		ours, theirs = map[int64]float64{}, map[int64]float64{}
		for rows.Next() {
			var ref int64
			var a, b float64
			if err := rows.Scan(&ref, &a, &b); err != nil {
				t.Fatal(err)
			}
			ours[ref], theirs[ref] = a, b
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		if len(ours) == 0 {
			t.Fatalf("%q matched nothing", q)
		}
		return ours, theirs
	}

	for _, q := range []string{"zanzibar", "refund blender", `"loud noise"`, "zanz*", "cafe", "customer3", "parcel -order", "order noise loud"} {
		t.Run(q, func(t *testing.T) {
			ours, theirs := compare(t, q)
			for ref, want := range theirs {
				if got := ours[ref]; math.Abs(got-want) > 1e-9*math.Max(1, math.Abs(want)) {
					t.Errorf("document %d: rapport_bm25 %v, bm25 %v", ref, got, want)
				}
			}
		})
	}

	// A term in more than idfExact documents: its count is estimated, the
	// order stays bm25's.
	put(301, idfExact+200)
	for _, q := range []string{"refund", "zanzibar loud"} {
		t.Run("common "+q, func(t *testing.T) {
			ours, theirs := compare(t, q)
			for a := range theirs {
				for b := range theirs {
					if theirs[a] > theirs[b]*(1+1e-9) && !(ours[a] > ours[b]) {
						t.Fatalf("bm25 puts %d (%v) before %d (%v); rapport_bm25 gives %v and %v", a, theirs[a], b, theirs[b], ours[a], ours[b])
					}
				}
			}
		})
	}
}

// TestVarints decodes SQLite varints of one to nine bytes.
func TestVarints(t *testing.T) {
	got := varints([]byte{0x05, 0x81, 0x00, 0xff, 0x7f, 0x81, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01})
	want := []uint64{5, 128, 16383, 1<<57 | 1}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("varints = %v, want %v", got, want)
	}
}

// BenchmarkRapportBM25 scores one ticket's text of about the seeded size
// (a subject, five messages in Latvian, Russian and English, the extra
// column) for one word, as the ticket search does for each of the 250
// newest matches it ranks.
func BenchmarkRapportBM25(b *testing.B) {
	body := strings.Repeat("Hello, Возврат заказа 63012. Can you help me, please?\n\n"+
		"piegāde širaszemi paka, šidzirilē būgami abonements, cena vīraska šidzidzi ripeze garaska statuka zepeka rasnāķe lēstatulē.\n\n"+
		"order volodor statement refund pakenba please the please contract dormarba delivery please marcorfe hotiken account.\n\n", 2)
	args := []driver.Value{"Rēķins 35648 ir nepareizs", body, "#123456 Pavel Bianchi customer4185@example.com customer4185 example com",
		[]byte{0x04, 0x81, 0x10, 0x09}, []byte{0x83, 0x86, 0x10, 0x81, 0x80, 0x80, 0x00, 0xbd, 0x84, 0x00, 0x8f, 0xa1, 0x00},
		"1 1000000", "wrefund", "1000 4000"}
	for b.Loop() {
		if _, err := rapportBM25(args); err != nil {
			b.Fatal(err)
		}
	}
}
