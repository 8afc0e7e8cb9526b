package survey

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/rapport/rapport/internal/audit"
	"github.com/rapport/rapport/internal/valid"
)

// Questions a survey can ask, by the name its answer column, form field and
// one-click link use.
const (
	CSAT    = "csat"    // overall satisfaction, 1–5
	NPS     = "nps"     // likelihood to recommend, 0–10
	Speed   = "speed"   // satisfaction with speed, 1–5
	Wait    = "wait"    // rating of the wait, 1–5
	Feeling = "feeling" // how we made you feel, 1–5
	Return  = "return"  // intent to return: yes, maybe, no
	Comment = "comment" // free text
)

// Questions lists every question in the order a survey asks them.
var Questions = []string{CSAT, NPS, Speed, Wait, Feeling, Return, Comment}

// ReturnChoices are the answers to the intent-to-return question.
var ReturnChoices = []string{"yes", "maybe", "no"}

// Scale is the lowest and highest score of question q; ok is false for the
// questions that are not scores (intent to return, comment).
func Scale(q string) (lo, hi int, ok bool) {
	switch q {
	case CSAT, Speed, Wait, Feeling:
		return 1, 5, true
	case NPS:
		return 0, 10, true
	}
	return 0, 0, false
}

// Limits of the settings.
const (
	MaxDays      = 365
	MaxDelayDays = 30
	MaxIncentive = 300
	MaxComment   = 5000
)

// Settings are a business's choices about customer surveys.
type Settings struct {
	Enabled    bool     `json:"enabled"`
	Questions  []string `json:"questions"`   // the questions on, in Questions order
	WindowDays int      `json:"window_days"` // at most one survey per customer in this many days
	ExpiryDays int      `json:"expiry_days"` // a link works this many days
	DelayHours int      `json:"delay_hours"` // after solving; 0 sends at once
	Incentive  string   `json:"incentive"`   // optional line, e.g. a discount code
}

// DefaultSettings are the settings before an admin changes any.
func DefaultSettings() Settings {
	return Settings{Enabled: true, Questions: []string{CSAT, NPS, Speed, Return, Comment}, WindowDays: 30, ExpiryDays: 30}
}

// Asks reports whether question q is on.
func (st Settings) Asks(q string) bool {
	for _, x := range st.Questions {
		if x == q {
			return true
		}
	}
	return false
}

// First is the first question that is on, the one the email asks with
// one-click links; "" when none is.
func (st Settings) First() string {
	for _, q := range Questions {
		if st.Asks(q) {
			return q
		}
	}
	return ""
}

// settingsKey is the settings row holding Settings as JSON.
const settingsKey = "survey"

// Settings returns the current settings, the defaults when none are saved.
func (s *Service) Settings(ctx context.Context) (Settings, error) {
	return s.settings(ctx, s.o.DB.R)
}

// querier is a connection pool or a transaction.
type querier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

func (s *Service) settings(ctx context.Context, q querier) (Settings, error) {
	var raw string
	err := q.QueryRowContext(ctx, s.q.Get("get-setting"), settingsKey).Scan(&raw)
	if errors.Is(err, sql.ErrNoRows) {
		return DefaultSettings(), nil
	}
	if err != nil {
		return Settings{}, fmt.Errorf("survey: settings: %w", err)
	}
	st := DefaultSettings()
	if err := json.Unmarshal([]byte(raw), &st); err != nil {
		return Settings{}, fmt.Errorf("survey: settings: %w", err)
	}
	st.Questions = ordered(st.Questions)
	return st, nil
}

// ordered keeps the known questions of qs, without repeats, in Questions
// order.
func ordered(qs []string) []string {
	out := []string{}
	for _, q := range Questions {
		for _, x := range qs {
			if x == q {
				out = append(out, q)
				break
			}
		}
	}
	return out
}

// Validate checks st and puts its questions in order.
func (st *Settings) Validate() error {
	errs := valid.Fields{}
	for _, q := range st.Questions {
		known := false
		for _, x := range Questions {
			known = known || q == x
		}
		if !known {
			errs.Add("questions", valid.Msg("valid.unknown_question", "%q is not a question", q))
		}
	}
	st.Questions = ordered(st.Questions)
	if st.Enabled && len(st.Questions) == 0 {
		errs.Add("questions", valid.Msg("valid.question_on", "switch on at least one question"))
	}
	if st.WindowDays < 0 || st.WindowDays > MaxDays {
		errs.Add("window_days", valid.Msg("valid.days_max", "must be from 0 to %d days", MaxDays))
	}
	if st.ExpiryDays < 1 || st.ExpiryDays > MaxDays {
		errs.Add("expiry_days", valid.Msg("valid.days_max", "must be from 1 to %d days", MaxDays))
	}
	if st.DelayHours < 0 || st.DelayHours > MaxDelayDays*24 {
		errs.Add("delay_hours", valid.Msg("valid.hours_max", "must be from 0 to %d hours", MaxDelayDays*24))
	}
	st.Incentive = strings.TrimSpace(st.Incentive)
	if utf8.RuneCountInString(st.Incentive) > MaxIncentive || strings.ContainsAny(st.Incentive, "\r\n") {
		errs.Add("incentive", valid.Msg("valid.longer_than", "must be one line of at most %d characters", MaxIncentive))
	}
	return errs.Err()
}

// SaveSettings validates and stores st.
func (s *Service) SaveSettings(ctx context.Context, st Settings) (Settings, error) {
	if err := st.Validate(); err != nil {
		return Settings{}, err
	}
	raw, err := json.Marshal(st)
	if err != nil {
		return Settings{}, err
	}
	before, err := s.Settings(ctx)
	if err != nil {
		return Settings{}, err
	}
	err = s.o.DB.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, s.q.Get("put-setting"), settingsKey, string(raw), s.now()); err != nil {
			return err
		}
		return s.audit.RecordTx(ctx, tx, audit.Entry{Action: "settings.survey", TargetKind: "settings",
			TargetID: "survey", Before: before, After: st})
	})
	if err != nil {
		return Settings{}, fmt.Errorf("survey: save settings: %w", err)
	}
	return st, nil
}
