// Package metrics measures the service: response and resolution times,
// transfers, rework, SLA attainment, promises kept, complaints, CSAT, NPS,
// referrals and repeat business, per team, agent, channel, language and
// period, each against the previous period of the same length.
//
// Ticket metrics come from rollups (metric_days, metric_hist and their
// week versions) that the ticket service's change hook keeps: each change
// appends its delta in its own transaction, and a fold adds the deltas to
// the rollups after the commit (rollup.go, fold.go); survey, promise and referral metrics are
// read from their own, much smaller, tables.
package metrics

import (
	"embed"
	"encoding/json"
	"log/slog"
	"math"
	"strconv"
	"time"

	"github.com/rapport/rapport/internal/business"
	"github.com/rapport/rapport/internal/jobs"
	"github.com/rapport/rapport/internal/store"
)

// Opts are the dependencies of a Service.
type Opts struct {
	DB    *store.DB
	Clock jobs.Clock   // nil: the wall clock
	Log   *slog.Logger // nil discards
	// Jobs, when set, runs the weekly digest (see digest.go).
	Jobs *jobs.Queue
	// Digest sends the weekly digest; nil sends none.
	Digest *DigestOpts
	// Business, when set, is whose zone the metrics count days in (see
	// zone.go); without it the zone is the one the rollups have (UTC
	// until SwitchZone).
	Business *business.Service
}

// Service computes metrics and keeps their rollups.
type Service struct {
	o   Opts
	q   store.Queries
	log *slog.Logger
}

//go:embed queries*.sql
var queriesFS embed.FS

// New returns a Service. With o.Jobs set it registers the background
// rebuild and the fold jobs, and with o.Digest too the weekly digest job.
func New(o Opts) *Service {
	if o.Clock == nil {
		o.Clock = jobs.SystemClock{}
	}
	log := o.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &Service{o: o, q: store.MustLoadQueries(queriesFS, o.DB.Dialect), log: log}
	if o.Jobs != nil && o.Digest != nil {
		o.Jobs.Handle(JobDigest, s.digestJob)
	}
	if o.Jobs != nil {
		o.Jobs.Handle(JobRebuild, s.rebuildJob)
		o.Jobs.Handle(JobFold, s.foldJob)
		o.Jobs.Handle(JobFoldSweep, s.foldSweep)
	}
	return s
}

// Value is one metric: V is meaningful only when Valid. An empty selection
// is not Valid ("no data"), which is not the same as a valid 0.
type Value struct {
	V     float64
	Valid bool
}

// Of is a valid Value.
func Of(v float64) Value { return Value{V: v, Valid: true} }

// share is num/den, no data when den is 0.
func share(num, den int64) Value {
	if den == 0 {
		return Value{}
	}
	return Of(float64(num) / float64(den))
}

// count is n as a Value, no data when the selection it counts in is empty.
func count(n int64, selection bool) Value {
	if !selection {
		return Value{}
	}
	return Of(float64(n))
}

// MarshalJSON writes null for no data, else the number.
func (v Value) MarshalJSON() ([]byte, error) {
	if !v.Valid || math.IsNaN(v.V) || math.IsInf(v.V, 0) {
		return []byte("null"), nil
	}
	return []byte(strconv.FormatFloat(v.V, 'f', -1, 64)), nil
}

// UnmarshalJSON reads null as no data.
func (v *Value) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*v = Value{}
		return nil
	}
	var f float64
	if err := json.Unmarshal(b, &f); err != nil {
		return err
	}
	*v = Of(f)
	return nil
}

// Sub is v minus w, no data unless both have data.
func (v Value) Sub(w Value) Value {
	if !v.Valid || !w.Valid {
		return Value{}
	}
	return Of(v.V - w.V)
}

// Durations are a duration metric in seconds: how many tickets it is over,
// the median and the 90th percentile (see percentile.go).
type Durations struct {
	N      int64 `json:"n"`
	Median Value `json:"median"`
	P90    Value `json:"p90"`
}

// Period holds every metric of one period.
type Period struct {
	From time.Time `json:"from"`
	To   time.Time `json:"to"` // exclusive

	Created Value `json:"tickets_created"`
	Solved  Value `json:"tickets_solved"`

	// First response (tickets first answered in the period) and resolution
	// (tickets solved in the period), in calendar time and in the business
	// hours of the default calendar (no data without one).
	FirstResponse    Durations `json:"first_response"`
	FirstResponseBiz Durations `json:"first_response_business"`
	Resolution       Durations `json:"resolution"`
	ResolutionBiz    Durations `json:"resolution_business"`

	TransfersPerTicket Value `json:"transfers_per_ticket"` // over tickets solved
	FirstOwnerShare    Value `json:"first_owner_share"`    // solved by their first owner, never transferred
	ReopenRate         Value `json:"reopen_rate"`          // solved tickets reopened at least once
	// SLAAttainment is the share of tickets with an SLA outcome in the
	// period that met their targets: every ticket that breached in the
	// period counts, open or solved, and a ticket that never breached
	// counts on the day it was solved (see factOf). SLATickets is its base.
	SLAAttainment Value `json:"sla_attainment"`
	SLATickets    int64 `json:"sla_tickets"`
	PromisesKept  Value `json:"promises_kept"` // kept / (kept + broken), resolved in the period
	Promises      int64 `json:"promises"`
	// ConfirmedFixes are tickets whose customer confirmed, answering the
	// follow-up, that the fix held (event fix_confirmed) in the period.
	ConfirmedFixes Value `json:"confirmed_fixes"`

	Complaints        Value `json:"complaints"`
	ComplaintsWritten Value `json:"complaints_written"` // email, web, api, hook, chat
	ComplaintsOral    Value `json:"complaints_oral"`    // phone

	CSAT         Value     `json:"csat"`      // share of 4–5 answers
	CSATMean     Value     `json:"csat_mean"` // 1–5
	CSATAnswers  int64     `json:"csat_answers"`
	CSATDist     [5]int64  `json:"csat_distribution"` // answers of 1…5
	NPS          Value     `json:"nps"`               // −100…100, pooled
	NPSAnswers   int64     `json:"nps_answers"`
	NPSDist      [11]int64 `json:"nps_distribution"` // answers of 0…10
	ResponseRate Value     `json:"survey_response_rate"`
	SurveysSent  int64     `json:"surveys_sent"`

	// Referrals are referred customers whose first contact (ticket or
	// purchase; under a team, agent, channel or language filter, ticket)
	// came in the period, read from the source tables when asked for, so
	// that a referrer recorded afterwards counts at once.
	Referrals      Value `json:"referrals"`
	RepeatBusiness Value `json:"repeat_business"` // share of buyers in the period who bought more than once so far; no data without purchases
	Buyers         int64 `json:"buyers"`          // customers who bought in the period: repeat business's base
}

// Week is one calendar week (Monday 00:00 in the business's zone) of the
// trend, clipped to the period.
type Week struct {
	Start             time.Time `json:"start"`
	FirstResponse     Value     `json:"first_response_median"`
	CSAT              Value     `json:"csat"`
	Complaints        int64     `json:"complaints"`
	ComplaintsWritten int64     `json:"complaints_written"`
	ComplaintsOral    int64     `json:"complaints_oral"`
}

// AgentRow is one agent's scorecard line in the period.
type AgentRow struct {
	AgentID       int64  `json:"agent_id"`
	Name          string `json:"name"`
	Solved        int64  `json:"tickets_solved"`
	FirstResponse Value  `json:"first_response_median"`
	CSAT          Value  `json:"csat"`
	CSATAnswers   int64  `json:"csat_answers"`
	NPS           Value  `json:"nps"`
	NPSAnswers    int64  `json:"nps_answers"`
	Transfers     int64  `json:"transfers"`
	Reopens       int64  `json:"reopens"`
}

// Report is what Compute returns: the period, the previous period of the
// same length, the weekly trend and the agents of the period.
type Report struct {
	Filter   Filter     `json:"filter"`
	Current  Period     `json:"current"`
	Previous Period     `json:"previous"`
	Weeks    []Week     `json:"weeks"`
	Agents   []AgentRow `json:"agents"`
	// Business is whether a business-hours calendar gave business times.
	Business bool `json:"business_hours"`
	// Purchases is whether purchase data exists for repeat business.
	Purchases bool `json:"purchases"`
	// TimeZone is the zone whose days the periods are made of.
	TimeZone string `json:"time_zone"`
	// Rebuilding, when set, says the rollups are being rebuilt after the
	// business's zone changed, and how far that has come: until it is
	// done, some tickets still count on their days in the old zone.
	Rebuilding *Progress `json:"rebuilding,omitempty"`
	// WeeksFilling, when set, says the week rollups of a database from
	// before them are being filled (metric_zone.weeks_after), and how far
	// that has come: the numbers are exact meanwhile, read from the day
	// rollups alone, so long periods take longer.
	WeeksFilling *Progress `json:"weeks_filling,omitempty"`
	// Greeting is the greeting time of the period's live chats (greeting.go).
	Greeting GreetingReport `json:"greeting"`
}

// Now is the service clock's time, for reading relative periods ("the
// last 30 days").
func (s *Service) Now() time.Time { return s.o.Clock.Now() }
