package app

import (
	"bytes"
	"context"
	"log/slog"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/rapport/rapport/internal/agent"
	"github.com/rapport/rapport/internal/config"
	"github.com/rapport/rapport/internal/customer"
	"github.com/rapport/rapport/internal/intake"
	"github.com/rapport/rapport/internal/jobs"
	"github.com/rapport/rapport/internal/realtime"
	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/store/storetest"
	"github.com/rapport/rapport/internal/ticket"
)

// liveNode opens the services on dsn and runs their job workers and live
// broker until the test ends.
func liveNode(t *testing.T, dsn string) *Services {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	dir := t.TempDir()
	cfg := config.Default()
	cfg.DB, cfg.OutboxDir, cfg.AttachmentsDir = dsn, filepath.Join(dir, "outbox"), filepath.Join(dir, "att")
	cfg.Mailboxes = "support@shop.example"
	svc, err := openServices(ctx, cfg, slog.New(slog.NewTextHandler(&bytes.Buffer{}, nil)), jobs.SystemClock{})
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); svc.Jobs.Run(ctx, 1) }()
	go func() { defer wg.Done(); svc.Live.Run(ctx) }()
	t.Cleanup(func() { cancel(); wg.Wait(); svc.DB.Close() })
	select {
	case <-svc.Live.Ready():
	case <-time.After(30 * time.Second):
		t.Fatal("the broker did not start listening")
	}
	return svc
}

// waitEvent waits for an event of kind about ticket id on s, skipping others.
func waitEvent(t *testing.T, s *realtime.Sub, kind string, id int64) realtime.Event {
	t.Helper()
	deadline := time.After(60 * time.Second)
	for {
		select {
		case ev := <-s.Events():
			if ev.Kind == kind && ev.Ticket == id {
				return ev
			}
		case <-s.Done():
			t.Fatalf("subscription ended: %v", s.Err())
		case <-deadline:
			t.Fatalf("no %s event for ticket %d", kind, id)
		}
	}
}

// A customer's email that makes a ticket reaches the agents' live
// connections after its commit, through the realtime subscriber and its
// job, and so do an assignment, a reply and a status change: on one node
// with SQLite, and with PostgreSQL on another node than the one that
// wrote them. The assignment's notification reaches its agent only.
func TestTicketChangesReachLiveConnections(t *testing.T) {
	backends := []struct {
		name  string
		nodes func(t *testing.T) (*Services, *Services)
	}{
		{"sqlite one node", func(t *testing.T) (*Services, *Services) {
			n := liveNode(t, filepath.Join(t.TempDir(), "live.db"))
			return n, n
		}},
		{"postgres two nodes", func(t *testing.T) (*Services, *Services) {
			dsn := storetest.PostgresDSN(t)
			return liveNode(t, dsn), liveNode(t, dsn)
		}},
	}
	for _, be := range backends {
		t.Run(be.name, func(t *testing.T) {
			ctx := context.Background()
			writer, watcher := be.nodes(t)
			mk := func(email string) int64 {
				a, err := writer.Agents.Create(ctx, agent.NewAgent{Email: email, Name: email, Role: agent.RoleAgent,
					Password: "long enough password", Languages: []string{"en"}})
				if err != nil {
					t.Fatal(err)
				}
				return a.ID
			}
			mia, leo := mk("mia@shop.example"), mk("leo@shop.example")
			miaSees, err := watcher.Live.Subscribe(realtime.ForAgent(mia))
			if err != nil {
				t.Fatal(err)
			}
			defer miaSees.Close()
			leoSees, err := watcher.Live.Subscribe(realtime.ForAgent(leo))
			if err != nil {
				t.Fatal(err)
			}
			defer leoSees.Close()
			res, err := writer.Intake.Receive(ctx, intake.Inbound{Channel: "email",
				From:    intake.Sender{Kind: customer.Email, Value: "carla@example.com", Name: "Carla Client"},
				Subject: "My lamp flickers", Text: "Since yesterday the new lamp flickers.", MessageKey: "lamp@example.com", Raw: []byte("raw")})
			if err != nil {
				t.Fatal(err)
			}
			id := res.TicketID
			waitEvent(t, miaSees, realtime.KindTicketCreated, id)
			// Leo gives it to Mia: both see the assignment, only Mia her
			// notification.
			if _, err := writer.Tickets.Assign(ctx, ticket.AgentActor(leo), id, mia); err != nil {
				t.Fatal(err)
			}
			waitEvent(t, miaSees, realtime.KindNotification, id)
			waitEvent(t, leoSees, realtime.KindAssigned, id)
			msg, err := writer.Tickets.Reply(ctx, ticket.AgentActor(mia), id, "A new bulb is on its way.", ticket.Pending)
			if err != nil {
				t.Fatal(err)
			}
			if ev := waitEvent(t, leoSees, realtime.KindMessage, id); ev.Message != msg.ID {
				t.Errorf("message event %+v, want message %d", ev, msg.ID)
			}
			waitEvent(t, leoSees, realtime.KindStatus, id)
			// Leo never heard of Mia's notification: it came before the
			// assignment on the same stream, and was filtered out.
			for {
				select {
				case ev := <-leoSees.Events():
					if ev.Kind == realtime.KindNotification {
						t.Errorf("Leo heard %+v, Mia's notification", ev)
					}
					continue
				default:
				}
				break
			}
		})
	}
}

// A change's live events are published once it commits, by the process
// that made it, with no job row and so without any job worker running
// (they used to wait in a realtime.publish row for a worker). On SQLite
// the event is there when the change returns; PostgreSQL carries it
// through NOTIFY to the broker's listener.
func TestLiveEventsWithoutJobWorkers(t *testing.T) {
	backends(t, func(t *testing.T, dsn string) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		dir := t.TempDir()
		cfg := config.Default()
		cfg.DB, cfg.OutboxDir, cfg.AttachmentsDir = dsn, filepath.Join(dir, "outbox"), filepath.Join(dir, "att")
		cfg.Mailboxes = "support@shop.example"
		svc, err := openServices(ctx, cfg, slog.New(slog.NewTextHandler(&bytes.Buffer{}, nil)), jobs.SystemClock{})
		if err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		wg.Add(1)
		go func() { defer wg.Done(); svc.Live.Run(ctx) }() // the broker only: no job workers
		defer func() { cancel(); wg.Wait(); svc.DB.Close() }()
		<-svc.Live.Ready()
		a, err := svc.Agents.Create(ctx, agent.NewAgent{Email: "mia@shop.example", Name: "Mia", Role: agent.RoleAgent,
			Password: "long enough password", Languages: []string{"en"}})
		if err != nil {
			t.Fatal(err)
		}
		sees, err := svc.Live.Subscribe(realtime.ForAgent(a.ID))
		if err != nil {
			t.Fatal(err)
		}
		defer sees.Close()
		tk, err := svc.Tickets.Create(ctx, ticket.AgentActor(a.ID), ticket.NewTicket{Subject: "Lamp", Body: "It flickers.",
			CustomerEmail: "carla@example.com"})
		if err != nil {
			t.Fatal(err)
		}
		if svc.DB.Dialect == store.SQLite {
			select {
			case ev := <-sees.Events():
				if ev.Kind != realtime.KindTicketCreated || ev.Ticket != tk.ID {
					t.Errorf("first event %+v, want %s of ticket %d", ev, realtime.KindTicketCreated, tk.ID)
				}
			default:
				t.Fatal("no live event when the change returned")
			}
		} else {
			waitEvent(t, sees, realtime.KindTicketCreated, tk.ID)
		}
		var rows int
		if err := svc.DB.R.QueryRowContext(ctx, `SELECT count(*) FROM jobs WHERE kind = $1`, realtime.JobPublish).Scan(&rows); err != nil {
			t.Fatal(err)
		}
		if rows != 0 {
			t.Errorf("%d %s rows, want none", rows, realtime.JobPublish)
		}
	})
}
