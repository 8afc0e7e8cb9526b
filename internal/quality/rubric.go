package quality

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/valid"
)

// Scale is how a rubric's categories are scored.
type Scale string

// The scales.
const (
	ScalePercent Scale = "percent" // 0 to 100
	ScaleFive    Scale = "five"    // 1 to 5
)

// Scales lists the scales in display order.
var Scales = []Scale{ScalePercent, ScaleFive}

// Min is the lowest score on the scale.
func (s Scale) Min() int {
	if s == ScaleFive {
		return 1
	}
	return 0
}

// Max is the highest score on the scale.
func (s Scale) Max() int {
	if s == ScaleFive {
		return 5
	}
	return 100
}

// Percent maps a score on the scale to 0–100: on the five-point scale 1 is
// 0 and 5 is 100, so that both scales mean the same at their ends.
func (s Scale) Percent(v int) float64 {
	lo, hi := s.Min(), s.Max()
	return float64(v-lo) * 100 / float64(hi-lo)
}

func validScale(s Scale) bool { return s == ScalePercent || s == ScaleFive }

// Category is one weighted part of a rubric.
type Category struct {
	Key         string `json:"key"`
	Name        string `json:"name"`
	Weight      int    `json:"weight"`
	Description string `json:"description,omitempty"`
}

// AutoFail is an item that, when it applies, makes a review's total 0
// whatever the scores.
type AutoFail struct {
	Key         string `json:"key"`
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
}

// Rubric is a way of scoring a conversation: weighted categories on one
// scale, and auto-fail items.
type Rubric struct {
	ID          int64
	Name        string
	Description string
	Scale       Scale
	Categories  []Category
	AutoFails   []AutoFail
	Active      bool // inactive rubrics are kept for old reviews but not offered
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// WeightSum is the sum of the category weights.
func (rb Rubric) WeightSum() int {
	n := 0
	for _, c := range rb.Categories {
		n += c.Weight
	}
	return n
}

// Limits of a rubric.
const (
	maxCategories = 12
	maxAutoFails  = 12
	maxName       = 100
	maxText       = 500
	maxWeight     = 100
)

// checkRubric trims and validates rb, the new version of old (empty for a
// new rubric), giving every category and auto-fail item a key: kept when it
// has one, so reviews stay comparable across edits; otherwise made from the
// name.
func checkRubric(rb Rubric, old Rubric) (Rubric, valid.Fields) {
	errs := valid.Fields{}
	rb.Name = strings.TrimSpace(rb.Name)
	rb.Description = strings.TrimSpace(rb.Description)
	if rb.Name == "" {
		errs.Add("name", valid.Msg("valid.required", "is required"))
	} else if utf8.RuneCountInString(rb.Name) > maxName {
		errs.Add("name", valid.Msg("valid.longer_than", "is longer than %d characters", maxName))
	}
	if utf8.RuneCountInString(rb.Description) > maxText {
		errs.Add("description", valid.Msg("valid.longer_than", "is longer than %d characters", maxText))
	}
	if rb.Scale == "" {
		rb.Scale = ScalePercent
	}
	if !validScale(rb.Scale) {
		errs.Add("scale", valid.Msg("valid.choice", "must be percent or five"))
	}
	// A new category never takes the key of one the rubric had before,
	// which old reviews still carry.
	keys := map[string]bool{}
	for _, c := range old.Categories {
		keys[c.Key] = true
	}
	names := map[string]bool{}
	for i := range rb.Categories {
		c := &rb.Categories[i]
		field := "category." + strconv.Itoa(i+1)
		c.Name, c.Description, c.Key = strings.TrimSpace(c.Name), strings.TrimSpace(c.Description), strings.TrimSpace(c.Key)
		switch {
		case c.Name == "":
			errs.Add(field, valid.Msg("valid.required", "name is required"))
		case utf8.RuneCountInString(c.Name) > maxName || utf8.RuneCountInString(c.Description) > maxText:
			errs.Add(field, valid.Msg("valid.too_long", "is longer than allowed"))
		case names[strings.ToLower(c.Name)]:
			errs.Add(field, valid.Msg("rubric.valid_twice", "name is used twice"))
		case c.Weight < 1 || c.Weight > maxWeight:
			errs.Add(field, valid.Msg("rubric.valid_weight", "weight must be a whole number from 1 to 100"))
		}
		names[strings.ToLower(c.Name)] = true
		if c.Key != "" {
			keys[c.Key] = true
		}
	}
	if len(rb.Categories) == 0 {
		errs.Add("categories", valid.Msg("rubric.valid_categories", "at least one category is required"))
	} else if len(rb.Categories) > maxCategories {
		errs.Add("categories", valid.Msg("valid.too_many", "at most %d categories", maxCategories))
	}
	for i := range rb.Categories {
		if rb.Categories[i].Key == "" {
			rb.Categories[i].Key = newKey(rb.Categories[i].Name, "c", keys)
		}
	}
	keys = map[string]bool{}
	for _, a := range old.AutoFails {
		keys[a.Key] = true
	}
	names = map[string]bool{}
	for i := range rb.AutoFails {
		a := &rb.AutoFails[i]
		field := "auto_fail." + strconv.Itoa(i+1)
		a.Name, a.Description, a.Key = strings.TrimSpace(a.Name), strings.TrimSpace(a.Description), strings.TrimSpace(a.Key)
		switch {
		case a.Name == "":
			errs.Add(field, valid.Msg("valid.required", "name is required"))
		case utf8.RuneCountInString(a.Name) > maxName || utf8.RuneCountInString(a.Description) > maxText:
			errs.Add(field, valid.Msg("valid.too_long", "is longer than allowed"))
		case names[strings.ToLower(a.Name)]:
			errs.Add(field, valid.Msg("rubric.valid_twice", "name is used twice"))
		}
		names[strings.ToLower(a.Name)] = true
		if a.Key != "" {
			keys[a.Key] = true
		}
	}
	if len(rb.AutoFails) > maxAutoFails {
		errs.Add("auto_fails", valid.Msg("valid.too_many", "at most %d auto-fail items", maxAutoFails))
	}
	for i := range rb.AutoFails {
		if rb.AutoFails[i].Key == "" {
			rb.AutoFails[i].Key = newKey(rb.AutoFails[i].Name, "f", keys)
		}
	}
	return rb, errs
}

// newKey makes a key from name (its ASCII letters and digits, "_" between
// words), or prefix plus a number when the name has none, unused in taken.
func newKey(name, prefix string, taken map[string]bool) string {
	var b strings.Builder
	gap := false
	for _, r := range strings.ToLower(name) {
		switch {
		case r >= 'a' && r <= 'z' || r >= '0' && r <= '9':
			if gap && b.Len() > 0 {
				b.WriteByte('_')
			}
			b.WriteRune(r)
			gap = false
		default:
			gap = true
		}
		if b.Len() >= 40 {
			break
		}
	}
	base := b.String()
	key := base
	if base == "" {
		key = prefix + "1"
	}
	for n := 2; taken[key]; n++ {
		if base == "" {
			key = prefix + strconv.Itoa(n)
		} else {
			key = base + "_" + strconv.Itoa(n)
		}
	}
	taken[key] = true
	return key
}

// SaveRubric creates rb (ID 0) or replaces the stored rubric rb.ID.
// Reviews already made keep the categories they were scored on. A name in
// use gives store.ErrConflict; an unknown id store.ErrNotFound.
func (r *Reviews) SaveRubric(ctx context.Context, rb Rubric) (Rubric, error) {
	var old Rubric
	if rb.ID != 0 {
		var err error
		if old, err = r.Rubric(ctx, rb.ID); err != nil {
			return Rubric{}, err
		}
	}
	rb, errs := checkRubric(rb, old)
	if err := errs.Err(); err != nil {
		return Rubric{}, err
	}
	cats, err := json.Marshal(rb.Categories)
	if err != nil {
		return Rubric{}, err
	}
	fails := []byte("[]")
	if len(rb.AutoFails) > 0 {
		if fails, err = json.Marshal(rb.AutoFails); err != nil {
			return Rubric{}, err
		}
	}
	now := store.Millis(r.now())
	if rb.ID == 0 {
		err = r.o.DB.W.QueryRowContext(ctx, r.q.Get("insert-rubric"), rb.Name, rb.Description, string(rb.Scale),
			string(cats), string(fails), rb.Active, now).Scan(&rb.ID)
	} else {
		var res sql.Result
		res, err = r.o.DB.W.ExecContext(ctx, r.q.Get("update-rubric"), rb.ID, rb.Name, rb.Description, string(rb.Scale),
			string(cats), string(fails), rb.Active, now)
		if err == nil {
			if n, _ := res.RowsAffected(); n == 0 {
				err = store.ErrNotFound
			}
		}
	}
	if err != nil {
		if store.IsUniqueViolation(err) {
			err = store.ErrConflict
		}
		return Rubric{}, fmt.Errorf("quality: save rubric %q: %w", rb.Name, err)
	}
	return r.Rubric(ctx, rb.ID)
}

// Rubric returns rubric id, or store.ErrNotFound.
func (r *Reviews) Rubric(ctx context.Context, id int64) (Rubric, error) {
	rb, err := scanRubric(r.o.DB.R.QueryRowContext(ctx, r.q.Get("get-rubric"), id))
	if errors.Is(err, sql.ErrNoRows) {
		err = store.ErrNotFound
	}
	if err != nil {
		return Rubric{}, fmt.Errorf("quality: rubric %d: %w", id, err)
	}
	return rb, nil
}

// Rubrics returns every rubric, the active ones first, by name.
func (r *Reviews) Rubrics(ctx context.Context) ([]Rubric, error) {
	rows, err := r.o.DB.R.QueryContext(ctx, r.q.Get("list-rubrics"))
	if err != nil {
		return nil, fmt.Errorf("quality: rubrics: %w", err)
	}
	defer rows.Close()
	out := []Rubric{}
	for rows.Next() {
		rb, err := scanRubric(rows)
		if err != nil {
			return nil, fmt.Errorf("quality: rubrics: %w", err)
		}
		out = append(out, rb)
	}
	return out, rows.Err()
}

type scanner interface{ Scan(dest ...any) error }

func scanRubric(sc scanner) (Rubric, error) {
	var rb Rubric
	var scale, cats, fails string
	var created, updated int64
	if err := sc.Scan(&rb.ID, &rb.Name, &rb.Description, &scale, &cats, &fails, &rb.Active, &created, &updated); err != nil {
		return Rubric{}, err
	}
	rb.Scale, rb.CreatedAt, rb.UpdatedAt = Scale(scale), store.Time(created), store.Time(updated)
	if err := json.Unmarshal([]byte(cats), &rb.Categories); err != nil {
		return Rubric{}, fmt.Errorf("rubric %d categories: %w", rb.ID, err)
	}
	if err := json.Unmarshal([]byte(fails), &rb.AutoFails); err != nil {
		return Rubric{}, fmt.Errorf("rubric %d auto-fails: %w", rb.ID, err)
	}
	return rb, nil
}
