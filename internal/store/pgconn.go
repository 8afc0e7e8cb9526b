package store

import (
	"context"
	"database/sql/driver"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

// pgConnector opens PostgreSQL connections that database/sql can tell
// apart when a cancelled query has closed them.
//
// pgx closes a connection whose query was cancelled (a request whose client
// went away), but its database/sql driver does not implement
// driver.Validator, so database/sql put the closed connection back and
// handed it, still closed, to the next request waiting for one. That
// request's query then failed with driver.ErrBadConn, which database/sql
// retries only twice: after a burst of cancels (many clients gone at once)
// a request whose client was still there could draw closed connections
// three times and answer 500. A closed connection is now dropped when it
// is put back, and the pool opens a fresh one for the waiters.
type pgConnector struct{ driver.Connector }

func (c pgConnector) Connect(ctx context.Context) (driver.Conn, error) {
	dc, err := c.Connector.Connect(ctx)
	if err != nil {
		return nil, err
	}
	sc, ok := dc.(*stdlib.Conn)
	if !ok {
		dc.Close()
		return nil, fmt.Errorf("store: unexpected pgx connection %T", dc)
	}
	return validConn{sc}, nil
}

// validConn is a pgx connection that reports whether it is still open.
type validConn struct{ *stdlib.Conn }

// IsValid implements driver.Validator: a connection a cancel has closed,
// or one left inside a transaction, is not put back in the pool.
func (c validConn) IsValid() bool {
	pc := c.Conn.Conn()
	return !pc.IsClosed() && pc.PgConn().TxStatus() == 'I'
}

// ResetSession reports a request's own cancellation as that, not as a bad
// connection: pgx pings a connection idle for more than a second before
// reuse, and with the request's context already cancelled the ping fails
// and was reported as driver.ErrBadConn ("driver: bad connection", logged
// as a server error) instead of context.Canceled. A connection the failed
// ping closed is dropped when it is next used or put back.
func (c validConn) ResetSession(ctx context.Context) error {
	err := c.Conn.ResetSession(ctx)
	if err != nil && ctx.Err() != nil {
		return ctx.Err()
	}
	return err
}

// PgxConn returns the pgx connection under a database/sql driver
// connection (from sql.Conn.Raw) of a PostgreSQL database, for what
// database/sql cannot do (LISTEN).
func PgxConn(driverConn any) (*pgx.Conn, error) {
	switch c := driverConn.(type) {
	case validConn:
		return c.Conn.Conn(), nil
	case *stdlib.Conn:
		return c.Conn(), nil
	}
	return nil, fmt.Errorf("store: not a PostgreSQL connection: %T", driverConn)
}

// QueryContext does not start a query for a request already cancelled.
// pgx would refuse it as "safe to retry", which its database/sql driver
// reports as driver.ErrBadConn: database/sql then closed a sound
// connection and opened another for each such request.
func (c validConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return c.Conn.QueryContext(ctx, query, args)
}

// ExecContext is QueryContext for statements without rows.
func (c validConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return c.Conn.ExecContext(ctx, query, args)
}
