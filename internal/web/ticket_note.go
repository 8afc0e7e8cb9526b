package web

import (
	"net/http"

	"github.com/rapport/rapport/internal/ticket"
)

// ticketNote serves POST /tickets/{id}/notes: an internal note, which the
// customer never sees.
func (s *server) ticketNote(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	return s.ticketAction(w, r, rc, "note", "flash.noted", func(id int64) error {
		_, err := s.tickets.AddNote(r.Context(), ticket.AgentActor(rc.me.ID), id, r.PostForm.Get("body"))
		return err
	})
}
