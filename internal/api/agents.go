package api

import (
	"log/slog"
	"net/http"

	"github.com/rapport/rapport/internal/agent"
)

// agentJSON is an agent as the API shows it; never the password hash.
type agentJSON struct {
	ID           int64    `json:"id"`
	Email        string   `json:"email"`
	Name         string   `json:"name"`
	Role         string   `json:"role"`
	Locale       string   `json:"locale"`
	Languages    []string `json:"languages"`
	Availability string   `json:"availability"`
	Active       bool     `json:"active"`
	TeamIDs      []int64  `json:"team_ids"`
	CreatedAt    *string  `json:"created_at"`
	UpdatedAt    *string  `json:"updated_at"`
}

func toAgentJSON(a agent.Agent) agentJSON {
	return agentJSON{
		ID:           a.ID,
		Email:        a.Email,
		Name:         a.Name,
		Role:         string(a.Role),
		Locale:       a.Locale,
		Languages:    nonNil(a.Languages),
		Availability: a.Availability,
		Active:       a.Active,
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

// listAgents serves GET /agents, by name.
func (s *server) listAgents(w http.ResponseWriter, r *http.Request, _ agent.Agent) error {
	as, err := s.agents.List(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newList(as, toAgentJSON, ""))
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
	Availability *string   `json:"availability"`
	Active       *bool     `json:"active"`
}

// updateAgent serves PATCH /agents/{id} (admins).
func (s *server) updateAgent(w http.ResponseWriter, r *http.Request, _ agent.Agent) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var req updateAgentRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	u := agent.AgentUpdate{
		Name:         req.Name,
		Locale:       req.Locale,
		Languages:    req.Languages,
		Availability: req.Availability,
		Active:       req.Active,
	}
	if req.Role != nil {
		role := agent.Role(*req.Role)
		u.Role = &role
	}
	a, err := s.agents.Update(r.Context(), id, u)
	if err != nil {
		return err
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
