// Package portal is the customer portal (issue 16): a customer signs in
// with a single-use link mailed to an address Rapport knows for them, sees
// their own tickets (public messages only), replies, opens a new request,
// sees their promises and survey answers, sets their language and time
// zone, downloads what Rapport holds about them and asks for erasure,
// which an admin approves.
//
// Tokens (links and sessions) are kept only as SHA-256 hashes. A link's
// token is made by the job that mails it, so it exists in clear nowhere
// but in the mail. The portal reads other packages' tables where it shows
// or exports a customer's data and, on erasure, writes them, as the
// export does: it is the one place that knows every table holding
// personal data.
package portal

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"github.com/rapport/rapport/internal/blob"
	"log/slog"
	"strings"
	"time"

	"github.com/rapport/rapport/internal/audit"
	"github.com/rapport/rapport/internal/channel/mailout"
	"github.com/rapport/rapport/internal/customer"
	"github.com/rapport/rapport/internal/i18n"
	"github.com/rapport/rapport/internal/intake"
	"github.com/rapport/rapport/internal/jobs"
	"github.com/rapport/rapport/internal/search"
	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/ticket"
)

//go:embed queries*.sql
var queriesFS embed.FS

// JobLink mails a sign-in link. Payload: {"customer_id", "email", "lang"}.
const JobLink = "portal.link"

// Defaults of Opts.
const (
	DefaultLinkTTL    = 30 * time.Minute
	DefaultSessionTTL = 12 * time.Hour
)

// Errors a caller shows as pages.
var (
	ErrNotFound    = store.ErrNotFound
	ErrBadToken    = errors.New("portal: not a sign-in token")
	ErrLinkUnknown = errors.New("portal: unknown sign-in link")
	ErrLinkUsed    = errors.New("portal: sign-in link already used")
	ErrLinkExpired = errors.New("portal: sign-in link expired")
	ErrNoSession   = errors.New("portal: no session")
	ErrPending     = errors.New("portal: an erasure request is already waiting")
	ErrDecided     = errors.New("portal: the erasure request was already decided")
)

// Mailer sends a notice to a customer in the business's identity and
// speaks in its register; *mailout.Service is one.
type Mailer interface {
	SendNotice(ctx context.Context, n mailout.Notice) error
	Voice(ctx context.Context, lang string) i18n.Voice
}

// Opts are a Service's dependencies.
type Opts struct {
	DB        *store.DB
	Jobs      *jobs.Queue
	Clock     jobs.Clock
	Log       *slog.Logger
	Customers *customer.Service
	Tickets   *ticket.Service
	Intake    *intake.Service // new requests from the portal
	Mail      Mailer
	I18n      *i18n.Catalog
	Audit     *audit.Log  // erasure decisions and data downloads; nil records nothing
	Blobs     *blob.Store // told of the files erasure deletes, whose objects go after the commit; nil: none to tell
	// BaseURL is the public base of the link in the mail
	// (https://help.example.com); "" makes relative links, for tests.
	BaseURL    string
	LinkTTL    time.Duration // default DefaultLinkTTL
	SessionTTL time.Duration // default DefaultSessionTTL
}

// Service is the customer portal.
type Service struct {
	o   Opts
	q   store.Queries
	idx *search.Index
}

// New returns a Service and registers its job on o.Jobs.
func New(o Opts) *Service {
	if o.Clock == nil {
		o.Clock = jobs.SystemClock{}
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	if o.LinkTTL <= 0 {
		o.LinkTTL = DefaultLinkTTL
	}
	if o.SessionTTL <= 0 {
		o.SessionTTL = DefaultSessionTTL
	}
	s := &Service{o: o, q: store.MustLoadQueries(queriesFS, o.DB.Dialect), idx: search.New(o.DB)}
	o.Jobs.Handle(JobLink, s.linkJob)
	return s
}

func (s *Service) now() time.Time { return s.o.Clock.Now().UTC() }

// tokenPrefixes name what a token opens: a link or a session.
const (
	linkPrefix    = "rpl_"
	sessionPrefix = "rps_"
	tokenBytes    = 32
)

// tokenLen is the length of a token: its prefix and 32 bytes in base64url.
var tokenLen = len(linkPrefix) + base64.RawURLEncoding.EncodedLen(tokenBytes)

// newToken returns a fresh random token with prefix.
func newToken(prefix string) string {
	var b [tokenBytes]byte
	rand.Read(b[:])
	return prefix + base64.RawURLEncoding.EncodeToString(b[:])
}

// hashToken is the form a token is kept in.
func hashToken(tok string) string {
	sum := sha256.Sum256([]byte(tok))
	return hex.EncodeToString(sum[:])
}

// ParseLinkToken reads the token of a sign-in link as the address carries
// it: "rpl_" and 43 base64url characters, nothing around it but spaces
// (a mail client may add some when the link is copied). Anything else is
// ErrBadToken, so that no lookup is made for garbage.
func ParseLinkToken(raw string) (string, error) { return parseToken(raw, linkPrefix) }

// ParseSessionToken reads a portal session cookie's token ("rps_…").
func ParseSessionToken(raw string) (string, error) { return parseToken(raw, sessionPrefix) }

func parseToken(raw, prefix string) (string, error) {
	tok := strings.TrimSpace(raw)
	if len(tok) != tokenLen || !strings.HasPrefix(tok, prefix) {
		return "", ErrBadToken
	}
	b, err := base64.RawURLEncoding.Strict().DecodeString(tok[len(prefix):])
	if err != nil || len(b) != tokenBytes {
		return "", ErrBadToken
	}
	return tok, nil
}
