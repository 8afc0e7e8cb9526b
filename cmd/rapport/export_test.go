package main

import (
	"context"
	"os/user"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rapport/rapport/internal/audit"
	"github.com/rapport/rapport/internal/store"
)

// TestExportImportCommands moves a SQLite installation to a new database
// through `rapport export` and `rapport import rapport`, and sees the
// commands refuse what they must.
func TestExportImportCommands(t *testing.T) {
	dir := t.TempDir()
	src, dst, out := filepath.Join(dir, "src.db"), filepath.Join(dir, "dst.db"), filepath.Join(dir, "export")
	if _, _, err := runCmd(t, "correct horse battery\n", "user", "add", "--db", src, "--email", "ada@example.com", "--name", "Ada", "--role", "admin"); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		args    []string
		wantOut string
		wantErr string
	}{
		{name: "export without --to", args: []string{"export", "--db", src}, wantErr: "--to is required"},
		{name: "export", args: []string{"export", "--db", src, "--to", out}, wantOut: "exported to " + out},
		{name: "export into a full folder", args: []string{"export", "--db", src, "--to", out}, wantErr: "is not empty"},
		{name: "import without --from", args: []string{"import", "rapport", "--db", dst}, wantErr: "--from is required"},
		{name: "import of no export", args: []string{"import", "rapport", "--db", dst, "--from", dir}, wantErr: "not a finished export"},
		{name: "import", args: []string{"import", "rapport", "--db", dst, "--from", out}, wantOut: "counts match the manifest"},
		{name: "the agent came across", args: []string{"token", "create", "--db", dst, "--user", "ada@example.com"}, wantOut: "rpt_"},
		{name: "import again", args: []string{"import", "rapport", "--db", dst, "--from", out}, wantErr: "the database holds rows (agents: 1)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			stdout, _, err := runCmd(t, "", tc.args...)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want it to contain %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(stdout, tc.wantOut) {
				t.Fatalf("output %q, want it to contain %q", stdout, tc.wantOut)
			}
		})
	}
}

// TestExportIsAudited: every `rapport export` leaves a row in the audit
// log of the database it read: the command line as the actor (with the
// OS account), the folder written and the row counts; on both databases.
// The export's restore leaves PostgreSQL analyzed.
func TestExportIsAudited(t *testing.T) {
	for _, b := range importBackends {
		t.Run(b.name, func(t *testing.T) {
			dsn := b.dsn(t)
			out := filepath.Join(t.TempDir(), "export")
			if _, _, err := runCmd(t, "correct horse battery\n", "user", "add", "--db", dsn, "--email", "ada@example.com", "--name", "Ada", "--role", "admin"); err != nil {
				t.Fatal(err)
			}
			if _, _, err := runCmd(t, "", "export", "--db", dsn, "--to", out); err != nil {
				t.Fatal(err)
			}
			db, err := store.Open(context.Background(), dsn)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			rows, err := audit.New(db, nil).List(context.Background(), audit.Filter{Action: "export", TargetKind: "database"})
			if err != nil {
				t.Fatal(err)
			}
			if len(rows) != 1 {
				t.Fatalf("%d audit rows for the export, want 1: %+v", len(rows), rows)
			}
			r := rows[0]
			if r.AgentID != 0 || r.TargetID != out || !strings.HasPrefix(r.Addr, "cli") {
				t.Errorf("audit row %+v: want the system from the command line, target %s", r, out)
			}
			if u, err := user.Current(); err == nil && !strings.Contains(r.Addr, "os user "+u.Username) {
				t.Errorf("address %q does not name the OS user %s", r.Addr, u.Username)
			}
			for _, want := range []string{`"by":"command line: rapport export"`, `"agents":1`} {
				if !strings.Contains(r.After, want) {
					t.Errorf("audit row after %s lacks %s", r.After, want)
				}
			}

			// Restored into a new database, PostgreSQL's planner has statistics at once.
			dst := b.dsn(t)
			if _, _, err := runCmd(t, "", "import", "rapport", "--db", dst, "--from", out); err != nil {
				t.Fatal(err)
			}
			if b.name == "postgres" && !analyzed(t, dst, "agents") {
				t.Error("no ANALYZE after import rapport")
			}
		})
	}
}
