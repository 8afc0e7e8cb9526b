package agent

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/rapport/rapport/internal/audit"
	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/valid"
)

// Scope is what an API token may be used for, on top of what its agent's
// role allows. The API's route table says which scope each route needs.
type Scope string

// The scopes.
const (
	ScopeRead  Scope = "read"  // GET routes that need no admin permission
	ScopeWrite Scope = "write" // every other route an agent or manager may call
	ScopeAdmin Scope = "admin" // routes that need an admin's permission (agents, settings, audit)
)

// Scopes lists every scope.
var Scopes = []Scope{ScopeRead, ScopeWrite, ScopeAdmin}

// AllowedScopes are the scopes a token of role r may hold: admin only for admins.
func (r Role) AllowedScopes() []Scope {
	if r.Can(PermManageAgents) {
		return []Scope{ScopeRead, ScopeWrite, ScopeAdmin}
	}
	return []Scope{ScopeRead, ScopeWrite}
}

// ParseScopes reads a comma-separated list of scopes ("read,write"); an
// unknown or empty list is an error naming it.
func ParseScopes(s string) ([]Scope, error) {
	out := []Scope{}
	for _, p := range strings.Split(s, ",") {
		p = strings.ToLower(strings.TrimSpace(p))
		if p == "" {
			continue
		}
		sc := Scope(p)
		if !slices.Contains(Scopes, sc) {
			return nil, fmt.Errorf("agent: %q is not a scope (read, write, admin)", p)
		}
		if !slices.Contains(out, sc) {
			out = append(out, sc)
		}
	}
	if len(out) == 0 {
		return nil, errors.New("agent: no scope given (read, write, admin)")
	}
	slices.SortFunc(out, func(a, b Scope) int { return slices.Index(Scopes, a) - slices.Index(Scopes, b) })
	return out, nil
}

func joinScopes(sc []Scope) string {
	parts := make([]string, len(sc))
	for i, s := range sc {
		parts[i] = string(s)
	}
	return strings.Join(parts, ",")
}

// Revocation reasons, as stored and shown.
const (
	RevokedByHand      = "revoked"        // by its agent or an admin
	RevokedDeactivated = "deactivated"    // its agent was deactivated
	RevokedPassword    = "password_reset" // with a password reset that ended tokens
)

// Token is an API token as listed: never its secret, which only its
// creator saw once.
type Token struct {
	ID            int64
	AgentID       int64
	AgentName     string
	Name          string
	Scopes        []Scope
	CreatedAt     time.Time
	ExpiresAt     time.Time // zero: never
	LastUsedAt    time.Time // zero: never used
	LastUsedAddr  string
	RevokedAt     time.Time // zero: live
	RevokedReason string
}

// Has reports whether the token holds scope sc.
func (t Token) Has(sc Scope) bool { return slices.Contains(t.Scopes, sc) }

// Live reports whether the token works at now: neither revoked nor expired.
func (t Token) Live(now time.Time) bool {
	return t.RevokedAt.IsZero() && (t.ExpiresAt.IsZero() || now.Before(t.ExpiresAt))
}

// tokenState is what the audit log keeps of a token: never its secret.
type tokenState struct {
	Agent     int64      `json:"agent_id"`
	Name      string     `json:"name"`
	Scopes    []Scope    `json:"scopes"`
	ExpiresAt *time.Time `json:"expires_at,omitempty"`
	Revoked   string     `json:"revoked,omitempty"`
}

func (t Token) state() tokenState {
	st := tokenState{Agent: t.AgentID, Name: t.Name, Scopes: t.Scopes, Revoked: t.RevokedReason}
	if !t.ExpiresAt.IsZero() {
		e := t.ExpiresAt
		st.ExpiresAt = &e
	}
	return st
}

// NewToken is what MakeToken needs.
type NewToken struct {
	Name      string
	Scopes    []Scope   // each allowed to the agent's role (Role.AllowedScopes)
	ExpiresAt time.Time // zero: never; else in the future
}

// tokenPrefix marks Rapport API tokens, so that leaked ones are easy to find.
const tokenPrefix = "rpt_"

// CreateToken makes a token for the agent with every scope their role
// allows and no expiry, and returns it in plain; only its hash is stored.
func (s *Service) CreateToken(ctx context.Context, agentID int64, name string) (string, error) {
	a, err := s.Get(ctx, agentID)
	if err != nil {
		return "", err
	}
	if strings.TrimSpace(name) == "" {
		name = "token"
	}
	tok, _, err := s.MakeToken(ctx, agentID, NewToken{Name: name, Scopes: a.Role.AllowedScopes()})
	return tok, err
}

// MakeToken makes a token for the agent and returns it in plain (shown
// once; only its hash is stored) with its listing. The audit log records
// it in the same transaction.
func (s *Service) MakeToken(ctx context.Context, agentID int64, n NewToken) (string, Token, error) {
	a, err := s.Get(ctx, agentID)
	if err != nil {
		return "", Token{}, err
	}
	errs := valid.Fields{}
	n.Name = checkName(errs, "name", n.Name)
	if len(n.Scopes) == 0 {
		errs.Add("scopes", valid.Msg("valid.required", "is required"))
	}
	for _, sc := range n.Scopes {
		if !slices.Contains(a.Role.AllowedScopes(), sc) {
			errs.Add("scopes", valid.Msg("valid.token_scope", "%s is not a scope this agent's role may hold", string(sc)))
		}
	}
	now := s.now()
	if !n.ExpiresAt.IsZero() && !n.ExpiresAt.After(now) {
		errs.Add("expires_at", valid.Msg("valid.in_future", "must be in the future"))
	}
	if err := errs.Err(); err != nil {
		return "", Token{}, err
	}
	n.Scopes, _ = ParseScopes(joinScopes(n.Scopes)) // each is known: sorted, without repeats
	token := tokenPrefix + randomToken()
	t := Token{AgentID: a.ID, AgentName: a.Name, Name: n.Name, Scopes: n.Scopes, CreatedAt: now, ExpiresAt: n.ExpiresAt.UTC()}
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		if err := tx.QueryRowContext(ctx, s.q.Get("insert-token"), agentID, n.Name, hashToken(token),
			store.Millis(now), joinScopes(n.Scopes), store.NullMillis(t.ExpiresAt)).Scan(&t.ID); err != nil {
			return err
		}
		return s.audit.RecordTx(ctx, tx, audit.Entry{Action: "token.create", TargetKind: "token",
			TargetID: audit.ID(t.ID), After: t.state()})
	})
	if err != nil {
		return "", Token{}, fmt.Errorf("agent: token for %d: %w", agentID, err)
	}
	return token, t, nil
}

// ByToken returns the active agent owning a live API token, and the
// token. It is one lookup by the hash's unique index; nothing is cached, so
// a revocation counts at once on every node. The token's last use (time
// and addr) is written at most once a minute; a use from a new address is
// recorded in the audit log.
func (s *Service) ByToken(ctx context.Context, token, addr string) (Agent, Token, error) {
	if token == "" || !utf8.ValidString(token) || len(token) > 200 {
		return Agent{}, Token{}, ErrBadCredentials
	}
	var a Agent
	var t Token
	var scopes, role, langs, lastAddr, teams string
	var expires, lastUsed sql.NullInt64
	var created, updated int64
	err := s.db.R.QueryRowContext(ctx, s.q.Get("token-auth"), hashToken(token)).Scan(&t.ID, &scopes, &expires,
		&lastUsed, &lastAddr, &a.ID, &a.Email, &a.Name, &role, &a.Locale, &langs, &a.TimeZone, &a.Availability,
		&a.Active, &created, &updated, &a.KBEditor, &a.ChatCapacity, &teams)
	if errors.Is(err, sql.ErrNoRows) {
		return Agent{}, Token{}, ErrBadCredentials
	}
	if err != nil {
		return Agent{}, Token{}, fmt.Errorf("agent: token: %w", err)
	}
	now := s.now()
	t.AgentID, t.AgentName = a.ID, a.Name
	t.ExpiresAt = store.NullTime(expires)
	t.LastUsedAt, t.LastUsedAddr = store.NullTime(lastUsed), lastAddr
	t.Scopes, _ = ParseScopes(scopes)
	if !a.Active || !t.Live(now) {
		return Agent{}, Token{}, ErrBadCredentials
	}
	a.Role = Role(role)
	a.Languages = splitList(langs)
	a.CreatedAt, a.UpdatedAt = store.Time(created), store.Time(updated)
	a.TeamIDs = []int64{}
	for _, p := range splitList(teams) {
		id, err := strconv.ParseInt(p, 10, 64)
		if err != nil {
			return Agent{}, Token{}, fmt.Errorf("agent: token: team %q: %w", p, err)
		}
		a.TeamIDs = append(a.TeamIDs, id)
	}
	slices.Sort(a.TeamIDs)
	if len(addr) > 200 {
		addr = addr[:200]
	}
	if t.LastUsedAt.IsZero() || now.Sub(t.LastUsedAt) >= time.Minute {
		err := s.db.Tx(ctx, func(tx *sql.Tx) error {
			res, err := tx.ExecContext(ctx, s.q.Get("touch-token"), t.ID, store.Millis(now), addr,
				store.Millis(now.Add(-time.Minute)))
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n == 0 || addr == lastAddr {
				return nil
			}
			// The first use, or from another address than the last.
			ctx := audit.WithActor(ctx, audit.Actor{AgentID: a.ID, TokenID: t.ID, Addr: addr})
			return s.audit.RecordTx(ctx, tx, audit.Entry{Action: "token.use", TargetKind: "token",
				TargetID: audit.ID(t.ID), Before: map[string]string{"addr": lastAddr}, After: map[string]string{"addr": addr}})
		})
		if err != nil {
			return Agent{}, Token{}, fmt.Errorf("agent: token last used: %w", err)
		}
		t.LastUsedAt, t.LastUsedAddr = now, addr
	}
	return a, t, nil
}

// AgentByToken returns the active agent owning a live API token.
func (s *Service) AgentByToken(ctx context.Context, token string) (Agent, error) {
	a, _, err := s.ByToken(ctx, token, "")
	return a, err
}

func scanToken(sc interface{ Scan(...any) error }) (Token, error) {
	var t Token
	var scopes string
	var created int64
	var expires, used, revoked sql.NullInt64
	if err := sc.Scan(&t.ID, &t.AgentID, &t.AgentName, &t.Name, &scopes, &created, &expires, &used,
		&t.LastUsedAddr, &revoked, &t.RevokedReason); err != nil {
		return Token{}, err
	}
	t.Scopes, _ = ParseScopes(scopes)
	t.CreatedAt = store.Time(created)
	t.ExpiresAt, t.LastUsedAt, t.RevokedAt = store.NullTime(expires), store.NullTime(used), store.NullTime(revoked)
	return t, nil
}

// GetToken returns token id's listing.
func (s *Service) GetToken(ctx context.Context, id int64) (Token, error) {
	t, err := scanToken(s.db.R.QueryRowContext(ctx, s.q.Get("get-token"), id))
	if errors.Is(err, sql.ErrNoRows) {
		return Token{}, fmt.Errorf("agent: token %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return Token{}, fmt.Errorf("agent: token %d: %w", id, err)
	}
	return t, nil
}

// Tokens lists the tokens of agent agentID (0: everyone's), live ones
// first, newest first.
func (s *Service) Tokens(ctx context.Context, agentID int64) ([]Token, error) {
	rows, err := s.db.R.QueryContext(ctx, s.q.Get("list-tokens"), agentID)
	if err != nil {
		return nil, fmt.Errorf("agent: tokens: %w", err)
	}
	defer rows.Close()
	out := []Token{}
	for rows.Next() {
		t, err := scanToken(rows)
		if err != nil {
			return nil, fmt.Errorf("agent: tokens: %w", err)
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// RevokeToken ends token id for good and returns it; revoking a revoked
// token changes nothing.
func (s *Service) RevokeToken(ctx context.Context, id int64) (Token, error) {
	if _, err := s.GetToken(ctx, id); err != nil {
		return Token{}, err
	}
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		return s.revokeTx(ctx, tx, id, RevokedByHand)
	})
	if err != nil {
		return Token{}, fmt.Errorf("agent: revoke token %d: %w", id, err)
	}
	return s.GetToken(ctx, id)
}

// revokeTx revokes token id for reason in tx and records it, when it was live.
func (s *Service) revokeTx(ctx context.Context, tx *sql.Tx, id int64, reason string) error {
	res, err := tx.ExecContext(ctx, s.q.Get("revoke-token"), id, store.Millis(s.now()), reason)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return nil
	}
	return s.audit.RecordTx(ctx, tx, audit.Entry{Action: "token.revoke", TargetKind: "token",
		TargetID: audit.ID(id), After: map[string]string{"reason": reason}})
}

// revokeAgentTokensTx revokes every live token of agent id in tx.
func (s *Service) revokeAgentTokensTx(ctx context.Context, tx *sql.Tx, agentID int64, reason string) error {
	ids, err := store.Int64s(tx.QueryContext(ctx, s.q.Get("live-agent-tokens"), agentID))
	if err != nil {
		return err
	}
	for _, id := range ids {
		if err := s.revokeTx(ctx, tx, id, reason); err != nil {
			return err
		}
	}
	return nil
}
