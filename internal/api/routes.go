package api

import (
	"net/http"

	"github.com/rapport/rapport/internal/agent"
)

// route is one API endpoint. The table below is the only place the API
// decides who may call what; the OpenAPI test checks it against the document.
type route struct {
	method string
	path   string           // relative to Prefix, with {id} parameters
	perm   agent.Permission // public for routes that need no token
	handle handlerFunc
}

// public marks a route that needs no token.
const public agent.Permission = ""

// routes lists every API endpoint.
func (s *server) routes() []route {
	return []route{
		// Document
		{http.MethodGet, "/openapi.json", public, s.getOpenAPI},

		// Tickets
		{http.MethodGet, "/tickets", agent.PermWorkTickets, s.listTickets},
		{http.MethodPost, "/tickets", agent.PermWorkTickets, s.createTicket},
		{http.MethodGet, "/tickets/{id}", agent.PermWorkTickets, s.getTicket},
		{http.MethodPatch, "/tickets/{id}", agent.PermWorkTickets, s.updateTicket},
		{http.MethodPost, "/tickets/{id}/assign", agent.PermWorkTickets, s.assignTicket},
		{http.MethodPost, "/tickets/{id}/transfer", agent.PermWorkTickets, s.transferTicket},
		{http.MethodGet, "/tickets/{id}/messages", agent.PermWorkTickets, s.listMessages},
		{http.MethodPost, "/tickets/{id}/reply", agent.PermWorkTickets, s.replyTicket},
		{http.MethodPost, "/tickets/{id}/notes", agent.PermWorkTickets, s.addNote},
		{http.MethodGet, "/tickets/{id}/events", agent.PermWorkTickets, s.listEvents},

		// Inbound messages from other channels
		{http.MethodPost, "/inbound/message", agent.PermWorkTickets, s.inboundMessage},

		// Customers
		{http.MethodGet, "/customers", agent.PermWorkTickets, s.listCustomers},
		{http.MethodPost, "/customers", agent.PermWorkTickets, s.createCustomer},
		{http.MethodGet, "/customers/{id}", agent.PermWorkTickets, s.getCustomer},
		{http.MethodPatch, "/customers/{id}", agent.PermWorkTickets, s.updateCustomer},
		{http.MethodPost, "/customers/{id}/identities", agent.PermWorkTickets, s.addIdentity},

		// Agents
		{http.MethodGet, "/me", agent.PermWorkTickets, s.getMe},
		{http.MethodGet, "/agents", agent.PermWorkTickets, s.listAgents},
		{http.MethodPost, "/agents", agent.PermManageAgents, s.createAgent},
		{http.MethodPatch, "/agents/{id}", agent.PermManageAgents, s.updateAgent},

		// Teams
		{http.MethodGet, "/teams", agent.PermWorkTickets, s.listTeams},
		{http.MethodPost, "/teams", agent.PermManageTeams, s.createTeam},
		{http.MethodPatch, "/teams/{id}", agent.PermManageTeams, s.updateTeam},
		{http.MethodDelete, "/teams/{id}", agent.PermManageTeams, s.deleteTeam},
		{http.MethodPut, "/teams/{id}/members", agent.PermManageTeams, s.setTeamMembers},
	}
}
