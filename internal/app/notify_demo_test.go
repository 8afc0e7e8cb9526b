package app

import (
	"bytes"
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rapport/rapport/internal/channel/email"
	"github.com/rapport/rapport/internal/config"
	"github.com/rapport/rapport/internal/demo"
	"github.com/rapport/rapport/internal/jobs"
	"github.com/rapport/rapport/internal/store"
)

// TestDemoStartedLateMailsNoStorm: a demo generated on Monday and started
// on Thursday finds dozens of deadlines passed while it was off. Their
// breaches go into the agents' lists, but the agents get one mail each at
// most, and no mail lists a breach whose deadline passed long ago.
func TestDemoStartedLateMailsNoStorm(t *testing.T) {
	if testing.Short() {
		t.Skip("generates a demo of 900 tickets")
	}
	ctx := context.Background()
	dir := t.TempDir()
	cfg := config.Default()
	cfg.DB, cfg.OutboxDir, cfg.AttachmentsDir = filepath.Join(dir, "demo.db"), filepath.Join(dir, "outbox"), filepath.Join(dir, "att")
	generated := time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)
	db, err := store.Open(ctx, cfg.DB)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := demo.Generate(ctx, demo.Opts{DB: db, Seed: 7, Customers: 150, Tickets: 900, Now: generated, Password: "rapport-demo"}); err != nil {
		t.Fatal(err)
	}
	db.Close()

	started := generated.Add(72 * time.Hour)
	clock := jobs.NewFakeClock(started)
	svc, err := openServices(ctx, cfg, slog.New(slog.NewTextHandler(&bytes.Buffer{}, nil)), clock)
	if err != nil {
		t.Fatal(err)
	}
	defer svc.DB.Close()
	for _, at := range []time.Duration{0, time.Minute, 3 * time.Minute, 5 * time.Minute} {
		clock.Set(started.Add(at))
		if _, err := svc.Jobs.RunDue(ctx); err != nil {
			t.Fatal(err)
		}
	}
	var stale int
	if err := svc.DB.R.QueryRowContext(ctx, `SELECT count(*) FROM notifications WHERE kind IN ('sla_breached', 'promise_broken', 'prevention_overdue') AND created_at >= $1`,
		store.Millis(started)).Scan(&stale); err != nil {
		t.Fatal(err)
	}
	if stale < 5 {
		t.Fatalf("only %d overdue notices recorded at start: the scenario has no storm to hold back", stale)
	}
	entries, _ := os.ReadDir(cfg.OutboxDir)
	perAgent := map[string]int{}
	for _, e := range entries {
		raw, err := os.ReadFile(filepath.Join(cfg.OutboxDir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		m, err := email.Parse(raw)
		if err != nil || len(m.To) != 1 || !strings.HasSuffix(m.To[0].Address, "@demo.example.com") {
			continue
		}
		perAgent[m.To[0].Address]++
		t.Logf("to %s: %s", m.To[0].Address, m.Subject)
		// A breach is listed with how late it is; one an hour late or
		// more would be a stale one listed.
		for _, line := range strings.Split(m.Text, "\n") {
			late := lateBy(line)
			for _, unit := range []string{" h", " ч", "day", "giorn", "dien", "dia", "дн", "день", "дня"} {
				if strings.Contains(late, unit) {
					t.Errorf("%s: a breach an hour late or more is listed: %q", m.To[0].Address, line)
				}
			}
		}
	}
	for to, n := range perAgent {
		if n > 1 {
			t.Errorf("%s got %d mails at start-up, want at most one", to, n)
		}
	}
	t.Logf("%d overdue notices recorded at start-up; mails to agents: %v", stale, perAgent)
}

// lateBy is how late line says something is ("2 h 10 min" of "overdue
// by 2 h 10 min (was due ...)"), in any language; "" when it says not.
func lateBy(line string) string {
	for _, w := range []string{"overdue by ", "in ritardo di ", "просрочено на ", "nokavēts par ", "endarrerit "} {
		if _, rest, ok := strings.Cut(line, w); ok {
			late, _, _ := strings.Cut(rest, " (")
			return late
		}
	}
	return ""
}
