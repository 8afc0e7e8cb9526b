package quality

import (
	"context"
	"testing"
)

// TestFallbackNotRunaround: a reply that gives its own step and names
// another channel only for the case the step fails ("If that doesn't
// work, …", "Se il problema persiste, …", "Если это не поможет, …") is not
// runaround, whose mark is that the other channel is the only road. The
// same channel with no condition still is runaround. In every language.
func TestFallbackNotRunaround(t *testing.T) {
	a := newTestAnalyzer(t)
	for _, tc := range []struct{ lang, bare, fallback string }{
		{"en", "Hi Ann, please contact our support team, they will sort it out. Thanks",
			"Hi Ann, please restart the app and sign in again. If that doesn't work, please contact our support team, they will sort it out. Thanks"},
		{"en", "Hi Ann, please send us an email at help@example.com and we will assist. Thanks",
			"Hi Ann, please sign out and back in. If you continue to experience the error, please send us an email at help@example.com and we will assist. Thanks"},
		{"it", "Ciao Anna, contatti il nostro servizio clienti via chat. Grazie",
			"Ciao Anna, riavvii l'app. Se il problema persiste, contatti il nostro servizio clienti via chat. Grazie"},
		{"ru", "Здравствуйте, Анна, обратитесь в нашу службу поддержки через чат. Спасибо",
			"Здравствуйте, Анна, перезапустите приложение. Если это не поможет, обратитесь в нашу службу поддержки через чат. Спасибо"},
		{"lv", "Labdien, Anna, sazinieties ar mūsu klientu atbalstu tērzēšanā. Paldies",
			"Labdien, Anna, restartējiet lietotni. Ja tas nepalīdz, sazinieties ar mūsu klientu atbalstu tērzēšanā. Paldies"},
		{"ca", "Hola, Anna, contacti amb el nostre servei d'atenció al client pel xat. Gràcies",
			"Hola, Anna, reinicieu l'aplicació. Si el problema persisteix, contacti amb el nostre servei d'atenció al client pel xat. Gràcies"},
	} {
		bare := a.Analyze(context.Background(), Input{Text: tc.bare, Lang: tc.lang, Channel: "email"})
		if !hasSin(bare, Runaround) {
			t.Errorf("%s %q: the other channel is the only road, want runaround, got %v", tc.lang, tc.bare, sinsOf(bare))
		}
		fb := a.Analyze(context.Background(), Input{Text: tc.fallback, Lang: tc.lang, Channel: "email"})
		if hasSin(fb, Runaround) {
			t.Errorf("%s %q: the channel is a fallback to the reply's own step, want no runaround, got %v", tc.lang, tc.fallback, sinsOf(fb))
		}
	}
}

// TestNotOursIsBrushOff: "not our problem" denies that the matter is the
// business's, which is a brush-off in every language (the Russian and
// Latvian rules already read it so; English, Italian and Catalan read it as
// curt). "It's your problem" blames the customer and stays coldness.
func TestNotOursIsBrushOff(t *testing.T) {
	a := newTestAnalyzer(t)
	for _, tc := range []struct {
		lang, text string
		want, not  Sin
	}{
		{"en", "Hi Ann, that's not our problem, sorry. Regards, Tom", BrushOff, Coldness},
		{"it", "Ciao Anna, non è un nostro problema, mi dispiace. Saluti, Tommaso", BrushOff, Coldness},
		{"ru", "Здравствуйте, Анна, это не наша проблема, извините. С уважением, Том", BrushOff, Coldness},
		{"lv", "Labdien, Anna, tā nav mūsu problēma, atvainojiet. Ar cieņu, Toms", BrushOff, Coldness},
		{"ca", "Hola, Anna, no és problema nostre, ho sento. Salutacions, Tomàs", BrushOff, Coldness},
		{"en", "Hi Ann, that's your problem. Regards, Tom", Coldness, BrushOff},
	} {
		fs := a.Analyze(context.Background(), Input{Text: tc.text, Lang: tc.lang, Channel: "email"})
		if !hasSin(fs, tc.want) || hasSin(fs, tc.not) {
			t.Errorf("%s %q: got %v, want %s and not %s", tc.lang, tc.text, sinsOf(fs), tc.want, tc.not)
		}
	}
}
