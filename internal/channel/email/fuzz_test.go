package email

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
)

// addCorpusSeeds seeds a fuzz target with every message of testdata/mail.
func addCorpusSeeds(f *testing.F, add func(raw []byte)) {
	files, err := filepath.Glob(filepath.Join("testdata", "mail", "*.eml"))
	if err != nil || len(files) == 0 {
		f.Fatalf("no seed corpus: %v", err)
	}
	for _, file := range files {
		raw, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		add(raw)
	}
}

// FuzzParse feeds arbitrary bytes to ParseWith: it must not panic (a recovered
// panic shows as a "parser failure"), and what it returns must be safe to
// store and show.
func FuzzParse(f *testing.F) {
	addCorpusSeeds(f, func(raw []byte) { f.Add(raw) })
	f.Add([]byte(deepMultipart(maxMIMEDepth + 1)))
	f.Add([]byte("Content-Type: multipart/mixed; boundary=a\n\n--a\nContent-Type: multipart/alternative; boundary=b\n\n--b\n\ntext\n--b--\n--a--\n"))
	f.Add([]byte("Subject: =?utf-7?q?+AGE-?=\n\n"))
	f.Fuzz(func(t *testing.T, raw []byte) {
		m, err := ParseWith(raw, ParseOpts{Mailboxes: testMailboxes})
		if m == nil {
			t.Fatal("nil message")
		}
		if strings.HasPrefix(m.UnreadableReason, "parser failure") {
			t.Fatalf("panic inside Parse: %s", m.UnreadableReason)
		}
		if (err != nil) != m.Unreadable {
			t.Fatalf("err = %v, unreadable = %v", err, m.Unreadable)
		}
		checkInvariants(t, m)
	})
}

// FuzzHeader feeds arbitrary header values to the header readers: RFC 2047
// and raw 8-bit decoding (UTF-7 included), address lists, message IDs, dates
// and subject ticket numbers.
func FuzzHeader(f *testing.F) {
	for _, s := range []string{
		"=?UTF-8?B?0J/R?= =?UTF-8?B?gA==?=",
		"=?utf-7?q?+BB8EQAQ4BDIENQRC-?=",
		"=?koi8-r?b?8NLJ18XU?= <a@b.c>, \"Doe, J\" <j@d.e>",
		"Rossi, Mario <m@x.it>; Team: a@b.c, b@c.d;",
		"<a@b> <c@d> (comment)",
		"Mon, 3 Feb 2025 10:12:00 +0100 (CET)",
		"Re: [#1234] Ticket #55 Заявка №4521",
		"caf\xe9 \x1b$B$3$s\x1b(B",
	} {
		f.Add(s, "windows-1251")
	}
	f.Fuzz(func(t *testing.T, value, fallback string) {
		d := &headerDecoder{fallback: fallback}
		if s := d.decode(value); !utf8.ValidString(s) {
			t.Fatalf("decode(%q) = %q, invalid UTF-8", value, s)
		}
		for _, a := range d.addresses(value) {
			if !utf8.ValidString(a.Name) || !utf8.ValidString(a.Address) || !strings.Contains(a.Address, "@") || a.Address != strings.ToLower(a.Address) {
				t.Fatalf("address %+v from %q", a, value)
			}
		}
		for _, id := range messageIDs(value) {
			if id == "" || strings.ContainsAny(id, "<> \t\r\n") {
				t.Fatalf("message id %q from %q", id, value)
			}
		}
		parseDate(value)
		for _, n := range appendTicketNumbers(nil, value) {
			if n <= 0 {
				t.Fatalf("ticket number %d from %q", n, value)
			}
		}
		if s := decodeUTF7([]byte(value)); !utf8.ValidString(s) {
			t.Fatalf("decodeUTF7(%q) = %q", value, s)
		}
		if s, _ := decodeCharset(fallback, []byte(value), false); !utf8.ValidString(s) {
			t.Fatalf("decodeCharset(%q, %q) = %q", fallback, value, s)
		}
	})
}
