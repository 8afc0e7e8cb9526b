package demo

import (
	"context"
	"fmt"
	"time"

	"github.com/rapport/rapport/internal/i18n"
	"github.com/rapport/rapport/internal/text"
	"github.com/rapport/rapport/internal/ticket"
)

// followUpWords are written answers to the follow-up, in each language,
// that the classifier reads as no and as unclear.
var followUpWords = map[string]map[text.Answer]string{
	"en": {text.AnswerNo: "No, it still does not work", text.AnswerUnclear: "When will my refund arrive?"},
	"it": {text.AnswerNo: "No, non funziona ancora", text.AnswerUnclear: "Quando arriva il rimborso?"},
	"ru": {text.AnswerNo: "Нет, всё ещё не работает", text.AnswerUnclear: "Когда придёт возврат денег?"},
	"lv": {text.AnswerNo: "Nē, joprojām nestrādā", text.AnswerUnclear: "Kad pienāks naudas atmaksa?"},
	"ca": {text.AnswerNo: "No, encara no funciona", text.AnswerUnclear: "Quan arribarà el reemborsament?"},
}

// seedFollowUps (before the surveys, which go to solved tickets only)
// asks whether the fix held on the most recently solved
// tickets and answers, through the ticket service on the demo's clock:
// yes by the mail's button (a confirmed fix: the solved ticket closes as
// one), no in words (rework), and two unclear written answers, one an
// agent counted as rework and one still waiting for an agent's decision
// on its ticket page.
func (r *runner) seedFollowUps(ctx context.Context) error {
	defer r.clock.Set(r.p.now)
	asked := r.p.now.Add(-time.Hour)
	solvedAt := asked.Add(-time.Hour)
	// Every answer goes to a ticket still solved (not auto-closed yet), so
	// that the yes closes it as a confirmed fix, as it would in real use;
	// an owner solves recent open ones when there are too few. Nothing in
	// their history comes after solvedAt (the seeding above acts at now),
	// so that the history stays in time order.
	const asks = 4
	var solved, open []ticket.Ticket
	for i := len(r.p.tickets) - 1; i >= 0 && len(solved) < asks; i-- {
		tp := r.p.tickets[i]
		if tp.id == 0 {
			continue
		}
		t, err := r.tickets.Get(ctx, tp.id)
		if err != nil {
			return err
		}
		if t.OwnerID == 0 || t.Status == ticket.New {
			continue
		}
		evs, err := r.tickets.Events(ctx, t.ID)
		if err != nil {
			return err
		}
		if len(evs) == 0 || !evs[len(evs)-1].CreatedAt.Before(solvedAt) {
			continue
		}
		switch {
		case t.Status == ticket.Closed:
		case t.Status == ticket.Solved:
			solved = append(solved, t)
		case !r.promised[t.ID]: // solving would keep its promise
			open = append(open, t)
		}
	}
	r.clock.Set(solvedAt)
	st := ticket.Solved
	for _, t := range open {
		if len(solved) >= asks {
			break
		}
		u, err := r.tickets.Update(ctx, ticket.AgentActor(t.OwnerID), t.ID, ticket.Update{Status: &st})
		if err != nil {
			return fmt.Errorf("demo: solve %d for its follow-up: %w", t.ID, err)
		}
		solved = append(solved, u)
	}
	if len(solved) < asks {
		return nil // a demo too small to have them
	}
	// The questions went out an hour before now, the answers came later.
	r.clock.Set(asked)
	tokens := make([]string, len(solved))
	for i, t := range solved {
		token, err := r.tickets.NewFollowUp(ctx, t.ID)
		if err != nil {
			return err
		}
		if err := r.tickets.RecordSystemEvent(ctx, t.ID, ticket.EventFollowUpSent, nil); err != nil {
			return err
		}
		tokens[i] = token
	}
	r.clock.Set(r.p.now.Add(-30 * time.Minute))
	if _, err := r.tickets.AnswerFollowUp(ctx, tokens[0], text.AnswerYes); err != nil {
		return fmt.Errorf("demo: follow-up yes: %w", err)
	}
	for i, a := range []text.Answer{text.AnswerNo, text.AnswerUnclear, text.AnswerUnclear} {
		t := solved[i+1]
		words, ok := followUpWords[t.Language]
		if !ok {
			words = followUpWords[i18n.Default]
		}
		if _, err := r.tickets.AddCustomerMessage(ctx, t.ID, words[a], ""); err != nil {
			return fmt.Errorf("demo: follow-up answer on %d: %w", t.ID, err)
		}
	}
	r.clock.Set(r.p.now.Add(-10 * time.Minute))
	if _, err := r.tickets.DecideFollowUp(ctx, ticket.AgentActor(solved[2].OwnerID), solved[2].ID, false); err != nil {
		return fmt.Errorf("demo: decide follow-up on %d: %w", solved[2].ID, err)
	}
	return nil
}
