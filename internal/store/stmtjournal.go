package store

import (
	"sync"

	"modernc.org/libc"
	sqlite3 "modernc.org/sqlite/lib"
)

// stmtJournalSpill is how large a statement journal grows in memory before
// SQLite moves it to a temporary file. Inside a transaction of several
// statements SQLite journals every page a statement changes, so that the
// statement alone can be undone when it fails; its default of 64 KiB (16
// pages) is less than one new ticket's insert touches (the row and every
// index on tickets), so each batch of received mail spilled its journal to
// a file, and every page changed afterwards in that transaction was
// written there twice with a system call each: 7–10 % of a busy server's
// CPU (docs/PERFORMANCE.md, branch ingest2). The journal is emptied after
// each statement, so this bounds the memory one writing statement takes,
// not a transaction.
const stmtJournalSpill = 4 << 20

// configureSQLite sets process-wide SQLite options. SQLite takes them only
// before its first connection is opened; when something opened one earlier
// (a test using the plain driver), the defaults stay, which is slower, not
// wrong.
var configureSQLite = sync.OnceValue(func() int32 {
	tls := libc.NewTLS()
	defer tls.Close()
	va := libc.NewVaList(int32(stmtJournalSpill))
	defer libc.Xfree(tls, va)
	return sqlite3.Xsqlite3_config(tls, sqlite3.SQLITE_CONFIG_STMTJRNL_SPILL, va)
})
