package main

import (
	"context"
	"fmt"
	"net"
	"net/smtp"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/store/storetest"
)

// childEnv makes the test binary run the rapport command line instead of
// the tests, so a test can start (and kill) a real server process.
const childEnv = "RAPPORT_TEST_RUN_MAIN"

func TestMain(m *testing.M) {
	if os.Getenv(childEnv) == "1" {
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// startServer starts `rapport serve` in a child process.
func startServer(t *testing.T, args ...string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0], append([]string{"serve"}, args...)...)
	cmd.Env = append(os.Environ(), childEnv+"=1", "RAPPORT_LOG_LEVEL=warn")
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	return cmd
}

func waitSMTP(t *testing.T, addr string) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		if c, err := net.Dial("tcp", addr); err == nil {
			c.Close()
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("SMTP on %s did not come up", addr)
}

// TestKillDuringSMTPLoadLosesNothing sends mail over 8 connections, kills
// the server with SIGKILL in the middle, restarts it and lets the senders
// retry what was not acknowledged (and, as real mail servers sometimes do,
// resend some that were). Every message that got a 250 is stored, and every
// message is stored exactly once.
func TestKillDuringSMTPLoadLosesNothing(t *testing.T) {
	backends := []struct {
		name string
		db   func(t *testing.T) string
	}{
		{"sqlite", func(t *testing.T) string { return filepath.Join(t.TempDir(), "crash.db") }},
		{"postgres", func(t *testing.T) string { return storetest.PostgresDSN(t) }},
	}
	for _, be := range backends {
		t.Run(be.name, func(t *testing.T) {
			dsn := be.db(t)
			crashRun(t, dsn)
		})
	}
}

func crashRun(t *testing.T, dsn string) {
	const total = 400
	dir := t.TempDir()
	httpAddr, smtpAddr := freeAddr(t), freeAddr(t)
	args := []string{"--db", dsn, "--addr", httpAddr, "--smtp-addr", smtpAddr, "--mailboxes", "support@shop.example",
		"--outbox-dir", filepath.Join(dir, "outbox"), "--attachments-dir", filepath.Join(dir, "att")}
	server := startServer(t, args...)
	waitSMTP(t, smtpAddr)

	msg := func(i int) []byte {
		return []byte(fmt.Sprintf("From: Customer %d <c%d@example.com>\r\nTo: support@shop.example\r\nSubject: Order %d\r\n"+
			"Message-ID: <kill.%d@example.com>\r\n\r\nWhere is my order %d?\r\n", i%50, i%50, i, i, i))
	}
	var acked [total]atomic.Bool
	send := func(i int) error {
		return smtp.SendMail(smtpAddr, nil, "c@example.com", []string{"support@shop.example"}, msg(i))
	}
	// Phase one: eight senders until the server dies under them.
	var next, ok atomic.Int64
	var wg sync.WaitGroup
	for c := 0; c < 8; c++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= total {
					return
				}
				if send(i) != nil {
					return // the server is gone; the rest is retried later
				}
				acked[i].Store(true)
				ok.Add(1)
			}
		}()
	}
	for ok.Load() < total/3 {
		time.Sleep(time.Millisecond)
	}
	if err := server.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	server.Wait()
	wg.Wait()
	before := 0
	for i := range acked {
		if acked[i].Load() {
			before++
		}
	}
	t.Logf("killed after %d acknowledged messages", before)
	if before == total {
		t.Fatal("every message went through before the kill; the test proved nothing")
	}

	// Phase two: restart; retry everything not acknowledged, and resend
	// every tenth message that was.
	startServer(t, args...)
	waitSMTP(t, smtpAddr)
	for i := 0; i < total; i++ {
		if acked[i].Load() && i%10 != 0 {
			continue
		}
		var err error
		for try := 0; try < 50; try++ {
			if err = send(i); err == nil {
				break
			}
			time.Sleep(100 * time.Millisecond)
		}
		if err != nil {
			t.Fatalf("message %d after restart: %v", i, err)
		}
	}

	db, err := store.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	counts := map[string]int{}
	rows, err := db.R.Query(`SELECT message_key FROM inbound_messages`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var k string
		rows.Scan(&k)
		counts[k]++
	}
	rows.Close()
	for i := 0; i < total; i++ {
		k := fmt.Sprintf("kill.%d@example.com", i)
		if counts[k] != 1 {
			t.Errorf("message %d stored %d times (acknowledged before the kill: %v)", i, counts[k], acked[i].Load())
		}
	}
	var tickets int
	db.R.QueryRow(`SELECT count(*) FROM tickets`).Scan(&tickets)
	if tickets != total {
		t.Errorf("%d tickets for %d messages", tickets, total)
	}
	if len(counts) != total {
		t.Errorf("%d distinct messages stored, want %d", len(counts), total)
	}
}
