package app

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/base64"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rapport/rapport/internal/agent"
	"github.com/rapport/rapport/internal/channel/mailout"
	"github.com/rapport/rapport/internal/config"
	"github.com/rapport/rapport/internal/store/storetest"
	"github.com/rapport/rapport/internal/ticket"
)

// Two servers on one database, as two nodes behind a load balancer: a
// file an agent attaches to a reply through node A downloads, byte for
// byte and by ranges, from node B, which has no folder of A's. Nothing is
// written to A's attachments folder.
func TestTwoNodesShareAttachments(t *testing.T) {
	backends := []struct {
		name string
		dsn  func(t *testing.T) string
	}{
		{"sqlite", func(t *testing.T) string { return filepath.Join(t.TempDir(), "nodes.db") }},
		{"postgres", func(t *testing.T) string { return storetest.PostgresDSN(t) }},
	}
	for _, be := range backends {
		t.Run(be.name, func(t *testing.T) {
			ctx := context.Background()
			dsn := be.dsn(t)
			a := startServer(t, dsn, 1)
			b := startServer(t, dsn, 0)
			tk, err := a.app.Services().Tickets.Create(ctx, ticket.SystemActor, ticket.NewTicket{Subject: "The invoice",
				Body: "Could you send the invoice again?", CustomerEmail: "carla@example.com"})
			if err != nil {
				t.Fatal(err)
			}
			// Three chunks and a bit, of bytes no compression would shorten.
			r := rand.New(rand.NewPCG(1, 2))
			data := make([]byte, 3*256<<10+1234)
			for i := range data {
				data[i] = byte(r.Uint32())
			}
			status, err := a.call(0, "POST", fmt.Sprintf("/tickets/%d/reply", tk.ID), map[string]any{
				"body": "Here it is.",
				"attachments": []map[string]string{{"filename": "invoice.pdf", "content_type": "application/pdf",
					"data": base64.StdEncoding.EncodeToString(data)}},
			}, nil)
			if err != nil || status >= 300 {
				t.Fatalf("reply with a file through node A: %d %v\n%s", status, err, a.logErrors())
			}
			files, err := b.app.Services().Attachments.ForTicket(ctx, tk.ID)
			if err != nil {
				t.Fatal(err)
			}
			var fileID int64
			for _, list := range files {
				for _, f := range list {
					fileID = f.ID
				}
			}
			if fileID == 0 {
				t.Fatalf("node B sees no file on ticket %d", tk.ID)
			}
			if entries, _ := os.ReadDir(a.app.cfg.AttachmentsDir); len(entries) > 0 {
				t.Fatalf("node A wrote %d entries into its own attachments folder", len(entries))
			}
			// An admin exists (else every page leads to /setup); the agent
			// downloads through node B.
			if _, err := b.app.Services().Agents.Create(ctx, agent.NewAgent{Email: "boss@shop.example", Name: "Boss",
				Role: agent.RoleAdmin, Password: "long enough password", Languages: []string{"en"}}); err != nil {
				t.Fatal(err)
			}
			session, _, err := b.app.Services().Agents.CreateSession(ctx, a.ids[0], "test", "127.0.0.1")
			if err != nil {
				t.Fatal(err)
			}
			get := func(rangeHeader string) (int, []byte) {
				t.Helper()
				req, _ := http.NewRequest("GET", fmt.Sprintf("%s/tickets/%d/attachments/%d", b.app.URL(), tk.ID, fileID), nil)
				req.AddCookie(&http.Cookie{Name: "rapport_session", Value: session})
				if rangeHeader != "" {
					req.Header.Set("Range", rangeHeader)
				}
				resp, err := b.client.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				defer resp.Body.Close()
				body, err := io.ReadAll(resp.Body)
				if err != nil {
					t.Fatal(err)
				}
				return resp.StatusCode, body
			}
			if status, body := get(""); status != 200 || !bytes.Equal(body, data) {
				t.Fatalf("download from node B: %d, %d bytes (want %d, identical)", status, len(body), len(data))
			}
			from := 256<<10 - 10
			if status, body := get(fmt.Sprintf("bytes=%d-%d", from, from+99)); status != http.StatusPartialContent || !bytes.Equal(body, data[from:from+100]) {
				t.Fatalf("a range across a chunk boundary from node B: %d, %d bytes", status, len(body))
			}
		})
	}
}

// On PostgreSQL, where several nodes may serve, a node without a relay is
// not ready and says why, and its mail waits rather than landing in its own
// folder; a stored relay, or --single-node, makes it ready. SQLite is one
// node and always may use the outbox.
func TestReadyNeedsRelayWithSeveralNodes(t *testing.T) {
	ready := func(t *testing.T, s *server) (int, string) {
		t.Helper()
		resp, err := s.client.Get(s.app.URL() + "/readyz")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(body)
	}
	t.Run("sqlite", func(t *testing.T) {
		s := startServer(t, filepath.Join(t.TempDir(), "one.db"), 0)
		if status, body := ready(t, s); status != 200 {
			t.Fatalf("SQLite without a relay: %d %q", status, body)
		}
		if _, ok := outboxFallback(s.app.cfg, s.app.svc.DB).(mailout.Outbox); !ok {
			t.Fatal("SQLite without a relay does not use the outbox folder")
		}
	})
	t.Run("postgres", func(t *testing.T) {
		dsn := storetest.PostgresDSN(t)
		s := startServer(t, dsn, 0)
		status, body := ready(t, s)
		if status != http.StatusServiceUnavailable || !strings.Contains(body, "no SMTP relay") || !strings.Contains(body, "--single-node") {
			t.Fatalf("PostgreSQL without a relay: %d %q", status, body)
		}
		if err := outboxFallback(s.app.cfg, s.app.svc.DB).Send(context.Background(), "a@x", []string{"b@x"}, []byte("x")); err != mailout.ErrNoRelay {
			t.Fatalf("mail without a relay on PostgreSQL: %v, want it to wait", err)
		}
		cfg := config.Default()
		cfg.DB, cfg.SingleNode = dsn, true
		if outboxFallback(cfg, s.app.svc.DB) != (mailout.Outbox{Dir: cfg.OutboxDir}) {
			t.Fatal("--single-node does not let the outbox stand in")
		}
		ctx := context.Background()
		if err := s.app.svc.DB.Tx(ctx, func(tx *sql.Tx) error {
			return s.app.svc.Relays.SaveTx(ctx, tx, mailout.RelaySettings{Addr: "127.0.0.1:2587"})
		}); err != nil {
			t.Fatal(err)
		}
		if status, body := ready(t, s); status != 200 {
			t.Fatalf("PostgreSQL with a stored relay: %d %q", status, body)
		}
	})
}
