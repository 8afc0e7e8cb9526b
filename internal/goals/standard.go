package goals

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/rapport/rapport/internal/audit"
	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/valid"
)

// Standard is the business's service standard in one language: what
// quality service means here, and the service vision. It is plain text;
// blank lines separate paragraphs.
type Standard struct {
	Language string
	Body     string
	// Version grows with every change of the standard in any language.
	Version   int64
	UpdatedAt time.Time
	UpdatedBy int64
}

// Paragraphs splits the body at blank lines, for display.
func (st Standard) Paragraphs() []string {
	var out []string
	for _, p := range blankLines.Split(strings.ReplaceAll(st.Body, "\r\n", "\n"), -1) {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

var blankLines = regexp.MustCompile(`\n[ \t]*\n`)

// MaxStandard is the longest standard text, in characters.
const MaxStandard = 20000

// ErrNoStandard means the business has not written a service standard.
var ErrNoStandard = errors.New("goals: no service standard")

var languageCode = regexp.MustCompile(`^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$`)

// Standards returns the standard in every language it is written in.
func (s *Service) Standards(ctx context.Context) ([]Standard, error) {
	rows, err := s.o.DB.R.QueryContext(ctx, s.q.Get("standards"))
	if err != nil {
		return nil, fmt.Errorf("goals: standards: %w", err)
	}
	defer rows.Close()
	out := []Standard{}
	for rows.Next() {
		var st Standard
		var at int64
		if err := rows.Scan(&st.Language, &st.Body, &st.Version, &at, &st.UpdatedBy); err != nil {
			return nil, fmt.Errorf("goals: standards: %w", err)
		}
		st.UpdatedAt = store.Time(at)
		out = append(out, st)
	}
	return out, rows.Err()
}

// Standard returns the standard in lang, else in the business's default
// language, else in the first language it is written in; ErrNoStandard
// when there is none. Version is the standard's current version, whichever
// language was picked.
func (s *Service) Standard(ctx context.Context, lang string) (Standard, error) {
	all, err := s.Standards(ctx)
	if err != nil {
		return Standard{}, err
	}
	if len(all) == 0 {
		return Standard{}, ErrNoStandard
	}
	var version int64
	for _, st := range all {
		version = max(version, st.Version)
	}
	pick := all[0]
	for _, want := range []string{s.o.DefaultLanguage, lang} {
		for _, st := range all {
			if st.Language == want {
				pick = st
			}
		}
	}
	pick.Version = version
	return pick, nil
}

// SaveStandard writes the standard in lang, raising the version so that
// every agent sees it again. An empty body removes that language.
func (s *Service) SaveStandard(ctx context.Context, lang, body string, by int64) (int64, error) {
	body = strings.TrimSpace(strings.ReplaceAll(body, "\r\n", "\n"))
	errs := valid.Fields{}
	if !languageCode.MatchString(lang) {
		errs.Add("language", valid.Msg("valid.language", "must be a language code such as en or pt-BR"))
	}
	if utf8.RuneCountInString(body) > MaxStandard || !utf8.ValidString(body) || strings.ContainsRune(body, 0) {
		errs.Add("body", valid.Msg("valid.longer_than", "must be at most %d characters of text", MaxStandard))
	}
	if err := errs.Err(); err != nil {
		return 0, err
	}
	all, err := s.Standards(ctx)
	if err != nil {
		return 0, err
	}
	var before any
	for _, st := range all {
		if st.Language == lang {
			before = standardState{Language: lang, Body: st.Body, Version: st.Version}
		}
	}
	var version int64
	err = s.o.DB.Tx(ctx, func(tx *sql.Tx) error {
		if err := tx.QueryRowContext(ctx, s.q.Get("standard-version")).Scan(&version); err != nil {
			return err
		}
		version++
		if body == "" {
			if _, err := tx.ExecContext(ctx, s.q.Get("delete-standard"), lang); err != nil {
				return err
			}
		} else if _, err := tx.ExecContext(ctx, s.q.Get("upsert-standard"), lang, body, version, store.Millis(s.now()), nullID(by)); err != nil {
			return err
		}
		e := audit.Entry{Action: "standard.update", TargetKind: "standard", TargetID: lang, Before: before,
			After: standardState{Language: lang, Body: body, Version: version}}
		if body == "" {
			e.Action, e.After = "standard.delete", nil
		}
		return s.audit.RecordTx(ctx, tx, e)
	})
	if err != nil {
		return 0, fmt.Errorf("goals: save standard %s: %w", lang, err)
	}
	return version, nil
}

// standardState is what the audit log keeps of the standard in one language.
type standardState struct {
	Language string `json:"language"`
	Body     string `json:"body"`
	Version  int64  `json:"version"`
}

// StandardUnread reports whether the agent has not yet acknowledged the
// current version of the standard (false when there is no standard).
func (s *Service) StandardUnread(ctx context.Context, agentID int64) (bool, error) {
	var current, seen int64
	if err := s.o.DB.R.QueryRowContext(ctx, s.q.Get("standard-version")).Scan(&current); err != nil {
		return false, fmt.Errorf("goals: standard version: %w", err)
	}
	if current == 0 {
		return false, nil
	}
	err := s.o.DB.R.QueryRowContext(ctx, s.q.Get("standard-ack"), agentID).Scan(&seen)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return false, fmt.Errorf("goals: standard ack: %w", err)
	}
	return seen < current, nil
}

// AcknowledgeStandard records that the agent read version of the standard.
func (s *Service) AcknowledgeStandard(ctx context.Context, agentID, version int64) error {
	if version <= 0 {
		return valid.Field("version", valid.Msg("valid.required", "is required"))
	}
	if _, err := s.o.DB.W.ExecContext(ctx, s.q.Get("upsert-standard-ack"), agentID, version, store.Millis(s.now())); err != nil {
		if store.IsForeignKeyViolation(err) {
			return fmt.Errorf("goals: acknowledge standard: %w", store.ErrNotFound)
		}
		return fmt.Errorf("goals: acknowledge standard: %w", err)
	}
	return nil
}

// DefaultLanguage is the language whose standard readers fall back to.
func (s *Service) DefaultLanguage() string { return s.o.DefaultLanguage }
