// Package chat is the visitor's side of live chat: the widgets a business
// pastes on its site, each visitor's session (a token the widget holds, no
// cookie), and what a visitor does: writes (through intake, as customer
// messages of a ticket of channel "chat"), reads the agents' replies,
// types, sends files, rates the chat and asks for its transcript. Outside
// the widget's business hours a visitor's message becomes an email ticket
// instead, acknowledged as usual.
//
// The transport (WebSocket, Server-Sent Events, CORS, origins, limits) is
// internal/widget's; this package never imports net/http.
package chat

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"embed"
	"encoding/base32"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/rapport/rapport/internal/attachment"
	"github.com/rapport/rapport/internal/i18n"
	"github.com/rapport/rapport/internal/intake"
	"github.com/rapport/rapport/internal/jobs"
	"github.com/rapport/rapport/internal/realtime"
	"github.com/rapport/rapport/internal/sla"
	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/survey"
	"github.com/rapport/rapport/internal/ticket"
	"github.com/rapport/rapport/internal/valid"
)

// Errors of the visitor's requests.
var (
	// ErrNotFound: no such widget or session.
	ErrNotFound = store.ErrNotFound
	// ErrBadHash: a user hash that the widget's secret did not make; the
	// claimed identity is refused, never trusted.
	ErrBadHash = errors.New("chat: the user hash does not match")
	// ErrNoChat: the session has no chat yet (nothing was written).
	ErrNoChat = errors.New("chat: no chat yet")
	// ErrRated: the chat was rated already.
	ErrRated = errors.New("chat: already rated")
)

// Opts configure a Service.
type Opts struct {
	DB          *store.DB
	Clock       jobs.Clock
	Log         *slog.Logger
	Intake      *intake.Service
	Tickets     *ticket.Service
	Attachments *attachment.Service
	// Surveys records a chat's rating as its ticket's survey; nil: no rating.
	Surveys *survey.Service
	// SLA gives the business-hours calendars; nil: always open.
	SLA *sla.Service
	// Broker carries typing and read state; nil: none.
	Broker *realtime.Broker
	// Mail queues a plain mail (the transcript); nil: no transcript.
	Mail    func(ctx context.Context, to, name, subject, text, lang string) error
	Catalog *i18n.Catalog
}

// Service is live chat's visitor side.
type Service struct {
	o Opts
	q store.Queries
}

//go:embed queries.sql
var queriesFS embed.FS

// New returns a Service.
func New(o Opts) *Service {
	if o.Clock == nil {
		o.Clock = jobs.SystemClock{}
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	return &Service{o: o, q: store.MustLoadQueries(queriesFS, o.DB.Dialect)}
}

// Broker is the realtime broker the visitors' connections subscribe to;
// nil when there is none.
func (s *Service) Broker() *realtime.Broker { return s.o.Broker }

// Catalog is the message catalogue the widget's texts come from.
func (s *Service) Catalog() *i18n.Catalog { return s.o.Catalog }

// Widget is one chat widget a business embeds on its site.
type Widget struct {
	ID         int64
	Key        string   // public: names the widget in its <script> tag
	Name       string   // shown in the widget's header
	Origins    []string // sites that may embed it: scheme://host[:port]
	Secret     string   // signs user hashes; never shown to visitors
	Color      string   // #rrggbb
	Position   string   // "right" or "left"
	PreChat    bool     // ask name and email before the first message
	Language   string   // default language; "" follows the browser
	CalendarID int64    // business hours; 0 is always open
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// Positions a widget's button may take.
var Positions = []string{"right", "left"}

var colorRE = regexp.MustCompile(`^#[0-9a-fA-F]{6}$`)

// ParseOrigins reads origins, one per line (or separated by spaces or
// commas), as scheme://host[:port], lower-cased; it reports the first that
// is not one.
func ParseOrigins(text string) ([]string, string) {
	var out []string
	for _, f := range strings.FieldsFunc(text, func(r rune) bool { return r == '\n' || r == '\r' || r == ' ' || r == ',' || r == '\t' }) {
		o, ok := NormalizeOrigin(f)
		if !ok {
			return nil, f
		}
		if !slices.Contains(out, o) {
			out = append(out, o)
		}
	}
	return out, ""
}

// NormalizeOrigin returns origin as browsers send it (scheme://host[:port],
// lower-cased, no path) and whether it is one.
func NormalizeOrigin(origin string) (string, bool) {
	origin = strings.TrimRight(strings.TrimSpace(origin), "/")
	u, err := url.Parse(origin)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Path != "" || u.RawQuery != "" || u.User != nil || u.Fragment != "" {
		return "", false
	}
	return strings.ToLower(u.Scheme + "://" + u.Host), true
}

// Allows reports whether a page of origin may use the widget.
func (w Widget) Allows(origin string) bool {
	o, ok := NormalizeOrigin(origin)
	return ok && slices.Contains(w.Origins, o)
}

// check validates w for saving.
func (s *Service) check(ctx context.Context, w *Widget) error {
	errs := valid.Fields{}
	w.Name = strings.TrimSpace(w.Name)
	if n := utf8.RuneCountInString(w.Name); n == 0 {
		errs.Add("name", valid.Msg("valid.required", "is required"))
	} else if n > 100 {
		errs.Add("name", valid.Msg("valid.too_long", "is too long"))
	}
	if w.Color == "" {
		w.Color = "#1f6f54"
	}
	if !colorRE.MatchString(w.Color) {
		errs.Add("color", valid.Msg("widget.valid.color", "is not a colour like #1f6f54"))
	}
	w.Color = strings.ToLower(w.Color)
	if w.Position == "" {
		w.Position = "right"
	}
	if !slices.Contains(Positions, w.Position) {
		errs.Add("position", valid.OneOf(Positions))
	}
	if w.Language != "" && s.o.Catalog != nil && !s.o.Catalog.Has(w.Language) {
		errs.Add("language", valid.OneOf(s.o.Catalog.Languages()))
	}
	for i, o := range w.Origins {
		n, ok := NormalizeOrigin(o)
		if !ok {
			errs.Add("origins", valid.Msg("widget.valid.origin", "%s is not an origin like https://shop.example", o))
			break
		}
		w.Origins[i] = n
	}
	if w.CalendarID != 0 && s.o.SLA != nil {
		if _, err := s.calendar(ctx, w.CalendarID); err != nil {
			errs.Add("calendar_id", valid.Msg("valid.no_calendar", "no such calendar"))
		}
	}
	return errs.Err()
}

func randomText(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b))
}

// NewSecret is a fresh secret for user hashes.
func NewSecret() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// CreateWidget adds a widget with a new key and secret.
func (s *Service) CreateWidget(ctx context.Context, w Widget) (Widget, error) {
	if err := s.check(ctx, &w); err != nil {
		return Widget{}, err
	}
	w.Key = "w" + randomText(10)
	w.Secret = NewSecret()
	now := s.o.Clock.Now()
	err := s.o.DB.W.QueryRowContext(ctx, s.q.Get("insert-widget"), w.Key, w.Name, strings.Join(w.Origins, "\n"), w.Secret,
		w.Color, w.Position, boolInt(w.PreChat), w.Language, nullID(w.CalendarID), store.Millis(now)).Scan(&w.ID)
	if err != nil {
		return Widget{}, fmt.Errorf("chat: create widget: %w", err)
	}
	return s.WidgetByID(ctx, w.ID)
}

// UpdateWidget saves w's settings (not its key or secret).
func (s *Service) UpdateWidget(ctx context.Context, w Widget) (Widget, error) {
	if err := s.check(ctx, &w); err != nil {
		return Widget{}, err
	}
	res, err := s.o.DB.W.ExecContext(ctx, s.q.Get("update-widget"), w.ID, w.Name, strings.Join(w.Origins, "\n"), w.Color,
		w.Position, boolInt(w.PreChat), w.Language, nullID(w.CalendarID), store.Millis(s.o.Clock.Now()))
	if err != nil {
		return Widget{}, fmt.Errorf("chat: update widget %d: %w", w.ID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return Widget{}, ErrNotFound
	}
	return s.WidgetByID(ctx, w.ID)
}

// RotateSecret gives widget id a new secret: hashes made with the old one
// stop being accepted at once.
func (s *Service) RotateSecret(ctx context.Context, id int64) error {
	res, err := s.o.DB.W.ExecContext(ctx, s.q.Get("set-widget-secret"), id, NewSecret(), store.Millis(s.o.Clock.Now()))
	if err != nil {
		return fmt.Errorf("chat: rotate secret %d: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNotFound
	}
	return nil
}

// DeleteWidget removes widget id and its sessions (the chats' tickets stay).
func (s *Service) DeleteWidget(ctx context.Context, id int64) error {
	res, err := s.o.DB.W.ExecContext(ctx, s.q.Get("delete-widget"), id)
	if err != nil {
		return fmt.Errorf("chat: delete widget %d: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNotFound
	}
	return nil
}

func scanWidget(sc interface{ Scan(...any) error }) (Widget, error) {
	var w Widget
	var origins string
	var prechat int
	var created, updated int64
	err := sc.Scan(&w.ID, &w.Key, &w.Name, &origins, &w.Secret, &w.Color, &w.Position, &prechat, &w.Language, &w.CalendarID, &created, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return Widget{}, ErrNotFound
	}
	if err != nil {
		return Widget{}, err
	}
	w.Origins = strings.Fields(origins)
	w.PreChat = prechat != 0
	w.CreatedAt, w.UpdatedAt = store.Time(created), store.Time(updated)
	return w, nil
}

// Widgets returns every widget, oldest first.
func (s *Service) Widgets(ctx context.Context) ([]Widget, error) {
	rows, err := s.o.DB.R.QueryContext(ctx, s.q.Get("list-widgets"))
	if err != nil {
		return nil, fmt.Errorf("chat: widgets: %w", err)
	}
	defer rows.Close()
	var out []Widget
	for rows.Next() {
		w, err := scanWidget(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, w)
	}
	return out, rows.Err()
}

// WidgetByKey returns the widget of a public key.
func (s *Service) WidgetByKey(ctx context.Context, key string) (Widget, error) {
	if key == "" || len(key) > 64 {
		return Widget{}, ErrNotFound
	}
	return scanWidget(s.o.DB.R.QueryRowContext(ctx, s.q.Get("widget-by-key"), key))
}

// WidgetByID returns widget id.
func (s *Service) WidgetByID(ctx context.Context, id int64) (Widget, error) {
	return scanWidget(s.o.DB.R.QueryRowContext(ctx, s.q.Get("widget-by-id"), id))
}

// UserHash is what a business's server computes for a signed-in visitor:
// hex HMAC-SHA256 of the user's id (or, without one, email) with the
// widget's secret.
func UserHash(secret, identity string) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(identity))
	return hex.EncodeToString(m.Sum(nil))
}

// calendar returns calendar id of the SLA settings.
func (s *Service) calendar(ctx context.Context, id int64) (*sla.Calendar, error) {
	rows, err := s.o.SLA.Calendars(ctx)
	if err != nil {
		return nil, err
	}
	for _, r := range rows {
		if r.ID == id {
			return r.Build()
		}
	}
	return nil, ErrNotFound
}

// Why a chat is closed, as Closed reports it.
const (
	ClosedHours  = "hours"  // outside the widget's business hours
	ClosedNobody = "nobody" // within them, but no agent is online
)

// Closed says why w's chat is closed now ("" when it is open): outside its
// business hours, or with no agent online to answer. A calendar or an
// agent list that cannot be read counts as open (the agents see the chat
// either way).
func (s *Service) Closed(ctx context.Context, w Widget) string {
	if w.CalendarID != 0 && s.o.SLA != nil {
		c, err := s.calendar(ctx, w.CalendarID)
		if err != nil {
			s.o.Log.Warn("chat: widget calendar", "widget", w.ID, slog.Any("error", err))
		} else if !c.Open(s.o.Clock.Now()) {
			return ClosedHours
		}
	}
	var online int
	if err := s.o.DB.R.QueryRowContext(ctx, s.q.Get("agents-online")).Scan(&online); err != nil {
		s.o.Log.Warn("chat: agents online", slog.Any("error", err))
		return ""
	}
	if online == 0 {
		return ClosedNobody
	}
	return ""
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func nullID(id int64) sql.NullInt64 { return sql.NullInt64{Int64: id, Valid: id != 0} }
