package ticket_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/store/storetest"
	"github.com/rapport/rapport/internal/text"
	"github.com/rapport/rapport/internal/ticket"
)

// solvedWithFollowUp makes a ticket owned by al, solved, whose follow-up
// was asked, and returns it with the follow-up's token.
func (f *fixture) solvedWithFollowUp(t *testing.T, name, lang string) (ticket.Ticket, string) {
	t.Helper()
	ctx := context.Background()
	tk := f.create(t, ticket.NewTicket{Subject: name, Language: lang})
	al := f.agents["al"]
	if _, err := f.svc.Assign(ctx, f.by("al"), tk.ID, al); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Reply(ctx, f.by("al"), tk.ID, "Replaced, it should work now.", ticket.Solved); err != nil {
		t.Fatal(err)
	}
	f.clock.Advance(48 * time.Hour)
	token, err := f.svc.NewFollowUp(ctx, tk.ID)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.svc.RecordSystemEvent(ctx, tk.ID, ticket.EventFollowUpSent, nil); err != nil {
		t.Fatal(err)
	}
	f.clock.Advance(time.Hour)
	return f.get(t, tk.ID), token
}

func TestFollowUpWrittenAnswer(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		for _, tc := range []struct {
			name, lang, text string
			wantStatus       ticket.Status
			wantReopens      int
			wantEvent        string
			wantAnswer       text.Answer
		}{
			{"yes closes as a confirmed fix", "it", "Sì, tutto a posto, grazie!", ticket.Closed, 0, ticket.EventFixConfirmed, text.AnswerYes},
			{"no reopens as rework", "en", "No, it still does not work", ticket.Open, 1, ticket.EventReopened, text.AnswerNo},
			{"unclear reopens without rework", "en", "When will my refund arrive?", ticket.Open, 0, ticket.EventFollowUpUnclear, text.AnswerUnclear},
		} {
			t.Run(tc.name, func(t *testing.T) {
				tk, _ := f.solvedWithFollowUp(t, tc.name, tc.lang)
				if _, err := f.svc.AddCustomerMessage(ctx, tk.ID, tc.text, ""); err != nil {
					t.Fatal(err)
				}
				got := f.get(t, tk.ID)
				if got.Status != tc.wantStatus || got.ReopenCount != tc.wantReopens || got.OwnerID != f.agents["al"] {
					t.Errorf("ticket = %+v, want %s with %d reopens and its owner", got, tc.wantStatus, tc.wantReopens)
				}
				if !slices.Contains(f.eventTypes(t, tk.ID), tc.wantEvent) {
					t.Errorf("events %v, want %s", f.eventTypes(t, tk.ID), tc.wantEvent)
				}
				fu, err := f.svc.LatestFollowUp(ctx, tk.ID)
				if err != nil || fu.Answer != tc.wantAnswer || fu.Via != ticket.FollowUpByReply || fu.AnsweredAt == nil {
					t.Errorf("follow-up = %+v, %v; want answered %s by reply", fu, err, tc.wantAnswer)
				}
				if tc.wantStatus == ticket.Open && f.pendingJobs(t, "ticket.autoclose:"+itoa(tk.ID)) != 0 {
					t.Error("the auto-close still pending after a reopen")
				}
			})
		}
	})
}

func TestFollowUpNotSentKeepsPlainReopen(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		tk := f.create(t, ticket.NewTicket{Subject: "no follow-up"})
		if _, err := f.svc.Reply(ctx, f.by("al"), tk.ID, "Done.", ticket.Solved); err != nil {
			t.Fatal(err)
		}
		f.clock.Advance(time.Hour)
		if _, err := f.svc.AddCustomerMessage(ctx, tk.ID, "Yes, thanks, all good", ""); err != nil {
			t.Fatal(err)
		}
		if got := f.get(t, tk.ID); got.Status != ticket.Open || got.ReopenCount != 1 {
			t.Errorf("ticket = %+v, want reopened as before", got)
		}
		if _, err := f.svc.LatestFollowUp(ctx, tk.ID); !isNotFound(err) {
			t.Errorf("follow-up: %v, want not found", err)
		}
	})
}

func TestFollowUpButtons(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		ctx := context.Background()

		t.Run("yes confirms the fix once", func(t *testing.T) {
			tk, token := f.solvedWithFollowUp(t, "yes button", "en")
			fu, err := f.svc.FollowUpByToken(ctx, token)
			if err != nil || fu.TicketID != tk.ID || fu.AnsweredAt != nil {
				t.Fatalf("lookup = %+v, %v", fu, err)
			}
			fu, err = f.svc.AnswerFollowUp(ctx, token, text.AnswerYes)
			if err != nil || fu.Answer != text.AnswerYes || fu.Via != ticket.FollowUpByButton {
				t.Fatalf("answer = %+v, %v", fu, err)
			}
			if got := f.get(t, tk.ID); got.Status != ticket.Closed || got.ReopenCount != 0 {
				t.Errorf("ticket = %+v, want closed", got)
			}
			n := len(f.events(t, tk.ID))
			if _, err := f.svc.AnswerFollowUp(ctx, token, text.AnswerNo); !errors.Is(err, ticket.ErrFollowUpAnswered) {
				t.Errorf("replay: %v, want ErrFollowUpAnswered", err)
			}
			if got := f.get(t, tk.ID); got.Status != ticket.Closed || len(f.events(t, tk.ID)) != n {
				t.Errorf("replay changed the ticket: %+v", got)
			}
		})
		t.Run("no reopens with the owner", func(t *testing.T) {
			tk, token := f.solvedWithFollowUp(t, "no button", "en")
			if _, err := f.svc.AnswerFollowUp(ctx, token, text.AnswerNo); err != nil {
				t.Fatal(err)
			}
			if got := f.get(t, tk.ID); got.Status != ticket.Open || got.ReopenCount != 1 || got.OwnerID != f.agents["al"] {
				t.Errorf("ticket = %+v, want reopened with al", got)
			}
		})
		t.Run("expired", func(t *testing.T) {
			tk, token := f.solvedWithFollowUp(t, "late", "en")
			f.clock.Advance(ticket.FollowUpTTL)
			if _, err := f.svc.AnswerFollowUp(ctx, token, text.AnswerYes); !errors.Is(err, ticket.ErrFollowUpExpired) {
				t.Errorf("answer: %v, want ErrFollowUpExpired", err)
			}
			if got := f.get(t, tk.ID); got.Status == ticket.Open {
				t.Errorf("ticket = %+v", got)
			}
		})
		t.Run("bad token", func(t *testing.T) {
			for _, tok := range []string{"", "short", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!"} {
				if _, err := f.svc.AnswerFollowUp(ctx, tok, text.AnswerYes); !isNotFound(err) {
					t.Errorf("%q: %v, want not found", tok, err)
				}
			}
			if _, err := f.svc.AnswerFollowUp(ctx, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", text.AnswerUnclear); err == nil {
				t.Error("unclear by button accepted")
			}
		})
	})
}
