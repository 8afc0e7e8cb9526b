package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/rapport/rapport/internal/quality"
)

// blankCategoryRows and blankFailRows are the empty rows the rubric form
// offers for new categories and auto-fail items; without JavaScript there
// is no "add a row" button, so a few are always there.
const (
	blankCategoryRows = 3
	blankFailRows     = 2
)

// adminRubricsView is the data of the rubrics list.
type adminRubricsView struct {
	Rubrics []quality.Rubric
}

// adminRubricView is the data of the rubric form, new or existing.
type adminRubricView struct {
	R          quality.Rubric
	New        bool
	Action     string
	Scales     []quality.Scale
	Categories []rubricRow
	AutoFails  []rubricRow
}

// rubricRow is one category or auto-fail row of the form.
type rubricRow struct {
	Key, Name, Weight, Description string
	Err                            string
}

// adminRubricURL is the admin page of rubric id.
func adminRubricURL(id int64) string { return "/admin/rubrics/" + strconv.FormatInt(id, 10) }

// adminRubrics serves GET /admin/rubrics.
func (s *server) adminRubrics(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	rubrics, err := s.rubricsByName(r.Context(), rc.lang)
	if err != nil {
		return err
	}
	p := s.newPage(w, r, rc, "rubric.list_title")
	p.Nav = "qa"
	p.Data = adminRubricsView{Rubrics: rubrics}
	s.render(w, r, http.StatusOK, "admin_rubrics", p)
	return nil
}

// adminRubricNew serves GET /admin/rubrics/new: an empty rubric form.
func (s *server) adminRubricNew(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	return s.renderRubric(w, r, rc, quality.Rubric{Scale: quality.ScalePercent, Active: true}, nil)
}

// adminRubricPage serves GET /admin/rubrics/{id}.
func (s *server) adminRubricPage(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	rb, err := s.reviews.Rubric(r.Context(), id)
	if err != nil {
		return err
	}
	return s.renderRubric(w, r, rc, rb, nil)
}

// adminRubricCreate serves POST /admin/rubrics.
func (s *server) adminRubricCreate(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	return s.saveRubric(w, r, rc, 0)
}

// adminRubricUpdate serves POST /admin/rubrics/{id}.
func (s *server) adminRubricUpdate(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	return s.saveRubric(w, r, rc, id)
}

// saveRubric stores the posted rubric as rubric id (0: a new one).
func (s *server) saveRubric(w http.ResponseWriter, r *http.Request, rc *reqCtx, id int64) error {
	rb, cats, fails := parseRubric(r.PostForm)
	rb.ID = id
	saved, err := s.reviews.SaveRubric(r.Context(), rb)
	if err != nil {
		prob, ok := s.asProblem(rc.lang, "rubric", err)
		if !ok {
			return err
		}
		return s.renderRubric(w, r, rc, rb, prob, cats, fails)
	}
	s.setFlash(w, "flash.rubric_saved")
	redirect(w, r, adminRubricURL(saved.ID))
	return nil
}

// parseRubric reads the rubric form. Rows left blank are skipped; the
// returned row numbers (1-based, in form order) of the kept categories and
// auto-fail items let errors find their way back to their rows.
func parseRubric(f url.Values) (rb quality.Rubric, cats, fails []int) {
	rb = quality.Rubric{
		Name: f.Get("name"), Description: f.Get("description"),
		Scale: quality.Scale(f.Get("scale")), Active: f.Get("active") != "",
	}
	names, weights, descs, keys := f["cat_name"], f["cat_weight"], f["cat_desc"], f["cat_key"]
	for i := range names {
		name, weight, desc := names[i], formAt(weights, i), formAt(descs, i)
		if strings.TrimSpace(name+weight+desc) == "" {
			continue
		}
		n, err := strconv.Atoi(strings.TrimSpace(weight))
		if err != nil {
			n = 0 // reported as a bad weight
		}
		rb.Categories = append(rb.Categories, quality.Category{Key: formAt(keys, i), Name: name, Weight: n, Description: desc})
		cats = append(cats, i+1)
	}
	names, descs, keys = f["fail_name"], f["fail_desc"], f["fail_key"]
	for i := range names {
		if strings.TrimSpace(names[i]+formAt(descs, i)) == "" {
			continue
		}
		rb.AutoFails = append(rb.AutoFails, quality.AutoFail{Key: formAt(keys, i), Name: names[i], Description: formAt(descs, i)})
		fails = append(fails, i+1)
	}
	return rb, cats, fails
}

// formAt is list[i], or "" past its end.
func formAt(list []string, i int) string {
	if i < len(list) {
		return list[i]
	}
	return ""
}

// renderRubric renders the rubric form for rb. After a problem, rows holds
// the form rows of rb's categories and auto-fail items (see parseRubric),
// so that each error shows on the row it is about.
func (s *server) renderRubric(w http.ResponseWriter, r *http.Request, rc *reqCtx, rb quality.Rubric, prob *problem, rows ...[]int) error {
	p := s.newPage(w, r, rc, "rubric.new_title")
	if rb.ID != 0 {
		p.Title = rb.Name
	}
	p.Nav = "qa"
	v := adminRubricView{R: rb, New: rb.ID == 0, Action: "/admin/rubrics", Scales: quality.Scales}
	if rb.ID != 0 {
		v.Action = adminRubricURL(rb.ID)
	}
	rowErr := func(prefix string, i int) string {
		if prob == nil {
			return ""
		}
		return prob.Fields[prefix+strconv.Itoa(i+1)]
	}
	for i, c := range rb.Categories {
		weight := ""
		if c.Weight > 0 {
			weight = strconv.Itoa(c.Weight)
		}
		v.Categories = append(v.Categories, rubricRow{Key: c.Key, Name: c.Name, Weight: weight,
			Description: c.Description, Err: rowErr("category.", i)})
	}
	for i, a := range rb.AutoFails {
		v.AutoFails = append(v.AutoFails, rubricRow{Key: a.Key, Name: a.Name, Description: a.Description,
			Err: rowErr("auto_fail.", i)})
	}
	if prob != nil && len(rows) == 2 {
		// A weight that was not a number comes back as typed.
		weights := r.PostForm["cat_weight"]
		for i, row := range rows[0] {
			if i < len(v.Categories) {
				v.Categories[i].Weight = formAt(weights, row-1)
			}
		}
	}
	for range blankCategoryRows {
		v.Categories = append(v.Categories, rubricRow{})
	}
	for range blankFailRows {
		v.AutoFails = append(v.AutoFails, rubricRow{})
	}
	status := http.StatusOK
	if prob != nil {
		p.Problem, p.Form, status = prob, r.PostForm, prob.Status
	}
	p.Data = v
	s.render(w, r, status, "admin_rubric", p)
	return nil
}
