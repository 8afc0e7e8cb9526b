package metrics

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/ticket"
	"github.com/rapport/rapport/internal/valid"
)

// The kinds of feedback record entries.
const (
	FeedbackSurvey    = "survey"
	FeedbackComplaint = "complaint"
)

// FeedbackQuery selects entries of the feedback record: survey answers
// (by when they were answered) and complaints (tickets of kind complaint,
// by when they came in). Zero values do not filter.
type FeedbackQuery struct {
	From, To   time.Time // [From, To), whole UTC days
	TeamID     int64
	AgentID    int64
	Channel    string
	Mode       string // "written" or "oral"
	Kind       string // FeedbackSurvey or FeedbackComplaint
	Score      int    // CSAT 1–5; only survey answers have one
	HasComment bool
	Text       string // in the comment, the subject or the customer's name
	Page       int    // 1-based
	Limit      int    // per page; default 50, at most MaxFeedbackExport
}

// MaxFeedbackExport is the most entries one CSV export holds.
const MaxFeedbackExport = 100000

// FeedbackItem is one entry of the feedback record.
type FeedbackItem struct {
	Kind         string
	SurveyID     int64 // 0 for a complaint
	TicketID     int64
	Subject      string
	At           time.Time
	CSAT         int // 0: none
	NPS          int // -1: none
	Comment      string
	CustomerID   int64
	CustomerName string
	AgentID      int64
	AgentName    string
	Channel      string
}

// Written reports whether the entry came in writing (not by phone).
func (i FeedbackItem) Written() bool { return !Oral(i.Channel) }

// FeedbackPage is one page of the record.
type FeedbackPage struct {
	Items []FeedbackItem
	More  bool // there is a next page
}

// ParseFeedbackQuery reads a feedback query from query parameters: the
// period ones of ParseFilter (days in loc) plus mode, kind, score,
// comment=1, q and page.
func ParseFeedbackQuery(q url.Values, now time.Time, loc *time.Location) (FeedbackQuery, Filter, error) {
	errs := valid.Fields{}
	f, err := ParseFilter(q, now, loc)
	if err != nil {
		if ve, ok := err.(valid.Fields); ok {
			for k, v := range ve {
				errs.Add(k, v)
			}
		} else {
			return FeedbackQuery{}, f, err
		}
	}
	fq := FeedbackQuery{From: f.From, To: f.To, TeamID: f.TeamID, AgentID: f.AgentID, Channel: f.Channel, Page: 1}
	if f.Language != "" {
		errs.Add("language", valid.Msg("valid.feedback_language", "the feedback record does not filter by language"))
	}
	switch m := q.Get("mode"); m {
	case "", "written", "oral":
		fq.Mode = m
	default:
		errs.Add("mode", valid.Msg("valid.choice", "must be written or oral"))
	}
	switch k := q.Get("kind"); k {
	case "", FeedbackSurvey, FeedbackComplaint:
		fq.Kind = k
	default:
		errs.Add("kind", valid.Msg("valid.choice", "must be survey or complaint"))
	}
	if s := q.Get("score"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 5 {
			errs.Add("score", valid.Msg("valid.choice", "must be a score from 1 to 5"))
		}
		fq.Score = n
	}
	fq.HasComment = q.Get("comment") == "1"
	fq.Text = strings.TrimSpace(q.Get("q"))
	if utf8.RuneCountInString(fq.Text) > 200 {
		errs.Add("q", valid.Msg("valid.too_long", "is longer than 200 characters"))
	}
	if p := q.Get("page"); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 100000 {
			errs.Add("page", valid.Msg("valid.choice", "must be a page number"))
		}
		fq.Page = n
	}
	if len(errs) > 0 {
		return fq, f, errs
	}
	return fq, f, nil
}

// likePattern is a case-insensitive LIKE pattern for s, with LIKE's own
// wildcards taken literally.
func likePattern(s string) string {
	if s == "" {
		return ""
	}
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return "%" + strings.ToLower(r.Replace(s)) + "%"
}

// Feedback returns one page of the feedback record, newest first.
func (s *Service) Feedback(ctx context.Context, fq FeedbackQuery) (FeedbackPage, error) {
	errs := valid.Fields{}
	if fq.From.IsZero() || !fq.To.After(fq.From) {
		errs.Add("to", valid.Msg("valid.after_from", "must be after from"))
	}
	if fq.Channel != "" && !slices.Contains(ticket.Channels, fq.Channel) {
		errs.Add("channel", valid.OneOf(ticket.Channels))
	}
	if err := errs.Err(); err != nil {
		return FeedbackPage{}, err
	}
	if fq.Limit <= 0 {
		fq.Limit = 50
	}
	fq.Limit = min(fq.Limit, MaxFeedbackExport)
	if fq.Page < 1 {
		fq.Page = 1
	}
	hasComment := 0
	if fq.HasComment {
		hasComment = 1
	}
	rows, err := s.o.DB.R.QueryContext(ctx, s.q.Get("feedback"), fq.From.UnixMilli(), fq.To.UnixMilli(), fq.TeamID, fq.AgentID,
		fq.Channel, fq.Mode, fq.Score, hasComment, fq.Kind, likePattern(fq.Text), fq.Limit+1, (fq.Page-1)*fq.Limit)
	if err != nil {
		return FeedbackPage{}, fmt.Errorf("metrics: feedback: %w", err)
	}
	defer rows.Close()
	var page FeedbackPage
	for rows.Next() {
		var it FeedbackItem
		var at int64
		var csat, nps sql.NullInt64
		if err := rows.Scan(&it.Kind, &it.SurveyID, &it.TicketID, &at, &csat, &nps, &it.Comment, &it.CustomerID,
			&it.CustomerName, &it.AgentID, &it.AgentName, &it.Channel, &it.Subject); err != nil {
			return FeedbackPage{}, err
		}
		it.At = store.Time(at)
		it.CSAT, it.NPS = int(csat.Int64), -1
		if nps.Valid {
			it.NPS = int(nps.Int64)
		}
		page.Items = append(page.Items, it)
	}
	if err := rows.Err(); err != nil {
		return FeedbackPage{}, err
	}
	rows.Close()
	if len(page.Items) > fq.Limit {
		page.Items, page.More = page.Items[:fq.Limit], true
	}
	// A complaint's comment is the customer's first message, read for the
	// page's complaints only.
	for i := range page.Items {
		it := &page.Items[i]
		if it.Kind != FeedbackComplaint {
			continue
		}
		err := s.o.DB.R.QueryRowContext(ctx, s.q.Get("first-customer-message"), it.TicketID).Scan(&it.Comment)
		if err != nil && err != sql.ErrNoRows {
			return FeedbackPage{}, fmt.Errorf("metrics: feedback message: %w", err)
		}
	}
	return page, nil
}
