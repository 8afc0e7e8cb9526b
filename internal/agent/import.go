package agent

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/rapport/rapport/internal/audit"
	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/valid"
)

// Imported is an agent of another help desk, brought in with their tickets
// (internal/importer).
type Imported struct {
	Email     string
	Name      string
	Role      Role
	Language  string    // the language they answer in ("en"), also their locale
	CreatedAt time.Time // zero: now
	Source    string    // the help desk, for the audit log
}

// ImportTx adds an imported agent inside tx, deactivated and without a
// password: their replies and notes keep their name, and they cannot sign
// in until an admin activates them and sets a password. An email already
// taken gives store.ErrConflict (the caller links to that agent instead).
func (s *Service) ImportTx(ctx context.Context, tx *sql.Tx, n Imported) (int64, error) {
	errs := valid.Fields{}
	n.Email = normEmail(n.Email)
	if !checkEmail(n.Email) {
		errs.Add("email", valid.Msg("valid.email", "is not an email address"))
	}
	n.Name = checkName(errs, "name", n.Name)
	if !n.Role.Valid() {
		errs.Add("role", valid.Msg("valid.role", "must be agent, manager or admin"))
	}
	if err := errs.Err(); err != nil {
		return 0, err
	}
	langs := checkLanguages(valid.Fields{}, []string{n.Language})
	locale := "" // the business's
	if len(langs) > 0 {
		locale = langs[0] // a language the UI does not speak shows the default one
	}
	at := n.CreatedAt
	if at.IsZero() {
		at = s.now()
	}
	var id int64
	err := tx.QueryRowContext(ctx, s.q.Get("insert-agent"), n.Email, n.Name, string(n.Role), "",
		locale, strings.Join(langs, ","), false, store.Millis(at), "").Scan(&id)
	if store.IsUniqueViolation(err) {
		return 0, fmt.Errorf("agent: import %s: %w", n.Email, store.ErrConflict)
	}
	if err != nil {
		return 0, fmt.Errorf("agent: import %s: %w", n.Email, err)
	}
	err = s.audit.RecordTx(ctx, tx, audit.Entry{Action: "agent.import", TargetKind: "agent", TargetID: audit.ID(id),
		After: map[string]any{"email": n.Email, "name": n.Name, "role": n.Role, "active": false, "source": n.Source}})
	return id, err
}
