package web

import (
	"errors"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/rapport/rapport/internal/agent"
	"github.com/rapport/rapport/internal/metrics"
	"github.com/rapport/rapport/internal/ticket"
	"github.com/rapport/rapport/internal/valid"
)

// feedbackView is the data of the feedback record.
type feedbackView struct {
	Q          metrics.FeedbackQuery
	F          metrics.Filter
	Page       metrics.FeedbackPage
	Teams      []agent.Team
	Agents     []agent.Agent
	Channels   []string
	Presets    []int
	From, To   string
	NewerURL   string
	OlderURL   string
	ExportURL  string
	BadInput   string
	ScoreNames []int
}

// feedbackQuery reads the record's filters; wrong ones are dropped and named.
func (s *server) feedbackQuery(r *http.Request) (metrics.FeedbackQuery, metrics.Filter, string, error) {
	now := s.clock.Now()
	loc, err := s.metrics.Zone(r.Context())
	if err != nil {
		return metrics.FeedbackQuery{}, metrics.Filter{}, "", err
	}
	q, f, err := metrics.ParseFeedbackQuery(r.URL.Query(), now, loc)
	if err == nil {
		return q, f, "", nil
	}
	var ve valid.Errors
	if !errors.As(err, &ve) {
		return q, f, "", err
	}
	fields := make([]string, 0, len(ve))
	clean := url.Values{}
	for k, vals := range r.URL.Query() {
		if _, bad := ve[k]; !bad {
			clean[k] = vals
		}
	}
	for k := range ve {
		fields = append(fields, k)
	}
	sort.Strings(fields)
	if q, f, err = metrics.ParseFeedbackQuery(clean, now, loc); err != nil {
		// What is left still fails together (a custom period without its
		// dates): start over.
		q, f, err = metrics.ParseFeedbackQuery(url.Values{}, now, loc)
	}
	return q, f, strings.Join(fields, ", "), err
}

// feedbackValues is q as query parameters.
func feedbackValues(q metrics.FeedbackQuery, f metrics.Filter) url.Values {
	v := f.Query()
	v.Del("language")
	set := func(k, val string) {
		if val != "" {
			v.Set(k, val)
		}
	}
	set("mode", q.Mode)
	set("kind", q.Kind)
	if q.Score > 0 {
		v.Set("score", strconv.Itoa(q.Score))
	}
	if q.HasComment {
		v.Set("comment", "1")
	}
	set("q", q.Text)
	return v
}

// feedbackPage serves GET /feedback: every survey answer and complaint,
// filtered, newest first, a page at a time.
func (s *server) feedbackPage(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	ctx := r.Context()
	q, f, bad, err := s.feedbackQuery(r)
	if err != nil {
		return err
	}
	res, err := s.metrics.Feedback(ctx, q)
	if err != nil {
		return err
	}
	p := s.newPage(w, r, rc, "feedback.title")
	p.Nav = "feedback"
	v := feedbackView{Q: q, F: f, Page: res, Channels: ticket.Channels, Presets: metrics.Presets, BadInput: bad,
		From: f.From.Format(time.DateOnly), To: f.To.AddDate(0, 0, -1).Format(time.DateOnly), ScoreNames: []int{1, 2, 3, 4, 5}}
	if v.Teams, err = s.teamsByName(ctx, rc.lang); err != nil {
		return err
	}
	if v.Agents, err = s.agentsByName(ctx, rc.lang); err != nil {
		return err
	}
	vals := feedbackValues(q, f)
	v.ExportURL = "/feedback.csv?" + vals.Encode()
	if q.Page > 1 {
		vals.Set("page", strconv.Itoa(q.Page-1))
		v.NewerURL = "/feedback?" + vals.Encode()
	}
	if res.More {
		vals.Set("page", strconv.Itoa(q.Page+1))
		v.OlderURL = "/feedback?" + vals.Encode()
	}
	p.Data = v
	s.render(w, r, http.StatusOK, "feedback", p)
	return nil
}

// feedbackExport serves GET /feedback.csv: the whole filtered record (up
// to metrics.MaxFeedbackExport entries).
func (s *server) feedbackExport(w http.ResponseWriter, r *http.Request, _ *reqCtx) error {
	q, f, _, err := s.feedbackQuery(r)
	if err != nil {
		return err
	}
	q.Page, q.Limit = 1, metrics.MaxFeedbackExport
	res, err := s.metrics.Feedback(r.Context(), q)
	if err != nil {
		return err
	}
	if err := s.recordExport(r); err != nil {
		return err
	}
	cw := startCSV(w, "feedback-"+f.From.Format("2006-01-02")+".csv")
	cw.Write([]string{"kind", "at", "ticket_id", "subject", "csat", "nps", "comment", "customer_id", "customer",
		"agent_id", "agent", "channel", "mode"})
	for _, it := range res.Items {
		csat, nps := "", ""
		if it.CSAT > 0 {
			csat = strconv.Itoa(it.CSAT)
		}
		if it.NPS >= 0 {
			nps = strconv.Itoa(it.NPS)
		}
		mode := "written"
		if !it.Written() {
			mode = "oral"
		}
		cw.Write([]string{it.Kind, it.At.Format(time.RFC3339), strconv.FormatInt(it.TicketID, 10), csvCell(it.Subject), csat, nps,
			csvCell(it.Comment), strconv.FormatInt(it.CustomerID, 10), csvCell(it.CustomerName),
			strconv.FormatInt(it.AgentID, 10), csvCell(it.AgentName), it.Channel, mode})
	}
	cw.Flush()
	return cw.Error()
}
