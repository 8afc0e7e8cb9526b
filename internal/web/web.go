// Package web is Rapport's server-rendered HTML UI for agents, managers and
// admins: login, inbox, tickets, customers, preferences and the admin pages.
// Every page is an html/template parsed once at start; every action is a
// plain form that posts and redirects, so the UI works without JavaScript.
//
// The package is larger than the 3,000 lines of non-test code the project
// allows itself elsewhere, on purpose: it is one file per page or action,
// and every page shares the templates, the session and CSRF middleware and
// the one route table (routes.go) that decides who may do what. Splitting
// it would spread that table and the rendering over packages that must
// export their internals to each other.
package web

import (
	"embed"
	"errors"
	"io/fs"
	"log/slog"
	"net/http"
	"strings"
	"sync/atomic"

	"github.com/rapport/rapport/internal/agent"
	"github.com/rapport/rapport/internal/attachment"
	"github.com/rapport/rapport/internal/audit"
	"github.com/rapport/rapport/internal/business"
	"github.com/rapport/rapport/internal/chat"
	"github.com/rapport/rapport/internal/churn"
	"github.com/rapport/rapport/internal/clientaddr"
	"github.com/rapport/rapport/internal/clv"
	"github.com/rapport/rapport/internal/customer"
	"github.com/rapport/rapport/internal/customer360"
	"github.com/rapport/rapport/internal/goals"
	"github.com/rapport/rapport/internal/i18n"
	"github.com/rapport/rapport/internal/importer"
	"github.com/rapport/rapport/internal/intake"
	"github.com/rapport/rapport/internal/jobs"
	"github.com/rapport/rapport/internal/kb"
	"github.com/rapport/rapport/internal/metrics"
	"github.com/rapport/rapport/internal/portal"
	"github.com/rapport/rapport/internal/purchases"
	"github.com/rapport/rapport/internal/quality"
	"github.com/rapport/rapport/internal/ratelimit"
	"github.com/rapport/rapport/internal/realtime"
	"github.com/rapport/rapport/internal/recommit"
	"github.com/rapport/rapport/internal/recovery"
	"github.com/rapport/rapport/internal/routing"
	"github.com/rapport/rapport/internal/savedreply"
	"github.com/rapport/rapport/internal/setup"
	"github.com/rapport/rapport/internal/sla"
	"github.com/rapport/rapport/internal/sso"
	"github.com/rapport/rapport/internal/survey"
	"github.com/rapport/rapport/internal/ticket"
	"github.com/rapport/rapport/internal/webhook"
)

// DefaultMaxBodyBytes is the request body limit when Opts.MaxBodyBytes is 0.
const DefaultMaxBodyBytes = 1 << 20

// Opts are the dependencies and settings of the web UI.
type Opts struct {
	Agents        *agent.Service
	Customers     *customer.Service
	Tickets       *ticket.Service
	I18n          *i18n.Catalog
	Clock         jobs.Clock   // nil means the wall clock
	Log           *slog.Logger // carrying component=web, as the app passes it; nil discards
	SecureCookies bool         // mark cookies Secure (when served over HTTPS)
	Version       string       // shown in the footer and used to bust static caches
	MaxBodyBytes  int64        // default DefaultMaxBodyBytes
	// Optional services; nil hides what they offer.
	Intake *intake.Service // the public contact form, the phone log, and original messages
	// Attachments lists and serves the files that came with messages.
	Attachments *attachment.Service
	SLA         *sla.Service    // deadlines in the inbox and on tickets, notifications, the SLA admin
	Router      *routing.Router // agents' capacity; assignment when an agent comes online
	// Quality reads draft replies in the composer; Reviews keeps dismissed
	// findings, QA rubrics, reviews and scorecards. nil hides them.
	Quality *quality.Analyzer
	Reviews *quality.Reviews
	// Purchases, Values, Recommits and Customer360 show purchases,
	// lifetime value and churn risk beside tickets and record
	// re-commitments; any of them nil hides all of that.
	Purchases   *purchases.Service
	Values      *clv.Service
	Recommits   *recommit.Service
	Customer360 *customer360.Service
	// Churn lists the customers most at risk for managers; nil hides it.
	Churn *churn.Scorer
	// Recovery keeps compensation: the ticket's "Make it right" card, its
	// settings, the managers' ledger; nil hides them.
	Recovery *recovery.Service
	// Surveys serves the customer survey pages, their admin settings and
	// the employee pulse; nil hides them.
	Surveys *survey.Service
	// Metrics serves the manager's dashboard and the feedback record; nil hides them.
	Metrics *metrics.Service
	// Goals keeps goals, kudos, the leaderboard and the service standard;
	// nil hides them.
	Goals *goals.Service
	// Business is who the business is, edited at /admin/business, and its
	// time zone, in which agents who set none read times and customers
	// whose zone is unknown are told them; nil hides the page and means UTC.
	Business *business.Service
	// Setup is the first run: while no admin exists every page leads to
	// /setup; nil turns that off.
	Setup *setup.Service
	// Mailbox is the support address, the sender of the setup's test mail.
	Mailbox string
	// Audit is the audit log /admin/audit reads; nil hides the page.
	Audit *audit.Log
	// Saved keeps the saved replies of the composer's picker and their
	// page; nil hides both.
	Saved *savedreply.Service
	// Webhooks keeps the outbound webhooks (/admin/webhooks); nil hides them.
	Webhooks *webhook.Service
	// Imports reads the imports from other help desks (/admin/imports);
	// nil hides the pages.
	Imports *importer.Runs
	// Live is the node's realtime broker: pages update without a reload
	// (issue 15); nil leaves them as they were served.
	Live *realtime.Broker
	// Chat keeps the live-chat widgets (/admin/widget) and carries the
	// agents' typing and read state to visitors (issue 15); nil hides them.
	Chat *chat.Service

	// Portal is the customer portal at /portal and the admins' erasure
	// requests (issue 16); nil hides both.
	Portal *portal.Service

	// Abuse (issue 17). Limits keeps the public pages' rate limits in the
	// database (required); TrustedProxies decides when a forwarding
	// header names the client (see clientAddr).
	Limits         *ratelimit.Limiter
	TrustedProxies clientaddr.Proxies

	// Require2FA lists the roles whose agents must have two-factor
	// authentication on: one without it is sent to enrol first (issue 17).
	Require2FA []agent.Role
	// SSO keeps the OpenID providers agents sign in with (/admin/sso, the
	// login page's buttons); nil hides both.
	SSO *sso.Service

	// KB is the knowledge base: the public help center at /help, its
	// editors' pages, the contact form's and the composer's suggestions
	// (issue 16); nil hides them. PublicURL is the address customers
	// reach the server at, for the help center's canonical links; ""
	// takes the request's host.
	KB        *kb.Service
	PublicURL string
}

//go:embed templates static
var assets embed.FS

// server holds what every handler needs.
type server struct {
	agents    *agent.Service
	customers *customer.Service
	tickets   *ticket.Service
	cat       *i18n.Catalog
	clock     jobs.Clock
	log       *slog.Logger
	secure    bool
	version   string
	maxBody   int64
	pages     map[string]pageTemplate
	static    http.Handler
	mux       *http.ServeMux
	intake    *intake.Service     // nil: no contact form, no phone log
	sla       *sla.Service        // nil: no deadlines, notifications or SLA admin
	router    *routing.Router     // nil: no capacity
	files     *attachment.Service // nil: attachments are not listed

	// Reply quality (issue 7)
	quality *quality.Analyzer // nil: no findings beside the draft
	reviews *quality.Reviews  // nil: no QA reviews, rubrics or scorecards

	// Purchases, lifetime value and re-commitments (issue 6)
	// nil (any of them): no customer-360 panel, see loyaltyOn
	purchases *purchases.Service
	values    *clv.Service
	recommits *recommit.Service
	panels    *customer360.Service
	churn     *churn.Scorer // nil: no at-risk list

	// Compensation within limits (issue 12)
	recovery *recovery.Service // nil: no compensation card, settings or ledger

	// Customer surveys and the employee pulse (issue 5)
	surveys *survey.Service // nil: no survey pages, settings or pulse

	// The manager's dashboard and the feedback record (issue 5)
	metrics *metrics.Service // nil: no dashboard or feedback record

	// Goals, recognition and the service standard (issue 7)
	goals *goals.Service // nil: no goals, team page or standard

	// Who the business is and the first run (issue 13)
	business *business.Service // nil: no business settings page; times in UTC for whoever set no zone
	setup    *setup.Service    // nil: no first run
	audit    *audit.Log        // nil: no audit log page (issue 17)
	setUp    atomic.Bool       // the first run is over: an admin exists
	mailbox  string
	// The composer's saved replies (issue 13)
	saved *savedreply.Service // nil: no picker, no saved-replies page
	// Outbound webhooks (issue 17)
	webhooks *webhook.Service // nil: no webhooks pages
	imports  *importer.Runs   // nil: no imports pages
	portal   *portal.Service  // nil: no customer portal, no erasure requests
	// Live updates of open pages (issue 15)
	live *realtime.Broker // nil: no /live, pages as served
	chat *chat.Service    // nil: no widget admin page, no chat typing

	// Abuse (issue 17)
	limits  *ratelimit.Limiter // the public pages' limits, in the database
	proxies clientaddr.Proxies // whose forwarding headers are believed

	require2FA map[agent.Role]bool // roles that must use two-factor authentication whatever the setting
	sso        *sso.Service        // nil: no single sign-on

	// The knowledge base and help center (issue 16)
	kb        *kb.Service // nil: no help center, no suggestions
	publicURL string      // "" : canonical links from the request's host
}

// New parses the templates and returns the handler serving the UI. It fails
// when a dependency or a template is missing or a template does not parse.
func New(o Opts) (http.Handler, error) {
	if o.Agents == nil || o.Customers == nil || o.Tickets == nil || o.I18n == nil || o.Limits == nil {
		return nil, errors.New("web: Agents, Customers, Tickets, I18n and Limits are required")
	}
	s := &server{
		agents:    o.Agents,
		customers: o.Customers,
		tickets:   o.Tickets,
		cat:       o.I18n,
		clock:     o.Clock,
		log:       o.Log,
		secure:    o.SecureCookies,
		version:   o.Version,
		maxBody:   o.MaxBodyBytes,
		mux:       http.NewServeMux(),
		intake:    o.Intake,
		sla:       o.SLA,
		router:    o.Router,
		files:     o.Attachments,
		saved:     o.Saved,
		webhooks:  o.Webhooks,
		imports:   o.Imports,
		live:      o.Live,
		chat:      o.Chat,
		quality:   o.Quality,
		reviews:   o.Reviews,
		purchases: o.Purchases,
		values:    o.Values,
		recommits: o.Recommits,
		panels:    o.Customer360,
		churn:     o.Churn,
		recovery:  o.Recovery,

		surveys:  o.Surveys,
		metrics:  o.Metrics,
		goals:    o.Goals,
		business: o.Business,
		setup:    o.Setup,
		audit:    o.Audit,
		mailbox:  o.Mailbox,
		limits:   o.Limits,
		proxies:  o.TrustedProxies,
		portal:   o.Portal,
		sso:      o.SSO,

		kb:        o.KB,
		publicURL: strings.TrimRight(o.PublicURL, "/"),
	}
	s.require2FA = map[agent.Role]bool{}
	for _, role := range o.Require2FA {
		s.require2FA[role] = true
	}
	if s.clock == nil {
		s.clock = jobs.SystemClock{}
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.maxBody <= 0 {
		s.maxBody = DefaultMaxBodyBytes
	}
	if s.version == "" {
		s.version = "dev"
	}
	pages, err := parseTemplates(assets)
	if err != nil {
		return nil, err
	}
	s.pages = pages
	staticFS, err := fs.Sub(assets, "static")
	if err != nil {
		return nil, err
	}
	s.static = http.StripPrefix("/static/", http.FileServerFS(staticFS))
	for _, rt := range s.routes() {
		s.mux.Handle(rt.pattern, s.wrap(rt))
	}
	return s, nil
}

// contentSecurityPolicy allows only Rapport's own scripts, styles and
// images: no inline scripts, no remote images (tracking pixels in customer
// mail), no framing.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; " +
	"img-src 'self' data:; font-src 'self'; connect-src 'self'; form-action 'self'; " +
	"frame-ancestors 'none'; base-uri 'none'; object-src 'none'"

// ServeHTTP sets the security headers every response shares and dispatches.
func (s *server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Security-Policy", contentSecurityPolicy)
	h.Set("X-Frame-Options", "DENY")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
	if strings.HasPrefix(r.URL.Path, "/static/") {
		h.Set("Cache-Control", "public, max-age=3600")
	} else {
		h.Set("Cache-Control", "no-store")
	}
	s.mux.ServeHTTP(w, r)
}
