package store

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"testing"
)

// TestStatementCache runs the same statements again and again on the
// cached SQLite connections: the same text with other arguments, the same
// query while its own rows are still open (the second use gets its own
// statement), more distinct statements than the cache holds, and a failing
// statement followed by a good run of it.
func TestStatementCache(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, filepath.Join(t.TempDir(), "cache.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.W.Exec(`CREATE TABLE kv (k INTEGER PRIMARY KEY, v TEXT NOT NULL UNIQUE)`); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 50; i++ {
		if _, err := db.W.Exec(`INSERT INTO kv (k, v) VALUES (?, ?)`, i, fmt.Sprint("v", i)); err != nil {
			t.Fatal(err)
		}
	}
	// A duplicate fails; the same statement then works again.
	if _, err := db.W.Exec(`INSERT INTO kv (k, v) VALUES (?, ?)`, 100, "v1"); !IsUniqueViolation(err) {
		t.Fatalf("duplicate: %v", err)
	}
	if _, err := db.W.Exec(`INSERT INTO kv (k, v) VALUES (?, ?)`, 100, "v100"); err != nil {
		t.Fatalf("after a failure: %v", err)
	}
	// The same query nested inside its own open rows, in one transaction
	// (so on one connection).
	tx, err := db.W.Begin()
	if err != nil {
		t.Fatal(err)
	}
	const q = `SELECT k, v FROM kv WHERE k < ? ORDER BY k`
	rows, err := tx.Query(q, 5)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for rows.Next() {
		var k int
		var v string
		if err := rows.Scan(&k, &v); err != nil {
			t.Fatal(err)
		}
		var inner int
		if err := tx.QueryRow(`SELECT count(*) FROM (`+q+`)`, k).Scan(&inner); err != nil {
			t.Fatal(err)
		}
		var v2 string
		if err := tx.QueryRow(q, k+1).Scan(new(int), &v2); err != nil || v2 != "v0" {
			t.Fatalf("nested run of the open query: %q, %v", v2, err)
		}
		if inner != k || v != fmt.Sprint("v", k) {
			t.Fatalf("row %d: %q, inner count %d", k, v, inner)
		}
		n++
	}
	if err := rows.Close(); err != nil || n != 5 {
		t.Fatalf("%d rows, %v", n, err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	// More distinct statements than the cache keeps, each answering right.
	for i := 0; i < stmtCacheSize+50; i++ {
		var got int
		if err := db.R.QueryRow(fmt.Sprintf(`SELECT %d + count(*) FROM kv WHERE k = ?`, i), i%50).Scan(&got); err != nil || got != i+1 {
			t.Fatalf("statement %d: %d, %v", i, got, err)
		}
	}
	// Column types come through.
	rows, err = db.R.Query(q, 2)
	if err != nil {
		t.Fatal(err)
	}
	cts, err := rows.ColumnTypes()
	if err != nil || len(cts) != 2 || cts[0].DatabaseTypeName() != "INTEGER" {
		t.Fatalf("column types: %v, %v", cts, err)
	}
	rows.Close()
	// An explicit prepared statement borrows the cached one and hands it
	// back when closed; a second one prepared meanwhile gets its own, and
	// so does a plain run of the same text.
	tx, err = db.W.Begin()
	if err != nil {
		t.Fatal(err)
	}
	const ins = `INSERT INTO kv (k, v) VALUES (?, ?)`
	for round := 0; round < 3; round++ {
		st, err := tx.Prepare(ins)
		if err != nil {
			t.Fatal(err)
		}
		st2, err := tx.Prepare(ins)
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i < 3; i++ {
			k := 1000 + round*10 + i
			if _, err := st.Exec(k, fmt.Sprint("p", k)); err != nil {
				t.Fatal(err)
			}
			if _, err := st2.Exec(k+500, fmt.Sprint("p", k+500)); err != nil {
				t.Fatal(err)
			}
			if _, err := tx.Exec(ins, k+700, fmt.Sprint("p", k+700)); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := st.Exec(1000, "duplicate"); !IsUniqueViolation(err) {
			t.Fatalf("duplicate through the lent statement: %v", err)
		}
		st.Close()
		st2.Close()
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	var lent int
	if err := db.R.QueryRow(`SELECT count(*) FROM kv WHERE v LIKE 'p%'`).Scan(&lent); err != nil || lent != 27 {
		t.Fatalf("%d rows through prepared statements, want 27: %v", lent, err)
	}
	wconn, err := db.W.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	wconn.Raw(func(dc any) error {
		c := dc.(*cacheConn)
		if el, ok := c.byQuery[ins]; !ok || el.Value.(*cachedStmt).busy {
			t.Errorf("the prepared statement was not handed back to the cache")
		}
		return nil
	})
	wconn.Close()
	// One connection keeps one statement for a text run many times.
	conn, err := db.R.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	for i := 0; i < 3; i++ {
		if err := conn.QueryRowContext(ctx, `SELECT v FROM kv WHERE k = ?`, i).Scan(new(string)); err != nil {
			t.Fatal(err)
		}
	}
	conn.Raw(func(dc any) error {
		c, ok := dc.(*cacheConn)
		if !ok {
			t.Fatalf("driver connection %T, want the caching one", dc)
		}
		if el, ok := c.byQuery[`SELECT v FROM kv WHERE k = ?`]; !ok || el.Value.(*cachedStmt).busy {
			t.Errorf("the statement is not cached, or still marked busy")
		}
		if c.lru.Len() > stmtCacheSize {
			t.Errorf("%d statements kept, more than %d", c.lru.Len(), stmtCacheSize)
		}
		return nil
	})
}

// TestReadersStayOpen: the reader connections (and their statements) are
// kept when a burst of reads ends, not closed down to database/sql's
// default of two idle ones.
func TestReadersStayOpen(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, filepath.Join(t.TempDir(), "idle.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	n := db.R.Stats().MaxOpenConnections
	var conns []*sql.Conn
	for i := 0; i < n; i++ {
		c, err := db.R.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		conns = append(conns, c)
	}
	for _, c := range conns {
		c.Close()
	}
	if st := db.R.Stats(); st.Idle != n || st.MaxIdleClosed != 0 {
		t.Fatalf("after %d readers: %d idle, %d closed as surplus; want all %d kept", n, st.Idle, st.MaxIdleClosed, n)
	}
}
