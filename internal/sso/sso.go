// Package sso signs agents in through OpenID Connect providers (single
// sign-on): the providers admins set, the authorization-code flow with
// state, nonce and PKCE (golang.org/x/oauth2), the ID token verified by
// github.com/coreos/go-oidc/v3, agents found by the provider's subject or
// verified email, created just in time when a provider allows it, and
// their role set from a claim on every sign-in. Every sign-in, refusal,
// creation and role change is in the audit log.
//
// The provider's word replaces the password only: an agent with
// two-factor authentication on still gives Rapport's code
// (agent.SignInVerified), and a deactivated agent is refused.
package sso

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"embed"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"reflect"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/rapport/rapport/internal/agent"
	"github.com/rapport/rapport/internal/audit"
	"github.com/rapport/rapport/internal/jobs"
	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/valid"
)

// ErrNotFound is a provider that does not exist.
var ErrNotFound = store.ErrNotFound

// Errors of a sign-in. Each is recorded as sso.failed with its reason.
var (
	// ErrState: the state is unknown, used, expired or not this browser's.
	ErrState = errors.New("sso: the sign-in expired or was not started here: start again")
	// ErrProvider: the provider refused, or its answer did not verify.
	ErrProvider = errors.New("sso: the provider's answer was refused")
	// ErrUnknownAgent: no agent has this identity and the provider does
	// not create agents.
	ErrUnknownAgent = errors.New("sso: no agent has this identity")
	// ErrDomain: the email's domain is not allowed for this provider.
	ErrDomain = errors.New("sso: this email domain is not allowed")
	// ErrUnverified: the provider did not vouch for the email, and no
	// agent is linked to this identity yet.
	ErrUnverified = errors.New("sso: the provider did not verify the email")
)

// FlowTTL is how long a sign-in may stay at the provider.
const FlowTTL = 10 * time.Minute

// Limits of a provider's fields, in characters.
const (
	MaxName   = 100
	MaxURL    = 2000
	MaxField  = 500
	MaxSecret = 2000
)

// Provider is one OpenID provider agents may sign in with.
type Provider struct {
	ID             int64
	Name           string // shown on the login page: "Sign in with Name"
	Issuer         string
	ClientID       string
	ClientSecret   string // kept to redeem codes; shown masked, never logged
	Scopes         []string
	RoleClaim      string // "" maps no role
	Rules          []Rule
	JIT            bool // create unknown agents on their first sign-in
	DefaultRole    agent.Role
	DefaultTeamID  int64    // 0: none
	AllowedDomains []string // empty: any
	Active         bool
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

// SecretMasked is the client secret as pages and the API show it: its
// last four characters at most, or "" when none is set.
func (p Provider) SecretMasked() string {
	if p.ClientSecret == "" {
		return ""
	}
	if n := len(p.ClientSecret); n >= 12 {
		return "••••••••" + p.ClientSecret[n-4:]
	}
	return "••••••••"
}

// RulesText is the role rules as the form shows them.
func (p Provider) RulesText() string { return FormatRules(p.Rules) }

// Input is a provider as an admin writes it. An empty ClientSecret keeps
// the one stored.
type Input struct {
	Name, Issuer, ClientID, ClientSecret string
	Scopes                               string // separated by spaces; "openid" is added
	RoleClaim                            string
	Rules                                string // see ParseRules
	JIT                                  bool
	DefaultRole                          string
	DefaultTeamID                        int64
	AllowedDomains                       string // separated by spaces or commas
	Active                               bool
}

// Link is a provider as the login page lists it.
type Link struct {
	ID   int64
	Name string
}

// Opts configures New.
type Opts struct {
	DB     *store.DB
	Agents *agent.Service
	Clock  jobs.Clock
	Log    *slog.Logger
	// CallbackURL is where providers send the browser back: the public
	// base URL and "/login/sso/callback".
	CallbackURL string
	// HTTP talks to the providers; nil is a client with a 15-second timeout.
	HTTP *http.Client
}

// Service keeps the providers and carries sign-ins through them.
type Service struct {
	o     Opts
	q     store.Queries
	audit *audit.Log
}

//go:embed queries.sql
var queriesFS embed.FS

// New returns a Service.
func New(o Opts) *Service {
	if o.Clock == nil {
		o.Clock = jobs.SystemClock{}
	}
	if o.Log == nil {
		o.Log = slog.Default()
	}
	if o.HTTP == nil {
		o.HTTP = &http.Client{Timeout: 15 * time.Second}
	}
	return &Service{o: o, q: store.MustLoadQueries(queriesFS, o.DB.Dialect), audit: audit.New(o.DB, o.Clock)}
}

// CallbackURL is the redirect URI to register at a provider.
func (s *Service) CallbackURL() string { return s.o.CallbackURL }

func (s *Service) now() time.Time { return s.o.Clock.Now().UTC() }

func scanProvider(sc interface{ Scan(...any) error }) (Provider, error) {
	var p Provider
	var scopes, rules, domains, role string
	var created, updated int64
	var jit, active int
	err := sc.Scan(&p.ID, &p.Name, &p.Issuer, &p.ClientID, &p.ClientSecret, &scopes, &p.RoleClaim, &rules, &jit,
		&role, &p.DefaultTeamID, &domains, &active, &created, &updated)
	if err != nil {
		return Provider{}, err
	}
	p.JIT, p.Active = jit == 1, active == 1
	p.Scopes = strings.Fields(scopes)
	p.Rules, _ = ParseRules(rules) // stored only after parsing
	p.DefaultRole = agent.Role(role)
	p.AllowedDomains = strings.Fields(domains)
	p.CreatedAt, p.UpdatedAt = store.Time(created), store.Time(updated)
	return p, nil
}

// List returns every provider, oldest first.
func (s *Service) List(ctx context.Context) ([]Provider, error) {
	rows, err := s.o.DB.R.QueryContext(ctx, s.q.Get("list-providers"))
	if err != nil {
		return nil, fmt.Errorf("sso: list: %w", err)
	}
	defer rows.Close()
	out := []Provider{}
	for rows.Next() {
		p, err := scanProvider(rows)
		if err != nil {
			return nil, fmt.Errorf("sso: list: %w", err)
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// Links returns the active providers for the login page.
func (s *Service) Links(ctx context.Context) ([]Link, error) {
	list, err := s.List(ctx)
	if err != nil {
		return nil, err
	}
	out := []Link{}
	for _, p := range list {
		if p.Active {
			out = append(out, Link{ID: p.ID, Name: p.Name})
		}
	}
	return out, nil
}

// Get returns provider id.
func (s *Service) Get(ctx context.Context, id int64) (Provider, error) {
	p, err := scanProvider(s.o.DB.R.QueryRowContext(ctx, s.q.Get("get-provider"), id))
	if errors.Is(err, sql.ErrNoRows) {
		return Provider{}, fmt.Errorf("sso: provider %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return Provider{}, fmt.Errorf("sso: provider %d: %w", id, err)
	}
	return p, nil
}

// check turns in into a provider (keeping old's secret when in has
// none), with what is wrong with it.
func check(in Input, old Provider) (Provider, error) {
	errs := valid.Fields{}
	p := old
	text := func(field, v string, max int, required bool) string {
		v = strings.TrimSpace(v)
		switch {
		case !utf8.ValidString(v) || strings.ContainsRune(v, 0):
			errs.Add(field, valid.Msg("valid.invalid", "is not valid text"))
		case required && v == "":
			errs.Add(field, valid.Msg("valid.required", "is required"))
		case utf8.RuneCountInString(v) > max:
			errs.Add(field, valid.Msg("valid.too_long", "is too long"))
		}
		return v
	}
	p.Name = text("name", in.Name, MaxName, true)
	p.Issuer = strings.TrimRight(text("issuer", in.Issuer, MaxURL, true), "/")
	if u, err := url.Parse(p.Issuer); p.Issuer != "" && (err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.RawQuery != "" || u.Fragment != "") {
		errs.Add("issuer", valid.Msg("sso.valid_issuer", "must be the provider's https:// address"))
	}
	p.ClientID = text("client_id", in.ClientID, MaxField, true)
	if sec := text("client_secret", in.ClientSecret, MaxSecret, false); sec != "" {
		p.ClientSecret = sec
	}
	scopes := []string{"openid"}
	for _, sc := range strings.Fields(text("scopes", in.Scopes, MaxField, false)) {
		if !slices.Contains(scopes, sc) {
			scopes = append(scopes, sc)
		}
	}
	p.Scopes = scopes
	p.RoleClaim = text("role_claim", in.RoleClaim, MaxField, false)
	rules, err := ParseRules(in.Rules)
	var re *RuleError
	switch {
	case errors.As(err, &re):
		errs.Add("role_rules", valid.Msg("sso.valid_rule", "line %d: not “claim value = agent, manager or admin”", re.Line))
	case len(rules) > 0 && p.RoleClaim == "":
		errs.Add("role_claim", valid.Msg("sso.valid_claim_needed", "is needed for role rules"))
	}
	p.Rules = rules
	p.JIT = in.JIT
	p.DefaultRole = agent.Role(in.DefaultRole)
	if in.DefaultRole == "" {
		p.DefaultRole = agent.RoleAgent
	}
	if !p.DefaultRole.Valid() {
		errs.Add("default_role", valid.Msg("valid.role", "must be agent, manager or admin"))
	}
	p.DefaultTeamID = max(in.DefaultTeamID, 0)
	p.AllowedDomains = nil
	for _, d := range strings.FieldsFunc(strings.ToLower(text("allowed_domains", in.AllowedDomains, MaxField, false)),
		func(r rune) bool { return r == ' ' || r == ',' || r == '\n' || r == '\r' || r == '\t' }) {
		d = strings.TrimPrefix(d, "@")
		if !strings.Contains(d, ".") || strings.ContainsAny(d, "@/:") {
			errs.Add("allowed_domains", valid.Msg("sso.valid_domain", "%s is not a domain", d))
			break
		}
		p.AllowedDomains = append(p.AllowedDomains, d)
	}
	p.Active = in.Active
	return p, errs.Err()
}

// state is what the audit log keeps of a provider: never the secret.
type state struct {
	Name           string   `json:"name"`
	Issuer         string   `json:"issuer"`
	ClientID       string   `json:"client_id"`
	Scopes         []string `json:"scopes"`
	RoleClaim      string   `json:"role_claim"`
	Rules          []Rule   `json:"role_rules"`
	JIT            bool     `json:"jit"`
	DefaultRole    string   `json:"default_role"`
	DefaultTeamID  int64    `json:"default_team_id"`
	AllowedDomains []string `json:"allowed_domains"`
	Active         bool     `json:"active"`
	// KeyChanged says the client secret was replaced (not what it is).
	KeyChanged bool `json:"client_key_changed,omitempty"`
}

func (p Provider) state() state {
	return state{Name: p.Name, Issuer: p.Issuer, ClientID: p.ClientID, Scopes: p.Scopes, RoleClaim: p.RoleClaim,
		Rules: p.Rules, JIT: p.JIT, DefaultRole: string(p.DefaultRole), DefaultTeamID: p.DefaultTeamID,
		AllowedDomains: p.AllowedDomains, Active: p.Active}
}

// flag is b as the 0/1 of an INTEGER column.
func flag(b bool) int {
	if b {
		return 1
	}
	return 0
}

func teamArg(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// Create adds a provider (acting admin in ctx).
func (s *Service) Create(ctx context.Context, in Input) (Provider, error) {
	p, err := check(in, Provider{})
	if err != nil {
		return Provider{}, err
	}
	if p.ClientSecret == "" {
		return Provider{}, valid.Field("client_secret", valid.Msg("valid.required", "is required"))
	}
	var id int64
	err = s.o.DB.Tx(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, s.q.Get("insert-provider"), p.Name, p.Issuer, p.ClientID, p.ClientSecret,
			strings.Join(p.Scopes, " "), p.RoleClaim, FormatRules(p.Rules), flag(p.JIT), string(p.DefaultRole),
			teamArg(p.DefaultTeamID), strings.Join(p.AllowedDomains, " "), flag(p.Active), store.Millis(s.now())).Scan(&id)
		if err != nil {
			return err
		}
		return s.audit.RecordTx(ctx, tx, audit.Entry{Action: "sso.provider_create", TargetKind: "sso_provider",
			TargetID: audit.ID(id), After: p.state()})
	})
	if err != nil {
		return Provider{}, fmt.Errorf("sso: create: %w", err)
	}
	return s.Get(ctx, id)
}

// Update changes provider id (acting admin in ctx).
func (s *Service) Update(ctx context.Context, id int64, in Input) (Provider, error) {
	old, err := s.Get(ctx, id)
	if err != nil {
		return Provider{}, err
	}
	p, err := check(in, old)
	if err != nil {
		return Provider{}, err
	}
	err = s.o.DB.Tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, s.q.Get("update-provider"), id, p.Name, p.Issuer, p.ClientID, p.ClientSecret,
			strings.Join(p.Scopes, " "), p.RoleClaim, FormatRules(p.Rules), flag(p.JIT), string(p.DefaultRole),
			teamArg(p.DefaultTeamID), strings.Join(p.AllowedDomains, " "), flag(p.Active), store.Millis(s.now()))
		if err != nil {
			return err
		}
		before, after := old.state(), p.state()
		after.KeyChanged = p.ClientSecret != old.ClientSecret
		if reflect.DeepEqual(before, after) {
			return nil
		}
		return s.audit.RecordTx(ctx, tx, audit.Entry{Action: "sso.provider_update", TargetKind: "sso_provider",
			TargetID: audit.ID(id), Before: before, After: after})
	})
	if err != nil {
		return Provider{}, fmt.Errorf("sso: update %d: %w", id, err)
	}
	return s.Get(ctx, id)
}

// Delete removes provider id and its links to agents (acting admin in ctx).
func (s *Service) Delete(ctx context.Context, id int64) error {
	old, err := s.Get(ctx, id)
	if err != nil {
		return err
	}
	return s.o.DB.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, s.q.Get("delete-provider"), id); err != nil {
			return fmt.Errorf("sso: delete %d: %w", id, err)
		}
		return s.audit.RecordTx(ctx, tx, audit.Entry{Action: "sso.provider_delete", TargetKind: "sso_provider",
			TargetID: audit.ID(id), Before: old.state()})
	})
}

// random returns n random bytes in URL-safe base64.
func random(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

func hashState(st string) string {
	h := sha256.Sum256([]byte(st))
	return hex.EncodeToString(h[:])
}

// oauth returns the provider's discovered endpoints and client settings.
func (s *Service) oauth(ctx context.Context, p Provider) (*oidc.Provider, *oauth2.Config, context.Context, error) {
	ctx = oidc.ClientContext(ctx, s.o.HTTP)
	op, err := oidc.NewProvider(ctx, p.Issuer)
	if err != nil {
		return nil, nil, ctx, fmt.Errorf("%w: discovery: %v", ErrProvider, err)
	}
	return op, &oauth2.Config{ClientID: p.ClientID, ClientSecret: p.ClientSecret, Endpoint: op.Endpoint(),
		RedirectURL: s.o.CallbackURL, Scopes: p.Scopes}, ctx, nil
}

// Begin starts a sign-in through provider id that returns to next: the
// provider's authorization URL to send the browser to and the state the
// browser must hold (a cookie) until it comes back.
func (s *Service) Begin(ctx context.Context, id int64, next string) (authURL, st string, err error) {
	p, err := s.Get(ctx, id)
	if err != nil {
		return "", "", err
	}
	if !p.Active {
		return "", "", fmt.Errorf("sso: provider %d is off: %w", id, ErrNotFound)
	}
	_, cfg, _, err := s.oauth(ctx, p)
	if err != nil {
		s.o.Log.Warn("sso provider unreachable", "provider_id", id, slog.Any("error", err))
		return "", "", err
	}
	st, nonce, verifier := random(32), random(24), oauth2.GenerateVerifier()
	now := s.now()
	err = s.o.DB.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, s.q.Get("prune-flows"), store.Millis(now)); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, s.q.Get("insert-flow"), hashState(st), id, nonce, verifier, next,
			store.Millis(now.Add(FlowTTL)))
		return err
	})
	if err != nil {
		return "", "", fmt.Errorf("sso: begin %d: %w", id, err)
	}
	return cfg.AuthCodeURL(st, oidc.Nonce(nonce), oauth2.S256ChallengeOption(verifier)), st, nil
}

// Return is what the browser brought back from the provider.
type Return struct {
	State       string // the state in the URL
	CookieState string // the state this browser held
	Code        string
	Error       string // the provider's error, when it refused
	Addr        string // the client's address
}

// Result is a finished sign-in: the agent, or the pending second step (a
// *agent.SecondStepError in the error), and the page to go to.
type Result struct {
	Agent agent.Agent
	Next  string
}

// claims are the ID token's claims Rapport reads; the role claim is read
// from the whole set.
type claims struct {
	Email         string `json:"email"`
	EmailVerified *bool  `json:"email_verified"`
	Name          string `json:"name"`
}

// Finish completes a sign-in that came back from the provider: it checks
// the state against the browser's and the stored flow (used once), redeems
// the code with the PKCE verifier, verifies the ID token (signature,
// issuer, audience, expiry, nonce), finds or creates the agent, applies
// the role rules and signs them in (agent.SignInVerified). next is set
// even with an error when the flow was known.
func (s *Service) Finish(ctx context.Context, r Return) (Result, error) {
	if r.State == "" || len(r.CookieState) != len(r.State) || r.CookieState != r.State {
		return Result{}, s.refuse(ctx, 0, "state", ErrState)
	}
	var pid int64
	var nonce, verifier, next string
	err := s.o.DB.W.QueryRowContext(ctx, s.q.Get("take-flow"), hashState(r.State), store.Millis(s.now())).
		Scan(&pid, &nonce, &verifier, &next)
	if errors.Is(err, sql.ErrNoRows) {
		return Result{}, s.refuse(ctx, 0, "state", ErrState)
	}
	if err != nil {
		return Result{}, fmt.Errorf("sso: flow: %w", err)
	}
	res := Result{Next: next}
	p, err := s.Get(ctx, pid)
	if err != nil {
		return res, err
	}
	if r.Error != "" || r.Code == "" {
		return res, s.refuse(ctx, pid, "provider_refused", ErrProvider)
	}
	op, cfg, octx, err := s.oauth(ctx, p)
	if err != nil {
		return res, s.refuse(ctx, pid, "discovery", err)
	}
	tok, err := cfg.Exchange(octx, r.Code, oauth2.VerifierOption(verifier))
	if err != nil {
		s.o.Log.Warn("sso code exchange failed", "provider_id", pid, slog.Any("error", err))
		return res, s.refuse(ctx, pid, "exchange", ErrProvider)
	}
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		return res, s.refuse(ctx, pid, "no_id_token", ErrProvider)
	}
	idt, err := op.Verifier(&oidc.Config{ClientID: p.ClientID, Now: s.now}).Verify(octx, raw)
	if err != nil {
		s.o.Log.Warn("sso id token refused", "provider_id", pid, slog.Any("error", err))
		return res, s.refuse(ctx, pid, "id_token", ErrProvider)
	}
	if len(idt.Nonce) != len(nonce) || idt.Nonce != nonce {
		return res, s.refuse(ctx, pid, "nonce", ErrProvider)
	}
	var c claims
	all := map[string]any{}
	if err := idt.Claims(&c); err != nil {
		return res, s.refuse(ctx, pid, "claims", ErrProvider)
	}
	if err := idt.Claims(&all); err != nil {
		return res, s.refuse(ctx, pid, "claims", ErrProvider)
	}
	a, err := s.resolve(ctx, p, idt.Subject, c, all[p.RoleClaim])
	if err != nil {
		return res, err
	}
	res.Agent, err = s.o.Agents.SignInVerified(ctx, a.ID, r.Addr, "sso:"+p.Name)
	return res, err
}

// emailDomain is the part of email after the @, lower case.
func emailDomain(email string) string {
	_, d, _ := strings.Cut(strings.ToLower(email), "@")
	return d
}

// resolve finds the agent of a verified identity (by subject, else by
// verified email), creates one when the provider allows it, and applies
// the role rules.
func (s *Service) resolve(ctx context.Context, p Provider, subject string, c claims, roleClaim any) (agent.Agent, error) {
	// Only an email the provider says it verified finds or makes an agent:
	// a provider that leaves email_verified out may let people claim any
	// address. A subject linked before needs no email.
	verified := c.EmailVerified != nil && *c.EmailVerified
	email := strings.ToLower(strings.TrimSpace(c.Email))
	if len(p.AllowedDomains) > 0 && !slices.Contains(p.AllowedDomains, emailDomain(email)) {
		return agent.Agent{}, s.refuseAs(ctx, p.ID, "domain", email, ErrDomain)
	}
	mapped, hasRole := agent.Role(""), false
	if p.RoleClaim != "" {
		mapped, hasRole = MapRole(p.Rules, roleClaim)
	}
	now := store.Millis(s.now())
	var id int64
	err := s.o.DB.R.QueryRowContext(ctx, s.q.Get("identity-agent"), p.ID, subject).Scan(&id)
	switch {
	case err == nil:
		if _, err := s.o.DB.W.ExecContext(ctx, s.q.Get("touch-identity"), p.ID, subject, email, now); err != nil {
			return agent.Agent{}, fmt.Errorf("sso: identity: %w", err)
		}
	case !errors.Is(err, sql.ErrNoRows):
		return agent.Agent{}, fmt.Errorf("sso: identity: %w", err)
	case !verified || email == "":
		return agent.Agent{}, s.refuseAs(ctx, p.ID, "email_unverified", email, ErrUnverified)
	default:
		a, err := s.o.Agents.GetByEmail(ctx, email)
		switch {
		case err == nil:
			id = a.ID
		case !errors.Is(err, agent.ErrNotFound):
			return agent.Agent{}, err
		case !p.JIT:
			return agent.Agent{}, s.refuseAs(ctx, p.ID, "unknown_agent", email, ErrUnknownAgent)
		default:
			role := p.DefaultRole
			if hasRole {
				role = mapped
			}
			a, err = s.o.Agents.CreateExternal(ctx, email, c.Name, role, p.DefaultTeamID, "sso:"+p.Name)
			if err != nil {
				return agent.Agent{}, s.refuseAs(ctx, p.ID, "jit_failed", email, fmt.Errorf("sso: create agent %s: %w", email, err))
			}
			id = a.ID
			if err := s.audit.Record(ctx, audit.Entry{Action: "sso.jit_create", TargetKind: "agent", TargetID: audit.ID(id),
				After: map[string]any{"provider": p.Name, "email": email, "role": role}}); err != nil {
				return agent.Agent{}, err
			}
		}
		err = s.o.DB.Tx(ctx, func(tx *sql.Tx) error {
			if _, err := tx.ExecContext(ctx, s.q.Get("insert-identity"), p.ID, subject, id, email, now); err != nil {
				return err
			}
			return s.audit.RecordTx(ctx, tx, audit.Entry{Action: "sso.link", TargetKind: "agent", TargetID: audit.ID(id),
				After: map[string]any{"provider": p.Name, "subject": subject, "email": email}})
		})
		if err != nil {
			return agent.Agent{}, fmt.Errorf("sso: link %s: %w", email, err)
		}
	}
	a, err := s.o.Agents.Get(ctx, id)
	if err != nil {
		return agent.Agent{}, err
	}
	if hasRole && a.Role != mapped && a.Active {
		before := a.Role
		if a, err = s.o.Agents.Update(ctx, id, agent.AgentUpdate{Role: &mapped}); err != nil {
			return agent.Agent{}, err
		}
		if err := s.audit.Record(ctx, audit.Entry{Action: "sso.role_mapped", TargetKind: "agent", TargetID: audit.ID(id),
			Before: map[string]any{"role": before}, After: map[string]any{"role": mapped, "provider": p.Name}}); err != nil {
			return agent.Agent{}, err
		}
	}
	return a, nil
}

// refuse records a refused sign-in through provider pid (0: unknown) and
// returns err. The client's address comes with the actor in ctx.
func (s *Service) refuse(ctx context.Context, pid int64, reason string, err error) error {
	return s.refuseAs(ctx, pid, reason, "", err)
}

// refuseAs is refuse naming the email the provider gave.
func (s *Service) refuseAs(ctx context.Context, pid int64, reason, email string, err error) error {
	after := map[string]any{"reason": reason}
	if pid != 0 {
		after["provider_id"] = pid
	}
	if email != "" {
		after["email"] = email
	}
	e := audit.Entry{Action: "sso.failed", TargetKind: "sso_provider", After: after}
	if pid != 0 {
		e.TargetID = audit.ID(pid)
	}
	if rerr := s.audit.Record(ctx, e); rerr != nil {
		return errors.Join(err, rerr)
	}
	return err
}
