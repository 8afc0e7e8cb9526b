package text

import "testing"

func TestParsePattern(t *testing.T) {
	tests := []struct {
		pattern string
		text    string
		match   bool
	}{
		{"read our faq", "Please READ our FAQ.", true},
		{"возврат*", "оформили возврата нет", true},
		{"возврат*", "вернули", false},
		{"(please|) read (our|the) faq", "read the faq", true},
		{"policy ~2 allow", "policy does not allow", true},
		{"policy ~1 allow", "policy does not allow", false},
		{"can't help", "I can’t help", true},
		{"l'ordine", "dell'ordine", false},
		{"ordine", "dell'ordine", true},
		{"read faq", "read. faq", false}, // a match stays in one sentence
		{"col·lega", "Un col·lega", true},
	}
	for _, tc := range tests {
		t.Run(tc.pattern+"/"+tc.text, func(t *testing.T) {
			m := NewMatcher(FoldCase)
			if err := m.Add(tc.pattern, 0); err != nil {
				t.Fatal(err)
			}
			got := len(m.Scan(Tokenize(tc.text), nil)) > 0
			if got != tc.match {
				t.Errorf("match = %v, want %v", got, tc.match)
			}
		})
	}
	for _, bad := range []string{"", "(a|b", "a)", "~3 a", "a ~3", "a ~x b", "(a (b))", "???", "fo*o"} {
		if _, err := ParsePattern(bad); err == nil {
			t.Errorf("ParsePattern(%q): want an error", bad)
		}
	}
}
