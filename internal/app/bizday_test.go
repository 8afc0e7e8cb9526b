package app

import (
	"bytes"
	"context"
	"log/slog"
	"net/url"
	"path/filepath"
	"testing"
	"time"

	"github.com/rapport/rapport/internal/config"
	"github.com/rapport/rapport/internal/customer"
	"github.com/rapport/rapport/internal/intake"
	"github.com/rapport/rapport/internal/jobs"
	measure "github.com/rapport/rapport/internal/metrics"
	"github.com/rapport/rapport/internal/store/storetest"
)

// TestZoneChangeRebuildsMetrics: as wired in the app, an admin saving the
// business in Tokyo rebuilds the metrics in the background (the server's
// job queue), and the ticket a customer wrote at 00:30 Tokyo time moves
// from the UTC day before to its Tokyo day; the rollups then equal a
// fresh computation.
func TestZoneChangeRebuildsMetrics(t *testing.T) {
	backends := []struct {
		name string
		dsn  func(t *testing.T) string
	}{
		{"sqlite", func(t *testing.T) string { return filepath.Join(t.TempDir(), "bizday.db") }},
		{"postgres", func(t *testing.T) string { return storetest.PostgresDSN(t) }},
	}
	for _, be := range backends {
		t.Run(be.name, func(t *testing.T) { zoneChangeRebuildsMetrics(t, be.dsn(t)) })
	}
}

func zoneChangeRebuildsMetrics(t *testing.T, dsn string) {
	ctx := context.Background()
	dir := t.TempDir()
	cfg := config.Default()
	cfg.DB, cfg.OutboxDir, cfg.AttachmentsDir = dsn, filepath.Join(dir, "outbox"), filepath.Join(dir, "att")
	cfg.Mailboxes = "support@tea.example"
	tokyo, _ := time.LoadLocation("Asia/Tokyo")
	// 00:30 on 10 March in Tokyo: 15:30 on 9 March in UTC.
	clock := jobs.NewFakeClock(time.Date(2026, 3, 10, 0, 30, 0, 0, tokyo))
	svc, err := openServices(ctx, cfg, slog.New(slog.NewTextHandler(&bytes.Buffer{}, nil)), clock)
	if err != nil {
		t.Fatal(err)
	}
	defer svc.DB.Close()
	if err := svc.Metrics.Start(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Intake.Receive(ctx, intake.Inbound{Channel: "email", From: intake.Sender{Kind: customer.Email, Value: "aiko@example.jp"},
		Subject: "Tea order", Text: "Where is my tea?", MessageKey: "aiko-1", Raw: []byte("raw")}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Jobs.RunDue(ctx); err != nil {
		t.Fatal(err)
	}
	created := func(date string) float64 {
		t.Helper()
		loc, err := svc.Metrics.Zone(ctx)
		if err != nil {
			t.Fatal(err)
		}
		f, err := measure.ParseFilter(url.Values{"from": {date}, "to": {date}}, clock.Now(), loc)
		if err != nil {
			t.Fatal(err)
		}
		rep, err := svc.Metrics.Compute(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		return rep.Current.Created.V
	}
	if created("2026-03-09") != 1 || created("2026-03-10") != 0 {
		t.Fatalf("in UTC: %v on 9 March, %v on 10 March; want 1 and 0", created("2026-03-09"), created("2026-03-10"))
	}

	p, err := svc.Business.Profile(ctx)
	if err != nil {
		t.Fatal(err)
	}
	p.TimeZone = "Asia/Tokyo"
	if _, err := svc.Business.Save(ctx, p); err != nil {
		t.Fatal(err)
	}
	if _, on, err := svc.Metrics.Rebuilding(ctx); err != nil || !on {
		t.Fatalf("no rebuild after the zone was saved: %v", err)
	}
	for range 5 {
		if _, err := svc.Jobs.RunDue(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if _, on, _ := svc.Metrics.Rebuilding(ctx); on {
		t.Fatal("the rebuild job did not finish")
	}
	if created("2026-03-09") != 0 || created("2026-03-10") != 1 {
		t.Errorf("in Tokyo: %v on 9 March, %v on 10 March; want 0 and 1", created("2026-03-09"), created("2026-03-10"))
	}
	kept := rollups(t, svc.DB)
	if _, err := svc.Metrics.Rebuild(ctx); err != nil {
		t.Fatal(err)
	}
	if fresh := rollups(t, svc.DB); kept != fresh {
		t.Errorf("rollups after the background rebuild differ from a fresh one:\n%s\n%s", kept, fresh)
	}
}
