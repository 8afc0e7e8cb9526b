package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/rapport/rapport/internal/customer"
	"github.com/rapport/rapport/internal/i18n"
	"github.com/rapport/rapport/internal/sla"
	"github.com/rapport/rapport/internal/ticket"
	"github.com/rapport/rapport/internal/valid"
)

// Quick choices of the action-plan form, by form value.
const (
	promiseLater    = "later"    // in three hours
	promiseTomorrow = "tomorrow" // tomorrow at 10:00 in the agent's time zone
	promiseBusiness = "bh4"      // in four business hours of the SLA calendar
)

// promiseBusinessHours is how far the business-hours choice reaches.
const promiseBusinessHours = 4 * time.Hour

// promiseLine is one promise as the ticket page lists it.
type promiseLine struct {
	ticket.Promise
	Overdue bool
	// Done, on an open promise, is the latest message since it was made
	// that says the promised thing has happened (ticket.SaidDone): the
	// card offers to mark it kept. Nil when none does. Only offered,
	// never done for the agent.
	Done *ticket.DoneSaid
}

// promisePanel is the action-plan card: the form's choices and the list.
type promisePanel struct {
	Lines []promiseLine
	// Calendar names the SLA calendar the business-hours choice counts
	// in; "" when there is none, and then the choice is not offered.
	Calendar string
}

// businessCalendar is the calendar the business-hours choice counts in:
// the first SLA calendar by name, or nil when there is none. A ticket's
// own policy may name another; one business calendar is the common case.
func (s *server) businessCalendar(ctx context.Context) (*sla.Calendar, error) {
	if s.sla == nil {
		return nil, nil
	}
	rows, err := s.sla.Calendars(ctx)
	if err != nil || len(rows) == 0 {
		return nil, err
	}
	return rows[0].Build()
}

// promisePanelFor fills the action-plan card of ticket t, whose messages
// (oldest first) are msgs, written in lang.
func (s *server) promisePanelFor(ctx context.Context, t ticket.Ticket, msgs []ticket.Message, lang string, now time.Time) (*promisePanel, error) {
	ps, err := s.tickets.Promises(ctx, t.ID)
	if err != nil {
		return nil, err
	}
	panel := &promisePanel{}
	for _, p := range ps {
		line := promiseLine{Promise: p, Overdue: p.Overdue(now)}
		if d, ok := ticket.SaidDone(p, msgs, lang); ok {
			line.Done = &d
		}
		panel.Lines = append(panel.Lines, line)
	}
	cal, err := s.businessCalendar(ctx)
	if err != nil {
		return nil, err
	}
	if cal != nil {
		panel.Calendar = cal.Name
	}
	return panel, nil
}

// promiseDue reads the action-plan form's time: a quick choice ("quick")
// or the date and time picked, in the agent's browser time zone.
func (s *server) promiseDue(ctx context.Context, f url.Values, now time.Time) (time.Time, error) {
	switch f.Get("quick") {
	case promiseLater:
		return now.Add(3 * time.Hour), nil
	case promiseTomorrow:
		off, _, err := tzOffset(f)
		if err != nil {
			return time.Time{}, valid.Errors{"due": "the browser's time zone is not understood"}
		}
		local := now.Add(-off)
		y, m, d := local.Date()
		return time.Date(y, m, d+1, 10, 0, 0, 0, time.UTC).Add(off), nil
	case promiseBusiness:
		cal, err := s.businessCalendar(ctx)
		if err != nil {
			return time.Time{}, err
		}
		if cal == nil {
			return time.Time{}, valid.Errors{"due": "there is no business calendar; pick a date and time"}
		}
		return cal.Add(now, promiseBusinessHours)
	case "":
		return localTime(f, "due")
	default:
		return time.Time{}, valid.Errors{"due": "is not one of the choices"}
	}
}

// customerLanguage is the language a customer is written to in: the
// ticket's, else the customer's, else the default.
func (s *server) customerLanguage(t ticket.Ticket, c customer.Customer) string {
	for _, l := range []string{t.Language, c.Language} {
		if l != "" && s.cat.Has(l) {
			return l
		}
	}
	return i18n.Default
}

// ticketPromise serves POST /tickets/{id}/promises: the agent records an
// action plan, with a reply to the customer or on its own.
func (s *server) ticketPromise(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	return s.ticketAction(w, r, rc, "promise", "flash.promise_made", func(id int64) error {
		ctx := r.Context()
		due, err := s.promiseDue(ctx, r.PostForm, s.clock.Now())
		if err != nil {
			return err
		}
		t, err := s.tickets.Get(ctx, id)
		if err != nil {
			return err
		}
		cust, err := s.customers.Get(ctx, t.CustomerID)
		if err != nil {
			return err
		}
		what := strings.TrimSpace(r.PostForm.Get("what"))
		body := s.cat.PromiseReply(s.customerLanguage(t, cust), r.PostForm.Get("body"), what, due)
		_, err = s.tickets.MakePromise(ctx, ticket.AgentActor(rc.me.ID), id, what, due, body)
		return err
	})
}

// ticketPromiseKeep serves POST /tickets/{id}/promises/{pid}/keep.
func (s *server) ticketPromiseKeep(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	return s.ticketAction(w, r, rc, "promises", "flash.promise_kept", func(id int64) error {
		pid, err := pathID(r, "pid")
		if err != nil {
			return err
		}
		return s.tickets.KeepPromise(r.Context(), ticket.AgentActor(rc.me.ID), id, pid)
	})
}

// ticketPromiseCancel serves POST /tickets/{id}/promises/{pid}/cancel: the
// plan no longer holds, for the reason given.
func (s *server) ticketPromiseCancel(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	return s.ticketAction(w, r, rc, "promises", "flash.promise_cancelled", func(id int64) error {
		pid, err := pathID(r, "pid")
		if err != nil {
			return err
		}
		return s.tickets.CancelPromise(r.Context(), ticket.AgentActor(rc.me.ID), id, pid, r.PostForm.Get("reason"))
	})
}

// nextPromises is the next open promise of each ticket of a list page, in
// one query by their ids beside the list's own.
func (s *server) nextPromises(ctx context.Context, ts []ticket.Ticket) (map[int64]ticket.Promise, error) {
	ids := make([]int64, len(ts))
	for i, t := range ts {
		ids[i] = t.ID
	}
	return s.tickets.NextPromises(ctx, ids)
}
