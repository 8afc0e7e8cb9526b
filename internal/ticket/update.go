package ticket

import (
	"context"
	"database/sql"
	"errors"
	"slices"

	"github.com/rapport/rapport/internal/valid"
)

// Update changes the fields of a ticket that u sets, writing one event per
// field that really changes (and nothing at all when none does). Setting
// Solved schedules the auto-close job; leaving Solved for new, open or
// pending is a reopen by the agent (EventReopened instead of
// EventStatus), which cancels it. Agents cannot close by hand (only the
// system actor may); a closed ticket gives ErrClosed. An agent who changes
// the language to a language changes the customer's preferred language
// too, in the same transaction.
func (s *Service) Update(ctx context.Context, a Actor, id int64, u Update) (Ticket, error) {
	errs := valid.Fields{}
	if u.Subject != nil {
		v := checkSubject(errs, *u.Subject)
		u.Subject = &v
	}
	if u.Status != nil {
		checkSetStatus(errs, a, *u.Status)
	}
	if u.Priority != nil {
		v := checkOneOf(errs, "priority", *u.Priority, "", Priorities)
		u.Priority = &v
	}
	if u.Kind != nil {
		v := checkOneOf(errs, "kind", *u.Kind, "", Kinds)
		u.Kind = &v
	}
	if u.Language != nil {
		v := checkLanguage(errs, *u.Language)
		u.Language = &v
	}
	if u.TeamID != nil && *u.TeamID < 0 {
		errs.Add("team_id", valid.Msg("valid.no_team", "no such team"))
	}
	if u.Tags != nil {
		v := checkTags(errs, *u.Tags)
		u.Tags = &v
	}
	if err := errs.Err(); err != nil {
		return Ticket{}, err
	}
	// An agent's correction of the language is the customer's preference
	// too: the customer row is written, so it is locked first (run's lock
	// order) and the ticket read for its customer before any lock.
	follow := s.o.Customers != nil && a.Kind == "agent" && u.Language != nil && *u.Language != ""
	err := s.run(ctx, a, func(c *change) error {
		var customerID int64
		if follow {
			err := c.tx.QueryRowContext(ctx, s.q.Get("ticket-customer"), id).Scan(&customerID)
			if err != nil && !errors.Is(err, sql.ErrNoRows) {
				return err
			}
			if customerID != 0 {
				if err := s.o.Customers.LockTx(ctx, c.tx, customerID); err != nil {
					return err
				}
			}
		}
		r, err := c.lockOpen(id)
		if err != nil {
			return err
		}
		if u.TeamID != nil && *u.TeamID != 0 && *u.TeamID != r.TeamID {
			if err := c.checkTeam(errs, "team_id", *u.TeamID); err != nil {
				return err
			}
			if err := errs.Err(); err != nil {
				return err
			}
		}
		if (u.Status != nil && *u.Status != r.Status) || (u.TeamID != nil && *u.TeamID != r.TeamID) {
			if err := c.mayChange(r); err != nil {
				return err
			}
		}
		changed := false
		str := func(field *string, to *string, typ string) error {
			if to == nil || *to == *field {
				return nil
			}
			from := *field
			*field, changed = *to, true
			return c.event(r.ID, typ, map[string]any{"from": from, "to": *to})
		}
		if err := str(&r.Subject, u.Subject, EventSubject); err != nil {
			return err
		}
		if u.Status != nil && *u.Status != r.Status {
			changed = true
			if err := c.setStatus(&r, *u.Status); err != nil {
				return err
			}
		}
		if err := str(&r.Priority, u.Priority, EventPriority); err != nil {
			return err
		}
		if err := str(&r.Kind, u.Kind, EventKind); err != nil {
			return err
		}
		if follow && customerID != 0 && *u.Language != r.Language {
			if err := s.o.Customers.SetLanguageTx(ctx, c.tx, customerID, *u.Language); err != nil {
				return err
			}
		}
		if err := str(&r.Language, u.Language, EventLanguage); err != nil {
			return err
		}
		if u.TeamID != nil && *u.TeamID != r.TeamID {
			from := r.TeamID
			r.TeamID, changed = *u.TeamID, true
			if err := c.event(r.ID, EventTeam, map[string]any{"from": from, "to": r.TeamID}); err != nil {
				return err
			}
		}
		if u.Tags != nil {
			ok, err := c.setTags(r.ID, *u.Tags)
			if err != nil {
				return err
			}
			changed = changed || ok
		}
		if !changed {
			return nil
		}
		return c.save(&r)
	})
	if err != nil {
		return Ticket{}, changeErr("update", id, err)
	}
	return s.Get(ctx, id)
}

// setTags replaces the tags of ticket id with tags (normalised, sorted) and
// records what was added and removed. It reports whether anything changed.
func (c *change) setTags(id int64, tags []string) (bool, error) {
	rows, err := c.tx.QueryContext(c.ctx, c.s.q.Get("ticket-tags"), id)
	if err != nil {
		return false, err
	}
	var old []string
	for rows.Next() {
		var t string
		if err := rows.Scan(&t); err != nil {
			rows.Close()
			return false, err
		}
		old = append(old, t)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return false, err
	}
	added, removed := []string{}, []string{}
	for _, t := range tags {
		if !slices.Contains(old, t) {
			added = append(added, t)
			if _, err := c.tx.ExecContext(c.ctx, c.s.q.Get("insert-tag"), id, t); err != nil {
				return false, err
			}
		}
	}
	for _, t := range old {
		if !slices.Contains(tags, t) {
			removed = append(removed, t)
			if _, err := c.tx.ExecContext(c.ctx, c.s.q.Get("delete-tag"), id, t); err != nil {
				return false, err
			}
		}
	}
	if len(added) == 0 && len(removed) == 0 {
		return false, nil
	}
	return true, c.event(id, EventTags, map[string]any{"added": added, "removed": removed})
}
