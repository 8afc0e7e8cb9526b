package text

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestTrimQuoted(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{"nothing to trim", "Hello\nthere", "Hello\nthere"},
		{"on wrote", "New text\n\nOn Mon, 3 Feb 2025, Bob <b@x.com> wrote:\n> old", "New text"},
		{"wrapped on wrote", "New\n\nOn Mon, 3 Feb 2025 at 10:00, Bob Smith <b@x.com>\nwrote:\n> old", "New"},
		{"il giorno", "Nuovo\nIl giorno lun 3 feb 2025 alle ore 10:00 Anna <a@x.it> ha scritto:\n> vecchio", "Nuovo"},
		{"napisal(a)", "Новое\n\n3 февр. 2025 г., в 10:00, Иван <i@x.ru> написал(а):\n> старое", "Новое"},
		{"rakstīja", "Jauns\n\nPirmd., 2025. g. 3. febr. Jānis <j@x.lv> rakstīja:\n> vecs", "Jauns"},
		{"va escriure", "Nou\n\nEl dl., 3 de febr. 2025, Joan <j@x.cat> va escriure:\n> antic", "Nou"},
		{"original message", "New\n\n-----Original Message-----\nFrom: x\nold", "New"},
		{"messaggio originale", "Nuovo\n-------- Messaggio originale --------\nDa: x", "Nuovo"},
		{"outlook block", "New\n\nFrom: Support <s@x.com>\nSent: Monday\nTo: me\nSubject: hi\n\nold", "New"},
		{"outlook block bold", "New\n\n*From:* Support\n*Sent:* Monday\n*To:* me\n\nold", "New"},
		{"russian outlook", "Новое\n\nОт: Поддержка\nОтправлено: 3 февраля\nКому: я\nТема: вопрос\n\nстарое", "Новое"},
		{"from line alone is text", "From: my kitchen, I write\nthat the kettle leaks.", "From: my kitchen, I write\nthat the kettle leaks."},
		{"signature", "Thanks\n-- \nBob\nCEO", "Thanks"},
		{"mobile footer", "Yes\n\nInviato da iPhone", "Yes"},
		{"trailing quotes", "Sure.\n\n> did you?\n> really?", "Sure."},
		{"wrote without date or quote is text", "My son wrote:\nthe kettle is broken", "My son wrote:\nthe kettle is broken"},
		{"bottom posted", "On Mon, Bob <b@x.com> wrote:\n> question?\n\nAnswer.", "Answer."},
		{"interleaved", "See below.\n\nOn Mon, Bob <b@x.com> wrote:\n> q1\na1\n> q2\na2", "See below.\n\nOn Mon, Bob <b@x.com> wrote:\n> q1\na1\n> q2\na2"},
		{"only quotes", "> everything quoted", "> everything quoted"},
		{"crlf", "New\r\n\r\nOn Mon, Bob <b@x.com> wrote:\r\n> old", "New"},
		{"forward marker is not history", "FYI\n\n---------- Forwarded message ---------\nFrom: x", "FYI\n\n---------- Forwarded message ---------\nFrom: x"},
		{"empty", "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := TrimQuoted(tc.in); got != tc.want {
				t.Errorf("TrimQuoted(%q)\n = %q\nwant %q", tc.in, got, tc.want)
			}
		})
	}
}

// FuzzTrimQuoted checks that trimming never invents text: every line it
// returns is part of a line it was given.
func FuzzTrimQuoted(f *testing.F) {
	// testdata/fuzz/FuzzTrimQuoted holds the texts of the mail corpus of
	// internal/channel/email as the parser reads them.
	f.Add("New\n\nOn Mon, Bob <b@x.com>\nwrote:\n> old\n> older")
	f.Add("a\n-- \nsig")
	f.Fuzz(func(t *testing.T, text string) {
		out := TrimQuoted(text)
		norm := strings.ReplaceAll(strings.ReplaceAll(text, "\r\n", "\n"), "\r", "\n")
		if len(out) > len(norm) {
			t.Fatalf("output longer than input: %q -> %q", text, out)
		}
		if utf8.ValidString(text) && !utf8.ValidString(out) {
			t.Fatalf("invalid UTF-8 from valid input: %q", out)
		}
		for _, line := range strings.Split(out, "\n") {
			if !strings.Contains(norm, line) {
				t.Fatalf("line %q is not in the input %q", line, text)
			}
		}
	})
}
