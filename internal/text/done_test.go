package text

import (
	"strings"
	"testing"
)

func TestSaysDone(t *testing.T) {
	for _, tc := range []struct {
		name, lang, text string
		want             bool
	}{
		{"customer received", "en", "I received the replacement, thanks!", true},
		{"agent shipped", "en", "Good news: the replacement has shipped this morning.", true},
		{"agent refunded", "en", "I've refunded the order in full.", true},
		{"not yet", "en", "I still haven't received the replacement.", false},
		{"future", "en", "The refund will be processed on Friday.", false},
		{"question", "en", "Has the replacement shipped?", false},
		{"unrelated", "en", "The screen flickers again.", false},
		{"italian received", "it", "Ho ricevuto il pacco sostitutivo, grazie.", true},
		{"italian free order", "it", "Il rimborso è stato finalmente accreditato.", true},
		{"italian negated", "it", "Il rimborso non è ancora stato accreditato.", false},
		{"russian received", "ru", "Замену получил, спасибо!", true},
		{"russian agent", "ru", "Мы отправили вам новый комплект сегодня.", true},
		{"russian negated", "ru", "Посылку так и не получил.", false},
		{"latvian received", "lv", "Saņēmu nomaiņas preci, paldies.", true},
		{"latvian negated", "lv", "Atmaksu vēl neesmu saņēmis, un nauda nav ieskaitīta.", false},
		{"catalan received", "ca", "He rebut el recanvi, gràcies.", true},
		{"catalan negated", "ca", "Encara no he rebut el paquet.", false},
		{"unknown language", "", "I received the replacement, thanks!", true},
		{"quoted history does not count", "en", "Thanks.\n\nOn Tue, Support wrote:\n> The replacement has shipped.", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			words, got := SaysDone(tc.text, tc.lang)
			if got != tc.want {
				t.Errorf("SaysDone(%q, %q) = %q, %v; want %v", tc.text, tc.lang, words, got, tc.want)
			}
			if got && words == "" {
				t.Error("done without the words that say it")
			}
		})
	}
}

// FuzzSaysDone: any text in any language is read without panicking, and
// the words returned are part of it.
func FuzzSaysDone(f *testing.F) {
	for _, s := range []string{"I received the replacement, thanks!", "Замену получил", "\n> quoted\nOn x wrote:\n", "?!,;…", "not received & shipped"} {
		f.Add(s, "en")
		f.Add(s, "")
	}
	d, err := NewDoneDetector()
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, msg, lang string) {
		words, ok := d.Detect(msg, lang)
		if ok && (words == "" || !strings.Contains(msg, words)) {
			t.Fatalf("words %q not in %q", words, msg)
		}
	})
}
