package web

import (
	"net/http"

	"github.com/rapport/rapport/internal/ticket"
	"github.com/rapport/rapport/internal/valid"
)

// ticketTransfer serves POST /tickets/{id}/transfer: hands the ticket to
// another agent and/or team. The reason is required, and the page counts
// transfers: customers notice being passed around. A ticket transferred
// before comes back with the form filled in and a confirmation: the agent
// is told the customer has already been passed on once.
func (s *server) ticketTransfer(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	return s.ticketAction(w, r, rc, "transfer", "flash.transferred", func(id int64) error {
		errs := valid.Fields{}
		to := formID(errs, r.PostForm, "agent_id")
		team := formID(errs, r.PostForm, "team_id")
		if err := errs.Err(); err != nil {
			return err
		}
		_, err := s.tickets.Transfer(r.Context(), ticket.AgentActor(rc.me.ID), id, to, team, r.PostForm.Get("reason"), r.PostForm.Get("again") == "1")
		return err
	})
}
