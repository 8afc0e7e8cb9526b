package api

import (
	"context"
	"net/http"

	"github.com/rapport/rapport/internal/agent"
	"github.com/rapport/rapport/internal/routing"
	"github.com/rapport/rapport/internal/valid"
)

// RoutingSettings reads and saves the business's routing choices
// (routing.Router).
type RoutingSettings interface {
	Settings(ctx context.Context) (routing.Settings, error)
	SaveSettings(ctx context.Context, st routing.Settings) (routing.Settings, error)
	// SetChatCapacity sets, and audits, how many open chats an agent may
	// hold (PATCH /agents/{id} with chat_capacity).
	SetChatCapacity(ctx context.Context, id int64, capacity int) error
}

// errNoRouting answers the routing settings on a server built without a
// router.
var errNoRouting = &apiError{status: http.StatusServiceUnavailable, code: "unavailable",
	message: "automatic assignment is not enabled on this server"}

// routingSettingsJSON is routing.Settings as the API shows and takes it.
type routingSettingsJSON struct {
	RegularsFirst *bool `json:"regulars_first"`
}

func toRoutingSettingsJSON(st routing.Settings) routingSettingsJSON {
	return routingSettingsJSON{RegularsFirst: &st.RegularsFirst}
}

// getRoutingSettings serves GET /settings/routing (admins).
func (s *server) getRoutingSettings(w http.ResponseWriter, r *http.Request, _ agent.Agent) error {
	if s.routing == nil {
		return errNoRouting
	}
	st, err := s.routing.Settings(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, toRoutingSettingsJSON(st))
	return nil
}

// putRoutingSettings serves PUT /settings/routing (admins): the whole
// settings, every field required.
func (s *server) putRoutingSettings(w http.ResponseWriter, r *http.Request, me agent.Agent) error {
	if s.routing == nil {
		return errNoRouting
	}
	var req routingSettingsJSON
	if err := decode(r, &req); err != nil {
		return err
	}
	if req.RegularsFirst == nil {
		return valid.Field("regulars_first", valid.Msg("valid.required", "is required"))
	}
	st, err := s.routing.SaveSettings(r.Context(), routing.Settings{RegularsFirst: *req.RegularsFirst})
	if err != nil {
		return err
	}
	s.log.Info("routing settings saved", "by_agent_id", me.ID, "regulars_first", st.RegularsFirst)
	writeJSON(w, http.StatusOK, toRoutingSettingsJSON(st))
	return nil
}
