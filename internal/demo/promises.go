package demo

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/rapport/rapport/internal/i18n"
	"github.com/rapport/rapport/internal/ticket"
)

// Action plans in the demo: on one ticket in promiseEvery, the first reply
// that does not solve it promises what happens next. Half of them
// give a few hours (often broken, when the ticket takes longer), half give
// days (kept when the ticket is solved in time, still pending on tickets
// open now). The ticket service keeps and breaks them on the fake clock,
// so reminders, broken events and notifications really happen.
const (
	promiseEvery = 4
	promiseShort = 4 * time.Hour
	promiseLong  = 3 * 24 * time.Hour
)

// promiseWhat is what the agent promises, in the ticket's language.
var promiseWhat = map[string]string{
	"en": "check with the warehouse and write to you with the outcome",
	"it": "verificare con il magazzino e scriverti l'esito",
	"ru": "уточнить на складе и написать вам о результате",
	"lv": "pārbaudīt noliktavā un uzrakstīt jums rezultātu",
	"ca": "comprovar-ho amb el magatzem i escriure't el resultat",
}

// promise makes the reply of step s an action plan when the ticket is one
// of those that get one and has none yet; ok is false when the step stays
// a plain reply.
func (r *runner) promise(ctx context.Context, s *step) (ok bool, err error) {
	t := s.t
	if s.status == ticket.Solved || t.id%promiseEvery != 0 || r.promised[t.id] {
		return false, nil
	}
	st, err := r.tickets.Get(ctx, t.id)
	if err != nil || st.Status == ticket.Solved || st.Status == ticket.Closed {
		return false, err
	}
	r.promised[t.id] = true
	due := s.at.Add(promiseShort)
	if (t.id/promiseEvery)%2 == 0 {
		due = s.at.Add(promiseLong)
	}
	what, ok := promiseWhat[t.lang]
	if !ok {
		what = promiseWhat[i18n.Default]
	}
	body := r.cat.PromiseReply(t.lang, s.body, what, due)
	actor := ticket.AgentActor(r.agentIDs[s.actor])
	_, err = r.tickets.MakePromise(ctx, actor, t.id, what, due, body)
	r.countMessage(err)
	if err == nil && s.status != "" {
		_, err = r.tickets.Update(ctx, actor, t.id, ticket.Update{Status: &s.status})
	}
	return true, err
}

// promiseDoneWords say that what was promised has happened: a customer's
// message and an agent's reply, by language (text.SaysDone reads them).
var promiseDoneWords = map[string][2]string{
	"en": {"I received the parcel today, thank you!", "Good news: the warehouse found it and your parcel has shipped today."},
	"it": {"Ho ricevuto il pacco oggi, grazie!", "Buone notizie: il magazzino l'ha trovato e il pacco è stato spedito oggi."},
	"ru": {"Посылку сегодня получил, спасибо!", "Хорошие новости: склад нашёл товар, посылка отправлена сегодня."},
	"lv": {"Šodien saņēmu paku, paldies!", "Labas ziņas: noliktava to atrada, un paka šodien ir nosūtīta."},
	"ca": {"Avui he rebut el paquet, gràcies!", "Bones notícies: el magatzem l'ha trobat i el paquet s'ha enviat avui."},
}

// seedPromiseDone leaves two open promises whose ticket says the thing is
// done, so that their promises card offers "Mark kept" (only offered:
// the agent decides): on one the customer wrote that it arrived, on the
// other the owner's reply said it shipped. The newest open ticket with an
// open promise gets the customer's message; the newest open ticket without
// one gets a promise made a little earlier and the reply, at now.
func (r *runner) seedPromiseDone(ctx context.Context) error {
	defer r.clock.Set(r.p.now)
	var withPromise, without *ticket.Ticket
	for i := len(r.p.tickets) - 1; i >= 0 && (withPromise == nil || without == nil); i-- {
		tp := r.p.tickets[i]
		if tp.id == 0 {
			continue
		}
		t, err := r.tickets.Get(ctx, tp.id)
		if err != nil {
			return err
		}
		if t.OwnerID == 0 || t.Status == ticket.New || t.Status == ticket.Solved || t.Status == ticket.Closed {
			continue
		}
		ps, err := r.tickets.Promises(ctx, t.ID)
		if err != nil {
			return err
		}
		switch {
		case slices.ContainsFunc(ps, func(p ticket.Promise) bool { return p.Status == ticket.PromiseOpen }):
			if withPromise == nil {
				withPromise = &t
			}
		case len(ps) == 0 && without == nil:
			without = &t
		}
	}
	words := func(t *ticket.Ticket) [2]string {
		if w, ok := promiseDoneWords[t.Language]; ok {
			return w
		}
		return promiseDoneWords[i18n.Default]
	}
	if t := withPromise; t != nil {
		r.clock.Set(r.p.now)
		_, err := r.tickets.AddCustomerMessage(ctx, t.ID, words(t)[0], "")
		r.countMessage(err)
		if err != nil {
			return fmt.Errorf("demo: promise done on %d: %w", t.ID, err)
		}
	}
	if t := without; t != nil {
		evs, err := r.tickets.Events(ctx, t.ID)
		if err != nil || len(evs) == 0 {
			return err
		}
		// The plan was made after everything else on the ticket, and
		// before the reply that says it is done.
		made := earliest(r.p.now.Add(-time.Minute), latest(r.p.now.Add(-3*time.Hour), evs[len(evs)-1].CreatedAt.Add(time.Minute)))
		r.clock.Set(made)
		what, ok := promiseWhat[t.Language]
		if !ok {
			what = promiseWhat[i18n.Default]
		}
		due := r.p.now.Add(promiseLong)
		actor := ticket.AgentActor(t.OwnerID)
		_, err = r.tickets.MakePromise(ctx, actor, t.ID, what, due, r.cat.PromiseReply(t.Language, "", what, due))
		r.countMessage(err)
		if err != nil {
			return fmt.Errorf("demo: promise on %d: %w", t.ID, err)
		}
		r.promised[t.ID] = true
		r.clock.Set(r.p.now)
		_, err = r.tickets.Reply(ctx, actor, t.ID, words(t)[1], "")
		r.countMessage(err)
		if err != nil {
			return fmt.Errorf("demo: promise done on %d: %w", t.ID, err)
		}
	}
	return nil
}
