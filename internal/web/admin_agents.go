package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/rapport/rapport/internal/agent"
	"github.com/rapport/rapport/internal/valid"
)

// adminAgentsView is the data of the agents list.
type adminAgentsView struct {
	Agents    []agent.Agent
	Teams     map[int64]string
	Roles     []agent.Role
	Languages []string
}

// adminAgentView is the data of one agent's admin page.
type adminAgentView struct {
	A         agent.Agent
	Roles     []agent.Role
	Languages []string // UI languages
	Spoken    string   // the languages the agent speaks, comma separated
	Teams     []agent.Team
	Routing   bool // the router is there: show the capacity
	Capacity  int  // open tickets the router gives the agent at most
	// ChatCapacity is the open chats the router gives the agent at most.
	ChatCapacity int
	TwoFactor    bool // the agent signs in with a second factor (issue 17)
}

// adminAgentURL is the admin page of agent id.
func adminAgentURL(id int64) string { return "/admin/agents/" + strconv.FormatInt(id, 10) }

// adminAgents serves GET /admin/agents: every agent, and a form for a new one.
func (s *server) adminAgents(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	return s.renderAdminAgents(w, r, rc, nil)
}

func (s *server) renderAdminAgents(w http.ResponseWriter, r *http.Request, rc *reqCtx, prob *problem) error {
	agents, err := s.agentsByName(r.Context(), rc.lang)
	if err != nil {
		return err
	}
	teams, err := s.teamsByName(r.Context(), rc.lang)
	if err != nil {
		return err
	}
	v := adminAgentsView{Agents: agents, Teams: map[int64]string{}, Roles: agent.Roles, Languages: s.cat.Languages()}
	for _, t := range teams {
		v.Teams[t.ID] = t.Name
	}
	p := s.newPage(w, r, rc, "agents.title")
	p.Nav = "agents"
	status := http.StatusOK
	if prob != nil {
		p.Problem, p.Form, status = prob, r.PostForm, prob.Status
	}
	p.Data = v
	s.render(w, r, status, "admin_agents", p)
	return nil
}

// adminAgentCreate serves POST /admin/agents.
func (s *server) adminAgentCreate(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	f := r.PostForm
	a, err := s.agents.Create(r.Context(), agent.NewAgent{
		Email: f.Get("email"), Name: f.Get("name"), Role: agent.Role(f.Get("role")),
		Password: f.Get("password"), Locale: f.Get("locale"), Languages: splitComma(f.Get("languages")),
	})
	if err != nil {
		prob, ok := s.asProblem(rc.lang, "create", err)
		if !ok {
			return err
		}
		return s.renderAdminAgents(w, r, rc, prob)
	}
	s.log.Info("agent created", "agent_id", a.ID, "by_agent_id", rc.me.ID)
	s.setFlash(w, "flash.agent_created")
	redirect(w, r, "/admin/agents")
	return nil
}

// adminAgentPage serves GET /admin/agents/{id}.
func (s *server) adminAgentPage(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	return s.renderAdminAgent(w, r, rc, id, nil)
}

func (s *server) renderAdminAgent(w http.ResponseWriter, r *http.Request, rc *reqCtx, id int64, prob *problem) error {
	a, err := s.agents.Get(r.Context(), id)
	if err != nil {
		return err
	}
	teams, err := s.teamsByName(r.Context(), rc.lang)
	if err != nil {
		return err
	}
	v := adminAgentView{A: a, Roles: agent.Roles, Languages: s.cat.Languages(), Spoken: strings.Join(a.Languages, ", ")}
	if s.router != nil {
		if v.Capacity, v.ChatCapacity, err = s.router.Capacities(r.Context(), id); err != nil {
			return err
		}
		v.Routing = true
	}
	if v.TwoFactor, err = s.agents.TwoFactorEnabled(r.Context(), id); err != nil {
		return err
	}
	for _, t := range teams {
		for _, m := range t.MemberIDs {
			if m == a.ID {
				v.Teams = append(v.Teams, t)
			}
		}
	}
	p := s.newPage(w, r, rc, "agents.edit_title")
	p.Title = a.Name
	p.Nav = "agents"
	status := http.StatusOK
	if prob != nil {
		p.Problem, p.Form, status = prob, r.PostForm, prob.Status
	}
	p.Data = v
	s.render(w, r, status, "admin_agent", p)
	return nil
}

// adminAgentUpdate serves POST /admin/agents/{id}: name, role, active, UI
// language, time zone, spoken languages and the right to write the
// knowledge base (kb_editor, which takes effect on the agent's next
// request). An admin cannot lock themself out by
// deactivating or demoting their own account.
func (s *server) adminAgentUpdate(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	f := r.PostForm
	name, locale, zone := f.Get("name"), f.Get("locale"), f.Get("time_zone")
	role := agent.Role(f.Get("role"))
	active := f.Get("active") == "on"
	kbEditor := f.Get("kb_editor") == "on"
	langs := splitComma(f.Get("languages"))
	if id == rc.me.ID && (!active || !role.Can(agent.PermManageAgents)) {
		prob := &problem{Status: http.StatusUnprocessableEntity, Form: "agent", Fields: map[string]string{},
			Message: s.cat.T(rc.lang, "problem.self_lockout")}
		return s.renderAdminAgent(w, r, rc, id, prob)
	}
	if _, err := s.agents.Update(r.Context(), id, agent.AgentUpdate{
		Name: &name, Role: &role, Locale: &locale, Languages: &langs, Active: &active, TimeZone: &zone,
		KBEditor: &kbEditor,
	}); err != nil {
		prob, ok := s.asProblem(rc.lang, "agent", err)
		if !ok {
			return err
		}
		return s.renderAdminAgent(w, r, rc, id, prob)
	}
	s.setFlash(w, "flash.agent_saved")
	redirect(w, r, adminAgentURL(id))
	return nil
}

// adminAgentPassword serves POST /admin/agents/{id}/password: sets a new
// password, which also ends the agent's sessions.
func (s *server) adminAgentPassword(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	endTokens := r.PostForm.Get("end_tokens") != ""
	if err := s.agents.ResetPassword(r.Context(), id, r.PostForm.Get("password"), endTokens); err != nil {
		prob, ok := s.asProblem(rc.lang, "password", err)
		if !ok {
			return err
		}
		return s.renderAdminAgent(w, r, rc, id, prob)
	}
	s.log.Info("agent password set", "agent_id", id, "by_agent_id", rc.me.ID)
	if id == rc.me.ID {
		// Their own sessions, this one included, have ended.
		http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", MaxAge: -1,
			HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: s.secure})
		redirect(w, r, "/login")
		return nil
	}
	s.setFlash(w, "flash.password_set")
	redirect(w, r, adminAgentURL(id))
	return nil
}

// adminAgentCapacity serves POST /admin/agents/{id}/capacity: how many
// open tickets, and how many chats apart from them (chat_capacity, when
// the form has it), the router may give the agent at once. Saving it runs
// an assignment round, as room may have opened up.
func (s *server) adminAgentCapacity(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	capacity, err := strconv.Atoi(strings.TrimSpace(r.PostForm.Get("capacity")))
	if err != nil {
		err = valid.Field("capacity", valid.Msg("valid.number", "is not a whole number"))
	} else {
		err = s.router.SetCapacity(r.Context(), id, capacity)
	}
	chats := -1
	if err == nil && r.PostForm.Has("chat_capacity") {
		if chats, err = strconv.Atoi(strings.TrimSpace(r.PostForm.Get("chat_capacity"))); err != nil {
			err = valid.Field("chat_capacity", valid.Msg("valid.number", "is not a whole number"))
		} else {
			err = s.router.SetChatCapacity(r.Context(), id, chats)
		}
	}
	if err != nil {
		prob, ok := s.asProblem(rc.lang, "capacity", err)
		if !ok {
			return err
		}
		return s.renderAdminAgent(w, r, rc, id, prob)
	}
	s.log.Info("agent capacity set", "agent_id", id, "capacity", capacity, "chat_capacity", chats, "by_agent_id", rc.me.ID)
	s.setFlash(w, "flash.capacity_saved")
	redirect(w, r, adminAgentURL(id))
	return nil
}
