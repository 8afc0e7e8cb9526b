package text

// "It is done": when a promise is open on a ticket (the agent said what
// would happen and by when) and a later message says it has happened ("I
// received the replacement, thanks", "the replacement has shipped"),
// the agent is offered to mark the promise kept. Only offered: the agent
// decides, so the phrases lean to finding (a wrong offer costs a glance).
//
// Phrases are patterns of the shared matcher, mostly concept patterns
// (ParseConcept: the words in any order within ConceptWindow), one
// embedded file per language (done/LANG.txt) with two sections: [done]
// phrases and [negation] cues, which cancel a phrase when they end at most
// followUpNegationWindow words before it, or stand among the words it
// skips, as for follow-up answers. Future and conditional words are cues
// too: "the refund will be processed on Friday" is not done. A phrase in a
// question counts for nothing.

import (
	"embed"
	"fmt"
	"io/fs"
	"sort"
	"strings"
	"sync"
)

//go:embed done/*.txt
var doneFS embed.FS

// DoneDetector finds messages that say a promised thing has happened. It
// is safe for concurrent use.
type DoneDetector struct {
	langs map[string]*doneLang
}

type doneLang struct {
	done, negation *Matcher
}

// builtinDone is the detector of the embedded phrase files, compiled once.
var builtinDone = sync.OnceValue(func() *DoneDetector {
	d, err := NewDoneDetector()
	if err != nil {
		panic(err)
	}
	return d
})

// SaysDone reports whether msg, written in lang, says that something
// promised has happened, with the words that say it. See
// DoneDetector.Detect.
func SaysDone(msg, lang string) (string, bool) {
	return builtinDone().Detect(msg, lang)
}

// NewDoneDetector compiles the embedded phrase files. A pattern that does
// not parse stops it with an error naming the file and line.
func NewDoneDetector() (*DoneDetector, error) {
	d := &DoneDetector{langs: map[string]*doneLang{}}
	names, err := fs.Glob(doneFS, "done/*.txt")
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	for _, name := range names {
		data, err := doneFS.ReadFile(name)
		if err != nil {
			return nil, err
		}
		l := &doneLang{done: NewMatcher(FoldMarks), negation: NewMatcher(FoldMarks)}
		if err := l.parse(string(data)); err != nil {
			return nil, fmt.Errorf("text: done phrases %s: %w", name, err)
		}
		d.langs[strings.TrimSuffix(strings.TrimPrefix(name, "done/"), ".txt")] = l
	}
	return d, nil
}

// parse reads a phrase file: sections [done] and [negation] (ReadSections).
func (l *doneLang) parse(data string) error {
	n := 0
	return ReadSections(data, []string{"done", "negation"}, func(section, pattern string) error {
		m := l.done
		if section == "negation" {
			m = l.negation
		}
		n++
		return m.Add(pattern, n-1)
	})
}

// Detect reports whether msg, written in lang, says that something
// promised has happened, and returns the words that say it (from the
// message as written). Only the new part of a mail counts (TrimQuoted). A
// language without phrases (or "") is read with the phrases of every
// language.
func (d *DoneDetector) Detect(msg, lang string) (string, bool) {
	msg = TrimQuoted(msg)
	toks := TokenizeFold(msg, FoldMarks)
	if len(toks) == 0 {
		return "", false
	}
	langs := []*doneLang{d.langs[strings.ToLower(lang)]}
	if langs[0] == nil {
		langs = langs[:0]
		for _, k := range sortedKeys(d.langs) {
			langs = append(langs, d.langs[k])
		}
	}
	for _, l := range langs {
		negs := l.negation.Scan(toks, nil)
		for _, m := range l.done.Scan(toks, nil) {
			if toks[m.From].Question || negated(msg, toks, m, negs) {
				continue
			}
			return msg[toks[m.From].Start:toks[m.To-1].End], true
		}
	}
	return "", false
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
