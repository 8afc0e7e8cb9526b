package valid

import (
	"errors"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestParseQuery(t *testing.T) {
	tests := []struct {
		name  string
		raw   string
		want  url.Values
		field string // the parameter named by the error
		key   string // its message's key
	}{
		{name: "plain", raw: "status=solved&q=a+b&tag=%C3%A9", want: url.Values{"status": {"solved"}, "q": {"a b"}, "tag": {"é"}}},
		{name: "empty and repeated", raw: "a=&&a=2&b", want: url.Values{"a": {"", "2"}, "b": {""}}},
		{name: "escaped semicolon", raw: "q=a%3Bb", want: url.Values{"q": {"a;b"}}},
		{name: "semicolon in a value", raw: "status=solved;x", field: "status", key: "valid.query_semicolon"},
		{name: "semicolon as separator", raw: "status=solved&view=mine;sort=updated", field: "view", key: "valid.query_semicolon"},
		{name: "broken escape", raw: "q=%zz", field: "q", key: "valid.query_escape"},
		{name: "broken escape in the name", raw: "%zz=1", field: "%zz", key: "valid.query_escape"},
		{name: "invalid UTF-8", raw: "q=%ff%fe", field: "q", key: "valid.not_text"},
		{name: "NUL", raw: "q=a%00b", field: "q", key: "valid.nul"},
		{name: "NUL in the name", raw: "q%00=1", field: "q?", key: "valid.nul"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseQuery(tc.raw)
			if tc.field == "" {
				if err != nil || !reflect.DeepEqual(got, tc.want) {
					t.Fatalf("ParseQuery(%q) = %v, %v; want %v", tc.raw, got, err, tc.want)
				}
				return
			}
			var f Fields
			if !errors.As(err, &f) {
				t.Fatalf("ParseQuery(%q) = %v, %v; want an error on %q", tc.raw, got, err, tc.field)
			}
			if m, ok := f[tc.field]; !ok || m.Key != tc.key {
				t.Errorf("errors %v; want %q: %s", f, tc.field, tc.key)
			}
		})
	}
}

// FuzzParseQuery: ParseQuery never panics; what it accepts, url.ParseQuery
// reads the same, and it is UTF-8 without NULs; what it refuses names a
// parameter in valid UTF-8.
func FuzzParseQuery(f *testing.F) {
	for _, s := range []string{"", "status=solved", "status=solved;x", "a=1&&b=%zz", "q=%ff", "q=%00", "%", "=&=", "a=b=c", "x;y", "é=ü&é=2"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		got, err := ParseQuery(raw)
		if err != nil {
			var fields Fields
			if !errors.As(err, &fields) || len(fields) == 0 {
				t.Fatalf("error %v is not Fields", err)
			}
			for name := range fields {
				if !utf8.ValidString(name) || len(name) > MaxQueryName+len("…") {
					t.Fatalf("error names %q", name)
				}
			}
			return
		}
		want, werr := url.ParseQuery(raw)
		if werr != nil {
			t.Fatalf("accepted %q, which url.ParseQuery refuses: %v", raw, werr)
		}
		if len(want) == 0 && len(got) == 0 {
			return
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("ParseQuery(%q) = %v, url.ParseQuery = %v", raw, got, want)
		}
		for k, vs := range got {
			for _, v := range append(vs, k) {
				if !utf8.ValidString(v) || strings.ContainsRune(v, 0) {
					t.Fatalf("accepted %q", v)
				}
			}
		}
	})
}
