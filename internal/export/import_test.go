package export

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/store/storetest"
)

// copyExport copies the export folder src to a new folder, applying edit
// to the named file's text.
func copyExport(t *testing.T, src, file string, edit func(string) string) string {
	t.Helper()
	dst := t.TempDir()
	es, err := os.ReadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range es {
		b, err := os.ReadFile(filepath.Join(src, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if e.Name() == file {
			b = []byte(edit(string(b)))
		}
		if err := os.WriteFile(filepath.Join(dst, e.Name()), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dst
}

// TestImportRefusesBadExports feeds Import damaged exports: each is refused
// with a precise error, and the database is left as it was, so the good
// export then imports.
func TestImportRefusesBadExports(t *testing.T) {
	ctx := context.Background()
	good := filepath.Join(t.TempDir(), "x")
	if _, err := Export(ctx, demoDB(t), good, testNow); err != nil {
		t.Fatal(err)
	}
	firstLine := func(s string) string { return s[:strings.IndexByte(s, '\n')] }
	tests := []struct {
		name, file string
		edit       func(string) string
		want       string
	}{
		{name: "a message of the wrong type", file: "messages.jsonl",
			edit: func(s string) string { return strings.Replace(s, `"ticket_id":`, `"ticket_id":"x",`+`"_":`, 1) }, want: "messages.jsonl line 1"},
		{name: "an unknown column", file: "agents.jsonl",
			edit: func(s string) string { return strings.Replace(s, "{", `{"shoe_size":44,`, 1) }, want: `unknown column "shoe_size"`},
		{name: "a missing row", file: "tickets.jsonl",
			edit: func(s string) string { return strings.TrimPrefix(s, firstLine(s)+"\n") }, want: "the manifest says"},
		{name: "a reply to a missing ticket", file: "tickets.jsonl",
			edit: func(s string) string { return strings.Replace(s, `"id":1,`, `"id":100000,`, 1) }, want: "foreign key"},
		{name: "broken JSON", file: "customers.jsonl",
			edit: func(s string) string { return "{" + s }, want: "customers.jsonl line 1"},
		{name: "bad base64", file: "blob_chunks.jsonl",
			edit: func(s string) string { return strings.Replace(s, `"data":"`, `"data":"*`, 1) }, want: "blob_chunks.jsonl line 1"},
		{name: "another schema version", file: ManifestFile,
			edit: func(s string) string { return strings.Replace(s, `"schema_version": `, `"schema_version": 9`, 1) }, want: "schema version"},
		{name: "a table the database lacks", file: ManifestFile,
			edit: func(s string) string { return strings.Replace(s, `"tables": {`, `"tables": {"ghosts": 0,`, 1) }, want: "only in the export: [ghosts]"},
		{name: "not an export", file: ManifestFile,
			edit: func(s string) string { return strings.Replace(s, Format, "other", 1) }, want: "format"},
	}
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				_, err := Import(ctx, db, copyExport(t, good, tc.file, tc.edit))
				if err == nil || !strings.Contains(strings.ToLower(err.Error()), strings.ToLower(tc.want)) {
					t.Fatalf("err = %v, want it to contain %q", err, tc.want)
				}
			})
		}
		var n int
		if err := db.R.QueryRowContext(ctx, `SELECT count(*) FROM tickets`).Scan(&n); err != nil || n != 0 {
			t.Fatalf("after refused imports: %d tickets (%v), want none", n, err)
		}
		if _, err := Import(ctx, db, good); err != nil {
			t.Fatalf("the good export after the bad ones: %v", err)
		}
	})
}

// TestExportRefusesFullFolder keeps Export from mixing with other files.
func TestExportRefusesFullFolder(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("mine"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := Export(context.Background(), storetest.SQLite(t), dir, testNow)
	if !errors.Is(err, ErrDirNotEmpty) {
		t.Fatalf("err = %v, want ErrDirNotEmpty", err)
	}
}

// FuzzDecodeRow reads arbitrary lines as rows of a table with a column of
// every kind: an error or a row, never a panic.
func FuzzDecodeRow(f *testing.F) {
	t := table{name: "t", cols: []column{{name: "id", kind: kindInt, pk: 1}, {name: "name", kind: kindText},
		{name: "on", kind: kindBool}, {name: "score", kind: kindFloat}, {name: "data", kind: kindBlob}}}
	for _, s := range []string{
		`{"id":1,"name":"a","on":1,"score":2.5,"data":"AAEC"}`,
		`{"id":1,"name":null,"on":0,"score":null,"data":null}`,
		`{"id":1.5,"name":"a","on":1,"score":2,"data":""}`,
		`{"id":1,"name":"a","on":2,"score":2,"data":""}`,
		`{"id":99999999999999999999,"name":"a","on":1,"score":1e400,"data":"!"}`,
		`{"id":1} {"id":2}`, `[]`, `null`, `{"id":1,"name":"a","on":1,"score":2,"data":"","x":1}`, "",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(_ *testing.T, line []byte) {
		args := make([]any, len(t.cols))
		for _, d := range []store.Dialect{store.SQLite, store.Postgres} {
			decodeRow(d, t, line, args)
		}
	})
}
