package export

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/rapport/rapport/internal/store"
)

// ErrNotEmpty is returned (wrapped) by Import when the database holds data
// of its own: agents, customers, tickets or messages.
var ErrNotEmpty = errors.New("the database is not empty")

// ErrSchemaMismatch is returned (wrapped) by Import when the export was
// made at another schema version, or its tables are not the database's.
var ErrSchemaMismatch = errors.New("the export does not match the database's schema")

// ownData are the tables whose rows only people make; a database with a
// row in any of them is not empty. (Migrations seed other tables, such as
// the quality rubric, and an import replaces those rows.)
var ownData = []string{"agents", "customers", "tickets", "messages"}

// ReadManifest reads and checks the manifest of the export folder dir.
func ReadManifest(dir string) (Manifest, error) {
	var m Manifest
	b, err := os.ReadFile(filepath.Join(dir, ManifestFile))
	if err != nil {
		return m, fmt.Errorf("export: %s is not a finished export: %w", dir, err)
	}
	if err := json.Unmarshal(b, &m); err != nil {
		return m, fmt.Errorf("export: %s: %w", ManifestFile, err)
	}
	if m.Format != Format {
		return m, fmt.Errorf("export: %s: format %q, want %q", ManifestFile, m.Format, Format)
	}
	if m.FormatVersion != FormatVersion {
		return m, fmt.Errorf("export: %s: format version %d, this Rapport reads %d", ManifestFile, m.FormatVersion, FormatVersion)
	}
	for t, n := range m.Tables {
		if t == "" || strings.ContainsAny(t, `/\.`) || n < 0 {
			return m, fmt.Errorf("export: %s: bad table entry %q: %d", ManifestFile, t, n)
		}
	}
	return m, nil
}

// Import restores the export in dir into db, a migrated database at the
// export's schema version holding no data of its own (ErrNotEmpty
// otherwise). It is one transaction: the rows the migrations seeded are
// replaced, every table is filled in foreign-key order and counted
// against the manifest, and on PostgreSQL the identity sequences are set
// past the highest id; on any error nothing is written. The search index
// is rebuilt by the server's search backfill when it next starts.
func Import(ctx context.Context, db *store.DB, dir string) (Manifest, error) {
	m, err := ReadManifest(dir)
	if err != nil {
		return m, err
	}
	qs, err := store.LoadQueries(queriesFS, db.Dialect)
	if err != nil {
		return m, fmt.Errorf("export: %w", err)
	}
	var version int
	if err := db.R.QueryRowContext(ctx, qs.Get("schema-version")).Scan(&version); err != nil {
		return m, fmt.Errorf("export: schema version: %w", err)
	}
	if version != m.SchemaVersion {
		return m, fmt.Errorf("export: the export is at schema version %d, the database at %d (migrate it with the same Rapport version): %w",
			m.SchemaVersion, version, ErrSchemaMismatch)
	}
	err = db.Tx(ctx, func(tx *sql.Tx) error {
		tables, err := schema(ctx, tx, qs)
		if err != nil {
			return err
		}
		if err := sameTables(tables, m); err != nil {
			return err
		}
		var found []string
		for _, t := range ownData {
			var n int64
			if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM "+ident(t)).Scan(&n); err != nil {
				return fmt.Errorf("export: count %s: %w", t, err)
			}
			if n > 0 {
				found = append(found, fmt.Sprintf("%s: %d", t, n))
			}
		}
		if len(found) > 0 {
			return fmt.Errorf("export: the database holds rows (%s); import into a new, migrated database: %w", strings.Join(found, ", "), ErrNotEmpty)
		}
		ordered, err := dependencyOrder(tables)
		if err != nil {
			return err
		}
		// Rows that point to later rows of their own table are fine
		// (a customer referred by a customer made later): the check
		// waits for the commit.
		deferFKs := "PRAGMA defer_foreign_keys = ON"
		if db.Dialect == store.Postgres {
			deferFKs = "SET CONSTRAINTS ALL DEFERRED"
		}
		if _, err := tx.ExecContext(ctx, deferFKs); err != nil {
			return fmt.Errorf("export: %w", err)
		}
		for i := len(ordered) - 1; i >= 0; i-- {
			if _, err := tx.ExecContext(ctx, "DELETE FROM "+ident(ordered[i].name)); err != nil {
				return fmt.Errorf("export: clear %s: %w", ordered[i].name, err)
			}
		}
		// The search index is not in an export: with no backfill state
		// the server's search backfill indexes every ticket at start.
		if _, err := tx.ExecContext(ctx, "DELETE FROM search_backfill"); err != nil {
			return fmt.Errorf("export: clear the search backfill: %w", err)
		}
		for _, t := range ordered {
			if err := loadTable(ctx, tx, db.Dialect, t, filepath.Join(dir, t.name+".jsonl"), m.Tables[t.name]); err != nil {
				return err
			}
		}
		if db.Dialect == store.Postgres {
			return resetSequences(ctx, tx, ordered)
		}
		return nil
	})
	if err != nil {
		return m, err
	}
	// The planner's statistics, for the whole database just loaded.
	return m, db.Analyze(ctx)
}

// sameTables checks that the export holds exactly the database's tables.
func sameTables(tables []table, m Manifest) error {
	var have, want []string
	for _, t := range tables {
		have = append(have, t.name)
	}
	for t := range m.Tables {
		want = append(want, t)
	}
	sort.Strings(want)
	if !slices.Equal(have, want) {
		var missing, extra []string
		for _, t := range want {
			if !slices.Contains(have, t) {
				extra = append(extra, t)
			}
		}
		for _, t := range have {
			if !slices.Contains(want, t) {
				missing = append(missing, t)
			}
		}
		return fmt.Errorf("export: tables only in the export: %v; only in the database: %v: %w", extra, missing, ErrSchemaMismatch)
	}
	return nil
}

// loadTable inserts the rows of path into t and checks that there were
// want of them, and that t then holds want rows.
func loadTable(ctx context.Context, tx *sql.Tx, d store.Dialect, t table, path string, want int64) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	defer f.Close()
	var cols, marks []string
	for i, c := range t.cols {
		cols = append(cols, ident(c.name))
		marks = append(marks, fmt.Sprintf("$%d", i+1))
	}
	stmt, err := tx.PrepareContext(ctx, "INSERT INTO "+ident(t.name)+" ("+strings.Join(cols, ", ")+") VALUES ("+strings.Join(marks, ", ")+")")
	if err != nil {
		return fmt.Errorf("export: insert into %s: %w", t.name, err)
	}
	defer stmt.Close()
	r := bufio.NewReaderSize(f, 1<<16)
	args := make([]any, len(t.cols))
	var n int64
	for line := 1; ; line++ {
		b, err := r.ReadBytes('\n')
		if err == io.EOF && len(b) == 0 {
			break
		}
		if err != nil && err != io.EOF {
			return fmt.Errorf("export: read %s: %w", path, err)
		}
		if err := decodeRow(d, t, b, args); err != nil {
			return fmt.Errorf("export: %s line %d: %w", filepath.Base(path), line, err)
		}
		if _, err := stmt.ExecContext(ctx, args...); err != nil {
			return fmt.Errorf("export: %s line %d: %w", filepath.Base(path), line, err)
		}
		n++
	}
	if n != want {
		return fmt.Errorf("export: %s holds %d rows, the manifest says %d", filepath.Base(path), n, want)
	}
	var have int64
	if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM "+ident(t.name)).Scan(&have); err != nil {
		return fmt.Errorf("export: count %s: %w", t.name, err)
	}
	if have != want {
		return fmt.Errorf("export: %s holds %d rows after the import, the manifest says %d", t.name, have, want)
	}
	return nil
}

// decodeRow reads one JSON line into args, in t's column order, typed for
// the target dialect. Every column must be there, and no other.
func decodeRow(d store.Dialect, t table, line []byte, args []any) error {
	dec := json.NewDecoder(bytes.NewReader(line))
	dec.UseNumber()
	var row map[string]any
	if err := dec.Decode(&row); err != nil {
		return err
	}
	if dec.More() {
		return errors.New("more than one value on the line")
	}
	if row == nil {
		return errors.New("not an object")
	}
	if len(row) != len(t.cols) {
		for k := range row {
			if !slices.ContainsFunc(t.cols, func(c column) bool { return c.name == k }) {
				return fmt.Errorf("unknown column %q", k)
			}
		}
	}
	for i, c := range t.cols {
		v, ok := row[c.name]
		if !ok {
			return fmt.Errorf("column %q missing", c.name)
		}
		a, err := importValue(d, c, v)
		if err != nil {
			return fmt.Errorf("column %q: %w", c.name, err)
		}
		args[i] = a
	}
	return nil
}

// importValue turns a JSON value into what column c takes.
func importValue(d store.Dialect, c column, v any) (any, error) {
	if v == nil {
		return nil, nil
	}
	switch c.kind {
	case kindText:
		s, ok := v.(string)
		if !ok {
			return nil, fmt.Errorf("want a string, got %T", v)
		}
		return s, nil
	case kindBlob:
		s, ok := v.(string)
		if !ok {
			return nil, fmt.Errorf("want base64 text, got %T", v)
		}
		b, err := base64.StdEncoding.DecodeString(s)
		if err != nil {
			return nil, err
		}
		return b, nil
	case kindInt, kindBool:
		n, ok := v.(json.Number)
		if !ok {
			return nil, fmt.Errorf("want an integer, got %T", v)
		}
		i, err := n.Int64()
		if err != nil {
			return nil, fmt.Errorf("want an integer: %w", err)
		}
		if c.kind == kindBool {
			if i != 0 && i != 1 {
				return nil, fmt.Errorf("want 0 or 1, got %d", i)
			}
			if d == store.Postgres {
				return i == 1, nil
			}
		}
		return i, nil
	case kindFloat:
		n, ok := v.(json.Number)
		if !ok {
			return nil, fmt.Errorf("want a number, got %T", v)
		}
		f, err := n.Float64()
		if err != nil {
			return nil, err
		}
		return f, nil
	}
	return nil, fmt.Errorf("unknown column kind %d", c.kind)
}

// resetSequences sets every identity column's sequence past the highest
// id imported, so that the next row PostgreSQL numbers does not clash.
func resetSequences(ctx context.Context, tx *sql.Tx, tables []table) error {
	for _, t := range tables {
		for _, c := range t.cols {
			if !c.identity {
				continue
			}
			q := "SELECT setval(pg_get_serial_sequence($1, $2), coalesce(max(" + ident(c.name) + "), 0) + 1, false) FROM " + ident(t.name)
			if _, err := tx.ExecContext(ctx, q, ident(t.name), c.name); err != nil {
				return fmt.Errorf("export: sequence of %s.%s: %w", t.name, c.name, err)
			}
		}
	}
	return nil
}
