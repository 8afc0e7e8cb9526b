package routing

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/rapport/rapport/internal/audit"
	"github.com/rapport/rapport/internal/store"
)

// Settings are the business's routing choices, set by an admin.
type Settings struct {
	// RegularsFirst serves the tickets of regular customers (those
	// internal/clv marks regular from their purchases) first, together
	// with the VIPs', before the others; off, only VIPs go first.
	RegularsFirst bool `json:"regulars_first"`
}

// settingsKey is the settings row holding Settings as JSON.
const settingsKey = "routing"

// Settings returns the routing settings, the defaults (everything off)
// when none are saved.
func (r *Router) Settings(ctx context.Context) (Settings, error) {
	var raw string
	err := r.o.DB.R.QueryRowContext(ctx, r.q.Get("get-setting"), settingsKey).Scan(&raw)
	if errors.Is(err, sql.ErrNoRows) {
		return Settings{}, nil
	}
	if err != nil {
		return Settings{}, fmt.Errorf("routing: settings: %w", err)
	}
	var st Settings
	if err := json.Unmarshal([]byte(raw), &st); err != nil {
		return Settings{}, fmt.Errorf("routing: settings: %w", err)
	}
	return st, nil
}

// SaveSettings stores st. The next assignment round orders waiting
// tickets by it; changing the order frees no agent, so none is kicked.
func (r *Router) SaveSettings(ctx context.Context, st Settings) (Settings, error) {
	raw, err := json.Marshal(st)
	if err != nil {
		return Settings{}, err
	}
	before, err := r.Settings(ctx)
	if err != nil {
		return Settings{}, err
	}
	now := store.Millis(r.o.Clock.Now())
	err = r.o.DB.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, r.q.Get("put-setting"), settingsKey, string(raw), now); err != nil {
			return err
		}
		return r.audit.RecordTx(ctx, tx, audit.Entry{Action: "settings.routing", TargetKind: "settings",
			TargetID: "routing", Before: before, After: st})
	})
	if err != nil {
		return Settings{}, fmt.Errorf("routing: save settings: %w", err)
	}
	return st, nil
}
