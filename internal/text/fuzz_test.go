package text

import (
	"math"
	"strings"
	"testing"
)

// FuzzTokenize: tokens lie in the text in order, on rune boundaries,
// without overlapping; each is its span folded; sentences only grow and a
// sentence is a question or not as a whole; folding marks away changes no
// span.
func FuzzTokenize(f *testing.F) {
	for _, s := range shortReplies {
		f.Add(s)
	}
	f.Add("3.5 kg from example.com... Really?! Fine!? col·lega l'ordine — don't")
	f.Add("İIİ K ǅ ﬃ … ẞ Ёлка\xff\xfe·a a·")
	f.Fuzz(func(t *testing.T, s string) {
		toks := Tokenize(s)
		marks := TokenizeFold(s, FoldMarks)
		if len(marks) != len(toks) {
			t.Fatalf("%d tokens folding case, %d folding marks", len(toks), len(marks))
		}
		// Rune boundaries as Go iterates a string: an invalid byte counts
		// as one rune.
		boundary := map[int]bool{len(s): true}
		for i := range s {
			boundary[i] = true
		}
		end, sent := 0, -1
		question := map[int]bool{}
		for i, tk := range toks {
			if tk.Start < end || tk.Start >= tk.End || tk.End > len(s) {
				t.Fatalf("token %d [%d,%d) after %d in %d bytes", i, tk.Start, tk.End, end, len(s))
			}
			if !boundary[tk.Start] || !boundary[tk.End] {
				t.Fatalf("token %d [%d,%d) splits a rune", i, tk.Start, tk.End)
			}
			if tk.Word != FoldWord(s[tk.Start:tk.End], FoldCase) || tk.Word == "" {
				t.Fatalf("token %d word %q of %q", i, tk.Word, s[tk.Start:tk.End])
			}
			if tk.Sentence < sent {
				t.Fatalf("sentence %d after %d", tk.Sentence, sent)
			}
			if q, seen := question[tk.Sentence]; seen && q != tk.Question {
				t.Fatalf("sentence %d is and is not a question", tk.Sentence)
			}
			question[tk.Sentence] = tk.Question
			m := marks[i]
			if m.Start != tk.Start || m.End != tk.End || m.Sentence != tk.Sentence || m.Question != tk.Question {
				t.Fatalf("token %d differs when folding marks: %+v, %+v", i, tk, m)
			}
			end, sent = tk.End, tk.Sentence
		}
	})
}

// FuzzParsePattern: any pattern parses or fails without panicking; one
// that parses expands to 1–512 sequences, and its matches in any text lie
// within one sentence of the text, with either folding.
func FuzzParsePattern(f *testing.F) {
	f.Add("(please|) read (our|the) faq", "Please READ our FAQ.")
	f.Add("policy ~2 allow", "policy does not allow")
	f.Add("(will|ll|going to) ~3 (order*|buy*) ~4 again", "I'll definitely order from you again! Will I?")
	f.Add("(закажу|куплю) ~3 (еще|снова)", "Закажу у вас ещё")
	f.Add("pasūtīš* vēl", "Noteikti pasutisu vel")
	f.Add("((a|b) (c|)|d) e", "b e. d e")
	f.Add("(a|b|) ~2 c*", "a x y c d")
	f.Add("(a|b", "a")
	f.Fuzz(func(t *testing.T, pattern, s string) {
		p, err := ParsePattern(pattern)
		if err != nil {
			return
		}
		if p.Len() < 1 || p.Len() > 512 || p.String() != pattern {
			t.Fatalf("pattern %q: %d sequences, source %q", pattern, p.Len(), p.String())
		}
		for _, fold := range []Fold{FoldCase, FoldMarks} {
			m := NewMatcher(fold)
			m.AddPattern(p, 7)
			toks := TokenizeFold(s, fold)
			for _, mt := range m.Scan(toks, nil) {
				if mt.From < 0 || mt.From >= mt.To || mt.To > len(toks) {
					t.Fatalf("match [%d,%d) of %d tokens", mt.From, mt.To, len(toks))
				}
				if toks[mt.From].Sentence != toks[mt.To-1].Sentence {
					t.Fatalf("match [%d,%d) crosses a sentence", mt.From, mt.To)
				}
				if mt.Owner != 7 || mt.Pattern != pattern {
					t.Fatalf("match of owner %d, pattern %q", mt.Owner, mt.Pattern)
				}
			}
		}
	})
}

// FuzzParseGrams: a letter-model file parses or is refused, never panics;
// one that parses has letters, and its likelihoods are finite and negative.
func FuzzParseGrams(f *testing.F) {
	f.Add([]byte("# x\ne\t10\nth\t3\n_th\t2\n"))
	f.Add([]byte("e\t0\n"))
	f.Add([]byte("e\tx\n"))
	f.Add([]byte("\t5\n"))
	f.Add([]byte("_\t4\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := parseGrams(data)
		if err != nil {
			return
		}
		if m.letters <= 0 {
			t.Fatalf("parsed with %d letters", m.letters)
		}
		lp := m.logLikelihood(newGramText(normGrams("The parcel has not arrived")))
		if math.IsNaN(lp) || math.IsInf(lp, 0) || lp >= 0 {
			t.Fatalf("log-likelihood %v", lp)
		}
	})
}

// TestGramModelsLoad: every language Rapport detects has a letter model,
// and a bad model file is refused with its line.
func TestGramModelsLoad(t *testing.T) {
	models, err := gramModels()
	if err != nil {
		t.Fatal(err)
	}
	for _, lang := range []string{"en", "it", "ru", "lv", "ca"} {
		if m, ok := models[lang]; !ok || m.letters < 10000 {
			t.Errorf("%s: model missing or too small (%d letters)", lang, m.letters)
		}
	}
	if _, err := parseGrams([]byte("e\t10\nth 3\n")); err == nil || !strings.Contains(err.Error(), "line 2") {
		t.Errorf("bad line: error %v, want one naming line 2", err)
	}
}
