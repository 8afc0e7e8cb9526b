package search

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// fold removes the accents of Latin letters (é → e, ā → a, ç → c, ñ → n),
// as SQLite's unicode61 tokenizer does with remove_diacritics 2, for the
// text PostgreSQL indexes and the words it looks for: its 'simple'
// configuration keeps accents, and the unaccent extension needs a
// superuser to install. Cyrillic keeps its marks (й is not и).
func fold(s string) string {
	if isASCII(s) {
		return s
	}
	d := norm.NFD.String(s)
	var b strings.Builder
	b.Grow(len(d))
	var base rune
	for _, r := range d {
		if unicode.Is(unicode.Mn, r) && base != 0 && !unicode.Is(unicode.Cyrillic, base) {
			continue
		}
		if !unicode.Is(unicode.Mn, r) {
			base = r
		}
		b.WriteRune(r)
	}
	return norm.NFC.String(b.String())
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}
