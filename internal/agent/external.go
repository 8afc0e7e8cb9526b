package agent

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"fmt"
	"slices"

	"github.com/rapport/rapport/internal/audit"
	"github.com/rapport/rapport/internal/valid"
)

// Sign-ins whose identity another system vouched for (single sign-on):
// no password is checked here, everything else is as for a password.

// ErrInactive refuses the sign-in of a deactivated agent.
var ErrInactive = fmt.Errorf("this account is deactivated: %w", ErrBadCredentials)

// SignInVerified signs agent id in after a provider vouched for them (via
// names it, for the audit log), from addr. A deactivated agent gets
// ErrInactive; an agent with two-factor authentication on gets a
// *SecondStepError, as after a right password: the provider's word stands
// in for the password only, never for Rapport's second factor.
func (s *Service) SignInVerified(ctx context.Context, id int64, addr, via string) (Agent, error) {
	a, err := s.Get(ctx, id)
	if err != nil {
		return Agent{}, err
	}
	if !a.Active {
		e := loginEntry(false, id, a.Email)
		e.After = map[string]string{"email": a.Email, "via": via, "reason": "deactivated"}
		if err := s.recordLoginAttempt(ctx, a.Email, addr, false, e); err != nil {
			return Agent{}, err
		}
		return Agent{}, ErrInactive
	}
	pending, err := s.beginSecondStep(ctx, id, a.Email, addr)
	if err != nil {
		return Agent{}, err
	}
	if pending != "" {
		return Agent{}, &SecondStepError{Token: pending}
	}
	e := loginEntry(true, id, a.Email)
	e.After = map[string]string{"via": via}
	if err := s.recordLoginAttempt(ctx, a.Email, addr, true, e); err != nil {
		return Agent{}, err
	}
	return a, nil
}

// CreateExternal adds an agent that a provider vouched for (just-in-time
// creation on a first sign-in), with teamID (0: none) and a random
// password nobody knows: they sign in through the provider, or an admin
// sets a password. via names the provider in the audit log.
func (s *Service) CreateExternal(ctx context.Context, email, name string, role Role, teamID int64, via string) (Agent, error) {
	var b [24]byte
	rand.Read(b[:])
	if name == "" {
		name = email
	}
	n, errs := CheckNew(NewAgent{Email: email, Name: name, Role: role, Password: base64.RawURLEncoding.EncodeToString(b[:])})
	if err := errs.Err(); err != nil {
		return Agent{}, err
	}
	var id int64
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		var err error
		if id, err = s.insert(ctx, tx, n); err != nil {
			return err
		}
		if teamID != 0 {
			if _, err := tx.ExecContext(ctx, s.q.Get("add-team-member"), teamID, id); err != nil {
				return err
			}
		}
		return s.audit.RecordTx(ctx, tx, audit.Entry{Action: "agent.create", TargetKind: "agent", TargetID: audit.ID(id),
			After: map[string]any{"email": n.Email, "name": n.Name, "role": n.Role, "active": true, "team_id": teamID,
				"via": via}})
	})
	if err != nil {
		return Agent{}, err
	}
	return s.Get(ctx, id)
}

// TwoFactorRoles returns the roles an admin requires two-factor
// authentication of, lowest first (the server's --require-2fa-roles come
// on top).
func (s *Service) TwoFactorRoles(ctx context.Context) ([]Role, error) {
	rows, err := s.db.R.QueryContext(ctx, s.q.Get("twofactor-roles"))
	if err != nil {
		return nil, fmt.Errorf("agent: two-factor roles: %w", err)
	}
	defer rows.Close()
	out := []Role{}
	for rows.Next() {
		var r string
		if err := rows.Scan(&r); err != nil {
			return nil, err
		}
		out = append(out, Role(r))
	}
	return sortedRoles(out), rows.Err()
}

// SetTwoFactorRoles replaces the roles that must use two-factor
// authentication, recording the change (acting admin in ctx).
func (s *Service) SetTwoFactorRoles(ctx context.Context, roles []Role) error {
	for _, r := range roles {
		if !r.Valid() {
			return valid.Field("roles", valid.Msg("valid.role", "must be agent, manager or admin"))
		}
	}
	want := sortedRoles(roles)
	before, err := s.TwoFactorRoles(ctx)
	if err != nil {
		return err
	}
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, s.q.Get("twofactor-roles-clear")); err != nil {
			return err
		}
		for _, r := range want {
			if _, err := tx.ExecContext(ctx, s.q.Get("twofactor-role-add"), string(r)); err != nil {
				return err
			}
		}
		if slices.Equal(sortedRoles(before), want) {
			return nil
		}
		return s.audit.RecordTx(ctx, tx, audit.Entry{Action: "settings.update", TargetKind: "settings",
			TargetID: "two_factor_roles", Before: map[string]any{"roles": sortedRoles(before)}, After: map[string]any{"roles": want}})
	})
}

// sortedRoles is roles in the order of Roles.
func sortedRoles(roles []Role) []Role {
	out := []Role{}
	for _, r := range Roles {
		if slices.Contains(roles, r) {
			out = append(out, r)
		}
	}
	return out
}
