package main

import (
	"context"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/store/storetest"
)

// TestLoadtestShort runs the load test for a few seconds against a real
// server process on each database: mail, API writes and every read, the
// web pages included. No request may fail and every acknowledged mail,
// ticket and reply must be stored (the command checks all of them through
// the API, and the test counts the mail again in the database).
func TestLoadtestShort(t *testing.T) {
	backends := []struct {
		name string
		db   func(t *testing.T) string
	}{
		{"sqlite", func(t *testing.T) string { return filepath.Join(t.TempDir(), "load.db") }},
		{"postgres", func(t *testing.T) string { return storetest.PostgresDSN(t) }},
	}
	for _, be := range backends {
		t.Run(be.name, func(t *testing.T) {
			dsn := be.db(t)
			const password = "a long enough password"
			if _, _, err := runCmd(t, password+"\n", "setup", "--db", dsn, "--business-name", "Load Shop",
				"--time-zone", "UTC", "--admin-name", "Mia Admin", "--admin-email", "mia@shop.example"); err != nil {
				t.Fatal(err)
			}
			tok, _, err := runCmd(t, "", "token", "create", "--db", dsn, "--user", "mia@shop.example")
			if err != nil {
				t.Fatal(err)
			}
			dir := t.TempDir()
			httpAddr, smtpAddr := freeAddr(t), freeAddr(t)
			server := startServer(t, "--db", dsn, "--addr", httpAddr, "--smtp-addr", smtpAddr, "--mailboxes", "support@shop.example", "--single-node",
				"--outbox-dir", filepath.Join(dir, "outbox"), "--attachments-dir", filepath.Join(dir, "att"))
			waitUp(t, "http://"+httpAddr+"/healthz")
			waitSMTP(t, smtpAddr)

			out, errOut, err := runCmd(t, "", "loadtest", "--url", "http://"+httpAddr, "--token", strings.TrimSpace(tok),
				"--smtp", smtpAddr, "--mailbox", "support@shop.example", "--user", "mia@shop.example", "--password", password,
				"--pid", strconv.Itoa(server.Process.Pid), "--duration", "5s",
				"--smtp-clients", "2", "--writers", "4", "--readers", "5", "--verify", "0")
			t.Log(out)
			if err != nil {
				t.Fatalf("loadtest: %v\n%s", err, errOut)
			}
			// Every kind of request ran, and succeeded. Five readers start on
			// the five steps of the readers' round at once, so that each kind
			// is asked from the start: under the race detector and a loaded
			// machine one dashboard call took up to 2.5 s, and with two readers
			// going round the steps one by one a 3 s run could end before a
			// reader reached the dashboard.
			for _, op := range []string{"smtp mail", "api create", "api reply", "api inbox", "api search",
				"api dashboard 30d", "api dashboard 90d", "api dashboard 365d", "web inbox", "web search", "web dashboard 30d"} {
				m := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(op) + `.*?\s+(\d+)\s+(\d+)\s`).FindStringSubmatch(out)
				if m == nil || m[1] == "0" || m[2] != "0" {
					t.Errorf("%s: %v in the report", op, m)
				}
			}
			m := regexp.MustCompile(`checked (\d+), lost (\d+)`).FindStringSubmatch(out)
			if m == nil || m[1] == "0" || m[2] != "0" {
				t.Errorf("checked/lost: %v", m)
			}
			if !strings.Contains(out, "memory: idle") {
				t.Error("no memory figures in the report")
			}
			// The mail the report counts as acknowledged is in the database.
			acked := regexp.MustCompile(`(?m)^smtp mail \(DATA→250\)\s+(\d+)\s+(\d+)`).FindStringSubmatch(out)
			db, err := store.Open(context.Background(), dsn)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			var stored int
			if err := db.R.QueryRow(`SELECT count(*) FROM inbound_messages WHERE message_key LIKE '%@load.example'`).Scan(&stored); err != nil {
				t.Fatal(err)
			}
			if acked == nil || strconv.Itoa(stored) != acked[1] {
				t.Errorf("%d mails stored, the report acknowledged %v", stored, acked)
			}
		})
	}
}
