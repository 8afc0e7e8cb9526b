package quality

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/valid"
)

// Score is one category of a review as it was scored: the category's name
// and weight at the time, and the score on the review's scale.
type Score struct {
	Key    string `json:"key"`
	Name   string `json:"name"`
	Weight int    `json:"weight"`
	Value  int    `json:"score"`
}

// Mark is an auto-fail item that applied in a review.
type Mark struct {
	Key  string `json:"key"`
	Name string `json:"name"`
}

// Review is one reviewer's scoring of one agent's work on one ticket.
type Review struct {
	ID            int64
	TicketID      int64
	TicketSubject string
	RevieweeID    int64
	RevieweeName  string
	ReviewerID    int64
	ReviewerName  string
	RubricID      int64
	RubricName    string
	Scale         Scale
	Scores        []Score
	AutoFails     []Mark
	Comment       string
	// Total is the weighted mean of the scores on 0–100, rounded to one
	// decimal, or 0 when an auto-fail item applied.
	Total     float64
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Failed reports whether an auto-fail item applied.
func (rv Review) Failed() bool { return len(rv.AutoFails) > 0 }

// Score returns the score of category key and whether the review has it.
func (rv Review) Score(key string) (int, bool) {
	for _, s := range rv.Scores {
		if s.Key == key {
			return s.Value, true
		}
	}
	return 0, false
}

// HasMark reports whether auto-fail item key applied.
func (rv Review) HasMark(key string) bool {
	for _, m := range rv.AutoFails {
		if m.Key == key {
			return true
		}
	}
	return false
}

// ReviewInput is a review as a reviewer submits it.
type ReviewInput struct {
	TicketID   int64
	RevieweeID int64
	ReviewerID int64
	RubricID   int64
	Scores     map[string]int // category key -> score on the rubric's scale
	AutoFails  []string       // keys of the auto-fail items that apply
	Comment    string
}

// maxComment is the longest review comment, in characters.
const maxComment = 5000

// Total computes a review's total on 0–100: the mean of the category
// scores, each mapped to 0–100 and weighted by its category's weight, or 0
// when any auto-fail item applied. It is rounded to one decimal.
func Total(scale Scale, scores []Score, autoFailed bool) float64 {
	if autoFailed {
		return 0
	}
	var sum, weights float64
	for _, s := range scores {
		sum += float64(s.Weight) * scale.Percent(s.Value)
		weights += float64(s.Weight)
	}
	if weights == 0 {
		return 0
	}
	return math.Round(sum/weights*10) / 10
}

// SaveReview stores in as the reviewer's review of the reviewee on the
// ticket, replacing an earlier one by the same reviewer of the same agent
// there. Every category of the rubric needs a score on its scale; the
// reviewee must own the ticket or have replied on it. The total is
// computed here, never taken from the caller.
func (r *Reviews) SaveReview(ctx context.Context, in ReviewInput) (Review, error) {
	errs := valid.Fields{}
	rb, err := r.Rubric(ctx, in.RubricID)
	switch {
	case errors.Is(err, store.ErrNotFound):
		errs.Add("rubric_id", valid.Msg("qa.valid_rubric", "no such rubric"))
	case err != nil:
		return Review{}, err
	}
	var scores []Score
	var marks []Mark
	if err == nil {
		for _, c := range rb.Categories {
			v, ok := in.Scores[c.Key]
			field := "score_" + c.Key
			switch {
			case !ok:
				errs.Add(field, valid.Msg("valid.required", "is required"))
			case v < rb.Scale.Min() || v > rb.Scale.Max():
				errs.Add(field, valid.Message{Key: "qa.valid_score", Text: fmt.Sprintf("must be a whole number from %d to %d", rb.Scale.Min(), rb.Scale.Max())})
			}
			scores = append(scores, Score{Key: c.Key, Name: c.Name, Weight: c.Weight, Value: v})
		}
		for _, key := range in.AutoFails {
			found := false
			for _, a := range rb.AutoFails {
				if a.Key == key {
					if !hasMark(marks, key) {
						marks = append(marks, Mark{Key: a.Key, Name: a.Name})
					}
					found = true
				}
			}
			if !found {
				errs.Add("auto_fail", valid.Msg("valid.no_autofail", "no such auto-fail item"))
			}
		}
	}
	in.Comment = strings.TrimSpace(in.Comment)
	if utf8.RuneCountInString(in.Comment) > maxComment {
		errs.Add("comment", valid.Msg("valid.longer_than", "is longer than %d characters", maxComment))
	}
	if err := r.ticketExists(ctx, in.TicketID); err != nil {
		return Review{}, fmt.Errorf("quality: review ticket %d: %w", in.TicketID, err)
	}
	if in.RevieweeID == 0 {
		errs.Add("reviewee_id", valid.Msg("valid.required", "is required"))
	} else {
		people, err := r.Reviewees(ctx, in.TicketID)
		if err != nil {
			return Review{}, err
		}
		ok := false
		for _, p := range people {
			ok = ok || p.ID == in.RevieweeID
		}
		if !ok {
			errs.Add("reviewee_id", valid.Msg("qa.valid_reviewee", "must be the ticket's owner or an agent who replied"))
		}
	}
	if err := errs.Err(); err != nil {
		return Review{}, err
	}
	total := Total(rb.Scale, scores, len(marks) > 0)
	sj, err := json.Marshal(scores)
	if err != nil {
		return Review{}, err
	}
	mj := []byte("[]")
	if len(marks) > 0 {
		if mj, err = json.Marshal(marks); err != nil {
			return Review{}, err
		}
	}
	var id int64
	err = r.o.DB.W.QueryRowContext(ctx, r.q.Get("upsert-review"), in.TicketID, in.RevieweeID, in.ReviewerID,
		rb.ID, string(rb.Scale), string(sj), string(mj), in.Comment, total, store.Millis(r.now())).Scan(&id)
	if err != nil {
		if store.IsForeignKeyViolation(err) {
			err = store.ErrNotFound
		}
		return Review{}, fmt.Errorf("quality: save review of ticket %d: %w", in.TicketID, err)
	}
	return r.Review(ctx, id)
}

func hasMark(ms []Mark, key string) bool {
	for _, m := range ms {
		if m.Key == key {
			return true
		}
	}
	return false
}

// Review returns review id, or store.ErrNotFound.
func (r *Reviews) Review(ctx context.Context, id int64) (Review, error) {
	rv, err := scanReview(r.o.DB.R.QueryRowContext(ctx, r.q.Get("get-review"), id))
	if errors.Is(err, sql.ErrNoRows) {
		err = store.ErrNotFound
	}
	if err != nil {
		return Review{}, fmt.Errorf("quality: review %d: %w", id, err)
	}
	return rv, nil
}

// FindReview returns the reviewer's review of the reviewee on the ticket,
// or store.ErrNotFound.
func (r *Reviews) FindReview(ctx context.Context, ticketID, revieweeID, reviewerID int64) (Review, error) {
	var id int64
	err := r.o.DB.R.QueryRowContext(ctx, r.q.Get("find-review"), ticketID, revieweeID, reviewerID).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return Review{}, fmt.Errorf("quality: review of ticket %d: %w", ticketID, store.ErrNotFound)
	}
	if err != nil {
		return Review{}, fmt.Errorf("quality: review of ticket %d: %w", ticketID, err)
	}
	return r.Review(ctx, id)
}

// RecentReviews returns the latest reviews, the last changed first.
func (r *Reviews) RecentReviews(ctx context.Context, limit int) ([]Review, error) {
	return r.listReviews(ctx, "recent-reviews", limit)
}

// TicketReviews returns every review of a ticket, by reviewee.
func (r *Reviews) TicketReviews(ctx context.Context, ticketID int64) ([]Review, error) {
	return r.listReviews(ctx, "ticket-reviews", ticketID)
}

func (r *Reviews) listReviews(ctx context.Context, query string, arg any) ([]Review, error) {
	rows, err := r.o.DB.R.QueryContext(ctx, r.q.Get(query), arg)
	if err != nil {
		return nil, fmt.Errorf("quality: %s: %w", query, err)
	}
	defer rows.Close()
	out := []Review{}
	for rows.Next() {
		rv, err := scanReview(rows)
		if err != nil {
			return nil, fmt.Errorf("quality: %s: %w", query, err)
		}
		out = append(out, rv)
	}
	return out, rows.Err()
}

func scanReview(sc scanner) (Review, error) {
	var rv Review
	var scale, scores, marks string
	var created, updated int64
	err := sc.Scan(&rv.ID, &rv.TicketID, &rv.TicketSubject, &rv.RevieweeID, &rv.RevieweeName, &rv.ReviewerID,
		&rv.ReviewerName, &rv.RubricID, &rv.RubricName, &scale, &scores, &marks, &rv.Comment, &rv.Total, &created, &updated)
	if err != nil {
		return Review{}, err
	}
	rv.Scale, rv.CreatedAt, rv.UpdatedAt = Scale(scale), store.Time(created), store.Time(updated)
	if err := json.Unmarshal([]byte(scores), &rv.Scores); err != nil {
		return Review{}, fmt.Errorf("review %d scores: %w", rv.ID, err)
	}
	if err := json.Unmarshal([]byte(marks), &rv.AutoFails); err != nil {
		return Review{}, fmt.Errorf("review %d auto-fails: %w", rv.ID, err)
	}
	return rv, nil
}

// Person is an agent by id and name.
type Person struct {
	ID   int64
	Name string
}

// Reviewees returns whose work on a ticket can be reviewed: its owner
// first, then every agent who replied to the customer.
func (r *Reviews) Reviewees(ctx context.Context, ticketID int64) ([]Person, error) {
	rows, err := r.o.DB.R.QueryContext(ctx, r.q.Get("reviewees"), ticketID)
	if err != nil {
		return nil, fmt.Errorf("quality: reviewees of %d: %w", ticketID, err)
	}
	defer rows.Close()
	out := []Person{}
	for rows.Next() {
		var p Person
		if err := rows.Scan(&p.ID, &p.Name); err != nil {
			return nil, fmt.Errorf("quality: reviewees of %d: %w", ticketID, err)
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// Calibration compares the reviews several reviewers made of one agent's
// work on one ticket: the further apart their totals, the more the team
// needs to agree on what the rubric means.
type Calibration struct {
	TicketID   int64
	RevieweeID int64
	Reviewee   string
	Reviews    []Review
	Mean       float64 // of the totals
	Spread     float64 // highest total minus lowest
	StdDev     float64 // population standard deviation of the totals
	// Categories compares the scores of each category the reviews share,
	// on 0–100, so that reviews on different scales compare.
	Categories []CategorySpread
}

// CategorySpread is how far apart the reviewers were on one category.
type CategorySpread struct {
	Key      string
	Name     string
	Min, Max float64 // on 0–100
	Spread   float64
}

// Calibrate returns one Calibration per agent reviewed on the ticket, with
// any number of reviews (one review has no spread).
func (r *Reviews) Calibrate(ctx context.Context, ticketID int64) ([]Calibration, error) {
	if err := r.ticketExists(ctx, ticketID); err != nil {
		return nil, fmt.Errorf("quality: calibrate %d: %w", ticketID, err)
	}
	reviews, err := r.TicketReviews(ctx, ticketID)
	if err != nil {
		return nil, err
	}
	out := []Calibration{}
	for _, rv := range reviews {
		if n := len(out); n == 0 || out[n-1].RevieweeID != rv.RevieweeID {
			out = append(out, Calibration{TicketID: ticketID, RevieweeID: rv.RevieweeID, Reviewee: rv.RevieweeName})
		}
		c := &out[len(out)-1]
		c.Reviews = append(c.Reviews, rv)
	}
	for i := range out {
		out[i].compute()
	}
	return out, nil
}

// compute fills the statistics from c.Reviews.
func (c *Calibration) compute() {
	totals := make([]float64, len(c.Reviews))
	for i, rv := range c.Reviews {
		totals[i] = rv.Total
	}
	c.Mean, c.Spread, c.StdDev = Spread(totals)
	idx := map[string]int{}
	for _, rv := range c.Reviews {
		for _, s := range rv.Scores {
			v := rv.Scale.Percent(s.Value)
			i, ok := idx[s.Key]
			if !ok {
				idx[s.Key] = len(c.Categories)
				c.Categories = append(c.Categories, CategorySpread{Key: s.Key, Name: s.Name, Min: v, Max: v})
				continue
			}
			cs := &c.Categories[i]
			cs.Min, cs.Max = math.Min(cs.Min, v), math.Max(cs.Max, v)
		}
	}
	for i := range c.Categories {
		cs := &c.Categories[i]
		cs.Min, cs.Max = round1(cs.Min), round1(cs.Max)
		cs.Spread = round1(cs.Max - cs.Min)
	}
}

// Spread returns the mean, the range (max − min) and the population
// standard deviation of xs, each rounded to one decimal; all 0 for none.
func Spread(xs []float64) (mean, spread, stddev float64) {
	if len(xs) == 0 {
		return 0, 0, 0
	}
	lo, hi, sum := xs[0], xs[0], 0.0
	for _, x := range xs {
		lo, hi, sum = math.Min(lo, x), math.Max(hi, x), sum+x
	}
	mean = sum / float64(len(xs))
	var sq float64
	for _, x := range xs {
		sq += (x - mean) * (x - mean)
	}
	return round1(mean), round1(hi - lo), round1(math.Sqrt(sq / float64(len(xs))))
}

func round1(x float64) float64 { return math.Round(x*10) / 10 }

// CalibrationItem is one ticket where several reviewers reviewed the same
// agent.
type CalibrationItem struct {
	TicketID   int64
	Subject    string
	RevieweeID int64
	Reviewee   string
	Reviewers  int
	Spread     float64
	UpdatedAt  time.Time
}

// Calibrations lists tickets reviewed by several reviewers, the widest
// disagreement first.
func (r *Reviews) Calibrations(ctx context.Context, limit int) ([]CalibrationItem, error) {
	rows, err := r.o.DB.R.QueryContext(ctx, r.q.Get("calibrations"), limit)
	if err != nil {
		return nil, fmt.Errorf("quality: calibrations: %w", err)
	}
	defer rows.Close()
	out := []CalibrationItem{}
	for rows.Next() {
		var c CalibrationItem
		var updated int64
		if err := rows.Scan(&c.TicketID, &c.Subject, &c.RevieweeID, &c.Reviewee, &c.Reviewers, &c.Spread, &updated); err != nil {
			return nil, fmt.Errorf("quality: calibrations: %w", err)
		}
		c.Spread, c.UpdatedAt = round1(c.Spread), store.Time(updated)
		out = append(out, c)
	}
	return out, rows.Err()
}

// ToReview is a ticket with a public reply and no review yet.
type ToReview struct {
	TicketID  int64
	Subject   string
	OwnerID   int64
	OwnerName string
	Status    string
	UpdatedAt time.Time
}

// ToReview lists recently updated tickets that have a public reply and no
// review, the latest first.
func (r *Reviews) ToReview(ctx context.Context, limit int) ([]ToReview, error) {
	rows, err := r.o.DB.R.QueryContext(ctx, r.q.Get("to-review"), limit)
	if err != nil {
		return nil, fmt.Errorf("quality: to review: %w", err)
	}
	defer rows.Close()
	out := []ToReview{}
	for rows.Next() {
		var t ToReview
		var updated int64
		if err := rows.Scan(&t.TicketID, &t.Subject, &t.OwnerID, &t.OwnerName, &t.Status, &updated); err != nil {
			return nil, fmt.Errorf("quality: to review: %w", err)
		}
		t.UpdatedAt = store.Time(updated)
		out = append(out, t)
	}
	return out, rows.Err()
}
