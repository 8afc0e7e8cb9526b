package web

import (
	"net/http"

	"github.com/rapport/rapport/internal/ticket"
)

// ticketUpdate serves POST /tickets/{id}/update: status, priority, kind
// and language. Fields missing from the form do not change.
func (s *server) ticketUpdate(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	return s.ticketAction(w, r, rc, "update", "flash.updated", func(id int64) error {
		u := ticket.Update{}
		f := r.PostForm
		if _, ok := f["status"]; ok {
			st := ticket.Status(f.Get("status"))
			u.Status = &st
		}
		if _, ok := f["priority"]; ok {
			v := f.Get("priority")
			u.Priority = &v
		}
		if _, ok := f["kind"]; ok {
			v := f.Get("kind")
			u.Kind = &v
		}
		if _, ok := f["language"]; ok {
			v := f.Get("language")
			u.Language = &v
		}
		_, err := s.tickets.Update(r.Context(), ticket.AgentActor(rc.me.ID), id, u)
		return err
	})
}
