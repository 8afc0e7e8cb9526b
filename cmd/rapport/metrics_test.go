package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rapport/rapport/internal/business"
	"github.com/rapport/rapport/internal/jobs"
	"github.com/rapport/rapport/internal/store"
)

// TestMetricsRebuild: tickets imported straight into the database have no
// rollups; "rapport metrics rebuild" builds them in the business's zone,
// and with --resume after that finds nothing left to do.
func TestMetricsRebuild(t *testing.T) {
	dsn := filepath.Join(t.TempDir(), "metrics.db")
	ctx := context.Background()
	db, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	biz := business.New(business.Opts{DB: db, Clock: jobs.SystemClock{}})
	if _, err := biz.Save(ctx, business.Profile{Name: "Sakura Tea", TimeZone: "Asia/Tokyo"}); err != nil {
		t.Fatal(err)
	}
	tokyo, _ := time.LoadLocation("Asia/Tokyo")
	// 00:30 on 10 March in Tokyo: 9 March in UTC.
	at := store.Millis(time.Date(2026, 3, 10, 0, 30, 0, 0, tokyo))
	var customer int64
	if err := db.W.QueryRowContext(ctx, `INSERT INTO customers (name, created_at, updated_at) VALUES ('Aiko', 0, 0) RETURNING id`).Scan(&customer); err != nil {
		t.Fatal(err)
	}
	for range 450 {
		if _, err := db.W.ExecContext(ctx, `INSERT INTO tickets (subject, channel, status, priority, kind, customer_id, created_at, updated_at)
			VALUES ('Tea', 'email', 'open', 'normal', 'question', $1, $2, $2)`, customer, at); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()

	out, _, err := runCmd(t, "", "metrics", "rebuild", "--db", dsn)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "100% (ticket 450 of 450)") || !strings.Contains(out, "Asia/Tokyo") {
		t.Errorf("output:\n%s", out)
	}
	db, err = store.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var facts, created int
	var zone string
	want := time.Date(2026, 3, 10, 0, 0, 0, 0, time.UTC).Unix() / 86400
	if err := db.R.QueryRowContext(ctx, `SELECT (SELECT COUNT(*) FROM metric_facts WHERE created_day = $1),
		(SELECT created FROM metric_days WHERE grain = 'all' AND day = $1), (SELECT zone FROM metric_zone)`, want).Scan(&facts, &created, &zone); err != nil {
		t.Fatal(err)
	}
	if facts != 450 || created != 450 || zone != "Asia/Tokyo" {
		t.Errorf("after rebuild: %d facts and %d created on 10 March, zone %s; want 450, 450, Asia/Tokyo", facts, created, zone)
	}
	if out, _, err := runCmd(t, "", "metrics", "rebuild", "--db", dsn, "--resume"); err != nil || !strings.Contains(out, "metrics rebuilt") {
		t.Errorf("--resume with nothing to do: %v\n%s", err, out)
	}
	if _, _, err := runCmd(t, "", "metrics", "rebuild", "--db", dsn, "extra"); err == nil {
		t.Error("an extra argument was accepted")
	}
}
