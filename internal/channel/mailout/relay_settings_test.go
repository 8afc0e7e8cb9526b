package mailout_test

import (
	"context"
	"database/sql"
	"errors"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/emersion/go-smtp"

	"github.com/rapport/rapport/internal/channel/mailout"
	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/store/storetest"
	"github.com/rapport/rapport/internal/valid"
)

// startRelay runs a real SMTP server on a free loopback port.
func startRelay(t *testing.T, r *relay) string {
	t.Helper()
	srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return relaySession{r}, nil }))
	srv.Domain = "relay.test"
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return ln.Addr().String()
}

// TestTestMail: the setup's test send goes through the relay at once and
// a failure says exactly what the relay said.
func TestTestMail(t *testing.T) {
	r := &relay{}
	addr := startRelay(t, r)
	ctx := context.Background()
	if err := mailout.TestMail(ctx, mailout.RelaySettings{Addr: addr}, "support@aurora.example", "Aurora", "giulia@aurora.example",
		"Test mail from Rapport", "Outgoing mail works.\n", "en"); err != nil {
		t.Fatal(err)
	}
	if len(r.msgs) != 1 || r.rcpts[0] != "giulia@aurora.example" || !strings.Contains(string(r.msgs[0]), "Subject: Test mail from Rapport") ||
		!strings.Contains(string(r.msgs[0]), "Content-Language: en\r\n") {
		t.Fatalf("relay got %q to %v", r.msgs, r.rcpts)
	}
	r.reject = true
	err := mailout.TestMail(ctx, mailout.RelaySettings{Addr: addr}, "support@aurora.example", "Aurora", "nobody@aurora.example", "x", "y", "en")
	if !errors.Is(err, mailout.ErrRejected) || !strings.Contains(err.Error(), "550") || !strings.Contains(err.Error(), "no such user") ||
		!strings.Contains(err.Error(), "RCPT TO nobody@aurora.example") {
		t.Fatalf("a refused recipient: %v", err)
	}
	err = mailout.TestMail(ctx, mailout.RelaySettings{Addr: "127.0.0.1:1"}, "support@aurora.example", "Aurora", "a@b.example", "x", "y", "en")
	if err == nil || !strings.Contains(err.Error(), "127.0.0.1:1") || !strings.Contains(err.Error(), "refused") {
		t.Fatalf("an unreachable relay: %v", err)
	}
	var f valid.Fields
	if err := mailout.TestMail(ctx, mailout.RelaySettings{Addr: addr}, "support@aurora.example", "Aurora", "not an address", "x", "y", "en"); !errors.As(err, &f) || f["test_to"].Key != "valid.email" {
		t.Fatalf("a bad address: %v", err)
	}
}

// TestStoredRelay: without a stored relay mail goes to the fallback (the
// outbox); once setup stores one, the next message goes to it, no restart.
func TestStoredRelay(t *testing.T) { storetest.Each(t, testStoredRelay) }

func testStoredRelay(t *testing.T, db *store.DB) {
	ctx := context.Background()
	r := &relay{}
	addr := startRelay(t, r)
	relays := mailout.NewRelayStore(db, nil)
	outbox := filepath.Join(t.TempDir(), "outbox")
	tr := mailout.Stored{Store: relays, Fallback: mailout.Outbox{Dir: outbox}}
	msg := []byte("Subject: hi\r\n\r\nhello\r\n")
	if err := tr.Send(ctx, "support@aurora.example", []string{"carla@example.com"}, msg); err != nil {
		t.Fatal(err)
	}
	if entries, _ := os.ReadDir(outbox); len(entries) != 1 || len(r.msgs) != 0 {
		t.Fatalf("without a stored relay: %d in the outbox, %d at the relay", len(entries), len(r.msgs))
	}
	if _, err := (mailout.RelaySettings{Addr: "no-port"}).Check(); err == nil {
		t.Fatal("host without a port accepted")
	}
	err := db.Tx(ctx, func(tx *sql.Tx) error { return relays.SaveTx(ctx, tx, mailout.RelaySettings{Addr: addr}) })
	if err != nil {
		t.Fatal(err)
	}
	if err := tr.Send(ctx, "support@aurora.example", []string{"carla@example.com"}, msg); err != nil {
		t.Fatal(err)
	}
	if entries, _ := os.ReadDir(outbox); len(entries) != 1 || len(r.msgs) != 1 {
		t.Fatalf("with a stored relay: %d in the outbox, %d at the relay", len(entries), len(r.msgs))
	}
}
