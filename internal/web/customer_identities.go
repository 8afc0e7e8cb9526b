package web

import (
	"net/http"
)

// customerAddIdentity serves POST /customers/{id}/identities.
func (s *server) customerAddIdentity(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	return s.customerAction(w, r, rc, "identity", "flash.identity_added", func(id int64) error {
		_, err := s.customers.AddIdentity(r.Context(), id, r.PostForm.Get("kind"), r.PostForm.Get("value"))
		return err
	})
}

// customerRemoveIdentity serves POST /customers/{id}/identities/{identity}/delete.
func (s *server) customerRemoveIdentity(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	iid, err := pathID(r, "identity")
	if err != nil {
		return err
	}
	return s.customerAction(w, r, rc, "identity", "flash.identity_removed", func(id int64) error {
		return s.customers.RemoveIdentity(r.Context(), id, iid)
	})
}
