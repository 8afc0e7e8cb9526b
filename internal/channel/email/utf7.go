package email

import (
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// decodeUTF7 decodes UTF-7 (RFC 2152), which some older Exchange and webmail
// servers still send. golang.org/x/text has no UTF-7, and the decoder is small:
// ASCII stands for itself, and "+...-" holds modified base64 of UTF-16 code units.
// Malformed input becomes U+FFFD rather than an error.
func decodeUTF7(b []byte) string {
	var sb strings.Builder
	sb.Grow(len(b))
	var units []uint16
	flush := func() {
		if len(units) > 0 {
			sb.WriteString(string(utf16.Decode(units)))
			units = units[:0]
		}
	}
	for i := 0; i < len(b); {
		c := b[i]
		if c >= utf8.RuneSelf {
			sb.WriteRune(utf8.RuneError)
			i++
			continue
		}
		if c != '+' {
			sb.WriteByte(c)
			i++
			continue
		}
		i++ // past '+'
		if i < len(b) && b[i] == '-' {
			sb.WriteByte('+')
			i++
			continue
		}
		var acc uint32
		bits := 0
		for i < len(b) {
			v := base64Value(b[i])
			if v < 0 {
				break
			}
			acc = acc<<6 | uint32(v)
			bits += 6
			if bits >= 16 {
				bits -= 16
				units = append(units, uint16(acc>>uint(bits)))
				acc &= 1<<uint(bits) - 1
			}
			i++
		}
		flush()
		if i < len(b) && b[i] == '-' {
			i++ // the '-' that closes a shifted run is absorbed
		}
	}
	flush()
	return sb.String()
}

func base64Value(c byte) int {
	switch {
	case c >= 'A' && c <= 'Z':
		return int(c - 'A')
	case c >= 'a' && c <= 'z':
		return int(c-'a') + 26
	case c >= '0' && c <= '9':
		return int(c-'0') + 52
	case c == '+':
		return 62
	case c == '/':
		return 63
	}
	return -1
}
