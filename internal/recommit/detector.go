package recommit

// Re-commitment phrase detection: does a customer's message say they will
// come back, order again, renew or stay? Phrases are patterns over words,
// one resource file per language (phrases/LANG.txt), which a business can
// extend with its own files.
//
// A match is proposed unless a negation cue stands in the match or just
// before it ("I will not order again", "non tornerò", "больше не
// закажу"), an exception pattern overlaps it ("I'll return the item"), or
// its sentence is a question ("Will I have to order again?").

import (
	"bufio"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

//go:embed phrases/*.txt
var recommitFS embed.FS

// negationWindow is how many words before a match a negation cue may
// stand: "I don't think I'll order again".
const negationWindow = 3

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

// recommitLang is one language's compiled phrases.
type recommitLang struct {
	intent, negation, except []phrase
}

// phrase is one compiled pattern with its source text and the words it
// can start with, so that most positions are rejected at a glance.
type phrase struct {
	source string
	seq    []pnode
	first  []pnode // words and prefixes; nil with anyFirst
	// anyFirst is set when the first word cannot be told in advance.
	anyFirst bool
}

// mayStart reports whether the phrase can start at word w.
func (ph *phrase) mayStart(w string) bool {
	if ph.anyFirst {
		return true
	}
	for _, n := range ph.first {
		if w == n.word || (n.prefix && strings.HasPrefix(w, n.word)) {
			return true
		}
	}
	return false
}

// firstWords collects the words seq can start with; ok is false when
// that cannot be told (an optional group first).
func firstWords(seq []pnode) (out []pnode, ok bool) {
	if len(seq) == 0 || seq[0].gap > 0 {
		return nil, false
	}
	if seq[0].alts == nil {
		return []pnode{seq[0]}, true
	}
	for _, alt := range seq[0].alts {
		ws, ok := firstWords(alt)
		if !ok {
			return nil, false
		}
		out = append(out, ws...)
	}
	return out, true
}

// pnode is an element of a pattern: a word, a word prefix ("pasūtīš*"),
// a group of alternatives, or a gap of up to n words ("~2").
type pnode struct {
	word   string
	prefix bool
	alts   [][]pnode
	gap    int
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
			l = &recommitLang{}
			d.langs[lang] = l
		}
		if err := l.parse(string(data)); err != nil {
			return fmt.Errorf("recommit: re-commitment phrases %s/%s: %w", where, name, err)
		}
	}
	return nil
}

// parse reads a phrase file: sections [intent], [negation] and [except],
// one pattern a line; '#' starts a comment line.
func (l *recommitLang) parse(data string) error {
	var section *[]phrase
	sc := bufio.NewScanner(strings.NewReader(data))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		switch {
		case line == "" || strings.HasPrefix(line, "#"):
			continue
		case line == "[intent]":
			section = &l.intent
			continue
		case line == "[negation]":
			section = &l.negation
			continue
		case line == "[except]":
			section = &l.except
			continue
		case strings.HasPrefix(line, "["):
			return fmt.Errorf("line %d: unknown section %s (want [intent], [negation] or [except])", n, line)
		case section == nil:
			return fmt.Errorf("line %d: pattern before any section", n)
		}
		seq, err := parsePattern(line)
		if err != nil {
			return fmt.Errorf("line %d: %q: %w", n, line, err)
		}
		first, ok := firstWords(seq)
		*section = append(*section, phrase{source: line, seq: seq, first: first, anyFirst: !ok})
	}
	return sc.Err()
}

// parsePattern compiles a pattern: words, "word*" prefixes, "(a b|c|)"
// groups (an empty alternative makes the group optional) and "~N" gaps.
func parsePattern(s string) ([]pnode, error) {
	// Bounds keep the backtracking matcher fast on any text.
	if len(s) > maxPatternLen {
		return nil, fmt.Errorf("longer than %d bytes", maxPatternLen)
	}
	if strings.Count(s, "~") > maxPatternGaps {
		return nil, fmt.Errorf("more than %d gaps", maxPatternGaps)
	}
	p := &patternParser{src: s}
	seq, err := p.seq(0)
	if err != nil {
		return nil, err
	}
	if p.pos < len(p.src) {
		return nil, fmt.Errorf("unexpected %q", p.src[p.pos:])
	}
	if len(seq) == 0 || seq[0].gap > 0 {
		return nil, errors.New("a pattern must start with a word or a group")
	}
	return seq, nil
}

type patternParser struct {
	src string
	pos int
}

// Limits on a pattern's shape.
const (
	maxPatternDepth = 8
	maxPatternLen   = 600
	maxPatternGaps  = 4
)

// seq reads a row of elements up to ')', '|' or the end.
func (p *patternParser) seq(depth int) ([]pnode, error) {
	var out []pnode
	for p.pos < len(p.src) {
		c := p.src[p.pos]
		switch {
		case c == ' ' || c == '\t':
			p.pos++
		case c == ')' || c == '|':
			return out, nil
		case c == '(':
			if depth >= maxPatternDepth {
				return nil, errors.New("groups nested too deep")
			}
			p.pos++
			var alts [][]pnode
			for {
				alt, err := p.seq(depth + 1)
				if err != nil {
					return nil, err
				}
				alts = append(alts, alt)
				if p.pos >= len(p.src) {
					return nil, errors.New("unclosed group")
				}
				if p.src[p.pos] == ')' {
					p.pos++
					break
				}
				p.pos++ // '|'
			}
			out = append(out, pnode{alts: alts})
		case c == '~':
			p.pos++
			start := p.pos
			for p.pos < len(p.src) && p.src[p.pos] >= '0' && p.src[p.pos] <= '9' {
				p.pos++
			}
			n, err := strconv.Atoi(p.src[start:p.pos])
			if err != nil || n < 1 || n > 9 {
				return nil, errors.New("a gap is ~1 to ~9")
			}
			out = append(out, pnode{gap: n})
		default:
			start := p.pos
			for p.pos < len(p.src) && !strings.ContainsRune(" \t()|~", rune(p.src[p.pos])) {
				p.pos++
			}
			raw := p.src[start:p.pos]
			prefix := strings.HasSuffix(raw, "*")
			raw = strings.TrimSuffix(raw, "*")
			// Words in patterns split as text does: "won't" is "won t".
			toks := tokenize(raw)
			if len(toks) == 0 {
				return nil, fmt.Errorf("%q has no letters", p.src[start:p.pos])
			}
			for i, t := range toks {
				out = append(out, pnode{word: t.word, prefix: prefix && i == len(toks)-1})
			}
		}
	}
	return out, nil
}

// token is a word of a text: folded, with its byte span and sentence.
type token struct {
	word       string
	start, end int
	sentence   int
}

// foldWord lower-cases a word and strips its diacritics, so that
// "Pasūtīšu", "pasutisu", "ещё" and "еще", "tornerò" and "tornero" meet.
func foldWord(w string) string {
	w = strings.ToLower(w)
	ascii := true
	for i := 0; i < len(w); i++ {
		if w[i] >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if ascii {
		return w
	}
	var b strings.Builder
	for _, r := range norm.NFD.String(w) {
		if !unicode.Is(unicode.Mn, r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// tokenize splits text into words (letters, digits and marks;
// apostrophes and hyphens split) and numbers their sentences; a sentence
// ends at . ! ? ; … or a line break. questions reports, per sentence,
// whether it ends with a question mark.
func tokenize(text string) []token {
	toks, _ := tokenizeSentences(text)
	return toks
}

func tokenizeSentences(text string) (toks []token, questions []bool) {
	sentence := 0
	questions = []bool{false}
	start := -1
	flush := func(end int) {
		if start >= 0 {
			toks = append(toks, token{word: foldWord(text[start:end]), start: start, end: end, sentence: sentence})
			start = -1
		}
	}
	for i, r := range text {
		if unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r) {
			if start < 0 {
				start = i
			}
			continue
		}
		flush(i)
		switch r {
		case '.', '!', '?', ';', '…', '\n', '？', '！', '。':
			// Runs of terminators ("?!", "...") end one sentence.
			if len(toks) > 0 && toks[len(toks)-1].sentence == sentence {
				questions[sentence] = r == '?' || r == '？'
				sentence++
				questions = append(questions, false)
			}
		}
	}
	flush(len(text))
	return toks, questions
}

// matchSeq matches seq at token i within sentence s, calling k with the
// end of each way it matches until k accepts one.
func matchSeq(seq []pnode, toks []token, i, s int, k func(end int) bool) bool {
	if len(seq) == 0 {
		return k(i)
	}
	n := seq[0]
	rest := seq[1:]
	switch {
	case n.gap > 0:
		for g := 0; g <= n.gap; g++ {
			if g > 0 && (i+g-1 >= len(toks) || toks[i+g-1].sentence != s) {
				break
			}
			if matchSeq(rest, toks, i+g, s, k) {
				return true
			}
		}
		return false
	case n.alts != nil:
		for _, alt := range n.alts {
			if matchSeq(alt, toks, i, s, func(end int) bool { return matchSeq(rest, toks, end, s, k) }) {
				return true
			}
		}
		return false
	}
	if i >= len(toks) || toks[i].sentence != s {
		return false
	}
	w := toks[i].word
	if w == n.word || (n.prefix && strings.HasPrefix(w, n.word)) {
		return matchSeq(rest, toks, i+1, s, k)
	}
	return false
}

// matchAt returns the end of the shortest match of seq at token i, or -1.
func matchAt(seq []pnode, toks []token, i int) int {
	end := -1
	matchSeq(seq, toks, i, toks[i].sentence, func(e int) bool {
		if e > i {
			end = e
			return true
		}
		return false
	})
	return end
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

// Detect reports whether text, written in lang, states an intention to
// come back, order or buy again, renew or stay, with the first such
// phrase. A language without phrases detects nothing.
func (d *Detector) Detect(text, lang string) (Match, bool) {
	l := d.langs[strings.ToLower(lang)]
	if l == nil || len(l.intent) == 0 {
		return Match{}, false
	}
	toks, questions := tokenizeSentences(text)
	for i := range toks {
		if questions[toks[i].sentence] {
			continue
		}
		for k := range l.intent {
			ph := &l.intent[k]
			if !ph.mayStart(toks[i].word) {
				continue
			}
			end := matchAt(ph.seq, toks, i)
			if end < 0 || l.negated(toks, i, end) || l.excepted(toks, i, end) {
				continue
			}
			m := Match{Lang: strings.ToLower(lang), Phrase: ph.source, Start: toks[i].start, End: toks[end-1].end}
			m.Text = text[m.Start:m.End]
			return m, true
		}
	}
	return Match{}, false
}

// negated reports whether a negation cue starts within the match
// [i, end) or up to negationWindow words before it, in its sentence.
func (l *recommitLang) negated(toks []token, i, end int) bool {
	s := toks[i].sentence
	for j := max(0, i-negationWindow); j < end; j++ {
		if toks[j].sentence != s {
			continue
		}
		for k := range l.negation {
			if l.negation[k].mayStart(toks[j].word) && matchAt(l.negation[k].seq, toks, j) >= 0 {
				return true
			}
		}
	}
	return false
}

// excepted reports whether an exception pattern overlaps the match.
func (l *recommitLang) excepted(toks []token, i, end int) bool {
	s := toks[i].sentence
	for j := max(0, i-negationWindow); j < end; j++ {
		if toks[j].sentence != s {
			continue
		}
		for k := range l.except {
			if !l.except[k].mayStart(toks[j].word) {
				continue
			}
			if e := matchAt(l.except[k].seq, toks, j); e > i {
				return true
			}
		}
	}
	return false
}
