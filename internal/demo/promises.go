package demo

import (
	"context"
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
	c, err := r.custs.Get(ctx, t.cust.id)
	if err != nil {
		return false, err
	}
	// Told in the customer's zone, or UTC where the demo leaves it unknown.
	body := r.cat.PromiseReply(t.lang, s.body, what, due, s.at, i18n.ZoneOr(c.TimeZone, time.UTC))
	actor := ticket.AgentActor(r.agentIDs[s.actor])
	_, err = r.tickets.MakePromise(ctx, actor, t.id, what, due, body)
	r.countMessage(err)
	if err == nil && s.status != "" {
		_, err = r.tickets.Update(ctx, actor, t.id, ticket.Update{Status: &s.status})
	}
	return true, err
}
