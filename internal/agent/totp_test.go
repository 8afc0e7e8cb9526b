package agent_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/rapport/rapport/internal/agent"
	"github.com/rapport/rapport/internal/audit"
	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/store/storetest"
)

// code is the TOTP code of secret at t, made by the library itself.
func code(t *testing.T, secret string, at time.Time) string {
	t.Helper()
	c, err := totp.GenerateCode(secret, at)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// enrol switches two-factor on for id and returns the secret and recovery codes.
func enrol(t *testing.T, ctx context.Context, s *agent.Service, id int64, now time.Time) (string, []string) {
	t.Helper()
	tf, err := s.BeginTwoFactor(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.ConfirmTwoFactor(ctx, id, "000000x"); !errors.Is(err, agent.ErrBadCode) {
		t.Fatalf("confirm with a malformed code: %v", err)
	}
	if on, _ := s.TwoFactorEnabled(ctx, id); on {
		t.Fatal("two-factor on before a confirming code")
	}
	codes, err := s.ConfirmTwoFactor(ctx, id, code(t, tf.Secret, now))
	if err != nil {
		t.Fatal(err)
	}
	if len(codes) != agent.RecoveryCodes {
		t.Fatalf("%d recovery codes", len(codes))
	}
	return tf.Secret, codes
}

func TestTwoFactorSignIn(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s, clock := newService(t, db)
		a, err := s.Create(ctx, agent.NewAgent{Email: "tf@example.com", Name: "Tf", Role: agent.RoleAdmin, Password: "the right one"})
		if err != nil {
			t.Fatal(err)
		}
		// Without two-factor the password alone signs in.
		if _, err := s.Authenticate(ctx, "tf@example.com", "the right one", "192.0.2.1"); err != nil {
			t.Fatal(err)
		}
		secret, recovery := enrol(t, ctx, s, a.ID, clock.Now())
		clock.Advance(time.Minute)

		signIn := func() string {
			t.Helper()
			_, err := s.Authenticate(ctx, "tf@example.com", "the right one", "192.0.2.1")
			var step *agent.SecondStepError
			if !errors.As(err, &step) || step.Token == "" {
				t.Fatalf("password alone: %v, want a second step", err)
			}
			return step.Token
		}
		pending := signIn()
		if _, err := s.CompleteSecondStep(ctx, pending, "123456", "192.0.2.1"); !errors.Is(err, agent.ErrBadCode) {
			t.Fatalf("wrong code: %v", err)
		}
		good := code(t, secret, clock.Now())
		if good == "123456" {
			t.Skip("the random secret made the wrong code right")
		}
		me, err := s.CompleteSecondStep(ctx, pending, good, "192.0.2.1")
		if err != nil || me.ID != a.ID {
			t.Fatalf("right code: %v %v", me.ID, err)
		}
		// The pending sign-in is spent, and the same code cannot be replayed.
		if _, err := s.CompleteSecondStep(ctx, pending, good, "192.0.2.1"); !errors.Is(err, agent.ErrPendingExpired) {
			t.Fatalf("spent pending sign-in: %v", err)
		}
		if _, err := s.CompleteSecondStep(ctx, signIn(), good, "192.0.2.1"); !errors.Is(err, agent.ErrBadCode) {
			t.Fatalf("replayed code: %v", err)
		}
		// One step of skew either way is accepted.
		clock.Advance(2 * time.Minute)
		if _, err := s.CompleteSecondStep(ctx, signIn(), code(t, secret, clock.Now().Add(30*time.Second)), "192.0.2.1"); err != nil {
			t.Fatalf("code of the next step: %v", err)
		}
		clock.Advance(2 * time.Minute)
		if _, err := s.CompleteSecondStep(ctx, signIn(), code(t, secret, clock.Now().Add(-90*time.Second)), "192.0.2.1"); !errors.Is(err, agent.ErrBadCode) {
			t.Fatalf("code three steps old: %v", err)
		}
		// A recovery code works once, in any case and without its dash.
		clock.Advance(10 * time.Minute) // past the waits of the failures above
		rc := recovery[3]
		if _, err := s.CompleteSecondStep(ctx, signIn(), " "+rc[:5]+rc[6:]+" ", "192.0.2.1"); err != nil {
			t.Fatalf("recovery code: %v", err)
		}
		if _, err := s.CompleteSecondStep(ctx, signIn(), rc, "192.0.2.1"); !errors.Is(err, agent.ErrBadCode) {
			t.Fatalf("recovery code twice: %v", err)
		}
		// The pending sign-in expires.
		clock.Advance(10 * time.Minute)
		p := signIn()
		clock.Advance(agent.PendingLoginTTL + time.Second)
		if _, err := s.CompleteSecondStep(ctx, p, code(t, secret, clock.Now()), "192.0.2.1"); !errors.Is(err, agent.ErrPendingExpired) {
			t.Fatalf("late code: %v", err)
		}
		// Wrong codes count toward the throttling of the account.
		p = signIn()
		var waited bool
		for range 6 {
			_, err := s.CompleteSecondStep(ctx, p, "000000", "192.0.2.1")
			if errors.Is(err, agent.ErrRateLimited) {
				waited = true
				break
			}
		}
		if !waited {
			t.Fatal("wrong codes were never throttled")
		}
		// The audit log holds each kind of event.
		rows, err := audit.New(db, clock).List(ctx, audit.Filter{Action: "2fa", Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		seen := map[string]bool{}
		for _, r := range rows {
			seen[r.Action] = true
		}
		for _, want := range []string{"2fa.enable", "2fa.failed", "2fa.recovery_used"} {
			if !seen[want] {
				t.Errorf("no %s in the audit log (%v)", want, seen)
			}
		}
		// Switching off needs a current code.
		clock.Advance(10 * time.Minute)
		if err := s.DisableTwoFactor(ctx, a.ID, "000000"); !errors.Is(err, agent.ErrBadCode) {
			t.Fatalf("disable with a wrong code: %v", err)
		}
		if err := s.DisableTwoFactor(ctx, a.ID, code(t, secret, clock.Now())); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Authenticate(ctx, "tf@example.com", "the right one", "192.0.2.1"); err != nil {
			t.Fatalf("after switching off: %v", err)
		}
		rows, _ = audit.New(db, clock).List(ctx, audit.Filter{Action: "2fa.disable"})
		if len(rows) != 1 {
			t.Errorf("%d 2fa.disable rows", len(rows))
		}
	})
}
