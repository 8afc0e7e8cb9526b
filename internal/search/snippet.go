package search

import (
	"strings"
	"unicode"
)

// snippetTokens is how many words a snippet shows, as FTS5's snippet()
// was asked for.
const snippetTokens = 24

// snippetToken is one word of a text: where it lies and its folded form.
type snippetToken struct {
	start, end int
	word       string
}

// snippetWords splits text into its words as SQLite's unicode61 tokenizer
// (remove_diacritics 2) does: runs of letters, digits and combining marks,
// lower-cased, accents folded.
func snippetWords(text string) []snippetToken {
	var toks []snippetToken
	start := -1
	for i, r := range text {
		in := !notTokenRune(r)
		switch {
		case in && start < 0:
			start = i
		case !in && start >= 0:
			toks = append(toks, snippetToken{start, i, foldWord(text[start:i])})
			start = -1
		}
	}
	if start >= 0 {
		toks = append(toks, snippetToken{start, len(text), foldWord(text[start:])})
	}
	return toks
}

// notTokenRune reports whether r separates words: unicode61's word
// characters are letters, numbers and private-use characters (L*, N*, Co);
// combining marks are kept within a word, whose accents fold removes.
func notTokenRune(r rune) bool {
	if r < 0x80 {
		return !('a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9')
	}
	return !unicode.IsLetter(r) && !unicode.IsNumber(r) && !unicode.In(r, unicode.Co, unicode.Mn)
}

// makeSnippet is the passage of text around the hits of terms, each hit
// (a word, a word's prefix, or a phrase's words in a row) between the
// highlight marks: the window of snippetTokens words holding the most
// different terms, then the most hits, with its hits centred; the start
// of text when nothing in it matches. It is what FTS5's snippet() gave,
// made from the text alone, so that a page's snippets cost no walk of a
// common word's whole list in the index. Words match as SQLite indexes
// them: whole, case and accents folded, unstemmed.
func makeSnippet(text string, terms []Term) Snippet {
	toks := snippetWords(text)
	if len(toks) == 0 {
		return Snippet(strings.TrimSpace(text))
	}
	words := make([]string, len(toks))
	for i, t := range toks {
		words[i] = t.word
	}
	type hit struct{ from, to, term int } // tokens [from, to] are a hit of terms[term]
	var hits []hit
	want := make([][]string, len(terms))
	for i, t := range terms {
		want[i] = strings.Fields(fold(t.Text))
	}
	for i := range toks {
		for ti, t := range terms {
			ws := want[ti]
			if len(ws) == 0 || i+len(ws) > len(toks) {
				continue
			}
			if wordsAt(words, i, ws, t.Prefix) {
				hits = append(hits, hit{i, i + len(ws) - 1, ti})
				break
			}
		}
	}

	// The best window starts at a hit: the most different terms within
	// snippetTokens words of it, then the most hits.
	from, bestTerms, bestHits := 0, 0, 0
	for i, h := range hits {
		seen := map[int]bool{}
		n := 0
		for _, g := range hits[i:] {
			if g.to >= h.from+snippetTokens {
				break
			}
			seen[g.term] = true
			n++
		}
		if len(seen) > bestTerms || (len(seen) == bestTerms && n > bestHits) {
			from, bestTerms, bestHits = h.from, len(seen), n
		}
	}
	if bestHits > 0 {
		// Centre the window's hits: as many words before the first as
		// after the last, within the text.
		last := from
		for _, g := range hits {
			if g.from >= from && g.to < from+snippetTokens {
				last = max(last, g.to)
			}
		}
		from -= (snippetTokens - (last - from + 1)) / 2
	}
	from = max(0, min(from, len(toks)-snippetTokens))
	to := min(len(toks), from+snippetTokens)

	var b strings.Builder
	if from > 0 {
		b.WriteString("…")
	}
	pos := toks[from].start
	for _, h := range hits {
		if h.from < from || h.to >= to || toks[h.from].start < pos {
			continue // outside the window, or overlapping the hit before
		}
		b.WriteString(text[pos:toks[h.from].start])
		b.WriteString(markOpen + text[toks[h.from].start:toks[h.to].end] + markClose)
		pos = toks[h.to].end
	}
	if to < len(toks) {
		b.WriteString(text[pos:toks[to-1].end] + "…")
	} else {
		b.WriteString(text[pos:])
	}
	return Snippet(strings.TrimSpace(b.String()))
}
