package api

import (
	"net/http"

	"github.com/rapport/rapport/internal/agent"
	"github.com/rapport/rapport/internal/business"
)

// errNoBusiness answers the business settings on a server built without
// them.
var errNoBusiness = &apiError{status: http.StatusServiceUnavailable, code: "unavailable",
	message: "the business settings are not enabled on this server"}

// getBusinessSettings serves GET /settings/business (admins): who the
// business is, as customers meet it.
func (s *server) getBusinessSettings(w http.ResponseWriter, r *http.Request, _ agent.Agent) error {
	if s.business == nil {
		return errNoBusiness
	}
	p, err := s.business.Profile(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, p)
	return nil
}

// putBusinessSettings serves PUT /settings/business (admins): the whole
// profile; a field left out is emptied. set_up is the first run's and
// stays as it is.
func (s *server) putBusinessSettings(w http.ResponseWriter, r *http.Request, me agent.Agent) error {
	if s.business == nil {
		return errNoBusiness
	}
	var req business.Profile
	if err := decode(r, &req); err != nil {
		return err
	}
	old, err := s.business.Profile(r.Context())
	if err != nil {
		return err
	}
	req.SetUp = old.SetUp
	p, err := s.business.Save(r.Context(), req)
	if err != nil {
		return err
	}
	s.log.Info("business settings saved", "by_agent_id", me.ID)
	writeJSON(w, http.StatusOK, p)
	return nil
}
