// Package search is Rapport's one full-text engine: documents of any kind
// (tickets today, help-center articles later) with a language and three
// text fields, indexed by SQLite FTS5 or a PostgreSQL tsvector under GIN,
// and queried with a small syntax (Parse) into ranked results with
// highlighted snippets.
//
// The owners of the searchable rows keep their documents in step inside
// their own transactions (Put, Delete, and for tickets IndexTickets, which
// builds a ticket's document from its rows); Backfill indexes what a
// database held before the index existed.
package search

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/rapport/rapport/internal/store"
)

// Doc is one searchable document. Title weighs most, then Extra (names,
// addresses, numbers: matched as they are, never stemmed), then Body.
type Doc struct {
	Kind     string
	Ref      int64 // the id of the row the document stands for
	Language string
	Title    string
	Body     string
	Extra    string
}

// Index writes and queries documents.
type Index struct {
	db *store.DB
	q  store.Queries

	reaches reachCache // ReachFor's answers

	// Tests only: batch and workers, when batch is set, replace the
	// backfill's defaults; spanStarts, when set, is called as each batch's
	// transaction begins; few, when set, replaces fewMatches.
	batch, workers int
	spanStarts     func(after, upto int64)
	few            int
}

// reachCache remembers ReachFor's answers, which change only when
// search_fts is analysed again: asking pg_stats cost a round trip and
// 14–19 ms of planning a search at load 20–30. It is emptied every
// reachCacheUses lookups, so that an answer is never more than that many
// searches older than the statistics; a stale one costs time, never a
// result (both reaches find the same documents).
type reachCache struct {
	mu   sync.Mutex
	m    map[string]Reach
	uses int
}

// reachCacheUses is how many lookups reachCache answers before it is
// emptied.
const reachCacheUses = 1000

// get returns the answer remembered for key.
func (c *reachCache) get(key string) (Reach, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.uses++; c.uses > reachCacheUses {
		c.m, c.uses = nil, 0
	}
	r, ok := c.m[key]
	return r, ok
}

// put remembers r for key.
func (c *reachCache) put(key string, r Reach) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = map[string]Reach{}
	}
	c.m[key] = r
}

//go:embed queries*.sql
var queriesFS embed.FS

// New returns the index over db.
func New(db *store.DB) *Index {
	return &Index{db: db, q: store.MustLoadQueries(queriesFS, db.Dialect)}
}

// maxBody bounds the text indexed per field: PostgreSQL's tsvector holds at
// most 1 MB, and what lies past the first 200,000 characters of a thread
// is rarely what anyone searches for.
const maxBody = 200_000

// Put writes d in tx, replacing the document of the same kind and ref.
func (ix *Index) Put(ctx context.Context, tx *sql.Tx, d Doc) error {
	var id int64
	if err := tx.QueryRowContext(ctx, ix.q.Get("put-doc"), d.Kind, d.Ref, d.Language).Scan(&id); err != nil {
		return fmt.Errorf("search: put %s %d: %w", d.Kind, d.Ref, err)
	}
	if ix.db.Dialect == store.SQLite {
		if _, err := tx.ExecContext(ctx, ix.q.Get("delete-fts"), id); err != nil {
			return fmt.Errorf("search: put %s %d: %w", d.Kind, d.Ref, err)
		}
	}
	title, body, extra := clean(d.Title), clean(d.Body), clean(d.Extra)
	args := []any{id, Config(d.Language), title, body, extra}
	if ix.db.Dialect == store.Postgres {
		args = append(args, fold(title), fold(body), fold(extra))
	}
	_, err := tx.ExecContext(ctx, ix.q.Get("put-fts"), args...)
	if err != nil {
		return fmt.Errorf("search: put %s %d: %w", d.Kind, d.Ref, err)
	}
	return nil
}

// putMany writes docs, all of one kind, in tx as Put does one at a time:
// on PostgreSQL in two statements, whatever their number (the backfill
// writes a batch this way: one round trip a document was most of its
// time); on SQLite, whose statements cost no round trip, one by one.
func (ix *Index) putMany(ctx context.Context, tx *sql.Tx, docs []Doc) error {
	if ix.db.Dialect != store.Postgres || len(docs) < 2 {
		for _, d := range docs {
			if err := ix.Put(ctx, tx, d); err != nil {
				return err
			}
		}
		return nil
	}
	kind := docs[0].Kind
	refs := make([]int64, len(docs))
	langs := make([]string, len(docs))
	for i, d := range docs {
		if d.Kind != kind {
			return fmt.Errorf("search: put: kinds %s and %s in one batch", kind, d.Kind)
		}
		refs[i], langs[i] = d.Ref, d.Language
	}
	rows, err := tx.QueryContext(ctx, ix.q.Get("put-docs"), kind, refs, langs)
	if err != nil {
		return fmt.Errorf("search: put %d %s documents: %w", len(docs), kind, err)
	}
	ids := make(map[int64]int64, len(docs))
	for rows.Next() {
		var id, ref int64
		if err := rows.Scan(&id, &ref); err != nil {
			rows.Close()
			return fmt.Errorf("search: put %d %s documents: %w", len(docs), kind, err)
		}
		ids[ref] = id
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("search: put %d %s documents: %w", len(docs), kind, err)
	}
	n := len(docs)
	cols := make([][]string, 7) // cfg, title, body, extra, and the three folded
	for i := range cols {
		cols[i] = make([]string, n)
	}
	docIDs := make([]int64, n)
	for i, d := range docs {
		id, ok := ids[d.Ref]
		if !ok {
			return fmt.Errorf("search: put %s %d: no document row returned", kind, d.Ref)
		}
		title, body, extra := clean(d.Title), clean(d.Body), clean(d.Extra)
		docIDs[i] = id
		cols[0][i], cols[1][i], cols[2][i], cols[3][i] = Config(d.Language), title, body, extra
		cols[4][i], cols[5][i], cols[6][i] = fold(title), fold(body), fold(extra)
	}
	_, err = tx.ExecContext(ctx, ix.q.Get("put-fts-many"), docIDs, cols[0], cols[1], cols[2], cols[3], cols[4], cols[5], cols[6])
	if err != nil {
		return fmt.Errorf("search: put %d %s documents: %w", len(docs), kind, err)
	}
	return nil
}

// Delete removes the document of kind and ref, if there is one.
func (ix *Index) Delete(ctx context.Context, tx *sql.Tx, kind string, ref int64) error {
	var id int64
	err := tx.QueryRowContext(ctx, ix.q.Get("doc-id"), kind, ref).Scan(&id)
	if err == sql.ErrNoRows {
		return nil
	}
	if err == nil {
		_, err = tx.ExecContext(ctx, ix.q.Get("delete-fts"), id)
	}
	if err == nil {
		_, err = tx.ExecContext(ctx, ix.q.Get("delete-doc"), id)
	}
	if err != nil {
		return fmt.Errorf("search: delete %s %d: %w", kind, ref, err)
	}
	return nil
}

// Config is the PostgreSQL text-search configuration of a language: the
// stemming ones it ships for English, Italian and Russian, and 'simple'
// (lower-cased words, no stemming, no stop words) for the others, Latvian
// and Catalan among them, which it has no stemmer for. SQLite ignores it.
func Config(lang string) string {
	switch strings.ToLower(lang) {
	case "en":
		return "english"
	case "it":
		return "italian"
	case "ru":
		return "russian"
	}
	return "simple"
}

// configs are every configuration Config returns.
var configs = []string{"english", "italian", "russian", "simple"}

// Highlight marks: the databases put them around each hit of a snippet,
// and Snippet.HTML turns them into <mark> after escaping the text. Indexed
// text never holds them (clean removes them).
const (
	markOpen  = "\ue000"
	markClose = "\ue001"
)

// clean makes s fit to index: valid UTF-8, no NUL (PostgreSQL refuses it),
// no highlight marks, at most maxBody bytes.
func clean(s string) string {
	s = strings.ToValidUTF8(s, " ")
	if strings.ContainsAny(s, "\x00"+markOpen+markClose) {
		s = strings.NewReplacer("\x00", " ", markOpen, " ", markClose, " ").Replace(s)
	}
	if len(s) > maxBody {
		cut := maxBody
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut]
	}
	return s
}
