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

// portalCustomer marks a route of the customer portal: it needs a portal
// session (its own cookie, not an agent's), whose CSRF token every POST
// carries; wrap enforces both.
const portalCustomer agent.Permission = "portal_customer"

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

		// The first run, while no admin exists (issue 13): its own
		// double-submit CSRF token, as the login form
		{"GET /setup", public, s.needs(s.setup != nil, s.setupPage)},
		{"POST /setup", public, s.needs(s.setup != nil, s.setupSubmit)},

		// Public contact form (issue 3)
		{"GET /contact", public, s.needs(s.intake != nil, s.contactPage)},
		{"POST /contact", public, s.needs(s.intake != nil, s.contactSubmit)},
		{"GET /contact/thanks", public, s.needs(s.intake != nil, s.contactThanks)},

		// Phone log
		{"GET /calls/new", agent.PermWorkTickets, s.needs(s.intake != nil, s.callPage)},
		{"POST /calls", agent.PermWorkTickets, s.needs(s.intake != nil, s.callLog)},

		// Notifications of the signed-in agent
		{"GET /notifications", agent.PermWorkTickets, s.needs(s.sla != nil, s.notificationsPage)},
		{"POST /notifications/read", agent.PermWorkTickets, s.needs(s.sla != nil, s.notificationsRead)},

		// Live updates of open pages (issue 15): the stream (WebSocket, else
		// Server-Sent Events) of kinds and ids, and the fragments the page
		// script fetches when it hears of a change
		{"GET /live", agent.PermWorkTickets, s.needs(s.live != nil, s.liveStream)},
		{"GET /inbox/rows/{id}", agent.PermWorkTickets, s.inboxRow},
		{"GET /notifications/badge", agent.PermWorkTickets, s.needs(s.sla != nil, s.notificationsBadge)},

		// Live chat (issue 15): the widgets a business embeds, and the
		// agent's typing and read state on a chat ticket
		{"GET /admin/widget", agent.PermManageSettings, s.needs(s.chat != nil, s.adminWidgets)},
		{"POST /admin/widget", agent.PermManageSettings, s.needs(s.chat != nil, s.adminWidgetCreate)},
		{"POST /admin/widget/{id}", agent.PermManageSettings, s.needs(s.chat != nil, s.adminWidgetSave)},
		{"POST /admin/widget/{id}/secret", agent.PermManageSettings, s.needs(s.chat != nil, s.adminWidgetSecret)},
		{"POST /admin/widget/{id}/delete", agent.PermManageSettings, s.needs(s.chat != nil, s.adminWidgetDelete)},
		{"POST /tickets/{id}/chat/typing", agent.PermWorkTickets, s.needs(s.chat != nil, s.chatTyping)},
		{"POST /tickets/{id}/chat/read", agent.PermWorkTickets, s.needs(s.chat != nil, s.chatRead)},

		// Inbox and search
		{"GET /{$}", agent.PermWorkTickets, s.inbox},
		{"GET /search", agent.PermWorkTickets, s.search},

		// Tickets
		{"GET /tickets/{id}", agent.PermWorkTickets, s.ticketPage},
		{"GET /tickets/{id}/next", agent.PermWorkTickets, s.ticketNext},
		{"GET /tickets/{id}/previous", agent.PermWorkTickets, s.ticketPrevious},
		{"POST /tickets/{id}/reply", agent.PermWorkTickets, s.ticketReply},
		{"POST /tickets/{id}/compose", agent.PermWorkTickets, s.needs(s.saved != nil, s.ticketCompose)},
		{"POST /tickets/{id}/notes", agent.PermWorkTickets, s.ticketNote},
		{"POST /tickets/{id}/assign", agent.PermWorkTickets, s.ticketAssign},
		{"POST /tickets/{id}/transfer", agent.PermWorkTickets, s.ticketTransfer},
		{"POST /tickets/{id}/update", agent.PermWorkTickets, s.ticketUpdate},
		{"POST /tickets/{id}/tags", agent.PermWorkTickets, s.ticketTags},
		{"POST /tickets/{id}/snooze", agent.PermWorkTickets, s.ticketSnooze},
		{"POST /tickets/{id}/unsnooze", agent.PermWorkTickets, s.ticketUnsnooze},
		{"POST /tickets/{id}/promises", agent.PermWorkTickets, s.ticketPromise},
		{"POST /tickets/{id}/promises/{pid}/keep", agent.PermWorkTickets, s.ticketPromiseKeep},
		{"POST /tickets/{id}/promises/{pid}/cancel", agent.PermWorkTickets, s.ticketPromiseCancel},
		{"POST /tickets/{id}/followup/decide", agent.PermWorkTickets, s.ticketFollowUpDecide},
		{"POST /tickets/{id}/collaborators", agent.PermWorkTickets, s.ticketCollabAdd},
		{"POST /tickets/{id}/collaborators/{agent}/delete", agent.PermWorkTickets, s.ticketCollabRemove},
		{"POST /tickets/{id}/presence", agent.PermWorkTickets, s.ticketPresence},
		// Live chat for agents (chat.go)
		{"POST /tickets/{id}/end-chat", agent.PermWorkTickets, s.ticketEndChat},
		{"GET /chats", agent.PermWorkTickets, s.needs(s.router != nil, s.chatsPage)},
		{"GET /chats/ringing", agent.PermWorkTickets, s.needs(s.router != nil, s.chatsRinging)},
		{"POST /chats/sound", agent.PermWorkTickets, s.needs(s.router != nil, s.chatsSound)},
		{"GET /tickets/{id}/attachments/{file}", agent.PermWorkTickets, s.ticketAttachment},
		{"GET /tickets/{id}/messages/{message}/original", agent.PermWorkTickets, s.messageOriginal},

		// Reply quality in the composer: findings beside the draft (issue 7)
		{"POST /tickets/{id}/analyze", agent.PermWorkTickets, s.needs(s.quality != nil, s.ticketAnalyze)},
		{"POST /tickets/{id}/check", agent.PermWorkTickets, s.needs(s.quality != nil, s.ticketCheck)},
		{"POST /tickets/{id}/findings/dismiss", agent.PermWorkTickets, s.needs(s.quality != nil && s.reviews != nil, s.ticketDismiss)},

		// Customers
		{"GET /customers", agent.PermWorkTickets, s.customersPage},
		{"GET /customers/{id}", agent.PermWorkTickets, s.customerPage},
		{"POST /customers/{id}", agent.PermWorkTickets, s.customerUpdate},
		{"POST /customers/{id}/identities", agent.PermWorkTickets, s.customerAddIdentity},
		{"POST /customers/{id}/referrer", agent.PermWorkTickets, s.customerReferrer},
		{"POST /customers/{id}/identities/{identity}/delete", agent.PermWorkTickets, s.customerRemoveIdentity},

		// Purchases and re-commitments (issue 6)
		{"GET /customers/{id}/purchases", agent.PermWorkTickets, s.needs(s.loyaltyOn(), s.customerPurchases)},
		{"POST /tickets/{id}/recommit", agent.PermWorkTickets, s.needs(s.loyaltyOn(), s.ticketRecommit)},
		{"POST /tickets/{id}/recommitments/{rid}", agent.PermWorkTickets, s.needs(s.loyaltyOn(), s.ticketRecommitDecide)},

		// Preferences of the signed-in agent
		{"GET /preferences", agent.PermWorkTickets, s.preferencesPage},
		{"POST /preferences", agent.PermWorkTickets, s.preferencesSave},
		{"POST /preferences/time-zone", agent.PermWorkTickets, s.preferencesZone},

		// Admin: agents
		{"GET /admin/agents", agent.PermManageAgents, s.adminAgents},
		{"POST /admin/agents", agent.PermManageAgents, s.adminAgentCreate},
		{"GET /admin/agents/{id}", agent.PermManageAgents, s.adminAgentPage},
		{"POST /admin/agents/{id}", agent.PermManageAgents, s.adminAgentUpdate},
		{"POST /admin/agents/{id}/password", agent.PermManageAgents, s.adminAgentPassword},
		{"POST /admin/agents/{id}/capacity", agent.PermManageAgents, s.needs(s.router != nil, s.adminAgentCapacity)},

		// Admin: teams
		// Outbound webhooks (issue 17)
		{"GET /admin/webhooks", agent.PermManageSettings, s.needs(s.webhooks != nil, s.adminWebhooks)},
		{"POST /admin/webhooks", agent.PermManageSettings, s.needs(s.webhooks != nil, s.adminWebhookCreate)},
		{"GET /admin/webhooks/{id}", agent.PermManageSettings, s.needs(s.webhooks != nil, s.adminWebhookPage)},
		{"POST /admin/webhooks/{id}", agent.PermManageSettings, s.needs(s.webhooks != nil, s.adminWebhookUpdate)},
		{"POST /admin/webhooks/{id}/rotate", agent.PermManageSettings, s.needs(s.webhooks != nil, s.adminWebhookRotate)},
		{"POST /admin/webhooks/{id}/ping", agent.PermManageSettings, s.needs(s.webhooks != nil, s.adminWebhookPing)},
		{"POST /admin/webhooks/{id}/delete", agent.PermManageSettings, s.needs(s.webhooks != nil, s.adminWebhookDelete)},
		{"POST /admin/webhooks/{id}/deliveries/{delivery}/replay", agent.PermManageSettings, s.needs(s.webhooks != nil, s.adminWebhookReplay)},
		// Imports from other help desks (issue 17): their reports.
		{"GET /admin/imports", agent.PermManageSettings, s.needs(s.imports != nil, s.adminImports)},
		{"GET /admin/imports/{id}", agent.PermManageSettings, s.needs(s.imports != nil, s.adminImportPage)},

		// Saved replies the composer inserts (issue 13)
		{"GET /replies", agent.PermManageSavedReplies, s.needs(s.saved != nil, s.savedReplies)},
		{"POST /replies", agent.PermManageSavedReplies, s.needs(s.saved != nil, s.savedReplyCreate)},
		{"POST /replies/{id}", agent.PermManageSavedReplies, s.needs(s.saved != nil, s.savedReplyUpdate)},
		{"POST /replies/{id}/delete", agent.PermManageSavedReplies, s.needs(s.saved != nil, s.savedReplyDelete)},

		{"GET /admin/teams", agent.PermManageTeams, s.adminTeams},
		{"POST /admin/teams", agent.PermManageTeams, s.adminTeamCreate},
		{"GET /admin/teams/{id}", agent.PermManageTeams, s.adminTeamPage},
		{"POST /admin/teams/{id}", agent.PermManageTeams, s.adminTeamUpdate},
		{"POST /admin/teams/{id}/members", agent.PermManageTeams, s.adminTeamMembers},
		{"POST /admin/teams/{id}/delete", agent.PermManageTeams, s.adminTeamDelete},

		// Admin: who the business is (issue 13)
		{"GET /admin/business", agent.PermManageSettings, s.needs(s.business != nil, s.adminBusiness)},
		{"POST /admin/business", agent.PermManageSettings, s.needs(s.business != nil, s.adminBusinessSave)},

		// Admin: SLA policies and business-hours calendars
		{"GET /admin/sla", agent.PermManageSettings, s.needs(s.sla != nil, s.adminSLA)},
		{"POST /admin/sla/policies", agent.PermManageSettings, s.needs(s.sla != nil, s.adminPolicyCreate)},
		{"GET /admin/sla/policies/{id}", agent.PermManageSettings, s.needs(s.sla != nil, s.adminPolicyPage)},
		{"POST /admin/sla/policies/{id}", agent.PermManageSettings, s.needs(s.sla != nil, s.adminPolicyUpdate)},
		{"POST /admin/sla/policies/{id}/delete", agent.PermManageSettings, s.needs(s.sla != nil, s.adminPolicyDelete)},
		{"POST /admin/sla/calendars", agent.PermManageSettings, s.needs(s.sla != nil, s.adminCalendarCreate)},
		{"GET /admin/sla/calendars/{id}", agent.PermManageSettings, s.needs(s.sla != nil, s.adminCalendarPage)},
		{"POST /admin/sla/calendars/{id}", agent.PermManageSettings, s.needs(s.sla != nil, s.adminCalendarUpdate)},
		// Who is served first among waiting tickets, on the SLA page
		{"POST /admin/sla/routing", agent.PermManageSettings, s.needs(s.sla != nil && s.router != nil, s.adminRoutingSave)},

		// QA reviews, calibration, rubrics and scorecards (issue 7)
		{"GET /qa", agent.PermViewReports, s.needs(s.reviews != nil, s.qaPage)},
		{"GET /qa/review", agent.PermViewReports, s.needs(s.reviews != nil, s.qaPick)},
		{"GET /tickets/{id}/review", agent.PermViewReports, s.needs(s.reviews != nil, s.reviewPage)},
		{"POST /tickets/{id}/review", agent.PermViewReports, s.needs(s.reviews != nil, s.reviewSave)},
		{"GET /tickets/{id}/calibration", agent.PermViewReports, s.needs(s.reviews != nil, s.calibrationPage)},
		{"GET /admin/rubrics", agent.PermManageSettings, s.needs(s.reviews != nil, s.adminRubrics)},
		{"POST /admin/rubrics", agent.PermManageSettings, s.needs(s.reviews != nil, s.adminRubricCreate)},
		{"GET /admin/rubrics/new", agent.PermManageSettings, s.needs(s.reviews != nil, s.adminRubricNew)},
		{"GET /admin/rubrics/{id}", agent.PermManageSettings, s.needs(s.reviews != nil, s.adminRubricPage)},
		{"POST /admin/rubrics/{id}", agent.PermManageSettings, s.needs(s.reviews != nil, s.adminRubricUpdate)},
		// An agent sees their own scorecard; scorecardPage lets managers see anyone's.
		{"GET /agents/{id}/scorecard", agent.PermWorkTickets, s.needs(s.reviews != nil, s.scorecardPage)},

		// Customer surveys: public pages authorised by the link's token;
		// their settings; the employee pulse (issue 5)
		// The follow-up's yes / no page: public, authorised by the link's
		// token; GET only shows the question, POST records the answer.
		{"GET /followup/{token}", public, s.followUpPage},
		{"POST /followup/{token}", public, s.followUpAnswer},
		{"GET /survey/{token}", public, s.needs(s.surveys != nil, s.surveyPage)},
		{"POST /survey/{token}", public, s.needs(s.surveys != nil, s.surveySubmit)},
		{"GET /survey/{token}/thanks", public, s.needs(s.surveys != nil, s.surveyThanks)},
		{"GET /admin/surveys", agent.PermManageSettings, s.needs(s.surveys != nil, s.adminSurveys)},
		{"POST /admin/surveys", agent.PermManageSettings, s.needs(s.surveys != nil, s.adminSurveysSave)},
		{"GET /admin/surveys/preview", agent.PermManageSettings, s.needs(s.surveys != nil, s.adminSurveysPreview)},
		{"GET /pulse", agent.PermWorkTickets, s.needs(s.surveys != nil, s.pulsePage)},
		{"POST /pulse/{id}", agent.PermWorkTickets, s.needs(s.surveys != nil, s.pulseAnswer)},
		{"GET /manage/pulse", agent.PermViewReports, s.needs(s.surveys != nil, s.pulseManage)},
		{"POST /manage/pulse", agent.PermViewReports, s.needs(s.surveys != nil, s.pulseCreate)},
		{"GET /manage/pulse/{id}", agent.PermViewReports, s.needs(s.surveys != nil, s.pulseResults)},
		{"POST /manage/pulse/{id}/close", agent.PermViewReports, s.needs(s.surveys != nil, s.pulseClose)},

		// Manager's dashboard and the feedback record (issue 5)
		{"GET /dashboard", agent.PermViewReports, s.needs(s.metrics != nil, s.dashboardPage)},
		{"GET /dashboard/kpis.csv", agent.PermViewReports, s.needs(s.metrics != nil, s.dashboardKPIs)},
		{"GET /dashboard/agents.csv", agent.PermViewReports, s.needs(s.metrics != nil, s.dashboardAgents)},
		{"GET /feedback", agent.PermViewReports, s.needs(s.metrics != nil, s.feedbackPage)},
		{"GET /feedback.csv", agent.PermViewReports, s.needs(s.metrics != nil, s.feedbackExport)},

		// Customers at risk of churning, for managers (issue 6)
		{"GET /manage/at-risk", agent.PermViewReports, s.needs(s.churn != nil, s.atRiskPage)},
		{"GET /manage/at-risk.csv", agent.PermViewReports, s.needs(s.churn != nil, s.atRiskExport)},

		// Goals, recognition and the service standard (issue 7)
		{"GET /team", agent.PermWorkTickets, s.needs(s.goals != nil, s.teamPage)},
		{"POST /team/kudos", agent.PermWorkTickets, s.needs(s.goals != nil, s.teamKudosGive)},
		{"POST /preferences/leaderboard", agent.PermWorkTickets, s.needs(s.goals != nil, s.leaderboardSave)},
		{"GET /manage/goals", agent.PermViewReports, s.needs(s.goals != nil, s.goalsManagePage)},
		{"POST /manage/goals", agent.PermViewReports, s.needs(s.goals != nil, s.goalCreate)},
		{"POST /manage/goals/{id}/delete", agent.PermViewReports, s.needs(s.goals != nil, s.goalDelete)},
		{"GET /standard", agent.PermWorkTickets, s.needs(s.goals != nil, s.standardPage)},
		{"POST /standard/ack", agent.PermWorkTickets, s.needs(s.goals != nil, s.standardAck)},
		{"GET /admin/standard", agent.PermManageSettings, s.needs(s.goals != nil, s.adminStandard)},
		{"POST /admin/standard", agent.PermManageSettings, s.needs(s.goals != nil, s.adminStandardSave)},

		// Compensation within limits: the ticket's card, the settings, the
		// managers' requests and ledger (issue 12)
		{"POST /tickets/{id}/compensations", agent.PermWorkTickets, s.needs(s.recovery != nil, s.ticketCompensate)},
		{"GET /admin/compensation", agent.PermManageSettings, s.needs(s.recovery != nil, s.adminCompensation)},
		{"POST /admin/compensation", agent.PermManageSettings, s.needs(s.recovery != nil, s.adminCompensationSave)},
		{"GET /manage/compensation", agent.PermViewReports, s.needs(s.recovery != nil, s.compensationManage)},
		{"GET /manage/compensation.csv", agent.PermViewReports, s.needs(s.recovery != nil, s.compensationExport)},
		{"POST /manage/compensation/{id}/approve", agent.PermViewReports, s.needs(s.recovery != nil, s.compensationApprove)},
		{"POST /manage/compensation/{id}/decline", agent.PermViewReports, s.needs(s.recovery != nil, s.compensationDecline)},
		// Root causes and prevention (issue 12)
		{"POST /tickets/{id}/causes", agent.PermWorkTickets, s.needs(s.recovery != nil, s.ticketCauseCreate)},
		{"POST /tickets/{id}/causes/link", agent.PermWorkTickets, s.needs(s.recovery != nil, s.ticketCauseLink)},
		{"POST /causes/{id}/done", agent.PermWorkTickets, s.needs(s.recovery != nil, s.causeDone)},
		{"POST /causes/{id}", agent.PermWorkTickets, s.needs(s.recovery != nil, s.causeEdit)},
		{"GET /manage/causes", agent.PermViewReports, s.needs(s.recovery != nil, s.causesPage)},

		// API tokens: the agent's own on the preferences page, everyone's
		// for admins; the audit log (issue 17)
		// Two-factor authentication (issue 17): the sign-in's second step
		// (public: there is no session yet, only the pending sign-in's
		// cookie) and the agent's own enrolment on the preferences page.
		// Single sign-on with OpenID Connect, two-factor by role (issue 17)
		{"GET /login/sso/{id}", public, s.needs(s.sso != nil, s.ssoBegin)},
		{"GET /login/sso/callback", public, s.needs(s.sso != nil, s.ssoCallback)},
		{"GET /admin/sso", agent.PermManageSettings, s.needs(s.sso != nil, s.adminSSO)},
		{"POST /admin/sso", agent.PermManageSettings, s.needs(s.sso != nil, s.adminSSOCreate)},
		{"GET /admin/sso/{id}", agent.PermManageSettings, s.needs(s.sso != nil, s.adminSSOPage)},
		{"POST /admin/sso/{id}", agent.PermManageSettings, s.needs(s.sso != nil, s.adminSSOUpdate)},
		{"POST /admin/sso/{id}/delete", agent.PermManageSettings, s.needs(s.sso != nil, s.adminSSODelete)},
		{"POST /admin/two-factor-roles", agent.PermManageSettings, s.needs(s.sso != nil, s.adminTwoFactorRoles)},

		{"GET /login/code", public, s.loginCodePage},
		{"POST /login/code", public, s.loginCode},
		{"POST /preferences/2fa/begin", agent.PermWorkTickets, s.twoFactorBegin},
		{"POST /preferences/2fa/confirm", agent.PermWorkTickets, s.twoFactorConfirm},
		{"POST /preferences/2fa/disable", agent.PermWorkTickets, s.twoFactorDisable},
		{"POST /admin/agents/{id}/2fa/reset", agent.PermManageAgents, s.adminTwoFactorReset},
		{"POST /preferences/tokens", agent.PermWorkTickets, s.tokenCreate},
		{"POST /preferences/tokens/{id}/revoke", agent.PermWorkTickets, s.tokenRevokeOwn},
		{"GET /admin/tokens", agent.PermManageAgents, s.adminTokens},
		{"POST /admin/tokens/{id}/revoke", agent.PermManageAgents, s.adminTokenRevoke},
		{"GET /admin/audit", agent.PermViewAudit, s.needs(s.audit != nil, s.adminAudit)},
		{"GET /admin/audit.csv", agent.PermViewAudit, s.needs(s.audit != nil, s.adminAuditCSV)},

		// The customer portal (issue 16): sign-in by a mailed link (public),
		// then the customer's own pages; erasure requests for admins
		{"GET /portal/signin", public, s.needs(s.portal != nil, s.portalSignInPage)},
		{"POST /portal/signin", public, s.needs(s.portal != nil, s.portalSignIn)},
		{"GET /portal/link/{token}", public, s.needs(s.portal != nil, s.portalLinkPage)},
		{"POST /portal/link/{token}", public, s.needs(s.portal != nil, s.portalLinkRedeem)},
		{"GET /portal", portalCustomer, s.needs(s.portal != nil, s.portalHome)},
		{"GET /portal/tickets/{id}", portalCustomer, s.needs(s.portal != nil, s.portalTicket)},
		{"POST /portal/tickets/{id}/reply", portalCustomer, s.needs(s.portal != nil, s.portalReply)},
		{"POST /portal/tickets", portalCustomer, s.needs(s.portal != nil && s.intake != nil, s.portalNewRequest)},
		{"POST /portal/preferences", portalCustomer, s.needs(s.portal != nil, s.portalPreferences)},
		{"GET /portal/export.json", portalCustomer, s.needs(s.portal != nil, s.portalExport)},
		{"POST /portal/erasure", portalCustomer, s.needs(s.portal != nil, s.portalErasure)},
		{"POST /portal/signout", portalCustomer, s.needs(s.portal != nil, s.portalSignOut)},
		{"GET /admin/erasure", agent.PermManageSettings, s.needs(s.portal != nil, s.adminErasure)},
		{"POST /admin/erasure/{id}/approve", agent.PermManageSettings, s.needs(s.portal != nil, s.adminErasureApprove)},
		{"POST /admin/erasure/{id}/decline", agent.PermManageSettings, s.needs(s.portal != nil, s.adminErasureDecline)},
		// The knowledge base and public help center (issue 16): public
		// pages (the vote form has its own double-submit CSRF token, as the
		// contact form), the editors' pages, the report, the composer's
		// "turn this reply into an article"
		{"GET /help", public, s.needs(s.kb != nil, s.helpRoot)},
		{"GET /help/sitemap.xml", public, s.needs(s.kb != nil, s.helpSitemap)},
		{"GET /help/theme.css", public, s.needs(s.kb != nil, s.helpTheme)},
		{"GET /help/suggest", public, s.needs(s.kb != nil, s.helpSuggest)},
		{"GET /help/{lang}", public, s.needs(s.kb != nil, s.helpHome)},
		{"GET /help/{lang}/categories/{slug}", public, s.needs(s.kb != nil, s.helpCategoryPage)},
		{"GET /help/{lang}/articles/{slug}", public, s.needs(s.kb != nil, s.helpArticle)},
		{"POST /help/{lang}/articles/{slug}/vote", public, s.needs(s.kb != nil, s.helpVote)},
		{"GET /help/{lang}/search", public, s.needs(s.kb != nil, s.helpSearch)},
		{"GET /help/{lang}/standard", public, s.needs(s.kb != nil, s.helpStandard)},
		{"GET /help/{lang}/files/{id}", public, s.needs(s.kb != nil, s.helpFile)},
		{"GET /robots.txt", public, s.needs(s.kb != nil, s.robots)},
		{"GET /kb", agent.PermManageKB, s.needs(s.kb != nil, s.kbPage)},
		{"POST /kb/categories", agent.PermManageKB, s.needs(s.kb != nil, s.kbCategorySave)},
		{"POST /kb/categories/{id}", agent.PermManageKB, s.needs(s.kb != nil, s.kbCategorySave)},
		{"POST /kb/sections", agent.PermManageKB, s.needs(s.kb != nil, s.kbSectionSave)},
		{"POST /kb/sections/{id}", agent.PermManageKB, s.needs(s.kb != nil, s.kbSectionSave)},
		{"POST /kb/settings", agent.PermManageKB, s.needs(s.kb != nil, s.kbSettingsSave)},
		{"GET /kb/articles/new", agent.PermManageKB, s.needs(s.kb != nil, s.kbArticleNew)},
		{"POST /kb/articles", agent.PermManageKB, s.needs(s.kb != nil, s.kbArticleCreate)},
		{"GET /kb/articles/{id}", agent.PermManageKB, s.needs(s.kb != nil, s.kbArticlePage)},
		{"POST /kb/articles/{id}", agent.PermManageKB, s.needs(s.kb != nil, s.kbArticleSave)},
		{"POST /kb/articles/{id}/settings", agent.PermManageKB, s.needs(s.kb != nil, s.kbArticleMeta)},
		{"POST /kb/articles/{id}/publish", agent.PermManageKB, s.needs(s.kb != nil, s.kbArticlePublish)},
		{"POST /kb/articles/{id}/unpublish", agent.PermManageKB, s.needs(s.kb != nil, s.kbArticlePublish)},
		{"POST /kb/articles/{id}/files", agent.PermManageKB, s.needs(s.kb != nil, s.kbArticleFile)},
		{"GET /kb/report", agent.PermViewReports, s.needs(s.kb != nil, s.kbReport)},
		{"POST /tickets/{id}/messages/{message}/article", agent.PermManageKB, s.needs(s.kb != nil, s.ticketToArticle)},

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

// needs is h when the optional service it depends on is there (ok), else
// a page that does not exist.
func (s *server) needs(ok bool, h handlerFunc) handlerFunc {
	if !ok {
		return s.notFound
	}
	return h
}

// notFound answers every path no route matches.
func (s *server) notFound(_ http.ResponseWriter, _ *http.Request, _ *reqCtx) error {
	return errNotFound
}
