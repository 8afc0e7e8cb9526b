package text

// Concept patterns: words that belong together however the writer orders
// them. "continuerò sicuramente a comprare da voi", "comprare da voi
// continuerò" and "continuerò a comprare" all hold the concepts
// "continue" and "buy"; a row pattern needs a line per order and per
// adverb that may stand between. A concept pattern names the concepts,
// each a pattern of its own (usually a set of words and stems), joined by
// '&':
//
//	(continuerò|continueremo) & (comprare|ordinare|acquist*)
//
// It matches where every concept is found, in any order, without two of
// them sharing a word, all in one sentence and within ConceptWindow words
// from the first to the last; whatever stands between (adverbs,
// particles, the object) is skipped. Negation stays the caller's: the
// Match says which words the concepts took (Parts), so that a cue among
// the skipped words ("continuerò a non comprare") can turn it over.

import (
	"fmt"
	"sort"
	"strings"
)

// ConceptWindow is the most words a concept pattern's match may span, from
// its first concept to its last, skipped words included.
const ConceptWindow = 10

// maxConcepts bounds the concepts of one pattern: each adds a dimension to
// the search for a window.
const maxConcepts = 4

// concept is one compiled concept pattern: its parts are owners in the
// Matcher's parts matcher.
type concept struct {
	parts []int
	src   string
	owner int
}

// isConcept reports whether pattern p is a concept pattern.
func isConcept(p string) bool { return strings.Contains(p, "&") }

// ParseConcept parses a concept pattern, "a & b [& c …]", into its parts:
// two to four patterns (ParsePattern), each found anywhere within the
// window.
func ParseConcept(p string) ([]*Pattern, error) {
	fields := strings.Split(p, "&")
	if len(fields) < 2 || len(fields) > maxConcepts {
		return nil, fmt.Errorf("concept pattern %q: want 2 to %d concepts joined by &", p, maxConcepts)
	}
	out := make([]*Pattern, 0, len(fields))
	for _, f := range fields {
		f = strings.TrimSpace(f)
		if f == "" {
			return nil, fmt.Errorf("concept pattern %q: an empty concept", p)
		}
		pat, err := ParsePattern(f)
		if err != nil {
			return nil, fmt.Errorf("concept pattern %q: %w", p, err)
		}
		out = append(out, pat)
	}
	return out, nil
}

// addConcept adds concept pattern p for owner.
func (m *Matcher) addConcept(p string, owner int) error {
	parts, err := ParseConcept(p)
	if err != nil {
		return err
	}
	if m.parts == nil {
		m.parts = NewMatcher(m.fold)
	}
	c := &concept{src: p, owner: owner}
	for _, pat := range parts {
		id := m.nparts
		m.nparts++
		m.parts.AddPattern(pat, id)
		c.parts = append(c.parts, id)
	}
	m.concepts = append(m.concepts, c)
	return nil
}

// scanConcepts appends the matches of the concept patterns to out, which
// holds the row patterns' matches by start, keeping it ordered by start.
func (m *Matcher) scanConcepts(toks []Token, out []Match) []Match {
	if len(m.concepts) == 0 {
		return out
	}
	found := m.parts.Scan(toks, nil)
	if len(found) == 0 {
		return out
	}
	byPart := make(map[int][]Match, len(found))
	for _, f := range found {
		byPart[f.Owner] = append(byPart[f.Owner], f)
	}
	added := false
	for _, c := range m.concepts {
		for _, cm := range c.find(toks, byPart) {
			out = append(out, cm)
			added = true
		}
	}
	if added {
		sort.SliceStable(out, func(i, j int) bool { return out[i].From < out[j].From })
	}
	return out
}

// find returns the matches of concept c: from each word where one of its
// concepts starts, the nearest occurrence of every concept at or after it,
// when they fit in the window without sharing a word. Matches do not
// overlap: the search goes on after the end of one.
func (c *concept) find(toks []Token, byPart map[int][]Match) []Match {
	var starts []int
	for _, p := range c.parts {
		ms := byPart[p]
		if len(ms) == 0 {
			return nil
		}
		for _, x := range ms {
			starts = append(starts, x.From)
		}
	}
	sort.Ints(starts)
	var out []Match
	next := 0
	for k, s := range starts {
		if s < next || (k > 0 && starts[k-1] == s) {
			continue
		}
		sent := toks[s].Sentence
		parts := make([][2]int, 0, len(c.parts))
		end, ok := s, true
		for _, p := range c.parts {
			found := false
			for _, x := range byPart[p] {
				if x.From < s || toks[x.From].Sentence != sent || overlaps(x, parts) {
					continue
				}
				parts = append(parts, [2]int{x.From, x.To})
				end = max(end, x.To)
				found = true
				break
			}
			if !found {
				ok = false
				break
			}
		}
		if !ok || end-s > ConceptWindow {
			continue
		}
		sort.Slice(parts, func(i, j int) bool { return parts[i][0] < parts[j][0] })
		out = append(out, Match{From: s, To: end, Owner: c.owner, Pattern: c.src, Parts: parts})
		next = end
	}
	return out
}

// overlaps reports whether match x shares a word with one of parts.
func overlaps(x Match, parts [][2]int) bool {
	for _, p := range parts {
		if x.From < p[1] && p[0] < x.To {
			return true
		}
	}
	return false
}

// InParts reports whether word i of the text is one that a concept of m
// took; for a row pattern's match, whether i lies in the match.
func (m Match) InParts(i int) bool {
	if m.Parts == nil {
		return m.From <= i && i < m.To
	}
	for _, p := range m.Parts {
		if p[0] <= i && i < p[1] {
			return true
		}
	}
	return false
}
