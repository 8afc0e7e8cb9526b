package churn

import (
	"context"
	"database/sql"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"time"

	"github.com/rapport/rapport/internal/jobs"
	"github.com/rapport/rapport/internal/purchases"
	"github.com/rapport/rapport/internal/store"
)

//go:embed queries.sql queries_postgres.sql
var queriesFS embed.FS

// JobScore is the job kind that retrains the churn model on the business's
// own history and rescores every customer; it reschedules itself nightly.
// The name (and the unique key below) keep their "loyalty." prefix from
// before the package was split, so that jobs queued by an older version
// still find their handler.
const JobScore = "loyalty.churn"

// churnNightlyKey is the unique key of the nightly churn job.
const churnNightlyKey = "loyalty.churn:nightly"

// Defaults of Opts.
const (
	DefaultWindow       = 90 * 24 * time.Hour
	DefaultMinCustomers = 30
	DefaultMinPerClass  = 5
	DefaultFolds        = 5
	DefaultReasons      = 3
)

// Opts are the dependencies and settings of a Scorer.
type Opts struct {
	DB    *store.DB
	Clock jobs.Clock
	// Jobs, when set, gets the nightly job's handler.
	Jobs *jobs.Queue
	Log  *slog.Logger
	// Window is how long without a purchase makes a customer churned
	// (default 90 days).
	Window time.Duration
	// Currency is the currency spend is counted in; default the one most
	// purchases are in. Rapport converts no currencies.
	Currency string
	// L2 is the model's penalty (default 1).
	L2 float64
	// Folds is the number of cross-validation folds (default 5).
	Folds int
	// MinCustomers (default 30) and MinPerClass (default 5, and at least
	// Folds) are the fewest training customers, and of each of churned and
	// retained, the model is trained on.
	MinCustomers, MinPerClass int
	// Reasons is the most contributions stored per customer (default 3):
	// those that raise the risk, largest first.
	Reasons int
	// NightlyHour is the UTC hour (1 to 23) of the nightly run; default 4,
	// after the lifetime-value refit.
	NightlyHour int
}

// Scorer trains the churn model on the business's own purchases and
// service history and writes every customer's churn risk and its reasons
// to customer_values.
type Scorer struct {
	o   Opts
	q   store.Queries
	log *slog.Logger
	// writeBatch is how many customers' scores one statement writes.
	writeBatch int
}

// New returns a Scorer and, when o.Jobs is set, registers
// its job's handler.
func New(o Opts) (*Scorer, error) {
	if o.DB == nil {
		return nil, errors.New("churn: scorer: DB is required")
	}
	if o.Clock == nil {
		o.Clock = jobs.SystemClock{}
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	if o.Window <= 0 {
		o.Window = DefaultWindow
	}
	if o.L2 <= 0 {
		o.L2 = 1
	}
	if o.Folds < 2 {
		o.Folds = DefaultFolds
	}
	if o.MinCustomers <= 0 {
		o.MinCustomers = DefaultMinCustomers
	}
	if o.MinPerClass <= 0 {
		o.MinPerClass = DefaultMinPerClass
	}
	o.MinPerClass = max(o.MinPerClass, o.Folds)
	if o.Reasons <= 0 {
		o.Reasons = DefaultReasons
	}
	if o.NightlyHour < 1 || o.NightlyHour > 23 {
		o.NightlyHour = 4
	}
	q, err := store.LoadQueries(queriesFS, o.DB.Dialect)
	if err != nil {
		return nil, err
	}
	c := &Scorer{o: o, q: q, log: o.Log, writeBatch: churnWriteBatch}
	if o.Jobs != nil {
		o.Jobs.Handle(JobScore, c.job)
	}
	return c, nil
}

func (c *Scorer) now() time.Time { return c.o.Clock.Now().UTC() }

// ErrTraining is returned (wrapped) when the history cannot train a
// model: too few customers, or all of them churned or all retained.
// Nothing is written then.
var ErrTraining = errors.New("churn: not enough history to train the churn model")

// customerSignals is one customer's signals with what labels them.
type customerSignals struct {
	Signals
	id int64
	// next is the first purchase after the reference time (zero: none
	// before the end of the query).
	next time.Time
	last time.Time
}

// msDays turns a span of milliseconds into days.
func msDays(ms int64) float64 { return float64(ms) / float64(24*time.Hour/time.Millisecond) }

// mainCurrency is o.Currency or the currency most purchases are in; ""
// without purchases.
func (c *Scorer) mainCurrency(ctx context.Context) (string, error) {
	if c.o.Currency != "" {
		return c.o.Currency, nil
	}
	var cur string
	err := c.o.DB.R.QueryRowContext(ctx, c.q.Get("churn-main-currency")).Scan(&cur)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return cur, err
}

// Signals returns the churn signals, as of at, of every customer with a
// purchase on or before at, ordered by customer id. Spend is counted in
// the scorer's currency (major units).
func (c *Scorer) Signals(ctx context.Context, at time.Time) ([]Signals, error) {
	cur, err := c.mainCurrency(ctx)
	if err != nil {
		return nil, fmt.Errorf("churn: signals: %w", err)
	}
	cs, err := c.signals(ctx, at, at, cur)
	if err != nil {
		return nil, err
	}
	out := make([]Signals, len(cs))
	for i := range cs {
		out[i] = cs[i].Signals
	}
	return out, nil
}

// signals gathers the signals as of at of every customer who bought on or
// before at, with their first purchase in (at, until], in a handful of
// grouped queries.
func (c *Scorer) signals(ctx context.Context, at, until time.Time, currency string) ([]customerSignals, error) {
	ref := store.Millis(at)
	db := c.o.DB.R
	fail := func(what string, err error) error {
		return fmt.Errorf("churn: signals (%s): %w", what, err)
	}
	byID := map[int64]int{}
	var cs []customerSignals
	// each runs a grouped query and hands every row to scan.
	each := func(name string, scan func(rows *sql.Rows) error, args ...any) error {
		rows, err := db.QueryContext(ctx, c.q.Get(name), args...)
		if err != nil {
			return fail(name, err)
		}
		defer rows.Close()
		for rows.Next() {
			if err := scan(rows); err != nil {
				return fail(name, err)
			}
		}
		if err := rows.Err(); err != nil {
			return fail(name, err)
		}
		return nil
	}
	err := each("churn-purchases", func(rows *sql.Rows) error {
		var id, n, spend int64
		var last, next sql.NullInt64
		if err := rows.Scan(&id, &n, &last, &spend, &next); err != nil {
			return err
		}
		if n == 0 || !last.Valid {
			return nil // bought only after the reference time
		}
		s := customerSignals{id: id, last: store.Time(last.Int64), next: store.NullTime(next)}
		s.CustomerID = strconv.FormatInt(id, 10)
		s.RecencyDays = msDays(ref - last.Int64)
		s.Frequency = float64(n)
		s.TotalSpend = purchases.Money{Minor: spend, Currency: currency}.Major()
		byID[id] = len(cs)
		cs = append(cs, s)
		return nil
	}, ref, currency, store.Millis(until))
	if err != nil {
		return nil, err
	}
	get := func(id int64) *customerSignals {
		if i, ok := byID[id]; ok {
			return &cs[i]
		}
		return nil
	}
	contact := func(s *customerSignals, at int64) {
		if d := msDays(ref - at); !s.HasContact || d < s.DaysSinceContact {
			s.HasContact, s.DaysSinceContact = true, d
		}
	}
	if err := each("churn-tickets", func(rows *sql.Rows) error {
		var id, last, open int64
		if err := rows.Scan(&id, &last, &open); err != nil {
			return err
		}
		if s := get(id); s != nil {
			contact(s, last)
			s.OpenComplaints = int(open)
		}
		return nil
	}, ref); err != nil {
		return nil, err
	}
	if err := each("churn-messages", func(rows *sql.Rows) error {
		var id, last int64
		if err := rows.Scan(&id, &last); err != nil {
			return err
		}
		if s := get(id); s != nil {
			contact(s, last)
		}
		return nil
	}, ref); err != nil {
		return nil, err
	}
	if err := each("churn-events", func(rows *sql.Rows) error {
		var id, n, tickets int64
		var typ string
		if err := rows.Scan(&id, &typ, &n, &tickets); err != nil {
			return err
		}
		s := get(id)
		if s == nil {
			return nil
		}
		switch typ {
		case "transferred":
			s.Transfers = int(n)
		case "sla_breached":
			s.SLABreaches = int(n)
		case "reopened":
			s.ReopenedTickets = int(tickets)
		}
		return nil
	}, ref); err != nil {
		return nil, err
	}
	if err := each("churn-promises", func(rows *sql.Rows) error {
		var id, n int64
		if err := rows.Scan(&id, &n); err != nil {
			return err
		}
		if s := get(id); s != nil {
			s.BrokenPromises = int(n)
		}
		return nil
	}, ref); err != nil {
		return nil, err
	}
	if err := each("churn-surveys", func(rows *sql.Rows) error {
		var id int64
		var csat, nps sql.NullInt64
		if err := rows.Scan(&id, &csat, &nps); err != nil {
			return err
		}
		s := get(id)
		if s == nil {
			return nil
		}
		if csat.Valid {
			s.HasCSAT, s.LastCSAT = true, float64(csat.Int64)
		}
		if nps.Valid {
			s.NPS = NPSGroupOf(int(nps.Int64))
		}
		return nil
	}, ref); err != nil {
		return nil, err
	}
	if err := each("churn-recommitments", func(rows *sql.Rows) error {
		var id, n int64
		if err := rows.Scan(&id, &n); err != nil {
			return err
		}
		if s := get(id); s != nil {
			s.Recommitments = int(n)
		}
		return nil
	}, ref); err != nil {
		return nil, err
	}
	slices.SortFunc(cs, func(a, b customerSignals) int {
		switch {
		case a.id < b.id:
			return -1
		case a.id > b.id:
			return 1
		}
		return 0
	})
	return cs, nil
}

// NPSGroupOf is the NPS group of a 0–10 answer: 9–10 promoter, 7–8
// passive, 0–6 detractor.
func NPSGroupOf(score int) NPSGroup {
	switch {
	case score >= 9:
		return NPSPromoter
	case score >= 7:
		return NPSPassive
	}
	return NPSDetractor
}

// RunOpts override the scorer's settings for one run.
type RunOpts struct {
	// Reference is the date the model learns from: signals as of it,
	// labels from the Window after it. Default now − Window.
	Reference time.Time
	// Window overrides the scorer's churn window.
	Window time.Duration
}

// RunResult tells what a training and scoring run did.
type RunResult struct {
	Reference time.Time
	Window    time.Duration
	Currency  string
	// Trained is the number of training customers, Churned how many of
	// them churned.
	Trained, Churned int
	// CV is the cross-validation of the model on the training customers.
	CV CVResult
	// Model is the model fitted on all of them.
	Model *Model
	// Scored is the number of customers whose risk was written.
	Scored int
	// ScoredAt is the time the live signals were taken at.
	ScoredAt time.Time
	// SignalsTime, TrainTime and ScoreTime are how long each step took;
	// LiveSignalsTime is the part of ScoreTime spent on the signals as of
	// now, the rest is scoring and writing.
	SignalsTime, TrainTime, ScoreTime, LiveSignalsTime time.Duration
}

// ChurnRate is the share of training customers who churned.
func (r RunResult) ChurnRate() float64 {
	if r.Trained == 0 {
		return 0
	}
	return float64(r.Churned) / float64(r.Trained)
}

// TrainAndScore trains the churn model on the history (signals as of the
// reference date, labels from the window after it), cross-validates it,
// and writes the churn risk and top reasons of every customer with a
// purchase, from their signals as of now, in one transaction. With too
// little history it returns ErrTraining and writes nothing.
func (c *Scorer) TrainAndScore(ctx context.Context, o RunOpts) (RunResult, error) {
	now := c.now().Truncate(time.Millisecond)
	window := o.Window
	if window <= 0 {
		window = c.o.Window
	}
	ref := o.Reference.UTC().Truncate(time.Millisecond)
	if o.Reference.IsZero() {
		ref = now.Add(-window)
	}
	res := RunResult{Reference: ref, Window: window, ScoredAt: now}
	if ref.Add(window).After(now) {
		return res, fmt.Errorf("%w: the window after %s ends after now", ErrWindowOpen, ref.Format(time.DateOnly))
	}
	cur, err := c.mainCurrency(ctx)
	if err != nil {
		return res, fmt.Errorf("churn: %w", err)
	}
	res.Currency = cur

	start := time.Now()
	train, err := c.signals(ctx, ref, ref.Add(window), cur)
	if err != nil {
		return res, err
	}
	res.SignalsTime = time.Since(start)
	purchases := make(map[string][]time.Time, len(train))
	for _, s := range train {
		ts := []time.Time{s.last}
		if !s.next.IsZero() {
			ts = append(ts, s.next)
		}
		purchases[s.CustomerID] = ts
	}
	// No table records cancellations, so there are no explicit flags.
	labels, err := Labels(purchases, nil, ref, window, now)
	if err != nil {
		return res, err
	}
	sigs := make([]Signals, 0, len(train))
	y := make([]bool, 0, len(train))
	for _, s := range train {
		churned, ok := labels[s.CustomerID]
		if !ok {
			continue
		}
		sigs = append(sigs, s.Signals)
		y = append(y, churned)
		if churned {
			res.Churned++
		}
	}
	res.Trained = len(sigs)
	retained := res.Trained - res.Churned
	switch {
	case res.Trained < c.o.MinCustomers:
		return res, fmt.Errorf("%w: %d customers had bought by %s, need at least %d",
			ErrTraining, res.Trained, ref.Format(time.DateOnly), c.o.MinCustomers)
	case res.Churned < c.o.MinPerClass || retained < c.o.MinPerClass:
		return res, fmt.Errorf("%w: %d of the %d customers churned and %d stayed; need at least %d of each",
			ErrTraining, res.Churned, res.Trained, retained, c.o.MinPerClass)
	}

	start = time.Now()
	names, x, err := SignalFeatures(sigs)
	if err != nil {
		return res, err
	}
	fit := FitOpts{L2: c.o.L2}
	if res.CV, err = CrossValidate(ctx, names, x, y, CVOpts{Folds: c.o.Folds, Seed: 1, Fit: fit}); err != nil {
		return res, fmt.Errorf("churn: cross-validate: %w", err)
	}
	if res.Model, err = Fit(ctx, names, x, y, fit); err != nil {
		return res, fmt.Errorf("churn: fit: %w", err)
	}
	res.TrainTime = time.Since(start)

	start = time.Now()
	n, live, err := c.score(ctx, res.Model, now, cur)
	if err != nil {
		return res, err
	}
	res.Scored, res.LiveSignalsTime = n, live
	res.ScoreTime = time.Since(start)
	return res, nil
}

// churnWriteBatch is how many customers' scores one statement writes by
// default: large enough that the statement's cost is spread, small enough
// for a modest JSON parameter (about 200 KB).
const churnWriteBatch = 1000

// churnReason is one stored contribution: the feature, its signed share
// of the log-odds and the customer's value of it.
type churnReason struct {
	Feature      string  `json:"feature"`
	Contribution float64 `json:"contribution"`
	Value        float64 `json:"value"`
}

// score writes the risk of every customer with a purchase by now; it
// returns how many and how long their signals took.
func (c *Scorer) score(ctx context.Context, m *Model, now time.Time, cur string) (int, time.Duration, error) {
	start := time.Now()
	live, err := c.signals(ctx, now, now, cur)
	if err != nil {
		return 0, 0, err
	}
	took := time.Since(start)
	sigs := make([]Signals, len(live))
	for i := range live {
		sigs[i] = live[i].Signals
	}
	risk := make([]float64, len(sigs))
	if err := m.ScoreSignals(sigs, risk); err != nil {
		return 0, 0, fmt.Errorf("churn: score: %w", err)
	}
	row := make([]float64, len(signalFeatureNames))
	type scored struct {
		ID      int64   `json:"id"`
		Risk    float64 `json:"risk"`
		Reasons string  `json:"reasons"`
	}
	batch := make([]scored, 0, c.writeBatch)
	err = c.o.DB.Tx(ctx, func(tx *sql.Tx) error {
		batch = batch[:0] // Tx may run this again after a retryable failure
		flush := func() error {
			if len(batch) == 0 {
				return nil
			}
			js, err := json.Marshal(batch)
			if err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, c.q.Get("churn-upsert"), string(js), store.Millis(now)); err != nil {
				return fmt.Errorf("customers %d to %d: %w", batch[0].ID, batch[len(batch)-1].ID, err)
			}
			batch = batch[:0]
			return ctx.Err()
		}
		for i := range sigs {
			signalRow(&sigs[i], row)
			reasons := []churnReason{}
			for _, e := range m.Raising(row, c.o.Reasons) {
				reasons = append(reasons, churnReason{Feature: e.Feature, Contribution: e.LogOdds, Value: e.Value})
			}
			js, err := json.Marshal(reasons)
			if err != nil {
				return err
			}
			batch = append(batch, scored{ID: live[i].id, Risk: risk[i], Reasons: string(js)})
			if len(batch) == c.writeBatch {
				if err := flush(); err != nil {
					return err
				}
			}
		}
		return flush()
	})
	if err != nil {
		return 0, 0, fmt.Errorf("churn: write scores: %w", err)
	}
	return len(sigs), took, nil
}

// nextNightly is when the nightly run after now happens.
func (c *Scorer) nextNightly(now time.Time) time.Time {
	t := time.Date(now.Year(), now.Month(), now.Day(), c.o.NightlyHour, 0, 0, 0, time.UTC)
	if !t.After(now) {
		t = t.Add(24 * time.Hour)
	}
	return t
}

// Schedule makes sure the nightly run is pending; call it at start.
func (c *Scorer) Schedule(ctx context.Context) error {
	if c.o.Jobs == nil {
		return errors.New("churn: scorer: no job queue")
	}
	info, err := c.o.Jobs.GetByKey(ctx, churnNightlyKey)
	if err == nil && (info.Status == "pending" || info.Status == "running") {
		return nil
	}
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return err
	}
	return c.enqueueNext(ctx)
}

func (c *Scorer) enqueueNext(ctx context.Context) error {
	return c.o.DB.Tx(ctx, func(tx *sql.Tx) error {
		return c.o.Jobs.Enqueue(ctx, tx, jobs.Job{Kind: JobScore, RunAt: c.nextNightly(c.now()), UniqueKey: churnNightlyKey})
	})
}

// job runs the nightly training and scoring, scheduling the next night
// first so that a failing run never stops the schedule. Too little history
// is not a failure: it is logged and tried again the next night.
func (c *Scorer) job(ctx context.Context, _ json.RawMessage) error {
	if err := c.enqueueNext(ctx); err != nil {
		return err
	}
	res, err := c.TrainAndScore(ctx, RunOpts{})
	if errors.Is(err, ErrTraining) || errors.Is(err, ErrWindowOpen) {
		c.log.Info("churn model not trained", slog.Any("error", err))
		return nil
	}
	if err != nil {
		return err
	}
	c.log.Info("churn risk scored", "trained", res.Trained, "churn_rate", res.ChurnRate(),
		"cv_auc", res.CV.MeanAUC, "scored", res.Scored)
	return nil
}
