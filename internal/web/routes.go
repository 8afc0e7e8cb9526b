package web

import (
	"net/http"
	"strings"

	"github.com/rapport/rapport/internal/agent"
)

// route is one page or action of the UI. The table below is the only place
// the UI decides who may do what; wrap enforces it.
type route struct {
	pattern string           // method and path, as http.ServeMux reads them
	perm    agent.Permission // public for pages open without a session
	handle  handlerFunc
}

// public marks a route that needs no session.
const public agent.Permission = ""

// staticPattern is the route of the embedded assets.
const staticPattern = "GET /static/"

// routes lists every page and action of the UI.
func (s *server) routes() []route {
	return []route{
		// Assets
		{staticPattern, public, s.serveStatic},

		// Session
		{"GET /login", public, s.loginPage},
		{"POST /login", public, s.login},
		{"POST /logout", agent.PermWorkTickets, s.logout},

		// Inbox and search
		{"GET /{$}", agent.PermWorkTickets, s.inbox},
		{"GET /search", agent.PermWorkTickets, s.search},

		// Tickets
		{"GET /tickets/{id}", agent.PermWorkTickets, s.ticketPage},
		{"POST /tickets/{id}/reply", agent.PermWorkTickets, s.ticketReply},
		{"POST /tickets/{id}/notes", agent.PermWorkTickets, s.ticketNote},
		{"POST /tickets/{id}/assign", agent.PermWorkTickets, s.ticketAssign},
		{"POST /tickets/{id}/transfer", agent.PermWorkTickets, s.ticketTransfer},
		{"POST /tickets/{id}/update", agent.PermWorkTickets, s.ticketUpdate},
		{"POST /tickets/{id}/tags", agent.PermWorkTickets, s.ticketTags},

		// Customers
		{"GET /customers", agent.PermWorkTickets, s.customersPage},
		{"GET /customers/{id}", agent.PermWorkTickets, s.customerPage},
		{"POST /customers/{id}", agent.PermWorkTickets, s.customerUpdate},
		{"POST /customers/{id}/identities", agent.PermWorkTickets, s.customerAddIdentity},
		{"POST /customers/{id}/identities/{identity}/delete", agent.PermWorkTickets, s.customerRemoveIdentity},

		// Preferences of the signed-in agent
		{"GET /preferences", agent.PermWorkTickets, s.preferencesPage},
		{"POST /preferences", agent.PermWorkTickets, s.preferencesSave},

		// Admin: agents
		{"GET /admin/agents", agent.PermManageAgents, s.adminAgents},
		{"POST /admin/agents", agent.PermManageAgents, s.adminAgentCreate},
		{"GET /admin/agents/{id}", agent.PermManageAgents, s.adminAgentPage},
		{"POST /admin/agents/{id}", agent.PermManageAgents, s.adminAgentUpdate},
		{"POST /admin/agents/{id}/password", agent.PermManageAgents, s.adminAgentPassword},

		// Admin: teams
		{"GET /admin/teams", agent.PermManageTeams, s.adminTeams},
		{"POST /admin/teams", agent.PermManageTeams, s.adminTeamCreate},
		{"GET /admin/teams/{id}", agent.PermManageTeams, s.adminTeamPage},
		{"POST /admin/teams/{id}", agent.PermManageTeams, s.adminTeamUpdate},
		{"POST /admin/teams/{id}/members", agent.PermManageTeams, s.adminTeamMembers},
		{"POST /admin/teams/{id}/delete", agent.PermManageTeams, s.adminTeamDelete},

		// Anything else
		{"/", public, s.notFound},
	}
}

// serveStatic serves the embedded CSS and JavaScript, without listing
// the folder.
func (s *server) serveStatic(w http.ResponseWriter, r *http.Request, _ *reqCtx) error {
	if strings.HasSuffix(r.URL.Path, "/") {
		http.NotFound(w, r)
		return nil
	}
	s.static.ServeHTTP(w, r)
	return nil
}

// notFound answers every path no route matches.
func (s *server) notFound(_ http.ResponseWriter, _ *http.Request, _ *reqCtx) error {
	return errNotFound
}
