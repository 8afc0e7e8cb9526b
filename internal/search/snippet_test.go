package search

import (
	"strings"
	"testing"
)

// TestMakeSnippet checks the passages the ticket search shows on SQLite:
// every hit of the query's words in the window marked (whole words, case
// and accents folded, prefixes, phrases in order), the window around the
// hits, and the start of the text when only another field matched.
func TestMakeSnippet(t *testing.T) {
	long := strings.Repeat("filler ", 40)
	cases := []struct {
		name  string
		text  string
		terms []Term
		want  string
	}{
		{"word", "Hello, I want a refund please.", []Term{{Text: "refund"}}, "Hello, I want a \ue000refund\ue001 please."},
		{"every hit, case folded", "Refund? yes, REFUND now", []Term{{Text: "refund"}}, "\ue000Refund\ue001? yes, \ue000REFUND\ue001 now"},
		{"whole words only", "refunded refunds", []Term{{Text: "refund"}}, "refunded refunds"},
		{"prefix", "refunded refunds", []Term{{Text: "refund", Prefix: true}}, "\ue000refunded\ue001 \ue000refunds\ue001"},
		{"accents folded", "Señor Díaz", []Term{{Text: "diaz"}}, "Señor \ue000Díaz\ue001"},
		{"phrase in order, one mark", "a loud, noise; noise loud", []Term{{Text: "loud noise", Phrase: true}}, "a \ue000loud, noise\ue001; noise loud"},
		{"window around a late hit", long + "the zanzibar parcel " + long, []Term{{Text: "zanzibar"}},
			"…" + strings.Repeat("filler ", 10) + "the \ue000zanzibar\ue001 parcel" + strings.Repeat(" filler", 11) + "…"},
		{"no hit: the start", long, []Term{{Text: "other"}}, strings.TrimSpace(strings.Repeat("filler ", 24)) + "…"},
		{"two terms: the window with both", "refund " + long + "blender and refund", []Term{{Text: "refund"}, {Text: "blender"}},
			"…" + strings.TrimSpace(strings.Repeat("filler ", 21)) + " \ue000blender\ue001 and \ue000refund\ue001"},
		{"empty", "", []Term{{Text: "x"}}, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := string(makeSnippet(tc.text, tc.terms)); got != tc.want {
				t.Errorf("makeSnippet(%q) =\n %q, want\n %q", tc.text, got, tc.want)
			}
		})
	}
}

// FuzzMakeSnippet: any text and query make a snippet without a panic,
// whose marks pair up and whose text is taken from the input.
func FuzzMakeSnippet(f *testing.F) {
	f.Add("Hello, I want a refund please.", "refund")
	f.Add("a loud, noise", `"loud noise" x*`)
	f.Add("Señor Díaz \u0301x", "diaz")
	f.Fuzz(func(t *testing.T, text, q string) {
		text = clean(text)
		s := makeSnippet(text, Parse(q).Terms)
		if strings.Count(string(s), markOpen) != strings.Count(string(s), markClose) {
			t.Fatalf("unpaired marks in %q", s)
		}
		for _, part := range strings.Split(strings.Trim(s.Text(), "…"), "…") {
			if !strings.Contains(text, strings.TrimSpace(part)) {
				t.Fatalf("snippet part %q is not in the text %q", part, text)
			}
		}
	})
}
