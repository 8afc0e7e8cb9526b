package api

import (
	"net/http"

	"github.com/rapport/rapport/internal/agent"
	"github.com/rapport/rapport/internal/ticket"
	"github.com/rapport/rapport/internal/valid"
)

// assignRequest is the body of POST /tickets/{id}/assign; agent_id 0
// unassigns.
type assignRequest struct {
	AgentID *int64 `json:"agent_id"`
}

// assignTicket serves POST /tickets/{id}/assign. A ticket that already has
// another owner answers 409 needs_transfer.
func (s *server) assignTicket(w http.ResponseWriter, r *http.Request, me agent.Agent) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var req assignRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	if req.AgentID == nil {
		return valid.Field("agent_id", valid.Msg("valid.required", "is required (0 unassigns)"))
	}
	refs := s.refs(r)
	refs.agent("agent_id", *req.AgentID)
	if err := refs.result(); err != nil {
		return err
	}
	t, err := s.tickets.Assign(r.Context(), ticket.AgentActor(me.ID), id, *req.AgentID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, toTicketJSON(t))
	return nil
}

// transferRequest is the body of POST /tickets/{id}/transfer.
type transferRequest struct {
	AgentID int64  `json:"agent_id"`
	TeamID  int64  `json:"team_id"`
	Reason  string `json:"reason"`
	// Again confirms a transfer of a ticket that was transferred before.
	Again bool `json:"again"`
}

// transferTicket serves POST /tickets/{id}/transfer.
func (s *server) transferTicket(w http.ResponseWriter, r *http.Request, me agent.Agent) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var req transferRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	refs := s.refs(r)
	refs.agent("agent_id", req.AgentID)
	refs.team("team_id", req.TeamID)
	if req.AgentID == 0 && req.TeamID == 0 {
		refs.errs.Add("agent_id", valid.Msg("valid.transfer_target", "give an agent_id, a team_id or both"))
	}
	if err := refs.result(); err != nil {
		return err
	}
	t, err := s.tickets.Transfer(r.Context(), ticket.AgentActor(me.ID), id, req.AgentID, req.TeamID, req.Reason, req.Again)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, toTicketJSON(t))
	return nil
}
