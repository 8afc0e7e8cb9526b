// Package export writes a whole Rapport database to a folder of JSON lines
// (one <table>.jsonl per table, attachments included, as the rows of the
// blobs and blob_chunks tables) and restores such a folder into a new,
// empty database of either dialect: `rapport export` and
// `rapport import rapport`, the way from SQLite to PostgreSQL.
//
// Values are written the same way whatever the source dialect: integers
// and floats as JSON numbers, booleans as 0 or 1, text as strings, bytes
// as base64 strings, NULL as null; rows in primary-key order (text keys in
// byte order), each row an object with its columns sorted by name. So an
// export of a database and an export of its copy on the other dialect are
// the same files.
package export

import (
	"bufio"
	"context"
	"database/sql"
	"embed"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/rapport/rapport/internal/store"
)

//go:embed queries*.sql
var queriesFS embed.FS

// Format names the kind of folder an export is, in its manifest.
const Format = "rapport-export"

// FormatVersion is the version of the layout of an export folder.
const FormatVersion = 1

// ManifestFile is the name of the manifest in an export folder; it is
// written last, so a folder without one is not a finished export.
const ManifestFile = "manifest.json"

// ErrDirNotEmpty is returned (wrapped) by Export when the target folder
// holds files already.
var ErrDirNotEmpty = errors.New("the export folder is not empty")

// Manifest describes an export folder.
type Manifest struct {
	Format        string           `json:"format"`
	FormatVersion int              `json:"format_version"`
	SchemaVersion int              `json:"schema_version"` // the highest migration applied to the source
	Dialect       string           `json:"dialect"`        // of the source
	ExportedAt    time.Time        `json:"exported_at"`
	Tables        map[string]int64 `json:"tables"` // rows per table; each has a <table>.jsonl
}

// Export writes every table of db to dir (made if absent; it must be
// empty) as <table>.jsonl, then manifest.json with the schema version, the
// row counts and now. It reads one snapshot: a read-only transaction
// (repeatable read on PostgreSQL), so a running server may keep writing.
func Export(ctx context.Context, db *store.DB, dir string, now time.Time) (Manifest, error) {
	m := Manifest{Format: Format, FormatVersion: FormatVersion, Dialect: string(db.Dialect),
		ExportedAt: now.UTC(), Tables: map[string]int64{}}
	if err := emptyDir(dir); err != nil {
		return m, err
	}
	qs, err := store.LoadQueries(queriesFS, db.Dialect)
	if err != nil {
		return m, fmt.Errorf("export: %w", err)
	}
	opts := &sql.TxOptions{ReadOnly: true}
	if db.Dialect == store.Postgres {
		opts.Isolation = sql.LevelRepeatableRead
	}
	tx, err := db.R.BeginTx(ctx, opts)
	if err != nil {
		return m, fmt.Errorf("export: begin: %w", err)
	}
	defer tx.Rollback()
	if err := tx.QueryRowContext(ctx, qs.Get("schema-version")).Scan(&m.SchemaVersion); err != nil {
		return m, fmt.Errorf("export: schema version: %w", err)
	}
	tables, err := schema(ctx, tx, qs)
	if err != nil {
		return m, err
	}
	for _, t := range tables {
		n, err := writeTable(ctx, tx, db.Dialect, t, filepath.Join(dir, t.name+".jsonl"))
		if err != nil {
			return m, err
		}
		m.Tables[t.name] = n
	}
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return m, fmt.Errorf("export: manifest: %w", err)
	}
	if err := writeFile(filepath.Join(dir, ManifestFile), append(b, '\n')); err != nil {
		return m, err
	}
	return m, nil
}

// emptyDir makes dir, or checks that it is an empty folder.
func emptyDir(dir string) error {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return fmt.Errorf("export: %w", err)
		}
		return nil
	}
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	if len(entries) > 0 {
		return fmt.Errorf("export: %s: %w", dir, ErrDirNotEmpty)
	}
	return nil
}

// writeTable writes the rows of t, in primary-key order, to path.
func writeTable(ctx context.Context, tx *sql.Tx, d store.Dialect, t table, path string) (int64, error) {
	var cols, order []string
	for _, c := range t.cols {
		cols = append(cols, ident(c.name))
	}
	// Primary-key columns in key order, or every column for a table without one.
	for pos := 1; ; pos++ {
		found := false
		for _, c := range t.cols {
			if c.pk == pos {
				order = append(order, orderTerm(d, c))
				found = true
			}
		}
		if !found {
			break
		}
	}
	if len(order) == 0 {
		for _, c := range t.cols {
			order = append(order, orderTerm(d, c))
		}
	}
	// Identifiers come from the schema's own catalogue, quoted.
	query := "SELECT " + strings.Join(cols, ", ") + " FROM " + ident(t.name) + " ORDER BY " + strings.Join(order, ", ")
	rows, err := tx.QueryContext(ctx, query)
	if err != nil {
		return 0, fmt.Errorf("export: read %s: %w", t.name, err)
	}
	defer rows.Close()
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o640)
	if err != nil {
		return 0, fmt.Errorf("export: %w", err)
	}
	defer f.Close()
	w := bufio.NewWriterSize(f, 1<<16)
	vals := make([]any, len(t.cols))
	ptrs := make([]any, len(t.cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	row := make(map[string]any, len(t.cols))
	var n int64
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return n, fmt.Errorf("export: read %s: %w", t.name, err)
		}
		for i, c := range t.cols {
			v, err := exportValue(c, vals[i])
			if err != nil {
				return n, fmt.Errorf("export: %s.%s: %w", t.name, c.name, err)
			}
			row[c.name] = v
		}
		b, err := json.Marshal(row)
		if err != nil {
			return n, fmt.Errorf("export: %s: %w", t.name, err)
		}
		w.Write(b)
		if err := w.WriteByte('\n'); err != nil {
			return n, fmt.Errorf("export: write %s: %w", path, err)
		}
		n++
	}
	if err := rows.Err(); err != nil {
		return n, fmt.Errorf("export: read %s: %w", t.name, err)
	}
	if err := w.Flush(); err != nil {
		return n, fmt.Errorf("export: write %s: %w", path, err)
	}
	if err := f.Sync(); err != nil {
		return n, fmt.Errorf("export: write %s: %w", path, err)
	}
	return n, f.Close()
}

// orderTerm sorts by a column; text in byte order on PostgreSQL too, as
// SQLite does, so both dialects list rows alike.
func orderTerm(d store.Dialect, c column) string {
	if d == store.Postgres && c.kind == kindText {
		return ident(c.name) + ` COLLATE "C"`
	}
	return ident(c.name)
}

// exportValue is what a value read from the database becomes in JSON.
func exportValue(c column, v any) (any, error) {
	switch x := v.(type) {
	case nil:
		return nil, nil
	case bool:
		if x {
			return 1, nil
		}
		return 0, nil
	case []byte:
		if c.kind == kindBlob {
			return base64.StdEncoding.EncodeToString(x), nil
		}
		return string(x), nil
	case string:
		if c.kind == kindBlob {
			return base64.StdEncoding.EncodeToString([]byte(x)), nil
		}
		return x, nil
	case int64, int32, int16, int, float64, float32:
		return x, nil
	case time.Time:
		return x.UTC().Format(time.RFC3339Nano), nil
	}
	return nil, fmt.Errorf("unexpected value of type %T", v)
}

// writeFile writes data to a new file at path and syncs it.
func writeFile(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o640)
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return fmt.Errorf("export: write %s: %w", path, err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("export: write %s: %w", path, err)
	}
	return f.Close()
}
