package text

import (
	"strings"
	"testing"
)

func TestTokenize(t *testing.T) {
	tests := []struct {
		name, text string
		fold       Fold
		want       string // words, "|" between sentences, "?" after a question's words
	}{
		{"apostrophes split", "Don't l'ordine", FoldCase, "don t l ordine"},
		{"middle dot joins", "Un col·lega", FoldCase, "un col·lega"},
		{"full stop inside a word", "Order 3.5 kg from example.com. Thanks", FoldCase, "order 3 5 kg from example com | thanks"},
		{"question", "Will I order again? Yes!", FoldCase, "will i order again ? | yes"},
		{"first terminator decides", "Really?! Fine!? Ok", FoldCase, "really ? | fine | ok"},
		{"yo folds", "Ещё ЁЛКА", FoldCase, "еще елка"},
		{"marks kept", "Pasūtīšu tornerò", FoldCase, "pasūtīšu tornerò"},
		{"marks folded", "Pasūtīšu tornerò ещё Й", FoldMarks, "pasutisu tornero еще и"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var b strings.Builder
			toks := TokenizeFold(tc.text, tc.fold)
			for i, tk := range toks {
				if i > 0 {
					b.WriteString(" ")
					if tk.Sentence != toks[i-1].Sentence {
						b.WriteString("| ")
					}
				}
				b.WriteString(tk.Word)
				if tk.Question && (i+1 == len(toks) || toks[i+1].Sentence != tk.Sentence) {
					b.WriteString(" ?")
				}
			}
			if got := b.String(); got != tc.want {
				t.Errorf("TokenizeFold(%q) = %q, want %q", tc.text, got, tc.want)
			}
		})
	}
}

func TestMatcherFoldMarks(t *testing.T) {
	m := NewMatcher(FoldMarks)
	for i, p := range []string{"pasūtīš* (vēl|atkal)", "(tornerò|ordinerò) ~2 (ancora|di nuovo)"} {
		if err := m.Add(p, i); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		text  string
		owner int // -1: no match
	}{
		{"Noteikti pasutisu vel!", 0},
		{"Pasūtīšu atkal.", 0},
		{"Tornero sicuramente ancora", 1},
		{"ORDINERÒ di nuovo", 1},
		{"Tornerò. Ancora", -1},
	}
	for _, tc := range tests {
		ms := m.Scan(TokenizeFold(tc.text, FoldMarks), nil)
		got := -1
		if len(ms) > 0 {
			got = ms[0].Owner
		}
		if got != tc.owner {
			t.Errorf("%q: owner %d, want %d (%+v)", tc.text, got, tc.owner, ms)
		}
	}
}
