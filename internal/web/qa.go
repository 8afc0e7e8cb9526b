package web

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/rapport/rapport/internal/agent"
	"github.com/rapport/rapport/internal/quality"
)

// qaView is the data of the QA page.
type qaView struct {
	Reviews      []quality.Review
	ToReview     []quality.ToReview
	Calibrations []quality.CalibrationItem
	Agents       []agent.Agent
	ByRule       []quality.RuleDismissals // the last dismissalDays
	Dismissals   []quality.Dismissal      // the latest, with notes
	Reasons      []string
	Days         int
}

// dismissalDays is how far back the QA page counts dismissed findings.
const dismissalDays = 90

// qaPage serves GET /qa: the latest reviews, tickets waiting for one,
// calibrations, every agent's scorecard, and which analyzer rules agents
// dismiss and why.
func (s *server) qaPage(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	ctx := r.Context()
	v := qaView{Reasons: quality.DismissReasons, Days: dismissalDays}
	var err error
	if v.Reviews, err = s.reviews.RecentReviews(ctx, 30); err != nil {
		return err
	}
	if v.ToReview, err = s.reviews.ToReview(ctx, 15); err != nil {
		return err
	}
	if v.Calibrations, err = s.reviews.Calibrations(ctx, 15); err != nil {
		return err
	}
	if v.ByRule, err = s.reviews.DismissalsByRule(ctx, s.clock.Now().Add(-dismissalDays*24*time.Hour)); err != nil {
		return err
	}
	if v.Dismissals, err = s.reviews.RecentDismissals(ctx, 15); err != nil {
		return err
	}
	agents, err := s.agentsByName(ctx, rc.lang)
	if err != nil {
		return err
	}
	for _, a := range agents {
		if a.Active {
			v.Agents = append(v.Agents, a)
		}
	}
	p := s.newPage(w, r, rc, "qa.title")
	p.Nav = "qa"
	p.Data = v
	s.render(w, r, http.StatusOK, "qa", p)
	return nil
}

// qaPick serves GET /qa/review?ticket=N, the QA page's "review a ticket by
// number" form.
func (s *server) qaPick(w http.ResponseWriter, r *http.Request, _ *reqCtx) error {
	n, err := strconv.ParseInt(strings.TrimPrefix(strings.TrimSpace(r.URL.Query().Get("ticket")), "#"), 10, 64)
	if err != nil || n <= 0 {
		redirect(w, r, "/qa")
		return nil
	}
	redirect(w, r, ticketURL(n)+"/review")
	return nil
}
