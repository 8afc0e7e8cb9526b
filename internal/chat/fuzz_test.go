package chat

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzParseOutgoing feeds the visitor message parser anything: it never
// panics, and what it accepts is within the limits.
func FuzzParseOutgoing(f *testing.F) {
	for _, seed := range []string{
		`{"client_id":"abc-1","text":"Hello"}`,
		`{"client_id":"abc","text":""}`,
		`{"client_id":"","text":"x"}`,
		`{"client_id":"a b","text":"x"}`,
		`{"client_id":"a","text":"x","extra":1}`,
		`{"client_id":"a","text":"\u0000"}`,
		`{"client_id":"a","text":"x"} {}`,
		`[1,2]`, `null`, `{"client_id":1}`, "\xff\xfe",
		`{"client_id":"` + strings.Repeat("a", 65) + `","text":"x"}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		o, err := ParseOutgoing(b)
		if err != nil {
			if !errors.Is(err, ErrBadMessage) {
				t.Fatalf("error %v is not ErrBadMessage", err)
			}
			return
		}
		if !ValidClientID(o.ClientID) || !utf8.ValidString(o.Text) || utf8.RuneCountInString(o.Text) > MaxText ||
			strings.ContainsRune(o.Text, 0) || o.Text != strings.TrimSpace(o.Text) {
			t.Fatalf("accepted %q as %+v", b, o)
		}
	})
}

func TestParseOutgoing(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   string
		ok   bool
	}{
		{"a message", `{"client_id":"c-1_A","text":"  Hi there  "}`, true},
		{"a file's empty text", `{"client_id":"c","text":""}`, true},
		{"no client id", `{"text":"Hi"}`, false},
		{"a dot in the client id", `{"client_id":"a.b","text":"Hi"}`, false},
		{"an unknown field", `{"client_id":"a","text":"Hi","html":"<b>"}`, false},
		{"two values", `{"client_id":"a","text":"Hi"}{"client_id":"b"}`, false},
		{"a NUL", `{"client_id":"a","text":"a\u0000b"}`, false},
		{"too long", `{"client_id":"a","text":"` + strings.Repeat("ж", MaxText+1) + `"}`, false},
		{"just long enough", `{"client_id":"a","text":"` + strings.Repeat("ж", MaxText) + `"}`, true},
		{"too big a body", `{"client_id":"a","text":"` + strings.Repeat(" ", MaxBody) + `"}`, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o, err := ParseOutgoing([]byte(tc.in))
			if (err == nil) != tc.ok {
				t.Fatalf("ParseOutgoing: %+v, %v; want ok=%v", o, err, tc.ok)
			}
			if tc.ok && o.Text != strings.TrimSpace(o.Text) {
				t.Errorf("text %q not trimmed", o.Text)
			}
		})
	}
}

func TestInitialsAndOrigins(t *testing.T) {
	for name, want := range map[string]string{"Ann Bell": "AB", "élodie": "É", "Jan van der Berg": "JV", "": ""} {
		if got := Initials(name); got != want {
			t.Errorf("Initials(%q) = %q, want %q", name, got, want)
		}
	}
	got, bad := ParseOrigins("https://Shop.Example\nhttp://127.0.0.1:8080/, https://shop.example")
	if bad != "" || len(got) != 2 || got[0] != "https://shop.example" || got[1] != "http://127.0.0.1:8080" {
		t.Errorf("ParseOrigins: %v %q", got, bad)
	}
	for _, o := range []string{"shop.example", "ftp://shop.example", "https://shop.example/path", "https://user@shop.example"} {
		if _, bad := ParseOrigins(o); bad == "" {
			t.Errorf("ParseOrigins(%q) accepted", o)
		}
	}
	if UserHash("s", "42") == UserHash("s", "43") || len(UserHash("s", "42")) != 64 {
		t.Error("UserHash")
	}
}
