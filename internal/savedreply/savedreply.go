// Package savedreply keeps the business's saved replies (canned
// responses): a title, a body and the language it is written in, which
// agents insert into the composer and managers keep up to date.
package savedreply

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/rapport/rapport/internal/i18n"
	"github.com/rapport/rapport/internal/jobs"
	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/valid"
)

// ErrNotFound is a saved reply that does not exist.
var ErrNotFound = store.ErrNotFound

// Limits of a saved reply's fields, in characters.
const (
	MaxTitle = 200
	MaxBody  = 20000
)

// Reply is one saved reply.
type Reply struct {
	ID        int64
	Title     string
	Body      string
	Language  string
	CreatedBy int64 // the agent who wrote it; 0 when gone
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Input is a saved reply as a person writes it.
type Input struct {
	Title    string
	Body     string
	Language string
}

//go:embed queries.sql
var queriesFS embed.FS

// bodiesFresh is how long SavedBodies answers from memory: the analyzer
// reads the bodies for every reply it checks (a scorecard reads hundreds),
// and an edit in another process shows within this time.
const bodiesFresh = 5 * time.Second

// Service keeps saved replies.
type Service struct {
	db    *store.DB
	clock jobs.Clock
	q     store.Queries

	mu       sync.Mutex
	bodies   []string  // the last SavedBodies read
	bodiesAt time.Time // when; zero after a write here
}

// New returns a Service over db.
func New(db *store.DB, clock jobs.Clock) *Service {
	if clock == nil {
		clock = jobs.SystemClock{}
	}
	return &Service{db: db, clock: clock, q: store.MustLoadQueries(queriesFS, db.Dialect)}
}

// check trims in and returns it with what is wrong with it.
func check(in Input) (Input, error) {
	in.Title = strings.TrimSpace(in.Title)
	in.Body = strings.TrimSpace(strings.ReplaceAll(in.Body, "\r\n", "\n"))
	in.Language = strings.ToLower(strings.TrimSpace(in.Language))
	errs := valid.Fields{}
	switch n := utf8.RuneCountInString(in.Title); {
	case n == 0:
		errs.Add("title", valid.Msg("valid.required", "is required"))
	case n > MaxTitle:
		errs.Add("title", valid.Msg("valid.longer_than", "is longer than %d characters", MaxTitle))
	}
	switch n := utf8.RuneCountInString(in.Body); {
	case n == 0:
		errs.Add("body", valid.Msg("valid.required", "is required"))
	case n > MaxBody:
		errs.Add("body", valid.Msg("valid.longer_than", "is longer than %d characters", MaxBody))
	}
	if !slices.Contains(i18n.Supported, in.Language) {
		errs.Add("language", valid.Message{Key: "valid.language", Text: "must be a language code: " + strings.Join(i18n.Supported, ", ")})
	}
	return in, errs.Err()
}

func scan(sc interface{ Scan(...any) error }) (Reply, error) {
	var r Reply
	var created, updated int64
	err := sc.Scan(&r.ID, &r.Title, &r.Body, &r.Language, &r.CreatedBy, &created, &updated)
	r.CreatedAt, r.UpdatedAt = store.Time(created), store.Time(updated)
	return r, err
}

// List returns every saved reply, by language and title.
func (s *Service) List(ctx context.Context) ([]Reply, error) {
	rows, err := s.db.R.QueryContext(ctx, s.q.Get("list-saved-replies"))
	if err != nil {
		return nil, fmt.Errorf("savedreply: list: %w", err)
	}
	defer rows.Close()
	out := []Reply{}
	for rows.Next() {
		r, err := scan(rows)
		if err != nil {
			return nil, fmt.Errorf("savedreply: list: %w", err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("savedreply: list: %w", err)
	}
	return out, nil
}

// Get returns saved reply id, or ErrNotFound.
func (s *Service) Get(ctx context.Context, id int64) (Reply, error) {
	r, err := scan(s.db.R.QueryRowContext(ctx, s.q.Get("get-saved-reply"), id))
	if errors.Is(err, sql.ErrNoRows) {
		return Reply{}, fmt.Errorf("savedreply %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return Reply{}, fmt.Errorf("savedreply %d: %w", id, err)
	}
	return r, nil
}

// Create saves a new reply written by agent agentID (0 for none, as the
// demo's).
func (s *Service) Create(ctx context.Context, agentID int64, in Input) (Reply, error) {
	in, err := check(in)
	if err != nil {
		return Reply{}, err
	}
	var by any
	if agentID != 0 {
		by = agentID
	}
	var id int64
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		return tx.QueryRowContext(ctx, s.q.Get("insert-saved-reply"), in.Title, in.Body, in.Language, by,
			store.Millis(s.clock.Now())).Scan(&id)
	})
	if err != nil {
		return Reply{}, fmt.Errorf("savedreply: create: %w", err)
	}
	s.forget()
	return s.Get(ctx, id)
}

// Update rewrites saved reply id.
func (s *Service) Update(ctx context.Context, id int64, in Input) (Reply, error) {
	in, err := check(in)
	if err != nil {
		return Reply{}, err
	}
	var n int64
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.q.Get("update-saved-reply"), id, in.Title, in.Body, in.Language,
			store.Millis(s.clock.Now()))
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return Reply{}, fmt.Errorf("savedreply %d: update: %w", id, err)
	}
	s.forget()
	if n == 0 {
		return Reply{}, fmt.Errorf("savedreply %d: %w", id, ErrNotFound)
	}
	return s.Get(ctx, id)
}

// Delete removes saved reply id; replies already sent from it stay.
func (s *Service) Delete(ctx context.Context, id int64) error {
	var n int64
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.q.Get("delete-saved-reply"), id)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return fmt.Errorf("savedreply %d: delete: %w", id, err)
	}
	s.forget()
	if n == 0 {
		return fmt.Errorf("savedreply %d: %w", id, ErrNotFound)
	}
	return nil
}

// SavedBodies returns the body of every saved reply, for the reply
// analyzer to recognise a reply sent from one unchanged
// (quality.SavedReplies). It answers from memory for bodiesFresh after a
// read; a write through this Service is seen at once.
func (s *Service) SavedBodies(ctx context.Context) ([]string, error) {
	now := s.clock.Now()
	s.mu.Lock()
	if !s.bodiesAt.IsZero() && now.Sub(s.bodiesAt) < bodiesFresh && !now.Before(s.bodiesAt) {
		out := s.bodies
		s.mu.Unlock()
		return out, nil
	}
	s.mu.Unlock()
	rows, err := s.db.R.QueryContext(ctx, s.q.Get("saved-reply-bodies"))
	if err != nil {
		return nil, fmt.Errorf("savedreply: bodies: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var b string
		if err := rows.Scan(&b); err != nil {
			return nil, fmt.Errorf("savedreply: bodies: %w", err)
		}
		out = append(out, b)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("savedreply: bodies: %w", err)
	}
	s.mu.Lock()
	s.bodies, s.bodiesAt = out, now
	s.mu.Unlock()
	return out, nil
}

// forget drops the bodies kept in memory after a write.
func (s *Service) forget() {
	s.mu.Lock()
	s.bodies, s.bodiesAt = nil, time.Time{}
	s.mu.Unlock()
}
