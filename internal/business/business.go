// Package business holds who the business is: the name, sender, logo and
// signature customers see, its time zone, the languages it serves and the
// register (formal or informal) it speaks each in. An admin sets them at
// first run (the setup page or `rapport setup`) and later in settings;
// everything that writes to customers or shows a time reads them here.
package business

import (
	"context"
	"database/sql"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/rapport/rapport/internal/audit"
	"github.com/rapport/rapport/internal/i18n"
	"github.com/rapport/rapport/internal/jobs"
	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/valid"
)

//go:embed queries.sql
var queriesFS embed.FS

// Register is how a business addresses its customers in a language.
type Register string

// The registers. Formal is the default: Italian Lei, Russian вы, Catalan
// vostè, Latvian Jūs; informal is tu, ты, tu, tu. English has one form.
const (
	Formal   Register = "formal"
	Informal Register = "informal"
)

// Limits of the profile's texts.
const (
	MaxName      = 100
	MaxSignature = 1000
	MaxLogoURL   = 500
)

// Profile is the business as customers and agents meet it.
type Profile struct {
	// Name is the business's name ("Aurora Home & Garden"), on every mail
	// and page a customer sees.
	Name string `json:"name"`
	// SenderName is the From name of mail to customers ("Aurora customer
	// care"); "" uses Name.
	SenderName string `json:"sender_name"`
	// LogoURL is an https address of the logo shown on mail and customer
	// pages; "" shows the name alone.
	LogoURL string `json:"logo_url"`
	// Signature closes every mail to customers, as plain text; "" signs
	// with Name.
	Signature string `json:"signature"`
	// TimeZone is the business's IANA zone: agents' and customers' times
	// when theirs is unknown, and the business calendar's default.
	TimeZone string `json:"time_zone"`
	// Languages are the languages the business serves customers in, in
	// order; language detection picks only among them. Empty is every
	// language with a catalogue.
	Languages []string `json:"languages"`
	// DefaultLanguage is the language of a customer whose language is not
	// known; "" is the first of Languages.
	DefaultLanguage string `json:"default_language"`
	// Registers is the register per language; missing is Formal.
	Registers map[string]Register `json:"registers"`
	// SetUp is true once an admin has completed the first-run setup.
	SetUp bool `json:"set_up"`
}

// Location is the business's time zone, UTC when none is set.
func (p Profile) Location() *time.Location { return i18n.ZoneOr(p.TimeZone, time.UTC) }

// From is the name mail to customers comes from.
func (p Profile) From() string {
	if p.SenderName != "" {
		return p.SenderName
	}
	return p.Name
}

// SignOff is the signature of mail to customers.
func (p Profile) SignOff() string {
	if p.Signature != "" {
		return p.Signature
	}
	return p.Name
}

// RegisterOf is the register the business speaks lang in.
func (p Profile) RegisterOf(lang string) Register {
	if r, ok := p.Registers[lang]; ok && r == Informal {
		return Informal
	}
	return Formal
}

// Serves reports whether the business serves customers in lang.
func (p Profile) Serves(lang string) bool {
	return len(p.Languages) == 0 || slices.Contains(p.Languages, lang)
}

// Default is the language of a customer whose language is unknown.
func (p Profile) Default() string {
	if p.DefaultLanguage != "" {
		return p.DefaultLanguage
	}
	if len(p.Languages) > 0 {
		return p.Languages[0]
	}
	return i18n.Default
}

// profileKey is the settings row holding the Profile as JSON.
const profileKey = "business"

// Opts configure a Service.
type Opts struct {
	DB    *store.DB
	Clock jobs.Clock
	// Defaults is the profile before anything is saved: the name from
	// --business-name, say.
	Defaults Profile
	// Languages are the languages with a catalogue, which a business can
	// serve.
	Languages []string
}

// Service reads and saves the profile.
type Service struct {
	o        Opts
	q        store.Queries
	audit    *audit.Log // settings changes, recorded in their transaction
	watchers []Watcher
}

// A Watcher hears of every saved profile inside the transaction that saves
// it, so that what it keeps from the profile changes with it or not at
// all: the metrics switch their days to a new time zone so.
type Watcher interface {
	ProfileSaved(ctx context.Context, tx *sql.Tx, p Profile) error
}

// Watch adds w to the watchers of saved profiles; call it while the
// services are built, before any save. Watchers run in the order added.
func (s *Service) Watch(w Watcher) { s.watchers = append(s.watchers, w) }

// New returns a Service.
func New(o Opts) *Service {
	if o.Clock == nil {
		o.Clock = jobs.SystemClock{}
	}
	if o.Defaults.Name == "" {
		o.Defaults.Name = "Support"
	}
	return &Service{o: o, q: store.MustLoadQueries(queriesFS, o.DB.Dialect), audit: audit.New(o.DB, o.Clock)}
}

// Profile returns the saved profile, the defaults when none is saved. It
// reads the database each time, so that every process of a deployment
// sees a change at once; it is one row by key.
func (s *Service) Profile(ctx context.Context) (Profile, error) {
	var raw string
	err := s.o.DB.R.QueryRowContext(ctx, s.q.Get("get-profile"), profileKey).Scan(&raw)
	if errors.Is(err, sql.ErrNoRows) {
		return s.o.Defaults, nil
	}
	if err != nil {
		return Profile{}, fmt.Errorf("business: profile: %w", err)
	}
	p := s.o.Defaults
	if err := json.Unmarshal([]byte(raw), &p); err != nil {
		return Profile{}, fmt.Errorf("business: profile: %w", err)
	}
	return p, nil
}

// Save checks p and stores it, returning what was stored. A bad field is a
// valid.Fields error and nothing is stored.
func (s *Service) Save(ctx context.Context, p Profile) (Profile, error) {
	p, err := s.Check(p)
	if err != nil {
		return Profile{}, err
	}
	before, err := s.Profile(ctx)
	if err != nil {
		return Profile{}, err
	}
	err = s.o.DB.Tx(ctx, func(tx *sql.Tx) error {
		if err := s.put(ctx, tx, p); err != nil {
			return err
		}
		return s.audit.RecordTx(ctx, tx, audit.Entry{Action: "settings.business", TargetKind: "settings",
			TargetID: "business", Before: before, After: p})
	})
	if err != nil {
		return Profile{}, err
	}
	return p, nil
}

// SaveTx stores p, checked by Check, inside tx: the first run saves it
// with the first admin.
func (s *Service) SaveTx(ctx context.Context, tx *sql.Tx, p Profile) error {
	return s.put(ctx, tx, p)
}

func (s *Service) put(ctx context.Context, tx *sql.Tx, p Profile) error {
	raw, err := json.Marshal(p)
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, s.q.Get("put-profile"), profileKey, string(raw), store.Millis(s.o.Clock.Now())); err != nil {
		return fmt.Errorf("business: save profile: %w", err)
	}
	for _, w := range s.watchers {
		if err := w.ProfileSaved(ctx, tx, p); err != nil {
			return fmt.Errorf("business: save profile: %w", err)
		}
	}
	return nil
}

// Check returns p trimmed and normalised, or what is wrong with it.
func (s *Service) Check(p Profile) (Profile, error) {
	errs := valid.Fields{}
	p.Name = strings.TrimSpace(p.Name)
	switch {
	case p.Name == "":
		errs.Add("name", valid.Msg("valid.required", "is required"))
	case utf8.RuneCountInString(p.Name) > MaxName:
		errs.Add("name", valid.Message{Key: "valid.too_long", Text: fmt.Sprintf("is longer than %d characters", MaxName)})
	}
	p.SenderName = strings.TrimSpace(p.SenderName)
	if utf8.RuneCountInString(p.SenderName) > MaxName {
		errs.Add("sender_name", valid.Message{Key: "valid.too_long", Text: fmt.Sprintf("is longer than %d characters", MaxName)})
	}
	if strings.ContainsAny(p.Name+p.SenderName, "\r\n<>\"") {
		errs.Add("sender_name", valid.Msg("valid.sender_name", "cannot hold line breaks, quotes or angle brackets"))
	}
	p.Signature = strings.TrimSpace(strings.ReplaceAll(p.Signature, "\r\n", "\n"))
	if utf8.RuneCountInString(p.Signature) > MaxSignature {
		errs.Add("signature", valid.Message{Key: "valid.too_long", Text: fmt.Sprintf("is longer than %d characters", MaxSignature)})
	}
	p.LogoURL = strings.TrimSpace(p.LogoURL)
	if p.LogoURL != "" {
		u, err := url.Parse(p.LogoURL)
		if err != nil || u.Scheme != "https" || u.Host == "" || len(p.LogoURL) > MaxLogoURL {
			errs.Add("logo_url", valid.Msg("valid.https_url", "must be an https:// address"))
		}
	}
	p.TimeZone = strings.TrimSpace(p.TimeZone)
	if _, err := i18n.Zone(p.TimeZone); err != nil {
		errs.Add("time_zone", valid.Msg("valid.time_zone", "is not a time zone (for example Europe/Rome)"))
	}
	var langs []string
	for _, l := range p.Languages {
		l = strings.ToLower(strings.TrimSpace(l))
		if l == "" || slices.Contains(langs, l) {
			continue
		}
		if len(s.o.Languages) > 0 && !slices.Contains(s.o.Languages, l) {
			errs.Add("languages", valid.Msg("valid.language_unknown", "has a language without a catalogue: %s", l))
			continue
		}
		langs = append(langs, l)
	}
	p.Languages = langs
	p.DefaultLanguage = strings.ToLower(strings.TrimSpace(p.DefaultLanguage))
	if p.DefaultLanguage != "" && !p.Serves(p.DefaultLanguage) {
		errs.Add("default_language", valid.Msg("valid.default_language", "must be one of the languages served"))
	}
	regs := map[string]Register{}
	for l, r := range p.Registers {
		switch r {
		case Formal, Informal:
			regs[strings.ToLower(l)] = r
		case "":
		default:
			errs.Add("registers", valid.Msg("valid.register", "must be formal or informal"))
		}
	}
	p.Registers = regs
	if err := errs.Err(); err != nil {
		return Profile{}, err
	}
	return p, nil
}

// Served returns the languages the business serves (empty: every one)
// and its default language, for language detection at intake. An
// unreadable profile serves every language, with the defaults' default.
func (s *Service) Served(ctx context.Context) (served []string, def string) {
	p, err := s.Profile(ctx)
	if err != nil {
		return nil, s.o.Defaults.Default()
	}
	return p.Languages, p.Default()
}
