package text

// Follow-up answers: a few days after a ticket is solved the customer is
// asked whether the fix held, and may answer in their own words. The
// classifier reads the new part of such an answer (TrimQuoted) and says
// yes (it holds), no (it does not) or unclear (anything else, or both).
//
// Phrases are patterns in the shared pattern language (ParsePattern), one
// embedded file per language (followup/LANG.txt) with four sections:
// [yes] and [no] phrases, [negation] cues, and [neutral] phrases that say
// neither though they hold a word that would ("si us plau" is "please"). A negation cue that ends at
// most followUpNegationWindow words before a phrase, in its sentence and
// with no comma between, turns the phrase over: "non funziona" is no,
// "no more problems" ("nessun problema") is yes. A phrase inside a longer
// phrase of the other answer gives way to it ("no problem" is not "no").
// A yes in a question ("Should it work now?") counts for nothing.

import (
	"embed"
	"fmt"
	"io/fs"
	"sort"
	"strings"
	"sync"
)

//go:embed followup/*.txt
var followUpFS embed.FS

// followUpNegationWindow is how many words may stand between a negation
// cue and the phrase it turns over: "non ho più avuto problemi".
const followUpNegationWindow = 3

// Answer is what a follow-up answer says about the fix.
type Answer string

// The answers a follow-up can get.
const (
	AnswerYes     Answer = "yes"     // the fix held
	AnswerNo      Answer = "no"      // it did not: the problem is back or was never gone
	AnswerUnclear Answer = "unclear" // neither, or both: a person must read it
)

// FollowUpClassifier classifies written answers to the follow-up question.
// It is safe for concurrent use.
type FollowUpClassifier struct {
	langs map[string]*followUpLang
}

// followUpLang is one language's compiled phrases.
type followUpLang struct {
	yes, no, negation, neutral *Matcher
}

// builtinFollowUp is the classifier of the embedded phrase files, compiled
// once.
var builtinFollowUp = sync.OnceValue(func() *FollowUpClassifier {
	c, err := NewFollowUpClassifier()
	if err != nil {
		panic(err)
	}
	return c
})

// ClassifyFollowUp classifies msg, an answer to the follow-up question
// written in lang, with the embedded phrases. See
// FollowUpClassifier.Classify.
func ClassifyFollowUp(msg, lang string) Answer {
	return builtinFollowUp().Classify(msg, lang)
}

// NewFollowUpClassifier compiles the embedded phrase files. A pattern that
// does not parse stops it with an error naming the file and line.
func NewFollowUpClassifier() (*FollowUpClassifier, error) {
	c := &FollowUpClassifier{langs: map[string]*followUpLang{}}
	names, err := fs.Glob(followUpFS, "followup/*.txt")
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	for _, name := range names {
		data, err := followUpFS.ReadFile(name)
		if err != nil {
			return nil, err
		}
		l := &followUpLang{yes: NewMatcher(FoldMarks), no: NewMatcher(FoldMarks), negation: NewMatcher(FoldMarks),
			neutral: NewMatcher(FoldMarks)}
		if err := l.parse(string(data)); err != nil {
			return nil, fmt.Errorf("text: follow-up phrases %s: %w", name, err)
		}
		lang := strings.TrimSuffix(strings.TrimPrefix(name, "followup/"), ".txt")
		c.langs[lang] = l
	}
	return c, nil
}

// parse reads a phrase file: sections [yes], [no], [negation] and
// [neutral] (ReadSections).
func (l *followUpLang) parse(data string) error {
	matchers := map[string]*Matcher{"yes": l.yes, "no": l.no, "negation": l.negation, "neutral": l.neutral}
	n := 0
	return ReadSections(data, []string{"yes", "no", "negation", "neutral"}, func(section, pattern string) error {
		n++
		return matchers[section].Add(pattern, n-1)
	})
}

// Languages returns the languages the classifier has phrases for.
func (c *FollowUpClassifier) Languages() []string {
	out := make([]string, 0, len(c.langs))
	for l := range c.langs {
		out = append(out, l)
	}
	sort.Strings(out)
	return out
}

// Classify says whether msg, an answer to "is everything all right now?"
// written in lang, means yes, no or neither. Only the new part of a mail
// counts (TrimQuoted). A language without phrases (or "") is read with the
// phrases of every language, so that an answer whose language is unknown
// is still understood.
func (c *FollowUpClassifier) Classify(msg, lang string) Answer {
	msg = TrimQuoted(msg)
	toks := TokenizeFold(msg, FoldMarks)
	if len(toks) == 0 {
		return AnswerUnclear
	}
	var yes, no int
	if l := c.langs[strings.ToLower(lang)]; l != nil {
		yes, no = l.votes(msg, toks)
	} else {
		for _, l := range c.langs {
			y, n := l.votes(msg, toks)
			yes, no = yes+y, no+n
		}
	}
	switch {
	case yes > 0 && no == 0:
		return AnswerYes
	case no > 0 && yes == 0:
		return AnswerNo
	}
	return AnswerUnclear
}

// followUpHit is one phrase found, with the answer it stands for after
// negation.
type followUpHit struct {
	from, to int
	yes      bool
}

// votes counts the phrases of msg that say yes and those that say no.
func (l *followUpLang) votes(msg string, toks []Token) (yes, no int) {
	negs := l.negation.Scan(toks, nil)
	neutral := l.neutral.Scan(toks, nil)
	var hits []followUpHit
	for _, side := range []struct {
		m   *Matcher
		yes bool
	}{{l.yes, true}, {l.no, false}} {
		for _, m := range side.m.Scan(toks, nil) {
			h := followUpHit{from: m.From, to: m.To, yes: side.yes}
			if negated(msg, toks, m, negs) {
				h.yes = !h.yes
			}
			hits = append(hits, h)
		}
	}
	for i, h := range hits {
		if h.yes && toks[h.from].Question {
			continue
		}
		if inside(h, i, hits) || within(h, neutral) {
			continue
		}
		if h.yes {
			yes++
		} else {
			no++
		}
	}
	return yes, no
}

// negated reports whether a negation cue ends at most
// followUpNegationWindow words before match m, in its sentence, with no
// comma between ("No, it works" is not "it does not work"). A cue within
// the phrase belongs to it, and a phrase that is itself a cue is not
// turned over ("res no funciona": nothing works). A concept pattern's
// match is also turned over by a cue among the words it skipped.
func negated(msg string, toks []Token, m Match, negs []Match) bool {
	sent := toks[m.From].Sentence
	for _, c := range negs {
		if c.From == m.From {
			return false
		}
	}
	// A concept pattern skips the words between its concepts; a cue among
	// them turns it over ("il problema non è risolto").
	if m.Parts != nil {
		for _, c := range negs {
			if c.From > m.From && c.To <= m.To && !m.InParts(c.From) {
				return true
			}
		}
	}
	for _, c := range negs {
		if c.To > m.From || c.To < m.From-followUpNegationWindow || toks[c.From].Sentence != sent {
			continue
		}
		if strings.ContainsAny(msg[toks[c.To-1].End:toks[m.From].Start], ",:") {
			continue
		}
		return true
	}
	return false
}

// within reports whether hit h lies within one of the neutral phrases.
func within(h followUpHit, neutral []Match) bool {
	for _, m := range neutral {
		if m.From <= h.from && h.to <= m.To {
			return true
		}
	}
	return false
}

// inside reports whether hit i lies within a longer hit of the other
// answer, which then speaks for it: "no problem" holds "no" and "problem".
func inside(h followUpHit, i int, hits []followUpHit) bool {
	for j, o := range hits {
		if j == i || o.yes == h.yes {
			continue
		}
		if o.from <= h.from && h.to <= o.to && o.to-o.from > h.to-h.from {
			return true
		}
	}
	return false
}
