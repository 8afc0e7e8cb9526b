package web

import (
	"errors"
	"net/http"

	"github.com/rapport/rapport/internal/recommit"
	"github.com/rapport/rapport/internal/ticket"
)

// ticketRecommit serves POST /tickets/{id}/recommit: the agent records, in
// the customer's words, that the customer will stay or come back. It is
// credited to the ticket's owner and valued at the customer's predicted
// lifetime value.
func (s *server) ticketRecommit(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	return s.ticketAction(w, r, rc, "recommit", "flash.recommitted", func(id int64) error {
		_, err := s.recommits.Recommit(r.Context(), ticket.AgentActor(rc.me.ID), id, r.PostForm.Get("words"))
		return err
	})
}

// ticketRecommitDecide serves POST /tickets/{id}/recommitments/{rid}:
// the agent confirms (decision=confirm) or rejects (decision=reject) a
// re-commitment Rapport proposed from a message or survey answer.
func (s *server) ticketRecommitDecide(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	rid, err := pathID(r, "rid")
	if err != nil {
		return err
	}
	var confirm bool
	switch r.PostForm.Get("decision") {
	case "confirm":
		confirm = true
	case "reject":
	default:
		return errBadForm
	}
	flash := "flash.recommit_rejected"
	if confirm {
		flash = "flash.recommitted"
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	_, err = s.recommits.Decide(r.Context(), ticket.AgentActor(rc.me.ID), id, rid, confirm)
	if errors.Is(err, recommit.ErrDecided) {
		return s.renderTicket(w, r, rc, id, &problem{Status: http.StatusConflict, Form: "recommit",
			Message: s.cat.T(rc.lang, "loyalty.already_decided"), Fields: map[string]string{}})
	}
	if err != nil {
		prob, ok := s.asProblem(rc.lang, "recommit", err)
		if !ok {
			return err
		}
		return s.renderTicket(w, r, rc, id, prob)
	}
	s.setFlash(w, flash)
	redirect(w, r, ticketURL(id)+"#customer360")
	return nil
}
