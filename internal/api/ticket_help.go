package api

import (
	"net/http"
	"strconv"
	"time"

	"github.com/rapport/rapport/internal/agent"
	"github.com/rapport/rapport/internal/ticket"
	"github.com/rapport/rapport/internal/valid"
)

// snoozeRequest is the body of POST /tickets/{id}/snooze.
type snoozeRequest struct {
	Until string `json:"until"` // RFC 3339
}

// snoozeTicket serves POST /tickets/{id}/snooze: the ticket leaves the
// inbox views until the given time (or a customer message).
func (s *server) snoozeTicket(w http.ResponseWriter, r *http.Request, me agent.Agent) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var req snoozeRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	until, err := time.Parse(time.RFC3339, req.Until)
	if err != nil {
		return valid.Field("until", valid.Msg("valid.api_time", "must be a time in RFC 3339 form, e.g. 2026-03-01T09:00:00Z"))
	}
	t, err := s.tickets.Snooze(r.Context(), ticket.AgentActor(me.ID), id, until)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, toTicketJSON(t))
	return nil
}

// unsnoozeTicket serves POST /tickets/{id}/unsnooze.
func (s *server) unsnoozeTicket(w http.ResponseWriter, r *http.Request, me agent.Agent) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	t, err := s.tickets.Unsnooze(r.Context(), ticket.AgentActor(me.ID), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, toTicketJSON(t))
	return nil
}

// collaboratorJSON is a colleague helping on a ticket.
type collaboratorJSON struct {
	AgentID   int64   `json:"agent_id"`
	Name      string  `json:"name"`
	AddedByID *int64  `json:"added_by_id"`
	AddedAt   *string `json:"added_at"`
}

// listCollaborators serves GET /tickets/{id}/collaborators.
func (s *server) listCollaborators(w http.ResponseWriter, r *http.Request, _ agent.Agent) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	return s.writeCollaborators(w, r, id, http.StatusOK)
}

func (s *server) writeCollaborators(w http.ResponseWriter, r *http.Request, id int64, status int) error {
	if _, err := s.tickets.Get(r.Context(), id); err != nil {
		return err
	}
	cs, err := s.tickets.Collaborators(r.Context(), id)
	if err != nil {
		return err
	}
	out := make([]collaboratorJSON, 0, len(cs))
	for _, c := range cs {
		out = append(out, collaboratorJSON{AgentID: c.AgentID, Name: c.Name, AddedByID: idJSON(c.AddedByID), AddedAt: timeJSON(c.At)})
	}
	writeJSON(w, status, map[string]any{"data": out})
	return nil
}

// collaboratorRequest is the body of POST /tickets/{id}/collaborators.
type collaboratorRequest struct {
	AgentID int64 `json:"agent_id"`
}

// addCollaborator serves POST /tickets/{id}/collaborators: a colleague
// helps without taking the ticket (asking for help is not a transfer).
func (s *server) addCollaborator(w http.ResponseWriter, r *http.Request, me agent.Agent) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var req collaboratorRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	if err := s.tickets.AddCollaborator(r.Context(), ticket.AgentActor(me.ID), id, req.AgentID); err != nil {
		return err
	}
	return s.writeCollaborators(w, r, id, http.StatusOK)
}

// removeCollaborator serves DELETE /tickets/{id}/collaborators/{agent}.
func (s *server) removeCollaborator(w http.ResponseWriter, r *http.Request, me agent.Agent) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	agentID, err := strconv.ParseInt(r.PathValue("agent"), 10, 64)
	if err != nil || agentID <= 0 {
		return errNotFound
	}
	if err := s.tickets.RemoveCollaborator(r.Context(), ticket.AgentActor(me.ID), id, agentID); err != nil {
		return err
	}
	return s.writeCollaborators(w, r, id, http.StatusOK)
}
