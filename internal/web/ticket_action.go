package web

import (
	"net/http"
)

// ticketAction runs one change to ticket {id} made by a form: on success
// it leaves the flash message and goes back to the ticket; when the agent
// can correct what went wrong, the ticket page comes back with the form
// filled in and the problem next to it.
func (s *server) ticketAction(w http.ResponseWriter, r *http.Request, rc *reqCtx, form, flash string,
	change func(id int64) error) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := change(id); err != nil {
		prob, ok := s.asProblem(rc.lang, form, err)
		if !ok {
			return err
		}
		return s.renderTicket(w, r, rc, id, prob)
	}
	s.setFlash(w, flash)
	redirect(w, r, ticketURL(id)+"#"+form)
	return nil
}
