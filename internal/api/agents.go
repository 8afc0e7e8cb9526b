package api

import (
	"log/slog"
	"net/http"

	"github.com/rapport/rapport/internal/agent"
	"github.com/rapport/rapport/internal/routing"
	"github.com/rapport/rapport/internal/valid"
)

// agentJSON is an agent as the API shows it; never the password hash.
type agentJSON struct {
	ID           int64    `json:"id"`
	Email        string   `json:"email"`
	Name         string   `json:"name"`
	Role         string   `json:"role"`
	Locale       string   `json:"locale"`
	Languages    []string `json:"languages"`
	TimeZone     string   `json:"time_zone"` // IANA; "" means the business's
	Availability string   `json:"availability"`
	Active       bool     `json:"active"`
	// KBEditor is the right an admin gave this agent to write the
	// knowledge base whatever their role (managers and admins always may).
	KBEditor     bool    `json:"kb_editor"`
	ChatCapacity int     `json:"chat_capacity"` // open chats the router gives them at most
	TeamIDs      []int64 `json:"team_ids"`
	CreatedAt    *string `json:"created_at"`
	UpdatedAt    *string `json:"updated_at"`
}

func toAgentJSON(a agent.Agent) agentJSON {
	return agentJSON{
		ID:           a.ID,
		Email:        a.Email,
		Name:         a.Name,
		Role:         string(a.Role),
		Locale:       a.Locale,
		Languages:    nonNil(a.Languages),
		TimeZone:     a.TimeZone,
		Availability: a.Availability,
		Active:       a.Active,
		KBEditor:     a.KBEditor,
		ChatCapacity: a.ChatCapacity,
		TeamIDs:      nonNil(a.TeamIDs),
		CreatedAt:    timeJSON(a.CreatedAt),
		UpdatedAt:    timeJSON(a.UpdatedAt),
	}
}

// getMe serves GET /me: the agent owning the token.
func (s *server) getMe(w http.ResponseWriter, _ *http.Request, me agent.Agent) error {
	writeJSON(w, http.StatusOK, toAgentJSON(me))
	return nil
}

// updateMeRequest is the body of PATCH /me: what an agent sets for
// themselves; absent fields do not change.
type updateMeRequest struct {
	Locale       *string `json:"locale"`
	TimeZone     *string `json:"time_zone"`
	Availability *string `json:"availability"`
}

// updateMe serves PATCH /me: the token's agent sets their own UI
// language, time zone ("" for the business's) and availability.
func (s *server) updateMe(w http.ResponseWriter, r *http.Request, me agent.Agent) error {
	var req updateMeRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	a, err := s.agents.Update(r.Context(), me.ID, agent.AgentUpdate{
		Locale: req.Locale, TimeZone: req.TimeZone, Availability: req.Availability,
	})
	if err != nil {
		return err
	}
	if s.router != nil && req.Availability != nil && a.Availability == agent.Online {
		if err := s.router.KickNow(r.Context()); err != nil {
			s.log.Warn("assignment not started", "agent_id", me.ID, slog.Any("error", err))
		}
	}
	writeJSON(w, http.StatusOK, toAgentJSON(a))
	return nil
}

// listAgents serves GET /agents, by name.
func (s *server) listAgents(w http.ResponseWriter, r *http.Request, _ agent.Agent) error {
	as, err := s.agents.List(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newList(as, toAgentJSON, ""))
	return nil
}

// getAgent serves GET /agents/{id}.
func (s *server) getAgent(w http.ResponseWriter, r *http.Request, _ agent.Agent) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	a, err := s.agents.Get(r.Context(), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, toAgentJSON(a))
	return nil
}

// createAgentRequest is the body of POST /agents.
type createAgentRequest struct {
	Email     string   `json:"email"`
	Name      string   `json:"name"`
	Role      string   `json:"role"`
	Password  string   `json:"password"`
	Locale    string   `json:"locale"`
	Languages []string `json:"languages"`
	TimeZone  string   `json:"time_zone"`
}

// createAgent serves POST /agents (admins). A taken email is a 409.
func (s *server) createAgent(w http.ResponseWriter, r *http.Request, _ agent.Agent) error {
	var req createAgentRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	a, err := s.agents.Create(r.Context(), agent.NewAgent{
		Email:     req.Email,
		Name:      req.Name,
		Role:      agent.Role(req.Role),
		Password:  req.Password,
		Locale:    req.Locale,
		Languages: req.Languages,
		TimeZone:  req.TimeZone,
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, toAgentJSON(a))
	return nil
}

// updateAgentRequest is the body of PATCH /agents/{id}; absent fields do
// not change.
type updateAgentRequest struct {
	Name         *string   `json:"name"`
	Role         *string   `json:"role"`
	Locale       *string   `json:"locale"`
	Languages    *[]string `json:"languages"`
	TimeZone     *string   `json:"time_zone"`
	Availability *string   `json:"availability"`
	Active       *bool     `json:"active"`
	KBEditor     *bool     `json:"kb_editor"`
	ChatCapacity *int      `json:"chat_capacity"`
}

// updateAgent serves PATCH /agents/{id} (admins). A chat_capacity out of
// range is refused before anything is saved; it is set by the router, which
// audits it as the admin's agent page does.
func (s *server) updateAgent(w http.ResponseWriter, r *http.Request, _ agent.Agent) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var req updateAgentRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	if req.ChatCapacity != nil {
		if s.routing == nil {
			return errNoRouting
		}
		if n := *req.ChatCapacity; n < 0 || n > routing.MaxChatCapacity {
			return valid.Field("chat_capacity", valid.Msg("valid.chat_capacity", "must be from 0 to %d", routing.MaxChatCapacity))
		}
	}
	u := agent.AgentUpdate{
		Name:         req.Name,
		Locale:       req.Locale,
		Languages:    req.Languages,
		TimeZone:     req.TimeZone,
		Availability: req.Availability,
		Active:       req.Active,
		KBEditor:     req.KBEditor,
	}
	if req.Role != nil {
		role := agent.Role(*req.Role)
		u.Role = &role
	}
	a, err := s.agents.Update(r.Context(), id, u)
	if err != nil {
		return err
	}
	if req.ChatCapacity != nil {
		// The router runs an assignment round itself.
		if err := s.routing.SetChatCapacity(r.Context(), id, *req.ChatCapacity); err != nil {
			return err
		}
		if a, err = s.agents.Get(r.Context(), id); err != nil {
			return err
		}
	}
	if s.router != nil && a.Active && a.Availability == agent.Online &&
		(req.Availability != nil || req.Active != nil || req.Languages != nil) {
		// Waiting tickets may now have someone to take them. The router
		// does not look again on its own; the update is saved either way.
		if err := s.router.KickNow(r.Context()); err != nil {
			s.log.Warn("assignment not started", "agent_id", id, slog.Any("error", err))
		}
	}
	writeJSON(w, http.StatusOK, toAgentJSON(a))
	return nil
}
