package loyalty

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Unit is the time unit of recency, T and the prediction horizon.
type Unit string

// The time units summaries can be made in.
const (
	Days  Unit = "days"
	Weeks Unit = "weeks"
)

// days is the length of the unit in days.
func (u Unit) days() (float64, error) {
	switch u {
	case Days, "":
		return 1, nil
	case Weeks:
		return 7, nil
	}
	return 0, fmt.Errorf("loyalty: unknown time unit %q (want days or weeks)", u)
}

// Transaction is one purchase.
type Transaction struct {
	Customer string
	// Day is the calendar day of the purchase, at midnight UTC.
	Day    time.Time
	Amount float64
}

// LineError is a line of a CSV file that could not be read.
type LineError struct {
	Line int
	Err  error
}

func (e *LineError) Error() string { return fmt.Sprintf("line %d: %v", e.Line, e.Err) }
func (e *LineError) Unwrap() error { return e.Err }

// ErrBadLines is wrapped by the error of a read that met unreadable lines
// and was not asked to skip them.
var ErrBadLines = errors.New("loyalty: unreadable lines")

// CSVOpts says how to read a CSV file. Column names are matched without
// regard to case or surrounding space.
type CSVOpts struct {
	// CustomerCol, DateCol and AmountCol name the columns of a
	// transactions file; they default to customer_id, date and amount.
	CustomerCol, DateCol, AmountCol string
	// SkipBadLines keeps going past unreadable lines, which are then
	// returned alongside the data; without it one bad line fails the read.
	SkipBadLines bool
}

func (o CSVOpts) withDefaults() CSVOpts {
	if o.CustomerCol == "" {
		o.CustomerCol = "customer_id"
	}
	if o.DateCol == "" {
		o.DateCol = "date"
	}
	if o.AmountCol == "" {
		o.AmountCol = "amount"
	}
	return o
}

// maxReportedLines bounds how many bad lines an error lists.
const maxReportedLines = 10

// badLinesError summarises the bad lines of a file that fails whole.
func badLinesError(bad []LineError) error {
	var b strings.Builder
	fmt.Fprintf(&b, "%d", len(bad))
	for i, e := range bad {
		if i == maxReportedLines {
			fmt.Fprintf(&b, "; …")
			break
		}
		fmt.Fprintf(&b, "; %s", e.Error())
	}
	return fmt.Errorf("%w: %s", ErrBadLines, b.String())
}

// csvTable reads a CSV file with a header, giving the column index of each
// wanted name and calling row for each record with its line number.
func csvTable(r io.Reader, want []string, row func(line int, rec []string) error, bad *[]LineError) error {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	header, err := cr.Read()
	if err == io.EOF {
		return errors.New("loyalty: empty file, want a header line")
	}
	if err != nil {
		return fmt.Errorf("loyalty: read header: %w", err)
	}
	header = slices.Clone(header) // ReuseRecord would overwrite it
	cols := make([]int, len(want))
	for i, w := range want {
		cols[i] = -1
		for j, h := range header {
			if j == 0 {
				h = strings.TrimPrefix(h, "\ufeff")
			}
			if strings.EqualFold(strings.TrimSpace(h), w) {
				cols[i] = j
				break
			}
		}
		if cols[i] < 0 {
			return fmt.Errorf("loyalty: no column %q in header %q", w, strings.Join(header, ","))
		}
	}
	fields := make([]string, len(want))
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			return nil
		}
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			*bad = append(*bad, LineError{Line: pe.StartLine, Err: pe.Err})
			continue
		}
		if err != nil {
			return fmt.Errorf("loyalty: read: %w", err)
		}
		line, _ := cr.FieldPos(0)
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue
		}
		// A line with more or fewer fields than the header is most likely
		// a decimal comma or a stray separator; reading it by position
		// would take the wrong values.
		if len(rec) != len(header) {
			*bad = append(*bad, LineError{Line: line, Err: fmt.Errorf("%d fields, the header has %d", len(rec), len(header))})
			continue
		}
		for i, c := range cols {
			fields[i] = strings.TrimSpace(rec[c])
		}
		if err := row(line, fields); err != nil {
			*bad = append(*bad, LineError{Line: line, Err: err})
		}
	}
}

// amountPattern is a plain decimal number with '.' as the separator, so
// that "1,50" or "1.000,00" fail instead of being read as something else.
var amountPattern = regexp.MustCompile(`^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)$`)

func parseAmount(s string) (float64, error) {
	if !amountPattern.MatchString(s) {
		return 0, fmt.Errorf("amount %q is not a decimal number with '.' decimals", s)
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsInf(v, 0) {
		return 0, fmt.Errorf("amount %q out of range", s)
	}
	return v, nil
}

// ParseDay reads a date as YYYY-MM-DD or RFC 3339 and gives its calendar
// day at midnight UTC. An RFC 3339 time keeps the day of its own offset:
// the day as the customer lived it.
func ParseDay(s string) (time.Time, error) {
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t, nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("date %q is neither YYYY-MM-DD nor RFC 3339", s)
	}
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC), nil
}

// ReadTransactions reads a transactions CSV file. With opts.SkipBadLines
// it returns the readable transactions and the bad lines; otherwise any
// bad line makes it fail, with an error wrapping ErrBadLines that names
// the lines.
func ReadTransactions(r io.Reader, opts CSVOpts) ([]Transaction, []LineError, error) {
	opts = opts.withDefaults()
	var txs []Transaction
	var bad []LineError
	err := csvTable(r, []string{opts.CustomerCol, opts.DateCol, opts.AmountCol}, func(_ int, f []string) error {
		if f[0] == "" {
			return errors.New("empty customer id")
		}
		day, err := ParseDay(f[1])
		if err != nil {
			return err
		}
		amount, err := parseAmount(f[2])
		if err != nil {
			return err
		}
		txs = append(txs, Transaction{Customer: f[0], Day: day, Amount: amount})
		return nil
	}, &bad)
	if err != nil {
		return nil, bad, err
	}
	if len(bad) > 0 && !opts.SkipBadLines {
		return nil, bad, badLinesError(bad)
	}
	return txs, bad, nil
}

// ReadSummaries reads per-customer summaries from a CSV file with the
// columns customer_id (or opts.CustomerCol), frequency, recency, T and,
// optionally, monetary.
func ReadSummaries(r io.Reader, opts CSVOpts) ([]Summary, []LineError, error) {
	opts = opts.withDefaults()
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, nil, fmt.Errorf("loyalty: read: %w", err)
	}
	want := []string{opts.CustomerCol, "frequency", "recency", "T"}
	if hasColumn(string(data), "monetary") {
		want = append(want, "monetary")
	}
	var out []Summary
	var bad []LineError
	err = csvTable(strings.NewReader(string(data)), want, func(_ int, f []string) error {
		if f[0] == "" {
			return errors.New("empty customer id")
		}
		freq, err := strconv.Atoi(f[1])
		if err != nil {
			return fmt.Errorf("frequency %q is not a whole number", f[1])
		}
		s := Summary{ID: f[0], Frequency: freq}
		if s.Recency, err = parseAmount(f[2]); err != nil {
			return fmt.Errorf("recency: %w", err)
		}
		if s.T, err = parseAmount(f[3]); err != nil {
			return fmt.Errorf("T: %w", err)
		}
		if len(f) > 4 && f[4] != "" {
			if s.Monetary, err = parseAmount(f[4]); err != nil {
				return fmt.Errorf("monetary: %w", err)
			}
		}
		if err := s.Validate(); err != nil {
			return err
		}
		out = append(out, s)
		return nil
	}, &bad)
	if err != nil {
		return nil, bad, err
	}
	if len(bad) > 0 && !opts.SkipBadLines {
		return nil, bad, badLinesError(bad)
	}
	return out, bad, nil
}

// hasColumn reports whether the header line of a CSV file has the column.
func hasColumn(data, name string) bool {
	header, err := csv.NewReader(strings.NewReader(data)).Read()
	if err != nil {
		return false
	}
	return slices.ContainsFunc(header, func(h string) bool {
		return strings.EqualFold(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")), name)
	})
}

// Summarize turns transactions into per-customer summaries as of the end
// of the calibration period, in the unit. Purchases on the same day count
// once for frequency and their amounts are added together; purchases after
// end are left out, as are customers whose first purchase is after it.
// A zero end means the day of the last transaction. Customers come out in
// the order of their first appearance in txs.
func Summarize(txs []Transaction, unit Unit, end time.Time) ([]Summary, error) {
	perUnit, err := unit.days()
	if err != nil {
		return nil, err
	}
	if end.IsZero() {
		for _, t := range txs {
			if t.Day.After(end) {
				end = t.Day
			}
		}
	}
	type dayTotal struct {
		day    time.Time
		amount float64
	}
	order := []string{}
	byCustomer := map[string][]dayTotal{}
	for _, t := range txs {
		if t.Day.After(end) {
			continue
		}
		if _, ok := byCustomer[t.Customer]; !ok {
			order = append(order, t.Customer)
		}
		byCustomer[t.Customer] = append(byCustomer[t.Customer], dayTotal{t.Day, t.Amount})
	}
	out := make([]Summary, 0, len(order))
	for _, id := range order {
		days := byCustomer[id]
		slices.SortStableFunc(days, func(a, b dayTotal) int { return a.day.Compare(b.day) })
		// Merge purchases on the same day.
		merged := days[:1]
		for _, d := range days[1:] {
			if last := &merged[len(merged)-1]; d.day.Equal(last.day) {
				last.amount += d.amount
			} else {
				merged = append(merged, d)
			}
		}
		first := merged[0].day
		s := Summary{
			ID:        id,
			Frequency: len(merged) - 1,
			Recency:   merged[len(merged)-1].day.Sub(first).Hours() / 24 / perUnit,
			T:         end.Sub(first).Hours() / 24 / perUnit,
		}
		if s.Frequency > 0 {
			var sum float64
			for _, d := range merged[1:] {
				sum += d.amount
			}
			s.Monetary = sum / float64(s.Frequency)
		}
		out = append(out, s)
	}
	return out, nil
}
