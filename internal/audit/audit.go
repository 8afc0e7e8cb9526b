// Package audit is the append-only record of what admins and managers do
// and of every security event: sign-ins (and failed ones), sign-outs, API
// tokens made, used and revoked, changes of roles and settings. A row says
// who (an agent, through a session or a token, or the system), what (the
// action), to what (a target kind and id), the state before and after
// (JSON, never a secret), when and from which address.
//
// Services write the row in the same transaction as the change (RecordTx),
// one call per action; who acts and from where travel in the request's
// context (WithActor), set by the web and API layers.
package audit

import (
	"context"
	"database/sql"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/rapport/rapport/internal/jobs"
	"github.com/rapport/rapport/internal/store"
)

//go:embed queries.sql
var queriesFS embed.FS

// Actor is who acts: an agent, through a browser session or an API token,
// or the system when AgentID is 0.
type Actor struct {
	AgentID int64
	TokenID int64  // the API token acting, 0 for a session or the system
	Addr    string // the client's address, as web and api tell it
}

type actorKey struct{}

// WithActor returns ctx carrying a, for the services to record.
func WithActor(ctx context.Context, a Actor) context.Context {
	return context.WithValue(ctx, actorKey{}, a)
}

// ActorFrom is the actor ctx carries; the zero Actor (the system) when none.
func ActorFrom(ctx context.Context) Actor {
	a, _ := ctx.Value(actorKey{}).(Actor)
	return a
}

// Entry is one action to record.
type Entry struct {
	Action     string // dotted, area first: "agent.update", "token.revoke", "login.failed"
	TargetKind string // "agent", "token", "team", "settings", "sla_policy", …
	TargetID   string // the target's id, or a settings name ("business")
	Before     any    // the state before (nil: none); marshalled to JSON
	After      any    // the state after (nil: none)
	// As names the acting agent when the context names none: a sign-in,
	// where the agent is known only once the password matched.
	As int64
}

// ID is the text form of a numeric target id.
func ID(id int64) string { return strconv.FormatInt(id, 10) }

// Row is one recorded entry, as read back.
type Row struct {
	ID         int64
	At         time.Time
	AgentID    int64  // 0: the system
	AgentName  string // "" when the agent is gone or for the system
	TokenID    int64
	TokenName  string
	Action     string
	TargetKind string
	TargetID   string
	Before     string // JSON, "" when none
	After      string
	Addr       string
}

// Filter selects rows; zero fields select everything.
type Filter struct {
	AgentID    int64
	Action     string // an action, or its area ("token" matches "token.revoke")
	TargetKind string
	TargetID   string
	From       time.Time // inclusive
	Until      time.Time // exclusive
	Limit      int       // default 50, at most 1000
	Offset     int
}

// Log writes and reads the audit log.
type Log struct {
	db    *store.DB
	clock jobs.Clock
	q     store.Queries
}

// New returns the audit log over db. It is cheap: every service that
// records builds its own from the database and clock it already has.
func New(db *store.DB, clock jobs.Clock) *Log {
	if clock == nil {
		clock = jobs.SystemClock{}
	}
	return &Log{db: db, clock: clock, q: store.MustLoadQueries(queriesFS, db.Dialect)}
}

// execer is the database or a transaction.
type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// RecordTx writes e in tx, the transaction of the change it records, so
// that the change and its record commit or roll back together.
func (l *Log) RecordTx(ctx context.Context, tx *sql.Tx, e Entry) error {
	return l.record(ctx, tx, e)
}

// Record writes e on its own, for what has no transaction of its own (an
// export, a sign-out).
func (l *Log) Record(ctx context.Context, e Entry) error {
	return l.record(ctx, l.db.W, e)
}

func (l *Log) record(ctx context.Context, db execer, e Entry) error {
	if e.Action == "" {
		return errors.New("audit: record: no action")
	}
	a := ActorFrom(ctx)
	if a.AgentID == 0 {
		a.AgentID = e.As
	}
	before, err := snapshot(e.Before)
	if err != nil {
		return fmt.Errorf("audit: record %s: %w", e.Action, err)
	}
	after, err := snapshot(e.After)
	if err != nil {
		return fmt.Errorf("audit: record %s: %w", e.Action, err)
	}
	addr := a.Addr
	if len(addr) > 200 {
		addr = addr[:200]
	}
	if _, err := db.ExecContext(ctx, l.q.Get("insert-entry"), store.Millis(l.clock.Now()), nullID(a.AgentID),
		nullID(a.TokenID), e.Action, e.TargetKind, e.TargetID, before, after, addr); err != nil {
		return fmt.Errorf("audit: record %s: %w", e.Action, err)
	}
	return nil
}

func nullID(id int64) sql.NullInt64 { return sql.NullInt64{Int64: id, Valid: id != 0} }

// redacted replaces the value of a key that names a secret.
const redacted = "[redacted]"

// secretKey reports whether a JSON key names a secret: whatever callers
// pass, a password, a secret, a hash or a token never reaches the log.
func secretKey(k string) bool {
	k = strings.ToLower(k)
	return k == "token" || strings.Contains(k, "password") || strings.Contains(k, "secret") ||
		strings.Contains(k, "hash") || strings.Contains(k, "api_key")
}

// snapshot is v as JSON with secrets redacted; "" for nil.
func snapshot(v any) (string, error) {
	if v == nil {
		return "", nil
	}
	raw, ok := v.(json.RawMessage)
	if !ok {
		b, err := json.Marshal(v)
		if err != nil {
			return "", err
		}
		raw = b
	}
	var tree any
	if err := json.Unmarshal(raw, &tree); err != nil {
		return "", err
	}
	b, err := json.Marshal(redact(tree))
	if err != nil {
		return "", err
	}
	return string(b), nil
}

func redact(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			if secretKey(k) {
				x[k] = redacted
			} else {
				x[k] = redact(e)
			}
		}
	case []any:
		for i, e := range x {
			x[i] = redact(e)
		}
	}
	return v
}

// List returns the rows f selects, newest first.
func (l *Log) List(ctx context.Context, f Filter) ([]Row, error) {
	if f.Limit <= 0 {
		f.Limit = 50
	}
	f.Limit = min(f.Limit, 1000)
	f.Offset = max(f.Offset, 0)
	var from, until int64
	if !f.From.IsZero() {
		from = store.Millis(f.From)
	}
	if !f.Until.IsZero() {
		until = store.Millis(f.Until)
	}
	rows, err := l.db.R.QueryContext(ctx, l.q.Get("list-entries"), f.AgentID, f.Action, f.TargetKind, f.TargetID,
		from, until, f.Limit, f.Offset)
	if err != nil {
		return nil, fmt.Errorf("audit: list: %w", err)
	}
	defer rows.Close()
	out := []Row{}
	for rows.Next() {
		var r Row
		var at int64
		if err := rows.Scan(&r.ID, &at, &r.AgentID, &r.AgentName, &r.TokenID, &r.TokenName, &r.Action,
			&r.TargetKind, &r.TargetID, &r.Before, &r.After, &r.Addr); err != nil {
			return nil, fmt.Errorf("audit: list: %w", err)
		}
		r.At = store.Time(at)
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("audit: list: %w", err)
	}
	return out, nil
}

// Actions lists the actions the log holds, for a filter's choices.
func (l *Log) Actions(ctx context.Context) ([]string, error) {
	rows, err := l.db.R.QueryContext(ctx, l.q.Get("list-actions"))
	if err != nil {
		return nil, fmt.Errorf("audit: actions: %w", err)
	}
	defer rows.Close()
	out := []string{}
	for rows.Next() {
		var a string
		if err := rows.Scan(&a); err != nil {
			return nil, fmt.Errorf("audit: actions: %w", err)
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// Prune deletes the rows older than retention and says how many; the only
// deletion the log knows.
func (l *Log) Prune(ctx context.Context, retention time.Duration) (int64, error) {
	if retention <= 0 {
		return 0, nil
	}
	res, err := l.db.W.ExecContext(ctx, l.q.Get("prune-entries"), store.Millis(l.clock.Now().Add(-retention)))
	if err != nil {
		return 0, fmt.Errorf("audit: prune: %w", err)
	}
	n, _ := res.RowsAffected()
	return n, nil
}

// JobPrune is the kind of the daily pruning job.
const JobPrune = "audit.prune"

// pruneKey keeps one pruning job pending.
const pruneKey = "audit.prune"

// Schedule registers the daily pruning of rows older than retention (0
// keeps everything) on q and makes sure it is pending; call it at start,
// before q.CheckHandlers.
func (l *Log) Schedule(ctx context.Context, q *jobs.Queue, retention time.Duration, log *slog.Logger) error {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	next := func(ctx context.Context) error {
		return l.db.Tx(ctx, func(tx *sql.Tx) error {
			return q.Enqueue(ctx, tx, jobs.Job{Kind: JobPrune, RunAt: l.clock.Now().Add(24 * time.Hour), UniqueKey: pruneKey})
		})
	}
	q.Handle(JobPrune, func(ctx context.Context, _ json.RawMessage) error {
		// The next day first, so that a failing run never stops the schedule.
		if err := next(ctx); err != nil {
			return err
		}
		n, err := l.Prune(ctx, retention)
		if err != nil {
			return err
		}
		log.Info("audit log pruned", "deleted", n, "retention_days", int(retention.Hours()/24))
		return nil
	})
	info, err := q.GetByKey(ctx, pruneKey)
	if err == nil && (info.Status == "pending" || info.Status == "running") {
		return nil
	}
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("audit: schedule pruning: %w", err)
	}
	return next(ctx)
}
