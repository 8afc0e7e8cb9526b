package churn

import (
	"errors"
	"fmt"
	"io"
	"math"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/rapport/rapport/internal/csvtable"
)

// TableOpts configures ReadTable.
type TableOpts struct {
	// Label is the name of the label column (required).
	Label string
	// Ignore names columns to leave out.
	Ignore []string
	// MaxCategories caps the categories one text column keeps (default
	// 10); the rest are grouped as "other".
	MaxCategories int
	// MinCategoryCount is the fewest rows a category needs to keep its own
	// feature (default 5); rarer ones are grouped as "other".
	MinCategoryCount int
}

// SkippedColumn is a column of the file that is not a feature, and why.
type SkippedColumn struct {
	Name   string
	Reason string
}

// Table is a CSV file read as a feature matrix for the churn model.
type Table struct {
	// Names are the features: numeric columns by name, their missing-value
	// indicators as "NAME (missing)", text categories as "NAME=VALUE".
	Names []string
	// X holds Rows rows of len(Names) values, row-major.
	X []float64
	// Y is the label of each row (true = churned / 1 / yes).
	Y []bool
	// Rows is the number of data rows; Positives how many are labelled 1.
	Rows, Positives int
	// Label is the label column as written in the header.
	Label string
	// Skipped lists the columns that are not features, with the reason.
	Skipped []SkippedColumn
	// Reference names, per one-hot encoded column, the category left out
	// as the baseline (the most frequent one).
	Reference map[string]string
}

// numberPattern is a plain decimal number, '.' as the separator and an
// optional exponent; "1,5", "NaN" and "Inf" are text.
var numberPattern = regexp.MustCompile(`^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?$`)

func parseNumber(s string) (float64, bool) {
	if !numberPattern.MatchString(s) {
		return 0, false
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsInf(v, 0) {
		return 0, false
	}
	return v, true
}

// parseLabel reads a label value: 1/0, true/false, yes/no, y/n, t/f,
// churned/retained (or not churned, stayed, active).
func parseLabel(s string) (bool, bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "1", "1.0", "true", "t", "yes", "y", "churned", "churn":
		return true, true
	case "0", "0.0", "false", "f", "no", "n", "retained", "stayed", "active", "not churned", "not_churned":
		return false, true
	}
	return false, false
}

// idWords are the words that, in a column's name, mark an identifier.
var idWords = map[string]bool{"id": true, "uuid": true, "guid": true, "key": true, "code": true, "number": true, "num": true}

// idLikeName reports whether a header looks like an identifier's:
// "id", "customer_id", "CustomerID", "account number".
func idLikeName(name string) bool {
	var words []string
	var cur []rune
	prevLower := false
	for _, r := range name {
		switch {
		case !unicode.IsLetter(r) && !unicode.IsDigit(r):
			words, cur = append(words, string(cur)), cur[:0]
		case unicode.IsUpper(r) && prevLower:
			words, cur = append(words, string(cur)), append(cur[:0], unicode.ToLower(r))
		default:
			cur = append(cur, unicode.ToLower(r))
		}
		prevLower = unicode.IsLower(r)
	}
	words = append(words, string(cur))
	for _, w := range words {
		if idWords[w] {
			return true
		}
	}
	return false
}

// blankCategory is the category of a blank text cell.
const blankCategory = "(blank)"

// otherCategory groups the rare categories of a text column.
const otherCategory = "other"

// maxNameLen bounds a category's length in feature names.
const maxNameLen = 40

// ReadTable reads a CSV file with a header line into a feature matrix:
// numeric columns as numbers (blanks take the column mean plus an
// indicator column), text columns one-hot encoded against their most
// frequent category (blanks their own category, rare ones "other"),
// columns in opts.Ignore left out, and a column unique on every row (an
// identifier) skipped. Errors name the line.
func ReadTable(r io.Reader, opts TableOpts) (*Table, error) {
	if opts.Label == "" {
		return nil, errors.New("churn: table: no label column given")
	}
	if opts.MaxCategories <= 0 {
		opts.MaxCategories = 10
	}
	if opts.MinCategoryCount <= 0 {
		opts.MinCategoryCount = 5
	}
	cr, err := csvtable.NewReader(r)
	if err != nil {
		return nil, fmt.Errorf("churn: table: %w", err)
	}
	header := cr.Header()
	for i := range header {
		if !utf8.ValidString(header[i]) {
			return nil, fmt.Errorf("churn: table: line 1: column %d's name is not UTF-8", i+1)
		}
		if header[i] == "" {
			return nil, fmt.Errorf("churn: table: line 1: column %d has no name", i+1)
		}
	}
	labelCol := cr.Column(opts.Label)
	if labelCol < 0 {
		return nil, fmt.Errorf("churn: table: no label column %q in header %q", opts.Label, strings.Join(header, ","))
	}
	ignored := make([]bool, len(header))
	for _, name := range opts.Ignore {
		if strings.TrimSpace(name) == "" {
			continue
		}
		j := cr.Column(name)
		if j < 0 {
			return nil, fmt.Errorf("churn: table: --ignore names %q, which is not in the header", name)
		}
		if j == labelCol {
			return nil, fmt.Errorf("churn: table: cannot ignore the label column %q", name)
		}
		ignored[j] = true
	}

	t := &Table{Label: header[labelCol], Reference: map[string]string{}}
	cells := make([][]string, len(header)) // by column, then row
	for {
		rec, line, err := cr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("churn: table: %w", err)
		}
		lv := rec[labelCol]
		y, ok := parseLabel(lv)
		if !ok {
			return nil, fmt.Errorf("churn: table: line %d: label %q in column %q is not 1/0, true/false, yes/no or churned/retained", line, lv, t.Label)
		}
		t.Y = append(t.Y, y)
		if y {
			t.Positives++
		}
		for j, c := range rec {
			if j == labelCol || ignored[j] {
				continue
			}
			if !utf8.ValidString(c) {
				return nil, fmt.Errorf("churn: table: line %d: column %q is not UTF-8", line, header[j])
			}
			cells[j] = append(cells[j], c)
		}
	}
	t.Rows = len(t.Y)
	if t.Rows == 0 {
		return nil, errors.New("churn: table: no data rows after the header")
	}

	// Each column becomes zero or more feature columns.
	var cols [][]float64
	for j, name := range header {
		switch {
		case j == labelCol:
			continue
		case ignored[j]:
			t.Skipped = append(t.Skipped, SkippedColumn{name, "ignored (--ignore)"})
			continue
		}
		names, values, ref, skip := encodeColumn(name, cells[j], opts)
		if skip != "" {
			t.Skipped = append(t.Skipped, SkippedColumn{name, skip})
			continue
		}
		if ref != "" {
			t.Reference[name] = ref
		}
		t.Names = append(t.Names, names...)
		cols = append(cols, values...)
	}
	p := len(t.Names)
	t.X = make([]float64, t.Rows*p)
	for k, col := range cols {
		for i, v := range col {
			t.X[i*p+k] = v
		}
	}
	return t, nil
}

// encodeColumn turns one column's cells into feature columns, or gives
// the reason it is skipped; ref is a text column's baseline category.
func encodeColumn(name string, cells []string, opts TableOpts) (names []string, values [][]float64, ref, skip string) {
	n := len(cells)
	numeric := true
	blanks := 0
	nums := make([]float64, n)
	distinct := make(map[string]int, 16)
	for i, c := range cells {
		distinct[c]++
		if c == "" {
			blanks++
			continue
		}
		v, ok := parseNumber(c)
		if !ok {
			numeric = false
		}
		nums[i] = v
	}
	if blanks == n {
		return nil, nil, "", "empty: every value is blank"
	}
	unique := n >= 2 && blanks == 0 && len(distinct) == n
	if numeric {
		if unique && allIntegers(nums) && (idLikeName(name) || consecutive(nums)) {
			return nil, nil, "", "identifier: a distinct whole number on every row"
		}
		// The mean of the values present stands in for a blank.
		var sum float64
		for i, c := range cells {
			if c != "" {
				sum += nums[i]
			}
		}
		mean := sum / float64(n-blanks)
		var miss []float64
		if blanks > 0 {
			miss = make([]float64, n)
		}
		lo, hi := math.Inf(1), math.Inf(-1)
		for i, c := range cells {
			if c == "" {
				nums[i] = mean
				miss[i] = 1
			}
			lo, hi = math.Min(lo, nums[i]), math.Max(hi, nums[i])
		}
		if lo == hi && blanks == 0 {
			return nil, nil, "", "constant: every row has the same value"
		}
		if lo == hi {
			// Only the blanks vary: the indicator carries everything.
			return []string{name + " (missing)"}, [][]float64{miss}, "", ""
		}
		if blanks > 0 {
			return []string{name, name + " (missing)"}, [][]float64{nums, miss}, "", ""
		}
		return []string{name}, [][]float64{nums}, "", ""
	}
	if unique {
		return nil, nil, "", "identifier: a distinct value on every row"
	}
	levels := categories(cells, opts)
	ref = referenceOf(cells, opts)
	for _, lv := range levels {
		if lv == ref {
			continue
		}
		col := make([]float64, n)
		for i, c := range cells {
			if categoryOf(c, levels) == lv {
				col[i] = 1
			}
		}
		names = append(names, name+"="+shorten(lv))
		values = append(values, col)
	}
	if len(names) == 0 {
		return nil, nil, "", "constant: every row has the same category"
	}
	return names, values, ref, ""
}

// categories returns a text column's kept categories, most frequent first:
// up to MaxCategories with at least MinCategoryCount rows, "(blank)" when
// any cell is blank, and "other" when anything else is left.
func categories(cells []string, opts TableOpts) []string {
	count := map[string]int{}
	for _, c := range cells {
		count[c]++
	}
	type kv struct {
		k string
		n int
	}
	var all []kv
	for k, n := range count {
		if k != "" {
			all = append(all, kv{k, n})
		}
	}
	sort.Slice(all, func(a, b int) bool {
		if all[a].n != all[b].n {
			return all[a].n > all[b].n
		}
		return all[a].k < all[b].k
	})
	var keep []string
	rest := 0
	for _, e := range all {
		if len(keep) < opts.MaxCategories && e.n >= opts.MinCategoryCount && e.k != otherCategory && e.k != blankCategory {
			keep = append(keep, e.k)
		} else {
			rest += e.n
		}
	}
	if count[""] > 0 {
		keep = append(keep, blankCategory)
	}
	if rest > 0 {
		keep = append(keep, otherCategory)
	}
	return keep
}

// categoryOf maps a cell to its kept category.
func categoryOf(c string, levels []string) string {
	if c == "" {
		return blankCategory
	}
	if c != otherCategory && c != blankCategory && slices.Contains(levels, c) {
		return c
	}
	return otherCategory
}

// referenceOf is the most frequent kept category, left out of the
// one-hot encoding as the baseline.
func referenceOf(cells []string, opts TableOpts) string {
	levels := categories(cells, opts)
	count := map[string]int{}
	for _, c := range cells {
		count[categoryOf(c, levels)]++
	}
	best := ""
	for _, lv := range levels {
		if best == "" || count[lv] > count[best] {
			best = lv
		}
	}
	return best
}

func shorten(s string) string {
	if utf8.RuneCountInString(s) <= maxNameLen {
		return s
	}
	r := []rune(s)
	return string(r[:maxNameLen-1]) + "…"
}

func allIntegers(v []float64) bool {
	for _, x := range v {
		if x != math.Trunc(x) {
			return false
		}
	}
	return true
}

// consecutive reports whether distinct integers form a run (1, 2, … n in
// any order), as row numbers do.
func consecutive(v []float64) bool {
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, x := range v {
		lo, hi = math.Min(lo, x), math.Max(hi, x)
	}
	return hi-lo == float64(len(v)-1)
}
