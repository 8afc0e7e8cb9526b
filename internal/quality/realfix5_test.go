package quality

import (
	"context"
	"testing"
)

// TestPlaceholderNotButtonOrHeading: a bracket right after a verb of
// pressing names a button, and a bracket that fills its line with four
// words or more is a heading; neither is an unfilled template field, in all
// five languages. A field in running text is still flagged.
func TestPlaceholderNotButtonOrHeading(t *testing.T) {
	a := newTestAnalyzer(t)
	has := func(text, lang string) bool {
		for _, f := range a.Analyze(context.Background(), Input{Text: text, Lang: lang, Channel: "email"}) {
			if f.Rule == rulePlaceholder {
				return true
			}
		}
		return false
	}
	for _, tc := range []struct{ lang, button, heading, field string }{
		{"en", "Hello Ann, to stop the reminders press [Cancel] on the update window. Thanks, Bob",
			"Hello Ann,\n\n[How to get a refund]\n\nOpen the order and choose the item. Thanks, Bob",
			"Hello [Customer Name], your order left today. Thanks, Bob"},
		{"it", "Buongiorno Anna, per fermare gli avvisi premi [Annulla] nella finestra. Grazie, Bruno",
			"Buongiorno Anna,\n\n[Come ottenere il rimborso]\n\nApra l'ordine e scelga l'articolo. Grazie, Bruno",
			"Buongiorno [Nome Cliente], il suo ordine è partito oggi. Grazie, Bruno"},
		{"ru", "Здравствуйте, Анна! Чтобы убрать напоминания, нажмите [Отмена] в окне обновления. Спасибо, Борис",
			"Здравствуйте, Анна!\n\n[Как вернуть деньги за заказ]\n\nОткройте заказ и выберите товар. Спасибо, Борис",
			"Здравствуйте, [Имя Клиента]! Ваш заказ отправлен сегодня. Спасибо, Борис"},
		{"lv", "Labdien, Anna! Lai apturētu atgādinājumus, nospiediet [Atcelt] atjauninājuma logā. Paldies, Boriss",
			"Labdien, Anna!\n\n[Kā saņemt naudu atpakaļ]\n\nAtveriet pasūtījumu un izvēlieties preci. Paldies, Boriss",
			"Labdien, [Klienta Vārds]! Jūsu pasūtījums šodien ir nosūtīts. Paldies, Boriss"},
		{"ca", "Hola Anna, per aturar els avisos premeu [Cancel·la] a la finestra. Gràcies, Bernat",
			"Hola Anna,\n\n[Com obtenir el reemborsament]\n\nObriu la comanda i trieu l'article. Gràcies, Bernat",
			"Hola [Nom Client], la vostra comanda ha sortit avui. Gràcies, Bernat"},
	} {
		if has(tc.button, tc.lang) {
			t.Errorf("%s %q: a button's label, want no %s", tc.lang, tc.button, rulePlaceholder)
		}
		if has(tc.heading, tc.lang) {
			t.Errorf("%s %q: a heading, want no %s", tc.lang, tc.heading, rulePlaceholder)
		}
		if !has(tc.field, tc.lang) {
			t.Errorf("%s %q: an unfilled field, want %s", tc.lang, tc.field, rulePlaceholder)
		}
	}
}

// TestAcronymSpelledOutOrIdentifier: an acronym whose words the reply
// writes out, or a capital word joined by underscores (a code constant), is
// not jargon thrown at the customer; an unexplained acronym by email still
// is.
func TestAcronymSpelledOutOrIdentifier(t *testing.T) {
	a := newTestAnalyzer(t)
	has := func(text, lang string) bool {
		for _, f := range a.Analyze(context.Background(), Input{Text: text, Lang: lang, Channel: "email"}) {
			if f.Rule == ruleAcronym {
				return true
			}
		}
		return false
	}
	for _, tc := range []struct{ lang, spelled, ident, bare string }{
		{"en", "Hi Ann, the digital video recorder is fixed; the DVR keeps recordings for nine months. Thanks, Bob",
			"Hi Ann, the app asks for ACCESS_FINE_LOCATION only while open. Thanks, Bob",
			"Hi Ann, the DVR keeps recordings for nine months. Thanks, Bob"},
		{"it", "Buongiorno Anna, il sistema di interscambio ha ricevuto la fattura: lo SDI la consegnerà domani. Grazie, Bruno",
			"Buongiorno Anna, l'app chiede ACCESS_FINE_LOCATION solo quando è aperta. Grazie, Bruno",
			"Buongiorno Anna, lo SDI consegnerà la fattura domani. Grazie, Bruno"},
		{"ru", "Здравствуйте, Анна! Доступ для физического лица открыт, кабинет ФЛ работает. Спасибо, Борис",
			"Здравствуйте, Анна! Приложение просит ACCESS_FINE_LOCATION только в открытом виде. Спасибо, Борис",
			"Здравствуйте, Анна! Кабинет ФЛ работает. Спасибо, Борис"},
		{"lv", "Labdien, Anna!\n\nJūsu iesniegumu saņēma valsts darba kontrole, un VDK atbildēs rīt.\n\nAr cieņu,\nBoriss",
			"Labdien, Anna! Lietotne prasa ACCESS_FINE_LOCATION tikai atvērta. Paldies, Boriss",
			"Labdien, Anna!\n\nJūsu iesniegumu saņēma VDK, un atbilde būs rīt.\n\nAr cieņu,\nBoriss"},
		{"ca", "Hola Anna, l'Agència Tributària de Catalunya ha rebut el document i l'ATC respondrà demà. Gràcies, Bernat",
			"Hola Anna, l'aplicació demana ACCESS_FINE_LOCATION només oberta. Gràcies, Bernat",
			"Hola Anna, l'ATC respondrà demà. Gràcies, Bernat"},
	} {
		if has(tc.spelled, tc.lang) {
			t.Errorf("%s %q: spelled out, want no %s", tc.lang, tc.spelled, ruleAcronym)
		}
		if has(tc.ident, tc.lang) {
			t.Errorf("%s %q: a code constant, want no %s", tc.lang, tc.ident, ruleAcronym)
		}
		if !has(tc.bare, tc.lang) {
			t.Errorf("%s %q: unexplained, want %s", tc.lang, tc.bare, ruleAcronym)
		}
	}
}

// TestAgreementAcknowledges: a reply that agrees with the customer ("you're
// right", "esatto", "вы правы", "jums taisnība", "teniu raó") has heard the
// problem, so it is not apathy.problem_ignored even by email, in all five
// languages; the same statement without it still is.
func TestAgreementAcknowledges(t *testing.T) {
	a := newTestAnalyzer(t)
	has := func(text, lang, cust string) bool {
		in := Input{Text: text, Lang: lang, Channel: "email", Conversation: []Turn{{Role: "customer", Text: cust}}}
		for _, f := range a.Analyze(context.Background(), in) {
			if f.Rule == ruleProblemIgnored {
				return true
			}
		}
		return false
	}
	for _, tc := range []struct{ lang, cust, bare, agree string }{
		{"en", "The export is broken, it fails every time.", "Our office is open nine to five on weekdays.",
			"You're right, our office is open nine to five on weekdays."},
		{"it", "L'esportazione non funziona, dà sempre errore.", "Il nostro ufficio è aperto dalle nove alle cinque.",
			"Ha ragione, il nostro ufficio è aperto dalle nove alle cinque."},
		{"ru", "Экспорт не работает, всё время ошибка.", "Наш офис открыт с девяти до пяти.",
			"Вы правы, наш офис открыт с девяти до пяти."},
		{"lv", "Eksports nedarbojas, vienmēr ir kļūda.", "Mūsu birojs strādā no deviņiem līdz pieciem.",
			"Jums taisnība, mūsu birojs strādā no deviņiem līdz pieciem."},
		{"ca", "L'exportació no funciona, sempre dona error.", "La nostra oficina obre de nou a cinc.",
			"Teniu raó, la nostra oficina obre de nou a cinc."},
	} {
		if !has(tc.bare, tc.lang, tc.cust) {
			t.Errorf("%s %q by email: want %s", tc.lang, tc.bare, ruleProblemIgnored)
		}
		if has(tc.agree, tc.lang, tc.cust) {
			t.Errorf("%s %q: agrees with the customer, want no %s", tc.lang, tc.agree, ruleProblemIgnored)
		}
	}
}
