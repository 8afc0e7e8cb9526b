package portal

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/mail"
	"strings"

	"github.com/rapport/rapport/internal/channel/mailout"
	"github.com/rapport/rapport/internal/customer"
	"github.com/rapport/rapport/internal/jobs"
	"github.com/rapport/rapport/internal/store"
)

// linkPayload is JobLink's payload.
type linkPayload struct {
	CustomerID int64  `json:"customer_id"`
	Email      string `json:"email"`
	Lang       string `json:"lang"` // the language the sign-in page was in
}

// RequestLink queues a sign-in link to email when it is an address of a
// customer, and does nothing otherwise: the caller answers alike either
// way, so that the portal does not tell who is a customer. lang is the
// language of the page the address was typed on, used when the customer
// has none of their own. The rate limits are the caller's (per address and
// per client address).
func (s *Service) RequestLink(ctx context.Context, email, lang string) error {
	norm, msg := customer.NormalizeIdentity(customer.Email, email)
	if msg != "" {
		return nil
	}
	c, err := s.o.Customers.FindByIdentity(ctx, customer.Email, norm)
	if errors.Is(err, store.ErrNotFound) {
		s.o.Log.Info("portal link asked for an unknown address")
		return nil
	}
	if err != nil {
		return fmt.Errorf("portal: find customer: %w", err)
	}
	raw, err := json.Marshal(linkPayload{CustomerID: c.ID, Email: norm, Lang: lang})
	if err != nil {
		return err
	}
	err = s.o.DB.Tx(ctx, func(tx *sql.Tx) error {
		return s.o.Jobs.Enqueue(ctx, tx, jobs.Job{Kind: JobLink, Payload: raw, MaxAttempts: 5})
	})
	if err != nil {
		return fmt.Errorf("portal: queue link: %w", err)
	}
	s.o.Jobs.Notify()
	s.o.Log.Info("portal link queued", "customer_id", c.ID)
	return nil
}

// linkLanguage is the language to write to customer c in.
func (s *Service) linkLanguage(c customer.Customer, asked string) string {
	for _, l := range []string{c.Language, asked} {
		if l != "" && s.o.I18n.Has(l) {
			return l
		}
	}
	return "en"
}

// LinkURL is the address of a sign-in link with token tok.
func (s *Service) LinkURL(tok string) string {
	return strings.TrimRight(s.o.BaseURL, "/") + "/portal/link/" + tok
}

// linkJob is JobLink's handler: it makes the token, keeps its hash and
// mails the link. A customer gone, or no longer holding the address, gets
// nothing. Run again after a crash, it mails a second link; either works
// once.
func (s *Service) linkJob(ctx context.Context, raw json.RawMessage) error {
	var p linkPayload
	if err := json.Unmarshal(raw, &p); err != nil {
		return fmt.Errorf("%w: portal link payload: %v", jobs.ErrPermanent, err)
	}
	c, err := s.o.Customers.Get(ctx, p.CustomerID)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	holds := false
	for _, id := range c.Identities {
		holds = holds || (id.Kind == customer.Email && id.Value == p.Email)
	}
	if !holds {
		s.o.Log.Info("portal link not sent: the address left the customer", "customer_id", c.ID)
		return nil
	}
	tok := newToken(linkPrefix)
	now := s.now()
	expires := now.Add(s.o.LinkTTL)
	if _, err := s.o.DB.W.ExecContext(ctx, s.q.Get("insert-link"), c.ID, p.Email, hashToken(tok),
		store.Millis(now), store.Millis(expires)); err != nil {
		return fmt.Errorf("portal: store link: %w", err)
	}
	lang := s.linkLanguage(c, p.Lang)
	v := s.o.Mail.Voice(ctx, lang)
	name := strings.TrimSpace(c.Name)
	greeting := v.T("portal.mail.greeting_anon")
	if name != "" {
		greeting = v.T("portal.mail.greeting", name)
	}
	minutes := int(s.o.LinkTTL.Minutes())
	text := strings.Join([]string{
		greeting, "",
		v.T("portal.mail.body"), "",
		s.LinkURL(tok), "",
		v.N("portal.mail.expires", minutes), "",
		v.T("portal.mail.ignore"),
	}, "\n") + "\n"
	err = s.o.Mail.SendNotice(ctx, mailout.Notice{
		To:       mail.Address{Name: name, Address: p.Email},
		Subject:  v.T("portal.mail.subject"),
		Text:     text,
		Language: lang,
	})
	if errors.Is(err, mailout.ErrRejected) {
		return fmt.Errorf("%w: %v", jobs.ErrPermanent, err)
	}
	if err != nil {
		return err
	}
	s.o.Log.Info("portal link sent", "customer_id", c.ID)
	return nil
}

// Session is a customer signed in to the portal.
type Session struct {
	Token      string // the cookie's value; only set when the session is made
	CustomerID int64
	CSRF       string
}

// Redeem spends the sign-in link tok and opens a session for its
// customer. A link used before is ErrLinkUsed, one past its time
// ErrLinkExpired, one never made (or erased) ErrLinkUnknown.
func (s *Service) Redeem(ctx context.Context, tok string) (Session, error) {
	tok, err := ParseLinkToken(tok)
	if err != nil {
		return Session{}, err
	}
	h := hashToken(tok)
	now := s.now()
	var sess Session
	err = s.o.DB.Tx(ctx, func(tx *sql.Tx) error {
		var customerID int64
		err := tx.QueryRowContext(ctx, s.q.Get("spend-link"), h, store.Millis(now)).Scan(&customerID)
		if errors.Is(err, sql.ErrNoRows) {
			var used sql.NullInt64
			var expires int64
			err := tx.QueryRowContext(ctx, s.q.Get("link-state"), h).Scan(&used, &expires)
			switch {
			case errors.Is(err, sql.ErrNoRows):
				return ErrLinkUnknown
			case err != nil:
				return err
			case used.Valid:
				return ErrLinkUsed
			default:
				return ErrLinkExpired
			}
		}
		if err != nil {
			return err
		}
		sess = Session{Token: newToken(sessionPrefix), CustomerID: customerID, CSRF: newToken("")}
		_, err = tx.ExecContext(ctx, s.q.Get("insert-session"), hashToken(sess.Token), customerID, sess.CSRF,
			store.Millis(now), store.Millis(now.Add(s.o.SessionTTL)))
		return err
	})
	if err != nil {
		if errors.Is(err, ErrLinkUnknown) || errors.Is(err, ErrLinkUsed) || errors.Is(err, ErrLinkExpired) {
			return Session{}, err
		}
		return Session{}, fmt.Errorf("portal: redeem link: %w", err)
	}
	s.o.Log.Info("portal sign-in", "customer_id", sess.CustomerID)
	return sess, nil
}

// LinkState says whether tok can still be spent, without spending it: nil,
// or the error Redeem would give.
func (s *Service) LinkState(ctx context.Context, tok string) error {
	tok, err := ParseLinkToken(tok)
	if err != nil {
		return err
	}
	var used sql.NullInt64
	var expires int64
	err = s.o.DB.R.QueryRowContext(ctx, s.q.Get("link-state"), hashToken(tok)).Scan(&used, &expires)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return ErrLinkUnknown
	case err != nil:
		return fmt.Errorf("portal: link state: %w", err)
	case used.Valid:
		return ErrLinkUsed
	case expires <= store.Millis(s.now()):
		return ErrLinkExpired
	}
	return nil
}

// SessionByToken is the live session whose cookie holds tok.
func (s *Service) SessionByToken(ctx context.Context, tok string) (Session, error) {
	tok, err := ParseSessionToken(tok)
	if err != nil {
		return Session{}, ErrNoSession
	}
	var sess Session
	err = s.o.DB.R.QueryRowContext(ctx, s.q.Get("get-session"), hashToken(tok), store.Millis(s.now())).
		Scan(&sess.CustomerID, &sess.CSRF)
	if errors.Is(err, sql.ErrNoRows) {
		return Session{}, ErrNoSession
	}
	if err != nil {
		return Session{}, fmt.Errorf("portal: session: %w", err)
	}
	return sess, nil
}

// SignOut ends the session whose cookie holds tok, and the expired
// sessions of everyone.
func (s *Service) SignOut(ctx context.Context, tok string) error {
	if _, err := s.o.DB.W.ExecContext(ctx, s.q.Get("delete-session"), hashToken(tok)); err != nil {
		return fmt.Errorf("portal: sign out: %w", err)
	}
	if _, err := s.o.DB.W.ExecContext(ctx, s.q.Get("prune-sessions"), store.Millis(s.now())); err != nil {
		s.o.Log.Warn("portal sessions not pruned", slog.Any("error", err))
	}
	return nil
}
