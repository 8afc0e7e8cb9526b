package recommit

// Re-commitment phrase detection: does a customer's message say they will
// come back, order again, renew or stay? Phrases are patterns over words
// in the shared pattern language (text.ParsePattern), one resource file
// per language (phrases/LANG.txt), which a business can extend with its
// own files.
//
// A match is proposed unless a negation cue stands in the match or just
// before it ("I will not order again", "non tornerò", "больше не
// закажу"), an exception pattern overlaps it ("I'll return the item"), or
// its sentence is a question ("Will I have to order again?").

import (
	"cmp"
	"embed"
	"fmt"
	"io/fs"
	"os"
	"slices"
	"sort"
	"strings"

	"github.com/rapport/rapport/internal/text"
)

//go:embed phrases/*.txt
var recommitFS embed.FS

// negationWindow is how many words before a match a negation cue may
// stand: "I don't think I'll order again".
const negationWindow = 3

// Limits on a pattern in a phrase file, beyond the shared grammar's: a gap
// lets the matcher try several ends, so a line with many of them could
// make every message slow to read.
const (
	maxPatternLen  = 600
	maxPatternGaps = 4
)

// DetectorOpts configures NewDetector.
type DetectorOpts struct {
	// Dir, when set, holds a business's own phrase files, named LANG.txt
	// or LANG.NAME.txt (e.g. lv.shop.txt); their patterns are added to the
	// embedded ones of that language, and a file for a new language adds
	// the language.
	Dir string
}

// Detector finds re-commitment phrases in customers' messages.
// It is safe for concurrent use.
type Detector struct {
	langs map[string]*recommitLang
}

// recommitLang is one language's compiled phrases: a matcher per section
// of its files, each pattern owned by its line's number within the
// section over all the language's files, so that the first phrase in
// file order wins.
type recommitLang struct {
	intent, negation, except *text.Matcher
	// nIntent, nNegation and nExcept count the patterns of each section.
	nIntent, nNegation, nExcept int
}

func newRecommitLang() *recommitLang {
	return &recommitLang{intent: text.NewMatcher(text.FoldMarks), negation: text.NewMatcher(text.FoldMarks),
		except: text.NewMatcher(text.FoldMarks)}
}

// Match is a detected re-commitment.
type Match struct {
	// Lang is the language whose phrases matched.
	Lang string
	// Phrase is the pattern that matched, as written in its file.
	Phrase string
	// Start and End are the byte offsets of the matched words in the text.
	Start, End int
	// Text is text[Start:End].
	Text string
}

// NewDetector loads the embedded phrase files and any in
// opts.Dir. A pattern that does not parse stops it with an error naming
// the file and line.
func NewDetector(opts DetectorOpts) (*Detector, error) {
	d := &Detector{langs: map[string]*recommitLang{}}
	sub, err := fs.Sub(recommitFS, "phrases")
	if err != nil {
		return nil, err
	}
	if err := d.loadDir(sub, "embedded"); err != nil {
		return nil, err
	}
	if opts.Dir != "" {
		// fs.Glob ignores a missing folder; a misspelt one should not.
		if fi, err := os.Stat(opts.Dir); err != nil || !fi.IsDir() {
			return nil, fmt.Errorf("recommit: re-commitment phrases: %s is not a readable folder", opts.Dir)
		}
		if err := d.loadDir(os.DirFS(opts.Dir), opts.Dir); err != nil {
			return nil, err
		}
	}
	return d, nil
}

func (d *Detector) loadDir(fsys fs.FS, where string) error {
	names, err := fs.Glob(fsys, "*.txt")
	if err != nil {
		return err
	}
	sort.Strings(names)
	for _, name := range names {
		lang, _, _ := strings.Cut(strings.TrimSuffix(name, ".txt"), ".")
		lang = strings.ToLower(lang)
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			return fmt.Errorf("recommit: re-commitment phrases %s/%s: %w", where, name, err)
		}
		l := d.langs[lang]
		if l == nil {
			l = newRecommitLang()
			d.langs[lang] = l
		}
		if err := l.parse(string(data)); err != nil {
			return fmt.Errorf("recommit: re-commitment phrases %s/%s: %w", where, name, err)
		}
	}
	return nil
}

// parse reads a phrase file: sections [intent], [negation] and [except]
// (text.ReadSections), each pattern at most maxPatternLen bytes with at
// most maxPatternGaps gaps.
func (l *recommitLang) parse(data string) error {
	return text.ReadSections(data, []string{"intent", "negation", "except"}, func(section, line string) error {
		m, count := l.intent, &l.nIntent
		switch section {
		case "negation":
			m, count = l.negation, &l.nNegation
		case "except":
			m, count = l.except, &l.nExcept
		}
		switch {
		case len(line) > maxPatternLen:
			return fmt.Errorf("longer than %d bytes", maxPatternLen)
		case strings.Count(line, "~") > maxPatternGaps:
			return fmt.Errorf("%q: more than %d gaps", line, maxPatternGaps)
		}
		if err := m.Add(line, *count); err != nil {
			return fmt.Errorf("%q: %w", line, err)
		}
		*count++
		return nil
	})
}

// Languages returns the languages the detector has phrases for.
func (d *Detector) Languages() []string {
	var out []string
	for l := range d.langs {
		out = append(out, l)
	}
	sort.Strings(out)
	return out
}

// Detect reports whether msg, written in lang, states an intention to
// come back, order or buy again, renew or stay, with the first such
// phrase: the earliest in the text, and of those starting at one word the
// first in file order. A language without phrases detects nothing.
func (d *Detector) Detect(msg, lang string) (Match, bool) {
	lang = strings.ToLower(lang)
	l := d.langs[lang]
	if l == nil || l.nIntent == 0 {
		return Match{}, false
	}
	toks := text.TokenizeFold(msg, text.FoldMarks)
	intents := l.intent.Scan(toks, nil)
	if len(intents) == 0 {
		return Match{}, false
	}
	negs := l.negation.Scan(toks, nil)
	excepts := l.except.Scan(toks, nil)
	for i := 0; i < len(intents); {
		// Scan gives the matches by start; those at one start go by owner,
		// the phrase's place in its files.
		j := i + 1
		for j < len(intents) && intents[j].From == intents[i].From {
			j++
		}
		at := intents[i:j]
		slices.SortFunc(at, func(a, b text.Match) int { return cmp.Compare(a.Owner, b.Owner) })
		for _, m := range at {
			if toks[m.From].Question || cancelled(toks, m, negs, false) || cancelled(toks, m, excepts, true) {
				continue
			}
			r := Match{Lang: lang, Phrase: m.Pattern, Start: toks[m.From].Start, End: toks[m.To-1].End}
			r.Text = msg[r.Start:r.End]
			return r, true
		}
		i = j
	}
	return Match{}, false
}

// cancelled reports whether one of cues starts within the match m or up to
// negationWindow words before it, in its sentence; with overlap, the cue
// must also reach into the match (an exception), where a negation cancels
// it just by standing before it.
func cancelled(toks []text.Token, m text.Match, cues []text.Match, overlap bool) bool {
	sent := toks[m.From].Sentence
	for _, c := range cues {
		if c.From < m.From-negationWindow || c.From >= m.To || toks[c.From].Sentence != sent {
			continue
		}
		if !overlap || c.To > m.From {
			return true
		}
	}
	return false
}
