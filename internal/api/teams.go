package api

import (
	"fmt"
	"net/http"

	"github.com/rapport/rapport/internal/agent"
	"github.com/rapport/rapport/internal/valid"
)

// teamJSON is a team with its members' ids.
type teamJSON struct {
	ID          int64   `json:"id"`
	Name        string  `json:"name"`
	Description string  `json:"description"`
	MemberIDs   []int64 `json:"member_ids"`
	CreatedAt   *string `json:"created_at"`
}

func toTeamJSON(t agent.Team) teamJSON {
	return teamJSON{
		ID:          t.ID,
		Name:        t.Name,
		Description: t.Description,
		MemberIDs:   nonNil(t.MemberIDs),
		CreatedAt:   timeJSON(t.CreatedAt),
	}
}

// listTeams serves GET /teams, by name.
func (s *server) listTeams(w http.ResponseWriter, r *http.Request, _ agent.Agent) error {
	ts, err := s.agents.ListTeams(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newList(ts, toTeamJSON, ""))
	return nil
}

// createTeamRequest is the body of POST /teams.
type createTeamRequest struct {
	Name        string `json:"name"`
	Description string `json:"description"`
}

// createTeam serves POST /teams (managers and admins). A taken name is a 409.
func (s *server) createTeam(w http.ResponseWriter, r *http.Request, _ agent.Agent) error {
	var req createTeamRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	t, err := s.agents.CreateTeam(r.Context(), req.Name, req.Description)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, toTeamJSON(t))
	return nil
}

// updateTeamRequest is the body of PATCH /teams/{id}; absent fields do not
// change.
type updateTeamRequest struct {
	Name        *string `json:"name"`
	Description *string `json:"description"`
}

// updateTeam serves PATCH /teams/{id} (managers and admins).
func (s *server) updateTeam(w http.ResponseWriter, r *http.Request, _ agent.Agent) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var req updateTeamRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	cur, err := s.agents.GetTeam(r.Context(), id)
	if err != nil {
		return err
	}
	name, desc := cur.Name, cur.Description
	if req.Name != nil {
		name = *req.Name
	}
	if req.Description != nil {
		desc = *req.Description
	}
	t, err := s.agents.UpdateTeam(r.Context(), id, name, desc)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, toTeamJSON(t))
	return nil
}

// deleteTeam serves DELETE /teams/{id} (managers and admins); its tickets
// keep no team.
func (s *server) deleteTeam(w http.ResponseWriter, r *http.Request, _ agent.Agent) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if _, err := s.agents.GetTeam(r.Context(), id); err != nil {
		return err
	}
	if err := s.agents.DeleteTeam(r.Context(), id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// membersRequest is the body of PUT /teams/{id}/members: the whole new
// list of members.
type membersRequest struct {
	AgentIDs *[]int64 `json:"agent_ids"`
}

// setTeamMembers serves PUT /teams/{id}/members (managers and admins) and
// answers with the team as it now is.
func (s *server) setTeamMembers(w http.ResponseWriter, r *http.Request, _ agent.Agent) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var req membersRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	if req.AgentIDs == nil {
		return valid.Field("agent_ids", valid.Msg("valid.required", "is required ([] removes every member)"))
	}
	if _, err := s.agents.GetTeam(r.Context(), id); err != nil {
		return err
	}
	refs := s.refs(r)
	for _, aid := range *req.AgentIDs {
		refs.check("agent_ids", aid, valid.Message{Key: "valid.no_agent", Text: fmt.Sprintf("no such agent: %d", aid)}, func() error {
			_, err := s.agents.Get(r.Context(), aid)
			return err
		})
		if aid == 0 {
			refs.errs.Add("agent_ids", valid.Msg("valid.no_agent", "0 is not an agent"))
		}
	}
	if err := refs.result(); err != nil {
		return err
	}
	if err := s.agents.SetTeamMembers(r.Context(), id, *req.AgentIDs); err != nil {
		return err
	}
	t, err := s.agents.GetTeam(r.Context(), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, toTeamJSON(t))
	return nil
}
