package text

import (
	"fmt"
	"strconv"
	"strings"
)

// elemKind says how one position of a pattern matches a word.
type elemKind uint8

const (
	elemExact  elemKind = iota // the word itself
	elemPrefix                 // any word starting with s ("refund*")
	elemGap                    // up to n words of anything ("~2")
	elemSet                    // one of several single words or prefixes ("(sorry|apologi*)")
)

type elem struct {
	kind     elemKind
	s        string
	n        int
	set      map[string]bool // elemSet: exact words, while parsing
	prefixes []string        // elemSet: prefixes
	id       int32           // elemExact: the word's id in the matcher's vocabulary
	bits     []uint64        // elemSet: the exact words' ids, as a bit set
}

// matches reports whether a word fits the element (not a gap); id is the
// word's id in the matcher's vocabulary, -1 when it has none.
func (e *elem) matches(id int32, w string) bool {
	switch e.kind {
	case elemExact:
		return id >= 0 && id == e.id
	case elemPrefix:
		return strings.HasPrefix(w, e.s)
	case elemSet:
		if id >= 0 && int(id>>6) < len(e.bits) && e.bits[id>>6]&(1<<(uint(id)&63)) != 0 {
			return true
		}
		for _, p := range e.prefixes {
			if strings.HasPrefix(w, p) {
				return true
			}
		}
	}
	return false
}

// seq is one expanded pattern: a row of elements, the pattern text it came
// from (so that a finding can show which rule matched) and its owner, an
// index into the matcher's owner table.
type seq struct {
	elems []elem
	src   string
	owner int
	// req are the positions of elements after the first that need a word
	// of the vocabulary: when the text has no such word anywhere, the
	// sequence cannot match and is not tried.
	req []int
	idx int // the sequence's number in its matcher, for per-scan memos
}

// Pattern is a parsed phrase pattern: the rows of words it stands for.
type Pattern struct {
	src  string
	rows [][]elem
}

// String returns the pattern as written.
func (p *Pattern) String() string { return p.src }

// Len returns how many word sequences the pattern expands to.
func (p *Pattern) Len() int { return len(p.rows) }

// ParsePattern parses one phrase pattern.
//
// The syntax is small on purpose, so that a business can write its own:
//
//	word       the word, case-insensitive
//	word*      any word starting with "word" (inflection: "возврат*" matches возврата, возвратом)
//	(a b|c|)   one of the alternatives, each a row of words and gaps; an empty one makes the group optional
//	~N         up to N words of anything (N from 1 to 9)
//
// Words are split like text (so "l'ordine" is two words). Groups do not
// nest. A pattern may not start or end with a gap (in any of its
// expansions) and expands to at most 512 sequences. A match never crosses a
// sentence boundary.
func ParsePattern(p string) (*Pattern, error) {
	rows, err := parsePattern(p)
	if err != nil {
		return nil, err
	}
	return &Pattern{src: p, rows: rows}, nil
}

func parsePattern(p string) ([][]elem, error) {
	var slots [][][]elem // slot -> alternatives -> elements
	rest := strings.TrimSpace(p)
	for rest != "" {
		switch {
		case rest[0] == ' ' || rest[0] == '\t':
			rest = rest[1:]
		case rest[0] == '(':
			end := strings.IndexByte(rest, ')')
			if end < 0 {
				return nil, fmt.Errorf("unclosed group in %q", p)
			}
			inner := rest[1:end]
			if strings.ContainsRune(inner, '(') {
				return nil, fmt.Errorf("nested group in %q", p)
			}
			// Single-word alternatives become one set element, so that a
			// long list of words does not multiply the sequences.
			var alts [][]elem
			set := elem{kind: elemSet, set: map[string]bool{}}
			for _, alt := range strings.Split(inner, "|") {
				es, err := parseWords(alt)
				if err != nil {
					return nil, fmt.Errorf("%w in %q", err, p)
				}
				switch {
				case len(es) == 1 && es[0].kind == elemExact:
					set.set[es[0].s] = true
				case len(es) == 1 && es[0].kind == elemPrefix:
					set.prefixes = append(set.prefixes, es[0].s)
				default:
					alts = append(alts, es)
				}
			}
			if len(set.set)+len(set.prefixes) > 0 {
				alts = append(alts, []elem{set})
			}
			slots = append(slots, alts)
			rest = rest[end+1:]
		case rest[0] == ')' || rest[0] == '|':
			return nil, fmt.Errorf("unexpected %q in %q", rest[0], p)
		default:
			end := strings.IndexAny(rest, " \t()|")
			if end < 0 {
				end = len(rest)
			}
			es, err := parseWords(rest[:end])
			if err != nil {
				return nil, fmt.Errorf("%w in %q", err, p)
			}
			slots = append(slots, [][]elem{es})
			rest = rest[end:]
		}
	}
	out := [][]elem{nil}
	for _, alts := range slots {
		if len(out)*len(alts) > 512 {
			return nil, fmt.Errorf("pattern %q expands to more than 512 sequences", p)
		}
		next := make([][]elem, 0, len(out)*len(alts))
		for _, head := range out {
			for _, alt := range alts {
				row := make([]elem, 0, len(head)+len(alt))
				row = append(append(row, head...), alt...)
				next = append(next, row)
			}
		}
		out = next
	}
	kept := out[:0]
	for _, row := range out {
		if len(row) == 0 {
			continue
		}
		if row[0].kind == elemGap || row[len(row)-1].kind == elemGap {
			return nil, fmt.Errorf("pattern %q must start with a word or a group, and end with one, not with a gap", p)
		}
		kept = append(kept, row)
	}
	if len(kept) == 0 {
		return nil, fmt.Errorf("pattern %q matches nothing", p)
	}
	return kept, nil
}

// parseWords parses a space-separated row of words, prefixes and gaps.
func parseWords(s string) ([]elem, error) {
	var es []elem
	for _, w := range strings.Fields(s) {
		if w[0] == '~' {
			n, err := strconv.Atoi(w[1:])
			if err != nil || n < 1 || n > 9 {
				return nil, fmt.Errorf("bad gap %q: a gap is ~1 to ~9", w)
			}
			es = append(es, elem{kind: elemGap, n: n})
			continue
		}
		prefix := strings.HasSuffix(w, "*")
		w = strings.TrimSuffix(w, "*")
		if strings.ContainsAny(w, "*~") {
			return nil, fmt.Errorf("bad word %q", w)
		}
		toks := Tokenize(w)
		if len(toks) == 0 {
			return nil, fmt.Errorf("word %q has no letters", w)
		}
		for i, t := range toks {
			k := elemExact
			if prefix && i == len(toks)-1 {
				k = elemPrefix
			}
			es = append(es, elem{kind: k, s: t.Word})
		}
	}
	return es, nil
}

// Matcher finds every sequence of a set of patterns in a tokenized text in
// one pass: sequences are indexed by their first word, exact or prefix.
// Every exact word of the patterns gets an id, so that a word of the text
// is hashed once and the elements compare ids.
//
// Add every pattern before the first Scan; after that a Matcher is safe for
// concurrent Scans.
type Matcher struct {
	fold       Fold
	nseq       int
	vocab      map[string]int32
	byID       [][]*seq // word id -> sequences starting with it
	byPrefix   map[string][]*seq
	prefixLens []int // distinct byte lengths of first-word prefixes

	// concepts are the concept patterns (concept.go), whose parts are
	// found by the matcher parts, owned by their number there.
	concepts []*concept
	parts    *Matcher
	nparts   int
}

// NewMatcher returns an empty Matcher whose pattern words are folded by f;
// Scan it over tokens folded the same way (TokenizeFold(text, f)).
func NewMatcher(f Fold) *Matcher {
	return &Matcher{fold: f, vocab: map[string]int32{}, byPrefix: map[string][]*seq{}}
}

func (m *Matcher) intern(w string) int32 {
	if id, ok := m.vocab[w]; ok {
		return id
	}
	id := int32(len(m.byID))
	m.vocab[w] = id
	m.byID = append(m.byID, nil)
	return id
}

// Add parses pattern p (see ParsePattern, or ParseConcept for a pattern
// with '&') and adds it for owner, a number of the caller's choosing that
// matches report: a rule, a marker group, a section of a phrase file.
func (m *Matcher) Add(p string, owner int) error {
	if isConcept(p) {
		return m.addConcept(p, owner)
	}
	pat, err := ParsePattern(p)
	if err != nil {
		return err
	}
	m.AddPattern(pat, owner)
	return nil
}

// AddPattern adds a parsed pattern for owner.
func (m *Matcher) AddPattern(p *Pattern, owner int) {
	for _, row := range p.rows {
		// Elements are shared between the rows of one pattern: copy
		// before filling in ids.
		row = append([]elem(nil), row...)
		for i := range row {
			if m.fold != FoldCase {
				row[i].s = FoldWord(row[i].s, m.fold)
				if row[i].kind == elemSet {
					set := make(map[string]bool, len(row[i].set))
					for w := range row[i].set {
						set[FoldWord(w, m.fold)] = true
					}
					row[i].set = set
					prefixes := make([]string, len(row[i].prefixes))
					for k, w := range row[i].prefixes {
						prefixes[k] = FoldWord(w, m.fold)
					}
					row[i].prefixes = prefixes
				}
			}
			switch row[i].kind {
			case elemExact:
				row[i].id = m.intern(row[i].s)
			case elemSet:
				var bits []uint64
				for w := range row[i].set {
					id := m.intern(w)
					for int(id>>6) >= len(bits) {
						bits = append(bits, 0)
					}
					bits[id>>6] |= 1 << (uint(id) & 63)
				}
				row[i].bits = bits
			}
		}
		s := &seq{elems: row, src: p.src, owner: owner, idx: m.nseq}
		m.nseq++
		for i := 1; i < len(row); i++ {
			if row[i].kind == elemExact || (row[i].kind == elemSet && len(row[i].prefixes) == 0) {
				s.req = append(s.req, i)
			}
		}
		first := row[0]
		switch first.kind {
		case elemExact:
			m.byID[first.id] = append(m.byID[first.id], s)
		case elemPrefix:
			m.addPrefix(first.s, s)
		case elemSet:
			for w := range first.set {
				id := m.vocab[w]
				m.byID[id] = append(m.byID[id], s)
			}
			for _, p := range first.prefixes {
				m.addPrefix(p, s)
			}
		}
	}
}

func (m *Matcher) addPrefix(p string, s *seq) {
	if _, ok := m.byPrefix[p]; !ok {
		m.addPrefixLen(len(p))
	}
	m.byPrefix[p] = append(m.byPrefix[p], s)
}

func (m *Matcher) addPrefixLen(n int) {
	for _, l := range m.prefixLens {
		if l == n {
			return
		}
	}
	m.prefixLens = append(m.prefixLens, n)
}

// Match is one occurrence of a pattern: tokens [From, To) of the text.
type Match struct {
	From, To int
	// Owner is the owner the pattern was added for.
	Owner int
	// Pattern is the pattern as written, so that a finding can show which
	// one matched.
	Pattern string
	// Parts, for a concept pattern's match, are the [from, to) token spans
	// its concepts took, in text order; the words between them were
	// skipped. Nil for a row pattern.
	Parts [][2]int
}

// Scan appends to out every match in toks, by start position, and returns
// it. At one position only the longest match of each owner is kept; within
// one expansion of a pattern a gap takes as few words as it can. Concept
// patterns' matches come in start order among the others.
func (m *Matcher) Scan(toks []Token, out []Match) []Match {
	mark := len(out)
	out = m.scanRows(toks, out)
	if len(m.concepts) > 0 {
		out = append(out[:mark], m.scanConcepts(toks, out[mark:])...)
	}
	return out
}

// scanRows is Scan of the row patterns.
func (m *Matcher) scanRows(toks []Token, out []Match) []Match {
	ids := make([]int32, len(toks))
	present := make([]uint64, (len(m.byID)+63)/64)
	for i := range toks {
		id, ok := m.vocab[toks[i].Word]
		if !ok {
			id = -1
		} else {
			present[id>>6] |= 1 << (uint(id) & 63)
		}
		ids[i] = id
	}
	st := scanState{toks: toks, ids: ids, present: present, memo: make([]uint8, m.nseq)}
	for i := range toks {
		mark := len(out)
		if id := ids[i]; id >= 0 {
			for _, s := range m.byID[id] {
				out = st.try(i, s, out, mark)
			}
		}
		w := toks[i].Word
		for _, l := range m.prefixLens {
			if l <= len(w) {
				for _, s := range m.byPrefix[w[:l]] {
					out = st.try(i, s, out, mark)
				}
			}
		}
	}
	return out
}

// scanState is what one scan knows of the text.
type scanState struct {
	toks    []Token
	ids     []int32
	present []uint64 // bit set of the vocabulary ids that occur in the text
	memo    []uint8  // per sequence: 0 not yet known, 1 possible, 2 not
}

// possible reports whether every required element of s has a word in the
// text; the answer holds for the whole scan, so it is worked out once.
func (st *scanState) possible(s *seq) bool {
	switch st.memo[s.idx] {
	case 1:
		return true
	case 2:
		return false
	}
	ok := st.check(s)
	st.memo[s.idx] = 2
	if ok {
		st.memo[s.idx] = 1
	}
	return ok
}

func (st *scanState) check(s *seq) bool {
	for _, k := range s.req {
		e := &s.elems[k]
		if e.kind == elemExact {
			if st.present[e.id>>6]&(1<<(uint(e.id)&63)) == 0 {
				return false
			}
			continue
		}
		found := false
		for w, bits := range e.bits {
			if w < len(st.present) && bits&st.present[w] != 0 {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

func (st *scanState) try(i int, s *seq, out []Match, mark int) []Match {
	if !st.possible(s) {
		return out
	}
	toks := st.toks
	end := matchFrom(toks, st.ids, i+1, s.elems[1:], toks[i].Sentence)
	if end < 0 {
		return out
	}
	for k := mark; k < len(out); k++ {
		if out[k].Owner == s.owner {
			if end > out[k].To {
				out[k] = Match{From: i, To: end, Owner: s.owner, Pattern: s.src}
			}
			return out
		}
	}
	return append(out, Match{From: i, To: end, Owner: s.owner, Pattern: s.src})
}

// matchFrom matches elems against toks from position i within one sentence
// and returns the end position, or -1.
func matchFrom(toks []Token, ids []int32, i int, elems []elem, sent int) int {
	if len(elems) == 0 {
		return i
	}
	e := &elems[0]
	if e.kind == elemGap {
		for skip := 0; skip <= e.n; skip++ {
			if i+skip >= len(toks) || toks[i+skip].Sentence != sent {
				return -1
			}
			if end := matchFrom(toks, ids, i+skip, elems[1:], sent); end >= 0 {
				return end
			}
		}
		return -1
	}
	if i >= len(toks) || toks[i].Sentence != sent {
		return -1
	}
	if !e.matches(ids[i], toks[i].Word) {
		return -1
	}
	return matchFrom(toks, ids, i+1, elems[1:], sent)
}
