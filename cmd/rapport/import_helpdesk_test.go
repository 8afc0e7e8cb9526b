package main

import (
	"context"
	"strings"
	"testing"

	"github.com/rapport/rapport/internal/store"
)

// TestImportZendeskCommand runs `rapport import zendesk` on the test
// export, on SQLite and PostgreSQL: a dry run writes nothing and says what
// would come in, the import brings it in with plain progress lines (the
// output is no terminal), a second run brings in nothing, and a folder
// that is not an export is refused before anything is written.
func TestImportZendeskCommand(t *testing.T) {
	const dir = "../../internal/importer/testdata/zendesk"
	for _, be := range importBackends {
		t.Run(be.name, func(t *testing.T) {
			dsn := be.dsn(t)
			out, errOut, err := runImport(t, "zendesk", "--db", dsn, dir, "--dry-run")
			if err != nil {
				t.Fatalf("dry run: %v\n%s%s", err, out, errOut)
			}
			for _, want := range []string{"dry run: nothing was written", "would import:     2 agents, 3 customers, 4 tickets, 8 messages, 2 notes, 1 files",
				"ticket 104: its requester \"9999\" is not among the export's customers"} {
				if !strings.Contains(out, want) {
					t.Errorf("dry run output lacks %q:\n%s", want, out)
				}
			}
			if n := countRows(t, dsn, "tickets") + countRows(t, dsn, "import_runs"); n != 0 {
				t.Fatalf("the dry run wrote %d rows", n)
			}

			out, errOut, err = runImport(t, "zendesk", "--db", dsn, dir)
			if err != nil {
				t.Fatalf("import: %v\n%s%s", err, out, errOut)
			}
			if !strings.Contains(out, "imported:         2 agents, 3 customers, 4 tickets, 8 messages, 2 notes, 1 files") ||
				!strings.Contains(errOut, "stored 1 of 5 tickets\n") || !strings.Contains(errOut, "stored 5 of 5 tickets\n") {
				t.Errorf("import output:\n%s\nprogress:\n%s", out, errOut)
			}
			if n := countRows(t, dsn, "tickets"); n != 4 {
				t.Errorf("%d tickets, want 4", n)
			}

			if be.name == "postgres" && !analyzed(t, dsn, "tickets") {
				t.Error("no ANALYZE after the import: the planner has no statistics for tickets")
			}

			// --db after the folder is read too (the second run finds everything there).
			out, _, err = runImport(t, "zendesk", dir, "--db", dsn)
			if err != nil || !strings.Contains(out, "imported:         0 agents, 0 customers, 0 tickets, 0 messages, 0 notes, 0 files") {
				t.Errorf("second run: %v\n%s", err, out)
			}
			if n := countRows(t, dsn, "tickets"); n != 4 {
				t.Errorf("%d tickets after the second run, want 4", n)
			}

			_, _, err = runImport(t, "helpscout", "--db", dsn, dir)
			if err == nil || !strings.Contains(err.Error(), "has no conversations.json") {
				t.Errorf("a Zendesk folder read as Help Scout: %v", err)
			}
		})
	}
}

// analyzed reports whether PostgreSQL database dsn has planner statistics
// for table: an ANALYZE (or autovacuum's) ran since the rows came in.
func analyzed(t *testing.T, dsn, table string) bool {
	t.Helper()
	db, err := store.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int
	err = db.R.QueryRow(`SELECT count(*) FROM pg_stat_user_tables WHERE relname = $1
		AND (last_analyze IS NOT NULL OR last_autoanalyze IS NOT NULL)`, table).Scan(&n)
	if err != nil {
		t.Fatal(err)
	}
	return n == 1
}
