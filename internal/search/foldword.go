package search

import (
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// foldTableEnd bounds the runes foldWord folds one at a time from a table:
// Latin-1, Latin Extended-A and -B, IPA, Greek and Cyrillic, the letters of
// the languages Rapport serves.
const foldTableEnd = 0x530

// foldTable holds, for each rune below foldTableEnd, fold(strings.ToLower)
// of it alone, or "" where a word holding it must be folded whole: a
// combining mark, or a rune whose decomposition could combine with the rune
// before it.
var foldTable = sync.OnceValue(func() []string {
	t := make([]string, foldTableEnd)
	for r := rune(0); r < foldTableEnd; r++ {
		if unicode.Is(unicode.Mn, r) || notTokenRune(r) {
			continue
		}
		lower := strings.ToLower(string(r))
		d := norm.NFD.String(lower)
		first, _ := utf8.DecodeRuneInString(d)
		if !norm.NFC.PropertiesString(string(first)).BoundaryBefore() {
			continue
		}
		t[r] = fold(lower)
	}
	return t
})

// foldWord is fold(strings.ToLower(w)) for one word w (a run of word
// runes, as notTokenRune splits them), made rune by rune from foldTable
// where every rune of w is in it, which spares most words the
// normalisations fold runs: a word whose runes each start with a rune that
// combines with nothing before it, and hold no combining mark, folds to
// the concatenation of its runes folded (TestFoldWord checks every rune
// and pair of runes of the table).
func foldWord(w string) string {
	plain := true
	for i := 0; i < len(w); i++ {
		c := w[i]
		if c >= 0x80 || 'A' <= c && c <= 'Z' {
			plain = false
			break
		}
	}
	if plain {
		return w
	}
	table := foldTable()
	var b strings.Builder
	b.Grow(len(w))
	for _, r := range w {
		switch {
		case r < 0x80:
			if 'A' <= r && r <= 'Z' {
				r += 'a' - 'A'
			}
			b.WriteByte(byte(r))
		case r < foldTableEnd && table[r] != "":
			b.WriteString(table[r])
		default:
			return fold(strings.ToLower(w))
		}
	}
	return b.String()
}

// appendWords appends the words of text to dst, as snippetWords finds
// them, without their places: what rapport_bm25 counts the terms in. ASCII
// is classified by a table and only other runes are decoded: it reads
// every byte of the 250 texts a ranked search scores.
func appendWords(dst []string, text string) []string {
	start := -1
	for i := 0; i < len(text); {
		c := text[i]
		in, size := asciiWord[c], 1
		if c >= utf8.RuneSelf {
			var r rune
			r, size = utf8.DecodeRuneInString(text[i:])
			in = !notTokenRune(r)
		}
		switch {
		case in && start < 0:
			start = i
		case !in && start >= 0:
			dst = append(dst, foldWord(text[start:i]))
			start = -1
		}
		i += size
	}
	if start >= 0 {
		dst = append(dst, foldWord(text[start:]))
	}
	return dst
}

// asciiWord tells the ASCII bytes that are word runes (letters and
// digits) from the others; it is false from utf8.RuneSelf up.
var asciiWord = func() (t [256]bool) {
	for c := 0; c < utf8.RuneSelf; c++ {
		t[c] = !notTokenRune(rune(c))
	}
	return t
}()
