package loyalty

import (
	"context"
	"database/sql"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/rapport/rapport/internal/valid"
)

// ImportOpts say how Import reads a purchases CSV file.
type ImportOpts struct {
	// SkipBad imports the good lines and reports the bad ones; without it
	// one bad line imports nothing.
	SkipBad bool
	// CreateCustomers makes customers for identities Rapport does not know
	// (named by a name column when there is one).
	CreateCustomers bool
	// Currency is the currency of lines without one; default EUR.
	Currency string
	// Channel is the channel of lines without one; default "import".
	Channel string
	// Progress, when set, is told how many lines of total have been stored.
	Progress func(done, total int)
}

// ImportResult tells what Import did.
type ImportResult struct {
	Lines            int // data lines read
	Added            int // purchases stored
	Duplicates       int // lines already imported (same customer and reference)
	CustomersCreated int
	Bad              []LineError // in line order
}

// Purchase CSV columns. The customer is named by one or more of
// external_id, email and phone (the first non-empty, in that order).
var (
	importIdentityCols = []string{"external_id", "email", "phone"}
	importRequiredCols = []string{"date", "amount"}
	importOptionalCols = []string{"currency", "reference", "channel", "name"}
)

// importLine is one readable line of a purchases file.
type importLine struct {
	line int
	p    NewPurchase
}

// ParsePurchasesCSV reads a purchases CSV file: a header naming the columns
// (date, amount, one of external_id, email or phone; optionally currency,
// reference, channel and name) and one purchase a line. Dates are
// YYYY-MM-DD or RFC 3339. It returns the readable lines and the bad ones;
// an unusable header is an error.
func ParsePurchasesCSV(r io.Reader, defCurrency, defChannel string) ([]NewPurchase, []int, []LineError, error) {
	if defCurrency == "" {
		defCurrency = "EUR"
	}
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if err == io.EOF {
		return nil, nil, nil, errors.New("loyalty: empty file, want a header line")
	}
	if err != nil {
		return nil, nil, nil, fmt.Errorf("loyalty: read header: %w", err)
	}
	col := map[string]int{}
	for i, h := range header {
		if i == 0 {
			h = strings.TrimPrefix(h, "\ufeff")
		}
		name := strings.ToLower(strings.TrimSpace(h))
		if _, dup := col[name]; dup && name != "" {
			return nil, nil, nil, fmt.Errorf("loyalty: column %q appears twice in the header", name)
		}
		col[name] = i
	}
	for _, c := range importRequiredCols {
		if _, ok := col[c]; !ok {
			return nil, nil, nil, fmt.Errorf("loyalty: no column %q in header %q", c, strings.Join(header, ","))
		}
	}
	if !slices.ContainsFunc(importIdentityCols, func(c string) bool { _, ok := col[c]; return ok }) {
		return nil, nil, nil, fmt.Errorf("loyalty: the header %q names no customer column: want external_id, email or phone",
			strings.Join(header, ","))
	}
	get := func(rec []string, name string) string {
		if i, ok := col[name]; ok && i < len(rec) {
			return strings.TrimSpace(rec[i])
		}
		return ""
	}
	var out []NewPurchase
	var lines []int
	var bad []LineError
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			bad = append(bad, LineError{Line: pe.StartLine, Err: pe.Err})
			continue
		}
		if err != nil {
			return nil, nil, nil, fmt.Errorf("loyalty: read: %w", err)
		}
		line, _ := cr.FieldPos(0)
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue
		}
		if len(rec) != len(header) {
			bad = append(bad, LineError{Line: line, Err: fmt.Errorf("%d fields, the header has %d", len(rec), len(header))})
			continue
		}
		n := NewPurchase{
			Customer: CustomerRef{ExternalID: get(rec, "external_id"), Email: get(rec, "email"), Phone: get(rec, "phone"),
				Name: get(rec, "name")},
			Amount: get(rec, "amount"), Currency: get(rec, "currency"), Reference: get(rec, "reference"),
			Channel: get(rec, "channel"),
		}
		if n.Currency == "" {
			n.Currency = defCurrency
		}
		if n.Channel == "" {
			n.Channel = defChannel
		}
		at, err := parseInstant(get(rec, "date"))
		if err != nil {
			bad = append(bad, LineError{Line: line, Err: err})
			continue
		}
		n.PurchasedAt = at
		out = append(out, n)
		lines = append(lines, line)
	}
	return out, lines, bad, nil
}

// parseInstant reads a date (midnight UTC) or an RFC 3339 time.
func parseInstant(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, errors.New("date is empty")
	}
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t, nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("date %q is neither YYYY-MM-DD nor RFC 3339", s)
	}
	return t.UTC(), nil
}

// progressEvery is how many stored lines pass between Progress calls.
const progressEvery = 200

// Import reads a purchases CSV file (see ParsePurchasesCSV) and stores its
// purchases in one transaction. Every line is checked and its customer
// found (or created) before anything is kept: with a bad line and without
// o.SkipBad nothing is imported and the error wraps ErrBadLines, the result
// listing every bad line. Lines already imported (same customer and
// reference) count as duplicates, so a file can be imported again.
func (s *Store) Import(ctx context.Context, r io.Reader, o ImportOpts) (ImportResult, error) {
	if o.Channel == "" {
		o.Channel = "import"
	}
	if o.Currency != "" {
		c, err := ParseCurrency(o.Currency)
		if err != nil {
			return ImportResult{}, err
		}
		o.Currency = c
	}
	ns, lines, bad, err := ParsePurchasesCSV(r, o.Currency, o.Channel)
	if err != nil {
		return ImportResult{}, err
	}
	res := ImportResult{Lines: len(ns) + len(bad)}
	cs := make([]checked, 0, len(ns))
	csLines := make([]int, 0, len(ns))
	for i, n := range ns {
		fe := valid.Errors{}
		c := s.check(n, AddOpts{CreateCustomers: o.CreateCustomers, Channel: o.Channel}, fe)
		if len(fe) > 0 {
			bad = append(bad, LineError{Line: lines[i], Err: fieldsError(fe)})
			continue
		}
		cs = append(cs, c)
		csLines = append(csLines, lines[i])
	}
	if len(bad) > 0 && !o.SkipBad {
		res.Bad = sortLineErrors(bad)
		return res, badLinesError(res.Bad)
	}
	errBad := errors.New("bad lines")
	err = s.o.DB.Tx(ctx, func(tx *sql.Tx) error {
		res.Added, res.Duplicates, res.CustomersCreated = 0, 0, 0
		txBad := slices.Clone(bad)
		rv := newResolver(s, o.CreateCustomers)
		for i, c := range cs {
			if i%256 == 0 && ctx.Err() != nil {
				return ctx.Err()
			}
			a, err := s.insert(ctx, tx, rv, c)
			if err != nil {
				var ve valid.Errors
				if !errors.As(err, &ve) {
					return fmt.Errorf("line %d: %w", csLines[i], err)
				}
				txBad = append(txBad, LineError{Line: csLines[i], Err: fieldsError(ve)})
				continue
			}
			if a.Created {
				res.Added++
			} else {
				res.Duplicates++
			}
			if a.CustomerCreated {
				res.CustomersCreated++
			}
			if o.Progress != nil && ((i+1)%progressEvery == 0 || i+1 == len(cs)) {
				o.Progress(i+1, len(cs))
			}
		}
		res.Bad = sortLineErrors(txBad)
		if len(txBad) > 0 && !o.SkipBad {
			return errBad
		}
		return nil
	})
	if errors.Is(err, errBad) {
		res.Added, res.Duplicates, res.CustomersCreated = 0, 0, 0
		return res, badLinesError(res.Bad)
	}
	if err != nil {
		return ImportResult{Lines: res.Lines}, fmt.Errorf("loyalty: import: %w", err)
	}
	return res, nil
}

// fieldsError writes field errors as one line: "amount: …; email: …".
func fieldsError(fe valid.Errors) error {
	keys := make([]string, 0, len(fe))
	for k := range fe {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + ": " + fe[k]
	}
	return errors.New(strings.Join(parts, "; "))
}

func sortLineErrors(b []LineError) []LineError {
	slices.SortStableFunc(b, func(x, y LineError) int { return x.Line - y.Line })
	return b
}
