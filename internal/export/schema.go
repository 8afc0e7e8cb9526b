package export

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"

	"github.com/rapport/rapport/internal/store"
)

// skipped reports whether a table stays out of an export: the migrations'
// own bookkeeping, and the search index, which is per dialect (an FTS5
// table and its shadow tables on SQLite, a tsvector table on PostgreSQL)
// and is rebuilt from the tickets by the server's search backfill.
func skipped(table string) bool {
	switch table {
	case "schema_migrations", "search_docs", "search_backfill":
		return true
	}
	return table == "search_fts" || strings.HasPrefix(table, "search_fts_")
}

// kind is how a column's values are written in an export, the same on
// both dialects.
type kind int

const (
	kindText  kind = iota // a JSON string
	kindInt               // a JSON number
	kindFloat             // a JSON number
	kindBool              // 0 or 1: SQLite keeps booleans as INTEGER
	kindBlob              // a JSON string, base64
)

// kindOf reads a declared column type (SQLite's as written in the
// migration, PostgreSQL's format_type).
func kindOf(decl string) kind {
	t := strings.ToLower(decl)
	switch {
	case strings.Contains(t, "bool"):
		return kindBool
	case strings.Contains(t, "blob"), strings.Contains(t, "bytea"):
		return kindBlob
	case strings.Contains(t, "int"):
		return kindInt
	case strings.Contains(t, "doub"), strings.Contains(t, "real"), strings.Contains(t, "float"), strings.Contains(t, "numeric"):
		return kindFloat
	}
	return kindText
}

// column is one column of a table.
type column struct {
	name     string
	kind     kind
	pk       int  // position in the primary key, 1-based; 0 when not in it
	identity bool // PostgreSQL numbers it from a sequence
}

// table is one table of the schema, with what an export and an import
// need to know of it.
type table struct {
	name string
	cols []column // in the table's order
	refs []string // the other tables its foreign keys point to
}

// schema reads the tables of db's migrated schema, sorted by name, leaving
// out the skipped ones.
func schema(ctx context.Context, q queryer, qs store.Queries) ([]table, error) {
	names, err := strings1(q.QueryContext(ctx, qs.Get("tables")))
	if err != nil {
		return nil, fmt.Errorf("export: tables: %w", err)
	}
	var out []table
	for _, n := range names {
		if skipped(n) {
			continue
		}
		t := table{name: n}
		rows, err := q.QueryContext(ctx, qs.Get("columns"), n)
		if err != nil {
			return nil, fmt.Errorf("export: columns of %s: %w", n, err)
		}
		for rows.Next() {
			var c column
			var decl string
			var ident int
			if err := rows.Scan(&c.name, &decl, &c.pk, &ident); err != nil {
				rows.Close()
				return nil, fmt.Errorf("export: columns of %s: %w", n, err)
			}
			c.kind, c.identity = kindOf(decl), ident != 0
			t.cols = append(t.cols, c)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("export: columns of %s: %w", n, err)
		}
		refs, err := strings1(q.QueryContext(ctx, qs.Get("references"), n))
		if err != nil {
			return nil, fmt.Errorf("export: references of %s: %w", n, err)
		}
		for _, r := range refs {
			if r != n && !slices.Contains(t.refs, r) {
				t.refs = append(t.refs, r)
			}
		}
		out = append(out, t)
	}
	return out, nil
}

// queryer is a *sql.DB or a *sql.Tx.
type queryer interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// strings1 reads the first column of every row as text.
func strings1(rows *sql.Rows, err error) ([]string, error) {
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// dependencyOrder sorts tables so that every table comes after the tables
// it references (a foreign key to itself does not count). It fails on a
// cycle, which the schema does not have.
func dependencyOrder(tables []table) ([]table, error) {
	byName := make(map[string]table, len(tables))
	for _, t := range tables {
		byName[t.name] = t
	}
	state := map[string]int{} // 1 visiting, 2 done
	var out []table
	var visit func(n string) error
	visit = func(n string) error {
		switch state[n] {
		case 1:
			return fmt.Errorf("export: foreign keys form a cycle through %s", n)
		case 2:
			return nil
		}
		t, ok := byName[n]
		if !ok {
			return nil // a skipped table
		}
		state[n] = 1
		for _, r := range t.refs {
			if err := visit(r); err != nil {
				return err
			}
		}
		state[n] = 2
		out = append(out, t)
		return nil
	}
	for _, t := range tables {
		if err := visit(t.name); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// ident quotes an SQL identifier.
func ident(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }
