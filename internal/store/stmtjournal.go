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
// pages) is less than one new ticket's insert touches (the row and the 21
// indexes on tickets), so each batch of received mail spilled its journal
// to a file, and every page changed afterwards in that statement was
// written there with a system call each: 7–10 % of a busy server's CPU
// (docs/PERFORMANCE.md, branches ingest2 and ingest).
//
// It must stay below 128 KiB. A spilling memory journal keeps its content
// in one chunk of this size and, when it moves to a file, writes that chunk
// with one write call; SQLite's unix file layer masks every write's length
// with 0x1ffff (no page is larger than 64 KiB), so a chunk of 128 KiB or
// more was written short or not at all and the statement failed with
// "database or disk is full" (TestStatementJournalSpills). 0x1ffff bytes
// hold 31 page records of a 4 KiB page.
const stmtJournalSpill = 0x1ffff

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
