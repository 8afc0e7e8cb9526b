package main

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/smtp"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/store/storetest"
	"github.com/rapport/rapport/internal/webhook"
)

// TestWebhookSurvivesKill: a server killed with SIGKILL while it is
// delivering an event (the receiver holds the first request open) delivers
// it after a restart: same webhook-id, a signature the receiver checks with
// the webhook's secret, and the delivery log says delivered.
func TestWebhookSurvivesKill(t *testing.T) {
	backends := []struct {
		name string
		db   func(t *testing.T) string
	}{
		{"sqlite", func(t *testing.T) string { return filepath.Join(t.TempDir(), "hook.db") }},
		{"postgres", func(t *testing.T) string { return storetest.PostgresDSN(t) }},
	}
	for _, be := range backends {
		t.Run(be.name, func(t *testing.T) { webhookKillRun(t, be.db(t)) })
	}
}

// holdingReceiver keeps its first request open until released; later ones
// it answers 200. It records every request.
type holdingReceiver struct {
	mu      sync.Mutex
	got     []http.Header
	bodies  [][]byte
	first   chan struct{} // closed when the first request arrives
	release chan struct{} // closed to let the first request end
}

func (h *holdingReceiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	h.mu.Lock()
	h.got = append(h.got, r.Header.Clone())
	h.bodies = append(h.bodies, body)
	n := len(h.got)
	h.mu.Unlock()
	if n == 1 {
		close(h.first)
		<-h.release
		return
	}
	w.WriteHeader(http.StatusOK)
}

func webhookKillRun(t *testing.T, dsn string) {
	ctx := context.Background()
	rc := &holdingReceiver{first: make(chan struct{}), release: make(chan struct{})}
	srv := httptest.NewServer(rc)
	t.Cleanup(func() {
		select {
		case <-rc.release:
		default:
			close(rc.release)
		}
		srv.Close()
	})

	db, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	hooks := webhook.New(webhook.Opts{DB: db})
	w, err := hooks.Create(ctx, webhook.Input{URL: srv.URL + "/in", Events: []string{webhook.TicketCreated}, Active: true})
	if err != nil {
		t.Fatal(err)
	}

	dir := t.TempDir()
	httpAddr, smtpAddr := freeAddr(t), freeAddr(t)
	args := []string{"--db", dsn, "--addr", httpAddr, "--smtp-addr", smtpAddr, "--mailboxes", "support@shop.example",
		"--outbox-dir", filepath.Join(dir, "outbox"), "--attachments-dir", filepath.Join(dir, "att")}
	server := startServer(t, args...)
	waitSMTP(t, smtpAddr)
	msg := "From: Nina <nina@example.com>\r\nTo: support@shop.example\r\nSubject: Broken hinge\r\n" +
		"Message-ID: <hook.1@example.com>\r\n\r\nThe cupboard door hinge broke on the first day.\r\n"
	if err := smtp.SendMail(smtpAddr, nil, "nina@example.com", []string{"support@shop.example"}, []byte(msg)); err != nil {
		t.Fatal(err)
	}
	select {
	case <-rc.first:
	case <-time.After(60 * time.Second):
		t.Fatal("no delivery began within a minute")
	}
	// Mid-delivery: the request is open at the receiver.
	if err := server.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	server.Wait()
	close(rc.release)

	startServer(t, args...)
	waitSMTP(t, smtpAddr)
	deadline := time.Now().Add(90 * time.Second)
	var ds []webhook.Delivery
	for time.Now().Before(deadline) {
		if ds, err = hooks.Deliveries(ctx, w.ID, 0, 10); err != nil {
			t.Fatal(err)
		}
		if len(ds) == 1 && ds[0].Status == "delivered" {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	if len(ds) != 1 || ds[0].Status != "delivered" {
		t.Fatalf("after the restart: deliveries %+v, want one delivered", ds)
	}
	rc.mu.Lock()
	defer rc.mu.Unlock()
	if len(rc.got) < 2 {
		t.Fatalf("the receiver saw %d requests, want the cut one and the one after the restart", len(rc.got))
	}
	first, last := rc.got[0], rc.got[len(rc.got)-1]
	if first.Get("webhook-id") == "" || last.Get("webhook-id") != first.Get("webhook-id") {
		t.Errorf("webhook-id %q after the restart, %q before: want the same", last.Get("webhook-id"), first.Get("webhook-id"))
	}
	ts, _ := strconv.ParseInt(last.Get("webhook-timestamp"), 10, 64)
	if !webhook.Verify(w.Secret, last.Get("webhook-id"), ts, rc.bodies[len(rc.bodies)-1], last.Get("webhook-signature")) {
		t.Error("the delivery after the restart does not verify with the webhook's secret")
	}
}
