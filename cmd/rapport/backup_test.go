package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/smtp"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rapport/rapport/internal/store"
)

// TestBackupOfRunningServer backs up the SQLite database of a running
// `rapport serve` (a separate process) while mail keeps arriving over
// SMTP, then starts a second server on the backup: every message
// acknowledged before the backup began is in it, and a ticket reads back
// through the API with the token the first server's database held.
func TestBackupOfRunningServer(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "live.db")
	if _, _, err := runCmd(t, "a long enough password\n", "user", "add", "--db", db, "--email", "al@shop.example", "--name", "Al Agent"); err != nil {
		t.Fatal(err)
	}
	tok, _, err := runCmd(t, "", "token", "create", "--db", db, "--user", "al@shop.example")
	if err != nil {
		t.Fatal(err)
	}
	tok = strings.TrimSpace(tok)
	serverArgs := func(db string) []string {
		return []string{"--db", db, "--mailboxes", "support@shop.example",
			"--outbox-dir", filepath.Join(dir, "outbox"), "--attachments-dir", filepath.Join(dir, "att")}
	}
	smtpAddr := freeAddr(t)
	startServer(t, append(serverArgs(db), "--addr", freeAddr(t), "--smtp-addr", smtpAddr)...)
	waitSMTP(t, smtpAddr)

	const total = 400
	var acked [total]atomic.Bool
	var ok, next atomic.Int64
	send := func(i int) error {
		msg := fmt.Sprintf("From: Customer %d <c%d@example.com>\r\nTo: support@shop.example\r\nSubject: Order %d\r\n"+
			"Message-ID: <backup.%d@example.com>\r\n\r\nWhere is my order %d?\r\n", i%40, i%40, i, i, i)
		return smtp.SendMail(smtpAddr, nil, "c@example.com", []string{"support@shop.example"}, []byte(msg))
	}
	var wg sync.WaitGroup
	sendErr := make(chan error, 4)
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= total {
					return
				}
				if err := send(i); err != nil {
					sendErr <- fmt.Errorf("message %d: %w", i, err)
					return
				}
				acked[i].Store(true)
				ok.Add(1)
			}
		}()
	}
	for ok.Load() < 40 && len(sendErr) == 0 {
		time.Sleep(5 * time.Millisecond)
	}
	var before []int
	for i := range acked {
		if acked[i].Load() {
			before = append(before, i)
		}
	}

	// The backup, by a process of its own, while the senders go on.
	target := filepath.Join(dir, "copy.db")
	cmd := exec.Command(os.Args[0], "backup", "--db", db, "--to", target)
	cmd.Env = append(os.Environ(), childEnv+"=1")
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	backupErr := cmd.Run()
	during := ok.Load()
	wg.Wait()
	close(sendErr)
	for err := range sendErr {
		t.Fatal(err)
	}
	if backupErr != nil {
		t.Fatalf("backup: %v\n%s", backupErr, errOut.String())
	}
	t.Logf("backup with %d messages acknowledged before, %d when it ended, %d in all:\n%s", len(before), during, ok.Load(), out.String())
	if during == total {
		t.Fatal("all mail was in before the backup ended; the test did not back up a database being written")
	}
	if !strings.Contains(out.String(), "integrity ok") || !strings.Contains(out.String(), " tickets, ") {
		t.Errorf("backup output = %q, want the integrity verdict and the counts", out.String())
	}

	// Every message acknowledged before the backup began is in the copy.
	cp, err := store.Open(context.Background(), target)
	if err != nil {
		t.Fatal(err)
	}
	keys := map[string]bool{}
	rows, err := cp.R.Query(`SELECT message_key FROM inbound_messages`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var k string
		rows.Scan(&k)
		keys[k] = true
	}
	rows.Close()
	var tickets int
	cp.R.QueryRow(`SELECT count(*) FROM tickets`).Scan(&tickets)
	var first int64
	if err := cp.R.QueryRow(`SELECT id FROM tickets WHERE subject = $1`, fmt.Sprintf("Order %d", before[0])).Scan(&first); err != nil {
		t.Fatalf("ticket of message %d in the backup: %v", before[0], err)
	}
	cp.Close()
	for _, i := range before {
		if !keys[fmt.Sprintf("backup.%d@example.com", i)] {
			t.Errorf("message %d was acknowledged before the backup but is not in it", i)
		}
	}
	if tickets < len(before) || tickets > total {
		t.Errorf("backup holds %d tickets, want at least the %d acknowledged before it", tickets, len(before))
	}
	if !strings.Contains(out.String(), fmt.Sprintf("%d tickets, ", tickets)) {
		t.Errorf("backup output %q does not report the %d tickets the copy holds", out.String(), tickets)
	}

	// A second server runs on the backup, and the ticket reads back.
	addr := freeAddr(t)
	startServer(t, append(serverArgs(target), "--addr", addr, "--smtp-addr", "")...)
	waitUp(t, "http://"+addr+"/healthz")
	req, _ := http.NewRequest(http.MethodGet, fmt.Sprintf("http://%s/api/v1/tickets/%d", addr, first), nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), fmt.Sprintf("Order %d", before[0])) {
		t.Errorf("GET ticket %d from the server on the backup: %d %s", first, resp.StatusCode, body)
	}

	// A second backup to the same file is refused and the first one kept.
	if _, _, err := runCmd(t, "", "backup", "--db", db, "--to", target); err == nil || !strings.Contains(err.Error(), "--force") {
		t.Errorf("backup onto an existing file: err = %v, want a refusal naming --force", err)
	}
}

// TestBackupCommandErrors: the command's own refusals.
func TestBackupCommandErrors(t *testing.T) {
	_, _, err := runCmd(t, "", "backup", "--db", filepath.Join(t.TempDir(), "x.db"))
	if err == nil || !strings.Contains(err.Error(), "--to is required") {
		t.Errorf("backup without --to: err = %v", err)
	}
	dsn := os.Getenv("RAPPORT_TEST_POSTGRES_DSN")
	if dsn == "" {
		t.Skip("RAPPORT_TEST_POSTGRES_DSN not set")
	}
	_, _, err = runCmd(t, "", "backup", "--db", dsn, "--to", filepath.Join(t.TempDir(), "pg.dump"))
	if err == nil || !strings.Contains(err.Error(), "pg_dump --format=custom --file=") {
		t.Errorf("backup of PostgreSQL: err = %v, want the pg_dump command", err)
	}
}
