package sla

import (
	"context"
	"fmt"
	"time"
)

// GreetingClock is a live contact's running greeting timer as pages show
// it: the deadline, the moment it turns at risk (AtRiskShare of the
// target passed; the at-risk job fires then), and the target itself.
type GreetingClock struct {
	Due    time.Time
	RiskAt time.Time
	Target time.Duration
}

// Greeting returns ticket id's running greeting timer; ok is false when
// none runs (not a live channel, greeted, no policy with a greeting
// target, paused, done). RiskAt is counted back from Due in clock time,
// which is what the at-risk job does under a policy in calendar time and
// within one stretch of open hours under a business-hours one.
func (s *Service) Greeting(ctx context.Context, id int64) (GreetingClock, bool, error) {
	st, exists, err := s.load(ctx, s.o.DB.R, id)
	if err != nil {
		return GreetingClock{}, false, fmt.Errorf("sla: greeting of %d: %w", id, err)
	}
	if !exists || st.greet.IsZero() || !st.paused.IsZero() {
		return GreetingClock{}, false, nil
	}
	ps, err := s.Policies(ctx)
	if err != nil {
		return GreetingClock{}, false, err
	}
	c := GreetingClock{Due: st.greet}
	for _, p := range ps {
		if p.ID == st.policy {
			c.Target = p.Greeting
		}
	}
	if c.Target <= 0 {
		c.Target = DefaultGreeting
	}
	c.RiskAt = c.Due.Add(-time.Duration(float64(c.Target) * (1 - AtRiskShare)))
	return c, true, nil
}
