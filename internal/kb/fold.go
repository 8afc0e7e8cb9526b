package kb

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// fold removes the accents of Latin letters (è → e, ā → a), as both
// databases' indexes do for search (internal/search), so that the
// vocabulary of the typo correction and slugs agree with them. Cyrillic
// keeps its marks (й is not и).
func fold(s string) string {
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			ascii = false
			break
		}
	}
	if ascii {
		return s
	}
	var b strings.Builder
	var base rune
	for _, r := range norm.NFD.String(s) {
		if unicode.Is(unicode.Mn, r) {
			if base != 0 && !unicode.Is(unicode.Cyrillic, base) {
				continue
			}
		} else {
			base = r
		}
		b.WriteRune(r)
	}
	return norm.NFC.String(b.String())
}
