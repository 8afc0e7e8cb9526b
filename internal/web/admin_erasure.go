package web

import (
	"errors"
	"net/http"

	"github.com/rapport/rapport/internal/portal"
)

// erasureView is the data of the admins' erasure requests page.
type erasureView struct {
	Requests []portal.Erasure
	Status   string // the list's filter: "" for all
}

// adminErasure serves GET /admin/erasure: customers' requests for
// erasure, the pending first (?status= filters).
func (s *server) adminErasure(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	status := r.URL.Query().Get("status")
	list, err := s.portal.ErasureRequests(r.Context(), status)
	if err != nil {
		return err
	}
	p := s.newPage(w, r, rc, "erasure.title")
	p.Nav = "erasure"
	p.Data = erasureView{Requests: list, Status: status}
	s.render(w, r, http.StatusOK, "admin_erasure", p)
	return nil
}

// adminErasureApprove serves POST /admin/erasure/{id}/approve: the
// customer is anonymised at once (portal.ApproveErasure), audit-logged.
func (s *server) adminErasureApprove(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	return s.adminErasureDecide(w, r, true)
}

// adminErasureDecline serves POST /admin/erasure/{id}/decline.
func (s *server) adminErasureDecline(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	return s.adminErasureDecide(w, r, false)
}

func (s *server) adminErasureDecide(w http.ResponseWriter, r *http.Request, approve bool) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if approve && r.PostForm.Get("confirm") != "1" {
		return errBadForm
	}
	decide, flash := s.portal.DeclineErasure, "flash.erasure_declined"
	if approve {
		decide, flash = s.portal.ApproveErasure, "flash.erasure_approved"
	}
	_, err = decide(r.Context(), id)
	switch {
	case errors.Is(err, portal.ErrNotFound):
		return errNotFound
	case errors.Is(err, portal.ErrDecided):
		flash = "flash.erasure_decided"
	case err != nil:
		return err
	}
	s.setFlash(w, flash)
	redirect(w, r, "/admin/erasure")
	return nil
}

// PortalOn reports whether the customer portal and the erasure requests
// are there.
func (p *page) PortalOn() bool { return p.s.portal != nil }

// ErasureStatus names an erasure request's status in the reader's language.
func (p *page) ErasureStatus(st string) string { return p.label("erasure.status.", st) }

// ErasureStatuses are the statuses the erasure page filters by.
func (p *page) ErasureStatuses() []string {
	return []string{portal.ErasurePending, portal.ErasureApproved, portal.ErasureDeclined}
}
