package ticket

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/valid"
)

// NotifyCollab is the notification an agent gets when asked to help on a ticket.
const NotifyCollab = "collaborator_added"

// Collaborator is a colleague helping on a ticket without owning it: asking
// for help is not a transfer, and the customer keeps one owner.
type Collaborator struct {
	AgentID   int64
	Name      string
	AddedByID int64
	AddedBy   string
	At        time.Time
}

// AddCollaborator asks agent agentID to help on ticket id. The owner cannot
// be a collaborator of their own ticket; adding one twice changes nothing.
// The colleague is notified.
func (s *Service) AddCollaborator(ctx context.Context, a Actor, id, agentID int64) error {
	err := s.run(ctx, a, func(c *change) error {
		r, err := c.lockOpen(id)
		if err != nil {
			return err
		}
		errs := valid.Fields{}
		if agentID <= 0 {
			errs.Add("agent_id", valid.Msg("valid.no_agent", "no such agent"))
		} else if _, err := c.checkAgent(errs, "agent_id", agentID); err != nil {
			return err
		}
		if agentID == r.OwnerID && agentID > 0 {
			errs.Add("agent_id", valid.Msg("valid.collab_owner", "the owner already works this ticket"))
		}
		if err := errs.Err(); err != nil {
			return err
		}
		res, err := c.tx.ExecContext(c.ctx, c.s.q.Get("insert-collaborator"), r.ID, agentID, nullID(a.AgentID), store.Millis(c.now))
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
		if err := c.event(r.ID, EventCollabAdded, map[string]any{"agent": agentID}); err != nil {
			return err
		}
		data, _ := json.Marshal(map[string]any{"subject": r.Subject, "by": a.AgentID})
		_, err = c.tx.ExecContext(c.ctx, c.s.q.Get("insert-notification"), agentID, r.ID, NotifyCollab, string(data), store.Millis(c.now))
		return err
	})
	if err != nil {
		return changeErr("add collaborator", id, err)
	}
	return nil
}

// RemoveCollaborator ends agent agentID's help on ticket id.
func (s *Service) RemoveCollaborator(ctx context.Context, a Actor, id, agentID int64) error {
	err := s.run(ctx, a, func(c *change) error {
		r, err := c.lockOpen(id)
		if err != nil {
			return err
		}
		res, err := c.tx.ExecContext(c.ctx, c.s.q.Get("delete-collaborator"), r.ID, agentID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
		return c.event(r.ID, EventCollabGone, map[string]any{"agent": agentID})
	})
	if err != nil {
		return changeErr("remove collaborator", id, err)
	}
	return nil
}

// Collaborators returns the colleagues helping on ticket id, first added first.
func (s *Service) Collaborators(ctx context.Context, id int64) ([]Collaborator, error) {
	rows, err := s.o.DB.R.QueryContext(ctx, s.q.Get("list-collaborators"), id)
	if err != nil {
		return nil, fmt.Errorf("ticket: collaborators of %d: %w", id, err)
	}
	defer rows.Close()
	out := []Collaborator{}
	for rows.Next() {
		var c Collaborator
		var at int64
		if err := rows.Scan(&c.AgentID, &c.Name, &c.AddedByID, &c.AddedBy, &at); err != nil {
			return nil, fmt.Errorf("ticket: collaborators of %d: %w", id, err)
		}
		c.At = store.Time(at)
		out = append(out, c)
	}
	return out, rows.Err()
}
