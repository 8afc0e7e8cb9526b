package web

import (
	"net/http"

	"github.com/rapport/rapport/internal/ticket"
	"github.com/rapport/rapport/internal/valid"
)

// ticketAssign serves POST /tickets/{id}/assign: gives an unassigned
// ticket an owner (the agent themself by default). A ticket that has an
// owner moves only by transfer, with a reason.
func (s *server) ticketAssign(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	return s.ticketAction(w, r, rc, "assign", "flash.assigned", func(id int64) error {
		errs := valid.Fields{}
		to := formID(errs, r.PostForm, "agent_id")
		if err := errs.Err(); err != nil {
			return err
		}
		if to == 0 {
			to = rc.me.ID
		}
		_, err := s.tickets.Assign(r.Context(), ticket.AgentActor(rc.me.ID), id, to)
		return err
	})
}
