package search

import (
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestParse(t *testing.T) {
	cases := []struct {
		name string
		in   string
		want Query
	}{
		{"words", "Refund  blender", Query{Terms: []Term{{Text: "refund"}, {Text: "blender"}}}},
		{"phrase", `"loud noise" refund`, Query{Terms: []Term{{Text: "loud noise", Phrase: true}, {Text: "refund"}}}},
		{"negation", `blender -refund -"loud noise"`, Query{Terms: []Term{{Text: "blender"}}, Not: []Term{{Text: "refund"}, {Text: "loud noise", Phrase: true}}}},
		{"from", "from:Dora@Example.com", Query{From: []string{"dora@example.com"}}},
		{"from phone", "from:+39-333-1234567", Query{From: []string{"+393331234567"}}},
		{"bare address", "dora@example.com", Query{From: []string{"dora@example.com"}}},
		{"number", "#42 17", Query{Numbers: []int64{42, 17}}},
		{"long bare number is a phone", "3331234567", Query{From: []string{"3331234567"}}},
		{"tag", "tag:VIP", Query{Tags: []string{"vip"}}},
		{"prefix", "zanzi*", Query{Terms: []Term{{Text: "zanzi", Prefix: true}}}},
		{"hyphenated word is a phrase", "e-mail", Query{Terms: []Term{{Text: "e mail", Phrase: true}}}},
		{"unclosed quote runs to the end", `"loud noise`, Query{Terms: []Term{{Text: "loud noise", Phrase: true}}}},
		{"empty operators are words", "from: tag: #x", Query{Terms: []Term{{Text: "from"}, {Text: "tag"}, {Text: "x"}}}},
		{"from without an address is words", "from:dora", Query{Terms: []Term{{Text: "from dora", Phrase: true}}}},
		{"punctuation only", `- "" :: ***`, Query{}},
		{"fts syntax is only text", `a OR b NEAR(c) *`, Query{Terms: []Term{{Text: "a"}, {Text: "or"}, {Text: "b"}, {Text: "near c", Phrase: true}}}},
		{"accents kept", "Díaz", Query{Terms: []Term{{Text: "díaz"}}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := Parse(tc.in); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("Parse(%q) = %+v, want %+v", tc.in, got, tc.want)
			}
		})
	}
	long := strings.Repeat("word ", 100)
	if q := Parse(long); len(q.Terms) != maxTerms {
		t.Errorf("Parse of 100 words keeps %d terms, want %d", len(q.Terms), maxTerms)
	}
}

func TestSnippetHTML(t *testing.T) {
	s := Snippet("a <b>&" + markOpen + "hit" + markClose + " c")
	if got, want := string(s.HTML()), "a &lt;b&gt;&amp;<mark>hit</mark> c"; got != want {
		t.Errorf("HTML = %q, want %q", got, want)
	}
	if got := string(Snippet(markOpen + "x").HTML()); got != "x" {
		t.Errorf("unbalanced marks: HTML = %q, want them dropped", got)
	}
}

func TestFold(t *testing.T) {
	for in, want := range map[string]string{"Díaz": "Diaz", "Ķēniņš": "Kenins", "açò": "aco", "йод ёж": "йод ёж", "plain": "plain"} {
		if got := fold(in); got != want {
			t.Errorf("fold(%q) = %q, want %q", in, got, want)
		}
	}
}

// FuzzParse checks that any input parses without panic into a query whose
// parts are well formed, that writing it back parses to the same query,
// and that its FTS5 expression quotes every term.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"refund blender", `"loud noise" -x`, "from:a@b.c #12 tag:vip", `-"`, `"`, "-", "from:", "#", "tag:",
		"zanzi* e-mail", "+39 333 1234567", "\x00\xff", `a"b"c`, "NEAR(a b) OR NOT", "-from:x@y.z", "#0 #999999999999999999999"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		q := Parse(s)
		parts := len(q.Terms) + len(q.Not) + len(q.From) + len(q.Numbers) + len(q.Tags)
		if parts > maxTerms {
			t.Fatalf("%d parts, more than %d", parts, maxTerms)
		}
		for _, term := range append(append([]Term{}, q.Terms...), q.Not...) {
			if term.Text == "" || !utf8.ValidString(term.Text) || strings.ContainsAny(term.Text, `"*:#-`) {
				t.Fatalf("bad term %+v from %q", term, s)
			}
		}
		for _, n := range q.Numbers {
			if n <= 0 {
				t.Fatalf("number %d from %q", n, s)
			}
		}
		if back := Parse(q.String()); !reflect.DeepEqual(back, q) {
			t.Fatalf("Parse(%q) = %+v; its String %q parses to %+v", s, q, q.String(), back)
		}
		if q.HasText() {
			e := fts5Expr(q.Terms, q.Not)
			if strings.Count(e, `"`)%2 != 0 {
				t.Fatalf("unbalanced quotes in %q", e)
			}
		}
	})
}
