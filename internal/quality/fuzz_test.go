package quality

import (
	"context"
	"testing"
	"unicode/utf8"
)

// FuzzAnalyze: whatever the reply, the conversation and the languages, the
// analyzer does not panic and every span lies within the text, on rune
// boundaries, agreeing with its rune offsets and its quote.
func FuzzAnalyze(f *testing.F) {
	f.Add("Please read our FAQ on the website, policy does not allow refunds.", "My order is late!", "", "en")
	f.Add("Dear [Customer Name], {{name}} <ORDER_ID> %NAME% XXX", "", "en", "it")
	f.Add("Здравствуйте! Ознакомьтесь с FAQ. ERR_402 на A-записи.", "Посылка не пришла, я в бешенстве", "ru", "ru")
	f.Add("Labdien! Saskaņā ar noteikumiem ... \xff\xfe", "Paka nav atnākusi", "", "lv")
	f.Add("Hola, col·lega! l'SKU-44 {{", "{{", "ca", "xx")
	f.Add("İIİ K ǅ ﬃ … ẞ", "İ", "", "")
	a, err := New(Opts{})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, text, customer, lang, ui string) {
		// Rune boundaries as Go iterates a string: an invalid byte counts
		// as one rune (U+FFFD), like utf8.RuneCountInString counts it.
		boundary := map[int]bool{len(text): true}
		for i := range text {
			boundary[i] = true
		}
		in := Input{Text: text, Lang: lang, UILang: ui,
			Conversation: []Turn{{Role: "customer", Text: customer}, {Role: "agent", Text: customer}, {Role: "customer", Text: text}}}
		for _, fd := range a.Analyze(context.Background(), in) {
			if fd.Start < 0 || fd.End > len(text) || fd.Start > fd.End {
				t.Fatalf("span [%d,%d) outside %d bytes", fd.Start, fd.End, len(text))
			}
			if !boundary[fd.Start] || !boundary[fd.End] {
				t.Fatalf("span [%d,%d) splits a rune in %q", fd.Start, fd.End, text)
			}
			if fd.Quote != text[fd.Start:fd.End] {
				t.Fatalf("quote %q is not the span", fd.Quote)
			}
			if fd.RuneStart != utf8.RuneCountInString(text[:fd.Start]) || fd.RuneEnd != utf8.RuneCountInString(text[:fd.End]) {
				t.Fatalf("rune offsets disagree")
			}
			if fd.Rule == "" || !validSin(fd.Sin) {
				t.Fatalf("finding without rule or sin: %+v", fd)
			}
		}
	})
}
