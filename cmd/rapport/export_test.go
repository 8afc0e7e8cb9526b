package main

import (
	"path/filepath"
	"strings"
	"testing"
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
