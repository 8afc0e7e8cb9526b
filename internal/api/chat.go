package api

import (
	"net/http"

	"github.com/rapport/rapport/internal/agent"
	"github.com/rapport/rapport/internal/ticket"
)

// endChat serves POST /tickets/{id}/end-chat: a live chat ends, solved,
// with a chat_ended event (whoever may solve it may end it).
func (s *server) endChat(w http.ResponseWriter, r *http.Request, me agent.Agent) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	t, err := s.tickets.EndChat(r.Context(), ticket.AgentActor(me.ID), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, toTicketJSON(t))
	return nil
}
