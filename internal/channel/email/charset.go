package email

import (
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/gogs/chardet"
	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/htmlindex"
	"golang.org/x/text/encoding/ianaindex"
)

// charsetKind says how a declared charset label is to be decoded.
type charsetKind int

const (
	charsetUnknown charsetKind = iota
	charsetUTF8
	charsetASCII // declared US-ASCII (or nothing): UTF-8 if valid, else a guess
	charsetUTF7
	charsetOther // enc holds the decoder
)

var (
	windowsLabelRe = regexp.MustCompile(`^(?:x-)?(?:windows|win|cp|ms)[-_ ]?(125[0-8])$`)
	isoLabelRe     = regexp.MustCompile(`^iso[-_ ]?8859[-_ ]?(\d{1,2})(?:[-_:].*)?$`)
)

// lookupCharset resolves a MIME charset label. Labels are matched the way mail
// clients write them, which is looser than the registries: "win-1251",
// "ISO8859_2", "utf8mb4", quoted or with a language suffix.
func lookupCharset(label string) (charsetKind, encoding.Encoding, string) {
	l := strings.ToLower(strings.TrimSpace(label))
	l = strings.Trim(l, `"' `)
	if i := strings.IndexByte(l, '*'); i >= 0 { // RFC 2231 language suffix
		l = l[:i]
	}
	switch l {
	case "", "us-ascii", "ascii", "ansi_x3.4-1968", "iso646-us", "us", "7bit", "8bit", "default", "none":
		return charsetASCII, nil, "us-ascii"
	case "utf-8", "utf8", "utf8mb4", "unicode-1-1-utf-8", "x-unicode20utf8":
		return charsetUTF8, nil, "utf-8"
	case "utf-7", "utf7", "unicode-1-1-utf-7", "csunicode11utf7", "x-unicode20utf7":
		return charsetUTF7, nil, "utf-7"
	case "latin1", "latin-1", "iso-latin-1":
		l = "iso-8859-1"
	case "latin2", "latin-2":
		l = "iso-8859-2"
	case "ks_c_5601-1987", "ks_c_5601", "ksc5601":
		l = "euc-kr"
	}
	if m := windowsLabelRe.FindStringSubmatch(l); m != nil {
		l = "windows-" + m[1]
	} else if m := isoLabelRe.FindStringSubmatch(l); m != nil {
		l = "iso-8859-" + m[1]
	}
	if enc, err := htmlindex.Get(l); err == nil && enc != nil {
		name, _ := htmlindex.Name(enc)
		if name != "replacement" && name != "x-user-defined" {
			return charsetOther, enc, name
		}
	}
	if enc, err := ianaindex.IANA.Encoding(l); err == nil && enc != nil {
		name, _ := ianaindex.IANA.Name(enc)
		return charsetOther, enc, strings.ToLower(name)
	}
	return charsetUnknown, nil, l
}

// decodeCharset turns content declared as label into UTF-8. It never fails: an
// unknown or wrong label falls back to a guess, and the returned warning says so.
// isHTML lets a <meta charset> stand in when the part declares nothing.
func decodeCharset(label string, b []byte, isHTML bool) (string, string) {
	kind, enc, name := lookupCharset(label)
	switch kind {
	case charsetUTF8:
		if utf8.Valid(b) {
			return string(b), ""
		}
		// Mislabelled single-byte text is far more common than a few stray
		// bytes in real UTF-8; replace only when damage is small.
		if invalidUTF8Share(b) < 0.02 {
			return strings.ToValidUTF8(string(b), "\uFFFD"), "charset utf-8: invalid byte sequences replaced"
		}
		s, guessed := guessCharset(b, isHTML)
		return s, fmt.Sprintf("charset utf-8: content is not UTF-8; decoded as %s", guessed)
	case charsetASCII:
		if utf8.Valid(b) {
			return string(b), ""
		}
		if isHTML {
			if s, ok := decodeKnown(metaCharset(b), b); ok {
				return s, ""
			}
		}
		s, guessed := guessCharset(b, isHTML)
		if label == "" {
			return s, fmt.Sprintf("no charset declared for 8-bit text; decoded as %s", guessed)
		}
		return s, fmt.Sprintf("charset %s: content has 8-bit bytes; decoded as %s", strings.ToLower(label), guessed)
	case charsetUTF7:
		return decodeUTF7(b), ""
	case charsetOther:
		out, err := enc.NewDecoder().Bytes(b)
		if err != nil {
			return strings.ToValidUTF8(string(b), "\uFFFD"), fmt.Sprintf("charset %s: %v", name, err)
		}
		return strings.ToValidUTF8(string(out), "\uFFFD"), ""
	}
	if utf8.Valid(b) {
		return string(b), fmt.Sprintf("unknown charset %q; content read as UTF-8", label)
	}
	s, guessed := guessCharset(b, isHTML)
	return s, fmt.Sprintf("unknown charset %q; decoded as %s", label, guessed)
}

// decodeKnown decodes b as label when label names a charset it knows for sure.
func decodeKnown(label string, b []byte) (string, bool) {
	if label == "" {
		return "", false
	}
	switch kind, enc, _ := lookupCharset(label); kind {
	case charsetUTF8:
		return string(b), utf8.Valid(b)
	case charsetUTF7:
		return decodeUTF7(b), true
	case charsetOther:
		out, err := enc.NewDecoder().Bytes(b)
		return strings.ToValidUTF8(string(out), "\uFFFD"), err == nil
	}
	return "", false
}

// guessCharset decodes bytes of an unknown single- or multi-byte charset. It trusts
// the detector only when it is sure, and otherwise reads Windows-1252, which maps
// every byte and is what unlabelled Western mail most often is.
func guessCharset(b []byte, isHTML bool) (string, string) {
	if len(b) >= 32 {
		det := chardet.NewTextDetector()
		if isHTML {
			det = chardet.NewHtmlDetector()
		}
		sample := b
		if len(sample) > 16<<10 {
			sample = sample[:16<<10] // enough to tell; detection is slow
		}
		if r, err := det.DetectBest(sample); err == nil && r != nil && r.Confidence >= 60 {
			if k, enc, name := lookupCharset(r.Charset); k == charsetOther {
				if out, err := enc.NewDecoder().Bytes(b); err == nil {
					return strings.ToValidUTF8(string(out), "\uFFFD"), name
				}
			} else if k == charsetUTF8 && utf8.Valid(b) {
				return string(b), "utf-8"
			}
		}
	}
	out, _ := charmap.Windows1252.NewDecoder().Bytes(b)
	return string(out), "windows-1252"
}

func invalidUTF8Share(b []byte) float64 {
	if len(b) == 0 {
		return 0
	}
	bad := 0
	for i := 0; i < len(b); {
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n <= 1 {
			bad++
			n = 1
		}
		i += n
	}
	return float64(bad) / float64(len(b))
}

var metaCharsetRe = regexp.MustCompile(`(?i)<meta[^>]{0,200}?charset\s*=\s*["']?\s*([a-z0-9_.:-]+)`)

// metaCharset finds the charset an HTML document declares for itself.
func metaCharset(b []byte) string {
	head := b
	if len(head) > 4096 {
		head = head[:4096]
	}
	if m := metaCharsetRe.FindSubmatch(head); m != nil {
		return string(m[1])
	}
	return ""
}
