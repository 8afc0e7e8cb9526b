package quality

import (
	"context"
	"testing"
)

// TestOwnSupportIsRunaround: sending the customer to the business's own
// support inbox is runaround (another of our inboxes); sending them to
// another department or company stays brush-off. In every language.
func TestOwnSupportIsRunaround(t *testing.T) {
	a := newTestAnalyzer(t)
	tests := []struct {
		lang, text string
		want, not  Sin
	}{
		{"en", "Hi Ann, please contact our support team, they will sort it out. Thanks", Runaround, BrushOff},
		{"it", "Ciao Anna, contatti il nostro servizio clienti via chat. Grazie", Runaround, BrushOff},
		{"ru", "Здравствуйте, Анна, обратитесь в нашу службу поддержки через чат. Спасибо", Runaround, BrushOff},
		{"lv", "Labdien, Anna, sazinieties ar mūsu klientu atbalstu tērzēšanā. Paldies", Runaround, BrushOff},
		{"ca", "Hola, Anna, contacti amb el nostre servei d'atenció al client pel xat. Gràcies", Runaround, BrushOff},
		// Another department or company is still a brush-off.
		{"en", "Hi Ann, you'll need to contact the billing department for that. Thanks", BrushOff, ""},
		{"it", "Ciao Anna, si rivolga al corriere per questo. Grazie", BrushOff, ""},
		{"ru", "Здравствуйте, Анна, обратитесь в бухгалтерию. Спасибо", BrushOff, ""},
		{"lv", "Labdien, Anna, vērsieties grāmatvedībā. Paldies", BrushOff, ""},
		{"ca", "Hola, Anna, adreci's al fabricant per això. Gràcies", BrushOff, ""},
	}
	for _, tc := range tests {
		fs := a.Analyze(context.Background(), Input{Text: tc.text, Lang: tc.lang, Channel: "email"})
		if !hasSin(fs, tc.want) || (tc.not != "" && hasSin(fs, tc.not)) {
			t.Errorf("%s %q: got %v, want %s and not %q", tc.lang, tc.text, sinsOf(fs), tc.want, tc.not)
		}
	}
}

// TestClarifyingQuestionNotApathy: a reply made only of questions asks the
// customer to say more; it has not ignored the problem. A statement that
// does not touch the problem still is apathy.
func TestClarifyingQuestionNotApathy(t *testing.T) {
	a := newRuleAnalyzer(t)
	tests := []struct {
		lang, cust, reply string
		apathy            bool
	}{
		{"en", "The charger is broken and the order is wrong.", "Which charger do you mean? Which plug did it come with?", false},
		{"it", "Il caricatore è rotto e l'ordine è sbagliato.", "Quale caricatore intende? Con quale spina è arrivato?", false},
		{"ru", "Зарядка сломана, и заказ неправильный.", "Какую зарядку вы имеете в виду? С какой вилкой она пришла?", false},
		// On a forum the statement beside the problem is apathy when it also
		// ends the matter (the precision-first gate, TestPrecisionGate).
		{"en", "The charger is broken and the order is wrong.", "Opening hours are nine to five. Weekends closed. Closing this.", true},
	}
	for _, tc := range tests {
		fs := a.Analyze(context.Background(), Input{Text: tc.reply, Lang: tc.lang, Channel: "forum",
			Conversation: []Turn{{Role: "customer", Text: tc.cust}}})
		if got := hasSin(fs, Apathy); got != tc.apathy {
			t.Errorf("%s %q: apathy %v, want %v (%v)", tc.lang, tc.reply, got, tc.apathy, sinsOf(fs))
		}
	}
}

// TestIDRequestWithPurpose: asking first for the order number reads like a
// form, unless the same sentence says what the agent will do with it.
func TestIDRequestWithPurpose(t *testing.T) {
	a := newRuleAnalyzer(t)
	cust := []Turn{{Role: "customer", Text: "My parcel never arrived."}}
	for _, tc := range []struct {
		text  string
		robot bool
	}{
		{"Please send me the order number and I'll look into it today.", false},
		{"Please send me the order number and the postcode.", true},
	} {
		fs := a.Analyze(context.Background(), Input{Text: tc.text, Lang: "en", Channel: "chat", Conversation: cust})
		if got := hasSin(fs, Robotism); got != tc.robot {
			t.Errorf("%q: robotism %v, want %v (%v)", tc.text, got, tc.robot, sinsOf(fs))
		}
	}
}

// TestForumRegister: on a forum (a public tracker) acronyms and technical
// terms are the thread's own register; the same words in an email to a
// customer who never used them are still flagged.
func TestForumRegister(t *testing.T) {
	a := newTestAnalyzer(t)
	cust := []Turn{{Role: "customer", Text: "I cannot log in, it says error."}}
	text := "Hi Ann, the RFID reader driver on the backend side was wrong; it is fixed now. Thanks"
	if fs := a.Analyze(context.Background(), Input{Text: text, Lang: "en", Channel: "forum", Conversation: cust}); hasSin(fs, Condescension) {
		t.Errorf("forum: got %v, want no condescension", sinsOf(fs))
	}
	if fs := a.Analyze(context.Background(), Input{Text: text, Lang: "en", Channel: "email", Conversation: cust}); !hasSin(fs, Condescension) {
		t.Errorf("email: got %v, want condescension", sinsOf(fs))
	}
}

// TestTerseActionNotApathy: short replies that did the thing, say how long
// it takes or ask for the diagnostics are not apathy, in each language; a
// reply that only states a fact beside the problem still is.
func TestTerseActionNotApathy(t *testing.T) {
	a := newRuleAnalyzer(t)
	tests := []struct {
		lang, cust, reply string
		apathy            bool
	}{
		{"ru", "Ошибка 035 при запуске, приложение не работает.", "Поправил, скачай версию 1.2.2.", false},
		{"ru", "Перевод не работает, ошибка при запуске.", "Скиньте ошибки из консоли браузера.", false},
		{"it", "Errore EN179, la pratica è bloccata e non funziona.", "Situazione sbloccata.", false},
		{"it", "Errore nel caricamento, gli allegati non funzionano.", "Potete fornirci l'identificativo dell'allegato?", false},
		{"en", "The refund never arrived, it is missing.", "It usually takes a few days to show on the card.", false},
		{"en", "The app crashes on start, it is broken.", "Lemme ping the developer to see what's up.", false},
		{"lv", "Lietotne avarē, tā nedarbojas.", "Lūdzu, atsūtiet kļūdas žurnālu.", false},
		{"ca", "L'aplicació falla, no funciona.", "Envieu-nos el registre d'errors, si us plau.", false},
		{"en", "The refund never arrived, it is missing.", "Our office is open nine to five on weekdays. Closing this issue.", true},
	}
	for _, tc := range tests {
		fs := a.Analyze(context.Background(), Input{Text: tc.reply, Lang: tc.lang, Channel: "forum",
			Conversation: []Turn{{Role: "customer", Text: tc.cust}}})
		if got := hasSin(fs, Apathy); got != tc.apathy {
			t.Errorf("%s %q: apathy %v, want %v (%v)", tc.lang, tc.reply, got, tc.apathy, sinsOf(fs))
		}
	}
}

// TestNotARule: instructions and a feature that does not exist are not a
// rule quoted at the customer; "clearly" describing how something is done
// is not lecturing. The rule-quoting and lecturing forms still are.
func TestNotARule(t *testing.T) {
	a := newTestAnalyzer(t)
	tests := []struct {
		lang, text string
		sin        Sin
		want       bool
	}{
		{"ru", "Здравствуйте, если все делать по инструкции, то все будет работать. Спасибо", Rulebook, false},
		{"ru", "Здравствуйте, согласно правилам магазина возврат невозможен. С уважением", Rulebook, true},
		{"it", "Buongiorno, al momento non è previsto che possa annullarla da sé. Saluti", Rulebook, false},
		{"it", "Buongiorno, il rimborso non è consentito. Saluti", Rulebook, true},
		{"en", "Hi, I'm not sure this translates clearly, could you paste the log here? Thanks", Condescension, false},
		{"en", "Hi, clearly you need to update the app first. Thanks", Condescension, true},
	}
	for _, tc := range tests {
		fs := a.Analyze(context.Background(), Input{Text: tc.text, Lang: tc.lang, Channel: "email"})
		if got := hasSin(fs, tc.sin); got != tc.want {
			t.Errorf("%s %q: %s %v, want %v (%v)", tc.lang, tc.text, tc.sin, got, tc.want, sinsOf(fs))
		}
	}
}
