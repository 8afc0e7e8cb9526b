// Package api is Rapport's REST API under /api/v1: JSON over the same
// agent, customer and ticket services the web UI uses, authenticated by API
// token, described by an embedded OpenAPI document.
package api

import (
	"context"
	"errors"
	"github.com/rapport/rapport/internal/clientaddr"
	"github.com/rapport/rapport/internal/valid"
	"log/slog"
	"net/http"
	"strings"
	"sync"

	"github.com/rapport/rapport/internal/agent"
	"github.com/rapport/rapport/internal/audit"
	"github.com/rapport/rapport/internal/business"
	"github.com/rapport/rapport/internal/chat"
	"github.com/rapport/rapport/internal/clv"
	"github.com/rapport/rapport/internal/customer"
	"github.com/rapport/rapport/internal/goals"
	"github.com/rapport/rapport/internal/i18n"
	"github.com/rapport/rapport/internal/importer"
	"github.com/rapport/rapport/internal/intake"
	"github.com/rapport/rapport/internal/jobs"
	"github.com/rapport/rapport/internal/kb"
	"github.com/rapport/rapport/internal/metrics"
	"github.com/rapport/rapport/internal/portal"
	"github.com/rapport/rapport/internal/purchases"
	"github.com/rapport/rapport/internal/recovery"
	"github.com/rapport/rapport/internal/savedreply"
	"github.com/rapport/rapport/internal/sso"
	"github.com/rapport/rapport/internal/ticket"
	"github.com/rapport/rapport/internal/webhook"
)

// Prefix is where the API is mounted; every route path is relative to it.
const Prefix = "/api/v1"

// DefaultMaxBodyBytes is the request body limit when Opts.MaxBodyBytes is 0.
const DefaultMaxBodyBytes = 1 << 20

// Opts are the dependencies and settings of the API handler.
type Opts struct {
	Agents    *agent.Service
	Customers *customer.Service
	Tickets   *ticket.Service
	Intake    *intake.Service // inbound messages; nil leaves the inbound routes answering 503
	Mailboxes []string        // support addresses, for reading reply tokens in inbound mail
	// MaxMessageBytes limits a raw email posted to /inbound/email; default 25 MiB.
	MaxMessageBytes int64
	Log             *slog.Logger // carrying component=api, as the app passes it; nil discards
	MaxBodyBytes    int64        // default DefaultMaxBodyBytes
	Version         string
	// Purchases keeps purchases and Values the lifetime values summed up
	// beside them; either nil leaves the purchase routes answering 503.
	Purchases *purchases.Service
	Values    *clv.Service
	// PurchaseHookSecret signs deliveries to /hooks/purchases; "" turns the
	// webhook off (503).
	PurchaseHookSecret string
	// Metrics answers GET /metrics; nil leaves it answering 503.
	Metrics *metrics.Service
	// Goals answers GET /agents/{id}/goals; nil leaves it answering 503.
	Goals *goals.Service
	// Recovery answers the compensation routes; nil leaves them answering 503.
	Recovery *recovery.Service
	// Saved answers the saved-reply routes; nil leaves them answering 503.
	Saved *savedreply.Service
	// KB answers the knowledge-base routes (issue 16); nil leaves them answering 503.
	KB *kb.Service
	// Webhooks answers the webhook routes; nil leaves them answering 503.
	Webhooks *webhook.Service
	// Imports answers the import report routes; nil leaves them answering 503.
	Imports *importer.Runs
	// SSO answers the single sign-on provider routes; nil leaves them
	// answering 503.
	SSO *sso.Service
	// Chat answers the live-chat widget routes; nil leaves them answering 503.
	Chat *chat.Service
	// Router is told when an agent may now take tickets (back online,
	// active, other languages), so that waiting tickets get an owner; nil
	// tells nobody.
	Router Kicker
	// Routing keeps the routing settings (routing.Router); nil leaves
	// /settings/routing answering 503.
	Routing RoutingSettings
	// I18n writes the promised time into a promise's reply in the
	// customer's language; nil sends the body as given.
	I18n *i18n.Catalog
	// Clock tells whether a promise is overdue; default the system clock.
	Clock jobs.Clock
	// Notifications is each agent's notification list; nil leaves
	// /notifications answering 503.
	Notifications Notifications
	// Business keeps who the business is (/settings/business) and its time
	// zone, in which a customer whose own is unknown is told a promise's
	// time; nil leaves /settings/business answering 503 and promises in UTC.
	Business *business.Service
	// Audit is the audit log GET /audit reads; nil leaves it answering 503.
	Audit *audit.Log
	// Portal keeps customers' erasure requests (/erasure-requests); nil
	// leaves them answering 503.
	Portal *portal.Service
	// TrustedProxies decides when a forwarding header names the client
	// (see clientAddr); the zero value trusts nobody.
	TrustedProxies clientaddr.Proxies
}

// Kicker starts a ticket assignment run (routing.Router).
type Kicker interface {
	KickNow(ctx context.Context) error
}

// server holds what every handler needs.
type server struct {
	agents     *agent.Service
	customers  *customer.Service
	tickets    *ticket.Service
	intake     *intake.Service
	mailboxes  []string
	maxMessage int64
	log        *slog.Logger
	maxBody    int64
	openapi    func() []byte // the OpenAPI document, made on its first request (not at start, issue 14)
	mux        *http.ServeMux
	purchases  *purchases.Service // nil: purchases answer 503
	values     *clv.Service       // nil: purchases answer 503
	hookSecret string             // "": the purchases webhook answers 503

	metrics  *metrics.Service // nil: GET /metrics answers 503
	goals    *goals.Service   // nil: GET /agents/{id}/goals answers 503
	router   Kicker           // nil: agents' changes start no assignment run
	routing  RoutingSettings  // nil: /settings/routing answers 503
	cat      *i18n.Catalog    // nil: a promise's reply goes as written
	clock    jobs.Clock
	recovery *recovery.Service   // nil: the compensation routes answer 503
	notes    Notifications       // nil: /notifications answers 503
	business *business.Service   // nil: /settings/business answers 503, promises in UTC
	saved    *savedreply.Service // nil: the saved-reply routes answer 503
	kb       *kb.Service         // nil: the knowledge-base routes answer 503
	webhooks *webhook.Service    // nil: the webhook routes answer 503
	imports  *importer.Runs      // nil: the import routes answer 503
	sso      *sso.Service        // nil: the SSO provider routes answer 503
	chat     *chat.Service       // nil: the widget routes answer 503
	audit    *audit.Log          // nil: GET /audit answers 503
	portal   *portal.Service     // nil: /erasure-requests answers 503
	proxies  clientaddr.Proxies  // whose forwarding headers are believed
}

// clientAddr is the address the request came from, the same function the
// web UI uses (clientaddr.Proxies.Of): anything the API records an address
// for, or limits by address, takes it from here.
func (s *server) clientAddr(r *http.Request) string { return s.proxies.Of(r) }

// handlerFunc is an API handler: it renders a success itself and returns
// any error for writeError to render.
type handlerFunc func(w http.ResponseWriter, r *http.Request, me agent.Agent) error

// New returns the handler serving every path under /api/v1/.
func New(o Opts) http.Handler {
	s := &server{
		agents:     o.Agents,
		customers:  o.Customers,
		tickets:    o.Tickets,
		intake:     o.Intake,
		mailboxes:  o.Mailboxes,
		maxMessage: o.MaxMessageBytes,
		log:        o.Log,
		maxBody:    o.MaxBodyBytes,
		openapi:    sync.OnceValue(func() []byte { return openAPIDocument(o.Version) }),
		mux:        http.NewServeMux(),
		cat:        o.I18n,
		clock:      o.Clock,
		purchases:  o.Purchases,
		values:     o.Values,
		hookSecret: o.PurchaseHookSecret,
		metrics:    o.Metrics,
		goals:      o.Goals,
		recovery:   o.Recovery,
		notes:      o.Notifications,
		business:   o.Business,
		saved:      o.Saved,
		kb:         o.KB,
		webhooks:   o.Webhooks,
		imports:    o.Imports,
		sso:        o.SSO,
		chat:       o.Chat,
		router:     o.Router,
		routing:    o.Routing,
		audit:      o.Audit,
		portal:     o.Portal,
		proxies:    o.TrustedProxies,
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.clock == nil {
		s.clock = jobs.SystemClock{}
	}
	if s.maxBody <= 0 {
		s.maxBody = DefaultMaxBodyBytes
	}
	if s.maxMessage <= 0 {
		s.maxMessage = 25 << 20
	}
	for _, rt := range s.routes() {
		s.mux.Handle(rt.method+" "+Prefix+rt.path, s.wrap(rt))
	}
	s.mux.HandleFunc(Prefix+"/", s.noRoute)
	return s
}

// ServeHTTP sets the headers every API response shares and dispatches.
func (s *server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	if r.URL.Path != Prefix && !strings.HasPrefix(r.URL.Path, Prefix+"/") {
		s.writeError(w, r, errNoRoute)
		return
	}
	s.mux.ServeHTTP(w, r)
}

// wrap turns a route into an http.Handler: it authenticates the caller,
// checks the route's permission (the only place the API checks roles),
// limits the body and renders the handler's error.
func (s *server) wrap(rt route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if p := recover(); p != nil {
				if p == http.ErrAbortHandler {
					panic(p)
				}
				s.log.Error("handler panic", "method", r.Method, "path", r.URL.Path, slog.Any("panic", p))
				s.writeError(w, r, errors.New("panic"))
			}
		}()
		if _, err := valid.ParseQuery(r.URL.RawQuery); err != nil {
			s.writeError(w, r, badQuery(err))
			return
		}
		limit := s.maxBody
		if rt.rawMail {
			limit = s.maxMessage
		}
		r.Body = http.MaxBytesReader(w, r.Body, limit)
		var me agent.Agent
		actor := audit.Actor{Addr: s.clientAddr(r)}
		if rt.perm != public {
			var tok agent.Token
			var err error
			me, tok, err = s.authenticate(r)
			if err != nil {
				s.writeError(w, r, err)
				return
			}
			// The agent's permission (role and own rights), then the token's scope: both from the route table.
			if !me.Can(rt.perm) || !tok.Has(rt.scope()) {
				s.writeError(w, r, errForbidden)
				return
			}
			actor.AgentID, actor.TokenID = me.ID, tok.ID
			r = r.WithContext(context.WithValue(r.Context(), tokenKey{}, tok))
		}
		// Who acts and from where, for the audit log the services write.
		r = r.WithContext(audit.WithActor(r.Context(), actor))
		if err := rt.handle(w, r, me); err != nil {
			s.writeError(w, r, err)
		}
	})
}

// authenticate returns the agent owning the request's bearer token, and
// the token. A revoked or expired token is a 401 at once: nothing is cached.
func (s *server) authenticate(r *http.Request) (agent.Agent, agent.Token, error) {
	scheme, token, ok := strings.Cut(strings.TrimSpace(r.Header.Get("Authorization")), " ")
	token = strings.TrimSpace(token)
	if !ok || !strings.EqualFold(scheme, "Bearer") || token == "" {
		return agent.Agent{}, agent.Token{}, errUnauthorized
	}
	a, tok, err := s.agents.ByToken(r.Context(), token, s.clientAddr(r))
	switch {
	case err == nil:
		return a, tok, nil
	case errors.Is(err, agent.ErrNotFound), errors.Is(err, agent.ErrSessionExpired),
		errors.Is(err, agent.ErrBadCredentials):
		return agent.Agent{}, agent.Token{}, errUnauthorized
	default:
		return agent.Agent{}, agent.Token{}, err
	}
}

// tokenKey carries the request's API token in its context.
type tokenKey struct{}

// requestToken is the API token the request authenticated with.
func requestToken(r *http.Request) agent.Token {
	t, _ := r.Context().Value(tokenKey{}).(agent.Token)
	return t
}

// probeMethods are the methods noRoute tries when deciding between 404 and 405.
var probeMethods = []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete}

// noRoute answers a request that no route matches: 405 with an Allow header
// when the path exists under another method, 404 otherwise, both as JSON.
func (s *server) noRoute(w http.ResponseWriter, r *http.Request) {
	var allow []string
	for _, m := range probeMethods {
		probe := &http.Request{Method: m, URL: r.URL, Host: r.Host, Header: http.Header{}}
		if _, pattern := s.mux.Handler(probe); pattern != "" && pattern != Prefix+"/" {
			allow = append(allow, m)
		}
	}
	if len(allow) == 0 {
		s.writeError(w, r, errNoRoute)
		return
	}
	if contains(allow, http.MethodGet) {
		allow = append(allow, http.MethodHead)
	}
	w.Header().Set("Allow", strings.Join(allow, ", "))
	s.writeError(w, r, &apiError{
		status:  http.StatusMethodNotAllowed,
		code:    "method_not_allowed",
		message: r.Method + " is not allowed here; use " + strings.Join(allow, ", "),
	})
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
