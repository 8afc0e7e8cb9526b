// Package export writes a whole Rapport database to a folder of JSON lines
// (one <table>.jsonl per table, attachments included, as the rows of the
// blobs and blob_chunks tables, those of files kept in a bucket read from
// it and written as the database's chunks) and restores such a folder into a new,
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
	"crypto/sha256"
	"database/sql"
	"embed"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/rapport/rapport/internal/blob"
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
	return ExportWith(ctx, db, dir, now, nil)
}

// ExportWith is Export for a database whose files may be in bucket (the
// server's --s3-*; nil for none): their bytes are read from it and written
// as rows of blob_chunks, and their blobs rows say "db", so that the folder
// holds every file and the database it is imported into keeps them. An
// export that meets such a file without a bucket fails, naming the
// settings.
func ExportWith(ctx context.Context, db *store.DB, dir string, now time.Time, bucket *blob.Bucket) (Manifest, error) {
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
	files, err := bucketFiles(ctx, tx, tables, bucket)
	if err != nil {
		return m, err
	}
	for _, t := range tables {
		n, err := writeTable(ctx, tx, db.Dialect, t, filepath.Join(dir, t.name+".jsonl"), files)
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

// writeTable writes the rows of t, in primary-key order, to path; the
// rows of blobs and blob_chunks with files's (see ExportWith).
func writeTable(ctx context.Context, tx *sql.Tx, d store.Dialect, t table, path string, files *inBucket) (int64, error) {
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
		if t.name == "blobs" && row["location"] == blob.InBucket {
			row["location"] = blob.InDB
		}
		if t.name == "blob_chunks" && files != nil {
			id, _ := row["blob_id"].(int64)
			k, err := files.writeBefore(ctx, w, id)
			n += k
			if err != nil {
				return n, err
			}
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
	if t.name == "blob_chunks" && files != nil {
		k, err := files.writeBefore(ctx, w, math.MaxInt64)
		n += k
		if err != nil {
			return n, err
		}
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

// inBucket is the files of an export whose bytes are in a bucket, in id
// order; writeBefore writes their chunks among blob_chunks' rows, so that
// the file stays in (blob_id, seq) order.
type inBucket struct {
	bucket *blob.Bucket
	list   []bucketFile
	next   int
}

type bucketFile struct {
	id, size, chunk int64
	sum             string
}

// bucketFiles lists the snapshot's files in a bucket; nil when there are
// none (or the schema predates the bucket).
func bucketFiles(ctx context.Context, tx *sql.Tx, tables []table, bucket *blob.Bucket) (*inBucket, error) {
	has := false
	for _, t := range tables {
		for _, c := range t.cols {
			has = has || (t.name == "blobs" && c.name == "location")
		}
	}
	if !has {
		return nil, nil
	}
	rows, err := tx.QueryContext(ctx, "SELECT id, sha256, size, chunk_size FROM blobs WHERE location = 's3' ORDER BY id")
	if err != nil {
		return nil, fmt.Errorf("export: files in the bucket: %w", err)
	}
	defer rows.Close()
	f := &inBucket{bucket: bucket}
	for rows.Next() {
		var b bucketFile
		if err := rows.Scan(&b.id, &b.sum, &b.size, &b.chunk); err != nil {
			return nil, fmt.Errorf("export: files in the bucket: %w", err)
		}
		f.list = append(f.list, b)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("export: files in the bucket: %w", err)
	}
	if len(f.list) == 0 {
		return nil, nil
	}
	if bucket == nil {
		return nil, fmt.Errorf("export: %d files are in a bucket; give its settings (--s3-endpoint, --s3-bucket, --s3-access-key, the secret key) to read them", len(f.list))
	}
	return f, nil
}

// writeBefore writes, as blob_chunks rows, the chunks of every file in
// the bucket with an id below id not written yet, and returns how many
// rows it wrote. Each file's bytes are checked against its address.
func (f *inBucket) writeBefore(ctx context.Context, w io.Writer, id int64) (int64, error) {
	var n int64
	for ; f.next < len(f.list) && f.list[f.next].id < id; f.next++ {
		b := f.list[f.next]
		k, err := f.write(ctx, w, b)
		n += k
		if err != nil {
			return n, fmt.Errorf("export: file %s in the bucket: %w", b.sum, err)
		}
	}
	return n, nil
}

func (f *inBucket) write(ctx context.Context, w io.Writer, b bucketFile) (int64, error) {
	r, err := f.bucket.Open(ctx, b.sum)
	if err != nil {
		return 0, err
	}
	defer r.Close()
	h := sha256.New()
	buf := make([]byte, b.chunk)
	var n, size int64
	for seq := int64(0); ; seq++ {
		k, err := io.ReadFull(r, buf)
		if k > 0 || seq == 0 {
			h.Write(buf[:k])
			size += int64(k)
			line, jerr := json.Marshal(map[string]any{"blob_id": b.id, "seq": seq, "data": base64.StdEncoding.EncodeToString(buf[:k])})
			if jerr != nil {
				return n, jerr
			}
			if _, werr := w.Write(append(line, '\n')); werr != nil {
				return n, werr
			}
			n++
		}
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			break
		}
		if err != nil {
			return n, err
		}
	}
	if got := hex.EncodeToString(h.Sum(nil)); size != b.size || got != b.sum {
		return n, fmt.Errorf("the bucket holds %d bytes of address %s, the database says %d bytes of %s", size, got, b.size, b.sum)
	}
	return n, nil
}
