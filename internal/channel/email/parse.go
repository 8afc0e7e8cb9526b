package email

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/textproto"
	"path"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/jhillyerd/enmime/v2"
	"github.com/jhillyerd/enmime/v2/mediatype"

	"github.com/rapport/rapport/internal/text"
)

// maxWarnings bounds Message.Warnings; a hostile message can cause thousands.
const maxWarnings = 50

// maxDepth bounds how deep the MIME tree is walked.
const maxDepth = 40

// Parse reads one raw message. It never panics and always returns a Message.
// For a message it can read only in part, the Message has Unreadable set and
// holds what could be read, and the error wraps ErrUnreadable; the caller keeps
// the raw bytes either way. Reply tokens are not read; see ParseWith.
func Parse(raw []byte) (*Message, error) {
	return ParseWith(raw, ParseOpts{})
}

// ParseWith is Parse with options: the mailboxes whose reply tokens count.
func ParseWith(raw []byte, opts ParseOpts) (m *Message, err error) {
	sum := sha256.Sum256(raw)
	m = &Message{Class: ClassCustomer, Size: len(raw), SHA256: hex.EncodeToString(sum[:])}
	defer func() {
		if r := recover(); r != nil {
			m.Unreadable = true
			m.UnreadableReason = fmt.Sprintf("parser failure: %v", r)
			m.Keys = safeKeys(m, opts.Mailboxes)
		}
		m.Warnings = dedupWarnings(m.Warnings)
		if m.Unreadable {
			err = fmt.Errorf("%w: %s", ErrUnreadable, m.UnreadableReason)
		}
	}()
	read(m, raw)
	m.Keys = Keys(m, opts.Mailboxes)
	return m, nil
}

func safeKeys(m *Message, mailboxes []string) (k ThreadKeys) {
	defer func() { _ = recover() }()
	return Keys(m, mailboxes)
}

func read(m *Message, raw []byte) {
	data, warnings := normaliseInput(raw)
	m.Warnings = append(m.Warnings, warnings...)
	if len(bytes.TrimSpace(data)) == 0 {
		m.Unreadable, m.UnreadableReason = true, "empty message"
		return
	}
	if !startsWithHeader(data) {
		m.Unreadable, m.UnreadableReason = true, "no header block: not an email message"
		m.Text = cleanText(decodeLoose(data))
		m.TrimmedText = text.TrimQuoted(m.Text)
		return
	}
	if depth := mimeDepth(data, maxMIMEDepth); depth > maxMIMEDepth {
		m.Unreadable = true
		m.UnreadableReason = fmt.Sprintf("MIME parts nested more than %d deep", maxMIMEDepth)
		readFallback(m, data)
		return
	}
	parser := enmime.NewParser(
		enmime.SetCustomParseMediaType(parseMediaType),
		enmime.DisableCharacterDetection(true),
		enmime.SkipMalformedParts(true),
		enmime.MultipartWOBoundaryAsSinglePart(true),
		enmime.SetReadPartErrorPolicy(enmime.AllowCorruptTextPartErrorPolicy),
		enmime.MaxStoredPartErrors(maxWarnings),
	)
	root, err := parser.ReadParts(bytes.NewReader(data))
	if err != nil || root == nil {
		m.Unreadable = true
		m.UnreadableReason = clip(cleanLine(fmt.Sprintf("MIME structure: %v", err)), 300)
		readFallback(m, data)
		return
	}

	dec := &headerDecoder{fallback: firstDeclaredCharset(root, 0)}
	readHeaders(m, root.Header, dec)

	var b bodyParts
	b.walk(root, walkMode{plain: true, html: true}, 0)
	if b.tooDeep {
		m.Warnings = append(m.Warnings, fmt.Sprintf("MIME tree deeper than %d levels; deeper parts ignored", maxDepth))
	}
	m.Warnings = append(m.Warnings, dec.warnings...)
	m.Warnings = append(m.Warnings, b.warnings...)

	html := strings.Join(b.html, "\n")
	m.HTML, m.RemoteImages = sanitizeHTML(html)
	plain := cleanText(strings.Join(b.plain, "\n\n"))
	if strings.TrimSpace(plain) == "" && m.HTML != "" {
		plain = cleanText(htmlToText(m.HTML))
	}
	m.Text = plain
	if isForward(m.Subject) {
		// The forwarded mail is what the customer wants seen.
		m.TrimmedText = strings.TrimSpace(m.Text)
	} else {
		m.TrimmedText = text.TrimQuoted(m.Text)
	}
	m.Attachments = b.attachments()

	_ = root.DepthMatchAll(func(p *enmime.Part) bool {
		for _, e := range p.Errors {
			if e == nil {
				continue
			}
			m.Warnings = append(m.Warnings, fmt.Sprintf("part %s: %s: %s", partID(p), e.Name, e.Detail))
			// A severe header error loses one header line; these lose content.
			lost := e.Severe && (e.Name == enmime.ErrorMalformedChildPart || e.Name == enmime.ErrorMalformedBase64)
			if lost && !m.Unreadable {
				m.Unreadable = true
				m.UnreadableReason = clip(cleanLine(fmt.Sprintf("content lost in part %s: %s: %s", partID(p), e.Name, e.Detail)), 300)
			}
		}
		return false
	})
	if m.Unreadable && strings.TrimSpace(m.Text) == "" && len(m.Attachments) == 0 {
		// Show agents the undecoded body rather than nothing.
		_, body := parseHeaderBlock(data)
		m.Text = cleanText(decodeLoose(body))
		m.TrimmedText = strings.TrimSpace(m.Text)
	}

	classify(m, root, &b)
}

func partID(p *enmime.Part) string {
	if p.PartID == "" {
		return "0"
	}
	return p.PartID
}

// parseMediaType is enmime's lenient media type parser, except that it tells
// enmime every text part is UTF-8, so that enmime leaves the bytes alone and
// this package decodes them with its own charset table (UTF-7 included) and
// fallbacks; partParams reads the charset the part really declared.
func parseMediaType(v string) (string, map[string]string, []string, error) {
	mtype, params, invalid, err := mediatype.Parse(v)
	if err != nil {
		return mtype, params, invalid, err
	}
	if strings.HasPrefix(mtype, "text/") {
		if params == nil {
			params = map[string]string{}
		}
		params["charset"] = "utf-8"
	}
	return mtype, params, invalid, nil
}

// partParams returns the Content-Type parameters a part declared.
func partParams(p *enmime.Part) map[string]string {
	_, params, _, err := mediatype.Parse(p.Header.Get("Content-Type"))
	if err != nil || params == nil {
		return map[string]string{}
	}
	return params
}

// normaliseInput makes the bytes parseable: no byte-order mark, no mbox
// "From " line or leading blank lines, and bare-CR line endings (old Mac
// mailers, some gateways) turned into LF. CRLF and LF are parsed as they are.
func normaliseInput(raw []byte) ([]byte, []string) {
	var warnings []string
	data := bytes.TrimPrefix(raw, []byte("\xef\xbb\xbf"))
	data = bytes.TrimLeft(data, "\r\n")
	if bytes.HasPrefix(data, []byte("From ")) {
		if i := bytes.IndexAny(data, "\r\n"); i >= 0 {
			data = bytes.TrimLeft(data[i:], "\r\n")
		}
	}
	lf := bytes.Count(data, []byte("\n"))
	bareCR := bytes.Count(data, []byte("\r")) - bytes.Count(data, []byte("\r\n"))
	if bareCR > 0 && bareCR > lf {
		out := make([]byte, 0, len(data))
		for i := 0; i < len(data); i++ {
			c := data[i]
			if c == '\r' && (i+1 >= len(data) || data[i+1] != '\n') {
				c = '\n'
			}
			out = append(out, c)
		}
		data = out
		warnings = append(warnings, "bare CR line endings read as line breaks")
	}
	return data, warnings
}

// startsWithHeader reports whether data opens with a header field.
func startsWithHeader(data []byte) bool {
	line := data
	if i := bytes.IndexAny(line, "\r\n"); i >= 0 {
		line = line[:i]
	}
	colon := bytes.IndexByte(line, ':')
	if colon <= 0 {
		return false
	}
	for _, c := range line[:colon] {
		if c <= ' ' || c >= 0x7f {
			return false
		}
	}
	return true
}

// readHeaders fills the header fields of m.
func readHeaders(m *Message, h textproto.MIMEHeader, dec *headerDecoder) {
	if ids := messageIDs(h.Get("Message-Id")); len(ids) > 0 {
		m.MessageID = ids[0]
	}
	m.InReplyTo = messageIDs(strings.Join(h.Values("In-Reply-To"), " "))
	m.References = messageIDs(strings.Join(h.Values("References"), " "))
	for _, name := range []string{"From", "Sender", "Reply-To", "Return-Path"} {
		if from := dec.addresses(h.Get(name)); len(from) > 0 {
			m.From = from[0]
			if name != "From" {
				dec.warn("no usable From header; sender taken from %s", name)
			}
			break
		}
	}
	m.ReplyTo = dec.addresses(strings.Join(h.Values("Reply-To"), ", "))
	m.To = dec.addresses(strings.Join(h.Values("To"), ", "))
	m.Cc = dec.addresses(strings.Join(h.Values("Cc"), ", "))
	if rp := strings.TrimSpace(h.Get("Return-Path")); rp != "" {
		if strings.ReplaceAll(rp, " ", "") == "<>" {
			m.ReturnPath = "<>"
		} else if a := normaliseAddress(rp); a != "" {
			m.ReturnPath = a
		}
	}
	m.Subject = cleanLine(dec.decode(h.Get("Subject")))
	if v := h.Get("Date"); v != "" {
		if t, ok := parseDate(v); ok {
			m.Date = t
		} else {
			dec.warn("unreadable Date header %q", clip(v, 80))
		}
	} else {
		dec.warn("no Date header")
	}
	// The decoded copy of every header is informational; its guesses are not
	// worth a warning each.
	quiet := &headerDecoder{fallback: dec.fallback}
	m.Headers = make(map[string][]string, len(h))
	for k, vs := range h {
		key := textproto.CanonicalMIMEHeaderKey(cleanLine(strings.ToValidUTF8(k, "")))
		for _, v := range vs {
			m.Headers[key] = append(m.Headers[key], cleanLine(quiet.decode(v)))
		}
	}
}

// readFallback reads what it can of a message whose MIME structure enmime
// rejected: the header block line by line and the rest as text.
func readFallback(m *Message, data []byte) {
	h, body := parseHeaderBlock(data)
	dec := &headerDecoder{}
	if _, params, _, err := mediatype.Parse(h.Get("Content-Type")); err == nil {
		dec.fallback = params["charset"]
	}
	readHeaders(m, h, dec)
	m.Warnings = append(m.Warnings, dec.warnings...)
	m.Text = cleanText(decodeLoose(body))
	m.TrimmedText = text.TrimQuoted(m.Text)
	classifyHeaders(m, h)
}

// parseHeaderBlock reads "Name: value" lines up to the first blank line,
// skipping lines that are not header fields. It returns the rest as body.
func parseHeaderBlock(data []byte) (textproto.MIMEHeader, []byte) {
	h := textproto.MIMEHeader{}
	var lastKey string
	rest := data
	for len(rest) > 0 {
		var line []byte
		if i := bytes.IndexByte(rest, '\n'); i >= 0 {
			line, rest = rest[:i], rest[i+1:]
		} else {
			line, rest = rest, nil
		}
		line = bytes.TrimRight(line, "\r")
		if len(bytes.TrimSpace(line)) == 0 {
			break
		}
		if line[0] == ' ' || line[0] == '\t' {
			if lastKey != "" {
				vs := h[lastKey]
				vs[len(vs)-1] += " " + strings.TrimSpace(string(line))
			}
			continue
		}
		colon := bytes.IndexByte(line, ':')
		if colon <= 0 || bytes.ContainsAny(line[:colon], " \t") {
			lastKey = ""
			continue
		}
		lastKey = textproto.CanonicalMIMEHeaderKey(string(line[:colon]))
		h[lastKey] = append(h[lastKey], strings.TrimSpace(string(line[colon+1:])))
	}
	return h, rest
}

// decodeLoose reads bytes of unknown charset as text.
func decodeLoose(b []byte) string {
	s, _ := decodeCharset("", b, false)
	return s
}

// firstDeclaredCharset finds the charset the message's text is written in,
// the best guess for raw 8-bit bytes in its headers.
func firstDeclaredCharset(p *enmime.Part, depth int) string {
	for ; p != nil && depth < maxDepth; p = p.NextSibling {
		if cs := partParams(p)["charset"]; cs != "" && strings.HasPrefix(p.ContentType, "text/") {
			if k, _, _ := lookupCharset(cs); k != charsetASCII {
				return cs
			}
		}
		if cs := firstDeclaredCharset(p.FirstChild, depth+1); cs != "" {
			return cs
		}
	}
	return ""
}

// walkMode says which body texts a subtree may contribute; attachments are
// always collected.
type walkMode struct{ plain, html bool }

// bodyParts collects the bodies and attachments of a MIME tree.
type bodyParts struct {
	plain    []string
	html     []string
	atts     []*enmime.Part
	report   []*enmime.Part // parts after the explanation of a multipart/report
	warnings []string
	tooDeep  bool
}

func (b *bodyParts) walk(p *enmime.Part, mode walkMode, depth int) {
	if depth > maxDepth {
		b.tooDeep = true
		return
	}
	if p.FirstChild == nil {
		if strings.HasPrefix(p.ContentType, "multipart/") {
			return // a multipart with no readable parts
		}
		b.leaf(p, mode)
		return
	}
	switch p.ContentType {
	case "multipart/alternative":
		b.walkAlternative(p, mode, depth)
	case "multipart/report":
		first := true
		for c := p.FirstChild; c != nil; c = c.NextSibling {
			if first {
				b.walk(c, mode, depth+1)
				first = false
				continue
			}
			b.report = append(b.report, c)
			if c.FirstChild == nil {
				b.atts = append(b.atts, c)
			} else {
				b.walk(c, walkMode{}, depth+1)
			}
		}
	default:
		for c := p.FirstChild; c != nil; c = c.NextSibling {
			b.walk(c, mode, depth+1)
		}
	}
}

// walkAlternative takes the first plain rendering and the last HTML one (the
// richest, per RFC 2046); other renderings are dropped, files inside them kept.
func (b *bodyParts) walkAlternative(p *enmime.Part, mode walkMode, depth int) {
	var plainSrc, htmlSrc *enmime.Part
	for c := p.FirstChild; c != nil; c = c.NextSibling {
		if plainSrc == nil && provides(c, false, depth+1) {
			plainSrc = c
		}
		if provides(c, true, depth+1) {
			htmlSrc = c
		}
	}
	for c := p.FirstChild; c != nil; c = c.NextSibling {
		switch {
		case c == plainSrc && c == htmlSrc:
			b.walk(c, mode, depth+1)
		case c == plainSrc:
			b.walk(c, walkMode{plain: mode.plain}, depth+1)
		case c == htmlSrc:
			b.walk(c, walkMode{html: mode.html}, depth+1)
		case c.FirstChild == nil && strings.HasPrefix(c.ContentType, "text/") &&
			c.ContentType != "text/calendar" && c.FileName == "" && c.Disposition != "attachment":
			// Another rendering of the same text (text/enriched and the like).
		default:
			b.walk(c, walkMode{}, depth+1)
		}
	}
}

// provides reports whether a subtree holds a plain (or HTML) body part.
func provides(p *enmime.Part, html bool, depth int) bool {
	if depth > maxDepth {
		return false
	}
	if p.FirstChild == nil {
		return isBody(p) && (p.ContentType == "text/html") == html
	}
	for c := p.FirstChild; c != nil; c = c.NextSibling {
		if provides(c, html, depth+1) {
			return true
		}
	}
	return false
}

// isBody reports whether a leaf is body text rather than a file.
func isBody(p *enmime.Part) bool {
	switch p.ContentType {
	case "text/plain", "text/html", "":
	default:
		return false
	}
	return !strings.EqualFold(p.Disposition, "attachment") && strings.TrimSpace(p.FileName) == ""
}

func (b *bodyParts) leaf(p *enmime.Part, mode walkMode) {
	if !isBody(p) {
		b.atts = append(b.atts, p)
		return
	}
	isHTML := p.ContentType == "text/html"
	if isHTML && !mode.html || !isHTML && !mode.plain {
		return
	}
	params := partParams(p)
	s, warning := decodeCharset(params["charset"], p.Content, isHTML)
	if warning != "" {
		b.warnings = append(b.warnings, fmt.Sprintf("part %s: %s", partID(p), warning))
	}
	if isHTML {
		b.html = append(b.html, strings.TrimSpace(s))
		return
	}
	if strings.EqualFold(params["format"], "flowed") {
		s = unflow(s, strings.EqualFold(params["delsp"], "yes"))
	}
	b.plain = append(b.plain, strings.TrimRight(s, " \t\r\n"))
}

// attachments turns the collected parts into Attachments.
func (b *bodyParts) attachments() []Attachment {
	if len(b.atts) == 0 {
		return nil
	}
	out := make([]Attachment, 0, len(b.atts))
	used := map[string]bool{}
	for i, p := range b.atts {
		ct := strings.ToLower(p.ContentType)
		if ct == "" {
			ct = "application/octet-stream"
		}
		name := safeFilename(p.FileName)
		if name == "" {
			if base, ok := partNames[ct]; ok {
				name = base
			} else {
				name = fmt.Sprintf("attachment-%d%s", i+1, extensionFor(ct))
			}
		}
		name = uniqueName(name, used)
		disp := strings.ToLower(p.Disposition)
		out = append(out, Attachment{
			Filename:    name,
			ContentType: cleanLine(strings.ToValidUTF8(ct, "")),
			Size:        len(p.Content),
			ContentID:   cleanLine(strings.ToValidUTF8(p.ContentID, "")),
			Inline:      disp == "inline" || disp == "" && p.ContentID != "",
			Data:        p.Content,
		})
	}
	return out
}

// safeFilename keeps the last path element of a sender-chosen name and drops
// control characters, so that no store can be led outside its folder.
func safeFilename(name string) string {
	name = strings.ToValidUTF8(name, "")
	name = strings.ReplaceAll(name, "\\", "/")
	name = path.Base(strings.TrimSpace(name))
	name = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return -1
		}
		return r
	}, name)
	name = strings.TrimSpace(name)
	if name == "." || name == "/" || name == ".." {
		return ""
	}
	for len(name) > 200 {
		_, size := utf8.DecodeLastRuneInString(name)
		name = name[:len(name)-size]
	}
	return name
}

var extensions = map[string]string{
	"application/pdf":                  ".pdf",
	"application/zip":                  ".zip",
	"application/pgp-signature":        ".asc",
	"image/png":                        ".png",
	"image/jpeg":                       ".jpg",
	"image/gif":                        ".gif",
	"image/webp":                       ".webp",
	"text/plain":                       ".txt",
	"text/html":                        ".html",
	"text/calendar":                    ".ics",
	"text/csv":                         ".csv",
	"message/rfc822":                   ".eml",
	"message/delivery-status":          ".txt",
	"message/disposition-notification": ".txt",
	"text/rfc822-headers":              ".txt",
}

// partNames names the unnamed parts of reports and invitations.
var partNames = map[string]string{
	"message/rfc822":                   "message.eml",
	"message/global":                   "message.eml",
	"message/delivery-status":          "delivery-status.txt",
	"message/global-delivery-status":   "delivery-status.txt",
	"text/rfc822-headers":              "message-headers.txt",
	"message/rfc822-headers":           "message-headers.txt",
	"message/disposition-notification": "disposition-notification.txt",
	"text/calendar":                    "invite.ics",
}

// uniqueName returns name, or name with a counter before its extension when
// an earlier attachment has it already.
func uniqueName(name string, used map[string]bool) string {
	if !used[name] {
		used[name] = true
		return name
	}
	ext := path.Ext(name)
	stem := strings.TrimSuffix(name, ext)
	for n := 2; ; n++ {
		candidate := fmt.Sprintf("%s-%d%s", stem, n, ext)
		if !used[candidate] {
			used[candidate] = true
			return candidate
		}
	}
}

// extensionFor picks a file extension for an unnamed part; the system MIME
// table is not consulted, so names are the same on every machine.
func extensionFor(ct string) string {
	if ext, ok := extensions[ct]; ok {
		return ext
	}
	return ".bin"
}

// cleanText makes body text safe to store and show: LF line endings, valid
// UTF-8, no NUL or other control characters but tab and newline.
func cleanText(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	s = strings.TrimPrefix(s, "\uFEFF")
	s = strings.Map(func(r rune) rune {
		if r == '\n' || r == '\t' {
			return r
		}
		if r < 0x20 || r == 0x7f {
			return -1
		}
		return r
	}, s)
	return strings.TrimRight(s, " \t\n")
}

// cleanLine is cleanText for one-line values.
func cleanLine(s string) string {
	s = cleanText(s)
	s = strings.Join(strings.Fields(s), " ")
	return s
}

func clip(s string, n int) string {
	s = strings.ToValidUTF8(s, "")
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

func dedupWarnings(ws []string) []string {
	if len(ws) == 0 {
		return nil
	}
	seen := make(map[string]bool, len(ws))
	out := ws[:0]
	for _, w := range ws {
		w = cleanLine(w)
		if seen[w] {
			continue
		}
		seen[w] = true
		out = append(out, w)
	}
	if len(out) > maxWarnings {
		out = append(out[:maxWarnings-1], fmt.Sprintf("%d more warnings", len(out)-maxWarnings+1))
	}
	return out
}

// unflow joins the soft line breaks of format=flowed text (RFC 3676): a line
// ending in a space continues on the next line of the same quote depth.
func unflow(s string, delsp bool) string {
	lines := strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n")
	var out []string
	var cur strings.Builder
	curDepth, open := 0, false
	for _, line := range lines {
		depth := 0
		for depth < len(line) && line[depth] == '>' {
			depth++
		}
		content := line[depth:]
		content = strings.TrimPrefix(content, " ") // space-stuffing
		if open && depth != curDepth {
			out = append(out, cur.String())
			cur.Reset()
			open = false
		}
		if !open {
			curDepth = depth
			if depth > 0 {
				cur.WriteString(strings.Repeat(">", depth) + " ")
			}
		}
		soft := strings.HasSuffix(content, " ") && content != "-- "
		if soft && delsp {
			content = content[:len(content)-1]
		}
		cur.WriteString(content)
		if soft {
			open = true
			continue
		}
		out = append(out, cur.String())
		cur.Reset()
		open = false
	}
	if open {
		out = append(out, cur.String())
	}
	return strings.Join(out, "\n")
}
