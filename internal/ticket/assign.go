package ticket

import (
	"context"
	"strings"

	"github.com/rapport/rapport/internal/valid"
)

// Assign gives an unowned ticket to agentID, who must exist and be active.
// Assigning it to its owner again changes nothing; a ticket with another
// owner gives ErrNeedsTransfer. agentID 0 unassigns, which only the owner,
// a manager, an admin or the system may do (anyone else gets
// ErrNeedsTransfer). The status stays as it is.
func (s *Service) Assign(ctx context.Context, a Actor, id, agentID int64) (Ticket, error) {
	if agentID < 0 {
		return Ticket{}, valid.Field("agent_id", valid.Msg("valid.no_agent", "no such agent"))
	}
	err := s.run(ctx, a, func(c *change) error {
		r, err := c.lockOpen(id)
		if err != nil {
			return err
		}
		if agentID == r.OwnerID {
			return nil
		}
		if agentID == 0 {
			if err := c.mayUnassign(r); err != nil {
				return err
			}
		} else {
			if r.OwnerID != 0 {
				return ErrNeedsTransfer
			}
			errs := valid.Fields{}
			if _, err := c.checkAgent(errs, "agent_id", agentID); err != nil {
				return err
			}
			if err := errs.Err(); err != nil {
				return err
			}
		}
		from := r.OwnerID
		r.OwnerID = agentID
		if err := c.event(r.ID, EventAssigned, map[string]any{"to": agentID, "from": from}); err != nil {
			return err
		}
		return c.save(&r)
	})
	if err != nil {
		return Ticket{}, changeErr("assign", id, err)
	}
	return s.Get(ctx, id)
}

// mayUnassign allows the owner, managers, admins and the system to take
// the owner off ticket r.
func (c *change) mayUnassign(r row) error {
	switch c.actor.Kind {
	case "system":
		return nil
	case "agent":
		if c.actor.AgentID == r.OwnerID {
			return nil
		}
		role, err := c.checkAgent(valid.Fields{}, "", c.actor.AgentID)
		if err != nil {
			return err
		}
		if role == "manager" || role == "admin" {
			return nil
		}
	}
	return ErrNeedsTransfer
}

// Transfer passes a ticket to another agent and/or team, counting the
// transfer. The reason is required (ErrReasonRequired) and recorded. With
// toAgentID 0 the ticket goes to the team toTeamID without an owner, for
// one of its members to take; with toTeamID 0 the team stays as it is.
// The new agent must exist and be active; transferring to the owner and
// team the ticket already has is a validation error. A ticket that has been
// transferred before moves again only when again is true (the agent saw
// that the customer was already passed on); otherwise ErrTransferAgain.
func (s *Service) Transfer(ctx context.Context, a Actor, id, toAgentID, toTeamID int64, reason string, again bool) (Ticket, error) {
	reason = strings.TrimSpace(reason)
	errs := valid.Fields{}
	switch {
	case toAgentID < 0:
		errs.Add("agent_id", valid.Msg("valid.no_agent", "no such agent"))
	case toAgentID == 0 && toTeamID == 0:
		errs.Add("agent_id", valid.Msg("valid.transfer_target", "give an agent, a team or both"))
	}
	if toTeamID < 0 {
		errs.Add("team_id", valid.Msg("valid.no_team", "no such team"))
	}
	if err := errs.Err(); err != nil {
		return Ticket{}, err
	}
	err := s.run(ctx, a, func(c *change) error {
		r, err := c.lockOpen(id)
		if err != nil {
			return err
		}
		// Closed first, then who may, then the reason: a closed ticket is
		// the bigger news.
		if err := c.mayChange(r); err != nil {
			return err
		}
		if reason == "" {
			return ErrReasonRequired
		}
		if toAgentID != 0 {
			if _, err := c.checkAgent(errs, "agent_id", toAgentID); err != nil {
				return err
			}
		}
		if toTeamID != 0 {
			if err := c.checkTeam(errs, "team_id", toTeamID); err != nil {
				return err
			}
		}
		if err := errs.Err(); err != nil {
			return err
		}
		toTeam := r.TeamID
		if toTeamID != 0 {
			toTeam = toTeamID
		}
		if toAgentID == r.OwnerID && toTeam == r.TeamID {
			return valid.Field("agent_id", valid.Msg("valid.same_owner", "the ticket already has this owner and team"))
		}
		if r.TransferCount > 0 && !again {
			return ErrTransferAgain
		}
		data := map[string]any{"from": r.OwnerID, "to": toAgentID,
			"from_team": r.TeamID, "to_team": toTeam, "reason": reason}
		r.OwnerID, r.TeamID = toAgentID, toTeam
		r.TransferCount++
		if err := c.event(r.ID, EventTransferred, data); err != nil {
			return err
		}
		return c.save(&r)
	})
	if err != nil {
		return Ticket{}, changeErr("transfer", id, err)
	}
	return s.Get(ctx, id)
}
