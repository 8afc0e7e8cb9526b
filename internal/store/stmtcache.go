package store

import (
	"container/list"
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"io"
	"reflect"
	"sync"

	"modernc.org/sqlite"
)

// cachedSQLite is the SQLite driver with a cache of prepared statements on
// each connection. database/sql prepares a query string anew for every call
// that is not made through a *sql.Stmt (and inside a transaction even those
// are prepared again), so SQLite parsed and planned every statement of every
// request: a quarter of a busy server's CPU. Here a connection keeps the
// statements it has prepared, by their text, and runs them again with new
// arguments; PostgreSQL's driver (pgx) already does the same on its side.
const cachedSQLite = "rapport-sqlite"

// stmtCacheSize is how many statements a connection keeps: more than the
// distinct statements a server runs, so only one-off ones (migrations,
// scripts) are ever dropped.
const stmtCacheSize = 512

// sqliteDriver is the driver every SQLite connection is opened with.
var sqliteDriver = &sqlite.Driver{}

func init() {
	sql.Register(cachedSQLite, stmtCacheDriver{sqliteDriver})
}

// RegisterSQLiteFunction adds the deterministic SQL function name, of
// nArgs arguments (-1: any number), to every SQLite connection opened
// afterwards. Call it from an init function, before any database opens.
func RegisterSQLiteFunction(name string, nArgs int32, fn func(args []driver.Value) (driver.Value, error)) {
	sqliteDriver.MustRegisterDeterministicScalarFunction(name, nArgs, func(_ *sqlite.FunctionContext, args []driver.Value) (driver.Value, error) {
		return fn(args)
	})
}

type stmtCacheDriver struct{ d driver.Driver }

func (d stmtCacheDriver) Open(name string) (driver.Conn, error) {
	configureSQLite()
	c, err := d.d.Open(name)
	if err != nil {
		return nil, err
	}
	return &cacheConn{Conn: c, byQuery: map[string]*list.Element{}, lru: list.New()}, nil
}

// innerConn is what the SQLite driver's connection does besides
// driver.Conn; the cache passes it through.
type innerConn interface {
	driver.ConnBeginTx
	driver.ConnPrepareContext
	driver.ExecerContext
	driver.QueryerContext
	driver.Pinger
	driver.SessionResetter
	driver.Validator
}

// cacheConn is one connection and its statements.
type cacheConn struct {
	driver.Conn
	mu      sync.Mutex
	byQuery map[string]*list.Element // of *cachedStmt
	lru     *list.List               // most recently used first
}

type cachedStmt struct {
	query string
	st    driver.Stmt
	busy  bool // its rows are open: a second use meanwhile prepares its own
}

func (c *cacheConn) inner() innerConn { return c.Conn.(innerConn) }

// take returns the connection's statement for query, prepared now if it is
// not cached, or nil and a one-off statement when the cached one is busy.
func (c *cacheConn) take(ctx context.Context, query string) (*cachedStmt, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.byQuery[query]; ok {
		cs := el.Value.(*cachedStmt)
		if cs.busy {
			return nil, nil
		}
		c.lru.MoveToFront(el)
		return cs, nil
	}
	st, err := c.inner().PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	cs := &cachedStmt{query: query, st: st}
	c.byQuery[query] = c.lru.PushFront(cs)
	for c.lru.Len() > stmtCacheSize {
		old := c.lru.Back()
		ocs := old.Value.(*cachedStmt)
		if ocs.busy {
			break // closed when its rows are; the list is over size until then
		}
		c.lru.Remove(old)
		delete(c.byQuery, ocs.query)
		ocs.st.Close()
	}
	return cs, nil
}

func (c *cacheConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	cs, err := c.take(ctx, query)
	if err != nil {
		return nil, err
	}
	if cs == nil {
		return c.inner().ExecContext(ctx, query, args)
	}
	return cs.st.(driver.StmtExecContext).ExecContext(ctx, args)
}

func (c *cacheConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	cs, err := c.take(ctx, query)
	if err != nil {
		return nil, err
	}
	if cs == nil {
		return c.inner().QueryContext(ctx, query, args)
	}
	rows, err := cs.st.(driver.StmtQueryContext).QueryContext(ctx, args)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	cs.busy = true
	c.mu.Unlock()
	return &cacheRows{Rows: rows, release: func() {
		c.mu.Lock()
		cs.busy = false
		c.mu.Unlock()
	}}, nil
}

// PrepareContext lends the connection's cached statement for query to an
// explicit *sql.Stmt (tx.PrepareContext, run once per row by its caller)
// until that is closed, rather than parsing the text again each time; a
// statement already lent or with open rows gets a one-off one instead.
func (c *cacheConn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	cs, err := c.take(ctx, query)
	if err != nil {
		return nil, err
	}
	if cs == nil {
		return c.inner().PrepareContext(ctx, query)
	}
	c.mu.Lock()
	cs.busy = true
	c.mu.Unlock()
	return &lentStmt{cs: cs, release: func() {
		c.mu.Lock()
		cs.busy = false
		c.mu.Unlock()
	}}, nil
}

// lentStmt is a cached statement lent to an explicit *sql.Stmt: closing it
// hands it back to the cache instead of finalizing it.
type lentStmt struct {
	cs      *cachedStmt
	once    sync.Once
	release func()
}

func (l *lentStmt) Close() error {
	l.once.Do(l.release)
	return nil
}

func (l *lentStmt) NumInput() int { return l.cs.st.NumInput() }

// Exec and Query complete driver.Stmt; database/sql calls the Context
// forms.
func (l *lentStmt) Exec(args []driver.Value) (driver.Result, error) {
	//lint:ignore SA1019 driver.Stmt requires it; passed through
	return l.cs.st.Exec(args)
}

func (l *lentStmt) Query(args []driver.Value) (driver.Rows, error) {
	//lint:ignore SA1019 driver.Stmt requires it; passed through
	return l.cs.st.Query(args)
}

func (l *lentStmt) ExecContext(ctx context.Context, args []driver.NamedValue) (driver.Result, error) {
	return l.cs.st.(driver.StmtExecContext).ExecContext(ctx, args)
}

func (l *lentStmt) QueryContext(ctx context.Context, args []driver.NamedValue) (driver.Rows, error) {
	return l.cs.st.(driver.StmtQueryContext).QueryContext(ctx, args)
}

func (c *cacheConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	return c.inner().BeginTx(ctx, opts)
}

func (c *cacheConn) Ping(ctx context.Context) error            { return c.inner().Ping(ctx) }
func (c *cacheConn) ResetSession(ctx context.Context) error    { return c.inner().ResetSession(ctx) }
func (c *cacheConn) IsValid() bool                             { return c.inner().IsValid() }
func (c *cacheConn) Prepare(query string) (driver.Stmt, error) { return c.Conn.Prepare(query) }

// Close finalizes the cached statements, then closes the connection.
func (c *cacheConn) Close() error {
	c.mu.Lock()
	var errs []error
	for el := c.lru.Front(); el != nil; el = el.Next() {
		errs = append(errs, el.Value.(*cachedStmt).st.Close())
	}
	c.lru.Init()
	clear(c.byQuery)
	c.mu.Unlock()
	errs = append(errs, c.Conn.Close())
	return errors.Join(errs...)
}

// cacheRows hands the statement back when its rows are closed, and passes
// the column type information through.
type cacheRows struct {
	driver.Rows
	once    sync.Once
	release func()
}

func (r *cacheRows) Close() error {
	err := r.Rows.Close()
	r.once.Do(r.release)
	return err
}

func (r *cacheRows) ColumnTypeDatabaseTypeName(i int) string {
	if t, ok := r.Rows.(driver.RowsColumnTypeDatabaseTypeName); ok {
		return t.ColumnTypeDatabaseTypeName(i)
	}
	return ""
}

func (r *cacheRows) ColumnTypeLength(i int) (int64, bool) {
	if t, ok := r.Rows.(driver.RowsColumnTypeLength); ok {
		return t.ColumnTypeLength(i)
	}
	return 0, false
}

func (r *cacheRows) ColumnTypeNullable(i int) (bool, bool) {
	if t, ok := r.Rows.(driver.RowsColumnTypeNullable); ok {
		return t.ColumnTypeNullable(i)
	}
	return false, false
}

func (r *cacheRows) ColumnTypePrecisionScale(i int) (int64, int64, bool) {
	if t, ok := r.Rows.(driver.RowsColumnTypePrecisionScale); ok {
		return t.ColumnTypePrecisionScale(i)
	}
	return 0, 0, false
}

func (r *cacheRows) ColumnTypeScanType(i int) reflect.Type {
	if t, ok := r.Rows.(driver.RowsColumnTypeScanType); ok {
		return t.ColumnTypeScanType(i)
	}
	return reflect.TypeFor[any]()
}

func (r *cacheRows) HasNextResultSet() bool {
	if t, ok := r.Rows.(driver.RowsNextResultSet); ok {
		return t.HasNextResultSet()
	}
	return false
}

func (r *cacheRows) NextResultSet() error {
	if t, ok := r.Rows.(driver.RowsNextResultSet); ok {
		return t.NextResultSet()
	}
	return io.EOF
}
