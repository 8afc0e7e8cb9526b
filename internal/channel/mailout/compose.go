package mailout

import (
	"bytes"
	"crypto/rand"
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
	if d.HTML == "" {
		h("Content-Type", "text/plain; charset=utf-8")
		h("Content-Transfer-Encoding", "quoted-printable")
		b.WriteString("\r\n")
		writeQP(&b, d.Text)
		return b.Bytes()
	}
	var rb [12]byte
	rand.Read(rb[:])
	boundary := "rapport-alt-" + hex.EncodeToString(rb[:])
	h("Content-Type", `multipart/alternative; boundary="`+boundary+`"`)
	b.WriteString("\r\n")
	for _, part := range []struct{ typ, body string }{{"text/plain", d.Text}, {"text/html", d.HTML}} {
		b.WriteString("--" + boundary + "\r\n")
		b.WriteString("Content-Type: " + part.typ + "; charset=utf-8\r\n")
		b.WriteString("Content-Transfer-Encoding: quoted-printable\r\n\r\n")
		writeQP(&b, part.body)
	}
	b.WriteString("--" + boundary + "--\r\n")
	return b.Bytes()
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
