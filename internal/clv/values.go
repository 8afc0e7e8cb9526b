package clv

import (
	"context"
	"database/sql"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"strconv"
	"time"

	"github.com/rapport/rapport/internal/churn"
	"github.com/rapport/rapport/internal/jobs"
	"github.com/rapport/rapport/internal/metrics"
	"github.com/rapport/rapport/internal/purchases"
	"github.com/rapport/rapport/internal/store"
)

// JobRefit is the job kind that refits the lifetime-value models on every
// purchase and rewrites customer_values. Payload: {"nightly": bool}; the
// nightly run schedules the next one. The name (and the unique keys below)
// keep their "loyalty." prefix from before the package was split, so that
// jobs queued by an older version still find their handler.
const JobRefit = "loyalty.refit"

// The unique keys of the refit jobs: one nightly, one on demand (after an
// import), so that asking for a refit now never cancels the nightly one.
const (
	refitNightlyKey = "loyalty.refit:nightly"
	refitNowKey     = "loyalty.refit:now"
)

//go:embed queries.sql
var queriesFS embed.FS

// Opts are the dependencies and settings of a Service.
type Opts struct {
	DB *store.DB
	// Jobs gets the refit job's handler.
	Jobs  *jobs.Queue
	Clock jobs.Clock
	Log   *slog.Logger
	// Zone is the business's time zone, the one its metrics count days in
	// (metrics.Service.Zone): a purchase's day, and "today" at the end of
	// the calibration period, are calendar days there. Nil counts UTC days.
	Zone  func(context.Context) (*time.Location, error)
	Refit RefitOpts
}

// Service fits the lifetime-value models and keeps what they say about
// each customer.
type Service struct {
	o   Opts
	q   store.Queries
	log *slog.Logger
}

// New returns a Service and registers the refit job's handler on o.Jobs.
func New(o Opts) (*Service, error) {
	if o.DB == nil || o.Jobs == nil {
		return nil, errors.New("clv: DB and Jobs are required")
	}
	if o.Clock == nil {
		o.Clock = jobs.SystemClock{}
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	o.Refit = o.Refit.withDefaults()
	s := &Service{o: o, q: store.MustLoadQueries(queriesFS, o.DB.Dialect), log: o.Log}
	o.Jobs.Handle(JobRefit, s.refitJob)
	return s, nil
}

func (s *Service) now() time.Time { return s.o.Clock.Now().UTC() }

// zone is the business's time zone, UTC without Opts.Zone.
func (s *Service) zone(ctx context.Context) (*time.Location, error) {
	if s.o.Zone == nil {
		return time.UTC, nil
	}
	loc, err := s.o.Zone(ctx)
	if err != nil {
		return nil, err
	}
	if loc == nil {
		return time.UTC, nil
	}
	return loc, nil
}

// civilDay is the calendar day of t in loc, as that date's midnight UTC:
// the models count days by date, so a day is a date, whatever the zone's
// offset or a DST change makes its length.
func civilDay(t time.Time, loc *time.Location) time.Time {
	y, m, d := t.In(loc).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// RefitOpts tune the lifetime-value refit.
type RefitOpts struct {
	// HorizonDays is the horizon of the predicted lifetime value; default 365.
	HorizonDays int
	// Currency is the currency the models are fitted in; default the one
	// most purchases are in. Rapport converts no currencies: purchases in
	// others are left out of the fit.
	Currency string
	// A customer is regular whose last purchase is within RegularWithinDays
	// (default 365) and who bought again on at least RegularRepeat other
	// days (default 3) or spent at least RegularSpend in the fit's
	// currency (major units; default 500).
	RegularWithinDays int
	RegularRepeat     int
	RegularSpend      float64
	// A customer is at risk whose churn risk is at least AtRiskChurn
	// (default 0.5) or, before the churn model has scored them, whose
	// probability of still being a customer is below AtRiskPAlive (default 0.5).
	AtRiskChurn  float64
	AtRiskPAlive float64
	// NightlyHour is the UTC hour (1 to 23) of the nightly refit; 0 or
	// anything else means 3.
	NightlyHour int
}

func (o RefitOpts) withDefaults() RefitOpts {
	if o.HorizonDays <= 0 {
		o.HorizonDays = 365
	}
	if o.RegularWithinDays <= 0 {
		o.RegularWithinDays = 365
	}
	if o.RegularRepeat <= 0 {
		o.RegularRepeat = 3
	}
	if o.RegularSpend <= 0 {
		o.RegularSpend = 500
	}
	if o.AtRiskChurn <= 0 {
		o.AtRiskChurn = 0.5
	}
	if o.AtRiskPAlive <= 0 {
		o.AtRiskPAlive = 0.5
	}
	if o.NightlyHour < 1 || o.NightlyHour > 23 {
		o.NightlyHour = 3
	}
	return o
}

// RefitResult tells what a refit did.
type RefitResult struct {
	Currency  string
	Customers int // customers scored
	Regulars  int
	BGNBD     BGNBDFit
	// GammaGamma is nil when too few customers bought again to fit spend;
	// expected spend is then each customer's own mean (or everyone's).
	GammaGamma *GammaGammaFit
	FittedAt   time.Time
}

// Refit builds every customer's purchase summary as of today, fits BG/NBD
// and Gamma-Gamma, and writes each customer's expected purchases, P(alive),
// lifetime value over the horizon and regular status to customer_values,
// in one transaction. The churn risk columns are left as they are. With no
// purchases at all it returns ErrNoData and changes nothing.
func (s *Service) Refit(ctx context.Context) (RefitResult, error) {
	o := s.o.Refit
	now := s.now()
	loc, err := s.zone(ctx)
	if err != nil {
		return RefitResult{}, fmt.Errorf("clv: refit: %w", err)
	}
	today := civilDay(now, loc)
	cur := o.Currency
	if cur == "" {
		err := s.o.DB.R.QueryRowContext(ctx, s.q.Get("main-currency")).Scan(&cur)
		if errors.Is(err, sql.ErrNoRows) {
			return RefitResult{}, ErrNoData
		}
		if err != nil {
			return RefitResult{}, fmt.Errorf("clv: refit: %w", err)
		}
	}
	// Purchases up to the end of today, the business's today: "today" is
	// the end of the calibration period, so T counts whole days.
	end := metrics.DayStart(metrics.DayOf(now, loc)+1, loc)
	rows, err := s.o.DB.R.QueryContext(ctx, s.q.Get("fit-purchases"), cur, store.Millis(end))
	if err != nil {
		return RefitResult{}, fmt.Errorf("clv: refit: %w", err)
	}
	var txs []Transaction
	spend := map[string]float64{} // all-time spend per customer, major units
	last := map[string]time.Time{}
	for rows.Next() {
		var cid, at, minor int64
		if err := rows.Scan(&cid, &at, &minor); err != nil {
			rows.Close()
			return RefitResult{}, fmt.Errorf("clv: refit: %w", err)
		}
		t := store.Time(at)
		id := strconv.FormatInt(cid, 10)
		amount := purchases.Money{Minor: minor, Currency: cur}.Major()
		txs = append(txs, Transaction{Customer: id, Day: civilDay(t, loc), Amount: amount})
		spend[id] += amount
		if t.After(last[id]) {
			last[id] = t
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return RefitResult{}, fmt.Errorf("clv: refit: %w", err)
	}
	if len(txs) == 0 {
		return RefitResult{}, ErrNoData
	}
	sums, err := Summarize(txs, Days, today)
	if err != nil {
		return RefitResult{}, err
	}
	bg, err := FitBGNBD(ctx, sums)
	if err != nil {
		return RefitResult{}, err
	}
	res := RefitResult{Currency: cur, BGNBD: bg, FittedAt: now.Truncate(time.Millisecond)}
	gg, ggErr := FitGammaGamma(ctx, sums)
	if ggErr == nil && gg.Model.Q > 1 {
		res.GammaGamma = &gg
	} else if ggErr != nil && !errors.Is(ggErr, ErrNoData) {
		s.log.Warn("spend model not fitted; using each customer's mean spend", slog.Any("error", ggErr))
	}
	var total float64
	for _, v := range spend {
		total += v
	}
	meanSpend := total / float64(len(txs))
	horizon := float64(o.HorizonDays)
	err = s.o.DB.Tx(ctx, func(tx *sql.Tx) error {
		var gp, gq, gg sql.NullFloat64
		if res.GammaGamma != nil {
			m := res.GammaGamma.Model
			gp, gq, gg = sql.NullFloat64{Float64: m.P, Valid: true}, sql.NullFloat64{Float64: m.Q, Valid: true}, sql.NullFloat64{Float64: m.Gamma, Valid: true}
		}
		m := bg.Model
		var fitID int64
		if err := tx.QueryRowContext(ctx, s.q.Get("insert-fit"), store.Millis(res.FittedAt), cur, len(sums),
			m.R, m.Alpha, m.A, m.B, bg.LogLikelihood, gp, gq, gg, o.HorizonDays).Scan(&fitID); err != nil {
			return err
		}
		stmt, err := tx.PrepareContext(ctx, s.q.Get("upsert-value"))
		if err != nil {
			return err
		}
		defer stmt.Close()
		for i, c := range sums {
			if i%1024 == 0 && ctx.Err() != nil {
				return ctx.Err()
			}
			e, err := m.ExpectedPurchases(horizon, c)
			if err != nil {
				return err
			}
			var perPurchase float64
			switch {
			case res.GammaGamma != nil:
				perPurchase = res.GammaGamma.Model.ExpectedSpend(c)
			case c.Monetary > 0:
				perPurchase = c.Monetary
			default:
				perPurchase = meanSpend
			}
			value := e * perPurchase
			if math.IsNaN(value) || math.IsInf(value, 0) {
				value = 0
			}
			regular := now.Sub(last[c.ID]) <= time.Duration(o.RegularWithinDays)*24*time.Hour &&
				(c.Frequency >= o.RegularRepeat || spend[c.ID] >= o.RegularSpend)
			if regular {
				res.Regulars++
			}
			cid, _ := strconv.ParseInt(c.ID, 10, 64)
			if _, err := stmt.ExecContext(ctx, cid, cur, c.Frequency, c.Recency, c.T, c.Monetary, e, m.PAlive(c),
				value, o.HorizonDays, regular, store.Millis(res.FittedAt)); err != nil {
				return fmt.Errorf("customer %d: %w", cid, err)
			}
			res.Customers++
		}
		return nil
	})
	if err != nil {
		return RefitResult{}, fmt.Errorf("clv: refit: write values: %w", err)
	}
	return res, nil
}

// refitPayload is what a refit job carries.
type refitPayload struct {
	Nightly bool `json:"nightly"`
}

// nextNightly is when the nightly refit after now runs.
func (s *Service) nextNightly(now time.Time) time.Time {
	t := time.Date(now.Year(), now.Month(), now.Day(), s.o.Refit.NightlyHour, 0, 0, 0, time.UTC)
	if !t.After(now) {
		t = t.Add(24 * time.Hour)
	}
	return t
}

// refitJob runs a refit. The nightly one schedules the next night first,
// so that a failing refit never stops the schedule.
func (s *Service) refitJob(ctx context.Context, payload json.RawMessage) error {
	var p refitPayload
	if err := json.Unmarshal(payload, &p); err != nil {
		return fmt.Errorf("%w: refit payload: %v", jobs.ErrPermanent, err)
	}
	if p.Nightly {
		if err := s.o.DB.Tx(ctx, func(tx *sql.Tx) error {
			return s.o.Jobs.Enqueue(ctx, tx, jobs.Job{Kind: JobRefit, Payload: payload,
				RunAt: s.nextNightly(s.now()), UniqueKey: refitNightlyKey})
		}); err != nil {
			return err
		}
	}
	res, err := s.Refit(ctx)
	if errors.Is(err, ErrNoData) {
		s.log.Info("no purchases: lifetime values not refitted")
		return nil
	}
	if err != nil {
		return err
	}
	s.log.Info("lifetime values refitted", "customers", res.Customers, "regulars", res.Regulars,
		"currency", res.Currency, "log_likelihood", res.BGNBD.LogLikelihood)
	return nil
}

// Schedule makes sure the nightly refit is pending; call it at start.
func (s *Service) Schedule(ctx context.Context) error {
	j := jobs.Job{Kind: JobRefit, Payload: json.RawMessage(`{"nightly":true}`),
		RunAt: s.nextNightly(s.now()), UniqueKey: refitNightlyKey}
	info, err := s.o.Jobs.GetByKey(ctx, j.UniqueKey)
	if err == nil && (info.Status == "pending" || info.Status == "running") {
		return nil
	}
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return err
	}
	return s.o.DB.Tx(ctx, func(tx *sql.Tx) error { return s.o.Jobs.Enqueue(ctx, tx, j) })
}

// RefitSoon asks for a refit now (after an import), without touching the
// nightly one, and wakes the workers.
func (s *Service) RefitSoon(ctx context.Context) error {
	err := s.o.DB.Tx(ctx, func(tx *sql.Tx) error {
		return s.o.Jobs.Enqueue(ctx, tx, jobs.Job{Kind: JobRefit, Payload: json.RawMessage(`{"nightly":false}`),
			UniqueKey: refitNowKey, MaxAttempts: 3})
	})
	if err != nil {
		return err
	}
	s.o.Jobs.Notify()
	return nil
}

// CustomerValue is what the models say about one customer.
type CustomerValue struct {
	Currency          string
	Frequency         int
	Recency, T        float64 // days
	Monetary          float64 // mean repeat purchase, major units
	ExpectedPurchases float64 // within the horizon
	PAlive            float64
	ExpectedValue     float64 // within the horizon, major units
	HorizonDays       int
	Regular           bool
	// ChurnRisk is nil until the churn model has scored the customer.
	ChurnRisk    *float64
	ChurnReasons []churn.Reason
	UpdatedAt    time.Time
}

// Value returns what the last refit said about customer id; store.ErrNotFound
// when it has not scored them (no purchases in the fit's currency).
func (s *Service) Value(ctx context.Context, customerID int64) (CustomerValue, error) {
	return s.value(ctx, s.o.DB.R, customerID)
}

type rowQuerier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// Querier is what both *sql.DB and *sql.Tx offer, so that Worth and
// AtRiskAt can read inside the caller's transaction.
type Querier interface {
	rowQuerier
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

func (s *Service) value(ctx context.Context, q rowQuerier, customerID int64) (CustomerValue, error) {
	var v CustomerValue
	var risk sql.NullFloat64
	var reasons sql.NullString
	var updated int64
	err := q.QueryRowContext(ctx, s.q.Get("get-value"), customerID).Scan(&v.Currency, &v.Frequency, &v.Recency, &v.T,
		&v.Monetary, &v.ExpectedPurchases, &v.PAlive, &v.ExpectedValue, &v.HorizonDays, &v.Regular, &risk, &reasons, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return CustomerValue{}, fmt.Errorf("clv: value of %d: %w", customerID, store.ErrNotFound)
	}
	if err != nil {
		return CustomerValue{}, fmt.Errorf("clv: value of %d: %w", customerID, err)
	}
	if risk.Valid {
		r := risk.Float64
		v.ChurnRisk = &r
	}
	v.ChurnReasons = churn.ParseReasons(reasons.String)
	v.UpdatedAt = store.Time(updated)
	return v, nil
}

// ModelFit is a stored refit: when, in which currency, with which parameters.
type ModelFit struct {
	ID          int64
	FittedAt    time.Time
	Currency    string
	Customers   int
	BGNBD       BGNBD
	LogLik      float64
	GammaGamma  *GammaGamma
	HorizonDays int
}

// LatestFit returns the last refit's models; store.ErrNotFound before the first.
func (s *Service) LatestFit(ctx context.Context) (ModelFit, error) {
	return s.latestFit(ctx, s.o.DB.R)
}

func (s *Service) latestFit(ctx context.Context, q rowQuerier) (ModelFit, error) {
	var f ModelFit
	var at int64
	var p, qq, g sql.NullFloat64
	err := q.QueryRowContext(ctx, s.q.Get("latest-fit")).Scan(&f.ID, &at, &f.Currency, &f.Customers,
		&f.BGNBD.R, &f.BGNBD.Alpha, &f.BGNBD.A, &f.BGNBD.B, &f.LogLik, &p, &qq, &g, &f.HorizonDays)
	if errors.Is(err, sql.ErrNoRows) {
		return ModelFit{}, fmt.Errorf("clv: no model fitted yet: %w", store.ErrNotFound)
	}
	if err != nil {
		return ModelFit{}, fmt.Errorf("clv: latest fit: %w", err)
	}
	f.FittedAt = store.Time(at)
	if p.Valid && qq.Valid && g.Valid {
		f.GammaGamma = &GammaGamma{P: p.Float64, Q: qq.Float64, Gamma: g.Float64}
	}
	return f, nil
}

// pAliveAt is the probability, by the last fit, that customer id was still a
// customer at time at, from the purchases before it; ok is false when there
// is no fit or no purchase before at.
func (s *Service) pAliveAt(ctx context.Context, q Querier, customerID int64, at time.Time) (float64, bool, error) {
	f, err := s.latestFit(ctx, q)
	if errors.Is(err, store.ErrNotFound) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, err
	}
	loc, err := s.zone(ctx)
	if err != nil {
		return 0, false, err
	}
	rows, err := q.QueryContext(ctx, s.q.Get("customer-fit-purchases"), customerID, f.Currency, store.Millis(at))
	if err != nil {
		return 0, false, err
	}
	var txs []Transaction
	for rows.Next() {
		var ms, minor int64
		if err := rows.Scan(&ms, &minor); err != nil {
			rows.Close()
			return 0, false, err
		}
		txs = append(txs, Transaction{Customer: "c", Day: civilDay(store.Time(ms), loc),
			Amount: purchases.Money{Minor: minor, Currency: f.Currency}.Major()})
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, false, err
	}
	if len(txs) == 0 {
		return 0, false, nil
	}
	sums, err := Summarize(txs, Days, civilDay(at, loc))
	if err != nil || len(sums) != 1 {
		return 0, false, err
	}
	return f.BGNBD.PAlive(sums[0]), true, nil
}
