package app

import (
	"bytes"
	"context"
	"log/slog"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/rapport/rapport/internal/channel/mailout"
	"github.com/rapport/rapport/internal/config"
	"github.com/rapport/rapport/internal/customer"
	"github.com/rapport/rapport/internal/intake"
	"github.com/rapport/rapport/internal/jobs"
	"github.com/rapport/rapport/internal/realtime"
	"github.com/rapport/rapport/internal/routing"
	"github.com/rapport/rapport/internal/sla"
	"github.com/rapport/rapport/internal/store/storetest"
)

// What happens when a customer's email creates a ticket, as
// ticketSubscribers states it: in the one transaction that stores the
// ticket, its deadlines are set with their timer jobs, the acknowledgement
// is queued (an assignment round is woken after the commit, without a
// row), and the rollups count it; none of
// the mail or assignment has happened before the workers run.
func TestTicketCreationWiring(t *testing.T) {
	backends := []struct {
		name string
		dsn  func(t *testing.T) string
	}{
		{"sqlite", func(t *testing.T) string { return filepath.Join(t.TempDir(), "wiring.db") }},
		{"postgres", func(t *testing.T) string { return storetest.PostgresDSN(t) }},
	}
	for _, be := range backends {
		t.Run(be.name, func(t *testing.T) {
			ctx := context.Background()
			dir := t.TempDir()
			cfg := config.Default()
			cfg.DB, cfg.OutboxDir, cfg.AttachmentsDir = be.dsn(t), filepath.Join(dir, "outbox"), filepath.Join(dir, "att")
			cfg.Mailboxes = "support@shop.example"
			clock := jobs.NewFakeClock(time.Date(2025, 3, 10, 9, 0, 0, 0, time.UTC))
			svc, err := openServices(ctx, cfg, slog.New(slog.NewTextHandler(&bytes.Buffer{}, nil)), clock)
			if err != nil {
				t.Fatal(err)
			}
			defer svc.DB.Close()
			if got, want := svc.Tickets.Subscribers(), []string{"sla", "routing", "mail", "survey", "recommit", "webhook", "realtime", "metrics"}; !slices.Equal(got, want) {
				t.Fatalf("subscribers %v, want %v", got, want)
			}
			if _, err := svc.SLA.CreatePolicy(ctx, sla.Policy{Name: "Everything", FirstResponse: time.Hour, NextResponse: 2 * time.Hour,
				Resolution: 48 * time.Hour, Active: true}); err != nil {
				t.Fatal(err)
			}
			res, err := svc.Intake.Receive(ctx, intake.Inbound{Channel: "email", From: intake.Sender{Kind: customer.Email, Value: "carla@example.com", Name: "Carla Client"},
				Subject: "My lamp flickers", Text: "Since yesterday the new lamp flickers every few seconds.", MessageKey: "lamp@example.com", Raw: []byte("raw")})
			if err != nil {
				t.Fatal(err)
			}
			pending := map[string]int{}
			rows, err := svc.DB.R.QueryContext(ctx, `SELECT kind FROM jobs WHERE status = 'pending'`)
			if err != nil {
				t.Fatal(err)
			}
			for rows.Next() {
				var k string
				if err := rows.Scan(&k); err != nil {
					t.Fatal(err)
				}
				pending[k]++
			}
			rows.Close()
			for _, k := range []string{sla.JobAtRisk, sla.JobBreach, routing.JobSweep, mailout.JobAck} {
				if pending[k] == 0 {
					t.Errorf("no pending %s job after the ticket's creation; pending: %v", k, pending)
				}
			}
			// The assignment round is woken in memory after the commit: no
			// row that every new ticket's transaction would lock.
			// Nor is there a row for the live pages: they were told at the commit.
			for _, k := range []string{routing.JobAssign, realtime.JobPublish} {
				if pending[k] != 0 {
					t.Errorf("a %s row is pending after the ticket's creation", k)
				}
			}
			tk, err := svc.Tickets.Get(ctx, res.TicketID)
			if err != nil {
				t.Fatal(err)
			}
			if want := clock.Now().Add(time.Hour); !tk.SLADueAt.Equal(want) {
				t.Errorf("sla due %v, want the first-response deadline %v", tk.SLADueAt, want)
			}
			var facts int
			if err := svc.DB.R.QueryRowContext(ctx, `SELECT count(*) FROM metric_facts WHERE ticket_id = $1`, res.TicketID).Scan(&facts); err != nil {
				t.Fatal(err)
			}
			if facts != 1 {
				t.Errorf("the rollups hold %d facts of the new ticket, want 1", facts)
			}
		})
	}
}
