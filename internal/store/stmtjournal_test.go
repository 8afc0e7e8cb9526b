package store

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestStatementJournalStaysInMemory runs, inside a transaction of several
// statements, an insert that changes more existing pages than SQLite's
// default statement journal holds in memory (a row and twenty indexes,
// RETURNING its id, as a new ticket does), and
// checks that SQLite opened no temporary file for it: the journal stayed in
// memory, so the transaction's later pages are not written to a file. It
// then breaks a unique index in such a statement: the statement alone is
// undone, the transaction keeps its earlier rows.
func TestStatementJournalStaysInMemory(t *testing.T) {
	if _, err := os.Stat("/proc/self/fd"); err != nil {
		t.Skip("needs /proc to see open files")
	}
	ctx := context.Background()
	db, err := Open(ctx, filepath.Join(t.TempDir(), "journal.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	const indexes = 20
	cols := make([]string, indexes)
	for i := range cols {
		cols[i] = fmt.Sprintf("c%d TEXT NOT NULL", i)
	}
	if _, err := db.W.Exec(`CREATE TABLE wide (id INTEGER PRIMARY KEY, ` + strings.Join(cols, ", ") + `)`); err != nil {
		t.Fatal(err)
	}
	for i := range indexes {
		if _, err := db.W.Exec(fmt.Sprintf(`CREATE UNIQUE INDEX wide_c%d ON wide (c%d)`, i, i)); err != nil {
			t.Fatal(err)
		}
	}
	// Enough rows that every index has pages of its own before the
	// transaction: the statement changes pages that exist, which are the
	// ones it journals.
	// RETURNING makes SQLite journal the statement (it runs as a trigger
	// would), as inserting a ticket does.
	insert := `INSERT INTO wide (id, ` + strings.TrimSuffix(strings.Repeat("c?, ", indexes), ", ") + `) VALUES (?` + strings.Repeat(", ?", indexes) + `) RETURNING id`
	insert = strings.ReplaceAll(insert, "c?", "c%d")
	insert = fmt.Sprintf(insert, seq(indexes)...)
	row := func(id int) []any {
		args := []any{id}
		for i := range indexes {
			args = append(args, fmt.Sprintf("%d-%06d-%s", i, id, strings.Repeat("x", 10)))
		}
		return args
	}
	for id := 1; id <= 200; id++ {
		var got int
		if err := db.W.QueryRow(insert, row(id*10)...).Scan(&got); err != nil {
			t.Fatal(err)
		}
	}

	tx, err := db.W.Begin()
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	before := tempFiles(t)
	for id := 1; id <= 20; id++ {
		var got int
		if err := tx.QueryRow(insert, row(id*10+5)...).Scan(&got); err != nil {
			t.Fatal(err)
		}
	}
	var got int
	if err := tx.QueryRow(insert, row(10)...).Scan(&got); !IsUniqueViolation(err) {
		t.Fatalf("duplicate row: got %v, want a unique violation", err)
	}
	if after := tempFiles(t); after > before {
		t.Errorf("SQLite opened %d temporary files during the transaction; the statement journal should stay in memory", after-before)
	}
	var n int
	if err := tx.QueryRow(`SELECT count(*) FROM wide`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 220 {
		t.Errorf("rows in the transaction after the failed statement: %d, want 220", n)
	}
}

func seq(n int) []any {
	s := make([]any, n)
	for i := range s {
		s[i] = i
	}
	return s
}

// tempFiles counts this process's open files that were removed while
// open, as SQLite removes its temporary files at once.
func tempFiles(t *testing.T) int {
	t.Helper()
	fds, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, fd := range fds {
		target, err := os.Readlink(filepath.Join("/proc/self/fd", fd.Name()))
		if err == nil && strings.HasSuffix(target, " (deleted)") {
			n++
		}
	}
	return n
}

// TestStatementJournalSpills changes, in one statement inside a transaction
// of several, far more pages than a statement journal keeps in memory:
// SQLite moves the journal to a temporary file and the statement succeeds.
// With the in-memory limit (SQLITE_CONFIG_STMTJRNL_SPILL) above 128 KiB the
// journal's one chunk was written to the file short, and this statement
// failed with "database or disk is full", as "rapport bench seed" did at
// 250,000 tickets (stmtJournalSpill).
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
