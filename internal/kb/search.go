package kb

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/rapport/rapport/internal/search"
	"github.com/rapport/rapport/internal/store"
)

// Query is a search of the help center.
type Query struct {
	Text     string
	Language string // the reader's language
	Default  string // the business's default language: articles without a translation in Language are found in it
	Agents   bool   // internal articles too
	Limit    int    // default 10
}

// Hit is one article found.
type Hit struct {
	ArticleID     int64
	TranslationID int64
	Slug          string
	Language      string
	Title         string
	Snippet       Snippet
	Internal      bool
	Score         float64
}

// Result is what a search found; Corrected is the query as the typo
// correction rewrote it, "" when it was not.
type Result struct {
	Hits      []Hit
	Corrected string
}

// candidates is how many matches by text the ranking weighs.
const candidates = 50

// shortQuery is the most words a query may have for every word of it to
// match as a prefix ("retu ord" finds "return order").
const shortQuery = 3

// terms makes the search terms of the words: each a prefix in a short
// query, else only the last, which the reader may still be typing.
func terms(words []string) []search.Term {
	var out []search.Term
	for i, w := range words {
		prefix := len(words) <= shortQuery || i == len(words)-1
		out = append(out, search.Term{Text: w, Prefix: prefix && utf8.RuneCountInString(w) >= 2})
	}
	return out
}

// queryWords are the words of a query, at most 8.
func queryWords(text string) []string {
	w := search.Words(text)
	if len(w) > 8 {
		w = w[:8]
	}
	return w
}

// Search finds published articles: by text in the reader's language (and
// the default language's for articles not translated), each word of a
// short query as a prefix; when nothing matches, once more with every word
// that no article holds replaced by the nearest one that some article does.
// The best matches by text are ranked again by how helpful readers found
// them and how much they are read.
func (s *Service) Search(ctx context.Context, q Query) (Result, error) {
	if q.Limit <= 0 {
		q.Limit = 10
	}
	words := queryWords(q.Text)
	if len(words) == 0 {
		return Result{}, nil
	}
	ts, err := s.exact(ctx, q, words, false)
	if err != nil {
		return Result{}, err
	}
	hits, err := s.match(ctx, q, ts)
	if err != nil {
		return Result{}, err
	}
	var res Result
	if len(hits) == 0 {
		fixed, changed, err := s.correct(ctx, q, words)
		if err != nil {
			return Result{}, err
		}
		if changed {
			if hits, err = s.match(ctx, q, terms(fixed)); err != nil {
				return Result{}, err
			}
			if len(hits) > 0 {
				res.Corrected = strings.Join(fixed, " ")
				words = fixed
			}
		}
	}
	if len(hits) > q.Limit {
		hits = hits[:q.Limit]
	}
	if len(hits) > 0 {
		folded := make([]string, len(words))
		for i, w := range words {
			folded[i] = fold(w)
		}
		for i := range hits {
			var body string
			if err := s.db.R.QueryRowContext(ctx, s.q.Get("published-text"), hits[i].TranslationID).Scan(&hits[i].Title, &body); err != nil {
				return Result{}, fmt.Errorf("kb: search: %w", notFound(err))
			}
			hits[i].Snippet = makeSnippet(PlainText(body), folded)
		}
	}
	res.Hits = hits
	return res, nil
}

// exact is terms(words) with the words that some published article in the
// query's languages holds whole matched whole, except the last one (the
// reader may still be typing it) unless all is true.
func (s *Service) exact(ctx context.Context, q Query, words []string, all bool) ([]search.Term, error) {
	ts := terms(words)
	for i := range ts {
		if !ts[i].Prefix || (i == len(ts)-1 && !all) {
			continue
		}
		var n int
		if err := s.db.R.QueryRowContext(ctx, s.q.Get("word-known"), q.Language, q.Default, fold(ts[i].Text)).Scan(&n); err != nil {
			return nil, fmt.Errorf("kb: search: %w", err)
		}
		ts[i].Prefix = n == 0
	}
	return ts, nil
}

// match returns the articles matching every term, ranked, without their
// titles: the caller reads those of the few it keeps (a title is in the
// revision, a wide row, and reading it for every match of a common word
// was most of a search's time).
//
// The documents are ranked by text first, in the query's languages only,
// and only the best pool of them is joined to its translation and article
// and checked (published, internal, the default language's only where the
// reader's is missing): a common word matches thousands of documents, and
// those joins were most of a search on PostgreSQL. When the pool was full
// and too few of it passed the checks, the match runs once more over all
// the documents, so the result is the same either way.
func (s *Service) match(ctx context.Context, q Query, ts []search.Term) ([]Hit, error) {
	hits, full, err := s.matchPool(ctx, q, ts, s.pool)
	if err == nil && full && len(hits) < candidates {
		hits, _, err = s.matchPool(ctx, q, ts, 0)
	}
	if err != nil {
		return nil, fmt.Errorf("kb: search: %w", err)
	}
	return hits, nil
}

// matchPool ranks the documents matching ts, keeps the best size of them
// (all when size is 0), and returns the best candidates among those that
// pass the checks, ranked, and whether the pool was full.
func (s *Service) matchPool(ctx context.Context, q Query, ts []search.Term, size int) ([]Hit, bool, error) {
	var args []any
	bind := func(v any) string {
		args = append(args, v)
		return fmt.Sprintf("$%d", len(args))
	}
	langs := []string{q.Language}
	if q.Default != "" && q.Default != q.Language {
		langs = append(langs, q.Default)
	}
	parts := s.ix.MatchPartsIn(KindArticle, langs, ts, nil, bind)
	inner := "SELECT d.ref_id AS ref, " + parts.Rank + " AS k FROM " + parts.From + " WHERE " + parts.Where
	if size > 0 {
		inner += " ORDER BY k DESC, d.ref_id LIMIT " + fmt.Sprint(size)
	}
	lang, def := bind(q.Language), bind(q.Default)
	check := "t.published_rev IS NOT NULL" +
		" AND (a.internal = 0 OR " + bind(boolInt(q.Agents)) + " = 1)" +
		" AND (t.language = " + lang + " OR (t.language = " + def + " AND NOT EXISTS (SELECT 1 FROM kb_translations o" +
		" WHERE o.article_id = t.article_id AND o.language = " + lang + " AND o.published_rev IS NOT NULL)))"
	query := "SELECT t.id, a.id, a.slug, t.language, a.internal, t.views, t.helpful_yes, t.helpful_no, m.k, "
	from := " FROM (" + inner + ") m JOIN kb_translations t ON t.id = m.ref JOIN kb_articles a ON a.id = t.article_id"
	if size > 0 {
		// Every document of the pool is read, ok telling whether it
		// passes the checks, so that a full pool is known as such.
		query += "CASE WHEN " + check + " THEN 1 ELSE 0 END" + from + " ORDER BY m.k DESC, t.id"
	} else {
		query += "1" + from + " WHERE " + check + " ORDER BY m.k DESC, t.id LIMIT " + fmt.Sprint(candidates)
	}
	rows, err := s.db.R.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, false, err
	}
	defer rows.Close()
	var hits []Hit
	var text []float64
	var views, yes, no []int64
	n := 0
	for rows.Next() {
		var h Hit
		var internal, ok int
		var v, y, c int64
		var k float64
		if err := rows.Scan(&h.TranslationID, &h.ArticleID, &h.Slug, &h.Language, &internal, &v, &y, &c, &k, &ok); err != nil {
			return nil, false, err
		}
		n++
		if ok != 1 || len(hits) == candidates {
			continue
		}
		h.Internal = internal == 1
		hits = append(hits, h)
		text, views, yes, no = append(text, k), append(views, v), append(yes, y), append(no, c)
	}
	if err := rows.Err(); err != nil {
		return nil, false, err
	}
	for i := range hits {
		hits[i].Score = Score(text[i]/maxOf(text), views[i], yes[i], no[i])
	}
	sort.SliceStable(hits, func(i, j int) bool { return hits[i].Score > hits[j].Score })
	return hits, size > 0 && n == size, nil
}

func maxOf(xs []float64) float64 {
	m := 0.0
	for _, x := range xs {
		m = max(m, x)
	}
	if m <= 0 {
		return 1
	}
	return m
}

// Score is an article's rank among the matches of a search: its relevance
// by text (1 for the best match), times its helpfulness (the share of
// "yes" answers, counting one of each before any answer, so that an
// unvoted article is neither good nor bad), times a slow bonus for being
// read. Text weighs most: a much better match beats a much loved article.
func Score(relevance float64, views, yes, no int64) float64 {
	helpful := (float64(yes) + 1) / (float64(yes+no) + 2) // 0..1, 0.5 unknown
	return relevance * (0.5 + helpful) * (1 + 0.1*math.Log1p(float64(views)))
}

// correct replaces each word of words that no published article in the
// query's languages holds, not even as the start of a longer word, by the
// nearest word some article holds (Levenshtein distance 1 for words of up
// to 5 letters, 2 for longer ones), and reports whether it changed one.
func (s *Service) correct(ctx context.Context, q Query, words []string) ([]string, bool, error) {
	langs := []string{q.Language}
	if q.Default != "" && q.Default != q.Language {
		langs = append(langs, q.Default)
	}
	out := slices.Clone(words)
	changed := false
	var dist levenshtein
	for i, w := range words {
		w = fold(w)
		if utf8.RuneCountInString(w) < 3 {
			continue
		}
		known := false
		for _, l := range langs {
			var n int
			if err := s.db.R.QueryRowContext(ctx, s.q.Get("word-exists"), l, w, w+"\U0010FFFF").Scan(&n); err != nil {
				return nil, false, fmt.Errorf("kb: search: %w", err)
			}
			known = known || n > 0
		}
		if known {
			continue
		}
		limit := 1
		if utf8.RuneCountInString(w) > 5 {
			limit = 2
		}
		first, _ := utf8.DecodeRuneInString(w)
		best, bestD := "", limit+1
		for _, l := range langs {
			lo := string(first)
			n := utf8.RuneCountInString(w)
			// One row of the candidates, space-separated (a word has
			// none): reading ~10,000 rows one by one was most of a typo's
			// search.
			var all sql.NullString
			if err := s.db.R.QueryRowContext(ctx, s.q.Get("words-from"), l, lo, lo+"\U0010FFFF", n-limit, n+limit).Scan(&all); err != nil {
				return nil, false, fmt.Errorf("kb: search: %w", err)
			}
			for _, c := range strings.Fields(all.String) {
				if d := dist.to(w, c, bestD); d < bestD || (d == bestD && d <= limit && c < best) {
					best, bestD = c, d
				}
			}
		}
		if best != "" && bestD <= limit {
			out[i], changed = best, true
		}
	}
	return out, changed, nil
}

// distance is the Levenshtein distance of a and b, or limit when it is at
// least limit (computed no further).
func distance(a, b string, limit int) int {
	var l levenshtein
	return l.to(a, b, limit)
}

// levenshtein computes distances reusing its rows: the typo correction
// weighs thousands of candidates a search.
type levenshtein struct {
	ra, rb, prev, cur []int
}

// to is distance(a, b, limit).
func (l *levenshtein) to(a, b string, limit int) int {
	na, nb := utf8.RuneCountInString(a), utf8.RuneCountInString(b)
	if d := na - nb; d >= limit || -d >= limit {
		return limit
	}
	l.ra, l.rb = runes(l.ra[:0], a), runes(l.rb[:0], b)
	ra, rb := l.ra, l.rb
	l.prev, l.cur = slices.Grow(l.prev[:0], nb+1)[:nb+1], slices.Grow(l.cur[:0], nb+1)[:nb+1]
	prev, cur := l.prev, l.cur
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		low := cur[0]
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			low = min(low, cur[j])
		}
		if low >= limit {
			return limit
		}
		prev, cur = cur, prev
	}
	return min(prev[len(rb)], limit)
}

// runes appends the runes of s to dst, as ints.
func runes(dst []int, s string) []int {
	for _, r := range s {
		dst = append(dst, int(r))
	}
	return dst
}

// Related finds published articles about text (a ticket's subject and
// first message, a contact form's subject): each of its longest words is
// searched alone and the articles are ranked by how many of the words they
// hold, then by rank. For the composer's suggestions and the contact form
// when a plain Search finds nothing.
func (s *Service) Related(ctx context.Context, q Query) ([]Hit, error) {
	if q.Limit <= 0 {
		q.Limit = 5
	}
	seen := map[string]bool{}
	var words []string
	for _, w := range search.Words(q.Text) {
		if utf8.RuneCountInString(w) >= 4 && !seen[w] {
			seen[w] = true
			words = append(words, w)
		}
	}
	sort.SliceStable(words, func(i, j int) bool { return utf8.RuneCountInString(words[i]) > utf8.RuneCountInString(words[j]) })
	if len(words) > 6 {
		words = words[:6]
	}
	score := map[int64]float64{}
	byID := map[int64]Hit{}
	for _, w := range words {
		hits, err := s.match(ctx, q, []search.Term{{Text: w, Prefix: true}})
		if err != nil {
			return nil, err
		}
		for _, h := range hits {
			score[h.TranslationID] += 1 + h.Score/10
			byID[h.TranslationID] = h
		}
	}
	out := make([]Hit, 0, len(byID))
	for id, h := range byID {
		h.Score = score[id]
		out = append(out, h)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Score != out[j].Score {
			return out[i].Score > out[j].Score
		}
		return out[i].TranslationID < out[j].TranslationID
	})
	if len(out) > q.Limit {
		out = out[:q.Limit]
	}
	for i := range out {
		var body string
		if err := s.db.R.QueryRowContext(ctx, s.q.Get("published-text"), out[i].TranslationID).Scan(&out[i].Title, &body); err != nil {
			return nil, fmt.Errorf("kb: related: %w", notFound(err))
		}
	}
	return out, nil
}

// RecordMissed keeps a help-center search that found nothing, for the
// content gaps report.
func (s *Service) RecordMissed(ctx context.Context, lang, text string) error {
	text = strings.Join(strings.Fields(text), " ")
	if text == "" {
		return nil
	}
	if utf8.RuneCountInString(text) > 200 {
		text = string([]rune(text)[:200])
	}
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, s.q.Get("insert-missed"), lang, text, store.Millis(s.clock.Now()))
		return err
	})
	if err != nil {
		return fmt.Errorf("kb: record missed search: %w", err)
	}
	return nil
}
