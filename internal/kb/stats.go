package kb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/valid"
)

// MaxComment is the longest comment a vote may carry, in characters.
const MaxComment = 2000

// Vote records a reader's answer to "was this helpful?" on translation id,
// with an optional comment.
func (s *Service) Vote(ctx context.Context, id int64, helpful bool, comment string) error {
	comment = strings.TrimSpace(comment)
	if utf8.RuneCountInString(comment) > MaxComment {
		return valid.Fields{"comment": valid.Msg("valid.longer_than", "is longer than %d characters", MaxComment)}
	}
	counter := "vote-no"
	if helpful {
		counter = "vote-yes"
	}
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		if err := affected(tx.ExecContext(ctx, s.q.Get(counter), id)); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, s.q.Get("insert-vote"), id, boolInt(helpful), comment, store.Millis(s.clock.Now()))
		return err
	})
	if err != nil {
		return fmt.Errorf("kb: vote on %d: %w", id, err)
	}
	return nil
}

// Where a visitor opened a suggested article: a deflection's source.
const (
	FromContact = "contact" // the contact form's suggestions
	FromWidget  = "widget"  // the chat widget's, before the chat started
)

// OpenedFromContact records that the visitor with token opened
// translation id from the contact form's suggestions. Unless the same
// visitor sends the form afterwards (ContactSent), it counts as a
// deflection.
func (s *Service) OpenedFromContact(ctx context.Context, id int64, token string) error {
	return s.Opened(ctx, id, token, FromContact)
}

// Opened records that the visitor with token opened translation id from
// the suggestions of source (FromContact or FromWidget). Unless the same
// visitor then sends the form or starts the chat (ContactSent), it counts
// as a deflection.
func (s *Service) Opened(ctx context.Context, id int64, token, source string) error {
	if source != FromContact && source != FromWidget {
		return fmt.Errorf("kb: opened %d from %q: unknown source", id, source)
	}
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, s.q.Get("insert-deflection"), id, token, store.Millis(s.clock.Now()), source)
		return err
	})
	if store.IsForeignKeyViolation(err) {
		return fmt.Errorf("kb: opened %d from %s: %w", id, source, ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("kb: opened %d from %s: %w", id, source, err)
	}
	return nil
}

// ContactSent records that the visitor with token sent the contact form,
// or started the chat in the widget: the articles they opened before did
// not deflect them.
func (s *Service) ContactSent(ctx context.Context, token string) error {
	if token == "" {
		return nil
	}
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, s.q.Get("contact-sent"), token)
		return err
	})
	if err != nil {
		return fmt.Errorf("kb: contact sent: %w", err)
	}
	return nil
}

// ArticleStats are one translation's numbers in the report.
type ArticleStats struct {
	ArticleID   int64
	Slug        string
	Language    string
	Title       string
	Views       int64
	Yes, No     int64
	Opened      int64 // from the contact form's or the widget's suggestions, in the period
	Deflections int64 // of those, the visitors who did not send the form or start the chat

	WidgetOpened, WidgetDeflections int64 // of both, those from the chat widget
}

// ContactOpened is how many opens came from the contact form.
func (a ArticleStats) ContactOpened() int64 { return a.Opened - a.WidgetOpened }

// ContactDeflections is how many of the deflections came from the contact form.
func (a ArticleStats) ContactDeflections() int64 { return a.Deflections - a.WidgetDeflections }

// Gap is a search that found nothing, with how often it was made.
type Gap struct {
	Language string
	Query    string
	Count    int64
	Last     time.Time
}

// Comment is a reader's comment with a vote.
type Comment struct {
	Slug, Language, Title string
	Helpful               bool
	Text                  string
	At                    time.Time
}

// Report is the help center's report over the last Days days (views and
// votes are all-time counters).
type Report struct {
	Days                          int
	Articles                      []ArticleStats
	Gaps                          []Gap
	Comments                      []Comment
	Views, Yes, No                int64
	Opened, Deflections, Searches int64

	WidgetOpened, WidgetDeflections int64 // of Opened and Deflections, from the chat widget
}

// ContactOpened is how many opens came from the contact form.
func (r Report) ContactOpened() int64 { return r.Opened - r.WidgetOpened }

// ContactDeflections is how many of the deflections came from the contact form.
func (r Report) ContactDeflections() int64 { return r.Deflections - r.WidgetDeflections }

// Report returns the help center's numbers: views, votes and deflections
// per article, and the searches that found nothing, over the last days
// days.
func (s *Service) Report(ctx context.Context, days int) (Report, error) {
	if days <= 0 {
		days = 30
	}
	from := s.since(days)
	r := Report{Days: days, Articles: []ArticleStats{}, Gaps: []Gap{}, Comments: []Comment{}}
	rows, err := s.db.R.QueryContext(ctx, s.q.Get("report-articles"), from)
	if err != nil {
		return Report{}, fmt.Errorf("kb: report: %w", err)
	}
	for rows.Next() {
		var a ArticleStats
		var sent, widgetSent int64
		if err := rows.Scan(&a.ArticleID, &a.Slug, &a.Language, &a.Title, &a.Views, &a.Yes, &a.No, &a.Opened, &sent,
			&a.WidgetOpened, &widgetSent); err != nil {
			rows.Close()
			return Report{}, fmt.Errorf("kb: report: %w", err)
		}
		a.Deflections = a.Opened - sent
		a.WidgetDeflections = a.WidgetOpened - widgetSent
		r.Views, r.Yes, r.No = r.Views+a.Views, r.Yes+a.Yes, r.No+a.No
		r.Opened, r.Deflections = r.Opened+a.Opened, r.Deflections+a.Deflections
		r.WidgetOpened, r.WidgetDeflections = r.WidgetOpened+a.WidgetOpened, r.WidgetDeflections+a.WidgetDeflections
		r.Articles = append(r.Articles, a)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return Report{}, fmt.Errorf("kb: report: %w", err)
	}
	rows, err = s.db.R.QueryContext(ctx, s.q.Get("report-gaps"), from)
	if err != nil {
		return Report{}, fmt.Errorf("kb: report: %w", err)
	}
	for rows.Next() {
		var g Gap
		var at int64
		if err := rows.Scan(&g.Language, &g.Query, &g.Count, &at); err != nil {
			rows.Close()
			return Report{}, fmt.Errorf("kb: report: %w", err)
		}
		g.Last = store.Time(at)
		r.Searches += g.Count
		r.Gaps = append(r.Gaps, g)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return Report{}, fmt.Errorf("kb: report: %w", err)
	}
	rows, err = s.db.R.QueryContext(ctx, s.q.Get("report-comments"), from)
	if err != nil {
		return Report{}, fmt.Errorf("kb: report: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var c Comment
		var helpful int
		var at int64
		if err := rows.Scan(&c.Slug, &c.Language, &c.Title, &helpful, &c.Text, &at); err != nil {
			return Report{}, fmt.Errorf("kb: report: %w", err)
		}
		c.Helpful, c.At = helpful == 1, store.Time(at)
		r.Comments = append(r.Comments, c)
	}
	return r, rows.Err()
}

// Settings are the help center's own settings.
type Settings struct {
	Accent          string // the colour of links and buttons, #rrggbb
	PublishStandard bool   // the service standard is a page of the help center
}

// DefaultAccent is the accent colour until one is set.
const DefaultAccent = "#2457a6"

var colourRE = regexp.MustCompile(`^#[0-9a-fA-F]{6}$`)

// Settings returns the help center's settings.
func (s *Service) Settings(ctx context.Context) (Settings, error) {
	var st Settings
	var pub int
	err := s.db.R.QueryRowContext(ctx, s.q.Get("settings")).Scan(&st.Accent, &pub)
	if errors.Is(err, sql.ErrNoRows) {
		return Settings{Accent: DefaultAccent}, nil
	}
	if err != nil {
		return Settings{}, fmt.Errorf("kb: settings: %w", err)
	}
	st.PublishStandard = pub == 1
	return st, nil
}

// SaveSettings writes the help center's settings.
func (s *Service) SaveSettings(ctx context.Context, st Settings) error {
	st.Accent = strings.ToLower(strings.TrimSpace(st.Accent))
	if !colourRE.MatchString(st.Accent) {
		return valid.Fields{"accent": valid.Msg("kb.valid_colour", "must be a colour like #2457a6")}
	}
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, s.q.Get("save-settings"), st.Accent, boolInt(st.PublishStandard))
		return err
	})
	if err != nil {
		return fmt.Errorf("kb: save settings: %w", err)
	}
	return nil
}
