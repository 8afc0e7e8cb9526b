package search

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// TestFoldWord checks foldWord against fold(strings.ToLower) for every
// word rune of its table alone and for every pair of them, and for words
// of the languages served, accents and marks included.
func TestFoldWord(t *testing.T) {
	var runes []rune
	for r := rune(0); r < foldTableEnd+0x40; r++ {
		if !notTokenRune(r) {
			runes = append(runes, r)
		}
	}
	for _, a := range runes {
		if got, want := foldWord(string(a)), fold(strings.ToLower(string(a))); got != want {
			t.Fatalf("foldWord(%q) = %q, want %q", string(a), got, want)
		}
		for _, b := range runes {
			w := string(a) + string(b)
			if got, want := foldWord(w), fold(strings.ToLower(w)); got != want {
				t.Fatalf("foldWord(%q) = %q, want %q", w, got, want)
			}
		}
	}
	for _, tc := range []struct{ name, in, want string }{
		{"ascii", "Refund", "refund"},
		{"latvian", "Pasūtījums", "pasutijums"},
		{"italian", "Perché", "perche"},
		{"catalan", "Açò", "aco"},
		{"russian keeps й", "Возврат Йогурт", "возврат йогурт"},
		{"combining mark", "cafe\u0301", "cafe"},
		{"cyrillic with a combining breve", "и\u0306", "й"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			for _, w := range strings.Fields(tc.in) {
				got = append(got, foldWord(w))
			}
			if strings.Join(got, " ") != tc.want {
				t.Errorf("foldWord of %q = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

// FuzzFoldWord checks that every word appendWords finds is folded as
// fold(strings.ToLower) folds it alone.
func FuzzFoldWord(f *testing.F) {
	for _, s := range []string{"Hello, Возврат заказа 63012.", "pasūtījums ķenāstatu", "cafe\u0301 Ω Ω", "가가"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !utf8.ValidString(s) {
			return
		}
		got := appendWords(nil, s)
		var want []string
		for _, w := range strings.FieldsFunc(s, notTokenRune) {
			want = append(want, fold(strings.ToLower(w)))
		}
		if strings.Join(got, "\x00") != strings.Join(want, "\x00") {
			t.Errorf("appendWords(%q) = %q, want %q", s, got, want)
		}
	})
}
