package web

import (
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/rapport/rapport/internal/quality"
	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/ticket"
)

// reviewView is the data of the review page.
type reviewView struct {
	T          ticket.Ticket
	Thread     []reviewMessage
	Rubrics    []quality.Rubric // offered: the active ones and the one in use
	Rubric     quality.Rubric
	Reviewees  []quality.Person
	RevieweeID int64
	Mine       *quality.Review // the signed-in reviewer's earlier review, if any
	Others     int             // reviews of this ticket by anyone
	Categories []scoreField
	AutoFails  []failField
	Comment    string
}

// reviewMessage is one message of the thread, with the analyzer's
// findings when it is a public reply.
type reviewMessage struct {
	ticket.Message
	Reply    bool
	Findings []reviewFinding
}

// reviewFinding is a finding in a sent reply, with the agent's dismissal
// of it in the composer, if they dismissed it.
type reviewFinding struct {
	quality.Finding
	Dismissal *quality.Dismissal
}

// scoreField is one category of the rubric form.
type scoreField struct {
	quality.Category
	Value string
	Err   string
}

// failField is one auto-fail item of the rubric form.
type failField struct {
	quality.AutoFail
	Checked bool
}

// reviewPage serves GET /tickets/{id}/review: the conversation with the
// analyzer's findings beside each reply, and the rubric form. ?rubric= and
// ?reviewee= pick the rubric and the agent reviewed.
func (s *server) reviewPage(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	q := r.URL.Query()
	return s.renderReview(w, r, rc, id, qaID(q.Get("rubric")), qaID(q.Get("reviewee")), nil)
}

// reviewSave serves POST /tickets/{id}/review and goes on to the
// calibration view, where the reviewer sees their total beside the others'.
func (s *server) reviewSave(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	in := quality.ReviewInput{
		TicketID: id, ReviewerID: rc.me.ID,
		RubricID: qaFormID(r, "rubric_id"), RevieweeID: qaFormID(r, "reviewee_id"),
		Scores: map[string]int{}, AutoFails: r.PostForm["auto_fail"], Comment: r.PostForm.Get("comment"),
	}
	for k, vs := range r.PostForm {
		key, ok := strings.CutPrefix(k, "score_")
		if !ok || len(vs) == 0 || strings.TrimSpace(vs[0]) == "" {
			continue
		}
		n, err := strconv.Atoi(strings.TrimSpace(vs[0]))
		if err != nil {
			n = -1 // out of every scale: reported as such
		}
		in.Scores[key] = n
	}
	if _, err := s.reviews.SaveReview(r.Context(), in); err != nil {
		prob, ok := s.qualityProblem(rc.lang, "review", err)
		if !ok {
			return err
		}
		return s.renderReview(w, r, rc, id, in.RubricID, in.RevieweeID, prob)
	}
	s.setFlash(w, "flash.review_saved")
	redirect(w, r, calibrationURL(id))
	return nil
}

// qaID reads a positive id from a query value; 0 otherwise.
func qaID(v string) int64 {
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 {
		return 0
	}
	return n
}

// renderReview renders the review page for the rubric and reviewee asked
// for (0: the reviewer's earlier qaOption, else the first active rubric and
// the ticket's owner); with a problem, the form comes back as submitted.
func (s *server) renderReview(w http.ResponseWriter, r *http.Request, rc *reqCtx, id, rubricID, revieweeID int64, prob *problem) error {
	ctx := r.Context()
	t, err := s.tickets.Get(ctx, id)
	if err != nil {
		return err
	}
	msgs, err := s.tickets.Messages(ctx, id)
	if err != nil {
		return err
	}
	v := reviewView{T: t}
	if v.Reviewees, err = s.reviews.Reviewees(ctx, id); err != nil {
		return err
	}
	v.RevieweeID = revieweeID
	if v.RevieweeID == 0 && len(v.Reviewees) > 0 {
		v.RevieweeID = v.Reviewees[0].ID
	}
	if v.RevieweeID != 0 {
		mine, err := s.reviews.FindReview(ctx, id, v.RevieweeID, rc.me.ID)
		switch {
		case err == nil:
			v.Mine = &mine
		case !errors.Is(err, store.ErrNotFound):
			return err
		}
	}
	all, err := s.reviews.TicketReviews(ctx, id)
	if err != nil {
		return err
	}
	v.Others = len(all)
	if rubricID == 0 && v.Mine != nil {
		rubricID = v.Mine.RubricID
	}
	rubrics, err := s.reviews.Rubrics(ctx)
	if err != nil {
		return err
	}
	for _, rb := range rubrics {
		if rb.Active || rb.ID == rubricID {
			v.Rubrics = append(v.Rubrics, rb)
		}
		if rb.ID == rubricID {
			v.Rubric = rb
		}
	}
	if v.Rubric.ID == 0 && len(v.Rubrics) > 0 {
		v.Rubric = v.Rubrics[0] // the first active one
	}

	// The form: as submitted after a problem, else the earlier review.
	var mine quality.Review
	if v.Mine != nil && v.Mine.RubricID == v.Rubric.ID {
		mine = *v.Mine
	}
	v.Comment = mine.Comment
	if prob != nil {
		v.Comment = r.PostForm.Get("comment")
	}
	for _, c := range v.Rubric.Categories {
		f := scoreField{Category: c}
		if prob != nil {
			f.Value, f.Err = r.PostForm.Get("score_"+c.Key), prob.Fields["score_"+c.Key]
		} else if n, ok := mine.Score(c.Key); ok {
			f.Value = strconv.Itoa(n)
		}
		v.Categories = append(v.Categories, f)
	}
	for _, a := range v.Rubric.AutoFails {
		f := failField{AutoFail: a, Checked: mine.HasMark(a.Key)}
		if prob != nil {
			f.Checked = slices.Contains(r.PostForm["auto_fail"], a.Key)
		}
		v.AutoFails = append(v.AutoFails, f)
	}

	// The thread, each reply read as it was sent: with the conversation
	// before it; findings its author dismissed while writing say so.
	dismissals, err := s.reviews.TicketDismissals(ctx, id)
	if err != nil {
		return err
	}
	var turns []quality.Turn
	an := s.reviews.Analyzer()
	for _, m := range msgs {
		rm := reviewMessage{Message: m, Reply: m.Kind == ticket.Reply}
		if rm.Reply {
			for _, f := range an.Analyze(ctx, quality.Input{Text: m.BodyText, Conversation: quality.Recent(turns), UILang: rc.lang, Channel: t.Channel}) {
				rf := reviewFinding{Finding: f}
				for i, d := range dismissals {
					if d.AgentID == m.AuthorAgentID && !d.CreatedAt.After(m.CreatedAt) &&
						quality.DismissedKey(d.Rule, d.Quote) == quality.DismissedKey(f.Rule, f.Quote) {
						rf.Dismissal = &dismissals[i]
					}
				}
				rm.Findings = append(rm.Findings, rf)
			}
		}
		v.Thread = append(v.Thread, rm)
		turns = append(turns, conversation([]ticket.Message{m})...)
	}

	p := s.newPage(w, r, rc, "qa.review_title")
	p.Title = p.T("qa.review_of", t.ID, t.Subject)
	p.Nav = "qa"
	status := http.StatusOK
	if prob != nil {
		p.Problem, p.Form, status = prob, r.PostForm, prob.Status
	}
	p.Data = v
	s.render(w, r, status, "qa_review", p)
	return nil
}
