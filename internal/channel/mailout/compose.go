package mailout

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"mime"
	"mime/quotedprintable"
	"net/mail"
	"strings"
	"time"
)

// Draft is an outgoing email before it is encoded: plain text, or plain
// text with an HTML alternative.
type Draft struct {
	From       mail.Address
	ReplyTo    string // address only; "" for none
	To         mail.Address
	Cc         []mail.Address // sent to as well, and named in the Cc header
	Subject    string
	Text       string
	HTML       string   // optional; when set the mail is multipart/alternative
	MessageID  string   // without angle brackets
	InReplyTo  string   // without angle brackets
	References []string // without angle brackets, oldest first
	Date       time.Time
	// AutoSubmitted marks machine-made mail (acknowledgements) as RFC 3834
	// asks, so that other robots do not answer it.
	AutoSubmitted bool
	Language      string // Content-Language
	// Files go with the message as attachments (multipart/mixed).
	Files []File
}

// File is an attachment of an outgoing message.
type File struct {
	Filename    string
	ContentType string // "" or not a media type: application/octet-stream
	Data        []byte
}

// Recipients returns the addresses the message is sent to: To, then Cc.
func (d Draft) Recipients() []string {
	out := []string{d.To.Address}
	for _, a := range d.Cc {
		out = append(out, a.Address)
	}
	return out
}

// NewMessageID returns a fresh, globally unique Message-ID for domain,
// without angle brackets.
func NewMessageID(domain string) string {
	var b [12]byte
	rand.Read(b[:])
	return "rapport." + hex.EncodeToString(b[:]) + "@" + domain
}

// Encode renders d as an RFC 5322 message with CRLF line endings, UTF-8
// text in quoted-printable and RFC 2047 encoded headers.
func (d Draft) Encode() []byte {
	var b bytes.Buffer
	h := func(name, value string) {
		if value != "" {
			b.WriteString(name + ": " + value + "\r\n")
		}
	}
	h("From", d.From.String())
	h("To", d.To.String())
	if len(d.Cc) > 0 {
		cc := make([]string, len(d.Cc))
		for i, a := range d.Cc {
			cc[i] = a.String()
		}
		h("Cc", strings.Join(cc, ",\r\n "))
	}
	if d.ReplyTo != "" {
		h("Reply-To", (&mail.Address{Address: d.ReplyTo}).String())
	}
	h("Subject", encodeHeader(d.Subject))
	date := d.Date
	if date.IsZero() {
		date = time.Now()
	}
	h("Date", date.Format(time.RFC1123Z))
	h("Message-ID", angle(d.MessageID))
	h("In-Reply-To", angle(d.InReplyTo))
	if len(d.References) > 0 {
		refs := make([]string, len(d.References))
		for i, r := range d.References {
			refs[i] = angle(r)
		}
		h("References", strings.Join(refs, "\r\n "))
	}
	if d.AutoSubmitted {
		h("Auto-Submitted", "auto-replied")
		h("X-Auto-Response-Suppress", "All")
	}
	h("Content-Language", d.Language)
	h("MIME-Version", "1.0")
	if len(d.Files) == 0 {
		d.writeBody(&b)
		return b.Bytes()
	}
	boundary := newBoundary("rapport-mix-")
	h("Content-Type", `multipart/mixed; boundary="`+boundary+`"`)
	b.WriteString("\r\n")
	b.WriteString("--" + boundary + "\r\n")
	d.writeBody(&b)
	for _, f := range d.Files {
		b.WriteString("--" + boundary + "\r\n")
		writeFile(&b, f)
	}
	b.WriteString("--" + boundary + "--\r\n")
	return b.Bytes()
}

// writeBody writes the text (and HTML) of d with its Content-Type header:
// the whole body of a message without files, the first part of one with.
func (d Draft) writeBody(b *bytes.Buffer) {
	if d.HTML == "" {
		b.WriteString("Content-Type: text/plain; charset=utf-8\r\n")
		b.WriteString("Content-Transfer-Encoding: quoted-printable\r\n\r\n")
		writeQP(b, d.Text)
		return
	}
	boundary := newBoundary("rapport-alt-")
	b.WriteString(`Content-Type: multipart/alternative; boundary="` + boundary + `"` + "\r\n\r\n")
	for _, part := range []struct{ typ, body string }{{"text/plain", d.Text}, {"text/html", d.HTML}} {
		b.WriteString("--" + boundary + "\r\n")
		b.WriteString("Content-Type: " + part.typ + "; charset=utf-8\r\n")
		b.WriteString("Content-Transfer-Encoding: quoted-printable\r\n\r\n")
		writeQP(b, part.body)
	}
	b.WriteString("--" + boundary + "--\r\n")
}

// writeFile writes one attachment part: its headers, then its bytes in
// base64 lines of 76 characters. A name outside ASCII is encoded as RFC
// 2231 asks.
func writeFile(b *bytes.Buffer, f File) {
	ct := "application/octet-stream"
	if mt, params, err := mime.ParseMediaType(f.ContentType); err == nil && strings.Contains(mt, "/") {
		delete(params, "name")
		ct = mime.FormatMediaType(mt, params)
	}
	name := strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || r == '/' || r == '\\' {
			return '_'
		}
		return r
	}, f.Filename)
	if name == "" {
		name = "attachment"
	}
	disp := mime.FormatMediaType("attachment", map[string]string{"filename": name})
	b.WriteString("Content-Type: " + ct + "\r\n")
	b.WriteString("Content-Disposition: " + disp + "\r\n")
	b.WriteString("Content-Transfer-Encoding: base64\r\n\r\n")
	enc := base64.StdEncoding.EncodeToString(f.Data)
	for len(enc) > 76 {
		b.WriteString(enc[:76] + "\r\n")
		enc = enc[76:]
	}
	if enc != "" {
		b.WriteString(enc + "\r\n")
	}
}

// newBoundary returns a fresh MIME boundary starting with prefix.
func newBoundary(prefix string) string {
	var rb [12]byte
	rand.Read(rb[:])
	return prefix + hex.EncodeToString(rb[:])
}

// writeQP writes text to b as quoted-printable with CRLF line endings.
func writeQP(b *bytes.Buffer, text string) {
	text = strings.ReplaceAll(strings.ReplaceAll(text, "\r\n", "\n"), "\r", "\n")
	qp := quotedprintable.NewWriter(b)
	qp.Write([]byte(strings.ReplaceAll(text, "\n", "\r\n")))
	qp.Close()
	b.WriteString("\r\n")
}

func angle(id string) string {
	if id == "" {
		return ""
	}
	return "<" + strings.Trim(id, "<> ") + ">"
}

// encodeHeader encodes s as RFC 2047 words when it is not plain ASCII.
func encodeHeader(s string) string {
	s = strings.Map(func(r rune) rune {
		if r == '\r' || r == '\n' {
			return ' '
		}
		return r
	}, s)
	for _, r := range s {
		if r >= 0x80 {
			return mime.QEncoding.Encode("utf-8", s)
		}
	}
	return s
}

// plusAddress returns mailbox with +token added to its local part.
func plusAddress(mailbox, token string) string {
	local, domain, ok := strings.Cut(mailbox, "@")
	if !ok || token == "" {
		return mailbox
	}
	return fmt.Sprintf("%s+%s@%s", local, token, domain)
}
