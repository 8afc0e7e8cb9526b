package quality

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// token is one word of a text: its byte span in the original text, its
// lower-cased form and the sentence it belongs to.
type token struct {
	start, end int
	low        string
	sent       int
}

// tokenize splits text into words. Letters, digits and combining marks make
// words; apostrophes, hyphens and everything else separate them, so that
// "l'ordine" gives "l" and "ordine", and "don't" gives "don" and "t" (the
// patterns are split the same way, so they match). A sentence ends at . ! ? ;
// … or a line break; a full stop inside "3.5" or "example.com" does not end one.
func tokenize(text string) []token {
	toks := make([]token, 0, len(text)/5+1)
	sent := 0
	start := -1
	for i := 0; i < len(text); {
		r, size := utf8.DecodeRuneInString(text[i:])
		if isWordRune(r) || (r == '·' && start >= 0 && i+size < len(text) && nextIsLetter(text[i+size:])) {
			if start < 0 {
				start = i
			}
			i += size
			continue
		}
		if start >= 0 {
			toks = append(toks, token{start: start, end: i, low: lower(text[start:i]), sent: sent})
			start = -1
		}
		switch r {
		case '!', '?', ';', '…', '\n', '。', '！', '？':
			sent++
		case '.':
			if i+size >= len(text) || !isWordRune(firstRune(text[i+size:])) {
				sent++
			}
		}
		i += size
	}
	if start >= 0 {
		toks = append(toks, token{start: start, end: len(text), low: lower(text[start:]), sent: sent})
	}
	return toks
}

func isWordRune(r rune) bool {
	if r < utf8.RuneSelf {
		return ('a' <= r && r <= 'z') || ('A' <= r && r <= 'Z') || ('0' <= r && r <= '9')
	}
	if ('А' <= r && r <= 'я') || r == 'ё' || r == 'Ё' {
		return true
	}
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r)
}

func nextIsLetter(s string) bool {
	return unicode.IsLetter(firstRune(s))
}

func firstRune(s string) rune {
	r, _ := utf8.DecodeRuneInString(s)
	return r
}

// lower lower-cases a word with Unicode rules and folds the Russian ё into е,
// which writers use interchangeably. Words that are already lower-case ASCII
// are returned as they are, without allocating.
func lower(w string) string {
	plain := true
	for i := 0; i < len(w); i++ {
		c := w[i]
		if c >= utf8.RuneSelf || (c >= 'A' && c <= 'Z') {
			plain = false
			break
		}
	}
	if plain {
		return w
	}
	ascii := true
	for i := 0; i < len(w); i++ {
		if w[i] >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if ascii {
		buf := []byte(w)
		for i, c := range buf {
			if 'A' <= c && c <= 'Z' {
				buf[i] = c + 'a' - 'A'
			}
		}
		return string(buf)
	}
	changes := false
	for _, r := range w {
		if r == 'ё' || unicode.ToLower(r) != r {
			changes = true
			break
		}
	}
	if !changes {
		return w
	}
	var b strings.Builder
	b.Grow(len(w))
	for _, r := range w {
		r = unicode.ToLower(r)
		if r == 'ё' {
			r = 'е'
		}
		b.WriteRune(r)
	}
	return b.String()
}

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

// parsePattern expands one pattern into the sequences it stands for.
//
// The syntax is small on purpose, so that a business can write its own:
//
//	word       the word, case-insensitive
//	word*      any word starting with "word" (inflection: "возврат*" matches возврата, возвратом)
//	(a b|c|)   one of the alternatives, each a row of words; an empty one makes the group optional
//	~N         up to N words of anything (N from 1 to 9)
//
// Words are split like text (so "l'ordine" is two words). A pattern may not
// start or end with a gap and expands to at most 512 sequences.
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
			return nil, fmt.Errorf("pattern %q starts or ends with a gap", p)
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
				return nil, fmt.Errorf("bad gap %q", w)
			}
			es = append(es, elem{kind: elemGap, n: n})
			continue
		}
		prefix := strings.HasSuffix(w, "*")
		w = strings.TrimSuffix(w, "*")
		if strings.ContainsAny(w, "*~") {
			return nil, fmt.Errorf("bad word %q", w)
		}
		toks := tokenize(w)
		if len(toks) == 0 {
			return nil, fmt.Errorf("word %q has no letters", w)
		}
		for i, t := range toks {
			k := elemExact
			if prefix && i == len(toks)-1 {
				k = elemPrefix
			}
			es = append(es, elem{kind: k, s: t.low})
		}
	}
	return es, nil
}

// matcher finds every sequence of a set of patterns in a tokenized text in
// one pass: sequences are indexed by their first word, exact or prefix.
// Every exact word of the patterns gets an id, so that a word of the text
// is hashed once and the elements compare ids.
type matcher struct {
	nseq       int
	vocab      map[string]int32
	byID       [][]*seq // word id -> sequences starting with it
	byPrefix   map[string][]*seq
	prefixLens []int // distinct byte lengths of first-word prefixes
}

func newMatcher() *matcher {
	return &matcher{vocab: map[string]int32{}, byPrefix: map[string][]*seq{}}
}

func (m *matcher) intern(w string) int32 {
	if id, ok := m.vocab[w]; ok {
		return id
	}
	id := int32(len(m.byID))
	m.vocab[w] = id
	m.byID = append(m.byID, nil)
	return id
}

// add compiles pattern p for owner.
func (m *matcher) add(p string, owner int) error {
	rows, err := parsePattern(p)
	if err != nil {
		return err
	}
	for _, row := range rows {
		// Elements are shared between the rows of one pattern: copy
		// before filling in ids.
		row = append([]elem(nil), row...)
		for i := range row {
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
		s := &seq{elems: row, src: p, owner: owner, idx: m.nseq}
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
	return nil
}

func (m *matcher) addPrefix(p string, s *seq) {
	if _, ok := m.byPrefix[p]; !ok {
		m.addPrefixLen(len(p))
	}
	m.byPrefix[p] = append(m.byPrefix[p], s)
}

func (m *matcher) addPrefixLen(n int) {
	for _, l := range m.prefixLens {
		if l == n {
			return
		}
	}
	m.prefixLens = append(m.prefixLens, n)
}

// match is one occurrence of a sequence: tokens [from, to) of the text.
type match struct {
	seq      *seq
	from, to int
}

// scan returns every match in toks, by start position. At one position only
// the longest match of each owner is kept.
func (m *matcher) scan(toks []token, out []match) []match {
	ids := make([]int32, len(toks))
	present := make([]uint64, (len(m.byID)+63)/64)
	for i := range toks {
		id, ok := m.vocab[toks[i].low]
		if !ok {
			id = -1
		} else {
			present[id>>6] |= 1 << (uint(id) & 63)
		}
		ids[i] = id
	}
	m2 := scanState{toks: toks, ids: ids, present: present, memo: make([]uint8, m.nseq)}
	for i := range toks {
		mark := len(out)
		if id := ids[i]; id >= 0 {
			for _, s := range m.byID[id] {
				out = m2.try(i, s, out, mark)
			}
		}
		w := toks[i].low
		for _, l := range m.prefixLens {
			if l <= len(w) {
				for _, s := range m.byPrefix[w[:l]] {
					out = m2.try(i, s, out, mark)
				}
			}
		}
	}
	return out
}

// scanState is what one scan knows of the text.
type scanState struct {
	toks    []token
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

func (st *scanState) try(i int, s *seq, out []match, mark int) []match {
	if !st.possible(s) {
		return out
	}
	toks := st.toks
	end := matchFrom(toks, st.ids, i+1, s.elems[1:], toks[i].sent)
	if end < 0 {
		return out
	}
	for k := mark; k < len(out); k++ {
		if out[k].seq.owner == s.owner {
			if end > out[k].to {
				out[k] = match{seq: s, from: i, to: end}
			}
			return out
		}
	}
	return append(out, match{seq: s, from: i, to: end})
}

// matchFrom matches elems against toks from position i within one sentence
// and returns the end position, or -1.
func matchFrom(toks []token, ids []int32, i int, elems []elem, sent int) int {
	if len(elems) == 0 {
		return i
	}
	e := &elems[0]
	if e.kind == elemGap {
		for skip := 0; skip <= e.n; skip++ {
			if i+skip >= len(toks) || toks[i+skip].sent != sent {
				return -1
			}
			if end := matchFrom(toks, ids, i+skip, elems[1:], sent); end >= 0 {
				return end
			}
		}
		return -1
	}
	if i >= len(toks) || toks[i].sent != sent {
		return -1
	}
	if !e.matches(ids[i], toks[i].low) {
		return -1
	}
	return matchFrom(toks, ids, i+1, elems[1:], sent)
}
