// Package store opens Rapport's database (SQLite or PostgreSQL), applies its
// migrations and offers the transaction and query helpers every domain
// package uses.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/url"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// Dialect names the SQL dialect of an open database.
type Dialect string

// The dialects Rapport supports.
const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// ErrNotFound is returned (wrapped) when a row asked for by id does not exist.
var ErrNotFound = errors.New("not found")

// ErrConflict is returned (wrapped) when a write would break a uniqueness rule.
var ErrConflict = errors.New("already exists")

// DB is an open Rapport database. On SQLite, W is a single writer connection
// and R a pool of readers; on PostgreSQL both are the same pool.
type DB struct {
	Dialect Dialect
	W       *sql.DB
	R       *sql.DB

	after sync.Map // *sql.Tx of a running Tx → *afterCommit (AfterCommit)
}

// Open connects to dsn: a PostgreSQL URL (postgres:// or postgresql://),
// "sqlite:PATH" or a plain file path for SQLite.
func Open(ctx context.Context, dsn string) (*DB, error) {
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		return openPostgres(ctx, dsn)
	}
	return openSQLite(ctx, strings.TrimPrefix(dsn, "sqlite:"))
}

// PlannedEachRun returns args for a query whose best plan depends on its
// arguments' values, so that PostgreSQL plans it for them every time. pgx
// prepares and caches each statement, and after five runs PostgreSQL may
// switch to a generic plan made without the values and keep it; for a
// full-text search that plan cannot tell a word in most documents from a
// word in none, and one of them takes seconds. On PostgreSQL the query
// then runs as an unnamed statement (pgx's QueryExecModeExec: still one
// round trip, arguments sent as text); SQLite plans each statement once
// anyway and gets args as they are.
func (db *DB) PlannedEachRun(args []any) []any {
	if db.Dialect != Postgres {
		return args
	}
	return append([]any{pgx.QueryExecModeExec}, args...)
}

func openPostgres(ctx context.Context, dsn string) (*DB, error) {
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("store: open postgres: %w", err)
	}
	// JIT compilation is off unless the DSN asks for it (jit=on): it is
	// made for long analytical queries, and PostgreSQL compiles any plan
	// whose estimated cost passes jit_above_cost, which a search at a
	// million tickets does on estimates alone: 60–590 ms compiling a query
	// that then ran in 2–7 ms (docs/PERFORMANCE.md, branch srchpg).
	if _, ok := cfg.RuntimeParams["jit"]; !ok {
		cfg.RuntimeParams["jit"] = "off"
	}
	db := sql.OpenDB(pgConnector{stdlib.GetConnector(*cfg)})
	// Every connection stays open while the server is busy, with the
	// statements pgx has prepared on it; idle ones go after five minutes.
	db.SetMaxOpenConns(20)
	db.SetMaxIdleConns(20)
	db.SetConnMaxIdleTime(5 * time.Minute)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("store: connect postgres: %w", err)
	}
	return &DB{Dialect: Postgres, W: db, R: db}, nil
}

func openSQLite(ctx context.Context, path string) (*DB, error) {
	if path == "" {
		return nil, errors.New("store: empty sqlite path")
	}
	q := url.Values{}
	for _, p := range []string{"busy_timeout(10000)", "journal_mode(WAL)", "foreign_keys(1)", "synchronous(NORMAL)"} {
		q.Add("_pragma", p)
	}
	q.Set("_txlock", "immediate")
	dsn := "file:" + path + "?" + q.Encode()
	w, err := sql.Open(cachedSQLite, dsn)
	if err != nil {
		return nil, fmt.Errorf("store: open sqlite: %w", err)
	}
	// One writer: SQLite serialises writes anyway, and one connection avoids
	// SQLITE_BUSY between our own writers.
	w.SetMaxOpenConns(1)
	w.SetConnMaxIdleTime(0)
	w.SetConnMaxLifetime(0)
	if err := w.PingContext(ctx); err != nil {
		w.Close()
		return nil, fmt.Errorf("store: open sqlite %s: %w", path, err)
	}
	r, err := sql.Open(cachedSQLite, dsn)
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("store: open sqlite readers: %w", err)
	}
	// Readers stay open: database/sql keeps only two idle connections by
	// default, so under load the others were closed after each use and
	// opened again, each time reading the schema anew and losing its
	// prepared statements (5 % of a busy server's CPU).
	readers := max(4, runtime.NumCPU())
	r.SetMaxOpenConns(readers)
	r.SetMaxIdleConns(readers)
	return &DB{Dialect: SQLite, W: w, R: r}, nil
}

// Close closes every connection.
func (db *DB) Close() error {
	err := db.W.Close()
	if db.R != db.W {
		err = errors.Join(err, db.R.Close())
	}
	return err
}

// txAttempts is how many times Tx runs a transaction that keeps failing
// with a serialisation failure or deadlock.
const txAttempts = 5

// Tx runs fn in a write transaction and commits when fn returns nil. Any
// error (or panic) rolls everything back, so no change is half-written.
//
// A transaction the database aborted only because it collided with another
// one (IsRetryable: a deadlock or serialisation failure on PostgreSQL,
// SQLITE_BUSY on SQLite) is run again from the start, up to txAttempts
// times with a short random pause, so that callers never see a collision
// as an error. fn may therefore run more than once: it must start from a
// clean slate each time (reset anything it accumulates outside itself)
// and must not act outside the transaction (send mail, call out, wake
// workers) before Tx returns.
func (db *DB) Tx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	for attempt := 1; ; attempt++ {
		err := db.tx(ctx, fn)
		if err == nil || attempt == txAttempts || !IsRetryable(err) {
			return err
		}
		// Jittered, growing pause: the colliding transactions should not
		// meet again at the same moment.
		pause := time.Duration(attempt)*2*time.Millisecond + rand.N(time.Duration(attempt)*8*time.Millisecond)
		t := time.NewTimer(pause)
		select {
		case <-ctx.Done():
			t.Stop()
			return err
		case <-t.C:
		}
	}
}

// tx is one attempt of Tx.
func (db *DB) tx(ctx context.Context, fn func(tx *sql.Tx) error) (err error) {
	tx, err := db.W.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: begin: %w", err)
	}
	db.after.Store(tx, &afterCommit{})
	committed := false
	defer func() {
		if p := recover(); p != nil {
			tx.Rollback()
			db.runAfterCommit(tx, false)
			panic(p)
		}
		if err != nil {
			tx.Rollback()
		}
		db.runAfterCommit(tx, committed)
	}()
	if err = fn(tx); err != nil {
		return err
	}
	if err = tx.Commit(); err != nil {
		return fmt.Errorf("store: commit: %w", err)
	}
	committed = true
	return nil
}

// IsRetryable reports whether err means the transaction lost a collision
// with another and would succeed if run again: on PostgreSQL a
// serialisation failure (SQLSTATE 40001) or a detected deadlock (40P01);
// on SQLite a database busy past the busy timeout (another process writing).
func IsRetryable(err error) bool {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr.Code == "40001" || pgErr.Code == "40P01"
	}
	var sqErr *sqlite.Error
	if errors.As(err, &sqErr) {
		return sqErr.Code()&0xff == sqlite3.SQLITE_BUSY
	}
	return false
}

// Ping checks that the database answers.
func (db *DB) Ping(ctx context.Context) error {
	if err := db.W.PingContext(ctx); err != nil {
		return err
	}
	return db.R.PingContext(ctx)
}

// IsUniqueViolation reports whether err comes from a UNIQUE or PRIMARY KEY
// constraint.
func IsUniqueViolation(err error) bool {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr.Code == "23505"
	}
	var sqErr *sqlite.Error
	if errors.As(err, &sqErr) {
		c := sqErr.Code()
		return c == sqlite3.SQLITE_CONSTRAINT_UNIQUE || c == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
	}
	return false
}

// IsForeignKeyViolation reports whether err comes from a FOREIGN KEY constraint.
func IsForeignKeyViolation(err error) bool {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr.Code == "23503"
	}
	var sqErr *sqlite.Error
	if errors.As(err, &sqErr) {
		return sqErr.Code() == sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY
	}
	return false
}

// Millis turns t into the UTC Unix milliseconds every *_at column holds.
func Millis(t time.Time) int64 { return t.UnixMilli() }

// Time turns stored Unix milliseconds back into a UTC time.
func Time(ms int64) time.Time { return time.UnixMilli(ms).UTC() }

// NullMillis is Millis for an optional time: the zero time becomes NULL.
func NullMillis(t time.Time) sql.NullInt64 {
	if t.IsZero() {
		return sql.NullInt64{}
	}
	return sql.NullInt64{Int64: t.UnixMilli(), Valid: true}
}

// NullTime is Time for an optional column: NULL becomes the zero time.
func NullTime(v sql.NullInt64) time.Time {
	if !v.Valid {
		return time.Time{}
	}
	return Time(v.Int64)
}

// Int64s reads the first column of every row of a query's result (ids,
// say), closing the rows; err is the query's own error, passed through so
// that a call reads Int64s(db.QueryContext(…)).
func Int64s(rows *sql.Rows, err error) ([]int64, error) {
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var v int64
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}
