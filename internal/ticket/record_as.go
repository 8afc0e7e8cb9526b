package ticket

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/rapport/rapport/internal/store"
)

// RecordTxAs is RecordTx for a change whose event type is known only once
// the ticket is locked (a compensation granted at once, or requested from
// a manager when it is above the agent's limits): fn returns the type with
// the data. fn returning an error writes nothing.
func (s *Service) RecordTxAs(ctx context.Context, tx *sql.Tx, a Actor, id int64,
	fn func(t Locked) (typ string, data map[string]any, err error)) error {
	var typ string
	err := s.runIn(ctx, tx, a, func(c *change) error {
		r, err := c.lock(id)
		if err != nil {
			return err
		}
		t, data, err := fn(Locked{
			ID: r.ID, Status: r.Status, Kind: r.Kind, CustomerID: r.CustomerID, OwnerID: r.OwnerID,
			CreatedAt: store.Time(r.CreatedAt), SolvedAt: store.NullTime(r.SolvedAt), ClosedAt: store.NullTime(r.ClosedAt),
		})
		if err != nil {
			return err
		}
		typ = t
		if err := c.event(r.ID, t, data); err != nil {
			return err
		}
		return c.save(&r)
	})
	if err != nil {
		return fmt.Errorf("ticket: %s on %d: %w", typ, id, err)
	}
	return nil
}
