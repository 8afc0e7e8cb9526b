package purchases

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/rapport/rapport/internal/csvtable"
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
	Bad              []csvtable.LineError // in line order
}

// Purchase CSV columns. The customer is named by one or more of
// external_id, email and phone (the first non-empty, in that order).
var (
	importIdentityCols = []string{"external_id", "email", "phone"}
	importRequiredCols = []string{"date", "amount"}
	importOptionalCols = []string{"currency", "reference", "channel", "name", "referral_code"}
)

// ParseCSV reads a purchases CSV file: a header naming the columns (date,
// amount, one of external_id, email or phone; optionally currency,
// reference, channel, name and referral_code) and one purchase a line. Dates are
// YYYY-MM-DD or RFC 3339. It returns the readable lines with their line
// numbers, and the bad ones; an unusable header is an error.
func ParseCSV(r io.Reader, defCurrency, defChannel string) ([]NewPurchase, []int, []csvtable.LineError, error) {
	if defCurrency == "" {
		defCurrency = "EUR"
	}
	cr, err := csvtable.NewReader(r)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("purchases: %w", err)
	}
	if _, err := cr.Columns(importRequiredCols...); err != nil {
		return nil, nil, nil, fmt.Errorf("purchases: %w", err)
	}
	if !slices.ContainsFunc(importIdentityCols, func(c string) bool { return cr.Column(c) >= 0 }) {
		return nil, nil, nil, fmt.Errorf("purchases: the header %q names no customer column: want external_id, email or phone",
			strings.Join(cr.Header(), ","))
	}
	col := map[string]int{}
	for _, names := range [][]string{importIdentityCols, importRequiredCols, importOptionalCols} {
		for _, c := range names {
			col[c] = cr.Column(c)
		}
	}
	get := func(rec []string, name string) string {
		if i := col[name]; i >= 0 {
			return rec[i]
		}
		return ""
	}
	var out []NewPurchase
	var lines []int
	var bad []csvtable.LineError
	for {
		rec, line, err := cr.Next()
		if err == io.EOF {
			break
		}
		var le *csvtable.LineError
		if errors.As(err, &le) {
			bad = append(bad, *le)
			continue
		}
		if err != nil {
			return nil, nil, nil, fmt.Errorf("purchases: %w", err)
		}
		n := NewPurchase{
			Customer: CustomerRef{ExternalID: get(rec, "external_id"), Email: get(rec, "email"), Phone: get(rec, "phone"),
				Name: get(rec, "name")},
			Amount: get(rec, "amount"), Currency: get(rec, "currency"), Reference: get(rec, "reference"),
			Channel: get(rec, "channel"), ReferralCode: get(rec, "referral_code"),
		}
		if n.Currency == "" {
			n.Currency = defCurrency
		}
		if n.Channel == "" {
			n.Channel = defChannel
		}
		at, err := parseInstant(get(rec, "date"))
		if err != nil {
			bad = append(bad, csvtable.LineError{Line: line, Err: err})
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

// Import reads a purchases CSV file (see ParseCSV) and stores its
// purchases in one transaction. Every line is checked and its customer
// found (or created) before anything is kept: with a bad line and without
// o.SkipBad nothing is imported and the error wraps csvtable.ErrBadLines, the result
// listing every bad line. Lines already imported (same customer and
// reference) count as duplicates, so a file can be imported again.
func (s *Service) Import(ctx context.Context, r io.Reader, o ImportOpts) (ImportResult, error) {
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
	ns, lines, bad, err := ParseCSV(r, o.Currency, o.Channel)
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
			bad = append(bad, csvtable.LineError{Line: lines[i], Err: fieldsError(fe)})
			continue
		}
		cs = append(cs, c)
		csLines = append(csLines, lines[i])
	}
	if len(bad) > 0 && !o.SkipBad {
		res.Bad = sortLineErrors(bad)
		return res, fmt.Errorf("purchases: %w", csvtable.BadLines(res.Bad))
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
				txBad = append(txBad, csvtable.LineError{Line: csLines[i], Err: fieldsError(ve)})
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
		return res, fmt.Errorf("purchases: %w", csvtable.BadLines(res.Bad))
	}
	if err != nil {
		return ImportResult{Lines: res.Lines}, fmt.Errorf("purchases: import: %w", err)
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

func sortLineErrors(b []csvtable.LineError) []csvtable.LineError {
	slices.SortStableFunc(b, func(x, y csvtable.LineError) int { return x.Line - y.Line })
	return b
}
