package ticket

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/rapport/rapport/internal/store"
)

// Events other services record on a ticket through RecordTx.
const (
	// EventRecommitted: the customer said they will stay or come back,
	// and an agent recorded or confirmed it. data: recommitment_id, words,
	// source, agent_id (credited), value, currency.
	EventRecommitted = "recommitted"
	// EventRecommitProposed: a customer message or survey answer reads as
	// a re-commitment, for an agent to confirm. data: recommitment_id, words, source.
	EventRecommitProposed = "recommitment_proposed"
	// EventRecommitRejected: an agent turned a proposal down. data: recommitment_id.
	EventRecommitRejected = "recommitment_rejected"
)

// Locked is a ticket as a RecordTx callback sees it: read and locked
// inside the caller's transaction.
type Locked struct {
	ID         int64
	Status     Status
	Kind       string
	CustomerID int64
	OwnerID    int64 // 0: unassigned
	CreatedAt  time.Time
	SolvedAt   time.Time // zero unless solved
	ClosedAt   time.Time // zero unless closed
}

// RecordTx locks ticket id inside tx, lets fn write what belongs with the
// change in its own tables, and appends one event of type typ with the data
// fn returns, so that the other service's row and the ticket's history
// commit together. It works on closed tickets too (a survey answer may
// come after closing). fn returning an error writes nothing.
func (s *Service) RecordTx(ctx context.Context, tx *sql.Tx, a Actor, id int64, typ string,
	fn func(t Locked) (map[string]any, error)) error {
	err := s.runIn(ctx, tx, a, func(c *change) error {
		r, err := c.lock(id)
		if err != nil {
			return err
		}
		data, err := fn(Locked{
			ID: r.ID, Status: r.Status, Kind: r.Kind, CustomerID: r.CustomerID, OwnerID: r.OwnerID,
			CreatedAt: store.Time(r.CreatedAt), SolvedAt: store.NullTime(r.SolvedAt), ClosedAt: store.NullTime(r.ClosedAt),
		})
		if err != nil {
			return err
		}
		if err := c.event(r.ID, typ, data); err != nil {
			return err
		}
		return c.save(&r)
	})
	if err != nil {
		return fmt.Errorf("ticket: %s on %d: %w", typ, id, err)
	}
	return nil
}
