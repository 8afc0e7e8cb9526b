package app

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rapport/rapport/internal/agent"
	"github.com/rapport/rapport/internal/channel/email"
	"github.com/rapport/rapport/internal/config"
	"github.com/rapport/rapport/internal/jobs"
	"github.com/rapport/rapport/internal/sla"
	"github.com/rapport/rapport/internal/store/storetest"
	"github.com/rapport/rapport/internal/ticket"
)

// TestNotificationsMailedInBatches: a burst of five SLA warnings for a
// Russian-speaking agent in Moscow becomes one mail, in Russian, with the
// tickets' subjects, customers, human times in her zone and links, and no
// internal names; breaches recorded long after their deadline (a server
// that was down) are counted, not listed; the weekly digest is in each
// manager's language. On both databases.
func TestNotificationsMailedInBatches(t *testing.T) {
	backends := []struct {
		name string
		dsn  func(t *testing.T) string
	}{
		{"sqlite", func(t *testing.T) string { return filepath.Join(t.TempDir(), "notify.db") }},
		{"postgres", func(t *testing.T) string { return storetest.PostgresDSN(t) }},
	}
	for _, be := range backends {
		t.Run(be.name, func(t *testing.T) { notificationsMailedInBatches(t, be.dsn(t)) })
	}
}

func notificationsMailedInBatches(t *testing.T, dsn string) {
	ctx := context.Background()
	dir := t.TempDir()
	cfg := config.Default()
	cfg.DB, cfg.OutboxDir, cfg.AttachmentsDir = dsn, filepath.Join(dir, "outbox"), filepath.Join(dir, "att")
	cfg.SingleNode = true // the outbox folder stands in for a relay on PostgreSQL too
	cfg.Mailboxes, cfg.BusinessName, cfg.PublicURL = "support@shop.example", "Aurora", "https://help.shop.example"
	clock := jobs.NewFakeClock(time.Date(2025, 3, 10, 9, 0, 0, 0, time.UTC))
	svc, err := openServices(ctx, cfg, slog.New(slog.NewTextHandler(&bytes.Buffer{}, nil)), clock)
	if err != nil {
		t.Fatal(err)
	}
	defer svc.DB.Close()
	run := func(at time.Time) {
		t.Helper()
		clock.Set(at)
		if _, err := svc.Jobs.RunDue(ctx); err != nil {
			t.Fatal(err)
		}
	}
	seen := map[string]bool{}
	// newMail returns the mails to addr written since the last call.
	newMail := func(addr string) []*email.Message {
		t.Helper()
		entries, _ := os.ReadDir(cfg.OutboxDir)
		var out []*email.Message
		for _, e := range entries {
			if strings.HasPrefix(e.Name(), ".") || seen[e.Name()] {
				continue
			}
			raw, err := os.ReadFile(filepath.Join(cfg.OutboxDir, e.Name()))
			if err != nil {
				t.Fatal(err)
			}
			m, err := email.Parse(raw)
			if err != nil {
				t.Fatal(err)
			}
			if len(m.To) == 1 && m.To[0].Address == addr {
				seen[e.Name()] = true
				out = append(out, m)
			}
		}
		return out
	}
	clean := func(t *testing.T, m *email.Message) {
		t.Helper()
		for _, internal := range []string{"first_response", "next_response", "sla_at_risk", "sla_breached", "UTC", "notify."} {
			if strings.Contains(m.Subject+m.Text, internal) {
				t.Errorf("mail shows %q:\n%s\n%s", internal, m.Subject, m.Text)
			}
		}
	}

	olga, err := svc.Agents.Create(ctx, agent.NewAgent{Email: "olga@shop.example", Name: "Ольга", Role: agent.RoleAgent,
		Password: "long enough", Locale: "ru", TimeZone: "Europe/Moscow", Languages: []string{"ru"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.SLA.CreatePolicy(ctx, sla.Policy{Name: "Everything", FirstResponse: time.Hour, NextResponse: 2 * time.Hour,
		Resolution: 48 * time.Hour, PauseOnPending: true, Active: true}); err != nil {
		t.Fatal(err)
	}
	customers := []string{"Анна Петрова", "Борис Смирнов", "Вера Иванова", "Глеб Орлов", "Дарья Соколова"}
	var ids []int64
	for i, name := range customers {
		tk, err := svc.Tickets.Create(ctx, ticket.AgentActor(olga.ID), ticket.NewTicket{Subject: fmt.Sprintf("Заказ %d не пришёл", i+1),
			Body: "Где мой заказ?", CustomerEmail: fmt.Sprintf("c%d@example.com", i), CustomerName: name, OwnerID: olga.ID})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, tk.ID)
	}

	t.Run("a burst of warnings is one mail in her language and zone", func(t *testing.T) {
		// 75 % of the hour has passed at 09:45: five warnings at once.
		run(time.Date(2025, 3, 10, 9, 45, 0, 0, time.UTC))
		notes, _ := svc.SLA.Unread(ctx, olga.ID, 20)
		if len(notes) != 5 {
			t.Fatalf("%d notifications in the app, want 5", len(notes))
		}
		if m := newMail(olga.Email); len(m) != 0 {
			t.Fatalf("mailed before the batch's delay: %q", m[0].Subject)
		}
		run(time.Date(2025, 3, 10, 9, 47, 0, 0, time.UTC))
		mails := newMail(olga.Email)
		if len(mails) != 1 {
			t.Fatalf("%d mails for five warnings, want 1", len(mails))
		}
		m := mails[0]
		if m.Subject != "5 уведомлений для вас: 5 под угрозой" {
			t.Errorf("subject %q", m.Subject)
		}
		for _, want := range []string{"Здравствуйте, Ольга!", "Под угрозой срок первого ответа",
			"срок через 13 мин (сегодня в 13:00)", "Europe/Moscow"} {
			if !strings.Contains(m.Text, want) {
				t.Errorf("mail lacks %q:\n%s", want, m.Text)
			}
		}
		for i, id := range ids {
			for _, want := range []string{
				fmt.Sprintf("Обращение #%d «Заказ %d не пришёл» от клиента %s", id, i+1, customers[i]),
				fmt.Sprintf("https://help.shop.example/tickets/%d", id),
			} {
				if !strings.Contains(m.Text, want) {
					t.Errorf("mail lacks %q:\n%s", want, m.Text)
				}
			}
		}
		clean(t, m)
	})

	t.Run("breaches long past are counted beside what is new, not listed", func(t *testing.T) {
		boss, err := svc.Agents.Create(ctx, agent.NewAgent{Email: "boss@shop.example", Name: "Boss", Role: agent.RoleManager,
			Password: "long enough", Locale: "it"})
		if err != nil {
			t.Fatal(err)
		}
		// The server was down from 09:50 to 13:00: the five breaches of
		// 10:00 are recorded at 13:00, three hours late, as a manager
		// gives Olga a new ticket.
		run(time.Date(2025, 3, 10, 13, 0, 0, 0, time.UTC))
		tk, err := svc.Tickets.Create(ctx, ticket.AgentActor(boss.ID), ticket.NewTicket{Subject: "Счёт с ошибкой",
			Body: "В счёте неверная сумма.", CustomerEmail: "e@example.com", CustomerName: "Егор Белов"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Tickets.Assign(ctx, ticket.AgentActor(boss.ID), tk.ID, olga.ID); err != nil {
			t.Fatal(err)
		}
		run(time.Date(2025, 3, 10, 13, 2, 0, 0, time.UTC))
		mails := newMail(olga.Email)
		if len(mails) != 1 {
			t.Fatalf("%d mails, want 1", len(mails))
		}
		m := mails[0]
		if want := fmt.Sprintf("[#%d] Вам назначено обращение: Счёт с ошибкой", tk.ID); m.Subject != want {
			t.Errorf("subject %q, want %q", m.Subject, want)
		}
		for _, want := range []string{"от клиента Егор Белов",
			"Ещё 5 более ранних уведомлений — в вашем списке: https://help.shop.example/notifications"} {
			if !strings.Contains(m.Text, want) {
				t.Errorf("mail lacks %q:\n%s", want, m.Text)
			}
		}
		if strings.Contains(m.Text, "Просрочен") {
			t.Errorf("stale breaches listed:\n%s", m.Text)
		}
		clean(t, m)
		notes, _ := svc.SLA.Unread(ctx, olga.ID, 20)
		if len(notes) != 11 {
			t.Fatalf("%d notifications in the app, want 11 (the breaches are listed there)", len(notes))
		}

		// Down again over the resolution deadline (Wednesday 09:00): its
		// breaches are not listed (the new ticket's resolution, still to
		// come, is).
		run(time.Date(2025, 3, 12, 12, 0, 0, 0, time.UTC))
		run(time.Date(2025, 3, 12, 12, 5, 0, 0, time.UTC))
		for _, m := range newMail(olga.Email) {
			if strings.Contains(m.Text, "Просрочен") {
				t.Fatalf("stale breaches mailed: %q\n%s", m.Subject, m.Text)
			}
		}
		notes, _ = svc.SLA.Unread(ctx, olga.ID, 50)
		if len(notes) < 16 {
			t.Fatalf("%d notifications in the app, want the resolution breaches too", len(notes))
		}

		// The weekly digest reaches the manager in Italian.
		if err := svc.Metrics.SendDigest(ctx, time.Date(2025, 3, 17, 8, 0, 0, 0, time.UTC)); err != nil {
			t.Fatal(err)
		}
		run(time.Date(2025, 3, 12, 12, 6, 0, 0, time.UTC))
		found := false
		for _, m := range newMail(boss.Email) {
			if strings.HasPrefix(m.Subject, "Riepilogo settimanale di Rapport") {
				found = true
			}
		}
		if !found {
			t.Error("no digest in Italian for the manager")
		}
	})
}
