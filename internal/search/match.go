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

// MatchPartsNewest is MatchParts for a caller that ranks only a bounded
// number of the newest matches (ORDER BY Newest LIMIT n, then by Rank), as
// the ticket search does. The relevance is the same; on SQLite it costs a
// read of each ranked row's text instead of FTS5's walk of every term's
// whole list in the index (rank_sqlite.go), which makes it the cheaper
// one for a common word and the dearer one for a ranking of every match.
func (ix *Index) MatchPartsNewest(kind string, terms, not []Term, bind Bind) Parts {
	p := ix.MatchParts(kind, terms, not, bind)
	if ix.db.Dialect == store.SQLite {
		p.Rank = sqliteRank(terms, bind)
	}
	return p
}

// MatchPartsAfter is MatchPartsNewest for a query that starts from the
// rows of another table, whose column ref holds the documents' refs: From
// is to follow that table in a CROSS JOIN, which SQLite does not reorder,
// so that it checks each of those rows' documents against the index
// instead of walking the index's matches until enough of them pass the
// query's other conditions. That is the cheaper order when those
// conditions keep few rows, however common the words are. The matches and
// their relevance are MatchPartsNewest's. (PostgreSQL's planner orders the
// joins itself.)
func (ix *Index) MatchPartsAfter(kind, ref string, terms, not []Term, bind Bind) Parts {
	p := ix.MatchPartsNewest(kind, terms, not, bind)
	if ix.db.Dialect == store.SQLite {
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
	args := map[string]string{}
	arg := func(s string) string {
		s = fold(s)
		if p, ok := args[s]; ok {
			return p
		}
		args[s] = bind(s) + "::text"
		return args[s]
	}
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
