package main

import (
	"bytes"
	"context"
	"database/sql"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rapport/rapport/internal/attachment"
	"github.com/rapport/rapport/internal/demo"
	"github.com/rapport/rapport/internal/export"
	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/store/storetest"
)

// TestMoveToPostgres moves a SQLite installation (a demo business, a
// Zendesk import, a file of more than one chunk, and a file an earlier
// version kept in the attachments folder) to PostgreSQL with `rapport
// move`, then exports both databases and finds the same rows in every
// table, the folder's file added to the target's files; a second move into
// the now full target is refused. It runs when RAPPORT_TEST_POSTGRES_DSN
// is set (in CI), like every PostgreSQL test.
func TestMoveToPostgres(t *testing.T) {
	ctx := context.Background()
	pg := storetest.PostgresDSN(t)
	dir := t.TempDir()
	srcPath := filepath.Join(dir, "rapport.db")
	src, err := store.Open(ctx, srcPath)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	if err := src.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	if _, err := demo.Generate(ctx, demo.Opts{DB: src, Seed: 7, Customers: 20, Tickets: 40, Now: now, Password: "demo-password",
		Log: slog.New(slog.DiscardHandler), AttachmentsDir: t.TempDir()}); err != nil {
		t.Fatal(err)
	}
	big := make([]byte, 300<<10)
	for i := range big {
		big[i] = byte(i * 13)
	}
	legacyDir := filepath.Join(dir, "attachments")
	legacyKey, err := attachment.Dir{Path: legacyDir}.Put(ctx, []byte("a file an earlier version kept on disk"))
	if err != nil {
		t.Fatal(err)
	}
	err = src.Tx(ctx, func(tx *sql.Tx) error {
		if err := attachment.New(src, nil, nil).AddTx(ctx, tx, 1, []attachment.File{{Filename: "big.bin", Data: big}}); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO attachments (message_id, filename, content_type, size, sha256, storage_key, created_at)
			VALUES (1, 'old.txt', 'text/plain', 38, $1, $1, 1)`, legacyKey)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if out, errOut, err := runImport(t, "zendesk", "--db", srcPath, "../../internal/importer/testdata/zendesk"); err != nil {
		t.Fatalf("%v\n%s%s", err, out, errOut)
	}

	var out, errOut bytes.Buffer
	if err := moveCmd(ctx, []string{"--db", srcPath, "--to", pg, "--attachments-dir", legacyDir}, &out, &errOut); err != nil {
		t.Fatalf("move: %v\n%s%s", err, out.String(), errOut.String())
	}
	for _, want := range []string{"every count checked", "1 files from " + legacyDir + " copied into the target, 0 not found"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("move output lacks %q:\n%s", want, out.String())
		}
	}
	if strings.Contains(out.String(), "DIFFERS") {
		t.Errorf("a count differs:\n%s", out.String())
	}

	// Export both and compare every table.
	dst, err := store.Open(ctx, pg)
	if err != nil {
		t.Fatal(err)
	}
	defer dst.Close()
	a, b := filepath.Join(dir, "a"), filepath.Join(dir, "b")
	ma, err := export.Export(ctx, src, a, now)
	if err != nil {
		t.Fatal(err)
	}
	mb, err := export.Export(ctx, dst, b, now)
	if err != nil {
		t.Fatal(err)
	}
	if ma.Tables["tickets"] == 0 || ma.Tables["import_links"] == 0 || ma.Tables["blob_chunks"] < 2 {
		t.Fatalf("the source is too small to tell: %v", ma.Tables)
	}
	for table, n := range ma.Tables {
		da, _ := os.ReadFile(filepath.Join(a, table+".jsonl"))
		db, _ := os.ReadFile(filepath.Join(b, table+".jsonl"))
		if table == "blobs" || table == "blob_chunks" {
			// The target also has the folder's file.
			la, lb := bytes.Split(bytes.TrimSpace(da), []byte("\n")), bytes.Split(bytes.TrimSpace(db), []byte("\n"))
			for _, l := range la {
				if !slices.ContainsFunc(lb, func(x []byte) bool { return bytes.Equal(x, l) }) {
					t.Errorf("%s: a source row is not in the target: %.200s", table, l)
				}
			}
			if mb.Tables[table] != n+1 {
				t.Errorf("%s: %d rows in the target, want the source's %d and the folder's file", table, mb.Tables[table], n)
			}
			continue
		}
		if !bytes.Equal(da, db) || mb.Tables[table] != n {
			t.Errorf("%s differs: %d rows, then %d", table, n, mb.Tables[table])
		}
	}

	// A second move into the full target is refused, clearly.
	err = moveCmd(ctx, []string{"--db", srcPath, "--to", pg}, &out, &errOut)
	if err == nil || !strings.Contains(err.Error(), "the target database is not empty") {
		t.Errorf("move into a full target: %v", err)
	}
	err = moveCmd(ctx, []string{"--db", filepath.Join(dir, "nothing.db"), "--to", pg}, &out, &errOut)
	if err == nil || !strings.Contains(err.Error(), "no SQLite database at") {
		t.Errorf("move of a missing database: %v", err)
	}
}
