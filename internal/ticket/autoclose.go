package ticket

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/rapport/rapport/internal/jobs"
	"github.com/rapport/rapport/internal/store"
)

// autoCloseKey is the unique key of ticket id's auto-close job, so that
// solving again moves the one job and a reopen can cancel it.
func autoCloseKey(id int64) string { return JobAutoClose + ":" + strconv.FormatInt(id, 10) }

// autoCloseJob is the job that closes a solved ticket at runAt.
func autoCloseJob(key string, payload []byte, runAt time.Time) jobs.Job {
	return jobs.Job{Kind: JobAutoClose, Payload: payload, RunAt: runAt, UniqueKey: key}
}

// autoClose is the JobAutoClose handler: it closes the ticket if it is still
// solved and has been for AutoCloseDays; otherwise (reopened, solved again
// later, already closed or gone) it does nothing.
func (s *Service) autoClose(ctx context.Context, payload json.RawMessage) error {
	var p struct {
		TicketID int64 `json:"ticket_id"`
	}
	if err := json.Unmarshal(payload, &p); err != nil {
		return fmt.Errorf("ticket: auto-close payload %s: %w", payload, err)
	}
	if p.TicketID <= 0 {
		return fmt.Errorf("ticket: auto-close payload %s: no ticket_id", payload)
	}
	closed := false
	err := s.run(ctx, SystemActor, func(c *change) error {
		r, err := c.lock(p.TicketID)
		if errors.Is(err, ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		if r.Status != Solved || !r.SolvedAt.Valid ||
			store.Time(r.SolvedAt.Int64).Add(s.autoCloseAfter()).After(c.now) {
			return nil
		}
		if err := c.setStatus(&r, Closed); err != nil {
			return err
		}
		closed = true
		return c.save(&r)
	})
	if err != nil {
		return fmt.Errorf("ticket: auto-close %d: %w", p.TicketID, err)
	}
	if closed {
		s.log.Debug("ticket closed", "ticket_id", p.TicketID, "after_days", s.o.AutoCloseDays)
	}
	return nil
}
