package email

import (
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestDecodeUTF7(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{"ascii", "Hi Mom -+Jjo--!", "Hi Mom -☺-!"},
		{"plus", "1 +- 1 = 2", "1 + 1 = 2"},
		{"japanese", "+ZeVnLIqe-", "日本語"},
		{"implicit end", "+BB8EQAQ4BDIENQRC, world", "Привет, world"},
		{"surrogate pair", "+2D3eAA-", "😀"},
		{"unterminated", "+AGEAYgBj", "abc"},
		{"8-bit byte", "a\xffb", "a\uFFFDb"},
		{"lone surrogate", "+2D0-", "\uFFFD"},
		{"empty shift", "+-+-", "++"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := decodeUTF7([]byte(tc.in)); got != tc.want {
				t.Errorf("decodeUTF7(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestDecodeCharset(t *testing.T) {
	for _, tc := range []struct {
		name, label string
		in          []byte
		want        string
		warn        string
	}{
		{"koi8-r", "KOI8-R", []byte{0xf0, 0xd2, 0xc9, 0xd7, 0xc5, 0xd4}, "Привет", ""},
		{"windows-1251 alias", "win-1251", []byte{0xcf, 0xf0, 0xe8, 0xe2, 0xe5, 0xf2}, "Привет", ""},
		{"cp1251", "cp1251", []byte{0xcf, 0xf0, 0xe8, 0xe2, 0xe5, 0xf2}, "Привет", ""},
		{"iso-8859-2 spelled oddly", "ISO8859_2", []byte{0xa3, 0xf3, 0xb6, 0xe6}, "Łóść", ""},
		{"windows-1252 euro", "windows-1252", []byte{0x80, 0x20, 0xe0}, "€ à", ""},
		{"iso-8859-13", "iso-8859-13", []byte{0xe2, 0xf0, 0xfe}, "āšž", ""},
		{"shift_jis", "Shift_JIS", []byte{0x93, 0xfa, 0x96, 0x7b}, "日本", ""},
		{"quoted label", `"utf-8"`, []byte("è"), "è", ""},
		{"utf-7", "UTF-7", []byte("+ZeVnLIqe-"), "日本語", ""},
		{"ascii but utf-8", "us-ascii", []byte("caffè"), "caffè", ""},
		{"ascii with latin-1", "us-ascii", []byte{'c', 'a', 'f', 'f', 0xe8}, "caffè", "8-bit bytes"},
		{"unknown label, utf-8 bytes", "x-nonsense", []byte("naïve"), "naïve", `unknown charset "x-nonsense"`},
		{"unknown label, latin-1", "x-nonsense", []byte{'n', 'a', 0xef, 'v', 'e'}, "naïve", "decoded as windows-1252"},
		{"broken utf-8, few bytes", "utf-8", []byte(strings.Repeat("a", 100) + "\xff"), strings.Repeat("a", 100) + "\uFFFD", "replaced"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, warn := decodeCharset(tc.label, tc.in, false)
			if got != tc.want {
				t.Errorf("decodeCharset(%q) = %q, want %q", tc.label, got, tc.want)
			}
			if tc.warn == "" && warn != "" || !strings.Contains(warn, tc.warn) {
				t.Errorf("warning = %q, want %q", warn, tc.warn)
			}
		})
	}
}

func TestDecodeHeader(t *testing.T) {
	for _, tc := range []struct{ name, fallback, in, want string }{
		{"plain", "", "Hello", "Hello"},
		{"q", "", "=?UTF-8?Q?Caff=C3=A8_e_cornetto?=", "Caffè e cornetto"},
		{"b koi8", "", "=?koi8-r?B?8NLJ18XU?=", "Привет"},
		{"adjacent words join", "", "=?utf-8?q?a?= =?utf-8?q?b?=", "ab"},
		{"text between words kept", "", "=?utf-8?q?a?= and =?utf-8?q?b?=", "a and b"},
		{"split multibyte", "", "=?UTF-8?B?0J/R?= =?UTF-8?B?gA==?=", "Пр"},
		{"language suffix", "", "=?utf-8*it?q?ciao?=", "ciao"},
		{"lowercase b and missing padding", "", "=?utf-8?b?0J/RgA?=", "Пр"},
		{"unknown charset utf-8 bytes", "", "=?x-foo?q?ok?=", "ok"},
		{"malformed word kept", "", "=?utf-8?x?nope?=", "=?utf-8?x?nope?="},
		{"folded", "", "Long\r\n subject", "Long subject"},
		{"raw 8-bit in body charset", "windows-1251", "\xcf\xf0\xe8\xe2\xe5\xf2", "Привет"},
		{"raw 8-bit, no charset", "", "caf\xe9", "café"},
		{"utf-7 word", "", "=?utf-7?q?+BB8EQAQ4BDIENQRC-?=", "Привет"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := &headerDecoder{fallback: tc.fallback}
			if got := d.decode(tc.in); got != tc.want {
				t.Errorf("decode(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestAddresses(t *testing.T) {
	for _, tc := range []struct{ name, in string }{
		{"simple", "John <John@Example.COM>"},
		{"unquoted comma", "Doe, John <john@example.com>"},
		{"comment name", "john@example.com (John Doe)"},
		{"group", "Team: a@example.com, b@example.com;"},
		{"encoded name with comma", "=?utf-8?q?Doe=2C_John?= <john@example.com>"},
		{"bare", "john@example.com"},
		{"angle only", "<john@example.com>"},
		{"junk", "not an address"},
		{"mailto", "<mailto:john@example.com>"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := &headerDecoder{}
			got := d.addresses(tc.in)
			for _, a := range got {
				if a.Address != strings.ToLower(a.Address) || !strings.Contains(a.Address, "@") {
					t.Errorf("address %q not normalised", a.Address)
				}
			}
			switch tc.name {
			case "junk":
				if len(got) != 0 {
					t.Errorf("got %v from junk", got)
				}
			case "group":
				if len(got) != 2 || got[0].Address != "a@example.com" || got[1].Address != "b@example.com" {
					t.Errorf("got %v", got)
				}
			case "unquoted comma", "encoded name with comma":
				if len(got) != 1 || got[0].Name != "Doe, John" {
					t.Errorf("got %v, want one address named Doe, John", got)
				}
			case "comment name":
				if len(got) != 1 || got[0].Name != "John Doe" {
					t.Errorf("got %v", got)
				}
			default:
				if len(got) != 1 || got[0].Address != "john@example.com" {
					t.Errorf("got %v", got)
				}
			}
		})
	}
}

func TestMessageIDs(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []string
	}{
		{"<a@b>", []string{"a@b"}},
		{" <a@b>  <c@d>\r\n\t<e@f> ", []string{"a@b", "c@d", "e@f"}},
		{"<a@b> (John's message of Monday)", []string{"a@b"}},
		{"a@b", []string{"a@b"}},
		{"<a @ b>", []string{"a@b"}},
		{"", nil},
		{"<>", nil},
	} {
		if got := messageIDs(tc.in); !slices.Equal(got, tc.want) {
			t.Errorf("messageIDs(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	long := strings.Repeat("<x@y> ", maxIDs+20) + "<newest@y>"
	if got := messageIDs(long); len(got) != maxIDs || got[len(got)-1] != "newest@y" {
		t.Errorf("long References kept %d ids ending %q", len(got), got[len(got)-1])
	}
}

func TestParseDate(t *testing.T) {
	for _, in := range []string{
		"Mon, 3 Feb 2025 10:12:00 +0100",
		"Mon, 3 Feb 2025 10:12:00 +0100 (CET)",
		"3 Feb 2025 10:12:00 +0100",
		"Mon, 03 Feb 2025 10:12 +0100",
		"Mon,  3 Feb 2025 10:12:00 +0100",
		"Mon, 3 Feb 2025 09:12:00 UT",
		"2025-02-03T10:12:00+01:00",
	} {
		got, ok := parseDate(in)
		if !ok || got.UTC().Format("2006-01-02 15:04") != "2025-02-03 09:12" {
			t.Errorf("parseDate(%q) = %v, %v", in, got, ok)
		}
	}
	if _, ok := parseDate("yesterday"); ok {
		t.Error("parseDate(yesterday) succeeded")
	}
}

func TestTicketNumbers(t *testing.T) {
	for _, tc := range []struct {
		subject string
		want    []int64
	}{
		{"Re: [#1234] Refund", []int64{1234}},
		{"[ # 77 ] spaced", []int64{77}},
		{"Ticket #55: update", []int64{55}},
		{"ticket: #56", []int64{56}},
		{"Richiesta n. 12 e pratica nr. 13", []int64{12, 13}},
		{"Заявка №4521", []int64{4521}},
		{"Pieteikums Nr. 88", []int64{88}},
		{"Sol·licitud núm 9", nil},
		{"Tiquet #31", []int64{31}},
		{"Re: #900 and [#901]", []int64{901, 900}},
		{"Order 5532 arrived", nil},
		{"Price &#35;12 entity", nil},
		{"C#7 is not a ticket", nil},
		{"[#99999999999999999999] overflow", nil},
		{"[#0] zero", nil},
	} {
		if got := appendTicketNumbers(nil, tc.subject); !slices.Equal(got, tc.want) {
			t.Errorf("ticket numbers in %q = %v, want %v", tc.subject, got, tc.want)
		}
	}
}

func TestReplyTokens(t *testing.T) {
	m := &Message{
		MessageID: "self@x",
		To:        []Address{{Address: "support+abc123@example.com"}, {Address: "support+abc123@example.com"}},
		Cc:        []Address{{Address: "support+BAD!@example.com"}, {Address: "other+zzz@example.com"}, {Address: "support+@example.com"}},
		Headers:   map[string][]string{"Delivered-To": {"support+bcc9@example.com"}},
		InReplyTo: []string{"self@x", "a@x"},
	}
	k := Keys(m, []string{"Support@Example.com"})
	if !slices.Equal(k.ReplyTokens, []string{"abc123", "bcc9"}) {
		t.Errorf("tokens = %q", k.ReplyTokens)
	}
	if !slices.Equal(k.MessageIDs, []string{"a@x"}) {
		t.Errorf("message ids = %q; a message does not reply to itself", k.MessageIDs)
	}
	if k := Keys(m, nil); len(k.ReplyTokens) != 0 {
		t.Errorf("tokens without mailboxes = %q", k.ReplyTokens)
	}
	long := &Message{To: []Address{{Address: "support+" + strings.Repeat("a", maxTokenLen+1) + "@example.com"}}}
	if k := Keys(long, []string{"support@example.com"}); len(k.ReplyTokens) != 0 {
		t.Errorf("over-long token accepted: %q", k.ReplyTokens)
	}
}

func TestUnflow(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		delsp    bool
		want     string
	}{
		{"soft breaks", "one \ntwo \nthree\nfour", false, "one two three\nfour"},
		{"delsp", "comp\u00a0\nabc \ndef", true, "comp\u00a0\nabcdef"},
		{"quoted", "> a \n> b\nc", false, "> a b\nc"},
		{"depth change ends paragraph", "> a \n>> b", false, "> a \n>> b"},
		{"signature kept", "text\n-- \nsig", false, "text\n-- \nsig"},
		{"space stuffed", " From here", false, "From here"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := unflow(tc.in, tc.delsp); got != tc.want {
				t.Errorf("unflow(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestSanitizeHTML(t *testing.T) {
	in := `<p style="color:red;position:fixed">Hi <a href="https://example.com/x">link</a></p>` +
		`<img src="http://t.example/p.gif"><img src="//t.example/q.gif"><img src="cid:a@b"><img src="data:image/png;base64,iVBORw0KGgo=">` +
		`<script>x()</script><form action="https://evil"><input name="p"></form><a href="javascript:x()">j</a>`
	out, remote := sanitizeHTML(in)
	if remote != 2 {
		t.Errorf("remote images = %d, want 2", remote)
	}
	for _, bad := range []string{"t.example", "<script", "x()", "<form", "<input", "javascript:", "position"} {
		if strings.Contains(out, bad) {
			t.Errorf("sanitised HTML has %q: %s", bad, out)
		}
	}
	for _, good := range []string{`style="color: red"`, `href="https://example.com/x"`, `target="_blank"`, `src="cid:a@b"`, `src="data:image/png;base64,`} {
		if !strings.Contains(out, good) {
			t.Errorf("sanitised HTML lacks %q: %s", good, out)
		}
	}
}

func TestSafeFilename(t *testing.T) {
	for in, want := range map[string]string{
		"report.pdf":                      "report.pdf",
		"../../etc/passwd":                "passwd",
		`C:\Users\me\doc.txt`:             "doc.txt",
		"bad\x00name\n.txt":               "badname.txt",
		"..":                              "",
		"   ":                             "",
		strings.Repeat("é", 150) + ".pdf": strings.Repeat("é", 100),
	} {
		if got := safeFilename(in); got != want {
			t.Errorf("safeFilename(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestParseNeverFails checks inputs that once were, or could be, trouble:
// each must give a Message, and an error only together with Unreadable.
func TestParseNeverFails(t *testing.T) {
	for _, tc := range []struct {
		name       string
		in         string
		unreadable bool
	}{
		{"empty", "", true},
		{"whitespace", " \r\n\t", true},
		{"binary", "\x00\x01\x02\xff\xfe", true},
		{"header only no newline", "Subject: hi", false},
		{"multipart without boundary", "Content-Type: multipart/mixed\n\nbody", false},
		{"multipart without parts", "Content-Type: multipart/mixed; boundary=x\n\nno parts here", false},
		{"deep nesting", deepMultipart(200), true},
		{"nesting within the limit", deepMultipart(maxMIMEDepth), false},
		{"boundary in quotes unterminated", "Content-Type: multipart/mixed; boundary=\"x\n\n--x\n\nhi\n--x--", false},
		{"bom and mbox", "\xef\xbb\xbfFrom someone Mon Jan 1\nSubject: x\n\nhi", false},
		{"huge header line", "Subject: " + strings.Repeat("a", 200000) + "\n\nhi", false},
		{"many encoded words", "Subject: " + strings.Repeat("=?utf-8?b?w6k=?= ", 5000) + "\n\nhi", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, err := Parse([]byte(tc.in))
			if m == nil {
				t.Fatal("nil message")
			}
			if m.Unreadable != tc.unreadable {
				t.Errorf("unreadable = %v (%s), want %v", m.Unreadable, m.UnreadableReason, tc.unreadable)
			}
			if (err != nil) != m.Unreadable || err != nil && !errors.Is(err, ErrUnreadable) {
				t.Errorf("err = %v with unreadable = %v", err, m.Unreadable)
			}
			checkInvariants(t, m)
		})
	}
}

func deepMultipart(depth int) string {
	var sb strings.Builder
	sb.WriteString("Subject: deep\n")
	for i := 0; i < depth; i++ {
		sb.WriteString("Content-Type: multipart/mixed; boundary=b" + strings.Repeat("x", i) + "\n\n--b" + strings.Repeat("x", i) + "\n")
	}
	sb.WriteString("Content-Type: text/plain\n\ndeep text\n")
	return sb.String()
}

// checkInvariants asserts what every parsed Message must satisfy.
func checkInvariants(t *testing.T, m *Message) {
	t.Helper()
	for name, s := range map[string]string{"text": m.Text, "html": m.HTML, "trimmed": m.TrimmedText, "subject": m.Subject, "from": m.From.Name, "reason": m.UnreadableReason} {
		if !utf8.ValidString(s) {
			t.Errorf("%s is not valid UTF-8: %q", name, s)
		}
		if strings.ContainsRune(s, 0) {
			t.Errorf("%s holds NUL", name)
		}
	}
	if strings.ContainsRune(m.Subject, '\n') {
		t.Errorf("subject has a newline: %q", m.Subject)
	}
	if len(m.TrimmedText) > len(m.Text) {
		t.Errorf("trimmed text longer than text: %d > %d", len(m.TrimmedText), len(m.Text))
	}
	switch m.Class {
	case ClassCustomer, ClassAutoReply:
		if m.Delivery != nil {
			t.Errorf("class %s with a delivery report", m.Class)
		}
	case ClassDeliveryReport:
		if m.Delivery == nil {
			t.Error("delivery report without details")
		}
	default:
		t.Errorf("class %q", m.Class)
	}
	if m.Unreadable && m.UnreadableReason == "" {
		t.Error("unreadable without a reason")
	}
	if len(m.Warnings) > maxWarnings {
		t.Errorf("%d warnings", len(m.Warnings))
	}
	for _, a := range m.Attachments {
		if a.Filename == "" || strings.ContainsAny(a.Filename, "/\\\x00") || a.Size != len(a.Data) {
			t.Errorf("attachment %+v", a)
		}
	}
	if _, err := json.Marshal(m); err != nil {
		t.Errorf("json: %v", err)
	}
}

// TestReadFallback checks the reader used when enmime rejects a message.
func TestReadFallback(t *testing.T) {
	m := &Message{Class: ClassCustomer}
	readFallback(m, []byte("From: Mario <mario@example.it>\nSubject: =?utf-8?q?Caff=C3=A8?=\nnot a header\nMessage-ID: <f@x>\n\nBody text\n\nOn Mon, Bob <b@x.com> wrote:\n> old\n"))
	if m.From.Address != "mario@example.it" || m.Subject != "Caffè" || m.MessageID != "f@x" {
		t.Errorf("headers: %+v %q %q", m.From, m.Subject, m.MessageID)
	}
	if m.TrimmedText != "Body text" {
		t.Errorf("trimmed = %q", m.TrimmedText)
	}
	b := &Message{}
	readFallback(b, []byte("From: MAILER-DAEMON@x.example\nSubject: Undelivered Mail Returned to Sender\nX-Failed-Recipients: gone@example.org\n\n<gone@example.org>: 550 5.1.1 unknown\n"))
	if b.Class != ClassDeliveryReport || b.Delivery == nil || b.Delivery.Recipient != "gone@example.org" || b.Delivery.Status != "5.1.1" {
		t.Errorf("bounce read as %s %+v", b.Class, b.Delivery)
	}
}

// TestFallbackKeysWithoutMailboxes checks Parse reads threading keys other
// than reply tokens without options.
func TestParseWithoutOptions(t *testing.T) {
	m, err := Parse(readCorpus(t, "reply-gmail-en.eml"))
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Keys.ReplyTokens) != 0 || len(m.Keys.MessageIDs) != 2 || !slices.Equal(m.Keys.TicketNumbers, []int64{1042}) {
		t.Errorf("keys = %+v", m.Keys)
	}
}

func TestAutoReplyHeaders(t *testing.T) {
	for _, tc := range []struct {
		header string
		want   Class
	}{
		{"Auto-Submitted: no (sent by a person)", ClassCustomer},
		{"Auto-Submitted: auto-generated", ClassAutoReply},
		{"Auto-Submitted: auto-notified; owner-email=x@y", ClassAutoReply},
		{"Precedence: Bulk", ClassAutoReply},
		{"Precedence: junk", ClassAutoReply},
		{"Precedence: first-class", ClassCustomer},
		{"X-Autoreply: yes", ClassAutoReply},
		{"X-Autoreply: no", ClassCustomer},
		{"X-Autorespond: on", ClassAutoReply},
		{"Return-Path: <>", ClassAutoReply},
		{"Subject: Automatic reply: Re: order", ClassAutoReply},
		{"Subject: Out of Office: back Monday", ClassAutoReply},
		{"Subject: Resposta automàtica: Re: comanda", ClassAutoReply},
		{"Subject: Automātiskā atbilde: Re: pasūtījums", ClassAutoReply},
		{"Subject: Is your auto-reply broken?", ClassCustomer},
		{"Subject: Undelivered Mail Returned to Sender", ClassCustomer}, // from a person, not a mail system
	} {
		t.Run(tc.header, func(t *testing.T) {
			raw := "From: Someone <someone@example.org>\nTo: support@example.com\n" + tc.header + "\nDate: Mon, 3 Feb 2025 10:00:00 +0000\n\nHello.\n"
			m, err := Parse([]byte(raw))
			if err != nil {
				t.Fatal(err)
			}
			if m.Class != tc.want {
				t.Errorf("class = %s (%s), want %s", m.Class, m.ClassReason, tc.want)
			}
		})
	}
}
