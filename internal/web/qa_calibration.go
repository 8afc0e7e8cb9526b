package web

import (
	"net/http"
	"strconv"

	"github.com/rapport/rapport/internal/quality"
	"github.com/rapport/rapport/internal/ticket"
)

// calibrationView is the data of the calibration page.
type calibrationView struct {
	T      ticket.Ticket
	Groups []calibrationGroup
}

// calibrationGroup is the reviews of one agent on the ticket, side by side.
type calibrationGroup struct {
	quality.Calibration
	Rows []calibrationRow
	Cols int // columns of the table, for a comment's row
}

// calibrationRow is one reviewer's review: a cell per category of the
// group, in the order of Calibration.Categories.
type calibrationRow struct {
	quality.Review
	Cells []string
}

// calibrationURL is the calibration view of ticket id.
func calibrationURL(id int64) string { return ticketURL(id) + "/calibration" }

// calibrationPage serves GET /tickets/{id}/calibration: every review of the
// ticket, by agent reviewed, with each reviewer's scores, the spread of the
// totals (highest minus lowest) and their standard deviation, and how far
// apart the reviewers were on each category.
func (s *server) calibrationPage(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	t, err := s.tickets.Get(r.Context(), id)
	if err != nil {
		return err
	}
	cals, err := s.reviews.Calibrate(r.Context(), id)
	if err != nil {
		return err
	}
	p := s.newPage(w, r, rc, "qa.calibration_title")
	p.Title = p.T("qa.calibration_of", t.ID, t.Subject)
	p.Nav = "qa"
	v := calibrationView{T: t}
	for _, c := range cals {
		g := calibrationGroup{Calibration: c, Cols: len(c.Categories) + 3}
		for _, rv := range c.Reviews {
			row := calibrationRow{Review: rv}
			for _, cat := range c.Categories {
				cell := "—"
				if n, ok := rv.Score(cat.Key); ok {
					cell = strconv.Itoa(n)
					if rv.Scale == quality.ScaleFive {
						cell = p.T("qa.of_five", n)
					}
				}
				row.Cells = append(row.Cells, cell)
			}
			g.Rows = append(g.Rows, row)
		}
		v.Groups = append(v.Groups, g)
	}
	p.Data = v
	s.render(w, r, http.StatusOK, "qa_calibration", p)
	return nil
}
