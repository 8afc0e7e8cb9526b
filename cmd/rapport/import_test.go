package main

import (
	"bytes"
	"context"
	"database/sql"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/store/storetest"
)

func runImport(t *testing.T, args ...string) (string, string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	err := importCmd(context.Background(), args, strings.NewReader(""), &out, &errOut)
	return out.String(), errOut.String(), err
}

// importBackends are the databases the command is tried on: a SQLite file
// and, when the test server is configured, a PostgreSQL database.
var importBackends = []struct {
	name string
	dsn  func(t *testing.T) string
}{
	{"sqlite", func(t *testing.T) string { return filepath.Join(t.TempDir(), "rapport.db") }},
	{"postgres", func(t *testing.T) string { return storetest.PostgresDSN(t) }},
}

func countRows(t *testing.T, dsn, table string) int {
	t.Helper()
	db, err := store.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int
	if err := db.R.QueryRow("SELECT count(*) FROM " + table).Scan(&n); err != nil && err != sql.ErrNoRows {
		t.Fatal(err)
	}
	return n
}

func TestImportPurchasesCommand(t *testing.T) {
	for _, be := range importBackends {
		t.Run(be.name, func(t *testing.T) {
			dsn := be.dsn(t)
			// A bad file imports nothing and names every bad line.
			out, errOut, err := runImport(t, "purchases", "--db", dsn, "--create-customers", "testdata/purchases_bad.csv")
			if err == nil || !strings.Contains(err.Error(), "4 bad line(s) of 6; nothing imported") {
				t.Fatalf("bad file: err = %v\n%s%s", err, out, errOut)
			}
			for _, want := range []string{"line 3: date", "line 4: amount", "line 5: email", "line 6: currency"} {
				if !strings.Contains(errOut, want) {
					t.Errorf("report lacks %q:\n%s", want, errOut)
				}
			}
			if n := countRows(t, dsn, "purchases") + countRows(t, dsn, "customers"); n != 0 {
				t.Fatalf("a bad file left %d rows", n)
			}

			// Unknown customers are bad lines without --create-customers.
			if _, _, err := runImport(t, "purchases", "--db", dsn, "testdata/purchases_good.csv"); err == nil {
				t.Fatal("unknown customers imported without --create-customers")
			}

			// --skip-bad imports the two good lines (flags after the file work too).
			out, errOut, err = runImport(t, "purchases", "testdata/purchases_bad.csv", "--skip-bad", "--create-customers", "--db", dsn)
			if err != nil || !strings.Contains(out, "2 purchases imported, 0 already there, 4 bad lines skipped, 2 customers created (6 lines)") {
				t.Fatalf("skip bad: %v\n%s%s", err, out, errOut)
			}
			if !strings.Contains(errOut, "stored 2 of 2 lines") {
				t.Errorf("no progress on a non-terminal: %q", errOut)
			}

			out, errOut, err = runImport(t, "purchases", "--db", dsn, "--create-customers", "testdata/purchases_good.csv")
			if err != nil || !strings.Contains(out, "4 purchases imported, 1 already there, 0 bad lines skipped, 0 customers created (5 lines)") {
				t.Fatalf("good file: %v\n%s%s", err, out, errOut)
			}
			// Importing the same file again adds nothing.
			out, _, err = runImport(t, "purchases", "--db", dsn, "testdata/purchases_good.csv")
			if err != nil || !strings.Contains(out, "0 purchases imported, 5 already there") {
				t.Fatalf("re-import: %v\n%s", err, out)
			}
			out, errOut, err = runImport(t, "purchases", "--db", dsn, "--create-customers", "--currency", "usd", "testdata/purchases_external.csv")
			if err != nil || !strings.Contains(out, "2 purchases imported") {
				t.Fatalf("external ids and phones: %v\n%s%s", err, out, errOut)
			}
			if n := countRows(t, dsn, "purchases"); n != 8 {
				t.Errorf("%d purchases stored, want 8", n)
			}
			if n := countRows(t, dsn, "jobs WHERE unique_key = 'loyalty.refit:now'"); n != 1 {
				t.Errorf("no lifetime-value refit asked for after the import")
			}
		})
	}
}

func TestImportCommandUsage(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no subcommand", nil, "want purchases"},
		{"other subcommand", []string{"orders"}, "want purchases"},
		{"no file", []string{"purchases", "--db", filepath.Join(t.TempDir(), "x.db")}, "want one FILE, got 0"},
		{"two files", []string{"purchases", "a.csv", "b.csv"}, "want one FILE, got 2"},
		{"missing file", []string{"purchases", "--db", filepath.Join(t.TempDir(), "x.db"), "testdata/nope.csv"}, "no such file"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := runImport(t, tc.args...)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
		})
	}
}
