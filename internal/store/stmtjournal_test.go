package store

import (
	"context"
	"path/filepath"
	"testing"
)

// TestStatementJournalSpills changes, in one statement inside a transaction
// of several, far more pages than a statement journal keeps in memory:
// SQLite moves the journal to a temporary file and the statement succeeds.
// Raising the in-memory limit (SQLITE_CONFIG_STMTJRNL_SPILL) above 128 KiB
// made this statement fail with "database or disk is full" in this build of
// SQLite, and with it "rapport bench seed" at 250,000 tickets; the default
// stays.
func TestStatementJournalSpills(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, filepath.Join(t.TempDir(), "spill.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.W.Exec(`CREATE TABLE big (id INTEGER PRIMARY KEY, body TEXT NOT NULL)`); err != nil {
		t.Fatal(err)
	}
	if _, err := db.W.Exec(`CREATE INDEX big_body ON big (body)`); err != nil {
		t.Fatal(err)
	}
	fill := `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM n WHERE i < 40000)
		INSERT INTO big (id, body) SELECT i, printf('%08d', i) || hex(randomblob(100)) FROM n`
	if _, err := db.W.Exec(fill); err != nil {
		t.Fatal(err)
	}
	tx, err := db.W.Begin()
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	if _, err := tx.Exec(`INSERT INTO big (id, body) VALUES (0, 'first')`); err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(`UPDATE big SET body = hex(randomblob(100)) || body RETURNING id`); err != nil {
		t.Fatalf("a statement whose journal outgrows memory: %v", err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
}
