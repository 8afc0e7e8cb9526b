package text

import (
	"strings"
	"testing"
)

func TestConceptMatch(t *testing.T) {
	for _, tc := range []struct {
		name, pattern, text string
		want                string // the matched words, "" for none
	}{
		{"adjacent", "(continuerò|continueremo) & (comprare|ordinare)", "Continuerò a comprare da voi.", "Continuerò a comprare"},
		{"adverb between", "(continuerò|continueremo) & (comprare|ordinare)", "continuerò sicuramente a comprare da voi", "continuerò sicuramente a comprare"},
		{"other order", "(continuerò|continueremo) & (comprare|ordinare)", "Da voi comprare continuerò, sicuramente.", "comprare continuerò"},
		{"three concepts", "(буду|будем) & (заказывать|покупать) & (дальше|впредь)", "обязательно буду и дальше заказывать у вас", "буду и дальше заказывать"},
		{"stems", "(turpināš*) & (pirkt|pasūtīt) & (jums|jūs*)", "noteikti turpināšu pirkt pie jums", "turpināšu pirkt pie jums"},
		{"a concept missing", "(keep|continue) & (buying|ordering) & (you|your)", "I'll keep buying.", ""},
		{"other sentence", "(keep|continue) & (buying|ordering)", "I keep wondering. Buying is hard.", ""},
		{"too far apart", "(keep|continue) & (buying|ordering)", "I keep one two three four five six seven eight nine ten buying", ""},
		{"one word for two concepts", "(keep*) & (keep|buying)", "keep", ""},
		{"multi-word concept", "(per fi|finalment) & (funciona)", "Ara funciona per fi", "funciona per fi"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := NewMatcher(FoldMarks)
			if err := m.Add(tc.pattern, 7); err != nil {
				t.Fatal(err)
			}
			toks := TokenizeFold(tc.text, FoldMarks)
			ms := m.Scan(toks, nil)
			got := ""
			if len(ms) > 0 {
				if ms[0].Owner != 7 || ms[0].Pattern != tc.pattern || len(ms[0].Parts) < 2 {
					t.Fatalf("match %+v", ms[0])
				}
				got = tc.text[toks[ms[0].From].Start:toks[ms[0].To-1].End]
			}
			if got != tc.want {
				t.Errorf("%q in %q: matched %q, want %q", tc.pattern, tc.text, got, tc.want)
			}
		})
	}
}

func TestConceptMixedWithRows(t *testing.T) {
	m := NewMatcher(FoldMarks)
	for i, p := range []string{"thanks", "(keep|continue) & (buying|ordering)", "from you"} {
		if err := m.Add(p, i); err != nil {
			t.Fatal(err)
		}
	}
	ms := m.Scan(TokenizeFold("Thanks, I will keep on buying from you", FoldMarks), nil)
	var owners []int
	for i, x := range ms {
		owners = append(owners, x.Owner)
		if i > 0 && ms[i-1].From > x.From {
			t.Errorf("matches out of order: %+v", ms)
		}
	}
	if len(owners) != 3 || owners[0] != 0 || owners[1] != 1 || owners[2] != 2 {
		t.Errorf("owners %v, want [0 1 2]", owners)
	}
	if in := ms[1]; !in.InParts(3) || in.InParts(4) || !in.InParts(5) {
		t.Errorf("parts %v: want keep (3) and buying (5), not on (4)", in.Parts)
	}
}

func TestParseConceptErrors(t *testing.T) {
	for _, tc := range []struct{ name, pattern, want string }{
		{"one concept", "keep &", "empty concept"},
		{"too many", "a & b & c & d & e", "2 to 4 concepts"},
		{"bad part", "keep & (buy", "unclosed group"},
		{"gap at the edge", "keep & ~2 buy", "gap"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := NewMatcher(FoldCase).Add(tc.pattern, 0)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Add(%q) = %v, want an error with %q", tc.pattern, err, tc.want)
			}
		})
	}
}

// FuzzConcept: any concept pattern either fails to parse or scans any text
// without panicking, every match within one sentence and the window.
func FuzzConcept(f *testing.F) {
	f.Add("(continuerò|continueremo) & (comprare|ordinare)", "continuerò sicuramente a comprare da voi")
	f.Add("a & b & c", "c b a. a b c")
	f.Add("x* & (y|) & z", "xx z y")
	f.Fuzz(func(t *testing.T, pattern, s string) {
		m := NewMatcher(FoldMarks)
		if err := m.Add(pattern, 0); err != nil {
			return
		}
		toks := TokenizeFold(s, FoldMarks)
		for _, x := range m.Scan(toks, nil) {
			if x.To-x.From > ConceptWindow && x.Parts != nil {
				t.Fatalf("match %+v wider than the window", x)
			}
			if toks[x.From].Sentence != toks[x.To-1].Sentence {
				t.Fatalf("match %+v crosses a sentence", x)
			}
		}
	})
}
