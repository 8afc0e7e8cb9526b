package chat

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/rapport/rapport/internal/customer"
	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/valid"
)

// Session is one visitor's conversation through a widget.
type Session struct {
	ID          int64
	WidgetID    int64
	CustomerID  int64
	TicketID    int64 // 0 until the first message
	Name        string
	Email       string // as the visitor typed it, or verified
	ExternalID  string // the business's user id, when verified
	Verified    bool   // the identity came with a valid user hash
	Language    string
	VisitorRead int64
	AgentRead   int64
	Rated       bool
}

// Start is what a visitor's widget sends to open a session.
type Start struct {
	Name     string `json:"name"`
	Email    string `json:"email"`
	UserID   string `json:"user_id"`
	UserHash string `json:"user_hash"`
	Language string `json:"language"`
}

// hashToken is how a session's token is stored.
func hashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// StartSession opens a session on w and returns the token the widget
// keeps. A user id or email comes with a user hash or is not trusted: a
// hash is checked against w's secret (over the user id, else the email)
// and a wrong one is ErrBadHash; without one, the email is kept only as
// the visitor's contact, and the chat belongs to a customer of its own.
func (s *Service) StartSession(ctx context.Context, w Widget, st Start) (string, Session, error) {
	errs := valid.Fields{}
	st.Name = strings.TrimSpace(st.Name)
	if utf8.RuneCountInString(st.Name) > 100 || !clean(st.Name) {
		errs.Add("name", valid.Msg("valid.too_long", "is too long"))
	}
	st.Email = strings.TrimSpace(st.Email)
	if st.Email != "" {
		if v, msg := customer.NormalizeIdentity(customer.Email, st.Email); msg != "" {
			errs.Add("email", customer.IdentityMessage(customer.Email, msg))
		} else {
			st.Email = v
		}
	}
	st.UserID = strings.TrimSpace(st.UserID)
	if utf8.RuneCountInString(st.UserID) > 200 || !clean(st.UserID) {
		errs.Add("user_id", valid.Msg("valid.too_long", "is too long"))
	}
	if err := errs.Err(); err != nil {
		return "", Session{}, err
	}
	sess := Session{WidgetID: w.ID, Name: st.Name, Email: st.Email, Language: s.language(w, st.Language)}
	if st.UserHash != "" {
		identity := st.UserID
		if identity == "" {
			identity = st.Email
		}
		if identity == "" || !hmac.Equal([]byte(strings.ToLower(st.UserHash)), []byte(UserHash(w.Secret, identity))) {
			return "", Session{}, ErrBadHash
		}
		sess.Verified = true
		sess.ExternalID = st.UserID
	}
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	token := hex.EncodeToString(b)
	now := store.Millis(s.o.Clock.Now())
	err := s.o.DB.W.QueryRowContext(ctx, s.q.Get("insert-session"), w.ID, hashToken(token), sess.Name, sess.Email,
		sess.ExternalID, boolInt(sess.Verified), sess.Language, now).Scan(&sess.ID)
	if err != nil {
		return "", Session{}, fmt.Errorf("chat: start session: %w", err)
	}
	return token, sess, nil
}

// language is a session's language: the visitor's (the browser's or the
// page's choice) when the catalogue has it, else the widget's, else English.
func (s *Service) language(w Widget, asked string) string {
	asked = strings.ToLower(strings.TrimSpace(asked))
	if i := strings.IndexAny(asked, "-_"); i > 0 {
		asked = asked[:i]
	}
	if s.o.Catalog != nil && asked != "" && s.o.Catalog.Has(asked) {
		return asked
	}
	if w.Language != "" {
		return w.Language
	}
	return "en"
}

// Language is the catalogue language for a visitor who asks for asked on w.
func (s *Service) Language(w Widget, asked string) string { return s.language(w, asked) }

// SessionByToken returns the session of token on widget w.
func (s *Service) SessionByToken(ctx context.Context, w Widget, token string) (Session, error) {
	if len(token) != 64 {
		return Session{}, ErrNotFound
	}
	var sess Session
	var verified, rated int
	err := s.o.DB.R.QueryRowContext(ctx, s.q.Get("session-by-token"), hashToken(token)).Scan(&sess.ID, &sess.WidgetID,
		&sess.CustomerID, &sess.TicketID, &sess.Name, &sess.Email, &sess.ExternalID, &verified, &sess.Language,
		&sess.VisitorRead, &sess.AgentRead, &rated)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && sess.WidgetID != w.ID) {
		return Session{}, ErrNotFound
	}
	if err != nil {
		return Session{}, fmt.Errorf("chat: session: %w", err)
	}
	sess.Verified, sess.Rated = verified != 0, rated != 0
	return sess, nil
}

// sender is who the session's messages come from, as intake takes it: the
// verified user id or email, else an identity of the session alone (an
// email the visitor merely typed is never trusted to join a customer).
func (sess Session) sender() (kind, value string) {
	switch {
	case sess.Verified && sess.ExternalID != "":
		return customer.External, sess.ExternalID
	case sess.Verified && sess.Email != "":
		return customer.Email, sess.Email
	}
	return customer.External, fmt.Sprintf("chat-visitor-%d", sess.ID)
}

// clean reports whether s has no control characters.
func clean(s string) bool {
	for _, r := range s {
		if r < 0x20 || r == 0x7f {
			return false
		}
	}
	return utf8.ValidString(s)
}
