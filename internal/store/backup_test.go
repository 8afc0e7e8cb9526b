package store_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/store/storetest"
)

// openSQLiteFile opens and migrates a SQLite database at a path the test knows.
func openSQLiteFile(t *testing.T, path string) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return db
}

func latestVersion(t *testing.T) int {
	t.Helper()
	ms, err := store.Migrations(store.SQLite)
	if err != nil {
		t.Fatal(err)
	}
	return ms[len(ms)-1].Version
}

// tmpLeft lists the backup's temporary files left in dir.
func tmpLeft(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".tmp") {
			out = append(out, e.Name())
		}
	}
	return out
}

// TestBackupWhileWriting takes a backup while another goroutine keeps
// committing transactions of two rows each. The copy passes the integrity
// check, is at the current schema version, opens as a Rapport database and
// holds whole transactions only: an even number of rows, between what was
// committed when the backup began and when it ended.
func TestBackupWhileWriting(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db := openSQLiteFile(t, filepath.Join(dir, "live.db"))
	if _, err := db.W.ExecContext(ctx, `CREATE TABLE backup_pairs (id INTEGER PRIMARY KEY, txn INTEGER NOT NULL)`); err != nil {
		t.Fatal(err)
	}
	var committed atomic.Int64
	stop := make(chan struct{})
	warm := make(chan struct{}) // closed once 200 transactions are in
	writeErr := make(chan error, 1)
	go func() {
		defer close(writeErr)
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			err := db.Tx(ctx, func(tx *sql.Tx) error {
				for range 2 {
					if _, err := tx.ExecContext(ctx, `INSERT INTO backup_pairs (txn) VALUES ($1)`, i); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				writeErr <- err
				return
			}
			if committed.Add(1) == 200 {
				close(warm)
			}
		}
	}()
	select {
	case <-warm:
	case err := <-writeErr:
		t.Fatalf("writer: %v", err)
	}
	before := committed.Load()
	target := filepath.Join(dir, "copy.db")
	rep, err := db.Backup(ctx, target, store.BackupOpts{})
	after := committed.Load()
	close(stop)
	if werr := <-writeErr; werr != nil {
		t.Fatalf("writer: %v", werr)
	}
	if err != nil {
		t.Fatal(err)
	}
	if rep.SchemaVersion != latestVersion(t) {
		t.Errorf("backup at schema version %d, want %d", rep.SchemaVersion, latestVersion(t))
	}
	pairs := rep.Rows["backup_pairs"]
	t.Logf("committed %d..%d transactions during the backup; the copy holds %d rows; total now %d", before, after, pairs, committed.Load())
	if pairs%2 != 0 {
		t.Errorf("backup holds %d rows: half a transaction", pairs)
	}
	if pairs < 2*before || pairs > 2*after {
		t.Errorf("backup holds %d rows, want between %d and %d", pairs, 2*before, 2*after)
	}
	fi, err := os.Stat(target)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Bytes != fi.Size() || rep.Bytes == 0 {
		t.Errorf("report says %d bytes, file has %d", rep.Bytes, fi.Size())
	}
	if left := tmpLeft(t, dir); len(left) > 0 {
		t.Errorf("temporary files left: %v", left)
	}

	// The copy is a Rapport database in its own right.
	cp, err := store.Open(ctx, target)
	if err != nil {
		t.Fatal(err)
	}
	defer cp.Close()
	if n, err := cp.Pending(ctx); err != nil || n != 0 {
		t.Errorf("copy has %d pending migrations (%v), want 0", n, err)
	}
	var n int64
	var odd int
	if err := cp.R.QueryRowContext(ctx, `SELECT count(*), (SELECT count(*) FROM (SELECT txn FROM backup_pairs GROUP BY txn HAVING count(*) <> 2)) FROM backup_pairs`).Scan(&n, &odd); err != nil {
		t.Fatal(err)
	}
	if n != pairs || odd != 0 {
		t.Errorf("copy read back: %d rows (report %d), %d transactions not whole", n, pairs, odd)
	}
}

// TestBackupTargets: an existing file is refused and left as it was unless
// forced; the database's own file is refused even when forced; a failed
// backup leaves no temporary file; PostgreSQL is refused naming pg_dump.
func TestBackupTargets(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	live := filepath.Join(dir, "live.db")
	db := openSQLiteFile(t, live)
	existing := filepath.Join(dir, "existing.db")
	if err := os.WriteFile(existing, []byte("keep me"), 0o600); err != nil {
		t.Fatal(err)
	}

	_, err := db.Backup(ctx, existing, store.BackupOpts{})
	if !errors.Is(err, store.ErrBackupExists) {
		t.Errorf("backup onto an existing file: err = %v, want ErrBackupExists", err)
	}
	if b, _ := os.ReadFile(existing); string(b) != "keep me" {
		t.Errorf("existing file changed to %q", b)
	}

	rep, err := db.Backup(ctx, existing, store.BackupOpts{Force: true})
	if err != nil {
		t.Fatalf("forced backup: %v", err)
	}
	if b, _ := os.ReadFile(existing); !strings.HasPrefix(string(b), "SQLite format 3\x00") {
		t.Errorf("forced backup did not replace the file: starts %q", b[:min(16, len(b))])
	}
	if rep.SchemaVersion != latestVersion(t) {
		t.Errorf("forced backup at version %d", rep.SchemaVersion)
	}

	for _, force := range []bool{false, true} {
		if _, err := db.Backup(ctx, live, store.BackupOpts{Force: force}); err == nil || !strings.Contains(err.Error(), "database itself") {
			t.Errorf("backup onto the database (force %v): err = %v", force, err)
		}
	}

	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := db.Backup(cancelled, filepath.Join(dir, "cancelled.db"), store.BackupOpts{}); err == nil {
		t.Error("backup with a cancelled context succeeded")
	}
	if _, err := os.Stat(filepath.Join(dir, "cancelled.db")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a failed backup left its target: %v", err)
	}
	if _, err := db.Backup(ctx, filepath.Join(dir, "no-such-folder", "x.db"), store.BackupOpts{}); err == nil {
		t.Error("backup into a missing folder succeeded")
	}
	if left := tmpLeft(t, dir); len(left) > 0 {
		t.Errorf("temporary files left: %v", left)
	}

	t.Run("postgres", func(t *testing.T) {
		pg := storetest.Postgres(t)
		_, err := pg.Backup(ctx, filepath.Join(t.TempDir(), "pg.db"), store.BackupOpts{})
		if !errors.Is(err, store.ErrBackupNotSQLite) || !strings.Contains(err.Error(), "pg_dump") {
			t.Errorf("backup of PostgreSQL: err = %v, want ErrBackupNotSQLite naming pg_dump", err)
		}
	})
}

// BenchmarkBackup copies a SQLite database of about 40 MB (200,000 rows of
// 200 bytes) per iteration; b.SetBytes makes the figure MB/s.
func BenchmarkBackup(b *testing.B) {
	ctx := context.Background()
	dir := b.TempDir()
	db, err := store.Open(ctx, filepath.Join(dir, "live.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	if err := db.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	if _, err := db.W.ExecContext(ctx, `CREATE TABLE bench_rows (id INTEGER PRIMARY KEY, body TEXT NOT NULL)`); err != nil {
		b.Fatal(err)
	}
	if _, err := db.W.ExecContext(ctx, `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 200000)
		INSERT INTO bench_rows (body) SELECT hex(randomblob(100)) FROM n`); err != nil {
		b.Fatal(err)
	}
	var size int64
	i := 0
	for b.Loop() {
		rep, err := db.Backup(ctx, filepath.Join(dir, fmt.Sprintf("copy%d.db", i)), store.BackupOpts{})
		if err != nil {
			b.Fatal(err)
		}
		os.Remove(rep.Path)
		size = rep.Bytes
		i++
	}
	b.SetBytes(size)
}
