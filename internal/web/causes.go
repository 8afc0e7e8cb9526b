package web

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/rapport/rapport/internal/agent"
	"github.com/rapport/rapport/internal/recovery"
	"github.com/rapport/rapport/internal/ticket"
	"github.com/rapport/rapport/internal/valid"
)

// causesCard is the data of the ticket's root-cause card.
type causesCard struct {
	Linked     []recovery.TicketCause
	Proposals  []recovery.Proposal
	Query      string           // the title searched for, "" for none
	Results    []recovery.Cause // what the search found
	Categories []string
}

// causeSearchLimit is how many causes a title search shows.
const causeSearchLimit = 20

// causesCard reads the root-cause card of ticket t; query is the title
// searched for, if any.
func (s *server) causesCard(ctx context.Context, t ticket.Ticket, query string) (*causesCard, error) {
	c := &causesCard{Query: strings.TrimSpace(query), Categories: recovery.Categories}
	var err error
	if c.Linked, err = s.recovery.TicketCauses(ctx, t.ID); err != nil {
		return nil, err
	}
	if c.Proposals, err = s.recovery.Propose(ctx, t.ID); err != nil {
		return nil, err
	}
	if c.Query != "" {
		if c.Results, err = s.recovery.Causes(ctx, c.Query, causeSearchLimit); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// CauseCategory names a root cause's category.
func (p *page) CauseCategory(c string) string { return p.label("cause.category.", c) }

// CauseStatus names a root cause's status.
func (p *page) CauseStatus(st string) string { return p.label("cause.status.", st) }

// parseDueDate reads a due date (YYYY-MM-DD) as the end of that day, UTC;
// "" is no date.
func parseDueDate(v string) (time.Time, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return time.Time{}, nil
	}
	d, err := time.Parse(time.DateOnly, v)
	if err != nil {
		return time.Time{}, valid.Errors{"due": "is not a date like 2025-06-30"}
	}
	return d.AddDate(0, 0, 1), nil
}

// ticketCauseCreate serves POST /tickets/{id}/causes: a new root cause,
// with its prevention, owner and due date, linked to the ticket.
func (s *server) ticketCauseCreate(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	return s.ticketAction(w, r, rc, "cause", "flash.cause_created", func(id int64) error {
		f := r.PostForm
		due, err := parseDueDate(f.Get("due"))
		if err != nil {
			return err
		}
		owner := optionalID(f.Get("owner_id"))
		_, err = s.recovery.CreateCause(r.Context(), rc.me.ID, id, recovery.NewCause{Category: f.Get("category"),
			Title: f.Get("title"), WhatHappened: f.Get("what_happened"), Prevention: f.Get("prevention"), OwnerID: owner, Due: due})
		return err
	})
}

// ticketCauseLink serves POST /tickets/{id}/causes/link: the ticket is
// linked to an existing cause (cause_id).
func (s *server) ticketCauseLink(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	return s.ticketAction(w, r, rc, "cause", "flash.cause_linked", func(id int64) error {
		return s.recovery.Link(r.Context(), rc.me.ID, id, optionalID(r.PostForm.Get("cause_id")))
	})
}

// causeDone serves POST /causes/{id}/done: the prevention is marked done
// (done=1) or open again (done=0); back to where it came from (back=ticket
// id, else the causes page).
func (s *server) causeDone(w http.ResponseWriter, r *http.Request, _ *reqCtx) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	done := r.PostForm.Get("done") != "0"
	if _, err := s.recovery.SetDone(r.Context(), id, done); err != nil {
		return err
	}
	flash := "flash.cause_reopened"
	if done {
		flash = "flash.cause_done"
	}
	s.setFlash(w, flash)
	if back := optionalID(r.PostForm.Get("back")); back > 0 {
		redirect(w, r, ticketURL(back)+"#cause")
		return nil
	}
	redirect(w, r, "/manage/causes")
	return nil
}

// causesView is the data of the managers' root-causes page.
type causesView struct {
	Causes []recovery.Cause
	Now    time.Time
	Open   int64                             // the cause whose tickets and edit form are shown, 0 for none
	Linked map[int64][]recovery.LinkedTicket // of Open
	Query  string
	// Currency of the values at risk: the business's (compensation) currency.
	Currency string
	// Categories, Statuses and Agents are the choices of the edit form.
	Categories, Statuses []string
	Agents               []agent.Agent
}

// EditForm is the name of the edit form of cause id, for its errors.
func (causesView) EditForm(id int64) string { return "cause-edit-" + strconv.FormatInt(id, 10) }

// DueInput is a cause's due date as the date field shows it: the day it
// ends (parseDueDate reads a day as its end), "" for none.
func (causesView) DueInput(c recovery.Cause) string {
	if c.Due.IsZero() {
		return ""
	}
	return c.Due.Add(-time.Nanosecond).UTC().Format(time.DateOnly)
}

// causesPage serves GET /manage/causes: causes by number of tickets, with
// complaints, recurrences, value at risk and the 30-day trend; ?cause=ID
// lists one cause's tickets and opens its edit form.
func (s *server) causesPage(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	id, _ := strconv.ParseInt(r.URL.Query().Get("cause"), 10, 64)
	return s.renderCauses(w, r, rc, id, nil)
}

func (s *server) renderCauses(w http.ResponseWriter, r *http.Request, rc *reqCtx, open int64, prob *problem) error {
	q := r.URL.Query().Get("q")
	cs, err := s.recovery.Causes(r.Context(), q, 0)
	if err != nil {
		return err
	}
	st, err := s.recovery.Settings(r.Context())
	if err != nil {
		return err
	}
	v := causesView{Causes: cs, Now: s.clock.Now(), Linked: map[int64][]recovery.LinkedTicket{}, Query: q, Currency: st.Currency,
		Categories: recovery.Categories, Statuses: []string{recovery.CauseOpen, recovery.CauseDone}}
	if open > 0 {
		v.Open = open
		if v.Linked[open], err = s.recovery.CauseTickets(r.Context(), open); err != nil {
			return err
		}
		agents, err := s.agentsByName(r.Context(), rc.lang)
		if err != nil {
			return err
		}
		for _, a := range agents {
			if a.Active {
				v.Agents = append(v.Agents, a)
			}
		}
	}
	p := s.newPage(w, r, rc, "cause.manage_title")
	p.Nav = "causes"
	p.Data = v
	status := http.StatusOK
	if prob != nil {
		p.Problem, p.Form, status = prob, r.PostForm, prob.Status
	}
	s.render(w, r, status, "causes", p)
	return nil
}

// causeEdit serves POST /causes/{id}: every field of a root cause (title,
// category, what happened, prevention, owner, due date, status) from the
// causes page; bad input comes back on the form.
func (s *server) causeEdit(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	f := r.PostForm
	due, err := parseDueDate(f.Get("due"))
	if err == nil {
		_, err = s.recovery.UpdateCause(r.Context(), id, recovery.CauseEdit{NewCause: recovery.NewCause{Category: f.Get("category"),
			Title: f.Get("title"), WhatHappened: f.Get("what_happened"), Prevention: f.Get("prevention"),
			OwnerID: optionalID(f.Get("owner_id")), Due: due}, Status: f.Get("status")})
	}
	if err != nil {
		prob, ok := s.asProblem(rc.lang, causesView{}.EditForm(id), err)
		if !ok {
			return err
		}
		return s.renderCauses(w, r, rc, id, prob)
	}
	s.setFlash(w, "flash.cause_saved")
	redirect(w, r, "/manage/causes?cause="+strconv.FormatInt(id, 10)+"#cause-"+strconv.FormatInt(id, 10))
	return nil
}

// causeEvent puts a root-cause event of the history into words.
func causeEvent(p *page, actor string, e ticket.Event) (string, bool) {
	if e.Type != recovery.EventCauseLinked {
		return "", false
	}
	if rec, _ := e.Data["recurrence"].(bool); rec {
		return p.T("event.root_cause_recurrence", actor, dataStr(e.Data, "title")), true
	}
	return p.T("event.root_cause_linked", actor, dataStr(e.Data, "title")), true
}
