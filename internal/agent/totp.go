package agent

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"github.com/rapport/rapport/internal/audit"
	"github.com/rapport/rapport/internal/store"
)

// Two-factor authentication: a TOTP secret (RFC 6238, 30-second steps, six
// digits, SHA-1: what every authenticator app reads) confirmed with a code
// before it is switched on, and RecoveryCodes single-use codes for a lost
// phone. The library github.com/pquerna/otp makes the secret, the otpauth
// URI and the codes; the step bookkeeping (skew and replay) is ours.
const (
	// RecoveryCodes is how many recovery codes an enrolment gives.
	RecoveryCodes = 10
	// PendingLoginTTL is how long the second step of a sign-in may take.
	PendingLoginTTL = 5 * time.Minute
	totpPeriod      = 30
	totpIssuer      = "Rapport"
)

// Errors of two-factor authentication.
var (
	// ErrSecondStep: the password was right and a code is needed; the
	// error is a *SecondStepError carrying the pending sign-in's token.
	ErrSecondStep = errors.New("a two-factor code is needed")
	// ErrBadCode: a wrong, reused or expired code.
	ErrBadCode = errors.New("wrong two-factor code")
	// ErrPendingExpired: the pending sign-in is unknown or took too long.
	ErrPendingExpired = errors.New("the sign-in took too long: enter the password again")
	// ErrTwoFactorState: enrolment or switching off does not fit the
	// current state (already on, not started, not on).
	ErrTwoFactorState = errors.New("two-factor authentication is not in that state")
)

// SecondStepError says that a sign-in waits for its second factor. Token is
// the pending sign-in's secret for the browser to hold (not a session).
type SecondStepError struct {
	Token string
}

// Error says that a code is needed.
func (e *SecondStepError) Error() string { return ErrSecondStep.Error() }

// Is makes a SecondStepError an ErrSecondStep.
func (e *SecondStepError) Is(target error) bool { return target == ErrSecondStep }

// TwoFactor is an agent's two-factor state, for the preferences page.
type TwoFactor struct {
	Enabled bool
	// Pending: enrolment started and waits for its confirming code; Secret
	// and URI are then the key to enter into the app.
	Pending       bool
	Secret, URI   string
	RecoveryLeft  int
	AccountName   string
	confirmedStep int64
}

// TwoFactorState reads agent id's two-factor state.
func (s *Service) TwoFactorState(ctx context.Context, id int64) (TwoFactor, error) {
	var tf TwoFactor
	var enabled int
	err := s.db.R.QueryRowContext(ctx, s.q.Get("totp-get"), id).Scan(&tf.Secret, &enabled, &tf.confirmedStep)
	if errors.Is(err, sql.ErrNoRows) {
		return TwoFactor{}, nil
	}
	if err != nil {
		return TwoFactor{}, fmt.Errorf("agent: two-factor state %d: %w", id, err)
	}
	tf.Enabled, tf.Pending = enabled == 1, enabled == 0
	if tf.Pending {
		a, err := s.Get(ctx, id)
		if err != nil {
			return TwoFactor{}, err
		}
		tf.URI = totpURI(tf.Secret, a.Email)
	} else {
		tf.Secret = ""
		if err := s.db.R.QueryRowContext(ctx, s.q.Get("recovery-left"), id).Scan(&tf.RecoveryLeft); err != nil {
			return TwoFactor{}, fmt.Errorf("agent: recovery codes %d: %w", id, err)
		}
	}
	return tf, nil
}

// TwoFactorEnabled reports whether agent id signs in with a second factor.
func (s *Service) TwoFactorEnabled(ctx context.Context, id int64) (bool, error) {
	tf, err := s.TwoFactorState(ctx, id)
	return tf.Enabled, err
}

// totpURI is the otpauth URI an authenticator app reads.
func totpURI(secret, account string) string {
	key, err := otp.NewKeyFromURL("otpauth://totp/" + totpIssuer + ":" + account + "?secret=" + secret + "&issuer=" + totpIssuer)
	if err != nil {
		return ""
	}
	return key.URL()
}

// BeginTwoFactor starts enrolment of agent id: a new secret, kept switched
// off until ConfirmTwoFactor gets a code made from it. A secret of an
// unfinished enrolment is replaced.
func (s *Service) BeginTwoFactor(ctx context.Context, id int64) (TwoFactor, error) {
	a, err := s.Get(ctx, id)
	if err != nil {
		return TwoFactor{}, err
	}
	key, err := totp.Generate(totp.GenerateOpts{Issuer: totpIssuer, AccountName: a.Email, Period: totpPeriod,
		Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
	if err != nil {
		return TwoFactor{}, fmt.Errorf("agent: two-factor secret: %w", err)
	}
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		var enabled int
		var secret string
		var step int64
		err := tx.QueryRowContext(ctx, s.q.Get("totp-get"), id).Scan(&secret, &enabled, &step)
		switch {
		case err == nil && enabled == 1:
			return ErrTwoFactorState
		case err != nil && !errors.Is(err, sql.ErrNoRows):
			return err
		}
		if _, err := tx.ExecContext(ctx, s.q.Get("totp-delete"), id); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, s.q.Get("totp-insert"), id, key.Secret(), store.Millis(s.now()))
		return err
	})
	if err != nil {
		return TwoFactor{}, fmt.Errorf("agent: begin two-factor %d: %w", id, err)
	}
	return TwoFactor{Pending: true, Secret: key.Secret(), URI: key.URL(), AccountName: a.Email}, nil
}

// matchStep returns the step of the current, previous or next period
// whose code is code and which is later than after, or 0.
func matchStep(secret, code string, now time.Time, after int64) int64 {
	code = strings.TrimSpace(code)
	if len(code) != 6 {
		return 0
	}
	step := now.Unix() / totpPeriod
	for _, st := range []int64{step, step - 1, step + 1} {
		if st <= after {
			continue
		}
		want, err := totp.GenerateCodeCustom(secret, time.Unix(st*totpPeriod, 0), totp.ValidateOpts{
			Period: totpPeriod, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
		if err == nil && subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 {
			return st
		}
	}
	return 0
}

// ConfirmTwoFactor switches two-factor authentication on for agent id when
// code comes from the secret of the enrolment begun, and returns the
// recovery codes, to be shown once: only their hashes are kept.
func (s *Service) ConfirmTwoFactor(ctx context.Context, id int64, code string) ([]string, error) {
	codes := make([]string, RecoveryCodes)
	for i := range codes {
		codes[i] = newRecoveryCode()
	}
	now := s.now()
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		var secret string
		var enabled int
		var last int64
		err := tx.QueryRowContext(ctx, s.q.Get("totp-get"), id).Scan(&secret, &enabled, &last)
		if errors.Is(err, sql.ErrNoRows) || (err == nil && enabled == 1) {
			return ErrTwoFactorState
		}
		if err != nil {
			return err
		}
		step := matchStep(secret, code, now, last)
		if step == 0 {
			return ErrBadCode
		}
		if _, err := tx.ExecContext(ctx, s.q.Get("totp-enable"), id, step); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, s.q.Get("recovery-delete"), id); err != nil {
			return err
		}
		for _, c := range codes {
			if _, err := tx.ExecContext(ctx, s.q.Get("recovery-insert"), id, hashToken(normRecovery(c))); err != nil {
				return err
			}
		}
		return s.audit.RecordTx(ctx, tx, audit.Entry{Action: "2fa.enable", TargetKind: "agent", TargetID: audit.ID(id), As: id})
	})
	if err != nil {
		return nil, fmt.Errorf("agent: confirm two-factor %d: %w", id, err)
	}
	return codes, nil
}

// DisableTwoFactor switches two-factor authentication off for agent id,
// given a current code (or a recovery code).
func (s *Service) DisableTwoFactor(ctx context.Context, id int64, code string) error {
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		ok, how, err := s.useCode(ctx, tx, id, code)
		if err != nil {
			return err
		}
		if !ok {
			return ErrBadCode
		}
		if _, err := tx.ExecContext(ctx, s.q.Get("totp-delete"), id); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, s.q.Get("recovery-delete"), id); err != nil {
			return err
		}
		return s.audit.RecordTx(ctx, tx, audit.Entry{Action: "2fa.disable", TargetKind: "agent", TargetID: audit.ID(id),
			As: id, After: map[string]string{"with": how}})
	})
	if err != nil {
		if !errors.Is(err, ErrBadCode) {
			return fmt.Errorf("agent: disable two-factor %d: %w", id, err)
		}
		if rerr := s.audit.Record(ctx, audit.Entry{Action: "2fa.failed", TargetKind: "agent", TargetID: audit.ID(id), As: id}); rerr != nil {
			return fmt.Errorf("agent: disable two-factor %d: %w", id, rerr)
		}
		return fmt.Errorf("agent: disable two-factor %d: %w", id, err)
	}
	return nil
}

// useCode checks code for agent id with two-factor on, in tx, and spends
// it: a TOTP code's step becomes the last used (so it cannot be replayed),
// a recovery code is marked used. how is "totp" or "recovery".
func (s *Service) useCode(ctx context.Context, tx *sql.Tx, id int64, code string) (ok bool, how string, err error) {
	var secret string
	var enabled int
	var last int64
	err = tx.QueryRowContext(ctx, s.q.Get("totp-get"), id).Scan(&secret, &enabled, &last)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && enabled == 0) {
		return false, "", ErrTwoFactorState
	}
	if err != nil {
		return false, "", err
	}
	now := s.now()
	if step := matchStep(secret, code, now, last); step != 0 {
		res, err := tx.ExecContext(ctx, s.q.Get("totp-use-step"), id, step)
		if err != nil {
			return false, "", err
		}
		n, err := res.RowsAffected()
		return n == 1, "totp", err
	}
	rc := normRecovery(code)
	if len(rc) != recoveryLen {
		return false, "", nil
	}
	res, err := tx.ExecContext(ctx, s.q.Get("recovery-use"), id, hashToken(rc), store.Millis(now))
	if err != nil {
		return false, "", err
	}
	n, err := res.RowsAffected()
	return n == 1, "recovery", err
}

// beginSecondStep starts the second step of a sign-in of agent id when it
// has two-factor authentication on, returning the pending token; "" when
// it has not.
func (s *Service) beginSecondStep(ctx context.Context, id int64, email, addr string) (string, error) {
	on, err := s.TwoFactorEnabled(ctx, id)
	if err != nil || !on {
		return "", err
	}
	token := randomToken()
	now := s.now()
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, s.q.Get("pending-prune"), store.Millis(now)); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, s.q.Get("pending-insert"), hashToken(token), id, email, addr, store.Millis(now.Add(PendingLoginTTL)))
		return err
	})
	if err != nil {
		return "", fmt.Errorf("agent: pending sign-in %d: %w", id, err)
	}
	return token, nil
}

// CompleteSecondStep finishes the sign-in pending under token with code (a
// TOTP code or a recovery code) from addr. A wrong code counts as a failed
// login for the throttling and the audit log (2fa.failed); a right one
// ends the pending sign-in and records the login.
func (s *Service) CompleteSecondStep(ctx context.Context, token, code, addr string) (Agent, error) {
	var id int64
	var email, firstAddr string
	err := s.db.R.QueryRowContext(ctx, s.q.Get("pending-get"), hashToken(token), store.Millis(s.now())).Scan(&id, &email, &firstAddr)
	if errors.Is(err, sql.ErrNoRows) {
		return Agent{}, ErrPendingExpired
	}
	if err != nil {
		return Agent{}, fmt.Errorf("agent: pending sign-in: %w", err)
	}
	if err := s.checkThrottle(ctx, email, addr); err != nil {
		return Agent{}, err
	}
	var ok bool
	var how string
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		var err error
		ok, how, err = s.useCode(ctx, tx, id, code)
		if err != nil || !ok {
			return err
		}
		if _, err := tx.ExecContext(ctx, s.q.Get("pending-delete"), hashToken(token)); err != nil {
			return err
		}
		if how == "recovery" {
			return s.audit.RecordTx(ctx, tx, audit.Entry{Action: "2fa.recovery_used", TargetKind: "agent", TargetID: audit.ID(id), As: id})
		}
		return nil
	})
	if err != nil {
		return Agent{}, fmt.Errorf("agent: second step %d: %w", id, err)
	}
	entry := loginEntry(true, id, email)
	if !ok {
		entry = audit.Entry{Action: "2fa.failed", TargetKind: "agent", TargetID: audit.ID(id), After: map[string]string{"email": email}}
	}
	if err := s.recordLoginAttempt(ctx, email, addr, ok, entry); err != nil {
		return Agent{}, err
	}
	if !ok {
		return Agent{}, ErrBadCode
	}
	return s.Get(ctx, id)
}

// recoveryLen is the length of a recovery code without its dash.
const recoveryLen = 10

// recoveryAlphabet has no letters that read alike (0/o, 1/l/i).
const recoveryAlphabet = "abcdefghjkmnpqrstuvwxyz23456789"

// newRecoveryCode returns a random code shown as xxxxx-xxxxx.
func newRecoveryCode() string {
	out := make([]byte, 0, recoveryLen+1)
	var b [1]byte
	for len(out) < recoveryLen+1 {
		if len(out) == recoveryLen/2 {
			out = append(out, '-')
			continue
		}
		rand.Read(b[:])
		// Bytes past the last whole multiple of the alphabet would make
		// some letters likelier: draw again.
		if int(b[0]) >= 256/len(recoveryAlphabet)*len(recoveryAlphabet) {
			continue
		}
		out = append(out, recoveryAlphabet[int(b[0])%len(recoveryAlphabet)])
	}
	return string(out)
}

// normRecovery is a recovery code as stored: lower case, no dashes or spaces.
func normRecovery(code string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r == '-' || r == ' ':
			return -1
		case r >= 'A' && r <= 'Z':
			return r + 'a' - 'A'
		}
		return r
	}, code)
}

// ResetTwoFactor switches two-factor authentication off for agent id
// without a code: an admin's way back in for an agent who lost both the
// phone and the recovery codes. The acting admin is in ctx (audit).
func (s *Service) ResetTwoFactor(ctx context.Context, id int64) error {
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.q.Get("totp-delete"), id)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			if err == nil {
				err = ErrTwoFactorState
			}
			return err
		}
		if _, err := tx.ExecContext(ctx, s.q.Get("recovery-delete"), id); err != nil {
			return err
		}
		return s.audit.RecordTx(ctx, tx, audit.Entry{Action: "2fa.reset", TargetKind: "agent", TargetID: audit.ID(id)})
	})
	if err != nil {
		return fmt.Errorf("agent: reset two-factor %d: %w", id, err)
	}
	return nil
}
