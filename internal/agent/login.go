package agent

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/rapport/rapport/internal/audit"
	"github.com/rapport/rapport/internal/store"
)

// Login throttling. An attacker must not be able to lock the owner out, so
// nothing here is a hard lock of an account:
//   - per client address, at most maxAddressFailures failed logins (any
//     accounts) in loginWindow; over it that address is refused
//     (ErrRateLimited) until its failures leave the window;
//   - per account and address, after pairFreeFailures failures each further
//     attempt must wait 1, 2, 4 … s after the last failure, at most
//     pairMaxWait;
//   - per account from all addresses (a guesser spread over many), after
//     accountFreeFailures failures in accountWindow each further attempt
//     waits 1, 2, 4 … s, at most accountMaxWait.
//
// A success clears the waits of the account (and of that address for it).
// Attempts refused for waiting are not counted and the password is not
// checked. So ten wrong passwords from one address slow that address down
// and leave the owner, elsewhere, free to sign in at once. Every count is
// rows of login_attempts, so it holds across nodes.
const (
	loginWindow         = 15 * time.Minute
	maxAddressFailures  = 30
	pairFreeFailures    = 3
	pairMaxWait         = 5 * time.Minute
	accountWindow       = time.Hour
	accountFreeFailures = 20
	accountMaxWait      = 30 * time.Second
)

// WaitError refuses a login attempt that came too soon after failures of
// the same account: the next one may come after Wait. errors.Is finds it
// as ErrRateLimited.
type WaitError struct {
	Wait time.Duration
}

// Error says how long to wait.
func (e *WaitError) Error() string {
	return fmt.Sprintf("too many failed logins for this account: wait %s", e.Wait)
}

// Is makes a WaitError an ErrRateLimited.
func (e *WaitError) Is(target error) bool { return target == ErrRateLimited }

// loginWait is how long after the last of n failures the next attempt must
// wait: nothing for the first free failures, then 1 s doubling up to max.
func loginWait(n, free int, max time.Duration) time.Duration {
	if n < free {
		return 0
	}
	d := time.Second
	for i := free; i < n && d < max; i++ {
		d *= 2
	}
	return min(d, max)
}

// Authenticate checks email and password; addr is the client's address
// (clientaddr.Proxies.Of). It returns ErrBadCredentials for a wrong pair,
// ErrRateLimited when the address failed too often, and a *WaitError when
// the account must wait before the next attempt (see the constants above).
func (s *Service) Authenticate(ctx context.Context, email, password, addr string) (Agent, error) {
	email = normEmail(email)
	if err := s.checkThrottle(ctx, email, addr); err != nil {
		return Agent{}, err
	}
	var id int64
	var hash string
	var active bool
	err := s.db.R.QueryRowContext(ctx, s.q.Get("password-hash"), email).Scan(&id, &hash, &active)
	ok := false
	switch {
	case errors.Is(err, sql.ErrNoRows):
		// Spend the same time as a real check, so timing does not tell
		// which emails exist.
		VerifyPassword(dummyHash(), password)
	case err != nil:
		return Agent{}, fmt.Errorf("agent: login: %w", err)
	default:
		ok = VerifyPassword(hash, password) && active
	}
	if ok {
		// The password was right; with two-factor authentication on, the
		// sign-in waits for the code and nothing counts as a success yet.
		pending, err := s.beginSecondStep(ctx, id, email, addr)
		if err != nil || pending != "" {
			if err == nil {
				err = &SecondStepError{Token: pending}
			}
			return Agent{}, err
		}
	}
	if err := s.recordLoginAttempt(ctx, email, addr, ok, loginEntry(ok, id, email)); err != nil {
		return Agent{}, err
	}
	if !ok {
		return Agent{}, ErrBadCredentials
	}
	return s.Get(ctx, id)
}

// loginKeys are the throttling keys of a sign-in of email from addr.
func loginKeys(email, addr string) []string {
	keys := []string{"email:" + email, "pair:" + email + "|" + addr}
	if addr != "" {
		keys = append(keys, "client:"+addr)
	}
	return keys
}

// recordLoginAttempt records one attempt of email from addr (password or
// second factor) under every throttling key, with its audit entry, in one
// transaction, and prunes old attempts.
func (s *Service) recordLoginAttempt(ctx context.Context, email, addr string, ok bool, entry audit.Entry, more ...func(*sql.Tx) error) error {
	now := s.now()
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		for _, f := range more {
			if err := f(tx); err != nil {
				return err
			}
		}
		for _, k := range loginKeys(email, addr) {
			if _, err := tx.ExecContext(ctx, s.q.Get("insert-login-attempt"), k, ok, store.Millis(now)); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, s.q.Get("prune-login-attempts"), store.Millis(now.Add(-24*time.Hour))); err != nil {
			return err
		}
		return s.audit.RecordTx(ctx, tx, entry)
	})
	if err != nil {
		return fmt.Errorf("agent: record login attempt: %w", err)
	}
	return nil
}

// checkThrottle refuses an attempt of email from addr that comes too soon
// after failures (see the constants above).
func (s *Service) checkThrottle(ctx context.Context, email, addr string) error {
	now := s.now()
	var addrFailures int
	if addr != "" {
		if err := s.db.R.QueryRowContext(ctx, s.q.Get("count-failed-logins"), "client:"+addr, false,
			store.Millis(now.Add(-loginWindow))).Scan(&addrFailures); err != nil {
			return fmt.Errorf("agent: login attempts: %w", err)
		}
		if addrFailures >= maxAddressFailures {
			return ErrRateLimited
		}
	}
	pairKey, accountKey := "pair:"+email+"|"+addr, "email:"+email
	for _, k := range []struct {
		key  string
		free int
		max  time.Duration
	}{{pairKey, pairFreeFailures, pairMaxWait}, {accountKey, accountFreeFailures, accountMaxWait}} {
		var n int
		var last int64
		if err := s.db.R.QueryRowContext(ctx, s.q.Get("failed-logins-since-success"), k.key,
			store.Millis(now.Add(-accountWindow)), false, true).Scan(&n, &last); err != nil {
			return fmt.Errorf("agent: login attempts: %w", err)
		}
		if wait := store.Time(last).Add(loginWait(n, k.free, k.max)).Sub(now); n > 0 && wait > 0 {
			return &WaitError{Wait: wait}
		}
	}
	return nil
}
