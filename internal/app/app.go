// Package app wires Rapport together: it opens the database, builds the
// services, the web UI, the API and the job workers, and runs them until
// the context ends.
package app

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"github.com/rapport/rapport/internal/clientaddr"
	"github.com/rapport/rapport/internal/ratelimit"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/rapport/rapport/internal/agent"
	"github.com/rapport/rapport/internal/api"
	"github.com/rapport/rapport/internal/attachment"
	"github.com/rapport/rapport/internal/audit"
	"github.com/rapport/rapport/internal/blob"
	"github.com/rapport/rapport/internal/business"
	"github.com/rapport/rapport/internal/channel/imappoll"
	"github.com/rapport/rapport/internal/channel/mailout"
	"github.com/rapport/rapport/internal/channel/smtpd"
	"github.com/rapport/rapport/internal/chat"
	"github.com/rapport/rapport/internal/churn"
	"github.com/rapport/rapport/internal/clv"
	"github.com/rapport/rapport/internal/config"
	"github.com/rapport/rapport/internal/customer"
	"github.com/rapport/rapport/internal/customer360"
	"github.com/rapport/rapport/internal/goals"
	"github.com/rapport/rapport/internal/i18n"
	"github.com/rapport/rapport/internal/importer"
	"github.com/rapport/rapport/internal/intake"
	"github.com/rapport/rapport/internal/jobs"
	"github.com/rapport/rapport/internal/kb"
	measure "github.com/rapport/rapport/internal/metrics"
	"github.com/rapport/rapport/internal/notify"
	"github.com/rapport/rapport/internal/portal"
	"github.com/rapport/rapport/internal/purchases"
	"github.com/rapport/rapport/internal/quality"
	"github.com/rapport/rapport/internal/realtime"
	"github.com/rapport/rapport/internal/recommit"
	"github.com/rapport/rapport/internal/recovery"
	"github.com/rapport/rapport/internal/routing"
	"github.com/rapport/rapport/internal/savedreply"
	"github.com/rapport/rapport/internal/setup"
	"github.com/rapport/rapport/internal/sla"
	"github.com/rapport/rapport/internal/sso"
	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/survey"
	"github.com/rapport/rapport/internal/text"
	"github.com/rapport/rapport/internal/ticket"
	"github.com/rapport/rapport/internal/web"
	"github.com/rapport/rapport/internal/webhook"
	"github.com/rapport/rapport/internal/widget"
)

// Version is the running build's version, set at link time with
// -ldflags "-X github.com/rapport/rapport/internal/app.Version=…".
var Version = "dev"

// Services are the domain services over one database.
type Services struct {
	DB          *store.DB
	Clock       jobs.Clock
	Jobs        *jobs.Queue
	Business    *business.Service // who the business is: name, sender, zone, languages, register
	Setup       *setup.Service    // the first run: business, calendar, relay, first team and admin
	Relays      *mailout.RelayStore
	Agents      *agent.Service
	Customers   *customer.Service
	Tickets     *ticket.Service
	Mail        *mailout.Service
	Intake      *intake.Service
	Attachments *attachment.Service
	Blobs       *blob.Store // files' bytes: the database, or the bucket of --s3-*
	SLA         *sla.Service
	Router      *routing.Router
	Quality     *quality.Analyzer
	Saved       *savedreply.Service
	Reviews     *quality.Reviews
	Purchases   *purchases.Service   // what customers bought: API, hook, import
	Values      *clv.Service         // lifetime values, regulars, the nightly refit
	Recommits   *recommit.Service    // re-commitments: proposed, confirmed, valued
	Customer360 *customer360.Service // the customer-360 panel beside tickets
	Churn       *churn.Scorer        // churn risk of every customer, the at-risk list
	Surveys     *survey.Service
	Metrics     *measure.Service
	Goals       *goals.Service    // goals, kudos, the leaderboard, the service standard
	Recovery    *recovery.Service // compensation within limits: kinds, ledger, requests
	Webhooks    *webhook.Service  // outbound webhooks: subscriptions, signed deliveries, log, replay
	Live        *realtime.Broker  // this node's live events to browsers (issue 15)
	Audit       *audit.Log        // the audit log: read by /admin/audit and GET /api/v1/audit, pruned daily
	Portal      *portal.Service   // the customer portal: sign-in links, own tickets, export, erasure
	SSO         *sso.Service      // single sign-on: OpenID providers, sign-ins through them (issue 17)
	KB          *kb.Service       // the knowledge base and public help center (issue 16)
	Chat        *chat.Service     // live chat's visitor side: widgets, sessions (issue 15)
	Catalog     *i18n.Catalog     // the message catalogues, loaded once for the services and the UI
}

// pending is a value being made in its own goroutine (ahead).
type pending[T any] struct {
	done chan struct{}
	v    T
	err  error
}

// ahead starts f in its own goroutine. Whoever closes the database after
// a failed start waits first for an f that uses it.
func ahead[T any](f func() (T, error)) *pending[T] {
	p := &pending[T]{done: make(chan struct{})}
	go func() {
		defer close(p.done)
		p.v, p.err = f()
	}()
	return p
}

// wait returns the value once it is made.
func (p *pending[T]) wait() (T, error) {
	<-p.done
	return p.v, p.err
}

// OpenServices opens and migrates the database named by cfg.DB and builds the
// services over it. The caller closes s.DB.
func OpenServices(ctx context.Context, cfg config.Config, log *slog.Logger) (*Services, error) {
	return openServices(ctx, cfg, log, jobs.SystemClock{})
}

// openServices is OpenServices on the given clock; tests move it.
//
// The services are built in dependency order, each from explicit
// constructor arguments: the store and the job queue first, then the
// ticket service (the only code that changes tickets), then what reads or
// reacts to tickets. What reacts to a ticket change is registered last,
// in one list (ticketSubscribers), and every job handler is checked once
// all are registered.
func openServices(ctx context.Context, cfg config.Config, log *slog.Logger, clock jobs.Clock) (svc *Services, err error) {
	// What needs no database is made alongside the database's opening and
	// migrations, each in its own goroutine, and waited for where it is
	// used: the start waits for these, not for their sum (issue 14).
	catalogs := ahead(func() (*i18n.Catalog, error) { return i18n.Load(cfg.LocalesDir) })
	// Customers' language: the stop-word scorer where it is sure, the
	// letter models where it is not (internal/text, docs/PERFORMANCE.md).
	detectors := ahead(func() (*text.Detector, error) {
		return text.NewDetector(text.DetectorOpts{Languages: i18n.Supported, Grams: true})
	})
	phraseDetectors := ahead(func() (*recommit.Detector, error) { return recommit.NewDetector(recommit.DetectorOpts{}) })
	db, err := store.Open(ctx, cfg.DB)
	if err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			db.Close()
		}
	}()
	// Saved replies: agents insert them; the analyzer flags one sent
	// unchanged. Its patterns are compiled while the database migrates.
	saved := savedreply.New(db, clock)
	analyzers := ahead(func() (*quality.Analyzer, error) { return quality.New(quality.Opts{Saved: saved}) })
	if err := db.Migrate(ctx); err != nil {
		return nil, err
	}
	catalog, err := catalogs.wait()
	if err != nil {
		return nil, err
	}
	component := func(name string) *slog.Logger { return log.With("component", name) }

	// Foundations: the durable job queue, people, and the ticket service.
	q := jobs.New(db, clock, component("jobs"))
	// Housekeeping (issue 14): leases renewed by a heartbeat, and the hourly
	// prune of finished jobs.
	q.SetLease(cfg.JobLease)
	q.EnablePruning(jobs.Retention{Done: cfg.JobRetention, Failed: cfg.FailedJobRetention})
	// Mail to the team (the digest here, notifications through notify)
	// goes through the queue, so that the services that send it need not
	// wait for the mail service.
	teamMail := mailout.QueueInternal(db, q)
	biz := business.New(business.Opts{DB: db, Clock: clock, Languages: catalog.Languages(),
		Defaults: business.Profile{Name: cfg.BusinessName}})
	customers := customer.New(db, clock)
	agents := agent.New(db, clock)
	// Files' bytes (issue 14): in the database, or in the bucket of --s3-*.
	blobs, err := openBlobs(ctx, cfg, db, clock, q, component("blob"))
	if err != nil {
		return nil, err
	}
	attachments := attachment.NewWith(db, blobs, attachment.Dir{Path: cfg.AttachmentsDir}, clock)
	// Live events to open pages: this node's broker, which publishes what
	// committed changes queued (realtime.publish) to every node.
	live := realtime.New(realtime.Opts{DB: db, Log: component("realtime"), OriginPatterns: liveOrigins(cfg)})
	live.Handle(q)
	// What agents must act on: their notification list, mailed in
	// batches in each one's language and zone.
	notes := notify.New(notify.Opts{DB: db, Jobs: q, Clock: clock, Log: component("notify"), I18n: catalog,
		Business: biz, BaseURL: cfg.PublicBaseURL(), Send: mailout.InternalTx(q), Delay: cfg.NotifyDelay})
	tickets := ticket.NewService(ticket.Opts{
		DB: db, Clock: clock, Jobs: q, Customers: customers,
		Log: component("ticket"), AutoCloseDays: cfg.AutoCloseDays, Notes: notes, Attachments: attachments,
	})

	// Services over tickets, each built after everything it needs.
	slas := sla.New(sla.Opts{DB: db, Jobs: q, Clock: clock, Log: component("sla"), Tickets: tickets, Notes: notes})
	// Outbound mail: the relay of --smtp-relay when given, else the one
	// the first run stored (read per message), else the outbox folder.
	relays := mailout.NewRelayStore(db, clock)
	var transport mailout.Transport = mailout.Stored{Store: relays, Fallback: outboxFallback(cfg, db)}
	if cfg.SMTPRelay != "" {
		transport = mailout.Relay{Addr: cfg.SMTPRelay, Username: cfg.SMTPRelayUser, Password: cfg.SMTPRelayPassword}
	}
	mail := mailout.New(mailout.Opts{
		DB: db, Jobs: q, Tickets: tickets, I18n: catalog, Transport: transport, Clock: clock,
		Log: component("mailout"), Mailbox: cfg.MailboxList()[0], Business: cfg.BusinessName, Profiles: biz,
		Promise: slas, FollowUpDays: cfg.FollowUpDays, BaseURL: cfg.PublicBaseURL(), Attachments: attachments,
	})
	router := routing.NewRouter(routing.Opts{DB: db, Jobs: q, Clock: clock, Log: component("routing"), Tickets: tickets})
	surveys := survey.New(survey.Opts{
		DB: db, Jobs: q, Clock: clock, Log: component("survey"), I18n: catalog, Tickets: tickets, Mail: mail,
		BaseURL: cfg.PublicBaseURL(), Business: cfg.BusinessName,
	})
	measures := measure.New(measure.Opts{DB: db, Clock: clock, Log: component("metrics"), Jobs: q,
		Digest: &measure.DigestOpts{I18n: catalog, URL: cfg.PublicBaseURL(), Send: teamMail}, Business: biz})
	// The metrics count the business's days: a new zone switches them, in
	// the transaction that saves it, and rebuilds them in the background.
	biz.Watch(measures)

	// What customers are worth: purchases, lifetime values, churn risk, and
	// re-commitments proposed from customers' words.
	// Purchase days and lifetime values count the business's days, like
	// the metrics.
	bought, err := purchases.New(purchases.Opts{DB: db, Clock: clock, Customers: customers, Zone: measures.Zone})
	if err != nil {
		return nil, err
	}
	values, err := clv.New(clv.Opts{DB: db, Clock: clock, Jobs: q, Log: component("clv"), Zone: measures.Zone})
	if err != nil {
		return nil, err
	}
	phrases, err := phraseDetectors.wait()
	if err != nil {
		return nil, err
	}
	recommits, err := recommit.New(recommit.Opts{DB: db, Clock: clock, Jobs: q, Tickets: tickets, Values: values,
		Detector: phrases, Log: component("recommit")})
	if err != nil {
		return nil, err
	}
	// Compensation: recorded on tickets, told to customers by mail.
	compensation, err := recovery.New(recovery.Opts{DB: db, Clock: clock, Jobs: q, Tickets: tickets, I18n: catalog, Mail: mail,
		Log: component("recovery"), Notes: notes})
	if err != nil {
		return nil, err
	}
	panels, err := customer360.New(customer360.Opts{DB: db, Purchases: bought, Values: values, Recommits: recommits})
	if err != nil {
		return nil, err
	}
	scorer, err := churn.New(churn.Opts{DB: db, Clock: clock, Jobs: q, Log: component("churn")})
	if err != nil {
		return nil, err
	}
	analyzer, err := analyzers.wait()
	if err != nil {
		return nil, err
	}
	reviews, err := quality.NewReviews(quality.ReviewsOpts{DB: db, Analyzer: analyzer, Clock: clock, Log: component("quality")})
	if err != nil {
		return nil, err
	}
	goalSvc, err := goals.New(goals.Opts{DB: db, Metrics: measures, Analyzer: analyzer, Clock: clock, Log: component("goals")})
	if err != nil {
		return nil, err
	}

	// Channels: everything a customer sends comes in through intake.
	// Customers' language is detected among the languages the business
	// serves (its profile, read per message; every catalogue language when
	// it names none). A guess that is not sure gives way to the customer's
	// language, else the business's default (docs/QUALITY.md).
	detector, err := detectors.wait()
	if err != nil {
		return nil, err
	}
	intakes := intake.New(intake.Opts{
		DB: db, Jobs: q, Tickets: tickets, Customers: customers, Clock: clock,
		Log: component("intake"), Attachments: attachments, Blobs: blobs, Detect: detector.DetectSureAmong,
		Languages: biz.Served, DefaultLanguage: i18n.Default,
	})

	// Outbound webhooks: ticket events become signed deliveries.
	hooks := webhook.New(webhook.Opts{DB: db, Jobs: q, Clock: clock, Log: component("webhook"), Notify: notes})

	// Single sign-on (issue 17): providers send browsers back to the public address.
	signOn := sso.New(sso.Opts{DB: db, Agents: agents, Clock: clock, Log: component("sso"),
		CallbackURL: cfg.PublicBaseURL() + "/login/sso/callback"})
	// Live chat's visitor side (issue 15): widgets, sessions, messages
	// through intake, ratings as surveys, transcripts by mail.
	chats := chat.New(chat.Opts{
		DB: db, Clock: clock, Log: component("chat"), Intake: intakes, Tickets: tickets, Attachments: attachments,
		Surveys: surveys, SLA: slas, Broker: live, Mail: teamMail, Catalog: catalog,
	})

	firstRun := setup.New(setup.Opts{DB: db, Clock: clock, Agents: agents, Business: biz, SLA: slas, Relays: relays})

	if err := tickets.Subscribe(ticketSubscribers(slas, router, mail, surveys, recommits, hooks, live, component("realtime"), measures)...); err != nil {
		return nil, fmt.Errorf("app: %w", err)
	}
	// The audit log: every service writes its own rows; this one reads
	// them for the page and the API, and prunes them daily.
	auditLog := audit.New(db, clock)
	if err := auditLog.Schedule(ctx, q, cfg.AuditRetention, component("audit")); err != nil {
		return nil, fmt.Errorf("app: schedule the audit log pruning: %w", err)
	}
	// The customer portal (issue 16): after intake and the audit log,
	// which it uses; its link job is registered here.
	customerPortal := portal.New(portal.Opts{DB: db, Jobs: q, Clock: clock, Log: component("portal"),
		Customers: customers, Tickets: tickets, Intake: intakes, Mail: mail, I18n: catalog, Audit: auditLog,
		BaseURL: cfg.PublicBaseURL(), Blobs: blobs})
	if err := q.CheckHandlers(); err != nil {
		return nil, fmt.Errorf("app: %w", err)
	}
	// Periodic jobs that keep themselves going once queued.
	if err := q.SchedulePruning(ctx); err != nil {
		return nil, fmt.Errorf("app: %w", err)
	}
	// The assignment sweep: routes what an in-memory wake missed (a node
	// that stopped between a ticket's commit and its round).
	if err := router.Schedule(ctx); err != nil {
		return nil, fmt.Errorf("app: schedule the routing sweep: %w", err)
	}
	if err := values.Schedule(ctx); err != nil {
		return nil, fmt.Errorf("app: schedule the lifetime-value refit: %w", err)
	}
	if err := recommits.Schedule(ctx); err != nil {
		return nil, fmt.Errorf("app: schedule the survey scan: %w", err)
	}
	if err := scorer.Schedule(ctx); err != nil {
		return nil, fmt.Errorf("app: schedule the churn scoring: %w", err)
	}
	return &Services{
		DB: db, Clock: clock, Jobs: q, Business: biz, Setup: firstRun, Relays: relays,
		Agents: agents, Customers: customers, Tickets: tickets,
		SLA: slas, Mail: mail, Router: router, Surveys: surveys, Metrics: measures,
		Purchases: bought, Values: values, Recommits: recommits, Customer360: panels, Churn: scorer, Quality: analyzer, Reviews: reviews, Goals: goalSvc,
		Recovery: compensation, Live: live,
		Intake: intakes, Attachments: attachments, Saved: saved, Webhooks: hooks, SSO: signOn,
		Audit: auditLog, Portal: customerPortal, Chat: chats,
		KB:      kb.New(kb.Opts{DB: db, Clock: clock, Blobs: blobs}),
		Blobs:   blobs,
		Catalog: catalog,
	}, nil
}

// ticketSubscribers is what reacts to a ticket change, in the order it
// runs, inside the change's transaction, for every ticket the change
// touched. The rule: what must be consistent with the change runs in the
// transaction (InTx); everything else only queues jobs there (After), the
// transactional outbox, and runs after the commit.
//
// When intake creates a ticket from a customer's email, for example, the
// ticket row, its first message and its "created" event are written;
// then, still in that transaction: the SLA deadlines are set and their
// timer jobs queued; an assignment round is asked for if nobody owns it
// (a wake after the commit, no row); the acknowledgement mail is queued;
// the metrics rollups count the ticket. After the commit, the workers
// assign it, acknowledge it, and fire its timers when they are due.
func ticketSubscribers(slas *sla.Service, router *routing.Router, mail *mailout.Service, surveys *survey.Service,
	recommits *recommit.Service, hooks *webhook.Service, live *realtime.Broker, liveLog *slog.Logger,
	measures *measure.Service) []ticket.Subscriber {
	return []ticket.Subscriber{
		// Deadlines: set with the change, so the ticket's sla_due_at and its
		// timer jobs never disagree with its state.
		{Name: "sla", InTx: slas.TicketChanged},
		// Assignment of a ticket nobody owns: wakes routing.assign after
		// the commit (no row; the periodic routing.sweep is the safety net).
		{Name: "routing", After: router.TicketChanged},
		// Customer mail: queues the acknowledgement, the delivery of a
		// public reply, the follow-up after a fix.
		{Name: "mail", After: mail.TicketChanged},
		// The satisfaction survey of a solved ticket: queues survey.send.
		{Name: "survey", After: surveys.TicketChanged},
		// Re-commitments in a customer's words: queues recommit.propose,
		// which reads the message and proposes one for an agent to confirm.
		{Name: "recommit", After: recommits.TicketChanged},
		// Outbound webhooks: queues webhook.event for each event a webhook
		// subscribes to; its handler writes the deliveries.
		hooks.Subscriber(),
		// Open pages: publishes the change's kinds and ids to every node's
		// live connections once the change has committed (no job row).
		{Name: "realtime", After: liveSubscriber(live, liveLog)},
		// Rollups: last, so they count the SLA state the change left.
		{Name: "metrics", InTx: measures.TicketChanged},
	}
}

// App is a running Rapport server.
type App struct {
	cfg      config.Config
	log      *slog.Logger
	svc      *Services
	server   *http.Server
	listener net.Listener
	smtp     *smtpd.Server    // nil when --smtp-addr is empty
	imap     *imappoll.Poller // nil when no --imap account is set
	serving  chan struct{}    // closed once Run serves HTTP
	// metricsStarted is the metrics' start, begun in New.
	metricsStarted *pending[struct{}]
}

// Serving is closed once Run serves HTTP: what need not precede serving
// (returning start-up's garbage to the system) waits for it.
func (a *App) Serving() <-chan struct{} { return a.serving }

// SMTPAddr is the address the SMTP listener listens on, "" when it is off.
func (a *App) SMTPAddr() string {
	if a.smtp == nil {
		return ""
	}
	return a.smtp.Addr()
}

// mailDomain is the domain of an address, the name the SMTP server greets with.
func mailDomain(addr string) string {
	if i := strings.LastIndexByte(addr, '@'); i >= 0 {
		return addr[i+1:]
	}
	return "localhost"
}

// New builds the server for cfg and starts listening on cfg.Addr, so that
// Addr is known before Run.
func New(ctx context.Context, cfg config.Config, log *slog.Logger) (*App, error) {
	svc, err := OpenServices(ctx, cfg, log)
	if err != nil {
		return nil, err
	}
	a, err := newWithServices(ctx, cfg, log, svc)
	if err != nil {
		svc.DB.Close()
		return nil, err
	}
	return a, nil
}

func newWithServices(ctx context.Context, cfg config.Config, log *slog.Logger, svc *Services) (a *App, err error) {
	// The metrics' start (the rollups' zone, a rebuild that a stop
	// interrupted, the fold and the digest queued) reads and writes the
	// database while the pages below are parsed; Run waits for it before
	// it serves (issue 14).
	metricsStarted := ahead(func() (struct{}, error) { return struct{}{}, svc.Metrics.Start(ctx) })
	defer func() {
		if err != nil {
			metricsStarted.wait() // before the caller closes the database
		}
	}()
	// The services' catalogues: a second copy cost 1–3 MB of idle heap.
	catalog := svc.Catalog
	// Abuse (issue 17): the public limits in the database, and the proxies
	// whose forwarding headers name the client (config checked them).
	proxies, err := clientaddr.Parse(cfg.TrustedProxies)
	if err != nil {
		return nil, fmt.Errorf("app: %w", err)
	}
	limits := ratelimit.New(svc.DB, svc.Clock)
	// Two-factor authentication (issue 17): the roles that must use it.
	var require2FA []agent.Role
	roles2FA, err := cfg.Require2FA()
	if err != nil {
		return nil, fmt.Errorf("app: %w", err)
	}
	for _, r := range roles2FA {
		require2FA = append(require2FA, agent.Role(r))
	}
	webHandler, err := web.New(web.Opts{
		Require2FA: require2FA,
		Limits:     limits, TrustedProxies: proxies,
		Agents: svc.Agents, Customers: svc.Customers, Tickets: svc.Tickets,
		I18n: catalog, Clock: svc.Clock, Log: log.With("component", "web"),
		SecureCookies: cfg.SecureCookies, Version: Version, MaxBodyBytes: cfg.MaxBodyBytes,
		Intake: svc.Intake, SLA: svc.SLA, Router: svc.Router, Quality: svc.Quality, Reviews: svc.Reviews,
		Attachments: svc.Attachments, Surveys: svc.Surveys, Metrics: svc.Metrics, Purchases: svc.Purchases, Values: svc.Values,
		Recommits: svc.Recommits, Customer360: svc.Customer360, Churn: svc.Churn,
		Goals: svc.Goals, Recovery: svc.Recovery, Saved: svc.Saved, Webhooks: svc.Webhooks,
		Business: svc.Business, Setup: svc.Setup, Mailbox: cfg.MailboxList()[0],
		Live:  svc.Live,
		Audit: svc.Audit,
		// Imports from other help desks (issue 17): their reports.
		Imports: importer.NewRuns(svc.DB),
		Portal:  svc.Portal,
		SSO:     svc.SSO,
		KB:      svc.KB, PublicURL: cfg.PublicURL,
		Chat: svc.Chat,
	})
	if err != nil {
		return nil, fmt.Errorf("app: web: %w", err)
	}
	apiHandler := api.New(api.Opts{
		TrustedProxies: proxies,
		Agents:         svc.Agents, Customers: svc.Customers, Tickets: svc.Tickets, Intake: svc.Intake,
		Mailboxes: cfg.MailboxList(), MaxMessageBytes: cfg.MaxMessageBytes,
		Log: log.With("component", "api"), MaxBodyBytes: cfg.MaxBodyBytes, Version: Version,
		Purchases: svc.Purchases, Values: svc.Values, PurchaseHookSecret: cfg.PurchaseHookSecret,
		Router:   svc.Router,
		Routing:  svc.Router,
		Metrics:  svc.Metrics,
		Goals:    svc.Goals,
		Recovery: svc.Recovery,
		Saved:    svc.Saved,
		KB:       svc.KB,
		Webhooks: svc.Webhooks,
		Imports:  importer.NewRuns(svc.DB),
		I18n:     catalog, Clock: svc.Clock,
		Notifications: svc.SLA,
		Business:      svc.Business,
		Audit:         svc.Audit,
		Portal:        svc.Portal,
		SSO:           svc.SSO,
		Chat:          svc.Chat,
	})
	m := newMetrics(svc)
	mux := http.NewServeMux()
	mux.Handle("/api/v1/", apiHandler)
	mux.HandleFunc("GET /healthz", healthz)
	mux.Handle("GET /readyz", readyz(svc.DB,
		func(ctx context.Context) (string, error) { return outboundProblem(ctx, cfg, svc) },
		func(ctx context.Context) string { return filesProblem(ctx, svc.Blobs) }))
	mux.Handle("GET /metrics", m.handler())
	// The chat widget's script, demo page and visitor API (issue 15).
	chatHandler := widget.New(widget.Opts{Chat: svc.Chat, Limits: limits, Proxies: proxies, Log: log.With("component", "widget"),
		KB: svc.KB, Languages: svc.Business})
	mux.Handle("GET /widget.js", chatHandler)
	mux.Handle("GET /widget/demo", chatHandler)
	mux.Handle("/chat/v1/", chatHandler)
	mux.Handle("/", webHandler)

	var smtpServer *smtpd.Server
	if cfg.SMTPAddr != "" {
		var tlsConf *tls.Config
		if cfg.SMTPTLSCert != "" {
			cert, err := tls.LoadX509KeyPair(cfg.SMTPTLSCert, cfg.SMTPTLSKey)
			if err != nil {
				return nil, fmt.Errorf("app: smtp tls: %w", err)
			}
			tlsConf = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
		}
		mailboxes := cfg.MailboxList()
		smtpServer, err = smtpd.New(smtpd.Opts{
			Addr: cfg.SMTPAddr, Domain: mailDomain(mailboxes[0]), Mailboxes: mailboxes,
			MaxMessageBytes: cfg.MaxMessageBytes, TLS: tlsConf, Intake: svc.Intake,
			Parse:       func(raw []byte, _ smtpd.Envelope) intake.Inbound { return intake.FromEmail(raw, mailboxes) },
			Log:         log.With("component", "smtpd"),
			MaxSessions: cfg.SMTPMaxSessions, MaxMemory: cfg.SMTPMaxMemory,
		})
		if err != nil {
			return nil, err
		}
	}
	var poller *imappoll.Poller
	if accounts, _ := cfg.IMAPAccounts(); len(accounts) > 0 {
		mailboxes := cfg.MailboxList()
		var acc []imappoll.Account
		for _, a := range accounts {
			acc = append(acc, imappoll.Account{Name: a.Username + "@" + a.Addr, Addr: a.Addr, TLS: imappoll.TLSMode(a.TLS),
				Username: a.Username, Password: a.Password, Folder: a.Folder, After: a.After})
		}
		poller, err = imappoll.New(imappoll.Opts{
			Accounts: acc, Intake: svc.Intake, Log: log.With("component", "imappoll"), MaxMessageBytes: cfg.MaxMessageBytes,
			Parse: func(raw []byte) intake.Inbound { return intake.FromEmail(raw, mailboxes) },
		})
		if err != nil {
			return nil, err
		}
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		if smtpServer != nil {
			smtpServer.Close()
		}
		return nil, fmt.Errorf("app: listen %s: %w", cfg.Addr, err)
	}
	return &App{
		cfg: cfg, log: log, svc: svc, listener: ln, smtp: smtpServer, imap: poller, serving: make(chan struct{}),
		metricsStarted: metricsStarted,
		server: &http.Server{
			Handler:           m.instrument(recoverPanics(log, mux)),
			ReadHeaderTimeout: 10 * time.Second,
			ReadTimeout:       60 * time.Second,
			WriteTimeout:      60 * time.Second,
			IdleTimeout:       120 * time.Second,
			ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
		},
	}, nil
}

// Addr is the address the HTTP server listens on.
func (a *App) Addr() string { return a.listener.Addr().String() }

// URL is the base URL of the web UI.
func (a *App) URL() string {
	host, port, _ := net.SplitHostPort(a.Addr())
	if host == "" || host == "::" || host == "0.0.0.0" {
		host = "localhost"
	}
	return "http://" + net.JoinHostPort(host, port)
}

// Services returns the app's services.
func (a *App) Services() *Services { return a.svc }

// Run serves HTTP and runs the job workers until ctx ends, then shuts down
// gracefully: it stops accepting connections, lets requests and jobs finish
// within the shutdown timeout, and closes the database.
func (a *App) Run(ctx context.Context) error {
	if _, err := a.metricsStarted.wait(); err != nil {
		a.log.Warn("metrics start", slog.Any("error", err))
	}
	jobsCtx, stopJobs := context.WithCancel(context.WithoutCancel(ctx))
	defer stopJobs()
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		if err := a.svc.Jobs.Run(jobsCtx, a.cfg.Workers); err != nil && !errors.Is(err, context.Canceled) {
			a.log.Error("job workers stopped", slog.Any("error", err))
		}
	}()

	// Full-text search (issue 14): index what the database held before the
	// index existed, in the background, while the server serves.
	wg.Add(1)
	go func() {
		defer wg.Done()
		log := a.log.With("component", "search")
		if err := a.svc.Tickets.BackfillSearch(jobsCtx, log); err != nil && !errors.Is(err, context.Canceled) {
			log.Error("search backfill stopped", slog.Any("error", err))
		}
	}()

	channelsCtx, stopChannels := context.WithCancel(context.WithoutCancel(ctx))
	defer stopChannels()
	if a.smtp != nil {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := a.smtp.Serve(channelsCtx); err != nil {
				a.log.Error("smtp listener stopped", slog.Any("error", err))
			}
		}()
		a.log.Info("smtp listening", "addr", a.smtp.Addr())
	}
	if a.imap != nil {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := a.imap.Run(channelsCtx); err != nil {
				a.log.Error("imap poller stopped", slog.Any("error", err))
			}
		}()
	}
	// Live events from every node (LISTEN with PostgreSQL).
	liveCtx, stopLive := context.WithCancel(context.WithoutCancel(ctx))
	defer stopLive()
	wg.Add(1)
	go func() {
		defer wg.Done()
		a.svc.Live.Run(liveCtx)
	}()
	serveErr := make(chan error, 1)
	go func() { serveErr <- a.server.Serve(a.listener) }()
	close(a.serving)
	a.log.Info("rapport listening", "addr", a.Addr(), "version", Version, "db", a.svc.DB.Dialect)
	if b := a.svc.Blobs.Bucket(); b != nil {
		a.log.Info("new files go to a bucket", "bucket", b.String())
	}

	var err error
	select {
	case <-ctx.Done():
	case err = <-serveErr:
	}
	a.log.Info("shutting down")
	shCtx, cancel := context.WithTimeout(context.Background(), a.cfg.ShutdownTimeout)
	defer cancel()
	// Live connections first: each client is told to reconnect (to another
	// node, as this one goes) and closed; Shutdown would not wait for a
	// WebSocket, and would wait for an event stream until its timeout.
	if dErr := a.svc.Live.Drain(shCtx); dErr != nil {
		a.log.Warn("live connections did not drain", slog.Any("error", dErr))
	}
	if shErr := a.server.Shutdown(shCtx); shErr != nil {
		a.log.Warn("http shutdown", slog.Any("error", shErr))
	}
	stopChannels()
	stopJobs()
	stopLive()
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-shCtx.Done():
		a.log.Warn("job workers did not stop in time")
	}
	if cErr := a.svc.DB.Close(); cErr != nil {
		a.log.Warn("close database", slog.Any("error", cErr))
	}
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	return err
}

func healthz(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Write([]byte("ok\n"))
}

// readyz answers 200 when the database answers, every migration is
// applied, outgoing mail has a way out (mail, below) and the bucket of
// files, when there is one, answers (files); 503 with the reason otherwise.
func readyz(db *store.DB, mail func(context.Context) (string, error), files func(context.Context) string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		if err := db.Ping(ctx); err != nil {
			w.WriteHeader(http.StatusServiceUnavailable)
			w.Write([]byte("database unreachable\n"))
			return
		}
		n, err := db.Pending(ctx)
		if err != nil || n > 0 {
			w.WriteHeader(http.StatusServiceUnavailable)
			fmt.Fprintf(w, "migrations pending: %d\n", n)
			return
		}
		if problem, err := mail(ctx); err != nil || problem != "" {
			w.WriteHeader(http.StatusServiceUnavailable)
			if err != nil {
				problem = "outgoing mail: the stored relay cannot be read"
			}
			fmt.Fprintf(w, "%s\n", problem)
			return
		}
		if problem := files(ctx); problem != "" {
			w.WriteHeader(http.StatusServiceUnavailable)
			fmt.Fprintf(w, "%s\n", problem)
			return
		}
		w.Write([]byte("ready\n"))
	})
}

// Several nodes (issue 14). SQLite is one node by nature; on PostgreSQL
// any number of processes may serve, so what one of them writes to its own
// folder another never sees. There outgoing mail goes through a relay
// only, unless the operator says this is the only node (--single-node).

// multiNode reports whether other processes may serve the same database.
func multiNode(cfg config.Config, db *store.DB) bool {
	return db.Dialect == store.Postgres && !cfg.SingleNode
}

// outboxFallback is where mail goes when no relay is given or stored: the
// outbox folder on one node, nowhere (the job waits and retries) when
// there may be several.
func outboxFallback(cfg config.Config, db *store.DB) mailout.Transport {
	if multiNode(cfg, db) {
		return mailout.NoRelay{}
	}
	return mailout.Outbox{Dir: cfg.OutboxDir}
}

// outboundProblem says why outgoing mail cannot leave, "" when it can.
func outboundProblem(ctx context.Context, cfg config.Config, svc *Services) (string, error) {
	if !multiNode(cfg, svc.DB) || cfg.SMTPRelay != "" {
		return "", nil
	}
	r, err := svc.Relays.Get(ctx)
	if err != nil {
		return "", err
	}
	if r.Addr != "" {
		return "", nil
	}
	return "outgoing mail: no SMTP relay on PostgreSQL, where several nodes may serve; mail waits in the queue. " +
		"Set --smtp-relay, store a relay at the first run (/setup), or run with --single-node", nil
}

// openBlobs returns the store of files' bytes: over the bucket of --s3-*
// when set (config checked the settings; nothing is sent here, so a
// bucket that is down delays nothing and /readyz says so), else the
// database; with its housekeeping jobs registered and, with a bucket, the
// sweep of orphaned objects queued.
func openBlobs(ctx context.Context, cfg config.Config, db *store.DB, clock jobs.Clock, q *jobs.Queue, log *slog.Logger) (*blob.Store, error) {
	bucket, err := BucketOf(cfg)
	if err != nil {
		return nil, err
	}
	blobs := blob.NewStore(blob.Opts{DB: db, Clock: clock, Bucket: bucket, Jobs: q, Log: log})
	if err := blobs.Schedule(ctx); err != nil {
		return nil, fmt.Errorf("app: %w", err)
	}
	return blobs, nil
}

// BucketOf returns the bucket of cfg's --s3-* settings, nil when none is
// set.
func BucketOf(cfg config.Config) (*blob.Bucket, error) {
	o, ok, err := cfg.Bucket()
	if err != nil {
		return nil, fmt.Errorf("app: %w", err)
	}
	if !ok {
		return nil, nil
	}
	b, err := blob.NewBucket(o)
	if err != nil {
		return nil, fmt.Errorf("app: %w", err)
	}
	return b, nil
}

// filesProblem says why the bucket of files cannot be used, "" when it
// can or there is none.
func filesProblem(ctx context.Context, blobs *blob.Store) string {
	if blobs == nil || blobs.Bucket() == nil {
		return ""
	}
	return blobs.Bucket().Check(ctx)
}

// recoverPanics turns a handler panic into a 500 without details and logs it.
func recoverPanics(log *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if p := recover(); p != nil {
				if p == http.ErrAbortHandler {
					panic(p)
				}
				log.Error("panic in handler", "method", r.Method, "path", r.URL.Path, "panic", fmt.Sprint(p))
				http.Error(w, "internal server error", http.StatusInternalServerError)
			}
		}()
		next.ServeHTTP(w, r)
	})
}
