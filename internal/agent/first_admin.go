package agent

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/rapport/rapport/internal/audit"
	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/valid"
)

// ErrAdminExists is returned by FirstAdminTx when an active admin exists:
// the first run is over.
var ErrAdminExists = errors.New("agent: an admin already exists")

// HasAdmin reports whether an active admin exists, which ends the first run.
func (s *Service) HasAdmin(ctx context.Context) (bool, error) {
	var n int
	if err := s.db.R.QueryRowContext(ctx, s.q.Get("count-admins")).Scan(&n); err != nil {
		return false, fmt.Errorf("agent: count admins: %w", err)
	}
	return n > 0, nil
}

// CheckTeamName returns the team name trimmed, with what is wrong with it.
func CheckTeamName(name string) (string, valid.Fields) {
	errs := valid.Fields{}
	name = checkName(errs, "team", name)
	return name, errs
}

// FirstAdminTx makes, inside tx, the first admin from n (checked with
// CheckNew; its role is made admin) and the team named team (checked with
// CheckTeamName) with them in it. The admin starts online, so that the
// first tickets have someone to go to. When an active admin exists it
// returns ErrAdminExists and writes nothing; the caller serialises
// concurrent first runs (the setup lock row) so that two cannot both see
// none.
func (s *Service) FirstAdminTx(ctx context.Context, tx *sql.Tx, n NewAgent, team string) (adminID, teamID int64, err error) {
	var admins int
	if err := tx.QueryRowContext(ctx, s.q.Get("count-admins")).Scan(&admins); err != nil {
		return 0, 0, fmt.Errorf("agent: count admins: %w", err)
	}
	if admins > 0 {
		return 0, 0, ErrAdminExists
	}
	n.Role = RoleAdmin
	adminID, err = s.insert(ctx, tx, n)
	if err != nil {
		return 0, 0, err
	}
	now := store.Millis(s.now())
	if _, err := tx.ExecContext(ctx, s.q.Get("set-availability"), adminID, Online, now); err != nil {
		return 0, 0, fmt.Errorf("agent: first admin online: %w", err)
	}
	err = tx.QueryRowContext(ctx, s.q.Get("insert-team"), team, "", now).Scan(&teamID)
	if store.IsUniqueViolation(err) {
		return 0, 0, fmt.Errorf("agent: team %q: %w", team, store.ErrConflict)
	}
	if err != nil {
		return 0, 0, fmt.Errorf("agent: create team: %w", err)
	}
	if _, err := tx.ExecContext(ctx, s.q.Get("add-team-member"), teamID, adminID); err != nil {
		return 0, 0, fmt.Errorf("agent: team %d members: %w", teamID, err)
	}
	// The first run, by the admin it makes.
	if err := s.audit.RecordTx(ctx, tx, audit.Entry{Action: "agent.first_admin", TargetKind: "agent", TargetID: audit.ID(adminID),
		As: adminID, After: struct {
			Admin agentState `json:"admin"`
			Team  string     `json:"team"`
		}{agentState{Email: n.Email, Name: n.Name, Role: RoleAdmin, Active: true, Locale: n.Locale, Languages: n.Languages,
			TimeZone: n.TimeZone}, team}}); err != nil {
		return 0, 0, err
	}
	return adminID, teamID, nil
}
