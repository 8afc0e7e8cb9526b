package csvtable

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
)

// line is what Next gave for one call: the fields or the error's line.
type line struct {
	n      int
	fields string // joined by "|"; "" with an error
	bad    string // the LineError's text; "" for a good line
}

// readAll reads every line of data the way the callers do: bad lines are
// noted and reading goes on.
func readAll(t *testing.T, r *Reader) []line {
	t.Helper()
	var out []line
	for {
		rec, n, err := r.Next()
		if err == io.EOF {
			return out
		}
		var le *LineError
		if errors.As(err, &le) {
			if le.Line != n {
				t.Fatalf("line %d, error on line %d", n, le.Line)
			}
			out = append(out, line{n: n, bad: le.Error()})
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, line{n: n, fields: strings.Join(rec, "|")})
	}
}

func TestReader(t *testing.T) {
	tests := []struct {
		name    string
		data    string
		header  string // joined by "|"
		want    []line
		wantErr string // from NewReader
	}{
		{name: "plain", data: "a,b\n1,2\n3,4\n", header: "a|b", want: []line{{2, "1|2", ""}, {3, "3|4", ""}}},
		{name: "byte order mark and spaces", data: "\ufeff a ,B \n 1 , x y \n", header: "a|B", want: []line{{2, "1|x y", ""}}},
		{name: "blank lines skipped", data: "a,b\n\n1,2\n   \n3,4", header: "a|b", want: []line{{3, "1|2", ""}, {5, "3|4", ""}}},
		{name: "quoted field across lines keeps line numbers", data: "a,b\n\"x\ny\",1\nz,2\n", header: "a|b",
			want: []line{{2, "x\ny|1", ""}, {4, "z|2", ""}}},
		{name: "ragged line", data: "a,b\n1,2,3\n4\n5,6\n", header: "a|b",
			want: []line{{2, "", "line 2: 3 fields, the header has 2"}, {3, "", "line 3: 1 fields, the header has 2"}, {4, "5|6", ""}}},
		{name: "bare quote, then more lines", data: "a,b\n1,x\"y\n2,3\n", header: "a|b",
			want: []line{{2, "", `line 2: bare " in non-quoted-field`}, {3, "2|3", ""}}},
		{name: "header only", data: "a,b\n", header: "a|b"},
		{name: "empty names allowed", data: "a,,\n1,2,3\n", header: "a||", want: []line{{2, "1|2|3", ""}}},
		{name: "empty file", data: "", wantErr: "empty file"},
		{name: "column twice", data: "a,b,A\n", wantErr: `line 1: column "A" appears twice`},
		{name: "bad header", data: "a,\"b\n", wantErr: "line 1:"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, err := NewReader(strings.NewReader(tc.data))
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error %v, want one containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if h := strings.Join(r.Header(), "|"); h != tc.header {
				t.Errorf("header %q, want %q", h, tc.header)
			}
			got := readAll(t, r)
			if fmt.Sprint(got) != fmt.Sprint(tc.want) {
				t.Errorf("lines\n%v\nwant\n%v", got, tc.want)
			}
		})
	}
}

func TestReaderColumns(t *testing.T) {
	r, err := NewReader(strings.NewReader("Customer_ID, Date ,amount\n"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		names   []string
		want    string
		wantErr string
	}{
		{"any case and space", []string{"customer_id", " date", "AMOUNT"}, "[0 1 2]", ""},
		{"another order", []string{"amount", "customer_id"}, "[2 0]", ""},
		{"missing", []string{"date", "currency"}, "", `no column "currency" in header "Customer_ID,Date,amount"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cols, err := r.Columns(tc.names...)
			if tc.wantErr != "" {
				if err == nil || err.Error() != tc.wantErr {
					t.Fatalf("error %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil || fmt.Sprint(cols) != tc.want {
				t.Fatalf("columns %v, %v; want %s", cols, err, tc.want)
			}
		})
	}
	if r.Column("nope") != -1 {
		t.Error("a missing column has an index")
	}
}

func TestBadLines(t *testing.T) {
	var bad []LineError
	for i := range 12 {
		bad = append(bad, LineError{Line: i + 2, Err: errors.New("no")})
	}
	tests := []struct {
		name string
		bad  []LineError
		want string
	}{
		{"one", bad[:1], "unreadable lines: 1; line 2: no"},
		{"ten listed", bad[:10], "unreadable lines: 10; line 2: no; line 3: no; line 4: no; line 5: no; line 6: no; line 7: no; line 8: no; line 9: no; line 10: no; line 11: no"},
		{"more cut short", bad, "unreadable lines: 12; line 2: no; line 3: no; line 4: no; line 5: no; line 6: no; line 7: no; line 8: no; line 9: no; line 10: no; line 11: no; …"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := BadLines(tc.bad)
			if !errors.Is(err, ErrBadLines) || err.Error() != tc.want {
				t.Errorf("error %q, want %q wrapping ErrBadLines", err, tc.want)
			}
		})
	}
}

func FuzzReader(f *testing.F) {
	f.Add("a,b\n1,2\n")
	f.Add("\ufeffa,A\n1,2\n")
	f.Add("a,b\n\"x\ny\",1\n1,x\"y\n3\n")
	f.Fuzz(func(t *testing.T, data string) {
		r, err := NewReader(strings.NewReader(data))
		if err != nil {
			return
		}
		width := len(r.Header())
		prev := 1
		for {
			rec, n, err := r.Next()
			if err == io.EOF {
				return
			}
			var le *LineError
			if err != nil && !errors.As(err, &le) {
				t.Fatal(err)
			}
			if n <= prev {
				t.Fatalf("line %d after line %d", n, prev)
			}
			prev = n
			if err == nil && len(rec) != width {
				t.Fatalf("%d fields, the header has %d", len(rec), width)
			}
			for _, f := range rec {
				if f != strings.TrimSpace(f) {
					t.Fatalf("field %q not trimmed", f)
				}
			}
		}
	})
}
