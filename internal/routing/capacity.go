package routing

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/rapport/rapport/internal/audit"
	"github.com/rapport/rapport/internal/store"
)

// capacityKind names one of an agent's two capacities: the audit action
// (agent.KIND), the key of its state there, and the query setting it.
type capacityKind struct {
	name  string // "capacity" or "chat_capacity"
	query string
}

var (
	capacityTickets = capacityKind{name: "capacity", query: "set-capacity"}
	capacityChats   = capacityKind{name: "chat_capacity", query: "set-chat-capacity"}
)

// saveCapacity stores agent id's capacity of kind k, already checked, and
// records a change in the audit log in the same transaction, with the
// value before and after (nothing when it does not change).
func (r *Router) saveCapacity(ctx context.Context, id int64, k capacityKind, value int) error {
	err := r.o.DB.Tx(ctx, func(tx *sql.Tx) error {
		var tickets, chats int
		if err := tx.QueryRowContext(ctx, r.q.Get("get-capacity"), id).Scan(&tickets, &chats); err != nil {
			return err
		}
		before := tickets
		if k == capacityChats {
			before = chats
		}
		if before == value {
			return nil
		}
		if _, err := tx.ExecContext(ctx, r.q.Get(k.query), id, value); err != nil {
			return err
		}
		return r.audit.RecordTx(ctx, tx, audit.Entry{Action: "agent." + k.name, TargetKind: "agent",
			TargetID: audit.ID(id), Before: map[string]int{k.name: before}, After: map[string]int{k.name: value}})
	})
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("routing: agent %d: %w", id, store.ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("routing: %s of %d: %w", k.name, id, err)
	}
	return nil
}
