package quality

import (
	"context"
	"testing"
)

// The fixes that testdata/realheldout3.jsonl (brands' replies on social
// media) led to. Each case fails on the analyzer before them.

// TestActingTurnAnswersFeeling: on a chat, social or forum turn, a reply
// that acts on the problem (the steps to try, a question it needs to act)
// has not ignored the customer's frustration. A letter still needs a word
// for the feeling, and so does a turn that acts but also sends the
// customer elsewhere. In every language.
func TestActingTurnAnswersFeeling(t *testing.T) {
	a := newRuleAnalyzer(t)
	tests := []struct {
		lang, cust, reply, channel string
		apathy                     bool
	}{
		{"en", "This error keeps coming up on my printer. It's annoying now.", "Please try a hard reset on the printer and let us know.", "social", false},
		{"it", "Questo errore continua a comparire sulla stampante. Sono arrabbiato.", "Provi a riavviare la stampante seguendo questi passaggi.", "social", false},
		{"ru", "Эта ошибка снова и снова появляется на принтере. Я очень расстроен.", "Попробуйте перезагрузить принтер по этой инструкции.", "chat", false},
		{"lv", "Šī kļūda printerī rādās atkal un atkal. Esmu ļoti dusmīgs.", "Mēģiniet restartēt printeri, izpildot šos soļus.", "chat", false},
		{"ca", "Aquest error surt una vegada i una altra a la impressora. Estic enfadat.", "Proveu de reiniciar la impressora seguint aquests passos.", "social", false},
		// A letter owes the feeling a word.
		{"en", "This error keeps coming up on my printer. It's annoying now.", "Hello Ann, please try a hard reset on the printer and let us know. Kind regards, Dana", "email", true},
		// Acting and sending elsewhere in the same turn does not count.
		{"en", "My laptop screen cracked and I'm so upset about it.", "Please try restarting it, and for repairs please contact our phone support.", "social", true},
	}
	for _, tc := range tests {
		fs := a.Analyze(context.Background(), Input{Text: tc.reply, Lang: tc.lang, Channel: tc.channel,
			Conversation: []Turn{{Role: "customer", Text: tc.cust}}})
		if got := hasSin(fs, Apathy); got != tc.apathy {
			t.Errorf("%s %s %q: apathy %v, want %v (%v)", tc.lang, tc.channel, tc.reply, got, tc.apathy, sinsOf(fs))
		}
	}
}

// TestStepsAnswerProblem: pointing the customer to the steps that fix the
// problem, or offering to help, has not ignored it, even when it uses none
// of the customer's words.
func TestStepsAnswerProblem(t *testing.T) {
	a := newTestAnalyzer(t)
	tests := []struct {
		lang, cust, reply string
	}{
		{"en", "The game keeps crashing with a network error.", "Hi there! Please make sure you're signed in to the right account, then let's activate it as primary."},
		{"en", "I lost access to my account after my phone was reset.", "Hi Pooja. These tips may help: https://support.example.com/accounts/7299973"},
		{"it", "Il gioco si blocca con un errore di rete.", "Ciao! Segua i passaggi di questa guida: https://help.example.com/rete"},
		{"ru", "Игра вылетает с ошибкой сети.", "Здравствуйте! Следуйте шагам из этой статьи: https://help.example.com/net"},
		{"lv", "Spēle avarē ar tīkla kļūdu.", "Sveiki! Sekojiet šiem soļiem rakstā: https://help.example.com/net"},
		{"ca", "El joc es penja amb un error de xarxa.", "Hola! Seguiu els passos d'aquesta guia: https://help.example.com/xarxa"},
		{"ru", "Форму до сих пор не сшили, хотя обещали к 22 числу.", "Дорогие наши, просим принять наше желание разрешить ситуацию наилучшим образом для всех!"},
	}
	for _, tc := range tests {
		fs := a.Analyze(context.Background(), Input{Text: tc.reply, Lang: tc.lang, Channel: "social",
			Conversation: []Turn{{Role: "customer", Text: tc.cust}}})
		if hasSin(fs, Apathy) {
			t.Errorf("%s %q: apathy (%v)", tc.lang, tc.reply, findingsString(fs))
		}
	}
}

// TestLinksAndInitialsNotAcronyms: the path of a link ("…/CE-36244-9"), the
// customer's own term in another form ("DLCs"), and the sender's initials
// after the text ("… 😉 AT") are not jargon. An unexplained acronym in a
// sentence still is.
func TestLinksAndInitialsNotAcronyms(t *testing.T) {
	a := newTestAnalyzer(t)
	tests := []struct {
		lang, cust, reply, channel string
		flagged                    bool
	}{
		{"en", "The download says data corrupted.", "Here to help! Take a look at this article: https://support.example.com/s/article/CE-36244-9 and follow the resolution steps.", "social", false},
		{"en", "I have purchased 2 DLCs and they both say installed.", "Sorry to hear that. Is your DLC a disc or a digital version?", "social", false},
		{"it", "Mi sono arrivati due pacchi, devo restituirne uno?", "Massimo, non devi restituire nulla: il secondo pacco è per il nostro ritardo 😉 AT", "email", false},
		{"en", "Where is my order?", "Hello Ann, the MFX unit has to be reset first, then we can ship. Kind regards, Dana", "email", true},
		{"en", "Where is my order?", "Hello Ann, we shipped it today. For the rest, please ask the DMV", "email", true},
	}
	for _, tc := range tests {
		fs := a.Analyze(context.Background(), Input{Text: tc.reply, Lang: tc.lang, Channel: tc.channel,
			Conversation: []Turn{{Role: "customer", Text: tc.cust}}})
		got := false
		for _, f := range fs {
			if f.Rule == ruleAcronym || f.Rule == ruleCode {
				got = true
			}
		}
		if got != tc.flagged {
			t.Errorf("%s %q: acronym finding %v, want %v (%v)", tc.lang, tc.reply, got, tc.flagged, findingsString(fs))
		}
	}
}

// TestSupportLineIsOwnSupport: "the phone support team", "l'assistenza
// telefonica" named by the business's agent is its own support: sending the
// customer there is runaround, not brush-off.
func TestSupportLineIsOwnSupport(t *testing.T) {
	a := newTestAnalyzer(t)
	tests := []struct{ lang, text string }{
		{"en", "Hi Ann, for purchases please contact the phone support team. Thanks"},
		{"it", "Ciao Anna, per gli acquisti si rivolga all'assistenza telefonica. Grazie"},
		{"ru", "Здравствуйте, Анна, по покупкам обратитесь в техническую поддержку. Спасибо"},
		{"lv", "Labdien, Anna, par pirkumiem vērsieties tehniskajā atbalstā. Paldies"},
		{"ca", "Hola, Anna, per a les compres adreci's al servei tècnic. Gràcies"},
	}
	for _, tc := range tests {
		fs := a.Analyze(context.Background(), Input{Text: tc.text, Lang: tc.lang, Channel: "social"})
		if hasSin(fs, BrushOff) || !hasSin(fs, Runaround) {
			t.Errorf("%s %q: got %v, want runaround and no brush-off", tc.lang, tc.text, findingsString(fs))
		}
	}
}

// TestLiteralLossAndSomeoneElses: "lost my phone" is not a bereavement and
// "someone else's account" sends no one anywhere; "lost my mother" and "ask
// someone else" still count.
func TestLiteralLossAndSomeoneElses(t *testing.T) {
	a := newRuleAnalyzer(t)
	fs := a.Analyze(context.Background(), Input{Lang: "en", Channel: "social",
		Text:         "Hi Terrie. Try these tips for 2-Step Verification: https://support.example.com/185834 Hope this helps.",
		Conversation: []Turn{{Role: "customer", Text: "I can't get into my account after I lost my phone."}}})
	if hasSin(fs, Apathy) {
		t.Errorf("lost my phone read as a hardship: %v", findingsString(fs))
	}
	fs = a.Analyze(context.Background(), Input{Lang: "en", Channel: "social",
		Text:         "Hi Terrie. Try these tips for 2-Step Verification: https://support.example.com/185834 Hope this helps.",
		Conversation: []Turn{{Role: "customer", Text: "I lost my mother last week and can't get into her account."}}})
	if !hasSin(fs, Apathy) {
		t.Errorf("lost my mother not read as a hardship: %v", findingsString(fs))
	}
	fs = a.Analyze(context.Background(), Input{Lang: "en", Channel: "social",
		Text: "Hi Janette, if you are logged into someone else's Dropbox, have a look at this page to sign out. Thanks!"})
	if hasSin(fs, BrushOff) {
		t.Errorf("someone else's read as a brush-off: %v", findingsString(fs))
	}
	fs = a.Analyze(context.Background(), Input{Lang: "en", Channel: "social", Text: "You'll have to ask someone else about that."})
	if !hasSin(fs, BrushOff) {
		t.Errorf("ask someone else not a brush-off: %v", findingsString(fs))
	}
}

// findingsString lists rule ids and quotes, for failure messages.
func findingsString(fs []Finding) []string {
	out := make([]string, 0, len(fs))
	for _, f := range fs {
		out = append(out, f.Rule+" "+f.Quote)
	}
	return out
}

// TestEmailUsAtIsRunaround: "please send us an email at <address or form>"
// sends the customer to another inbox to start again: runaround, in every
// language. Moving to a private message with the same team is not.
func TestEmailUsAtIsRunaround(t *testing.T) {
	a := newTestAnalyzer(t)
	tests := []struct {
		lang, text string
		want       bool
	}{
		{"en", "Please send us an email at https://help.example.com/requests/new and we will assist.", true},
		{"it", "Ci invii una email a assistenza@example.com con i dettagli.", true},
		{"ru", "Напишите нам на почту support@example.com с подробностями.", true},
		{"lv", "Rakstiet mums e-pastu uz atbalsts@example.com ar sīkāku informāciju.", true},
		{"ca", "Envieu-nos un correu a suport@example.com amb els detalls.", true},
		{"en", "Hi there, could you send us a DM with your account email so we can look into this?", false},
	}
	for _, tc := range tests {
		fs := a.Analyze(context.Background(), Input{Text: tc.text, Lang: tc.lang, Channel: "social"})
		if got := hasSin(fs, Runaround); got != tc.want {
			t.Errorf("%s %q: runaround %v, want %v (%v)", tc.lang, tc.text, got, tc.want, findingsString(fs))
		}
	}
}
