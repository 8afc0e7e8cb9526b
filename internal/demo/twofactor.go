package demo

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/rapport/rapport/internal/agent"
)

// twoFactorIndex is the roster index of the manager who signs in with a
// code from an app (Ilze Kalniņa): her admin page and the audit log show it.
const twoFactorIndex = 2

// seedTwoFactor has one manager set up two-factor authentication and sign
// in with it, once mistyping the code, through the services as a person
// would. The demo's own sign-ins (admin, manager, agent) stay password-only.
func (r *runner) seedTwoFactor(ctx context.Context) error {
	if len(r.agentIDs) <= twoFactorIndex {
		return nil
	}
	now := r.clock.Now()
	defer r.clock.Set(now)
	id, email := r.agentIDs[twoFactorIndex], roster[twoFactorIndex].Email
	r.clock.Set(now.Add(-30 * time.Hour))
	tf, err := r.agents.BeginTwoFactor(office(ctx, id), id)
	if err != nil {
		return fmt.Errorf("demo: two-factor: %w", err)
	}
	code := func() (string, error) { return totp.GenerateCode(tf.Secret, r.clock.Now()) }
	c, err := code()
	if err != nil {
		return fmt.Errorf("demo: two-factor: %w", err)
	}
	if _, err := r.agents.ConfirmTwoFactor(office(ctx, id), id, c); err != nil {
		return fmt.Errorf("demo: two-factor: %w", err)
	}
	r.clock.Set(now.Add(-27 * time.Hour))
	_, err = r.agents.Authenticate(office(ctx, 0), email, r.o.Password, "203.0.113.24")
	var step *agent.SecondStepError
	if !errors.As(err, &step) {
		return fmt.Errorf("demo: two-factor: the password alone gave %v", err)
	}
	if c, err = code(); err != nil {
		return fmt.Errorf("demo: two-factor: %w", err)
	}
	wrong := "000000"
	if c == wrong {
		wrong = "111111"
	}
	if _, err := r.agents.CompleteSecondStep(office(ctx, 0), step.Token, wrong, "203.0.113.24"); !errors.Is(err, agent.ErrBadCode) {
		return fmt.Errorf("demo: two-factor: a wrong code gave %v", err)
	}
	if _, err := r.agents.CompleteSecondStep(office(ctx, 0), step.Token, c, "203.0.113.24"); err != nil {
		return fmt.Errorf("demo: two-factor: %w", err)
	}
	return nil
}
