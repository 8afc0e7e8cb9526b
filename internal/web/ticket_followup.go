package web

import (
	"context"
	"errors"
	"net/http"

	"github.com/rapport/rapport/internal/ticket"
)

// undecidedFollowUp is the ticket's unclear follow-up answer that waits
// for an agent, or nil.
func (s *server) undecidedFollowUp(ctx context.Context, id int64) (*ticket.UnclearFollowUp, error) {
	u, err := s.tickets.UndecidedFollowUp(ctx, id)
	if errors.Is(err, ticket.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &u, nil
}

// ticketFollowUpDecide serves POST /tickets/{id}/followup/decide: the
// agent's decision on an unclear follow-up answer, fixed=yes (it was
// fixed: closed as a confirmed fix) or fixed=no (count as rework).
func (s *server) ticketFollowUpDecide(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	fixed := r.PostForm.Get("fixed")
	if fixed != "yes" && fixed != "no" {
		http.Error(w, "fixed must be yes or no", http.StatusBadRequest)
		return nil
	}
	flash := "flash.followup_rework"
	if fixed == "yes" {
		flash = "flash.followup_fixed"
	}
	return s.ticketAction(w, r, rc, "followup-decide", flash, func(id int64) error {
		_, err := s.tickets.DecideFollowUp(r.Context(), ticket.AgentActor(rc.me.ID), id, fixed == "yes")
		return err
	})
}
