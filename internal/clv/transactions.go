package clv

import (
	"errors"
	"fmt"
	"io"
	"math"
	"regexp"
	"slices"
	"strconv"
	"time"

	"github.com/rapport/rapport/internal/csvtable"
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
	return 0, fmt.Errorf("clv: unknown time unit %q (want days or weeks)", u)
}

// Transaction is one purchase.
type Transaction struct {
	Customer string
	// Day is the calendar day of the purchase, at midnight UTC.
	Day    time.Time
	Amount float64
}

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

// readTable reads a CSV file with a header, calling row with the wanted
// columns of each readable line; the unreadable ones, and those row
// refuses, go to bad.
func readTable(cr *csvtable.Reader, want []string, row func(fields []string) error, bad *[]csvtable.LineError) error {
	cols, err := cr.Columns(want...)
	if err != nil {
		return fmt.Errorf("clv: %w", err)
	}
	fields := make([]string, len(want))
	for {
		rec, line, err := cr.Next()
		if err == io.EOF {
			return nil
		}
		var le *csvtable.LineError
		if errors.As(err, &le) {
			*bad = append(*bad, *le)
			continue
		}
		if err != nil {
			return fmt.Errorf("clv: %w", err)
		}
		for i, c := range cols {
			fields[i] = rec[c]
		}
		if err := row(fields); err != nil {
			*bad = append(*bad, csvtable.LineError{Line: line, Err: err})
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
// bad line makes it fail, with an error wrapping csvtable.ErrBadLines that
// names the lines.
func ReadTransactions(r io.Reader, opts CSVOpts) ([]Transaction, []csvtable.LineError, error) {
	opts = opts.withDefaults()
	cr, err := csvtable.NewReader(r)
	if err != nil {
		return nil, nil, fmt.Errorf("clv: %w", err)
	}
	var txs []Transaction
	var bad []csvtable.LineError
	err = readTable(cr, []string{opts.CustomerCol, opts.DateCol, opts.AmountCol}, func(f []string) error {
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
		return nil, bad, fmt.Errorf("clv: %w", csvtable.BadLines(bad))
	}
	return txs, bad, nil
}

// ReadSummaries reads per-customer summaries from a CSV file with the
// columns customer_id (or opts.CustomerCol), frequency, recency, T and,
// optionally, monetary.
func ReadSummaries(r io.Reader, opts CSVOpts) ([]Summary, []csvtable.LineError, error) {
	opts = opts.withDefaults()
	cr, err := csvtable.NewReader(r)
	if err != nil {
		return nil, nil, fmt.Errorf("clv: %w", err)
	}
	want := []string{opts.CustomerCol, "frequency", "recency", "T"}
	if cr.Column("monetary") >= 0 {
		want = append(want, "monetary")
	}
	var out []Summary
	var bad []csvtable.LineError
	err = readTable(cr, want, func(f []string) error {
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
			return fmt.Errorf("column T: %w", err)
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
		return nil, bad, fmt.Errorf("clv: %w", csvtable.BadLines(bad))
	}
	return out, bad, nil
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
