package quality

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/rapport/rapport/internal/jobs"
	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/valid"
)

// ReviewsOpts configure a Reviews service.
type ReviewsOpts struct {
	DB *store.DB
	// Analyzer reads the stored replies for the scorecard's sin rates.
	Analyzer *Analyzer
	Clock    jobs.Clock   // nil means the wall clock
	Log      *slog.Logger // nil discards
}

// Reviews keeps what people say about reply quality: the findings agents
// dismissed in the composer, the QA rubrics, the reviews managers make with
// them, and the per-agent figures built from both and from the analyzer.
type Reviews struct {
	o ReviewsOpts
	q store.Queries
}

//go:embed queries.sql
var queriesFS embed.FS

// NewReviews returns the Reviews service over o.DB.
func NewReviews(o ReviewsOpts) (*Reviews, error) {
	if o.DB == nil || o.Analyzer == nil {
		return nil, errors.New("quality: Reviews needs DB and Analyzer")
	}
	if o.Clock == nil {
		o.Clock = jobs.SystemClock{}
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	return &Reviews{o: o, q: store.MustLoadQueries(queriesFS, o.DB.Dialect)}, nil
}

// Analyzer returns the analyzer the service reads replies with.
func (r *Reviews) Analyzer() *Analyzer { return r.o.Analyzer }

func (r *Reviews) now() time.Time { return r.o.Clock.Now().UTC() }

// Reasons an agent gives for dismissing a finding.
const (
	ReasonFalseAlarm    = "false_alarm"    // the words do not mean that here
	ReasonCustomerAsked = "customer_asked" // the customer asked for exactly this
	ReasonIntended      = "intended"       // right for this customer, on purpose
	ReasonOther         = "other"          // see the note
)

// DismissReasons lists the reasons in display order.
var DismissReasons = []string{ReasonFalseAlarm, ReasonCustomerAsked, ReasonIntended, ReasonOther}

// Dismissal is a finding an agent dismissed on a draft reply.
type Dismissal struct {
	ID        int64
	AgentID   int64
	AgentName string
	TicketID  int64
	Sin       Sin
	Rule      string
	Quote     string
	Reason    string // one of DismissReasons
	Note      string // the agent's own words; required for ReasonOther
	CreatedAt time.Time
}

// Limits of what a dismissal keeps.
const (
	maxQuote = 500
	maxNote  = 1000
	maxRule  = 100
)

// Dismiss records that d.AgentID dismissed a finding on ticket d.TicketID.
// The finding's sin and rule must be ones the analyzer makes; the reason
// one of DismissReasons, with a note when it is ReasonOther. An unknown
// ticket gives store.ErrNotFound.
func (r *Reviews) Dismiss(ctx context.Context, d Dismissal) (Dismissal, error) {
	errs := valid.Fields{}
	d.Rule = strings.TrimSpace(d.Rule)
	d.Quote = strings.TrimSpace(d.Quote)
	d.Note = strings.TrimSpace(d.Note)
	if !validSin(d.Sin) {
		errs.Add("sin", valid.Msg("valid.choice", "must be one of the seven sins"))
	}
	if d.Rule == "" {
		errs.Add("rule", valid.Msg("valid.required", "is required"))
	} else if len(d.Rule) > maxRule || !strings.HasPrefix(d.Rule, string(d.Sin)+".") && d.Rule != string(d.Sin) {
		errs.Add("rule", valid.Msg("valid.choice", "must be a rule of the sin"))
	}
	if utf8.RuneCountInString(d.Quote) > maxQuote {
		errs.Add("quote", valid.Msg("valid.longer_than", "is longer than %d characters", maxQuote))
	}
	if !contains(DismissReasons, d.Reason) {
		errs.Add("reason", valid.OneOf(DismissReasons))
	}
	if d.Reason == ReasonOther && d.Note == "" {
		errs.Add("note", valid.Msg("valid.required", "is required"))
	}
	if utf8.RuneCountInString(d.Note) > maxNote {
		errs.Add("note", valid.Msg("valid.longer_than", "is longer than %d characters", maxNote))
	}
	if err := errs.Err(); err != nil {
		return Dismissal{}, err
	}
	if err := r.ticketExists(ctx, d.TicketID); err != nil {
		return Dismissal{}, fmt.Errorf("quality: dismiss on ticket %d: %w", d.TicketID, err)
	}
	d.CreatedAt = r.now()
	err := r.o.DB.W.QueryRowContext(ctx, r.q.Get("insert-dismissal"), d.AgentID, d.TicketID, string(d.Sin),
		d.Rule, d.Quote, d.Reason, d.Note, store.Millis(d.CreatedAt)).Scan(&d.ID)
	if err != nil {
		if store.IsForeignKeyViolation(err) {
			return Dismissal{}, fmt.Errorf("quality: dismiss: %w", store.ErrNotFound)
		}
		return Dismissal{}, fmt.Errorf("quality: dismiss: %w", err)
	}
	return d, nil
}

func (r *Reviews) ticketExists(ctx context.Context, id int64) error {
	var one int
	err := r.o.DB.R.QueryRowContext(ctx, r.q.Get("ticket-exists"), id).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return store.ErrNotFound
	}
	return err
}

// DismissedKey identifies a dismissed finding within one ticket: the same
// rule on the same words.
func DismissedKey(rule, quote string) string {
	return rule + "\x00" + strings.ToLower(strings.TrimSpace(quote))
}

// Dismissed returns the findings agentID dismissed on ticketID, as
// DismissedKey values, so that the composer does not show them again.
func (r *Reviews) Dismissed(ctx context.Context, ticketID, agentID int64) (map[string]bool, error) {
	rows, err := r.o.DB.R.QueryContext(ctx, r.q.Get("ticket-dismissals"), ticketID, agentID)
	if err != nil {
		return nil, fmt.Errorf("quality: dismissed on %d: %w", ticketID, err)
	}
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var sin, rule, quote string
		if err := rows.Scan(&sin, &rule, &quote); err != nil {
			return nil, fmt.Errorf("quality: dismissed on %d: %w", ticketID, err)
		}
		out[DismissedKey(rule, quote)] = true
	}
	return out, rows.Err()
}

// WithoutDismissed returns the findings whose rule and quote are not in
// dismissed.
func WithoutDismissed(fs []Finding, dismissed map[string]bool) []Finding {
	if len(dismissed) == 0 {
		return fs
	}
	out := fs[:0:0]
	for _, f := range fs {
		if !dismissed[DismissedKey(f.Rule, f.Quote)] {
			out = append(out, f)
		}
	}
	return out
}

// RecentDismissals returns the latest dismissals, newest first.
func (r *Reviews) RecentDismissals(ctx context.Context, limit int) ([]Dismissal, error) {
	return r.listDismissals(ctx, "recent-dismissals", limit)
}

// TicketDismissals returns every dismissal made on a ticket, oldest first,
// so that a reviewer sees which findings the agent set aside, and why.
func (r *Reviews) TicketDismissals(ctx context.Context, ticketID int64) ([]Dismissal, error) {
	return r.listDismissals(ctx, "dismissals-of-ticket", ticketID)
}

func (r *Reviews) listDismissals(ctx context.Context, query string, arg any) ([]Dismissal, error) {
	rows, err := r.o.DB.R.QueryContext(ctx, r.q.Get(query), arg)
	if err != nil {
		return nil, fmt.Errorf("quality: %s: %w", query, err)
	}
	defer rows.Close()
	out := []Dismissal{}
	for rows.Next() {
		var d Dismissal
		var sin string
		var created int64
		if err := rows.Scan(&d.ID, &d.AgentID, &d.AgentName, &d.TicketID, &sin, &d.Rule, &d.Quote,
			&d.Reason, &d.Note, &created); err != nil {
			return nil, fmt.Errorf("quality: %s: %w", query, err)
		}
		d.Sin, d.CreatedAt = Sin(sin), store.Time(created)
		out = append(out, d)
	}
	return out, rows.Err()
}

// RuleDismissals counts the dismissals of one rule, by reason: a rule that
// agents often call a false alarm is one to fix first.
type RuleDismissals struct {
	Sin      Sin
	Rule     string
	Total    int
	ByReason map[string]int
}

// DismissalsByRule counts the dismissals since the given time per rule, the
// most dismissed first.
func (r *Reviews) DismissalsByRule(ctx context.Context, since time.Time) ([]RuleDismissals, error) {
	rows, err := r.o.DB.R.QueryContext(ctx, r.q.Get("dismissals-by-rule"), store.Millis(since))
	if err != nil {
		return nil, fmt.Errorf("quality: dismissals by rule: %w", err)
	}
	defer rows.Close()
	idx := map[string]int{}
	out := []RuleDismissals{}
	for rows.Next() {
		var sin, rule, reason string
		var n int
		if err := rows.Scan(&sin, &rule, &reason, &n); err != nil {
			return nil, fmt.Errorf("quality: dismissals by rule: %w", err)
		}
		i, ok := idx[rule]
		if !ok {
			i = len(out)
			idx[rule] = i
			out = append(out, RuleDismissals{Sin: Sin(sin), Rule: rule, ByReason: map[string]int{}})
		}
		out[i].Total += n
		out[i].ByReason[reason] += n
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("quality: dismissals by rule: %w", err)
	}
	slices.SortStableFunc(out, func(a, b RuleDismissals) int { return b.Total - a.Total })
	return out, nil
}
