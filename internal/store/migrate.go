package store

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

//go:embed migrations
var migrationsFS embed.FS

// Migration is one schema change, numbered the same in both dialects.
type Migration struct {
	Version int
	Name    string
	SQL     string
}

// Migrations lists the migrations of dialect d in version order.
func Migrations(d Dialect) ([]Migration, error) {
	return readMigrations(migrationsFS, path.Join("migrations", string(d)))
}

// migrationVersions lists the versions of dialect d's migrations, read
// once: /readyz and every start compare them with the applied ones.
var migrationVersions = map[Dialect]func() ([]int, error){
	SQLite:   sync.OnceValues(func() ([]int, error) { return versionsOf(SQLite) }),
	Postgres: sync.OnceValues(func() ([]int, error) { return versionsOf(Postgres) }),
}

func versionsOf(d Dialect) ([]int, error) {
	ms, err := Migrations(d)
	if err != nil {
		return nil, err
	}
	vs := make([]int, len(ms))
	for i, m := range ms {
		vs[i] = m.Version
	}
	return vs, nil
}

// versions is migrationVersions of db's dialect.
func (db *DB) versions() ([]int, error) {
	vs, ok := migrationVersions[db.Dialect]
	if !ok {
		return nil, fmt.Errorf("store: migrations: unknown dialect %q", db.Dialect)
	}
	return vs()
}

func readMigrations(fsys fs.FS, dir string) ([]Migration, error) {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, fmt.Errorf("store: migrations: %w", err)
	}
	var out []Migration
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".sql") {
			continue
		}
		num, name, ok := strings.Cut(strings.TrimSuffix(e.Name(), ".sql"), "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v <= 0 {
			return nil, fmt.Errorf("store: migration %s: name must be NNNN_name.sql", e.Name())
		}
		data, err := fs.ReadFile(fsys, path.Join(dir, e.Name()))
		if err != nil {
			return nil, err
		}
		out = append(out, Migration{Version: v, Name: name, SQL: string(data)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Version < out[j].Version })
	for i := 1; i < len(out); i++ {
		if out[i].Version == out[i-1].Version {
			return nil, fmt.Errorf("store: migration version %d used twice", out[i].Version)
		}
	}
	return out, nil
}

// Migrate applies every migration not yet applied, each in its own
// transaction together with its schema_migrations row.
func (db *DB) Migrate(ctx context.Context) error {
	// Most starts find every migration applied: one read, then neither
	// the table's creation nor PostgreSQL's lock (issue 14).
	if n, err := db.Pending(ctx); err == nil && n == 0 {
		return nil
	}
	ms, err := Migrations(db.Dialect)
	if err != nil {
		return err
	}
	if _, err := db.W.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version INTEGER PRIMARY KEY,
		name TEXT NOT NULL,
		applied_at BIGINT NOT NULL)`); err != nil {
		return fmt.Errorf("store: migrations table: %w", err)
	}
	if db.Dialect == Postgres {
		// Several processes may start at once; one migrates, the others wait.
		conn, err := db.W.Conn(ctx)
		if err != nil {
			return err
		}
		defer conn.Close()
		if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock(7250012)`); err != nil {
			return fmt.Errorf("store: migration lock: %w", err)
		}
		defer conn.ExecContext(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock(7250012)`)
	}
	applied, err := db.appliedVersions(ctx)
	if err != nil {
		return err
	}
	for _, m := range ms {
		if applied[m.Version] {
			continue
		}
		err := db.Tx(ctx, func(tx *sql.Tx) error {
			if _, err := tx.ExecContext(ctx, m.SQL); err != nil {
				return err
			}
			_, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)`,
				m.Version, m.Name, time.Now().UnixMilli())
			return err
		})
		if err != nil {
			return fmt.Errorf("store: migration %04d_%s: %w", m.Version, m.Name, err)
		}
	}
	return nil
}

func (db *DB) appliedVersions(ctx context.Context) (map[int]bool, error) {
	rows, err := db.W.QueryContext(ctx, `SELECT version FROM schema_migrations`)
	if err != nil {
		return nil, fmt.Errorf("store: read migrations: %w", err)
	}
	defer rows.Close()
	out := map[int]bool{}
	for rows.Next() {
		var v int
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		out[v] = true
	}
	return out, rows.Err()
}

// Pending returns how many migrations are not yet applied; /readyz uses it.
func (db *DB) Pending(ctx context.Context) (int, error) {
	vs, err := db.versions()
	if err != nil {
		return 0, err
	}
	applied, err := db.appliedVersions(ctx)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, v := range vs {
		if !applied[v] {
			n++
		}
	}
	return n, nil
}
