package email

import (
	"encoding/base64"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
)

// benchHTMLMessage builds an HTML-only newsletter-like message of about size bytes.
func benchHTMLMessage(size int) []byte {
	var body strings.Builder
	body.WriteString("<html><head><style>td{padding:4px}</style></head><body><table>")
	for i := 0; body.Len() < size; i++ {
		fmt.Fprintf(&body, `<tr><td style="color:#333"><p>Row %d: <b>your order</b> of the <a href="https://shop.example.com/p/%d">blue kettle</a> is on its way &amp; will arrive soon.</p><img src="https://img.example.com/%d.png" alt="item"></td></tr>`+"\n", i, i, i)
	}
	body.WriteString("</table></body></html>\n")
	return []byte("From: Shop <shop@example.com>\r\nTo: support@example.com\r\nSubject: =?utf-8?q?Your_order_=E2=80=93_update?=\r\n" +
		"Date: Mon, 3 Feb 2025 10:00:00 +0000\r\nMessage-ID: <bench-html@example.com>\r\nMIME-Version: 1.0\r\n" +
		"Content-Type: text/html; charset=utf-8\r\n\r\n" + body.String())
}

// benchAttachmentMessage builds a reply with a binary attachment of about size bytes.
func benchAttachmentMessage(size int) []byte {
	data := make([]byte, size)
	r := rand.New(rand.NewPCG(1, 2))
	for i := range data {
		data[i] = byte(r.Uint32())
	}
	enc := base64.StdEncoding.EncodeToString(data)
	var b64 strings.Builder
	for i := 0; i < len(enc); i += 76 {
		b64.WriteString(enc[i:min(i+76, len(enc))])
		b64.WriteString("\r\n")
	}
	return []byte("From: Jane Doe <jane@example.org>\r\nTo: support+k7f3q9@example.com\r\nSubject: Re: [#1042] Photos\r\n" +
		"Date: Mon, 3 Feb 2025 10:00:00 +0000\r\nMessage-ID: <bench-att@example.org>\r\nIn-Reply-To: <t-1042@rapport.example.com>\r\n" +
		"MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n" +
		"--b1\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nPhotos attached.\r\n\r\nOn Mon, 3 Feb 2025, Support <support@example.com> wrote:\r\n> Could you send photos?\r\n" +
		"--b1\r\nContent-Type: application/pdf; name=\"photos.pdf\"\r\nContent-Disposition: attachment; filename=\"photos.pdf\"\r\nContent-Transfer-Encoding: base64\r\n\r\n" +
		b64.String() + "--b1--\r\n")
}

// BenchmarkParse measures ParseWith on a small plain message, a 30 KB HTML
// message and a 1 MB message with an attachment.
func BenchmarkParse(b *testing.B) {
	for _, bc := range []struct {
		name string
		raw  []byte
	}{
		{"small_plain", readCorpus(b, "plain-ascii-en.eml")},
		{"html_30KB", benchHTMLMessage(30 << 10)},
		{"attachment_1MB", benchAttachmentMessage(1 << 20)},
	} {
		b.Run(bc.name, func(b *testing.B) {
			m, err := ParseWith(bc.raw, ParseOpts{Mailboxes: testMailboxes})
			if err != nil || m.Text == "" {
				b.Fatalf("bad benchmark input: %v, text %q", err, m.Text)
			}
			b.SetBytes(int64(len(bc.raw)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := ParseWith(bc.raw, ParseOpts{Mailboxes: testMailboxes}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
