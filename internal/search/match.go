package search

import (
	"context"
	"fmt"
	"html"
	"html/template"
	"slices"
	"strings"

	"github.com/rapport/rapport/internal/store"
)

// Bind binds one argument of the query being built and returns its
// placeholder ($n).
type Bind func(v any) string

// Matched returns a subquery with columns ref and k: the documents of kind
// holding every term of terms and none of not, and each one's rank as an
// integer, higher for a better match (bm25 on SQLite, ts_rank on
// PostgreSQL, times a million). terms must not be empty.
func (ix *Index) Matched(kind string, terms, not []Term, bind Bind) string {
	if ix.db.Dialect == store.SQLite {
		return fmt.Sprintf("SELECT d.ref_id AS ref, CAST(-bm25(search_fts, 10.0, 1.0, 5.0) * 1000000 AS INTEGER) AS k"+
			" FROM search_fts JOIN search_docs d ON d.id = search_fts.rowid"+
			" WHERE search_fts MATCH %s AND d.kind = %s", bind(fts5Expr(terms, not)), bind(kind))
	}
	qs := pgQueries(terms, not, bind)
	var rank, match strings.Builder
	rank.WriteString("CASE f.cfg")
	for i, cfg := range configs {
		fmt.Fprintf(&rank, " WHEN '%s' THEN %s", cfg, qs[i])
		if i > 0 {
			match.WriteString(" OR ")
		}
		fmt.Fprintf(&match, "(f.cfg = '%s' AND f.tsv @@ %s)", cfg, qs[i])
	}
	rank.WriteString(" END")
	return fmt.Sprintf("SELECT d.ref_id AS ref, CAST(ts_rank(f.tsv, %s) * 1000000 AS BIGINT) AS k"+
		" FROM search_fts f JOIN search_docs d ON d.id = f.doc_id WHERE d.kind = %s AND (%s)",
		rank.String(), bind(kind), match.String())
}

// Parts is a match split for a caller that joins its own rows and
// conditions to it: From joins the documents as d, Where matches them,
// Rank is the relevance (higher is better) and Newest orders the
// documents newest first, an order both databases can walk by an index
// and stop early.
type Parts struct {
	From, Where, Rank, Newest string
}

// MatchParts returns the parts of a match of the documents of kind holding
// every term of terms and none of not. terms must not be empty.
func (ix *Index) MatchParts(kind string, terms, not []Term, bind Bind) Parts {
	if ix.db.Dialect == store.SQLite {
		return Parts{
			From:   "search_fts JOIN search_docs d ON d.id = search_fts.rowid",
			Where:  fmt.Sprintf("search_fts MATCH %s AND d.kind = %s", bind(fts5Expr(terms, not)), bind(kind)),
			Rank:   "-bm25(search_fts, 10.0, 1.0, 5.0)",
			Newest: "search_fts.rowid DESC",
		}
	}
	return pgParts(kind, configs, terms, not, bind)
}

// Reach is how NewestMatches reaches the matches of a search on
// PostgreSQL (SQLite has one way).
type Reach int

const (
	// ReachIndex reads every match through the GIN index, then keeps the
	// newest: for a search the statistics expect few documents to match.
	ReachIndex Reach = iota
	// ReachWalk walks the documents newest first until enough match: for
	// a search of a common word.
	ReachWalk
)

// fewMatches is how many documents PostgreSQL's statistics may expect a
// search to match for it to be read through the GIN index rather than
// by walking the documents newest first.
const fewMatches = 5000

// ReachFor returns how NewestMatches should reach the matches of terms:
// ReachWalk when PostgreSQL's statistics of search_fts.tsv expect more
// than fewMatches documents to hold them all. A term is as common as the
// most common of its lexemes in any configuration (a phrase as its rarest
// word, a prefix as all the common lexemes it begins summed), a search as
// its rarest term. A lexeme among none of the statistics' most common
// elements counts as in no document, so that a database never analysed,
// or too small for the statistics to list its words, reads through the
// index. The choice is made here, not left to the planner: matched in the
// configuration each document was indexed with, a word the configurations
// stem differently was expected in a thousand documents when it was in
// three, and the planner walked every document newest first (seconds at
// a million). Answers are remembered (reachCache).
func (ix *Index) ReachFor(ctx context.Context, terms []Term) (Reach, error) {
	if ix.db.Dialect == store.SQLite || len(terms) == 0 {
		return ReachIndex, nil
	}
	key := Query{Terms: terms}.String()
	if r, ok := ix.reaches.get(key); ok {
		return r, nil
	}
	r, err := ix.reachFor(ctx, terms)
	if err != nil {
		return 0, err
	}
	ix.reaches.put(key, r)
	return r, nil
}

// reachFor is ReachFor without its cache.
func (ix *Index) reachFor(ctx context.Context, terms []Term) (Reach, error) {
	few := fewMatches
	if ix.few > 0 {
		few = ix.few
	}
	args := []any{few}
	arg := pgArgs(func(v any) string {
		args = append(args, v)
		return fmt.Sprintf("$%d", len(args))
	})
	var shares []string
	for _, t := range terms {
		name := "term-share"
		if t.Prefix {
			name = "prefix-share"
		}
		for _, w := range strings.Fields(t.Text) {
			lex := make([]string, len(configs))
			for i, cfg := range configs {
				lex[i] = fmt.Sprintf("to_tsvector('%s', %s)", cfg, arg(w))
			}
			shares = append(shares, strings.Replace(ix.fragment(name), "/*lexemes*/",
				"tsvector_to_array("+strings.Join(lex, " || ")+")", 1))
		}
	}
	q := strings.Replace(ix.q.Get("search-reach"), "/*shares*/", strings.Join(shares, ", "), 1)
	var walk bool
	if err := ix.db.R.QueryRowContext(ctx, q, args...).Scan(&walk); err != nil {
		return 0, fmt.Errorf("search: reach: %w", err)
	}
	if walk {
		return ReachWalk, nil
	}
	return ReachIndex, nil
}

// NewestMatches returns a query of columns id (the document's ref) and k
// (its relevance times a million, higher is better): the n newest
// documents of kind holding every term of terms and none of not that pass
// conds, in no order. join is joined to the documents (d) before conds,
// which may name d and what join adds. The caller ranks only these n,
// which bounds a common word's cost; a word in fewer documents is ranked
// in all of them. reach is ReachFor's answer for terms.
//
// On SQLite the relevance is computed by rapport_bm25 from each ranked
// row's text instead of FTS5's walk of every term's whole list in the
// index (rank_sqlite.go). On PostgreSQL a document is matched with the
// configuration it was indexed with, a CASE on f.cfg that no index serves:
//   - ReachIndex: every document holding the query in any configuration is
//     read through the GIN index (a materialised CTE, so that nothing is
//     planned around it), each then looked up by its keys (a lateral
//     subquery the planner may not merge: it merged them with a walk of
//     every document) and checked exactly, and the newest n kept.
//   - ReachWalk: the documents are walked newest first (the primary key)
//     until n pass, the filters checked for each in a lateral subquery:
//     joined plainly, the planner started from the tickets of a selective
//     status and read thousands of documents (0.7 s at 200,000 tickets
//     for "hello" in open tickets), not knowing that open tickets are
//     mostly the newest. The GIN condition is there too, for the
//     planner's estimate of how many match.
func (ix *Index) NewestMatches(kind string, terms, not []Term, bind Bind, join string, conds []string, n int, reach Reach) string {
	if ix.db.Dialect == store.SQLite {
		p := ix.MatchParts(kind, terms, not, bind)
		where := append([]string{p.Where}, conds...)
		return fmt.Sprintf("SELECT d.ref_id AS id, CAST(%s * 1000000 AS BIGINT) AS k FROM %s %s WHERE %s ORDER BY %s LIMIT %d",
			sqliteRank(terms, bind), p.From, join, strings.Join(where, " AND "), p.Newest, n)
	}
	qs := pgQueriesArg(configs, terms, not, pgArgs(bind))
	var exact strings.Builder
	exact.WriteString("CASE f.cfg")
	for i, cfg := range configs {
		fmt.Fprintf(&exact, " WHEN '%s' THEN %s", cfg, qs[i])
	}
	exact.WriteString(" END")
	some := "(" + strings.Join(qs, " || ") + ")"
	docConds := strings.Join(append([]string{"d.kind = " + bind(kind)}, conds...), " AND ")
	rank := fmt.Sprintf("CAST(ts_rank(f.tsv, %s) * 1000000 AS BIGINT)", exact.String())
	if reach == ReachWalk {
		return fmt.Sprintf("SELECT m.id, %s AS k FROM search_fts f CROSS JOIN LATERAL (SELECT d.ref_id AS id"+
			" FROM search_docs d %s WHERE d.id = f.doc_id AND %s OFFSET 0) m"+
			" WHERE f.tsv @@ %s AND f.tsv @@ %s ORDER BY f.doc_id DESC LIMIT %d", rank, join, docConds, some, exact.String(), n)
	}
	return fmt.Sprintf("WITH few AS MATERIALIZED (SELECT doc_id FROM search_fts WHERE tsv @@ %s)"+
		" SELECT m.id, m.k FROM few CROSS JOIN LATERAL (SELECT d.ref_id AS id, %s AS k FROM search_fts f"+
		" JOIN search_docs d ON d.id = f.doc_id %s WHERE f.doc_id = few.doc_id AND f.tsv @@ %s AND %s OFFSET 0) m"+
		" ORDER BY few.doc_id DESC LIMIT %d", some, rank, join, exact.String(), docConds, n)
}

// fragment is the named query name without its comment lines, on one
// line, to be put inside another query.
func (ix *Index) fragment(name string) string {
	var b strings.Builder
	for _, l := range strings.Split(ix.q.Get(name), "\n") {
		if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "--") {
			b.WriteString(l + " ")
		}
	}
	return strings.TrimSpace(b.String())
}

// MatchPartsAfter is MatchParts for a query that starts from the
// rows of another table, whose column ref holds the documents' refs: From
// is to follow that table in a CROSS JOIN, which SQLite does not reorder,
// so that it checks each of those rows' documents against the index
// instead of walking the index's matches until enough of them pass the
// query's other conditions. That is the cheaper order when those
// conditions keep few rows, however common the words are. The matches and
// their relevance are NewestMatches's (on SQLite, rapport_bm25 over each
// row's text: rank_sqlite.go). (PostgreSQL's planner orders the joins
// itself.)
func (ix *Index) MatchPartsAfter(kind, ref string, terms, not []Term, bind Bind) Parts {
	p := ix.MatchParts(kind, terms, not, bind)
	if ix.db.Dialect == store.SQLite {
		p.Rank = sqliteRank(terms, bind)
		p.From = "search_docs d CROSS JOIN search_fts"
		p.Where = "d.ref_id = " + ref + " AND search_fts.rowid = d.id AND " + p.Where
	} else {
		p.From = "search_docs d CROSS JOIN search_fts f"
		p.Where = "d.ref_id = " + ref + " AND f.doc_id = d.id AND " + p.Where
	}
	return p
}

// MatchPartsIn is MatchParts for the documents in one of langs only. On
// PostgreSQL the tsquery is made and evaluated in those languages'
// configurations alone (a document is indexed with its language's), which
// lets the planner read the GIN index for one or two configurations
// instead of weighing all four.
func (ix *Index) MatchPartsIn(kind string, langs []string, terms, not []Term, bind Bind) Parts {
	in := make([]string, len(langs))
	var cfgs []string
	for i, l := range langs {
		in[i] = bind(l)
		if c := Config(l); !slices.Contains(cfgs, c) {
			cfgs = append(cfgs, c)
		}
	}
	var p Parts
	if ix.db.Dialect == store.SQLite {
		p = ix.MatchParts(kind, terms, not, bind)
	} else {
		p = pgParts(kind, cfgs, terms, not, bind)
	}
	p.Where += " AND d.language IN (" + strings.Join(in, ", ") + ")"
	return p
}

// pgParts is MatchParts on PostgreSQL for the documents indexed with one of
// the configurations cfgs.
func pgParts(kind string, cfgs []string, terms, not []Term, bind Bind) Parts {
	qs := pgQueriesIn(cfgs, terms, not, bind)
	var rank, match strings.Builder
	rank.WriteString("CASE f.cfg")
	for i, cfg := range cfgs {
		fmt.Fprintf(&rank, " WHEN '%s' THEN %s", cfg, qs[i])
		if i > 0 {
			match.WriteString(" OR ")
		}
		fmt.Fprintf(&match, "(f.cfg = '%s' AND f.tsv @@ %s)", cfg, qs[i])
	}
	rank.WriteString(" END")
	return Parts{
		From:   "search_fts f JOIN search_docs d ON d.id = f.doc_id",
		Where:  fmt.Sprintf("d.kind = %s AND (%s)", bind(kind), match.String()),
		Rank:   "ts_rank(f.tsv, " + rank.String() + ")",
		Newest: "f.doc_id DESC",
	}
}

// fts5Expr is terms and not as an FTS5 query: each term a quoted string
// (its words are letters and digits only, so nothing in it is syntax).
func fts5Expr(terms, not []Term) string {
	one := func(t Term) string {
		s := `"` + strings.ReplaceAll(t.Text, `"`, `""`) + `"`
		if t.Prefix {
			s += " *"
		}
		return s
	}
	parts := make([]string, len(terms))
	for i, t := range terms {
		parts[i] = one(t)
	}
	expr := "(" + strings.Join(parts, " AND ") + ")"
	for _, t := range not {
		expr += " NOT " + one(t)
	}
	return expr
}

// pgQueries returns, per configuration in configs, the tsquery of terms and
// not in that configuration: the document is matched with the
// configuration it was indexed with.
func pgQueries(terms, not []Term, bind Bind) []string {
	return pgQueriesIn(configs, terms, not, bind)
}

// pgQueriesIn is pgQueries for the configurations cfgs.
func pgQueriesIn(cfgs []string, terms, not []Term, bind Bind) []string {
	return pgQueriesArg(cfgs, terms, not, pgArgs(bind))
}

// pgArgs returns a binder of text arguments that folds each (as the
// indexed text is folded) and binds each distinct one once.
func pgArgs(bind Bind) func(string) string {
	args := map[string]string{}
	return func(s string) string {
		s = fold(s)
		if p, ok := args[s]; ok {
			return p
		}
		args[s] = bind(s) + "::text"
		return args[s]
	}
}

// pgQueriesArg is pgQueriesIn binding its text through arg.
func pgQueriesArg(cfgs []string, terms, not []Term, arg func(string) string) []string {
	out := make([]string, len(cfgs))
	for i, cfg := range cfgs {
		one := func(t Term) string {
			switch {
			case t.Phrase:
				return fmt.Sprintf("phraseto_tsquery('%s', %s)", cfg, arg(t.Text))
			case t.Prefix:
				return fmt.Sprintf("to_tsquery('%s', %s)", cfg, arg(t.Text+":*"))
			}
			return fmt.Sprintf("plainto_tsquery('%s', %s)", cfg, arg(t.Text))
		}
		var parts []string
		for _, t := range terms {
			parts = append(parts, one(t))
		}
		for _, t := range not {
			parts = append(parts, "!!"+one(t))
		}
		out[i] = "(" + strings.Join(parts, " && ") + ")"
	}
	return out
}

// Snippet is a short passage of a document around what was found, with
// highlight marks around each hit.
type Snippet string

// HTML is s safe to show: its text escaped, then each hit in <mark>.
func (s Snippet) HTML() template.HTML {
	t := html.EscapeString(string(s))
	if strings.Count(t, markOpen) != strings.Count(t, markClose) {
		t = strings.NewReplacer(markOpen, "", markClose, "").Replace(t)
	}
	return template.HTML(strings.NewReplacer(markOpen, "<mark>", markClose, "</mark>").Replace(t))
}

// Text is s without its marks.
func (s Snippet) Text() string {
	return strings.NewReplacer(markOpen, "", markClose, "").Replace(string(s))
}

// Snippets returns a snippet of each document of kind among refs that
// matches terms: the passage of its body around the hits (the start of
// the body when only the title or extra matched).
func (ix *Index) Snippets(ctx context.Context, kind string, terms []Term, refs []int64) (map[int64]Snippet, error) {
	out := map[int64]Snippet{}
	if len(terms) == 0 || len(refs) == 0 {
		return out, nil
	}
	if ix.db.Dialect == store.SQLite {
		return ix.sqliteSnippets(ctx, kind, terms, refs)
	}
	var args []any
	bind := func(v any) string {
		args = append(args, v)
		return fmt.Sprintf("$%d", len(args))
	}
	in := make([]string, len(refs))
	for i, r := range refs {
		in[i] = bind(r)
	}
	qs := pgQueries(terms, nil, bind)
	var query strings.Builder
	query.WriteString("CASE f.cfg")
	for i, cfg := range configs {
		fmt.Fprintf(&query, " WHEN '%s' THEN %s", cfg, qs[i])
	}
	query.WriteString(" END")
	opts := bind("StartSel=" + markOpen + ", StopSel=" + markClose + ", MaxWords=30, MinWords=12")
	q := fmt.Sprintf("SELECT d.ref_id, ts_headline(f.cfg::regconfig, f.body, %s, %s)"+
		" FROM search_fts f JOIN search_docs d ON d.id = f.doc_id WHERE d.kind = %s AND d.ref_id IN (%s)",
		query.String(), opts, bind(kind), strings.Join(in, ", "))
	rows, err := ix.db.R.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("search: snippets: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var ref int64
		var s string
		if err := rows.Scan(&ref, &s); err != nil {
			return nil, fmt.Errorf("search: snippets: %w", err)
		}
		out[ref] = Snippet(strings.TrimSpace(s))
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("search: snippets: %w", err)
	}
	return out, nil
}

// sqliteSnippets is Snippets on SQLite: the page's bodies read by their
// rowids, the snippets made from them in Go (makeSnippet). FTS5's own
// snippet() needs a MATCH, and a MATCH of a word that is in most documents
// walks the word's list through every segment of the index to reach one
// row: 2 ms a row at a million tickets, most of a page's time.
func (ix *Index) sqliteSnippets(ctx context.Context, kind string, terms []Term, refs []int64) (map[int64]Snippet, error) {
	out := map[int64]Snippet{}
	args := []any{kind}
	in := make([]string, len(refs))
	for i, r := range refs {
		args = append(args, r)
		in[i] = fmt.Sprintf("$%d", len(args))
	}
	q := strings.Replace(ix.q.Get("snippet-bodies"), "/*refs*/", strings.Join(in, ", "), 1)
	rows, err := ix.db.R.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("search: snippets: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var ref int64
		var body string
		if err := rows.Scan(&ref, &body); err != nil {
			return nil, fmt.Errorf("search: snippets: %w", err)
		}
		out[ref] = makeSnippet(body, terms)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("search: snippets: %w", err)
	}
	return out, nil
}
