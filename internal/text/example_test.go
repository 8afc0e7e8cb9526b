package text_test

import (
	"fmt"

	"github.com/rapport/rapport/internal/text"
)

// A phrase detector in the manner of the re-commitment one: an intent
// counts unless its sentence is a question, or a negation cue starts in it
// or up to three words before it, in the same sentence.
func Example_negationWindow() {
	intent, negation := text.NewMatcher(text.FoldMarks), text.NewMatcher(text.FoldMarks)
	for i, p := range []string{"(will|ll) ~3 order* ~4 again", "see you (again|soon)"} {
		if err := intent.Add(p, i); err != nil {
			panic(err)
		}
	}
	for i, p := range []string{"not", "never", "no longer"} {
		if err := negation.Add(p, i); err != nil {
			panic(err)
		}
	}
	const window = 3
	for _, s := range []string{
		"Great service, I'll definitely order again.",
		"I will not order again.",
		"I will never, ever order from you again.",
		"Will I have to order again?",
		"Not happy with the box. I'll order again anyway.",
	} {
		toks := text.TokenizeFold(s, text.FoldMarks)
		negs := negation.Scan(toks, nil)
		found := "-"
	intents:
		for _, m := range intent.Scan(toks, nil) {
			if toks[m.From].Question {
				continue
			}
			for _, n := range negs {
				if n.From >= m.From-window && n.From < m.To && toks[n.From].Sentence == toks[m.From].Sentence {
					continue intents
				}
			}
			found = s[toks[m.From].Start:toks[m.To-1].End]
			break
		}
		fmt.Printf("%s => %s\n", s, found)
	}
	// Output:
	// Great service, I'll definitely order again. => ll definitely order again
	// I will not order again. => -
	// I will never, ever order from you again. => -
	// Will I have to order again? => -
	// Not happy with the box. I'll order again anyway. => ll order again
}
