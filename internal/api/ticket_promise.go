package api

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/rapport/rapport/internal/agent"
	"github.com/rapport/rapport/internal/i18n"
	"github.com/rapport/rapport/internal/ticket"
	"github.com/rapport/rapport/internal/valid"
)

// promiseJSON is an action plan on a ticket.
type promiseJSON struct {
	ID           int64   `json:"id"`
	TicketID     int64   `json:"ticket_id"`
	AgentID      int64   `json:"agent_id"`
	What         string  `json:"what"`
	Due          *string `json:"due"`
	Status       string  `json:"status"`
	Overdue      bool    `json:"overdue"`
	CreatedAt    *string `json:"created_at"`
	ResolvedAt   *string `json:"resolved_at"`
	CancelReason string  `json:"cancel_reason"`
	// SaidDone, on an open promise, is the latest message since it was
	// made that says the promised thing has happened: a client may offer
	// to keep it (POST …/keep); Rapport never keeps it by itself.
	SaidDone *saidDoneJSON `json:"said_done,omitempty"`
}

// saidDoneJSON is a message that says a promise's thing has happened.
type saidDoneJSON struct {
	MessageID int64   `json:"message_id"`
	By        string  `json:"by"` // customer or agent
	Words     string  `json:"words"`
	At        *string `json:"at"`
}

func toPromiseJSON(p ticket.Promise, now time.Time) promiseJSON {
	return promiseJSON{
		ID: p.ID, TicketID: p.TicketID, AgentID: p.AgentID, What: p.What, Due: timeJSON(p.Due),
		Status: p.Status, Overdue: p.Overdue(now), CreatedAt: timeJSON(p.Created), ResolvedAt: timeJSON(p.Resolved),
		CancelReason: p.CancelReason,
	}
}

// promiseRequest is the body of POST /tickets/{id}/promises.
type promiseRequest struct {
	What string `json:"what"`
	Due  string `json:"due"`
	// Body, when given, is sent to the customer as a reply, followed by
	// what will happen and by when in the customer's language.
	Body string `json:"body"`
}

// cancelPromiseRequest is the body of POST /tickets/{id}/promises/{pid}/cancel.
type cancelPromiseRequest struct {
	Reason string `json:"reason"`
}

// promiseID reads {pid}.
func promiseID(r *http.Request) (int64, error) {
	pid, err := strconv.ParseInt(r.PathValue("pid"), 10, 64)
	if err != nil || pid <= 0 {
		return 0, errNotFound
	}
	return pid, nil
}

// listPromises serves GET /tickets/{id}/promises.
func (s *server) listPromises(w http.ResponseWriter, r *http.Request, me agent.Agent) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	return s.writePromises(w, r, id, http.StatusOK)
}

// writePromises answers with ticket id's promises, oldest first.
func (s *server) writePromises(w http.ResponseWriter, r *http.Request, id int64, status int) error {
	t, err := s.tickets.Get(r.Context(), id)
	if err != nil {
		return err
	}
	ps, err := s.tickets.Promises(r.Context(), id)
	if err != nil {
		return err
	}
	out := struct {
		Data []promiseJSON `json:"data"`
	}{Data: []promiseJSON{}}
	msgs, err := s.tickets.Messages(r.Context(), id)
	if err != nil {
		return err
	}
	now := s.clock.Now()
	for _, p := range ps {
		pj := toPromiseJSON(p, now)
		if d, ok := ticket.SaidDone(p, msgs, t.Language); ok {
			by := "agent"
			if d.ByCustomer {
				by = "customer"
			}
			pj.SaidDone = &saidDoneJSON{MessageID: d.MessageID, By: by, Words: d.Words, At: timeJSON(d.At)}
		}
		out.Data = append(out.Data, pj)
	}
	writeJSON(w, status, out)
	return nil
}

// makePromise serves POST /tickets/{id}/promises: an action plan, with a
// reply to the customer when a body is given.
func (s *server) makePromise(w http.ResponseWriter, r *http.Request, me agent.Agent) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var req promiseRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	due, err := time.Parse(time.RFC3339, req.Due)
	if err != nil {
		return valid.Field("due", valid.Msg("valid.api_time", "must be a time in RFC 3339 form, e.g. 2026-03-01T09:00:00Z"))
	}
	body := req.Body
	if strings.TrimSpace(body) != "" && s.cat != nil {
		lang, zone, err := s.customerReader(r, id)
		if err != nil {
			return err
		}
		body = s.cat.PromiseReply(lang, body, strings.TrimSpace(req.What), due, s.clock.Now(), zone)
	}
	p, err := s.tickets.MakePromise(r.Context(), ticket.AgentActor(me.ID), id, req.What, due, body)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, toPromiseJSON(p, s.clock.Now()))
	return nil
}

// customerReader is the language ticket id's customer is written to in
// (the ticket's, else the customer's, else the default) and the zone they
// are told times in (their own, else the business's).
func (s *server) customerReader(r *http.Request, id int64) (string, *time.Location, error) {
	t, err := s.tickets.Get(r.Context(), id)
	if err != nil {
		return "", nil, err
	}
	c, err := s.customers.Get(r.Context(), t.CustomerID)
	if err != nil {
		return "", nil, err
	}
	zone := time.UTC
	if s.business != nil {
		p, err := s.business.Profile(r.Context())
		if err != nil {
			return "", nil, err
		}
		zone = p.Location()
	}
	zone = i18n.ZoneOr(c.TimeZone, zone)
	for _, l := range []string{t.Language, c.Language} {
		if l != "" && s.cat.Has(l) {
			return l, zone, nil
		}
	}
	return i18n.Default, zone, nil
}

// keepPromise serves POST /tickets/{id}/promises/{pid}/keep.
func (s *server) keepPromise(w http.ResponseWriter, r *http.Request, me agent.Agent) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	pid, err := promiseID(r)
	if err != nil {
		return err
	}
	if err := s.tickets.KeepPromise(r.Context(), ticket.AgentActor(me.ID), id, pid); err != nil {
		return err
	}
	return s.writePromises(w, r, id, http.StatusOK)
}

// cancelPromise serves POST /tickets/{id}/promises/{pid}/cancel; a reason
// is required.
func (s *server) cancelPromise(w http.ResponseWriter, r *http.Request, me agent.Agent) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	pid, err := promiseID(r)
	if err != nil {
		return err
	}
	var req cancelPromiseRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	if err := s.tickets.CancelPromise(r.Context(), ticket.AgentActor(me.ID), id, pid, req.Reason); err != nil {
		return err
	}
	return s.writePromises(w, r, id, http.StatusOK)
}
