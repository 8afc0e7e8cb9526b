package web

import (
	"net/http"

	"github.com/rapport/rapport/internal/ticket"
	"github.com/rapport/rapport/internal/valid"
)

// ticketCollabAdd serves POST /tickets/{id}/collaborators: a colleague
// helps (notes and replies) without taking the ticket, so asking for help
// is not a transfer.
func (s *server) ticketCollabAdd(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	return s.ticketAction(w, r, rc, "collab", "flash.collab_added", func(id int64) error {
		errs := valid.Fields{}
		agentID := formID(errs, r.PostForm, "agent_id")
		if agentID == 0 && len(errs) == 0 {
			errs.Add("agent_id", valid.Msg("valid.required", "is required"))
		}
		if err := errs.Err(); err != nil {
			return err
		}
		return s.tickets.AddCollaborator(r.Context(), ticket.AgentActor(rc.me.ID), id, agentID)
	})
}

// ticketCollabRemove serves POST /tickets/{id}/collaborators/{agent}/delete.
func (s *server) ticketCollabRemove(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	agentID, err := pathID(r, "agent")
	if err != nil {
		return err
	}
	return s.ticketAction(w, r, rc, "collab", "flash.collab_removed", func(id int64) error {
		return s.tickets.RemoveCollaborator(r.Context(), ticket.AgentActor(rc.me.ID), id, agentID)
	})
}
