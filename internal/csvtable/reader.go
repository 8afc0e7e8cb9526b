// Package csvtable reads CSV files whose first line names the columns: the
// purchases import, the lifetime-value transactions and summaries, and the
// churn model's feature tables all read their files through it, so that
// they agree on what a header, a blank line and a bad line are.
package csvtable

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
)

// ErrEmpty is returned by NewReader for a file without a header line.
var ErrEmpty = errors.New("empty file, want a header line")

// ErrBadLines is wrapped by the error of a read that met unreadable lines
// and was not asked to skip them (see BadLines).
var ErrBadLines = errors.New("unreadable lines")

// LineError is a line of a CSV file that could not be read.
type LineError struct {
	Line int
	Err  error
}

func (e *LineError) Error() string { return fmt.Sprintf("line %d: %v", e.Line, e.Err) }
func (e *LineError) Unwrap() error { return e.Err }

// maxReportedLines bounds how many bad lines BadLines lists.
const maxReportedLines = 10

// BadLines summarises the bad lines of a file that fails whole, in an
// error wrapping ErrBadLines: "unreadable lines: 3; line 2: …; line 5: …".
func BadLines(bad []LineError) error {
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

// Reader reads a CSV file with a header line, one data line at a time.
type Reader struct {
	cr *csv.Reader
	// header holds the column names, trimmed, without a byte order mark.
	header []string
}

// NewReader reads the header line of r. Column names are trimmed of
// surrounding space (and the first of a byte order mark); a name that
// appears twice, regardless of case, is an error, since a column could not
// then be told by its name. Empty names are allowed.
func NewReader(r io.Reader) (*Reader, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	header, err := cr.Read()
	if err == io.EOF {
		return nil, ErrEmpty
	}
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return nil, &LineError{Line: pe.StartLine, Err: pe.Err}
	}
	if err != nil {
		return nil, fmt.Errorf("read header: %w", err)
	}
	header = slices.Clone(header) // ReuseRecord would overwrite it
	for i := range header {
		if i == 0 {
			header[i] = strings.TrimPrefix(header[i], "\ufeff")
		}
		header[i] = strings.TrimSpace(header[i])
		if header[i] == "" {
			continue
		}
		for j := range i {
			if strings.EqualFold(header[j], header[i]) {
				return nil, &LineError{Line: 1, Err: fmt.Errorf("column %q appears twice", header[i])}
			}
		}
	}
	return &Reader{cr: cr, header: header}, nil
}

// Header returns the column names as NewReader cleaned them.
func (r *Reader) Header() []string { return slices.Clone(r.header) }

// Column is the index of the column called name, regardless of case and
// surrounding space; -1 when there is none.
func (r *Reader) Column(name string) int {
	name = strings.TrimSpace(name)
	for j, h := range r.header {
		if strings.EqualFold(h, name) {
			return j
		}
	}
	return -1
}

// Columns are the indexes of the named columns, which must all be there.
func (r *Reader) Columns(names ...string) ([]int, error) {
	cols := make([]int, len(names))
	for i, n := range names {
		if cols[i] = r.Column(n); cols[i] < 0 {
			return nil, fmt.Errorf("no column %q in header %q", n, strings.Join(r.header, ","))
		}
	}
	return cols, nil
}

// Next returns the next data line and its number in the file, skipping
// blank lines; io.EOF ends the file. Fields are trimmed of surrounding
// space, and rec is reused by the next call. A line that cannot be read
// (a stray quote; more or fewer fields than the header, most likely a
// decimal comma or a stray separator, which read by position would give
// the wrong values) comes as a *LineError, and reading can go on.
func (r *Reader) Next() (rec []string, line int, err error) {
	for {
		rec, err := r.cr.Read()
		if err == io.EOF {
			return nil, 0, io.EOF
		}
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			return nil, pe.StartLine, &LineError{Line: pe.StartLine, Err: pe.Err}
		}
		if err != nil {
			return nil, 0, fmt.Errorf("read: %w", err)
		}
		line, _ := r.cr.FieldPos(0)
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue
		}
		if len(rec) != len(r.header) {
			return nil, line, &LineError{Line: line, Err: fmt.Errorf("%d fields, the header has %d", len(rec), len(r.header))}
		}
		for i := range rec {
			rec[i] = strings.TrimSpace(rec[i])
		}
		return rec, line, nil
	}
}
