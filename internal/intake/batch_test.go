package intake_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/rapport/rapport/internal/intake"
	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/store/storetest"
	"github.com/rapport/rapport/internal/ticket"
)

// Subjects that the subscriber below turns into failures.
const (
	subjectRefused       = "refused by a subscriber" // the message fails inside the transaction
	subjectFailsAtCommit = "fails at commit"         // the transaction fails when it commits
)

// failing makes a fixture whose ticket changes fail as their subjects ask:
// a refused one with an error of its own, the other by a row that breaks a
// deferred foreign key, so that only COMMIT fails.
func failing(t *testing.T, db *store.DB) *fixture {
	t.Helper()
	if _, err := db.W.Exec(`CREATE TABLE intake_commit_check (ticket_id BIGINT REFERENCES tickets (id) DEFERRABLE INITIALLY DEFERRED)`); err != nil {
		t.Fatal(err)
	}
	return newFixture(t, db, ticket.Subscriber{Name: "failing", InTx: func(ctx context.Context, tx *sql.Tx, tk ticket.TimerTicket, _ []ticket.TimerEvent) (time.Time, bool, error) {
		var subject string
		if err := tx.QueryRowContext(ctx, fmt.Sprintf(`SELECT subject FROM tickets WHERE id = %d`, tk.ID)).Scan(&subject); err != nil {
			return time.Time{}, false, err
		}
		switch subject {
		case subjectRefused:
			return time.Time{}, false, errors.New("refused")
		case subjectFailsAtCommit:
			_, err := tx.ExecContext(ctx, `INSERT INTO intake_commit_check (ticket_id) VALUES (-1)`)
			return time.Time{}, false, err
		}
		return time.Time{}, false, nil
	}})
}

func mailFrom(i int, subject string) intake.Inbound {
	addr := fmt.Sprintf("batch%d@example.com", i)
	return intake.Inbound{Channel: "email", From: from(addr, "Batch Sender"), Subject: subject, Text: "Where is my order?",
		MessageKey: fmt.Sprintf("batch-%d@example.com", i), Raw: []byte(subject + fmt.Sprint(i))}
}

// A bad message in a batch fails alone: the batch, written at first
// without savepoints, is written again with one per message.
func TestBadMessageInABatchFailsAlone(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := failing(t, db)
		ins := []intake.Inbound{mailFrom(1, "First"), mailFrom(2, subjectRefused), mailFrom(3, "Third"), mailFrom(4, "Fourth")}
		res, errs := f.intake.CommitTogether(context.Background(), ins)
		for i := range ins {
			if (errs[i] != nil) != (i == 1) {
				t.Fatalf("message %d: %v", i, errs[i])
			}
			if i != 1 && (res[i].TicketID == 0 || res[i].Outcome != intake.OutcomeTicket) {
				t.Fatalf("message %d: %+v", i, res[i])
			}
		}
		if n := f.count(t, `SELECT count(*) FROM inbound_messages`); n != 3 {
			t.Fatalf("%d inbound messages stored, want the 3 good ones", n)
		}
		if n := f.count(t, `SELECT count(*) FROM tickets`); n != 3 {
			t.Fatalf("%d tickets", n)
		}
		if n := f.count(t, `SELECT count(*) FROM customer_identities WHERE value = 'batch2@example.com'`); n != 0 {
			t.Fatalf("the refused message left its customer behind")
		}
		// A batch of one that fails is that message's failure, and leaves nothing.
		_, errs = f.intake.CommitTogether(context.Background(), []intake.Inbound{mailFrom(5, subjectRefused)})
		if errs[0] == nil {
			t.Fatal("a refused message alone was accepted")
		}
		if n := f.count(t, `SELECT count(*) FROM inbound_messages`); n != 3 {
			t.Fatalf("%d inbound messages stored after a refused one", n)
		}
	})
}

// When the batch's commit fails, every message in it is answered with an
// error (the SMTP listener's temporary 451) and none is stored, so that
// each sender's retry is received as new.
func TestFailedCommitAnswersEveryMessageAndStoresNone(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := failing(t, db)
		ins := []intake.Inbound{mailFrom(1, "First"), mailFrom(2, "Second"), mailFrom(3, subjectFailsAtCommit), mailFrom(4, "Fourth")}
		_, errs := f.intake.CommitTogether(context.Background(), ins)
		for i, err := range errs {
			if err == nil {
				t.Fatalf("message %d was acknowledged though its batch did not commit", i)
			}
		}
		for _, table := range []string{"inbound_messages", "tickets", "messages", "customers", "jobs WHERE kind = 'mail.ack'"} {
			if n := f.count(t, `SELECT count(*) FROM `+table); n != 0 {
				t.Fatalf("%d rows in %s after a failed commit", n, table)
			}
		}
		// The senders try again, without the message that broke the commit:
		// each is stored once, as new.
		res, errs := f.intake.CommitTogether(context.Background(), []intake.Inbound{ins[0], ins[1], ins[3]})
		for i, err := range errs {
			if err != nil || res[i].Duplicate || res[i].TicketID == 0 {
				t.Fatalf("retry %d: %+v, %v", i, res[i], err)
			}
		}
		if n := f.count(t, `SELECT count(*) FROM tickets`); n != 3 {
			t.Fatalf("%d tickets after the retry", n)
		}
	})
}

// Many senders at once, several batches committed side by side (on
// PostgreSQL; SQLite has one writer), with the same messages delivered
// twice and customers writing more than once: every delivery is answered,
// each message is stored once and each customer made once.
func TestConcurrentDeliveriesStoredOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		in := intake.New(intake.Opts{DB: db, Jobs: f.q, Tickets: f.tickets, Customers: f.customers, Clock: f.clock, Committers: 4})
		const senders, each = 16, 6
		var wg sync.WaitGroup
		errs := make(chan error, senders*each)
		dups := make(chan bool, senders*each)
		for s := range senders {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for m := range each {
					// Senders s and s+8 share a customer; each message
					// is delivered by two senders (s and s^1).
					id := (s/2)*each + m
					msg := intake.Inbound{Channel: "email", From: from(fmt.Sprintf("c%d@example.com", s%8), "Same Customer"),
						Subject: fmt.Sprintf("Order %d", id), Text: "Hello", MessageKey: fmt.Sprintf("m%d-%d@example.com", s%8, id),
						Raw: []byte(fmt.Sprint(id))}
					res, err := in.Receive(context.Background(), msg)
					errs <- err
					dups <- res.Duplicate
				}
			}()
		}
		wg.Wait()
		close(errs)
		close(dups)
		for err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		duplicates := 0
		for d := range dups {
			if d {
				duplicates++
			}
		}
		// Keys are per customer (s%8) and message id ((s/2)*each+m):
		// senders s and s^1 send the same key, s and s+8 the same again.
		want := f.count(t, `SELECT count(DISTINCT sender || ' ' || message_key) FROM inbound_messages`)
		if n := f.count(t, `SELECT count(*) FROM inbound_messages`); n != want {
			t.Fatalf("%d inbound rows for %d distinct messages", n, want)
		}
		if duplicates != senders*each-want {
			t.Fatalf("%d deliveries answered as duplicates, want %d", duplicates, senders*each-want)
		}
		if n := f.count(t, `SELECT count(*) FROM customers`); n != 8 {
			t.Fatalf("%d customers, want 8", n)
		}
		if n := f.count(t, `SELECT count(*) FROM tickets`); n != want {
			t.Fatalf("%d tickets for %d messages", n, want)
		}
	})
}
