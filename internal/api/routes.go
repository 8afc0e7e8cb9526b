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
	// rawMail marks a route taking a whole email, or a reply with its
	// files, limited by the message size limit instead of the JSON body
	// limit.
	rawMail bool
}

// public marks a route that needs no token.
const public agent.Permission = ""

// scope is the API token scope route rt needs, decided here for every
// route: admin for a route that needs an admin's permission, read for the
// other GETs, write for the rest.
func (rt route) scope() agent.Scope {
	switch {
	case rt.perm.AdminOnly():
		return agent.ScopeAdmin
	case rt.method == http.MethodGet:
		return agent.ScopeRead
	default:
		return agent.ScopeWrite
	}
}

// routes lists every API endpoint.
func (s *server) routes() []route {
	return []route{
		// Document
		{http.MethodGet, "/openapi.json", public, s.getOpenAPI, false},

		// Tickets
		{http.MethodGet, "/tickets", agent.PermWorkTickets, s.listTickets, false},
		{http.MethodPost, "/tickets", agent.PermWorkTickets, s.createTicket, false},
		{http.MethodGet, "/tickets/{id}", agent.PermWorkTickets, s.getTicket, false},
		{http.MethodPatch, "/tickets/{id}", agent.PermWorkTickets, s.updateTicket, false},
		{http.MethodPost, "/tickets/{id}/assign", agent.PermWorkTickets, s.assignTicket, false},
		{http.MethodPost, "/tickets/{id}/transfer", agent.PermWorkTickets, s.transferTicket, false},
		{http.MethodPost, "/tickets/{id}/snooze", agent.PermWorkTickets, s.snoozeTicket, false},
		{http.MethodPost, "/tickets/{id}/unsnooze", agent.PermWorkTickets, s.unsnoozeTicket, false},
		{http.MethodPost, "/tickets/{id}/end-chat", agent.PermWorkTickets, s.endChat, false},
		{http.MethodGet, "/tickets/{id}/collaborators", agent.PermWorkTickets, s.listCollaborators, false},
		{http.MethodPost, "/tickets/{id}/collaborators", agent.PermWorkTickets, s.addCollaborator, false},
		{http.MethodDelete, "/tickets/{id}/collaborators/{agent}", agent.PermWorkTickets, s.removeCollaborator, false},
		{http.MethodGet, "/tickets/{id}/messages", agent.PermWorkTickets, s.listMessages, false},
		{http.MethodPost, "/tickets/{id}/reply", agent.PermWorkTickets, s.replyTicket, true},
		{http.MethodPost, "/tickets/{id}/notes", agent.PermWorkTickets, s.addNote, false},
		{http.MethodGet, "/tickets/{id}/events", agent.PermWorkTickets, s.listEvents, false},
		{http.MethodGet, "/tickets/{id}/followup", agent.PermWorkTickets, s.getFollowUp, false},
		{http.MethodPost, "/tickets/{id}/followup/decide", agent.PermWorkTickets, s.decideFollowUp, false},
		{http.MethodGet, "/tickets/{id}/promises", agent.PermWorkTickets, s.listPromises, false},
		{http.MethodPost, "/tickets/{id}/promises", agent.PermWorkTickets, s.makePromise, false},
		{http.MethodPost, "/tickets/{id}/promises/{pid}/keep", agent.PermWorkTickets, s.keepPromise, false},
		{http.MethodPost, "/tickets/{id}/promises/{pid}/cancel", agent.PermWorkTickets, s.cancelPromise, false},

		// The caller's notifications
		{http.MethodGet, "/notifications", agent.PermWorkTickets, s.listNotifications, false},
		{http.MethodPost, "/notifications/read", agent.PermWorkTickets, s.markNotificationsRead, false},

		// Single sign-on providers and two-factor by role (admins)
		{http.MethodGet, "/sso/providers", agent.PermManageSettings, s.listSSOProviders, false},
		{http.MethodPost, "/sso/providers", agent.PermManageSettings, s.createSSOProvider, false},
		{http.MethodGet, "/sso/providers/{id}", agent.PermManageSettings, s.getSSOProvider, false},
		{http.MethodPut, "/sso/providers/{id}", agent.PermManageSettings, s.updateSSOProvider, false},
		{http.MethodDelete, "/sso/providers/{id}", agent.PermManageSettings, s.deleteSSOProvider, false},
		{http.MethodGet, "/settings/two-factor", agent.PermManageSettings, s.getTwoFactorRoles, false},
		{http.MethodPut, "/settings/two-factor", agent.PermManageSettings, s.putTwoFactorRoles, false},
		// Live-chat widgets (admins, issue 15)
		{http.MethodGet, "/widgets", agent.PermManageSettings, s.listWidgets, false},
		{http.MethodPost, "/widgets", agent.PermManageSettings, s.createWidget, false},
		{http.MethodPut, "/widgets/{id}", agent.PermManageSettings, s.updateWidget, false},
		{http.MethodDelete, "/widgets/{id}", agent.PermManageSettings, s.deleteWidget, false},
		{http.MethodPost, "/widgets/{id}/rotate-secret", agent.PermManageSettings, s.rotateWidgetSecret, false},

		// Outbound webhooks (admins)
		{http.MethodGet, "/webhooks", agent.PermManageSettings, s.listWebhooks, false},
		{http.MethodPost, "/webhooks", agent.PermManageSettings, s.createWebhook, false},
		{http.MethodGet, "/webhooks/{id}", agent.PermManageSettings, s.getWebhook, false},
		{http.MethodPut, "/webhooks/{id}", agent.PermManageSettings, s.updateWebhook, false},
		{http.MethodDelete, "/webhooks/{id}", agent.PermManageSettings, s.deleteWebhook, false},
		{http.MethodPost, "/webhooks/{id}/rotate-secret", agent.PermManageSettings, s.rotateWebhookSecret, false},
		{http.MethodPost, "/webhooks/{id}/ping", agent.PermManageSettings, s.pingWebhook, false},
		{http.MethodGet, "/webhooks/{id}/deliveries", agent.PermManageSettings, s.listWebhookDeliveries, false},
		{http.MethodPost, "/webhooks/{id}/deliveries/{delivery}/replay", agent.PermManageSettings, s.replayWebhookDelivery, false},
		// Imports from other help desks (admins): their reports
		{http.MethodGet, "/imports", agent.PermManageSettings, s.listImports, false},
		{http.MethodGet, "/imports/{id}", agent.PermManageSettings, s.getImport, false},

		// The knowledge base (issue 16)
		{http.MethodGet, "/kb/articles", agent.PermWorkTickets, s.listKBArticles, false},
		{http.MethodPost, "/kb/articles", agent.PermManageKB, s.createKBArticle, false},
		{http.MethodGet, "/kb/articles/{id}", agent.PermWorkTickets, s.getKBArticle, false},
		{http.MethodPut, "/kb/articles/{id}", agent.PermManageKB, s.saveKBText, false},
		{http.MethodPost, "/kb/articles/{id}/publish", agent.PermManageKB, s.publishKBArticle, false},
		{http.MethodGet, "/kb/search", agent.PermWorkTickets, s.searchKB, false},
		// Saved replies (canned responses)
		{http.MethodGet, "/saved-replies", agent.PermWorkTickets, s.listSavedReplies, false},
		{http.MethodPost, "/saved-replies", agent.PermManageSavedReplies, s.createSavedReply, false},
		{http.MethodGet, "/saved-replies/{id}", agent.PermWorkTickets, s.getSavedReply, false},
		{http.MethodPut, "/saved-replies/{id}", agent.PermManageSavedReplies, s.updateSavedReply, false},
		{http.MethodDelete, "/saved-replies/{id}", agent.PermManageSavedReplies, s.deleteSavedReply, false},

		// Inbound messages from other channels
		{http.MethodPost, "/inbound/message", agent.PermWorkTickets, s.inboundMessage, false},
		{http.MethodPost, "/inbound/email", agent.PermWorkTickets, s.inboundEmail, true},

		// Customers
		{http.MethodGet, "/customers", agent.PermWorkTickets, s.listCustomers, false},
		{http.MethodPost, "/customers", agent.PermWorkTickets, s.createCustomer, false},
		{http.MethodGet, "/customers/{id}", agent.PermWorkTickets, s.getCustomer, false},
		{http.MethodPatch, "/customers/{id}", agent.PermWorkTickets, s.updateCustomer, false},
		{http.MethodPost, "/customers/{id}/identities", agent.PermWorkTickets, s.addIdentity, false},
		{http.MethodPut, "/customers/{id}/referrer", agent.PermWorkTickets, s.setReferrer, false},
		{http.MethodGet, "/customers/{id}/purchases", agent.PermWorkTickets, s.customerPurchases, false},

		// Purchases, and the webhook of point-of-sale and shop systems
		// (authenticated by an HMAC signature of the body, not a token)
		{http.MethodPost, "/purchases", agent.PermWorkTickets, s.createPurchases, false},
		{http.MethodPost, "/hooks/purchases", public, s.purchaseHook, false},

		// Agents
		{http.MethodGet, "/me", agent.PermWorkTickets, s.getMe, false},
		{http.MethodPatch, "/me", agent.PermWorkTickets, s.updateMe, false},
		{http.MethodGet, "/agents", agent.PermWorkTickets, s.listAgents, false},
		{http.MethodPost, "/agents", agent.PermManageAgents, s.createAgent, false},
		{http.MethodGet, "/agents/{id}", agent.PermWorkTickets, s.getAgent, false},
		{http.MethodPatch, "/agents/{id}", agent.PermManageAgents, s.updateAgent, false},
		// Goals with their progress (issue 7): an agent's own, or anyone's for managers
		{http.MethodGet, "/agents/{id}/goals", agent.PermWorkTickets, s.agentGoals, false},

		// Teams
		{http.MethodGet, "/teams", agent.PermWorkTickets, s.listTeams, false},
		{http.MethodPost, "/teams", agent.PermManageTeams, s.createTeam, false},
		{http.MethodPatch, "/teams/{id}", agent.PermManageTeams, s.updateTeam, false},
		{http.MethodDelete, "/teams/{id}", agent.PermManageTeams, s.deleteTeam, false},
		{http.MethodPut, "/teams/{id}/members", agent.PermManageTeams, s.setTeamMembers, false},

		// Settings of the business: who automatic assignment serves first
		{http.MethodGet, "/settings/routing", agent.PermManageSettings, s.getRoutingSettings, false},
		{http.MethodPut, "/settings/routing", agent.PermManageSettings, s.putRoutingSettings, false},
		// Who the business is: name, sender, signature, logo, time zone,
		// languages served and the register of each (issue 13)
		{http.MethodGet, "/settings/business", agent.PermManageSettings, s.getBusinessSettings, false},
		{http.MethodPut, "/settings/business", agent.PermManageSettings, s.putBusinessSettings, false},

		// Compensation within limits: granted or requested from a ticket;
		// the ledger and the managers' decisions (issue 12)
		{http.MethodGet, "/tickets/{id}/compensations", agent.PermWorkTickets, s.ticketCompensations, false},
		{http.MethodPost, "/tickets/{id}/compensations", agent.PermWorkTickets, s.grantCompensation, false},
		{http.MethodGet, "/compensations", agent.PermViewReports, s.listCompensations, false},
		{http.MethodPost, "/compensations/{id}/approve", agent.PermViewReports, s.approveCompensation, false},
		{http.MethodPost, "/compensations/{id}/decline", agent.PermViewReports, s.declineCompensation, false},
		// Root causes and prevention (issue 12)
		{http.MethodGet, "/causes", agent.PermWorkTickets, s.listCauses, false},
		{http.MethodPost, "/causes", agent.PermWorkTickets, s.createCause, false},
		{http.MethodGet, "/causes/{id}", agent.PermWorkTickets, s.getCause, false},
		{http.MethodPut, "/causes/{id}", agent.PermWorkTickets, s.putCause, false},
		{http.MethodPatch, "/causes/{id}", agent.PermWorkTickets, s.patchCause, false},
		{http.MethodPost, "/causes/{id}/done", agent.PermWorkTickets, s.causeDone, false},
		{http.MethodPost, "/tickets/{id}/causes", agent.PermWorkTickets, s.linkCause, false},

		// Metrics: the manager's dashboard as JSON (issue 5)
		{http.MethodGet, "/metrics", agent.PermViewReports, s.getMetrics, false},

		// API tokens (issue 17): the caller's own; everyone's for admins
		{http.MethodGet, "/tokens", agent.PermWorkTickets, s.listTokens, false},
		{http.MethodPost, "/tokens", agent.PermWorkTickets, s.createToken, false},
		{http.MethodDelete, "/tokens/{id}", agent.PermWorkTickets, s.revokeToken, false},
		{http.MethodGet, "/agents/{id}/tokens", agent.PermManageAgents, s.agentTokens, false},
		{http.MethodDelete, "/agents/{id}/tokens/{token}", agent.PermManageAgents, s.revokeAgentToken, false},
		// Customers' erasure requests from the portal (issue 16, admins):
		// approving anonymises the customer
		{http.MethodGet, "/erasure-requests", agent.PermManageSettings, s.listErasure, false},
		{http.MethodPost, "/erasure-requests/{id}/approve", agent.PermManageSettings, s.approveErasure, false},
		{http.MethodPost, "/erasure-requests/{id}/decline", agent.PermManageSettings, s.declineErasure, false},
		// The audit log (issue 17)
		{http.MethodGet, "/audit", agent.PermViewAudit, s.listAudit, false},
	}
}
