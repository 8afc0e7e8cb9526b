package app

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"mime/quotedprintable"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rapport/rapport/internal/config"
	"github.com/rapport/rapport/internal/customer"
	"github.com/rapport/rapport/internal/intake"
	"github.com/rapport/rapport/internal/jobs"
	"github.com/rapport/rapport/internal/sla"
	"github.com/rapport/rapport/internal/store/storetest"
)

// TestAckPromiseInCustomersZone: the acknowledgement promises the first
// answer in words, in the customer's language and zone (Rome for an
// Italian customer whose zone is known, the business's, Riga, for one
// whose is not); with no SLA policy it names no time at all.
func TestAckPromiseInCustomersZone(t *testing.T) {
	backends := []struct {
		name string
		dsn  func(t *testing.T) string
	}{
		{"sqlite", func(t *testing.T) string { return filepath.Join(t.TempDir(), "ack.db") }},
		{"postgres", func(t *testing.T) string { return storetest.PostgresDSN(t) }},
	}
	for _, be := range backends {
		t.Run(be.name, func(t *testing.T) { ackPromiseInCustomersZone(t, be.dsn(t)) })
	}
}

func ackPromiseInCustomersZone(t *testing.T, dsn string) {
	ctx := context.Background()
	dir := t.TempDir()
	cfg := config.Default()
	cfg.DB, cfg.OutboxDir, cfg.AttachmentsDir = dsn, filepath.Join(dir, "outbox"), filepath.Join(dir, "att")
	cfg.SingleNode = true // the outbox folder stands in for a relay on PostgreSQL too
	cfg.Mailboxes, cfg.BusinessName = "support@shop.example", "Aurora"
	// 09:00 UTC: 10:00 in Rome, 11:00 in Riga.
	clock := jobs.NewFakeClock(time.Date(2025, 3, 10, 9, 0, 0, 0, time.UTC))
	svc, err := openServices(ctx, cfg, slog.New(slog.NewTextHandler(&bytes.Buffer{}, nil)), clock)
	if err != nil {
		t.Fatal(err)
	}
	defer svc.DB.Close()
	p, err := svc.Business.Profile(ctx)
	if err != nil {
		t.Fatal(err)
	}
	p.TimeZone = "Europe/Riga"
	if _, err := svc.Business.Save(ctx, p); err != nil {
		t.Fatal(err)
	}
	ack := func(from, subject, text string) string {
		t.Helper()
		before, _ := os.ReadDir(cfg.OutboxDir)
		if _, err := svc.Intake.Receive(ctx, intake.Inbound{Channel: "email", From: intake.Sender{Kind: customer.Email, Value: from},
			Subject: subject, Text: text, MessageKey: from + subject, Raw: []byte("raw")}); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Jobs.RunDue(ctx); err != nil {
			t.Fatal(err)
		}
		after, _ := os.ReadDir(cfg.OutboxDir)
		if len(after) != len(before)+1 {
			t.Fatalf("%d mails after %d, want one acknowledgement more", len(after), len(before))
		}
		seen := map[string]bool{}
		for _, e := range before {
			seen[e.Name()] = true
		}
		for _, e := range after {
			if !seen[e.Name()] {
				data, err := os.ReadFile(filepath.Join(cfg.OutboxDir, e.Name()))
				if err != nil {
					t.Fatal(err)
				}
				text, err := io.ReadAll(quotedprintable.NewReader(bytes.NewReader(data)))
				if err != nil {
					t.Fatal(err)
				}
				return string(text)
			}
		}
		return ""
	}

	// No policy: no time is promised.
	mail := ack("dan@example.com", "Where is my order?", "Hello, my order has not arrived yet and the tracking page shows nothing.")
	if !strings.Contains(mail, "A person from our team will read it and answer you by email as soon as we can.") ||
		strings.Contains(mail, "working day") || strings.Contains(mail, "at the latest") {
		t.Fatalf("without a policy the acknowledgement promises a time:\n%s", mail)
	}

	if _, err := svc.SLA.CreatePolicy(ctx, sla.Policy{Name: "Everything", FirstResponse: time.Hour, NextResponse: 2 * time.Hour,
		Resolution: 48 * time.Hour, Active: true}); err != nil {
		t.Fatal(err)
	}
	rome := "Europe/Rome"
	giulia, err := svc.Customers.Create(ctx, customer.NewCustomer{Name: "Giulia", Language: "it", Emails: []string{"giulia@example.com"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Customers.Update(ctx, giulia.ID, customer.Update{TimeZone: &rome}); err != nil {
		t.Fatal(err)
	}
	// Answered by 10:00 UTC: 11:00 in Rome, 12:00 in Riga.
	mail = ack("giulia@example.com", "Ordine non arrivato", "Buongiorno, il mio ordine non è ancora arrivato e la pagina di tracciamento non mostra niente.")
	if want := "Una persona del nostro team Le risponderà al più tardi entro oggi alle 11:00."; !strings.Contains(mail, want) {
		t.Fatalf("the Italian acknowledgement lacks %q:\n%s", want, mail)
	}
	mail = ack("erin@example.com", "Broken lamp", "Hello, the lamp I bought last week is broken and does not switch on any more.")
	if want := "A person from our team will answer you by 12:00 today at the latest."; !strings.Contains(mail, want) {
		t.Fatalf("the acknowledgement in the business's zone lacks %q:\n%s", want, mail)
	}
	if strings.Contains(mail, "UTC") {
		t.Errorf("a UTC stamp in the acknowledgement:\n%s", mail)
	}
}
