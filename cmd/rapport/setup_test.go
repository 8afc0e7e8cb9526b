package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rapport/rapport/internal/agent"
	"github.com/rapport/rapport/internal/business"
	"github.com/rapport/rapport/internal/i18n"
	"github.com/rapport/rapport/internal/jobs"
	"github.com/rapport/rapport/internal/store"
)

// TestSetupCommand: `rapport setup` does the first run from flags (the
// password from stdin), then refuses a second one; bad input is reported
// field by field and stores nothing.
func TestSetupCommand(t *testing.T) {
	db := filepath.Join(t.TempDir(), "setup.db")
	_, _, err := runCmd(t, "a long enough password\n", "setup", "--db", db, "--business-name", "Aurora", "--time-zone", "Mars/Base",
		"--admin-name", "Giulia", "--admin-email", "giulia@aurora.example")
	if err == nil || !strings.Contains(err.Error(), "time_zone") {
		t.Fatalf("bad zone: err = %v", err)
	}
	out, _, err := runCmd(t, "a long enough password\n", "setup", "--db", db, "--business-name", "Aurora Home & Garden",
		"--sender-name", "Aurora customer care", "--time-zone", "Europe/Rome", "--languages", "it,en", "--team", "Assistenza",
		"--admin-name", "Giulia Bianchi", "--admin-email", "Giulia@Aurora.example")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"set up Aurora Home & Garden", "Europe/Rome", "languages it, en, default it", "admin Giulia Bianchi <giulia@aurora.example>", "team Assistenza"} {
		if !strings.Contains(out, want) {
			t.Errorf("output %q lacks %q", out, want)
		}
	}
	if _, _, err := runCmd(t, "a long enough password\n", "setup", "--db", db, "--business-name", "Other",
		"--admin-name", "Mallory", "--admin-email", "mallory@example.com"); err == nil || !strings.Contains(err.Error(), "already done") {
		t.Fatalf("second setup: err = %v", err)
	}
	ctx := context.Background()
	s, err := store.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	agents := agent.New(s, jobs.SystemClock{})
	a, err := agents.Authenticate(ctx, "giulia@aurora.example", "a long enough password", "test")
	if err != nil || a.Role != agent.RoleAdmin || a.Availability != agent.Online {
		t.Fatalf("the admin: %+v %v", a, err)
	}
	p, err := business.New(business.Opts{DB: s, Languages: i18n.Supported}).Profile(ctx)
	if err != nil || !p.SetUp || p.From() != "Aurora customer care" {
		t.Fatalf("profile: %+v %v", p, err)
	}
}
