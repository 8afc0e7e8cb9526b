package web

import (
	"net/http"
	"strconv"

	"github.com/rapport/rapport/internal/agent"
	"github.com/rapport/rapport/internal/valid"
)

// adminTeamsView is the data of the teams list.
type adminTeamsView struct {
	Teams []agent.Team
}

// adminTeamView is the data of one team's page.
type adminTeamView struct {
	T      agent.Team
	Agents []agent.Agent
}

// adminTeamURL is the admin page of team id.
func adminTeamURL(id int64) string { return "/admin/teams/" + strconv.FormatInt(id, 10) }

// adminTeams serves GET /admin/teams: every team, and a form for a new one.
func (s *server) adminTeams(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	return s.renderAdminTeams(w, r, rc, nil)
}

func (s *server) renderAdminTeams(w http.ResponseWriter, r *http.Request, rc *reqCtx, prob *problem) error {
	teams, err := s.teamsByName(r.Context(), rc.lang)
	if err != nil {
		return err
	}
	p := s.newPage(w, r, rc, "teams.title")
	p.Nav = "teams"
	status := http.StatusOK
	if prob != nil {
		p.Problem, p.Form, status = prob, r.PostForm, prob.Status
	}
	p.Data = adminTeamsView{Teams: teams}
	s.render(w, r, status, "admin_teams", p)
	return nil
}

// adminTeamCreate serves POST /admin/teams.
func (s *server) adminTeamCreate(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	t, err := s.agents.CreateTeam(r.Context(), r.PostForm.Get("name"), r.PostForm.Get("description"))
	if err != nil {
		prob, ok := s.asProblem(rc.lang, "create", err)
		if !ok {
			return err
		}
		return s.renderAdminTeams(w, r, rc, prob)
	}
	s.setFlash(w, "flash.team_created")
	redirect(w, r, adminTeamURL(t.ID))
	return nil
}

// adminTeamPage serves GET /admin/teams/{id}.
func (s *server) adminTeamPage(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	return s.renderAdminTeam(w, r, rc, id, nil)
}

func (s *server) renderAdminTeam(w http.ResponseWriter, r *http.Request, rc *reqCtx, id int64, prob *problem) error {
	t, err := s.agents.GetTeam(r.Context(), id)
	if err != nil {
		return err
	}
	agents, err := s.agentsByName(r.Context(), rc.lang)
	if err != nil {
		return err
	}
	p := s.newPage(w, r, rc, "teams.edit_title")
	p.Title = t.Name
	p.Nav = "teams"
	status := http.StatusOK
	if prob != nil {
		p.Problem, p.Form, status = prob, r.PostForm, prob.Status
	}
	p.Data = adminTeamView{T: t, Agents: agents}
	s.render(w, r, status, "admin_team", p)
	return nil
}

// teamAction runs one change to team {id}, like ticketAction.
func (s *server) teamAction(w http.ResponseWriter, r *http.Request, rc *reqCtx, form, flash string,
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
		return s.renderAdminTeam(w, r, rc, id, prob)
	}
	s.setFlash(w, flash)
	redirect(w, r, adminTeamURL(id))
	return nil
}

// adminTeamUpdate serves POST /admin/teams/{id}: name and description.
func (s *server) adminTeamUpdate(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	return s.teamAction(w, r, rc, "team", "flash.team_saved", func(id int64) error {
		_, err := s.agents.UpdateTeam(r.Context(), id, r.PostForm.Get("name"), r.PostForm.Get("description"))
		return err
	})
}

// adminTeamMembers serves POST /admin/teams/{id}/members: the whole list
// of members, one checkbox per agent.
func (s *server) adminTeamMembers(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	return s.teamAction(w, r, rc, "members", "flash.members_saved", func(id int64) error {
		var ids []int64
		for _, v := range r.PostForm["member"] {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil || n <= 0 {
				return valid.Field("member", valid.Msg("valid.no_agent", "no such agent"))
			}
			ids = append(ids, n)
		}
		return s.agents.SetTeamMembers(r.Context(), id, ids)
	})
}

// adminTeamDelete serves POST /admin/teams/{id}/delete; the team's tickets
// keep no team.
func (s *server) adminTeamDelete(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := s.agents.DeleteTeam(r.Context(), id); err != nil {
		return err
	}
	s.log.Info("team deleted", "team_id", id, "by_agent_id", rc.me.ID)
	s.setFlash(w, "flash.team_deleted")
	redirect(w, r, "/admin/teams")
	return nil
}
