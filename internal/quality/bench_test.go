package quality

import (
	"context"
	"strings"
	"testing"
)

// benchReply builds a reply of about 2 KB in lang from the good replies of
// the labelled set, with one bad sentence of each kind mixed in so that
// every rule family has work to do, and the conversation it answers.
func benchReply(tb testing.TB, lang string) Input {
	tb.Helper()
	bad := map[string]string{
		"en": " Please read our FAQ, policy does not allow refunds. As I already said, the RMA is pending.",
		"it": " Consulti le nostre FAQ, il regolamento non consente rimborsi. Come le ho già detto, l'RMA è in attesa.",
		"ru": " Ознакомьтесь с разделом FAQ, правила не позволяют возврат. Как я уже писал, RMA в обработке.",
		"lv": " Iepazīstieties ar BUJ sadaļu, noteikumi neļauj atmaksu. Kā jau rakstīju, RMA tiek apstrādāts.",
		"ca": " Consulti les preguntes freqüents, les normes no permeten reemborsaments. Com ja li vaig dir, l'RMA està pendent.",
	}
	var b strings.Builder
	var conv []Turn
	for _, l := range readLabelled(tb, "testdata/labelled.jsonl") {
		if l.Lang != lang || len(l.Sins) > 0 {
			continue
		}
		if b.Len() > 0 {
			b.WriteString("\n\n")
		}
		b.WriteString(l.Text)
		conv = append(conv, l.Conversation...)
		if b.Len() >= 1900 {
			break
		}
	}
	b.WriteString(bad[lang])
	for b.Len() < 2048 {
		b.WriteString(" Thanks!")
	}
	return Input{Text: b.String(), Lang: lang, Conversation: conv[:3], UILang: "en"}
}

// BenchmarkAnalyze analyses a 2 KB reply per language, with the language
// given and with it left to detection.
func BenchmarkAnalyze(b *testing.B) {
	a := newTestAnalyzer(b)
	ctx := context.Background()
	for _, lang := range []string{"en", "it", "ru", "lv", "ca"} {
		in := benchReply(b, lang)
		for _, detect := range []bool{false, true} {
			name := lang
			run := in
			if detect {
				name += "/detect"
				run.Lang = ""
			}
			b.Run(name, func(b *testing.B) {
				b.SetBytes(int64(len(run.Text)))
				b.ReportAllocs()
				n := 0
				for i := 0; i < b.N; i++ {
					n += len(a.Analyze(ctx, run))
				}
				if n == 0 {
					b.Fatal("no findings: the benchmark reply should exercise the rules")
				}
			})
		}
	}
}

func BenchmarkNew(b *testing.B) {
	for i := 0; i < b.N; i++ {
		if _, err := New(Opts{}); err != nil {
			b.Fatal(err)
		}
	}
}
