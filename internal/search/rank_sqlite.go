package search

import (
	"database/sql/driver"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/rapport/rapport/internal/store"
)

// SQLite's relevance is FTS5's bm25 (weights title 10, body 1, extra 5;
// k1 1.2, b 0.75), computed by rapport_bm25 below instead of FTS5's own
// bm25(). FTS5's counts the documents holding each term, for its inverse
// document frequency, by walking the term's whole list in the index on the
// first row of every query: for a word in every ticket a million entries,
// hundreds of milliseconds at 1M tickets, whatever the LIMIT. rapport_bm25
// reads the same statistics otherwise:
//   - the documents holding a term are counted up to idfExact of them:
//     exact for a term rarer than that (the terms whose weight matters
//     most), else estimated from how far into the ids its first idfExact
//     documents reach (a word in a tenth of the documents has its
//     idfExact-th within about the first tenth of them);
//   - the number of documents and the average length come from FTS5's own
//     averages record (search_fts_data row 1), a row's length from its
//     docsize row, as bm25() reads them;
//   - a term's hits in a row are counted in the row's text, tokenized as
//     unicode61 tokenizes it (appendWords).
//
// So the score is FTS5's for every term in fewer than idfExact documents,
// and close to it for the others, whose weight is small: a term in more
// than half of the documents weighs nearly nothing in either (bm25 floors
// its idf at 1e-6).

// idfExact is how many of a term's documents are counted before the rest
// are estimated.
const idfExact = 1000

// The bm25 constants and column weights (title, body, extra).
const (
	bm25K1 = 1.2
	bm25B  = 0.75
)

var bm25Weights = [3]float64{10, 1, 5}

func init() {
	store.RegisterSQLiteFunction("rapport_bm25", -1, rapportBM25)
}

// sqliteRank is the relevance expression of terms on SQLite: rapport_bm25
// of the row of search_fts the query is on, binding its arguments.
func sqliteRank(terms []Term, bind Bind) string {
	var b strings.Builder
	b.WriteString("rapport_bm25(search_fts.title, search_fts.body, search_fts.extra," +
		" (SELECT sz FROM search_fts_docsize WHERE id = search_fts.rowid)," +
		" (SELECT block FROM search_fts_data WHERE id = 1)," +
		" (SELECT min(id) FROM search_docs) || ' ' || (SELECT max(id) FROM search_docs)")
	for _, t := range terms {
		kind := "w"
		switch {
		case t.Phrase:
			kind = "p"
		case t.Prefix:
			kind = "*"
		}
		fmt.Fprintf(&b, ", %s, (SELECT count(*) || ' ' || COALESCE(max(r), 0) FROM"+
			" (SELECT rowid AS r FROM search_fts WHERE search_fts MATCH %s LIMIT %d))",
			bind(kind+t.Text), bind(fts5Expr([]Term{t}, nil)), idfExact)
	}
	b.WriteString(")")
	return b.String()
}

// rapportBM25 is the SQL function rapport_bm25(title, body, extra, docsize,
// averages, "minid maxid", then per term its kind and text ("w", "p" or
// "*" before the words) and "count lastid": how many of the first
// idfExact documents hold it, the id of the last of them).
func rapportBM25(args []driver.Value) (driver.Value, error) {
	if len(args) < 6 || (len(args)-6)%2 != 0 {
		return nil, fmt.Errorf("rapport_bm25: %d arguments", len(args))
	}
	var cols [3]string
	for i := range cols {
		cols[i] = asString(args[i])
	}
	var docLen float64
	for _, n := range varints(asBytes(args[3])) {
		docLen += float64(n)
	}
	avg := varints(asBytes(args[4]))
	if len(avg) == 0 || avg[0] == 0 {
		return 0.0, nil
	}
	nRow := float64(avg[0])
	var total float64
	for _, n := range avg[1:] {
		total += float64(n)
	}
	avgdl := total / nRow
	if avgdl <= 0 {
		avgdl = 1
	}
	minID, maxID := twoInts(asString(args[5]))

	type termSpec struct {
		words  []string
		prefix bool
		idf    float64
		freq   float64
	}
	terms := make([]termSpec, 0, (len(args)-6)/2)
	for i := 6; i < len(args); i += 2 {
		spec := asString(args[i])
		if spec == "" {
			continue
		}
		t := termSpec{words: strings.Fields(fold(spec[1:])), prefix: spec[0] == '*'}
		count, last := twoInts(asString(args[i+1]))
		hits := float64(count)
		if count >= idfExact && last > minID {
			hits = min(nRow, float64(count)*float64(maxID-minID+1)/float64(last-minID+1))
		}
		t.idf = math.Log((nRow - hits + 0.5) / (hits + 0.5))
		if t.idf <= 0 {
			t.idf = 1e-6
		}
		terms = append(terms, t)
	}
	var toks []string
	for c, text := range cols {
		if text == "" {
			continue
		}
		toks = appendWords(toks[:0], text)
		for ti := range terms {
			t := &terms[ti]
			if len(t.words) == 0 {
				continue
			}
			for i := 0; i+len(t.words) <= len(toks); i++ {
				if wordsAt(toks, i, t.words, t.prefix) {
					t.freq += bm25Weights[c]
				}
			}
		}
	}
	var score float64
	for _, t := range terms {
		score += t.idf * (t.freq * (bm25K1 + 1)) / (t.freq + bm25K1*(1-bm25B+bm25B*docLen/avgdl))
	}
	return score, nil
}

// wordsAt reports whether words are at toks[i:], the last as a prefix when
// prefix is set.
func wordsAt(toks []string, i int, words []string, prefix bool) bool {
	for j, w := range words {
		got := toks[i+j]
		if prefix && j == len(words)-1 {
			if !strings.HasPrefix(got, w) {
				return false
			}
		} else if got != w {
			return false
		}
	}
	return true
}

func asString(v driver.Value) string {
	switch v := v.(type) {
	case string:
		return v
	case []byte:
		return string(v)
	}
	return ""
}

func asBytes(v driver.Value) []byte {
	switch v := v.(type) {
	case []byte:
		return v
	case string:
		return []byte(v)
	}
	return nil
}

// twoInts reads "a b".
func twoInts(s string) (int64, int64) {
	a, b, _ := strings.Cut(s, " ")
	x, _ := strconv.ParseInt(a, 10, 64)
	y, _ := strconv.ParseInt(b, 10, 64)
	return x, y
}

// varints decodes a run of SQLite varints (big-endian, seven bits a byte
// with the high bit set on all but the last; a ninth byte gives all eight),
// as FTS5 writes its averages and docsize records.
func varints(b []byte) []uint64 {
	var out []uint64
	for len(b) > 0 {
		var v uint64
		n := 0
		for n < 9 && n < len(b) {
			c := b[n]
			n++
			if n == 9 {
				v = v<<8 | uint64(c)
				break
			}
			v = v<<7 | uint64(c&0x7f)
			if c < 0x80 {
				break
			}
		}
		out = append(out, v)
		b = b[n:]
	}
	return out
}
