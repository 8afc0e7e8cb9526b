package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// ErrBackupExists is returned (wrapped) by Backup when the target file
// already exists and overwriting was not asked for.
var ErrBackupExists = errors.New("backup target already exists")

// ErrBackupNotSQLite is returned (wrapped) by Backup on PostgreSQL, whose
// own tool, pg_dump, takes a consistent copy of a running database.
var ErrBackupNotSQLite = errors.New("backup copies SQLite databases only; PostgreSQL is backed up with pg_dump")

// BackupOpts are the choices of a Backup.
type BackupOpts struct {
	// Force replaces an existing target file.
	Force bool
}

// BackupReport says what a finished backup holds, as read back from the
// copy itself.
type BackupReport struct {
	Path          string           // the backup's absolute path
	Bytes         int64            // its size
	SchemaVersion int              // the highest migration applied in it
	Rows          map[string]int64 // row count of every table
}

// Backup writes a consistent copy of the SQLite database to path while
// others keep writing to it: VACUUM INTO reads one snapshot (a WAL read
// transaction, so writers are not blocked), and the copy holds exactly
// the transactions committed before it began.
//
// The copy is written to a temporary file beside path, checked (PRAGMA
// integrity_check, the schema version, row counts), fsynced, and only
// then given its name, so a file called path is always a whole, checked
// backup. An existing path is refused with ErrBackupExists unless
// opts.Force; the database's own file is refused always. On an error
// the temporary file is removed. On PostgreSQL it returns
// ErrBackupNotSQLite.
func (db *DB) Backup(ctx context.Context, path string, opts BackupOpts) (BackupReport, error) {
	if db.Dialect != SQLite {
		return BackupReport{}, fmt.Errorf("store: backup: %w", ErrBackupNotSQLite)
	}
	target, err := filepath.Abs(path)
	if err != nil {
		return BackupReport{}, fmt.Errorf("store: backup: %w", err)
	}
	if err := db.checkBackupTarget(ctx, target, opts.Force); err != nil {
		return BackupReport{}, err
	}
	dir := filepath.Dir(target)
	f, err := os.CreateTemp(dir, "."+filepath.Base(target)+".*.tmp")
	if err != nil {
		return BackupReport{}, fmt.Errorf("store: backup: temporary file: %w", err)
	}
	tmp := f.Name()
	f.Close()
	placed := false
	defer func() {
		if !placed {
			os.Remove(tmp)
		}
	}()
	// VACUUM INTO wants a file that is empty or absent; CreateTemp made an
	// empty one, which also reserves the name.
	if _, err := db.R.ExecContext(ctx, `VACUUM INTO ?`, tmp); err != nil {
		return BackupReport{}, fmt.Errorf("store: backup: copy: %w", err)
	}
	rep, err := inspectBackup(ctx, tmp)
	if err != nil {
		return BackupReport{}, err
	}
	if err := syncPath(tmp); err != nil {
		return BackupReport{}, fmt.Errorf("store: backup: sync: %w", err)
	}
	if err := place(tmp, target, opts.Force); err != nil {
		return BackupReport{}, err
	}
	placed = true
	// The rename is durable only once the folder is synced.
	if err := syncPath(dir); err != nil {
		return BackupReport{}, fmt.Errorf("store: backup: sync %s: %w", dir, err)
	}
	rep.Path = target
	return rep, nil
}

// checkBackupTarget refuses a target that exists (unless force), is a
// folder, or is the database itself.
func (db *DB) checkBackupTarget(ctx context.Context, target string, force bool) error {
	fi, err := os.Stat(target)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("store: backup: %w", err)
	}
	if fi.IsDir() {
		return fmt.Errorf("store: backup: %s is a folder", target)
	}
	var seq int
	var name, file string
	if err := db.R.QueryRowContext(ctx, `PRAGMA database_list`).Scan(&seq, &name, &file); err != nil {
		return fmt.Errorf("store: backup: database file: %w", err)
	}
	if src, err := os.Stat(file); err == nil && os.SameFile(fi, src) {
		return fmt.Errorf("store: backup: %s is the database itself", target)
	}
	if !force {
		return fmt.Errorf("store: backup: %s: %w", target, ErrBackupExists)
	}
	return nil
}

// place gives the finished copy tmp its final name. Without force it
// links rather than renames, so a file that appeared at target meanwhile
// is still not overwritten.
func place(tmp, target string, force bool) error {
	if !force {
		err := os.Link(tmp, target)
		if errors.Is(err, fs.ErrExist) {
			return fmt.Errorf("store: backup: %s: %w", target, ErrBackupExists)
		}
		if err == nil {
			os.Remove(tmp)
			return nil
		}
		// A file system without hard links: check, then rename.
		if _, serr := os.Lstat(target); serr == nil {
			return fmt.Errorf("store: backup: %s: %w", target, ErrBackupExists)
		}
	}
	if err := os.Rename(tmp, target); err != nil {
		return fmt.Errorf("store: backup: %w", err)
	}
	return nil
}

// inspectBackup opens the copy at path read-only, checks its integrity
// and reads its schema version, size and row counts.
func inspectBackup(ctx context.Context, path string) (BackupReport, error) {
	var rep BackupReport
	c, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		return rep, fmt.Errorf("store: backup: open copy: %w", err)
	}
	defer c.Close()
	rows, err := c.QueryContext(ctx, `PRAGMA integrity_check`)
	if err != nil {
		return rep, fmt.Errorf("store: backup: integrity check: %w", err)
	}
	var problems []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			rows.Close()
			return rep, fmt.Errorf("store: backup: integrity check: %w", err)
		}
		problems = append(problems, s)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return rep, fmt.Errorf("store: backup: integrity check: %w", err)
	}
	if len(problems) != 1 || problems[0] != "ok" {
		return rep, fmt.Errorf("store: backup: integrity check failed: %s", strings.Join(problems, "; "))
	}
	if err := c.QueryRowContext(ctx, `SELECT coalesce(max(version), 0) FROM schema_migrations`).Scan(&rep.SchemaVersion); err != nil {
		return rep, fmt.Errorf("store: backup: schema version: %w", err)
	}
	tables, err := textColumn(c.QueryContext(ctx, `SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`))
	if err != nil {
		return rep, fmt.Errorf("store: backup: tables: %w", err)
	}
	rep.Rows = make(map[string]int64, len(tables))
	for _, t := range tables {
		var n int64
		if err := c.QueryRowContext(ctx, `SELECT count(*) FROM "`+strings.ReplaceAll(t, `"`, `""`)+`"`).Scan(&n); err != nil {
			return rep, fmt.Errorf("store: backup: count %s: %w", t, err)
		}
		rep.Rows[t] = n
	}
	fi, err := os.Stat(path)
	if err != nil {
		return rep, fmt.Errorf("store: backup: %w", err)
	}
	rep.Bytes = fi.Size()
	return rep, nil
}

// textColumn reads the first column of every row as text.
func textColumn(rows *sql.Rows, err error) ([]string, error) {
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

// syncPath fsyncs a file or folder.
func syncPath(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
