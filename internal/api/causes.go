package api

import (
	"net/http"
	"strings"
	"time"

	"github.com/rapport/rapport/internal/agent"
	"github.com/rapport/rapport/internal/recovery"
	"github.com/rapport/rapport/internal/valid"
)

// causeJSON is a root cause as the API shows it.
type causeJSON struct {
	ID           int64              `json:"id"`
	Category     string             `json:"category"`
	Title        string             `json:"title"`
	WhatHappened string             `json:"what_happened"`
	Prevention   string             `json:"prevention"`
	OwnerID      *int64             `json:"owner_id"`
	Due          *string            `json:"due"`
	Status       string             `json:"status"`
	DoneAt       *string            `json:"done_at"`
	CreatedAt    *string            `json:"created_at"`
	Tickets      int                `json:"tickets"`
	Complaints   int                `json:"complaints"`
	Recurrences  int                `json:"recurrences"`
	Last30       int                `json:"linked_last_30_days"`
	Prev30       int                `json:"linked_previous_30_days"`
	ValueAtRisk  float64            `json:"value_at_risk"`
	Linked       []linkedTicketJSON `json:"linked_tickets,omitempty"`
}

// linkedTicketJSON is a ticket linked to a cause.
type linkedTicketJSON struct {
	TicketID   int64   `json:"ticket_id"`
	Subject    string  `json:"subject"`
	LinkedAt   *string `json:"linked_at"`
	Recurrence bool    `json:"recurrence"`
}

func toCauseJSON(c recovery.Cause) causeJSON {
	return causeJSON{ID: c.ID, Category: c.Category, Title: c.Title, WhatHappened: c.WhatHappened, Prevention: c.Prevention,
		OwnerID: idJSON(c.OwnerID), Due: timeJSON(c.Due), Status: c.Status, DoneAt: timeJSON(c.DoneAt),
		CreatedAt: timeJSON(c.CreatedAt), Tickets: c.Tickets, Complaints: c.Complaints, Recurrences: c.Recurrences,
		Last30: c.Last30, Prev30: c.Prev30, ValueAtRisk: c.ValueAtRisk}
}

// listCauses serves GET /causes: root causes by number of tickets,
// ?q= keeping those whose title contains it.
func (s *server) listCauses(w http.ResponseWriter, r *http.Request, _ agent.Agent) error {
	if s.recovery == nil {
		return errNoRecovery
	}
	cs, err := s.recovery.Causes(r.Context(), r.URL.Query().Get("q"), 0)
	if err != nil {
		return err
	}
	out := struct {
		Items []causeJSON `json:"data"`
	}{Items: make([]causeJSON, 0, len(cs))}
	for _, c := range cs {
		out.Items = append(out.Items, toCauseJSON(c))
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// getCause serves GET /causes/{id}: the cause with its linked tickets.
func (s *server) getCause(w http.ResponseWriter, r *http.Request, _ agent.Agent) error {
	if s.recovery == nil {
		return errNoRecovery
	}
	id, err := pathID(r)
	if err != nil {
		return err
	}
	c, err := s.recovery.Cause(r.Context(), id)
	if err != nil {
		return err
	}
	lts, err := s.recovery.CauseTickets(r.Context(), id)
	if err != nil {
		return err
	}
	out := toCauseJSON(c)
	out.Linked = make([]linkedTicketJSON, 0, len(lts))
	for _, l := range lts {
		out.Linked = append(out.Linked, linkedTicketJSON{TicketID: l.TicketID, Subject: l.Subject, LinkedAt: timeJSON(l.LinkedAt), Recurrence: l.Recurrence})
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// causeIn is the body of POST /causes.
type causeIn struct {
	TicketID     int64  `json:"ticket_id"`
	Category     string `json:"category"`
	Title        string `json:"title"`
	WhatHappened string `json:"what_happened"`
	Prevention   string `json:"prevention"`
	OwnerID      int64  `json:"owner_id"`
	Due          string `json:"due"`
}

// createCause serves POST /causes: a root cause found on ticket_id, which
// is linked to it.
func (s *server) createCause(w http.ResponseWriter, r *http.Request, me agent.Agent) error {
	if s.recovery == nil {
		return errNoRecovery
	}
	var in causeIn
	if err := decode(r, &in); err != nil {
		return err
	}
	if in.TicketID <= 0 {
		return valid.Field("ticket_id", valid.Msg("valid.required", "is required"))
	}
	var due time.Time
	if d := strings.TrimSpace(in.Due); d != "" {
		t, err := time.Parse(time.RFC3339, d)
		if err != nil {
			return valid.Field("due", valid.Msg("valid.api_time", "is not a time such as 2025-06-30T17:00:00Z"))
		}
		due = t
	}
	c, err := s.recovery.CreateCause(r.Context(), me.ID, in.TicketID, recovery.NewCause{Category: in.Category, Title: in.Title,
		WhatHappened: in.WhatHappened, Prevention: in.Prevention, OwnerID: in.OwnerID, Due: due})
	if err != nil {
		return err
	}
	if c, err = s.recovery.Cause(r.Context(), c.ID); err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, toCauseJSON(c))
	return nil
}

// linkIn is the body of POST /tickets/{id}/causes.
type linkIn struct {
	CauseID int64 `json:"cause_id"`
}

// linkCause serves POST /tickets/{id}/causes: the ticket is linked to an
// existing cause; linking twice is a 400 on cause.
func (s *server) linkCause(w http.ResponseWriter, r *http.Request, me agent.Agent) error {
	if s.recovery == nil {
		return errNoRecovery
	}
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in linkIn
	if err := decode(r, &in); err != nil {
		return err
	}
	if err := s.recovery.Link(r.Context(), me.ID, id, in.CauseID); err != nil {
		return err
	}
	c, err := s.recovery.Cause(r.Context(), in.CauseID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, toCauseJSON(c))
	return nil
}

// doneIn is the body of POST /causes/{id}/done.
type doneIn struct {
	Done *bool `json:"done"`
}

// causeDone serves POST /causes/{id}/done: the prevention is done
// ({"done": true}, the default) or open again ({"done": false}).
func (s *server) causeDone(w http.ResponseWriter, r *http.Request, _ agent.Agent) error {
	if s.recovery == nil {
		return errNoRecovery
	}
	id, err := pathID(r)
	if err != nil {
		return err
	}
	in := doneIn{}
	if r.ContentLength != 0 {
		if err := decode(r, &in); err != nil {
			return err
		}
	}
	done := in.Done == nil || *in.Done
	if _, err := s.recovery.SetDone(r.Context(), id, done); err != nil {
		return err
	}
	c, err := s.recovery.Cause(r.Context(), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, toCauseJSON(c))
	return nil
}

// causeEditIn is the body of PUT and PATCH /causes/{id}. PUT sends every
// field (one left out is empty); PATCH only those to change. owner_id 0
// and due "" clear them.
type causeEditIn struct {
	Category     *string `json:"category"`
	Title        *string `json:"title"`
	WhatHappened *string `json:"what_happened"`
	Prevention   *string `json:"prevention"`
	OwnerID      *int64  `json:"owner_id"`
	Due          *string `json:"due"`
	Status       *string `json:"status"`
}

// putCause serves PUT /causes/{id}: the cause replaced, every field.
func (s *server) putCause(w http.ResponseWriter, r *http.Request, _ agent.Agent) error {
	return s.editCause(w, r, false)
}

// patchCause serves PATCH /causes/{id}: the fields sent, changed.
func (s *server) patchCause(w http.ResponseWriter, r *http.Request, _ agent.Agent) error {
	return s.editCause(w, r, true)
}

func (s *server) editCause(w http.ResponseWriter, r *http.Request, patch bool) error {
	if s.recovery == nil {
		return errNoRecovery
	}
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in causeEditIn
	if err := decode(r, &in); err != nil {
		return err
	}
	var e recovery.CauseEdit
	if patch {
		c, err := s.recovery.Cause(r.Context(), id)
		if err != nil {
			return err
		}
		e = recovery.CauseEdit{NewCause: recovery.NewCause{Category: c.Category, Title: c.Title, WhatHappened: c.WhatHappened,
			Prevention: c.Prevention, OwnerID: c.OwnerID, Due: c.Due}, Status: c.Status}
	}
	set := func(dst *string, v *string) {
		if v != nil {
			*dst = *v
		} else if !patch {
			*dst = ""
		}
	}
	set(&e.Category, in.Category)
	set(&e.Title, in.Title)
	set(&e.WhatHappened, in.WhatHappened)
	set(&e.Prevention, in.Prevention)
	set(&e.Status, in.Status)
	if in.OwnerID != nil || !patch {
		e.OwnerID = 0
		if in.OwnerID != nil {
			e.OwnerID = *in.OwnerID
		}
	}
	if in.Due != nil || !patch {
		e.Due = time.Time{}
		if in.Due != nil && strings.TrimSpace(*in.Due) != "" {
			t, err := time.Parse(time.RFC3339, strings.TrimSpace(*in.Due))
			if err != nil {
				return valid.Field("due", valid.Msg("valid.api_time", "is not a time such as 2025-06-30T17:00:00Z"))
			}
			e.Due = t
		}
	}
	c, err := s.recovery.UpdateCause(r.Context(), id, e)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, toCauseJSON(c))
	return nil
}
