// Package jobs is Rapport's durable job queue: rows in the jobs table with a
// run_at, claimed by workers (FOR UPDATE SKIP LOCKED on PostgreSQL, the single
// writer on SQLite), retried with backoff, and woken by notification.
package jobs

import (
	"context"
	"crypto/rand"
	"database/sql"
	"embed"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/rapport/rapport/internal/store"
)

// Job is a unit of work to run at or after RunAt.
type Job struct {
	Kind    string
	Payload json.RawMessage // JSON; "{}" when empty
	RunAt   time.Time       // zero means now
	// UniqueKey, when set, makes Enqueue replace the pending job with the same
	// key (its run_at and payload) instead of adding a second one.
	UniqueKey   string
	MaxAttempts int // 0 means the default (10)
}

// Handler runs one job. An error makes the queue retry it with backoff until
// MaxAttempts; ErrPermanent (wrapped) fails it at once.
type Handler func(ctx context.Context, payload json.RawMessage) error

// ErrPermanent, wrapped in a handler's error, fails the job without retrying.
var ErrPermanent = errors.New("permanent failure")

// DefaultMaxAttempts is how often a job is tried when Job.MaxAttempts is 0.
const DefaultMaxAttempts = 10

// DefaultLease is how long a claimed job belongs to its worker without a
// heartbeat. While the handler runs, the worker renews the lease every
// third of it; a worker whose process died stops renewing, and another
// takes the job over once the lease has lapsed.
const DefaultLease = 15 * time.Second

// notifyChannel is the PostgreSQL LISTEN/NOTIFY channel that wakes workers
// on every node.
const notifyChannel = "rapport_jobs"

//go:embed queries*.sql
var queriesFS embed.FS

// Queue enqueues and runs jobs.
type Queue struct {
	db    *store.DB
	clock Clock
	log   *slog.Logger
	q     store.Queries
	id    string // this process's worker name, for locked_by
	lease time.Duration
	seq   atomic.Int64 // claims made, for each claim's own locked_by token

	counts  counts  // outcomes this process recorded, for /metrics
	backlog backlog // the last cheap count of unfinished jobs
	wakes   wakes   // kinds woken in memory (Wake)

	mu       sync.RWMutex
	handlers map[string]Handler
	dups     []string // kinds registered twice (CheckHandlers)
	wake     chan struct{}
	// tell asks Run's notifier for one notification to other nodes;
	// telling is set while the notifier runs (see Notify).
	tell    chan struct{}
	telling atomic.Bool
}

// New returns a queue over db.
func New(db *store.DB, clock Clock, log *slog.Logger) *Queue {
	if clock == nil {
		clock = SystemClock{}
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	var b [6]byte
	rand.Read(b[:])
	return &Queue{
		db: db, clock: clock, log: log,
		q:        store.MustLoadQueries(queriesFS, db.Dialect),
		id:       hex.EncodeToString(b[:]),
		lease:    DefaultLease,
		handlers: map[string]Handler{},
		wake:     make(chan struct{}, 1),
		tell:     make(chan struct{}, 1),
	}
}

// SetLease sets how long a claimed job is held without a heartbeat (see
// DefaultLease); call before Run. A shorter lease means a dead process's
// job is taken over sooner, at the price of a heartbeat write more often.
func (q *Queue) SetLease(d time.Duration) {
	if d > 0 {
		q.lease = d
	}
}

// Handle registers h for jobs of kind. Call before Run. A kind has one
// handler: registering a second is an error that CheckHandlers and Run
// report, so that one handler never silently replaces another in a
// running server (RunDue, which tests call, uses the last one).
func (q *Queue) Handle(kind string, h Handler) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if _, dup := q.handlers[kind]; dup {
		q.dups = append(q.dups, kind)
	}
	q.handlers[kind] = h
}

// CheckHandlers reports a job kind whose handler was registered twice.
// The application calls it once everything is built, so that such a
// mistake stops the start.
func (q *Queue) CheckHandlers() error {
	q.mu.RLock()
	defer q.mu.RUnlock()
	if len(q.dups) > 0 {
		return fmt.Errorf("jobs: more than one handler for %s", strings.Join(q.dups, ", "))
	}
	return nil
}

// known reports whether kind has a handler here, so that a label made of a
// row's kind stays within the registered kinds.
func (q *Queue) known(kind string) bool {
	_, ok := q.handler(kind)
	return ok
}

func (q *Queue) handler(kind string) (Handler, bool) {
	q.mu.RLock()
	defer q.mu.RUnlock()
	h, ok := q.handlers[kind]
	return h, ok
}

// Enqueue inserts j inside tx, so the job exists if and only if the caller's
// change commits (the transactional outbox). Call Notify after the commit.
func (q *Queue) Enqueue(ctx context.Context, tx *sql.Tx, j Job) error {
	if j.Kind == "" {
		return errors.New("jobs: enqueue: empty kind")
	}
	payload := string(j.Payload)
	if payload == "" {
		payload = "{}"
	}
	if !json.Valid([]byte(payload)) {
		return fmt.Errorf("jobs: enqueue %s: payload is not JSON", j.Kind)
	}
	now := q.clock.Now()
	runAt := j.RunAt
	if runAt.IsZero() {
		runAt = now
	}
	maxAttempts := j.MaxAttempts
	if maxAttempts <= 0 {
		maxAttempts = DefaultMaxAttempts
	}
	var key sql.NullString
	if j.UniqueKey != "" {
		key = sql.NullString{String: j.UniqueKey, Valid: true}
	}
	_, err := tx.ExecContext(ctx, q.q.Get("enqueue"), j.Kind, payload, key,
		store.Millis(runAt), maxAttempts, store.Millis(now))
	if err != nil {
		return fmt.Errorf("jobs: enqueue %s: %w", j.Kind, err)
	}
	return nil
}

// Cancel deletes the pending job with uniqueKey inside tx, if there is one.
func (q *Queue) Cancel(ctx context.Context, tx *sql.Tx, uniqueKey string) error {
	if _, err := tx.ExecContext(ctx, q.q.Get("cancel"), uniqueKey); err != nil {
		return fmt.Errorf("jobs: cancel %s: %w", uniqueKey, err)
	}
	return nil
}

// Notify wakes this process's workers (and, on PostgreSQL, other nodes')
// to look for due jobs now.
//
// While Run runs, other nodes are told by Run's notifier, after Notify
// returns: one pg_notify at a time, and every Notify made while one is
// on its way is told by the next. A write that queued a job then answers
// without a round trip of its own, and the writes of many clients share
// one NOTIFY, whose commit takes a lock every NOTIFY of the database
// waits for. Without Run (a command that queues and exits) Notify tells
// them before it returns. A notification is a hint either way: a worker
// that missed one looks again within maxIdle.
func (q *Queue) Notify() {
	select {
	case q.wake <- struct{}{}:
	default:
	}
	if q.db.Dialect != store.Postgres {
		return
	}
	if q.telling.Load() {
		select {
		case q.tell <- struct{}{}:
		default: // one is pending already: it tells of this job too
		}
		return
	}
	q.notifyNodes()
}

// notifyNodes sends the one PostgreSQL notification other nodes' workers
// listen for.
func (q *Queue) notifyNodes() {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if _, err := q.db.W.ExecContext(ctx, `SELECT pg_notify($1, '')`, notifyChannel); err != nil {
		q.log.Warn("notify other nodes", slog.Any("error", err))
	}
}

// notifier sends the notifications Notify asked for until ctx ends, then
// the last one asked for, if any, so that none is left untold.
func (q *Queue) notifier(ctx context.Context) {
	q.telling.Store(true)
	defer q.telling.Store(false)
	for {
		select {
		case <-q.tell:
			q.notifyNodes()
		case <-ctx.Done():
			q.telling.Store(false)
			select {
			case <-q.tell:
				q.notifyNodes()
			default:
			}
			return
		}
	}
}

// claimed is a job a worker holds.
type claimed struct {
	id          int64
	kind        string
	payload     json.RawMessage
	attempts    int
	maxAttempts int
	token       string // locked_by of this claim: the job is ours while the row holds it
}

// claim takes the next due job, or returns ok false when none is due.
func (q *Queue) claim(ctx context.Context) (c claimed, ok bool, err error) {
	now := q.clock.Now()
	if q.db.Dialect == store.SQLite {
		// A claim is a writing transaction, and SQLite has one writer:
		// the workers woken after every batch of received mail mostly
		// find the job already taken by another, and an empty claim
		// held the writer from intake all the same. A reader tells
		// first whether anything is due.
		var one int
		err := q.db.R.QueryRowContext(ctx, q.q.Get("due-exists"), store.Millis(now)).Scan(&one)
		if errors.Is(err, sql.ErrNoRows) {
			return claimed{}, false, nil
		}
		if err != nil {
			return claimed{}, false, fmt.Errorf("jobs: claim: %w", err)
		}
	}
	err = q.db.Tx(ctx, func(tx *sql.Tx) error {
		if err := q.asyncCommit(ctx, tx); err != nil {
			return err
		}
		c, ok, err = q.claimTx(ctx, tx, now)
		return err
	})
	if err != nil {
		return claimed{}, false, fmt.Errorf("jobs: claim: %w", err)
	}
	return c, ok, nil
}

// asyncCommit makes tx's commit not wait for its WAL flush on PostgreSQL
// (see the query async-commit); SQLite commits in WAL mode with
// synchronous=NORMAL, which does not wait either.
func (q *Queue) asyncCommit(ctx context.Context, tx *sql.Tx) error {
	if q.db.Dialect != store.Postgres {
		return nil
	}
	_, err := tx.ExecContext(ctx, q.q.Get("async-commit"))
	return err
}

// claimTx takes the next due job inside tx.
func (q *Queue) claimTx(ctx context.Context, tx *sql.Tx, now time.Time) (c claimed, ok bool, err error) {
	var payload string
	err = tx.QueryRowContext(ctx, q.q.Get("claim-select"), store.Millis(now)).
		Scan(&c.id, &c.kind, &payload, &c.attempts, &c.maxAttempts)
	if errors.Is(err, sql.ErrNoRows) {
		return claimed{}, false, nil
	}
	if err != nil {
		return claimed{}, false, err
	}
	c.attempts++
	c.payload = json.RawMessage(payload)
	c.token = q.id + "." + strconv.FormatInt(q.seq.Add(1), 10)
	_, err = tx.ExecContext(ctx, q.q.Get("claim-update"), c.id, c.token,
		store.Millis(now.Add(q.lease)), store.Millis(now))
	if err != nil {
		return claimed{}, false, err
	}
	return c, true, nil
}

// errLeaseLost ends a handler's context when its job's row no longer holds
// this claim: the lease lapsed and another worker took the job over.
var errLeaseLost = errors.New("jobs: lease lost to another worker")

// runOne runs a claimed job, keeping its lease alive while the handler
// runs, and records how it went. The outcome is recorded only while the
// row still holds this claim, so a worker that lost its lease does not
// overwrite the outcome of the one that took the job over.
//
// With claimNext, a job that ran to its end is recorded done in the same
// transaction that claims the next due job, which runOne returns (ok
// false when none is due, or none was claimed): a worker working through
// a queue of jobs then writes one transaction between two jobs instead of
// two. On SQLite's one writer, an acknowledgement (claim, its own write,
// done) was three writing transactions a received mail; with its write
// left to the outcome (WithOutcome) and the next claim there too, it is
// one.
func (q *Queue) runOne(ctx context.Context, c claimed, claimNext bool) (next claimed, ok bool) {
	h, found := q.handler(c.kind)
	var err error
	writes := &outcomeWrites{}
	if !found {
		err = fmt.Errorf("%w: no handler for job kind %q", ErrPermanent, c.kind)
	} else {
		hctx, cancel := context.WithCancelCause(ctx)
		beat := make(chan struct{})
		stopped := make(chan struct{})
		go func() {
			defer close(stopped)
			q.heartbeat(hctx, c, beat, cancel)
		}()
		err = q.safeRun(context.WithValue(hctx, outcomeKey{}, writes), h, c)
		close(beat)
		<-stopped
		cancel(nil)
	}
	now := q.clock.Now()
	// The outcome is recorded even if ctx ended while the handler ran.
	wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	log := q.log.With("job_id", c.id, "kind", c.kind, "attempt", c.attempts)
	outcome := OutcomeDone
	query, args := "done", []any{c.id, store.Millis(now), c.token}
	switch {
	case err == nil:
	case errors.Is(err, ErrPermanent) || c.attempts >= c.maxAttempts:
		outcome = OutcomeFailed
		log.Error("job failed", slog.Any("error", err))
		query, args = "fail", []any{c.id, truncate(err.Error()), store.Millis(now), c.token}
		claimNext = false
	default:
		outcome = OutcomeRetry
		next := now.Add(Backoff(c.attempts))
		log.Warn("job will retry", slog.Any("error", err), "run_at", next)
		query, args = "retry", []any{c.id, truncate(err.Error()), store.Millis(next), store.Millis(now), c.token}
		claimNext = false
	}
	fns := writes.take()
	res, next, ok, werr := q.record(wctx, query, args, fns, claimNext)
	if werr != nil && claimNext {
		log.Warn("record job outcome and claim the next", slog.Any("error", werr))
		res, _, _, werr = q.record(wctx, query, args, fns, false)
	}
	if werr != nil {
		log.Error("record job outcome", "outcome", outcome, slog.Any("error", werr))
		return next, ok
	}
	if n, _ := res.RowsAffected(); n == 0 {
		// Rescheduled by its own handler (a periodic job enqueuing its
		// next run under its key), or taken over after a lapsed lease.
		log.Debug("job outcome not recorded: the row no longer holds this claim", "outcome", outcome)
		return next, ok
	}
	q.counts.finished(c.kind, outcome, q.known(c.kind))
	return next, ok
}

// record runs the handler's outcome writes fns and the outcome's query
// (done, fail or retry, which changes the row only while it holds the
// run's claim) in one transaction and, with claimNext, claims the next due
// job in it too. When nothing of the handler's is in it, it does not wait
// for its WAL flush on PostgreSQL (async-commit): what the handler changed
// is already committed and flushed, and an outcome lost in a database
// crash only leaves the job to be run again after its lease, as when this
// process dies between the handler's commit and its outcome; the handlers
// are written for that (an acknowledgement looks for its mail first). It
// was the one fsync a job still waited for besides its handler's: on a
// busy PostgreSQL server the job workers queued behind WALSync here.
func (q *Queue) record(ctx context.Context, query string, args []any, fns []OutcomeWrite, claimNext bool) (res sql.Result, next claimed, ok bool, err error) {
	err = q.db.Tx(ctx, func(tx *sql.Tx) error {
		next, ok = claimed{}, false
		if len(fns) == 0 {
			if err := q.asyncCommit(ctx, tx); err != nil {
				return err
			}
		}
		for _, fn := range fns {
			if err := fn(ctx, tx); err != nil {
				return err
			}
		}
		var err error
		if res, err = tx.ExecContext(ctx, q.q.Get(query), args...); err != nil {
			return err
		}
		if claimNext {
			next, ok, err = q.claimTx(ctx, tx, q.clock.Now())
		}
		return err
	})
	if err != nil {
		return nil, claimed{}, false, fmt.Errorf("jobs: record %s: %w", query, err)
	}
	return res, next, ok, nil
}

// heartbeat renews c's lease every third of it until beat is closed. When
// the row no longer holds c's claim (another worker took it over), it
// cancels the handler's context with errLeaseLost. A failed renewal is
// logged and tried again at the next beat.
func (q *Queue) heartbeat(ctx context.Context, c claimed, beat <-chan struct{}, cancel context.CancelCauseFunc) {
	t := time.NewTicker(q.lease / 3)
	defer t.Stop()
	for {
		select {
		case <-beat:
			return
		case <-ctx.Done():
			return
		case <-t.C:
		}
		res, err := q.db.W.ExecContext(ctx, q.q.Get("renew"), c.id, c.token, store.Millis(q.clock.Now().Add(q.lease)))
		if err != nil {
			if ctx.Err() == nil {
				q.log.Warn("renew job lease", "job_id", c.id, "kind", c.kind, slog.Any("error", err))
			}
			continue
		}
		if n, _ := res.RowsAffected(); n == 0 {
			// Either another worker took the job over, or the handler
			// rescheduled it (a periodic job enqueuing its next run under
			// its own key leaves the row pending and unlocked).
			var holder string
			err := q.db.W.QueryRowContext(ctx, q.q.Get("holder"), c.id).Scan(&holder)
			if err == nil && holder != "" && holder != c.token {
				q.log.Warn("job lease lost; stopping its handler", "job_id", c.id, "kind", c.kind)
				cancel(errLeaseLost)
			}
			return
		}
	}
}

// safeRun runs h and turns a panic into an error, so one bad job cannot take
// the workers down.
func (q *Queue) safeRun(ctx context.Context, h Handler, c claimed) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("panic: %v", p)
		}
	}()
	return h(ctx, c.payload)
}

// Backoff is the wait before retry number attempt (1-based): 10 s doubling
// up to an hour.
func Backoff(attempt int) time.Duration {
	d := 10 * time.Second
	for i := 1; i < attempt && d < time.Hour; i++ {
		d *= 2
	}
	return min(d, time.Hour)
}

func truncate(s string) string {
	if len(s) > 2000 {
		return s[:2000]
	}
	return s
}

// RunDue claims and runs every job due by the clock's now, once, and every
// woken kind (Wake) once, and returns how many ran. Tests use it with a
// FakeClock.
func (q *Queue) RunDue(ctx context.Context) (int, error) {
	n := 0
	seen := map[int64]bool{}
	woken := map[string]bool{} // each woken kind runs once a call
	for {
		if err := ctx.Err(); err != nil {
			return n, err
		}
		if kind, ok := q.takeWake(woken); ok {
			woken[kind] = true
			q.runWoken(ctx, kind)
			n++
			continue
		}
		c, ok, err := q.claim(ctx)
		if err != nil {
			return n, err
		}
		if !ok || seen[c.id] {
			// A job retried with no backoff (clock not moved) would loop; it
			// waits for the next RunDue.
			return n, nil
		}
		seen[c.id] = true
		q.runOne(ctx, c, false)
		n++
	}
}

// listen relays PostgreSQL notifications from other nodes to this
// process's workers until ctx ends, reconnecting after errors.
func (q *Queue) listen(ctx context.Context) {
	for ctx.Err() == nil {
		err := q.listenOnce(ctx)
		if ctx.Err() != nil {
			return
		}
		q.log.Warn("job notifications lost; reconnecting", slog.Any("error", err))
		select {
		case <-ctx.Done():
			return
		case <-time.After(time.Second):
		}
	}
}

func (q *Queue) listenOnce(ctx context.Context) error {
	conn, err := q.db.W.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	return conn.Raw(func(dc any) error {
		pc, err := store.PgxConn(dc)
		if err != nil {
			return fmt.Errorf("jobs: listen: %w", err)
		}
		if _, err := pc.Exec(ctx, "LISTEN "+notifyChannel); err != nil {
			return err
		}
		defer pc.Exec(context.WithoutCancel(ctx), "UNLISTEN "+notifyChannel)
		for {
			if _, err := pc.WaitForNotification(ctx); err != nil {
				return err
			}
			select {
			case q.wake <- struct{}{}:
			default:
			}
		}
	})
}

// Run runs workers until ctx is done and returns when they have stopped.
func (q *Queue) Run(ctx context.Context, workers int) error {
	if err := q.CheckHandlers(); err != nil {
		return err
	}
	if workers <= 0 {
		workers = 1
	}
	var wg sync.WaitGroup
	if q.db.Dialect == store.Postgres {
		wg.Add(2)
		go func() {
			defer wg.Done()
			q.listen(ctx)
		}()
		go func() {
			defer wg.Done()
			q.notifier(ctx)
		}()
	}
	for i := 0; i < workers; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			q.work(ctx)
		}()
	}
	wg.Wait()
	return ctx.Err()
}

// maxIdle is the longest a worker sleeps without a notification; it bounds
// how late a job enqueued by a process that could not notify runs.
const maxIdle = 5 * time.Second

// work is one worker's loop: run due jobs, then sleep until the next job is
// due, a notification arrives, or maxIdle passes.
func (q *Queue) work(ctx context.Context) {
	for {
		for {
			if kind, ok := q.takeWake(nil); ok {
				q.runWoken(ctx, kind)
				if ctx.Err() != nil {
					return
				}
				continue
			}
			c, ok, err := q.claim(ctx)
			if err != nil {
				if ctx.Err() != nil {
					return
				}
				q.log.Error("claim job", slog.Any("error", err))
				break
			}
			if !ok {
				break
			}
			for ok {
				// Another worker may be idle while more jobs are due.
				select {
				case q.wake <- struct{}{}:
				default:
				}
				// The next job is claimed with this one's outcome, unless
				// a woken kind waits (it runs first) or the workers stop.
				c, ok = q.runOne(ctx, c, ctx.Err() == nil && !q.wakePending())
			}
			if ctx.Err() != nil {
				return
			}
		}
		wait := maxIdle
		if next, ok := q.nextRunAt(ctx); ok {
			if d := next.Sub(q.clock.Now()); d < wait {
				wait = max(d, 10*time.Millisecond)
			}
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-q.wake:
			t.Stop()
		case <-t.C:
		}
	}
}

// nextRunAt returns when the earliest pending job is due.
func (q *Queue) nextRunAt(ctx context.Context) (time.Time, bool) {
	var ms sql.NullInt64
	if err := q.db.R.QueryRowContext(ctx, q.q.Get("next-run-at")).Scan(&ms); err != nil || !ms.Valid {
		return time.Time{}, false
	}
	return store.Time(ms.Int64), true
}

// Stats counts jobs by status.
func (q *Queue) Stats(ctx context.Context) (map[string]int, error) {
	rows, err := q.db.R.QueryContext(ctx, q.q.Get("stats"))
	if err != nil {
		return nil, fmt.Errorf("jobs: stats: %w", err)
	}
	defer rows.Close()
	out := map[string]int{"pending": 0, "running": 0, "done": 0, "failed": 0}
	for rows.Next() {
		var status string
		var n int
		if err := rows.Scan(&status, &n); err != nil {
			return nil, fmt.Errorf("jobs: stats: %w", err)
		}
		out[status] = n
	}
	return out, rows.Err()
}

// Info is one job as Get shows it, for tests and operations.
type Info struct {
	ID          int64
	Kind        string
	Payload     string
	UniqueKey   string
	Status      string
	RunAt       time.Time
	Attempts    int
	MaxAttempts int
	LastError   string
}

// Get returns job id.
func (q *Queue) Get(ctx context.Context, id int64) (Info, error) {
	var i Info
	var key sql.NullString
	var runAt int64
	err := q.db.R.QueryRowContext(ctx, q.q.Get("get"), id).Scan(&i.ID, &i.Kind, &i.Payload, &key,
		&i.Status, &runAt, &i.Attempts, &i.MaxAttempts, &i.LastError)
	if errors.Is(err, sql.ErrNoRows) {
		return Info{}, fmt.Errorf("jobs: job %d: %w", id, store.ErrNotFound)
	}
	if err != nil {
		return Info{}, fmt.Errorf("jobs: job %d: %w", id, err)
	}
	i.UniqueKey = key.String
	i.RunAt = store.Time(runAt)
	return i, nil
}

// GetByKey returns the job holding uniqueKey.
func (q *Queue) GetByKey(ctx context.Context, uniqueKey string) (Info, error) {
	var id int64
	err := q.db.R.QueryRowContext(ctx, q.q.Get("id-by-key"), uniqueKey).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return Info{}, fmt.Errorf("jobs: job %s: %w", uniqueKey, store.ErrNotFound)
	}
	if err != nil {
		return Info{}, fmt.Errorf("jobs: job %s: %w", uniqueKey, err)
	}
	return q.Get(ctx, id)
}
