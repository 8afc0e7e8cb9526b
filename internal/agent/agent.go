// Package agent holds the people who work tickets: agents, managers and
// admins, their teams, passwords, sessions and API tokens.
package agent

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
	"net/mail"
	"reflect"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/rapport/rapport/internal/audit"
	"github.com/rapport/rapport/internal/i18n"
	"github.com/rapport/rapport/internal/jobs"
	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/valid"
)

// Role is what an agent may do. Each role can do everything the one below can.
type Role string

// The roles, lowest first.
const (
	RoleAgent   Role = "agent"
	RoleManager Role = "manager"
	RoleAdmin   Role = "admin"
)

// AtLeast reports whether r includes the rights of min.
func (r Role) AtLeast(min Role) bool { return r.rank() >= min.rank() && min.rank() > 0 }

// rank orders the roles; an unknown role ranks 0 and can do nothing.
func (r Role) rank() int {
	switch r {
	case RoleAgent:
		return 1
	case RoleManager:
		return 2
	case RoleAdmin:
		return 3
	}
	return 0
}

// Roles lists every role, lowest first.
var Roles = []Role{RoleAgent, RoleManager, RoleAdmin}

// Valid reports whether r is one of the roles.
func (r Role) Valid() bool { return r.rank() > 0 }

// Permission is something a role may do. Web and API check permissions only
// through Agent.Can (which asks Role.Can, then the agent's own rights), so
// the rules live here and nowhere else.
type Permission string

// The permissions.
const (
	PermWorkTickets    Permission = "work_tickets"    // every role
	PermViewReports    Permission = "view_reports"    // managers and admins
	PermManageTeams    Permission = "manage_teams"    // managers and admins
	PermManageAgents   Permission = "manage_agents"   // admins
	PermManageSettings Permission = "manage_settings" // admins
	// PermChangeAnyTicket changes the status of, or transfers, a ticket the
	// agent neither owns nor helps on (the ticket service asks).
	PermChangeAnyTicket Permission = "change_any_ticket" // managers and admins
	// PermManageSavedReplies: writing the saved replies every agent inserts.
	PermManageSavedReplies Permission = "manage_saved_replies" // managers and admins
	// PermViewAudit: reading the audit log, and everyone's API tokens.
	PermViewAudit Permission = "view_audit" // admins
	// PermManageKB: writing and publishing the knowledge base (issue 16).
	PermManageKB Permission = "manage_kb" // managers and admins, and agents given the right (Agent.KBEditor)
)

// Can reports whether role r has permission p.
func (r Role) Can(p Permission) bool {
	need, ok := permissionRole[p]
	return ok && r.AtLeast(need)
}

// permissionRole is the lowest role holding each permission.
var permissionRole = map[Permission]Role{
	PermWorkTickets:        RoleAgent,
	PermViewReports:        RoleManager,
	PermManageTeams:        RoleManager,
	PermManageAgents:       RoleAdmin,
	PermManageSettings:     RoleAdmin,
	PermManageSavedReplies: RoleManager,
	PermChangeAnyTicket:    RoleManager,
	PermViewAudit:          RoleAdmin,
	PermManageKB:           RoleManager,
}

// Can reports whether agent a has permission p: through their role, or
// through a right an admin gave them alone (KBEditor: PermManageKB). The
// web and API route tables ask this, for every request, of the agent as
// stored then, so a right taken away ends on the next request.
func (a Agent) Can(p Permission) bool {
	return a.Role.Can(p) || (p == PermManageKB && a.KBEditor)
}

// AdminOnly reports whether only admins hold p: an API token needs the
// admin scope for the routes that need it.
func (p Permission) AdminOnly() bool { return permissionRole[p] == RoleAdmin }

// Availability values.
const (
	Online  = "online"
	Away    = "away"
	Offline = "offline"
)

// Availabilities lists the availability values.
var Availabilities = []string{Online, Away, Offline}

// Errors returned (wrapped) by the service.
var (
	ErrNotFound       = store.ErrNotFound
	ErrBadCredentials = errors.New("wrong email or password")
	ErrRateLimited    = errors.New("too many login attempts, try again later")
	ErrSessionExpired = errors.New("session expired")
)

// Agent is a person who works tickets.
type Agent struct {
	ID           int64
	Email        string
	Name         string
	Role         Role
	Locale       string   // UI language (en, it, ru, lv, ca); "" means from the browser
	Languages    []string // languages spoken with customers
	TimeZone     string   // IANA zone times are shown in; "" means the business's
	Availability string
	Active       bool
	// KBEditor is the right, given by an admin to this agent alone, to
	// write and publish the knowledge base whatever their role (Can).
	KBEditor bool
	// ChatCapacity is how many open chats the router gives the agent at
	// most; read here, set through routing.Router.SetChatCapacity.
	ChatCapacity int
	TeamIDs      []int64
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// NewAgent is what Create needs.
type NewAgent struct {
	Email     string
	Name      string
	Role      Role
	Password  string // at least 8 characters
	Locale    string
	Languages []string
	TimeZone  string // IANA zone; "" means the business's
}

// AgentUpdate changes the fields that are not nil.
type AgentUpdate struct {
	Name         *string
	Role         *Role
	Locale       *string
	Languages    *[]string
	TimeZone     *string
	Availability *string
	Active       *bool
	KBEditor     *bool
}

// Team is a group of agents that tickets can be routed to.
type Team struct {
	ID          int64
	Name        string
	Description string
	MemberIDs   []int64
	CreatedAt   time.Time
}

// Session is a logged-in browser.
type Session struct {
	AgentID   int64
	CSRFToken string
	CreatedAt time.Time
	ExpiresAt time.Time
}

// Service manages agents, teams, sessions and tokens.
type Service struct {
	db    *store.DB
	clock jobs.Clock
	q     store.Queries
	audit *audit.Log // every change and sign-in, recorded in its transaction
}

//go:embed queries*.sql
var queriesFS embed.FS

// Session and login settings.
const (
	// SessionTTL is how long a session lives without use; each use extends it.
	SessionTTL = 14 * 24 * time.Hour
	// MinPassword is the shortest password accepted.
	MinPassword = 8
)

// New returns a Service over db.
func New(db *store.DB, clock jobs.Clock) *Service {
	if clock == nil {
		clock = jobs.SystemClock{}
	}
	return &Service{db: db, clock: clock, q: store.MustLoadQueries(queriesFS, db.Dialect), audit: audit.New(db, clock)}
}

func (s *Service) now() time.Time { return s.clock.Now().UTC() }

// normEmail is an email as stored: trimmed and lower-cased.
func normEmail(e string) string { return strings.ToLower(strings.TrimSpace(e)) }

// checkEmail reports whether e looks like an email address.
func checkEmail(e string) bool {
	if len(e) > 254 || strings.ContainsAny(e, " \t\r\n<>,;\"") {
		return false
	}
	a, err := mail.ParseAddress(e)
	return err == nil && a.Address == e && strings.Contains(e[strings.LastIndex(e, "@"):], ".")
}

func checkLocale(errs valid.Fields, l string) string {
	l = strings.ToLower(strings.TrimSpace(l))
	if len(l) > 16 || strings.ContainsAny(l, " ,;") {
		errs.Add("locale", valid.Msg("valid.language", "is not a language code"))
	}
	return l
}

// checkZone is the IANA time zone z, trimmed; "" stays "" (the business's).
func checkZone(errs valid.Fields, z string) string {
	z = strings.TrimSpace(z)
	if z == "" {
		return ""
	}
	if _, err := i18n.Zone(z); err != nil {
		errs.Add("time_zone", valid.Msg("valid.time_zone", "is not a time zone (for example Europe/Rome)"))
	}
	return z
}

func checkLanguages(errs valid.Fields, langs []string) []string {
	out := []string{}
	seen := map[string]bool{}
	for _, l := range langs {
		l = strings.ToLower(strings.TrimSpace(l))
		if l == "" || seen[l] {
			continue
		}
		if len(l) > 16 || strings.ContainsAny(l, " ,;") {
			errs.Add("languages", valid.Msg("valid.language", "each must be a language code such as en or it"))
			continue
		}
		seen[l] = true
		out = append(out, l)
	}
	return out
}

func checkName(errs valid.Fields, field, n string) string {
	n = strings.TrimSpace(n)
	switch {
	case n == "":
		errs.Add(field, valid.Msg("valid.required", "is required"))
	case utf8.RuneCountInString(n) > 200:
		errs.Add(field, valid.Msg("valid.too_long", "is longer than 200 characters"))
	}
	return n
}

// Create adds an agent; invalid fields give valid.Fields, a taken email
// store.ErrConflict.
func (s *Service) Create(ctx context.Context, n NewAgent) (Agent, error) {
	n, errs := CheckNew(n)
	if err := errs.Err(); err != nil {
		return Agent{}, err
	}
	var id int64
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		var err error
		if id, err = s.insert(ctx, tx, n); err != nil {
			return err
		}
		return s.audit.RecordTx(ctx, tx, audit.Entry{Action: "agent.create", TargetKind: "agent", TargetID: audit.ID(id),
			After: agentState{Email: n.Email, Name: n.Name, Role: n.Role, Active: true, Locale: n.Locale,
				Languages: n.Languages, TimeZone: n.TimeZone}})
	})
	if err != nil {
		return Agent{}, err
	}
	return s.Get(ctx, id)
}

// agentState is what the audit log keeps of an agent: never the password
// or the availability, which agents switch all day.
type agentState struct {
	Email     string   `json:"email"`
	Name      string   `json:"name"`
	Role      Role     `json:"role"`
	Active    bool     `json:"active"`
	Locale    string   `json:"locale"`
	Languages []string `json:"languages"`
	TimeZone  string   `json:"time_zone"`
	KBEditor  bool     `json:"kb_editor"`
}

func (a Agent) state() agentState {
	return agentState{Email: a.Email, Name: a.Name, Role: a.Role, Active: a.Active, Locale: a.Locale,
		Languages: a.Languages, TimeZone: a.TimeZone, KBEditor: a.KBEditor}
}

// CheckNew returns n trimmed and normalised, with what is wrong with it
// (empty when nothing is).
func CheckNew(n NewAgent) (NewAgent, valid.Fields) {
	errs := valid.Fields{}
	n.Email = normEmail(n.Email)
	if !checkEmail(n.Email) {
		errs.Add("email", valid.Msg("valid.email", "is not an email address"))
	}
	n.Name = checkName(errs, "name", n.Name)
	if !n.Role.Valid() {
		errs.Add("role", valid.Msg("valid.role", "must be agent, manager or admin"))
	}
	if utf8.RuneCountInString(n.Password) < MinPassword {
		errs.Add("password", valid.Msg("valid.password_short", "needs at least %d characters", MinPassword))
	} else if len(n.Password) > 1024 {
		errs.Add("password", valid.Msg("valid.too_long", "is longer than 1024 bytes"))
	}
	n.Locale = checkLocale(errs, n.Locale)
	n.Languages = checkLanguages(errs, n.Languages)
	n.TimeZone = checkZone(errs, n.TimeZone)
	return n, errs
}

// execer is the database or a transaction.
type execer interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// insert stores n, already checked, and returns its id.
func (s *Service) insert(ctx context.Context, db execer, n NewAgent) (int64, error) {
	hash, err := HashPassword(n.Password)
	if err != nil {
		return 0, err
	}
	var id int64
	err = db.QueryRowContext(ctx, s.q.Get("insert-agent"), n.Email, n.Name, string(n.Role), hash,
		n.Locale, strings.Join(n.Languages, ","), true, store.Millis(s.now()), n.TimeZone).Scan(&id)
	if store.IsUniqueViolation(err) {
		return 0, fmt.Errorf("agent: create %s: %w", n.Email, store.ErrConflict)
	}
	if err != nil {
		return 0, fmt.Errorf("agent: create %s: %w", n.Email, err)
	}
	return id, nil
}

func scanAgent(sc interface{ Scan(...any) error }) (Agent, error) {
	var a Agent
	var role, langs string
	var created, updated int64
	if err := sc.Scan(&a.ID, &a.Email, &a.Name, &role, &a.Locale, &langs, &a.TimeZone, &a.Availability, &a.Active, &created, &updated,
		&a.KBEditor, &a.ChatCapacity); err != nil {
		return Agent{}, err
	}
	a.Role = Role(role)
	a.Languages = splitList(langs)
	a.CreatedAt = store.Time(created)
	a.UpdatedAt = store.Time(updated)
	a.TeamIDs = []int64{}
	return a, nil
}

func splitList(s string) []string {
	out := []string{}
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// Get returns agent id.
func (s *Service) Get(ctx context.Context, id int64) (Agent, error) {
	a, err := scanAgent(s.db.R.QueryRowContext(ctx, s.q.Get("get-agent"), id))
	if errors.Is(err, sql.ErrNoRows) {
		return Agent{}, fmt.Errorf("agent: %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return Agent{}, fmt.Errorf("agent: get %d: %w", id, err)
	}
	return a, s.loadTeams(ctx, &a)
}

func (s *Service) loadTeams(ctx context.Context, a *Agent) error {
	rows, err := s.db.R.QueryContext(ctx, s.q.Get("agent-teams"), a.ID)
	if err != nil {
		return fmt.Errorf("agent: teams of %d: %w", a.ID, err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return err
		}
		a.TeamIDs = append(a.TeamIDs, id)
	}
	return rows.Err()
}

// GetByEmail returns the agent with email (case-insensitive).
func (s *Service) GetByEmail(ctx context.Context, email string) (Agent, error) {
	a, err := scanAgent(s.db.R.QueryRowContext(ctx, s.q.Get("get-agent-by-email"), normEmail(email)))
	if errors.Is(err, sql.ErrNoRows) {
		return Agent{}, fmt.Errorf("agent: %s: %w", email, ErrNotFound)
	}
	if err != nil {
		return Agent{}, fmt.Errorf("agent: get %s: %w", email, err)
	}
	return a, s.loadTeams(ctx, &a)
}

// List returns every agent, by name.
func (s *Service) List(ctx context.Context) ([]Agent, error) {
	rows, err := s.db.R.QueryContext(ctx, s.q.Get("list-agents"))
	if err != nil {
		return nil, fmt.Errorf("agent: list: %w", err)
	}
	defer rows.Close()
	out := []Agent{}
	byID := map[int64]int{}
	for rows.Next() {
		a, err := scanAgent(rows)
		if err != nil {
			return nil, fmt.Errorf("agent: list: %w", err)
		}
		byID[a.ID] = len(out)
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("agent: list: %w", err)
	}
	members, err := s.allMembers(ctx)
	if err != nil {
		return nil, err
	}
	for _, m := range members {
		if i, ok := byID[m[1]]; ok {
			out[i].TeamIDs = append(out[i].TeamIDs, m[0])
		}
	}
	return out, nil
}

// allMembers returns every (team, agent) pair.
func (s *Service) allMembers(ctx context.Context) ([][2]int64, error) {
	rows, err := s.db.R.QueryContext(ctx, s.q.Get("all-team-members"))
	if err != nil {
		return nil, fmt.Errorf("agent: team members: %w", err)
	}
	defer rows.Close()
	var out [][2]int64
	for rows.Next() {
		var m [2]int64
		if err := rows.Scan(&m[0], &m[1]); err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// Update changes an agent.
func (s *Service) Update(ctx context.Context, id int64, u AgentUpdate) (Agent, error) {
	a, err := s.Get(ctx, id)
	if err != nil {
		return Agent{}, err
	}
	before := a.state()
	errs := valid.Fields{}
	if u.Name != nil {
		a.Name = checkName(errs, "name", *u.Name)
	}
	if u.Role != nil {
		if !u.Role.Valid() {
			errs.Add("role", valid.Msg("valid.role", "must be agent, manager or admin"))
		}
		a.Role = *u.Role
	}
	if u.Locale != nil {
		a.Locale = checkLocale(errs, *u.Locale)
	}
	if u.Languages != nil {
		a.Languages = checkLanguages(errs, *u.Languages)
	}
	if u.TimeZone != nil {
		a.TimeZone = checkZone(errs, *u.TimeZone)
	}
	if u.Availability != nil {
		if !slices.Contains(Availabilities, *u.Availability) {
			errs.Add("availability", valid.Msg("valid.choice", "must be online, away or offline"))
		}
		a.Availability = *u.Availability
	}
	if u.Active != nil {
		a.Active = *u.Active
	}
	if u.KBEditor != nil {
		a.KBEditor = *u.KBEditor
	}
	if err := errs.Err(); err != nil {
		return Agent{}, err
	}
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, s.q.Get("update-agent"), id, a.Name, string(a.Role), a.Locale,
			strings.Join(a.Languages, ","), a.Availability, a.Active, store.Millis(s.now()), a.TimeZone, a.KBEditor); err != nil {
			return err
		}
		if !a.Active {
			// A deactivated agent is logged out everywhere, and their API
			// tokens end for good: a reactivation does not bring them back.
			if _, err := tx.ExecContext(ctx, s.q.Get("delete-agent-sessions"), id); err != nil {
				return err
			}
			if err := s.revokeAgentTokensTx(ctx, tx, id, RevokedDeactivated); err != nil {
				return err
			}
		}
		if after := a.state(); !reflect.DeepEqual(before, after) {
			return s.audit.RecordTx(ctx, tx, audit.Entry{Action: "agent.update", TargetKind: "agent",
				TargetID: audit.ID(id), Before: before, After: after})
		}
		return nil
	})
	if err != nil {
		return Agent{}, fmt.Errorf("agent: update %d: %w", id, err)
	}
	return s.Get(ctx, id)
}

// SetPassword replaces an agent's password (and ends their sessions).
func (s *Service) SetPassword(ctx context.Context, id int64, password string) error {
	return s.ResetPassword(ctx, id, password, false)
}

// ResetPassword replaces an agent's password and ends their sessions;
// endTokens revokes their API tokens too, for good.
func (s *Service) ResetPassword(ctx context.Context, id int64, password string, endTokens bool) error {
	if utf8.RuneCountInString(password) < MinPassword {
		return valid.Field("password", valid.Msg("valid.password_short", "needs at least %d characters", MinPassword))
	}
	if len(password) > 1024 {
		return valid.Field("password", valid.Msg("valid.too_long", "is longer than 1024 bytes"))
	}
	if _, err := s.Get(ctx, id); err != nil {
		return err
	}
	hash, err := HashPassword(password)
	if err != nil {
		return err
	}
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, s.q.Get("set-password"), id, hash, store.Millis(s.now())); err != nil {
			return fmt.Errorf("agent: set password %d: %w", id, err)
		}
		if _, err := tx.ExecContext(ctx, s.q.Get("delete-agent-sessions"), id); err != nil {
			return err
		}
		if endTokens {
			if err := s.revokeAgentTokensTx(ctx, tx, id, RevokedPassword); err != nil {
				return err
			}
		}
		return s.audit.RecordTx(ctx, tx, audit.Entry{Action: "agent.password", TargetKind: "agent",
			TargetID: audit.ID(id), After: map[string]bool{"tokens_ended": endTokens}})
	})
}

// loginEntry is the audit record of a sign-in: the agent's own when it
// succeeded, the system's (with the email tried) when it failed.
func loginEntry(ok bool, id int64, email string) audit.Entry {
	if ok {
		return audit.Entry{Action: "login", TargetKind: "agent", TargetID: audit.ID(id), As: id}
	}
	e := audit.Entry{Action: "login.failed", TargetKind: "agent", After: map[string]string{"email": email}}
	if id != 0 {
		e.TargetID = audit.ID(id)
	}
	return e
}

// CreateSession starts a session and returns the secret cookie token.
func (s *Service) CreateSession(ctx context.Context, agentID int64, userAgent, ip string) (string, Session, error) {
	token := randomToken()
	now := s.now()
	sess := Session{AgentID: agentID, CSRFToken: randomToken(), CreatedAt: now, ExpiresAt: now.Add(SessionTTL)}
	if len(userAgent) > 500 {
		userAgent = userAgent[:500]
	}
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, s.q.Get("delete-expired-sessions"), store.Millis(now)); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, s.q.Get("insert-session"), hashToken(token), agentID, sess.CSRFToken,
			store.Millis(now), store.Millis(sess.ExpiresAt), userAgent, ip)
		return err
	})
	if store.IsForeignKeyViolation(err) {
		return "", Session{}, fmt.Errorf("agent: session for %d: %w", agentID, ErrNotFound)
	}
	if err != nil {
		return "", Session{}, fmt.Errorf("agent: session for %d: %w", agentID, err)
	}
	return token, sess, nil
}

// SessionByToken returns the live session and its (active) agent.
func (s *Service) SessionByToken(ctx context.Context, token string) (Session, Agent, error) {
	if token == "" {
		return Session{}, Agent{}, ErrSessionExpired
	}
	id := hashToken(token)
	var sess Session
	var created, expires, seen int64
	err := s.db.R.QueryRowContext(ctx, s.q.Get("get-session"), id).Scan(&sess.AgentID, &sess.CSRFToken, &created, &expires, &seen)
	if errors.Is(err, sql.ErrNoRows) {
		return Session{}, Agent{}, ErrSessionExpired
	}
	if err != nil {
		return Session{}, Agent{}, fmt.Errorf("agent: session: %w", err)
	}
	now := s.now()
	sess.CreatedAt = store.Time(created)
	sess.ExpiresAt = store.Time(expires)
	if !now.Before(sess.ExpiresAt) {
		return Session{}, Agent{}, ErrSessionExpired
	}
	a, err := s.Get(ctx, sess.AgentID)
	if errors.Is(err, ErrNotFound) || (err == nil && !a.Active) {
		return Session{}, Agent{}, ErrSessionExpired
	}
	if err != nil {
		return Session{}, Agent{}, err
	}
	// Extend the session at most once a minute, to keep reads read-only.
	if now.Sub(store.Time(seen)) > time.Minute {
		sess.ExpiresAt = now.Add(SessionTTL)
		if _, err := s.db.W.ExecContext(ctx, s.q.Get("touch-session"), id, store.Millis(now), store.Millis(sess.ExpiresAt)); err != nil {
			return Session{}, Agent{}, fmt.Errorf("agent: extend session: %w", err)
		}
	}
	return sess, a, nil
}

// DeleteSession ends a session (logout).
func (s *Service) DeleteSession(ctx context.Context, token string) error {
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.q.Get("delete-session"), hashToken(token))
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
		return s.audit.RecordTx(ctx, tx, audit.Entry{Action: "logout", TargetKind: "agent",
			TargetID: audit.ID(audit.ActorFrom(ctx).AgentID)})
	})
	if err != nil {
		return fmt.Errorf("agent: logout: %w", err)
	}
	return nil
}

// CreateTeam adds a team.
func (s *Service) CreateTeam(ctx context.Context, name, description string) (Team, error) {
	errs := valid.Fields{}
	name = checkName(errs, "name", name)
	description = checkDescription(errs, description)
	if err := errs.Err(); err != nil {
		return Team{}, err
	}
	var id int64
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		if err := tx.QueryRowContext(ctx, s.q.Get("insert-team"), name, description, store.Millis(s.now())).Scan(&id); err != nil {
			return err
		}
		return s.audit.RecordTx(ctx, tx, audit.Entry{Action: "team.create", TargetKind: "team", TargetID: audit.ID(id),
			After: teamState{Name: name, Description: description}})
	})
	if store.IsUniqueViolation(err) {
		return Team{}, fmt.Errorf("agent: team %q: %w", name, store.ErrConflict)
	}
	if err != nil {
		return Team{}, fmt.Errorf("agent: create team: %w", err)
	}
	return s.GetTeam(ctx, id)
}

func checkDescription(errs valid.Fields, d string) string {
	d = strings.TrimSpace(d)
	if utf8.RuneCountInString(d) > 1000 {
		errs.Add("description", valid.Msg("valid.too_long", "is longer than 1000 characters"))
	}
	return d
}

// UpdateTeam renames or redescribes a team.
func (s *Service) UpdateTeam(ctx context.Context, id int64, name, description string) (Team, error) {
	errs := valid.Fields{}
	name = checkName(errs, "name", name)
	description = checkDescription(errs, description)
	if err := errs.Err(); err != nil {
		return Team{}, err
	}
	old, err := s.GetTeam(ctx, id)
	if err != nil {
		return Team{}, err
	}
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.q.Get("update-team"), id, name, description)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("agent: team %d: %w", id, ErrNotFound)
		}
		return s.audit.RecordTx(ctx, tx, audit.Entry{Action: "team.update", TargetKind: "team", TargetID: audit.ID(id),
			Before: teamState{Name: old.Name, Description: old.Description}, After: teamState{Name: name, Description: description}})
	})
	if store.IsUniqueViolation(err) {
		return Team{}, fmt.Errorf("agent: team %q: %w", name, store.ErrConflict)
	}
	if err != nil {
		return Team{}, fmt.Errorf("agent: update team %d: %w", id, err)
	}
	return s.GetTeam(ctx, id)
}

// DeleteTeam removes a team; its tickets keep no team.
func (s *Service) DeleteTeam(ctx context.Context, id int64) error {
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, s.q.Get("unset-ticket-team"), id); err != nil {
			return fmt.Errorf("agent: delete team %d: %w", id, err)
		}
		res, err := tx.ExecContext(ctx, s.q.Get("delete-team"), id)
		if err != nil {
			return fmt.Errorf("agent: delete team %d: %w", id, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("agent: team %d: %w", id, ErrNotFound)
		}
		return s.audit.RecordTx(ctx, tx, audit.Entry{Action: "team.delete", TargetKind: "team", TargetID: audit.ID(id)})
	})
}

// teamState is what the audit log keeps of a team.
type teamState struct {
	Name        string  `json:"name,omitempty"`
	Description string  `json:"description,omitempty"`
	Members     []int64 `json:"members,omitempty"`
}

// GetTeam returns team id with its members.
func (s *Service) GetTeam(ctx context.Context, id int64) (Team, error) {
	var t Team
	var created int64
	err := s.db.R.QueryRowContext(ctx, s.q.Get("get-team"), id).Scan(&t.ID, &t.Name, &t.Description, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return Team{}, fmt.Errorf("agent: team %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return Team{}, fmt.Errorf("agent: team %d: %w", id, err)
	}
	t.CreatedAt = store.Time(created)
	t.MemberIDs = []int64{}
	rows, err := s.db.R.QueryContext(ctx, s.q.Get("team-members"), id)
	if err != nil {
		return Team{}, fmt.Errorf("agent: team %d members: %w", id, err)
	}
	defer rows.Close()
	for rows.Next() {
		var aid int64
		if err := rows.Scan(&aid); err != nil {
			return Team{}, err
		}
		t.MemberIDs = append(t.MemberIDs, aid)
	}
	return t, rows.Err()
}

// ListTeams returns every team with its members, by name.
func (s *Service) ListTeams(ctx context.Context) ([]Team, error) {
	rows, err := s.db.R.QueryContext(ctx, s.q.Get("list-teams"))
	if err != nil {
		return nil, fmt.Errorf("agent: list teams: %w", err)
	}
	out := []Team{}
	byID := map[int64]int{}
	for rows.Next() {
		var t Team
		var created int64
		if err := rows.Scan(&t.ID, &t.Name, &t.Description, &created); err != nil {
			rows.Close()
			return nil, fmt.Errorf("agent: list teams: %w", err)
		}
		t.CreatedAt = store.Time(created)
		t.MemberIDs = []int64{}
		byID[t.ID] = len(out)
		out = append(out, t)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("agent: list teams: %w", err)
	}
	members, err := s.allMembers(ctx)
	if err != nil {
		return nil, err
	}
	for _, m := range members {
		if i, ok := byID[m[0]]; ok {
			out[i].MemberIDs = append(out[i].MemberIDs, m[1])
		}
	}
	return out, nil
}

// SetTeamMembers replaces the members of a team.
func (s *Service) SetTeamMembers(ctx context.Context, teamID int64, agentIDs []int64) error {
	old, err := s.GetTeam(ctx, teamID)
	if err != nil {
		return err
	}
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		seen := map[int64]bool{} // inside: Tx may run this again
		members := []int64{}
		if _, err := tx.ExecContext(ctx, s.q.Get("clear-team-members"), teamID); err != nil {
			return fmt.Errorf("agent: team %d members: %w", teamID, err)
		}
		for _, aid := range agentIDs {
			if seen[aid] {
				continue
			}
			seen[aid] = true
			var n int
			if err := tx.QueryRowContext(ctx, s.q.Get("agent-exists"), aid).Scan(&n); err != nil {
				return err
			}
			if n == 0 {
				return valid.Field("agent_ids", valid.Message{Key: "valid.no_agent", Text: fmt.Sprintf("no agent with id %d", aid)})
			}
			if _, err := tx.ExecContext(ctx, s.q.Get("add-team-member"), teamID, aid); err != nil {
				return fmt.Errorf("agent: team %d members: %w", teamID, err)
			}
			members = append(members, aid)
		}
		slices.Sort(members)
		if slices.Equal(members, old.MemberIDs) {
			return nil
		}
		return s.audit.RecordTx(ctx, tx, audit.Entry{Action: "team.members", TargetKind: "team", TargetID: audit.ID(teamID),
			Before: teamState{Members: old.MemberIDs}, After: teamState{Members: members}})
	})
}

// randomToken returns 32 random bytes, base64url-encoded.
func randomToken() string {
	var b [32]byte
	rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// hashToken is how session and API tokens are stored: a leaked table does
// not give working tokens.
func hashToken(t string) string {
	h := sha256.Sum256([]byte(t))
	return hex.EncodeToString(h[:])
}
