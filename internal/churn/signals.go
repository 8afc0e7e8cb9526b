package churn

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"time"
)

// NPSGroup is a customer's group from their latest NPS answer.
type NPSGroup string

// The NPS groups; NPSUnknown when the customer never answered.
const (
	NPSUnknown   NPSGroup = ""
	NPSPromoter  NPSGroup = "promoter"
	NPSPassive   NPSGroup = "passive"
	NPSDetractor NPSGroup = "detractor"
)

// Signals are one customer's purchase and service signals at a
// reference date, the inputs of the churn model.
type Signals struct {
	// CustomerID identifies the customer; it is not a feature.
	CustomerID string
	// RecencyDays is the number of days since the last purchase.
	RecencyDays float64
	// Frequency is the number of purchases so far.
	Frequency float64
	// TotalSpend is the customer's total spend so far.
	TotalSpend float64
	// HasContact is false for a customer who never contacted the service;
	// DaysSinceContact is then ignored.
	HasContact       bool
	DaysSinceContact float64
	// OpenComplaints is the number of complaints not yet resolved.
	OpenComplaints int
	// HasCSAT is false when the customer never answered a CSAT survey;
	// LastCSAT (1–5) is then ignored.
	HasCSAT  bool
	LastCSAT float64
	// NPS is the group of the latest NPS answer.
	NPS NPSGroup
	// Transfers, SLABreaches, BrokenPromises and ReopenedTickets count
	// what went wrong in the customer's tickets.
	Transfers       int
	SLABreaches     int
	BrokenPromises  int
	ReopenedTickets int
	// Recommitments counts the times the customer said they would stay.
	Recommitments int
}

// signalFeatureNames are the names of SignalFeatures' columns, in order.
// They are part of stored models: add new ones at the end, never rename.
var signalFeatureNames = []string{
	"recency_days", "frequency", "total_spend",
	"days_since_contact", "no_contact",
	"open_complaints",
	"last_csat", "no_csat",
	"nps_promoter", "nps_detractor", "nps_unknown",
	"transfers", "sla_breaches", "broken_promises", "reopened_tickets",
	"recommitments",
}

// SignalFeatureNames returns the names of the columns SignalFeatures makes.
func SignalFeatureNames() []string { return slices.Clone(signalFeatureNames) }

// signalRow writes one customer's features into row. A value the
// customer does not have (no contact, no CSAT) is NaN, which the model
// reads as its training mean, with an indicator column beside it; NPS is
// one-hot against "passive".
func signalRow(s *Signals, row []float64) {
	row[0] = s.RecencyDays
	row[1] = s.Frequency
	row[2] = s.TotalSpend
	row[3], row[4] = math.NaN(), 1
	if s.HasContact {
		row[3], row[4] = s.DaysSinceContact, 0
	}
	row[5] = float64(s.OpenComplaints)
	row[6], row[7] = math.NaN(), 1
	if s.HasCSAT {
		row[6], row[7] = s.LastCSAT, 0
	}
	row[8], row[9], row[10] = 0, 0, 0
	switch s.NPS {
	case NPSPromoter:
		row[8] = 1
	case NPSDetractor:
		row[9] = 1
	case NPSUnknown:
		row[10] = 1
	}
	row[11] = float64(s.Transfers)
	row[12] = float64(s.SLABreaches)
	row[13] = float64(s.BrokenPromises)
	row[14] = float64(s.ReopenedTickets)
	row[15] = float64(s.Recommitments)
}

// Validate reports whether the signals are usable.
func (s Signals) Validate() error {
	for _, v := range []struct {
		name string
		v    float64
	}{{"recency_days", s.RecencyDays}, {"frequency", s.Frequency}, {"total_spend", s.TotalSpend}, {"days_since_contact", s.DaysSinceContact}, {"last_csat", s.LastCSAT}} {
		if math.IsNaN(v.v) || math.IsInf(v.v, 0) {
			return fmt.Errorf("churn: customer %q: %s %v is not a finite number", s.CustomerID, v.name, v.v)
		}
	}
	switch s.NPS {
	case NPSUnknown, NPSPromoter, NPSPassive, NPSDetractor:
	default:
		return fmt.Errorf("churn: customer %q: unknown NPS group %q", s.CustomerID, s.NPS)
	}
	return nil
}

// SignalFeatures turns customers' signals into a feature matrix
// (row-major, one row per customer) with the columns SignalFeatureNames.
// The encoding is fixed, not learnt from the slice, so that a model
// trained on one set of customers scores another.
func SignalFeatures(signals []Signals) (names []string, x []float64, err error) {
	p := len(signalFeatureNames)
	x = make([]float64, len(signals)*p)
	for i := range signals {
		if err := signals[i].Validate(); err != nil {
			return nil, nil, err
		}
		signalRow(&signals[i], x[i*p:(i+1)*p])
	}
	return SignalFeatureNames(), x, nil
}

// ScoreSignals fills out with each customer's churn probability, without
// building the whole feature matrix. The model must have been trained on
// SignalFeatures.
func (m *Model) ScoreSignals(signals []Signals, out []float64) error {
	if !slices.Equal(m.Names, signalFeatureNames) {
		return fmt.Errorf("%w: the model was not trained on the churn signals", ErrData)
	}
	if len(out) != len(signals) {
		return fmt.Errorf("%w: %d outputs for %d customers", ErrData, len(out), len(signals))
	}
	var row [16]float64
	for i := range signals {
		if err := signals[i].Validate(); err != nil {
			return err
		}
		signalRow(&signals[i], row[:])
		out[i] = m.Predict(row[:])
	}
	return nil
}

// Outcome is what a customer's purchases say about churn after a
// reference date.
type Outcome int

// The outcomes of Label.
const (
	// NotACustomer: no purchase on or before the reference date, so the
	// customer cannot have churned by then; leave them out of training.
	NotACustomer Outcome = iota
	// Retained: a purchase within the window after the reference date.
	Retained
	// Churned: no purchase within the window.
	Churned
)

// ErrWindowOpen is returned when the churn window has not ended yet.
var ErrWindowOpen = errors.New("churn: the churn window has not ended")

// Label labels a customer from their purchase times: a customer who
// bought on or before ref and not in (ref, ref+window] has churned. now is
// the time of the data; a window still open at now cannot be labelled
// (ErrWindowOpen), because a purchase may yet come.
func Label(purchases []time.Time, ref time.Time, window time.Duration, now time.Time) (Outcome, error) {
	if window <= 0 {
		return 0, fmt.Errorf("churn: churn window %v is not positive", window)
	}
	if now.Before(ref.Add(window)) {
		return 0, fmt.Errorf("%w: %s + %v is after %s", ErrWindowOpen, ref.Format(time.DateOnly), window, now.Format(time.DateOnly))
	}
	before, within := false, false
	end := ref.Add(window)
	for _, t := range purchases {
		switch {
		case !t.After(ref):
			before = true
		case !t.After(end):
			within = true
		}
	}
	switch {
	case !before:
		return NotACustomer, nil
	case within:
		return Retained, nil
	}
	return Churned, nil
}

// Labels labels every customer in purchases (times per customer id)
// with Label, leaving out those who were not yet customers at ref. An
// explicit flag in churned (customer id → churned or not) overrides the
// purchases, for businesses that record cancellations.
func Labels(purchases map[string][]time.Time, churned map[string]bool, ref time.Time, window time.Duration, now time.Time) (map[string]bool, error) {
	out := make(map[string]bool, len(purchases))
	for id, ts := range purchases {
		o, err := Label(ts, ref, window, now)
		if err != nil {
			return nil, err
		}
		if o != NotACustomer {
			out[id] = o == Churned
		}
	}
	for id, c := range churned {
		out[id] = c
	}
	return out, nil
}
