// Package text holds the text handling that several parts of Rapport
// share: splitting text into words and sentences (Tokenize), a small
// phrase-pattern language and a matcher that finds many patterns in one
// pass (ParsePattern, Matcher), cutting quoted history from a message
// (TrimQuoted), and telling which language a text is in (Detector).
//
// It is pure computation, with no database, network or clock.
package text

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Token is one word of a text.
type Token struct {
	// Start and End are the word's byte span in the text.
	Start, End int
	// Word is the word folded as the tokenizer was asked (see Fold).
	Word string
	// Sentence numbers the word's sentence; words of one sentence share it
	// and it grows along the text (not always by one).
	Sentence int
	// Question is set when the word's sentence ends with a question mark.
	Question bool
}

// Fold says how a word is normalised for comparison.
type Fold uint8

const (
	// FoldCase lower-cases with Unicode rules and folds the Russian ё into
	// е, which writers use interchangeably.
	FoldCase Fold = iota
	// FoldMarks also strips diacritics, so that "Pasūtīšu" and "pasutisu",
	// "tornerò" and "tornero" meet.
	FoldMarks
)

// Tokenize splits text into words, folded with FoldCase.
//
// Letters, digits and combining marks make words; apostrophes, hyphens and
// everything else separate them, so that "l'ordine" gives "l" and "ordine",
// and "don't" gives "don" and "t" (patterns are split the same way, so they
// match). A middle dot between letters joins ("col·lega" is one word). A
// sentence ends at . ! ? ; … or a line break; a full stop inside "3.5" or
// "example.com" does not end one.
func Tokenize(text string) []Token {
	return TokenizeFold(text, FoldCase)
}

// TokenizeFold is Tokenize with the words folded by f.
func TokenizeFold(text string, f Fold) []Token {
	toks := make([]Token, 0, len(text)/5+1)
	sent := 0
	start := -1
	first := 0 // the first token of the current sentence
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
			toks = append(toks, Token{Start: start, End: i, Word: FoldWord(text[start:i], f), Sentence: sent})
			start = -1
		}
		ends := false
		switch r {
		case '!', '?', ';', '…', '\n', '。', '！', '？':
			ends = true
		case '.':
			ends = i+size >= len(text) || !isWordRune(firstRune(text[i+size:]))
		}
		if ends {
			// The first terminator after a sentence's words says whether
			// it is a question: "Really?!" is one, "Fine!?" is not.
			if (r == '?' || r == '？') && first < len(toks) {
				for k := first; k < len(toks); k++ {
					toks[k].Question = true
				}
			}
			first = len(toks)
			sent++
		}
		i += size
	}
	if start >= 0 {
		toks = append(toks, Token{Start: start, End: len(text), Word: FoldWord(text[start:], f), Sentence: sent})
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

// FoldWord normalises one word as f says. Words that need no change are
// returned as they are, without allocating.
func FoldWord(w string, f Fold) string {
	w = lower(w)
	if f != FoldMarks {
		return w
	}
	for i := 0; i < len(w); i++ {
		if w[i] >= utf8.RuneSelf {
			return stripMarks(w)
		}
	}
	return w
}

// stripMarks removes the combining marks of w's canonical decomposition.
func stripMarks(w string) string {
	d := norm.NFD.String(w)
	var b strings.Builder
	b.Grow(len(d))
	for _, r := range d {
		if !unicode.Is(unicode.Mn, r) {
			b.WriteRune(r)
		}
	}
	if b.Len() == len(w) && b.String() == w {
		return w
	}
	return b.String()
}

// lower lower-cases a word with Unicode rules and folds the Russian ё into е.
// Words that are already lower-case ASCII are returned as they are.
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
