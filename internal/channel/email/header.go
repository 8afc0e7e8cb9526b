package email

import (
	"encoding/base64"
	"fmt"
	"io"
	"mime"
	"net/mail"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/text/encoding/japanese"
)

// headerDecoder decodes header values into UTF-8. It carries the charset to
// assume for raw 8-bit bytes (old mailers write headers in the body's charset
// without RFC 2047) and collects what it had to guess.
type headerDecoder struct {
	fallback string // charset label for raw 8-bit header bytes
	warnings []string
}

func (d *headerDecoder) warn(format string, args ...any) {
	d.warnings = append(d.warnings, fmt.Sprintf(format, args...))
}

var encodedWordRe = regexp.MustCompile(`=\?([^?\s]{1,75})\?([bBqQ])\?([^?]*)\?=`)

// decode decodes an unstructured header value: it unfolds it, decodes RFC 2047
// encoded words (joining adjacent words of one charset before converting, as
// mailers often split a multi-byte character across two words) and reads raw
// 8-bit bytes in the fallback charset.
func (d *headerDecoder) decode(v string) string {
	v = unfold(v)
	if !strings.Contains(v, "=?") {
		return d.literal(v)
	}
	matches := encodedWordRe.FindAllStringSubmatchIndex(v, -1)
	if matches == nil {
		return d.literal(v)
	}
	var sb strings.Builder
	var pending []byte
	pendingCharset := ""
	flush := func() {
		if pendingCharset == "" {
			return
		}
		s, warning := decodeCharset(pendingCharset, pending, false)
		if warning != "" {
			d.warn("header: %s", warning)
		}
		sb.WriteString(s)
		pending, pendingCharset = pending[:0], ""
	}
	last := 0
	for i, m := range matches {
		between := v[last:m[0]]
		if i == 0 || strings.TrimSpace(between) != "" {
			flush()
			sb.WriteString(d.literal(between))
		}
		charset, enc, text := v[m[2]:m[3]], v[m[4]:m[5]], v[m[6]:m[7]]
		if j := strings.IndexByte(charset, '*'); j >= 0 {
			charset = charset[:j]
		}
		raw, ok := decodeWord(enc, text)
		if !ok {
			flush()
			sb.WriteString(d.literal(v[m[0]:m[1]]))
			last = m[1]
			continue
		}
		if pendingCharset != "" && !strings.EqualFold(pendingCharset, charset) {
			flush()
		}
		pendingCharset = charset
		pending = append(pending, raw...)
		last = m[1]
	}
	flush()
	sb.WriteString(d.literal(v[last:]))
	return strings.TrimSpace(sb.String())
}

// literal makes un-encoded header text valid UTF-8.
func (d *headerDecoder) literal(s string) string {
	if strings.Contains(s, "\x1b$") || strings.Contains(s, "\x1b(") {
		// Raw ISO-2022-JP, which old Japanese mailers put in headers.
		if out, err := japanese.ISO2022JP.NewDecoder().String(s); err == nil {
			d.warn("header: raw ISO-2022-JP text decoded")
			return out
		}
	}
	if utf8.ValidString(s) {
		return s
	}
	out, warning := decodeCharset(d.fallback, []byte(s), false)
	d.warn("header: raw 8-bit text read as %s", describeGuess(d.fallback, warning))
	return out
}

func describeGuess(label, warning string) string {
	if i := strings.LastIndex(warning, "decoded as "); i >= 0 {
		return warning[i+len("decoded as "):]
	}
	if _, _, name := lookupCharset(label); name != "" {
		return name
	}
	return "windows-1252"
}

func decodeWord(enc, text string) ([]byte, bool) {
	if enc == "b" || enc == "B" {
		text = strings.TrimRight(strings.TrimSpace(text), "=")
		b, err := base64.RawStdEncoding.DecodeString(text)
		if err != nil {
			// Keep what decoded before the damage.
			if ce, ok := err.(base64.CorruptInputError); ok && ce > 0 {
				b, _ = base64.RawStdEncoding.DecodeString(text[:int(ce)/4*4])
				return b, len(b) > 0
			}
			return nil, false
		}
		return b, true
	}
	out := make([]byte, 0, len(text))
	for i := 0; i < len(text); i++ {
		c := text[i]
		switch {
		case c == '_':
			out = append(out, ' ')
		case c == '=' && i+2 < len(text) && isHex(text[i+1]) && isHex(text[i+2]):
			out = append(out, unhex(text[i+1])<<4|unhex(text[i+2]))
			i += 2
		default:
			out = append(out, c)
		}
	}
	return out, true
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c >= '0' && c <= '9':
		return c - '0'
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10
	default:
		return c - 'A' + 10
	}
}

// unfold joins a folded header value into one line.
func unfold(v string) string {
	if !strings.ContainsAny(v, "\r\n") {
		return v
	}
	v = strings.NewReplacer("\r\n ", " ", "\r\n\t", " ", "\n ", " ", "\n\t", " ").Replace(v)
	return strings.NewReplacer("\r", " ", "\n", " ").Replace(v)
}

// wordDecoder is a mime.WordDecoder for net/mail that knows every charset this
// package does, UTF-7 included.
func (d *headerDecoder) wordDecoder() *mime.WordDecoder {
	return &mime.WordDecoder{CharsetReader: func(charset string, input io.Reader) (io.Reader, error) {
		b, err := io.ReadAll(input)
		if err != nil {
			return nil, err
		}
		s, warning := decodeCharset(charset, b, false)
		if warning != "" {
			d.warn("header: %s", warning)
		}
		return strings.NewReader(s), nil
	}}
}

// addresses parses an address-list header. net/mail is tried first; a list it
// rejects (unquoted commas in names, bare local parts, stray brackets) is read
// by a lenient splitter, since losing a sender is worse than a rough name.
func (d *headerDecoder) addresses(v string) []Address {
	v = strings.TrimSpace(unfold(v))
	if v == "" {
		return nil
	}
	parser := mail.AddressParser{WordDecoder: d.wordDecoder()}
	var out []Address
	if list, err := parser.ParseList(v); err == nil {
		for _, a := range list {
			name := a.Name
			if strings.Contains(name, "=?") {
				name = d.decode(name)
			}
			out = appendAddress(out, name, a.Address)
		}
		return out
	}
	pending := "" // "Rossi" of an unquoted "Rossi, Mario <m@x>"
	for _, piece := range splitAddressList(v) {
		name, addr := splitNameAddr(piece)
		if addr == "" {
			if t := strings.TrimSpace(piece); t != "" && !strings.ContainsAny(t, ":@<>") {
				pending = t
			} else {
				pending = ""
			}
			continue
		}
		if pending != "" && strings.TrimSpace(name) != "" && !strings.Contains(name, `"`) {
			name = pending + ", " + strings.TrimSpace(name)
		}
		pending = ""
		out = appendAddress(out, d.decode(name), addr)
	}
	return out
}

func appendAddress(out []Address, name, addr string) []Address {
	addr = normaliseAddress(addr)
	if addr == "" {
		return out
	}
	name = strings.TrimSpace(strings.Trim(strings.TrimSpace(name), `"'`))
	if strings.EqualFold(name, addr) {
		name = ""
	}
	return append(out, Address{Name: cleanText(name), Address: addr})
}

// normaliseAddress lower-cases an address and strips what mailers wrap it in.
func normaliseAddress(a string) string {
	a = strings.TrimSpace(a)
	a = strings.TrimPrefix(strings.TrimPrefix(a, "mailto:"), "MAILTO:")
	a = strings.Trim(a, "<>\"' \t")
	a = strings.TrimRight(a, ".;,")
	if !strings.Contains(a, "@") || strings.ContainsAny(a, " \t\r\n<>") {
		return ""
	}
	if !utf8.ValidString(a) {
		a = strings.ToValidUTF8(a, "")
	}
	if len(a) > 320 {
		return ""
	}
	return strings.ToLower(a)
}

// splitAddressList splits on commas and semicolons outside quotes, angle
// brackets and comments.
func splitAddressList(v string) []string {
	var parts []string
	var cur strings.Builder
	inQuote, angle, paren := false, 0, 0
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch {
		case c == '\\' && inQuote && i+1 < len(v):
			cur.WriteByte(c)
			i++
			c = v[i]
		case c == '"':
			inQuote = !inQuote
		case inQuote:
		case c == '<':
			angle++
		case c == '>' && angle > 0:
			angle--
		case c == '(':
			paren++
		case c == ')' && paren > 0:
			paren--
		case (c == ',' || c == ';') && angle == 0 && paren == 0:
			parts = append(parts, cur.String())
			cur.Reset()
			continue
		}
		cur.WriteByte(c)
	}
	return append(parts, cur.String())
}

var bareAddrRe = regexp.MustCompile(`[^\s<>()"',;:]+@[^\s<>()"',;:]+`)

// splitNameAddr reads one loosely written mailbox: `Name <a@b>`, `a@b (Name)`,
// `"Name" a@b`, or a group label before it.
func splitNameAddr(piece string) (string, string) {
	piece = strings.TrimSpace(piece)
	if i := strings.LastIndexByte(piece, '<'); i >= 0 {
		rest := piece[i+1:]
		if j := strings.IndexByte(rest, '>'); j >= 0 {
			rest = rest[:j]
		}
		if strings.Contains(rest, "@") {
			name := piece[:i]
			if k := strings.IndexByte(name, ':'); k >= 0 && !strings.Contains(name[:k], `"`) && strings.Count(name, `"`)%2 == 0 && k < len(name)-1 && strings.TrimSpace(name[k+1:]) != "" {
				// "Group: Name <a@b>"
				name = name[k+1:]
			}
			return name, rest
		}
	}
	loc := bareAddrRe.FindStringIndex(piece)
	if loc == nil {
		return "", ""
	}
	addr := piece[loc[0]:loc[1]]
	name := piece[:loc[0]] + piece[loc[1]:]
	if k := strings.IndexByte(name, ':'); k >= 0 && k < loc[0] {
		name = name[k+1:]
	}
	name = strings.Trim(strings.TrimSpace(name), "()")
	return name, addr
}

var msgIDRe = regexp.MustCompile(`<([^<>]*)>`)

// maxIDs bounds how many message IDs one header yields; a References header of
// a long thread keeps its newest entries.
const maxIDs = 100

// messageIDs reads the message IDs in a Message-ID, In-Reply-To or References
// header, in order, without angle brackets and whitespace. Some mailers omit the
// brackets; then whitespace-separated tokens with an "@" are taken.
func messageIDs(v string) []string {
	v = unfold(v)
	var ids []string
	for _, m := range msgIDRe.FindAllStringSubmatch(v, -1) {
		if id := normaliseID(m[1]); id != "" {
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 {
		for _, f := range strings.FieldsFunc(v, func(r rune) bool { return r == ' ' || r == '\t' || r == ',' }) {
			if strings.Contains(f, "@") {
				if id := normaliseID(f); id != "" {
					ids = append(ids, id)
				}
			}
		}
	}
	if len(ids) > maxIDs {
		ids = ids[len(ids)-maxIDs:]
	}
	return ids
}

func normaliseID(id string) string {
	id = strings.Map(func(r rune) rune {
		if r == ' ' || r == '\t' || r == '\r' || r == '\n' || r == '<' || r == '>' || r < 0x20 || r == 0x7f {
			return -1
		}
		return r
	}, id)
	id = strings.ToValidUTF8(id, "")
	if len(id) > 995 {
		id = id[:995]
	}
	return id
}

var dateCommentRe = regexp.MustCompile(`\s*\([^)]*\)\s*$`)

var dateLayouts = []string{
	"Mon, 2 Jan 2006 15:04:05 -0700",
	"Mon, 2 Jan 2006 15:04:05 MST",
	"Mon, 2 Jan 2006 15:04 -0700",
	"2 Jan 2006 15:04:05 -0700",
	"2 Jan 2006 15:04 -0700",
	"Mon, 2 Jan 06 15:04:05 -0700",
	"Mon, 2 January 2006 15:04:05 -0700",
	"Mon, 2 Jan 2006 15:04:05",
	"Mon Jan 2 15:04:05 2006",
	"Mon Jan 2 15:04:05 -0700 2006",
	"Mon, Jan 2 2006 15:04:05 -0700",
	time.RFC3339,
	"2006-01-02 15:04:05 -0700",
	"2006-01-02 15:04:05",
}

// parseDate reads a Date header, accepting the usual deviations from RFC 5322.
func parseDate(v string) (time.Time, bool) {
	v = strings.TrimSpace(unfold(v))
	if v == "" || len(v) > 200 { // no date is that long
		return time.Time{}, false
	}
	if t, err := mail.ParseDate(v); err == nil {
		return t, true
	}
	v = dateCommentRe.ReplaceAllString(v, "")
	v = strings.Join(strings.Fields(v), " ")
	if strings.HasSuffix(v, " UT") {
		v += "C"
	}
	for _, layout := range dateLayouts {
		if t, err := time.Parse(layout, v); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}
