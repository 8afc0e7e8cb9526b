package recommit

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"testing"

	"github.com/rapport/rapport/internal/jobs"
	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/store/storetest"
	"github.com/rapport/rapport/internal/ticket"
)

// A customer's reply that says they will order again, in the ticket's
// language, proposes a re-commitment once its job has run; a reply that
// does not, or the same message again, proposes nothing.
func TestTicketChanged(t *testing.T) {
	det, err := NewDetector(DetectorOpts{})
	if err != nil {
		t.Fatal(err)
	}
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db, det)
		// A ticket service that tells the Service of its changes, as the
		// app wires it.
		tickets := ticket.NewService(ticket.Opts{DB: db, Clock: f.clock, Jobs: f.queue, Customers: f.customers,
			Log: slog.New(slog.DiscardHandler)})
		if err := tickets.Subscribe(ticket.Subscriber{Name: "recommit", After: f.s.TicketChanged}); err != nil {
			t.Fatal(err)
		}
		tk, err := tickets.Create(ctx, ticket.Actor{Kind: "customer"}, ticket.NewTicket{Subject: "Piegāde", Body: "Kur ir mans pasūtījums?",
			CustomerEmail: "ilze@example.com", CustomerName: "Ilze", Language: "lv"})
		if err != nil {
			t.Fatal(err)
		}
		tests := []struct {
			name, body string
			want       int // proposals on the ticket afterwards
			words      string
		}{
			{"no intention", "Paldies, sūtījums saņemts.", 0, ""},
			{"negated", "Es vairs nepasūtīšu no jums.", 0, ""},
			{"order again", "Viss kārtībā. Paldies, noteikti pasūtīšu vēlreiz!\n\n> Labdien, Ilze!\n> Jūsu sūtījums ir ceļā.", 1,
				"Paldies, noteikti pasūtīšu vēlreiz!"},
			{"quoted intention only", "Labi.\n\n> Paldies, noteikti pasūtīšu vēlreiz!", 1, ""},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				if _, err := tickets.AddCustomerMessage(ctx, tk.ID, tc.body, ""); err != nil {
					t.Fatal(err)
				}
				if _, err := f.queue.RunDue(ctx); err != nil {
					t.Fatal(err)
				}
				list, err := f.s.ForTicket(ctx, tk.ID)
				if err != nil {
					t.Fatal(err)
				}
				if len(list) != tc.want {
					t.Fatalf("%d proposals, want %d: %+v", len(list), tc.want, list)
				}
				if tc.words != "" && (list[0].Words != tc.words || list[0].Status != Proposed || list[0].Source != SourceMessage || list[0].MessageID == 0) {
					t.Fatalf("proposal = %+v, want the words %q", list[0], tc.words)
				}
			})
		}
		events, err := tickets.Events(ctx, tk.ID)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, e := range events {
			if e.Type == ticket.EventRecommitProposed {
				n++
			}
		}
		if n != 1 {
			t.Errorf("%d proposal events, want 1", n)
		}
	})
}

// The propose job may run twice for one message (a retry): it proposes
// once. A message that is gone is nothing to do; a payload it cannot read
// fails for good.
func TestProposeJob(t *testing.T) {
	det, err := NewDetector(DetectorOpts{})
	if err != nil {
		t.Fatal(err)
	}
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db, det)
		tk, err := f.tickets.Create(ctx, ticket.Actor{Kind: "customer"}, ticket.NewTicket{Subject: "Order", Body: "Where is it?",
			CustomerEmail: "ann@example.com", CustomerName: "Ann", Language: "en"})
		if err != nil {
			t.Fatal(err)
		}
		m, err := f.tickets.AddCustomerMessage(ctx, tk.ID, "Got it, thanks. I will order again!", "")
		if err != nil {
			t.Fatal(err)
		}
		payload, _ := json.Marshal(proposePayload{TicketID: tk.ID, MessageID: m.ID})
		for run := 1; run <= 2; run++ {
			if err := f.s.proposeJob(ctx, payload); err != nil {
				t.Fatalf("run %d: %v", run, err)
			}
		}
		list, err := f.s.ForTicket(ctx, tk.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != 1 || list[0].MessageID != m.ID || list[0].Words != "I will order again!" {
			t.Fatalf("proposals after two runs: %+v", list)
		}

		gone, _ := json.Marshal(proposePayload{TicketID: tk.ID + 100, MessageID: m.ID + 100})
		if err := f.s.proposeJob(ctx, gone); err != nil {
			t.Errorf("message gone: %v", err)
		}
		if err := f.s.proposeJob(ctx, json.RawMessage(`{"ticket_id": "x"}`)); !errors.Is(err, jobs.ErrPermanent) {
			t.Errorf("bad payload: %v, want a permanent failure", err)
		}
	})
}
