package quality

import (
	"context"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"unicode/utf8"
)

func sinsOf(fs []Finding) []Sin {
	seen := map[Sin]bool{}
	var out []Sin
	for _, f := range fs {
		if !seen[f.Sin] {
			seen[f.Sin] = true
			out = append(out, f.Sin)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

func hasSin(fs []Finding, s Sin) bool {
	for _, f := range fs {
		if f.Sin == s {
			return true
		}
	}
	return false
}

// TestDoneWhen is the acceptance example: the FAQ-and-policy reply
// shows runaround and rulebook in English, Italian and Russian (and in
// Latvian and Catalan), with the language detected; a warm reply that
// answers the question shows nothing.
func TestDoneWhen(t *testing.T) {
	a := newTestAnalyzer(t)
	refund := []Turn{{Role: "customer", Text: "Can I get a refund for the headphones I bought last month?"}}
	tests := []struct {
		name string
		lang string // expected detected language
		text string
		conv []Turn
		want []Sin // must all be present; nil means no finding at all
	}{
		{name: "en faq and policy", lang: "en", text: "Please read our FAQ on the website, policy does not allow refunds.", want: []Sin{Runaround, Rulebook}},
		{name: "it faq and policy", lang: "it", text: "La preghiamo di leggere le FAQ sul sito, la nostra politica non consente rimborsi.", want: []Sin{Runaround, Rulebook}},
		{name: "it faq and policy, formal", lang: "it", text: "Consulti le FAQ sul nostro sito: il regolamento non consente rimborsi.", want: []Sin{Runaround, Rulebook}},
		{name: "ru faq and policy", lang: "ru", text: "Пожалуйста, прочитайте FAQ на нашем сайте, правила компании не позволяют возврат средств.", want: []Sin{Runaround, Rulebook}},
		{name: "ru faq and policy, other words", lang: "ru", text: "Ознакомьтесь с разделом FAQ на сайте: политика магазина не предусматривает возврат денег.", want: []Sin{Runaround, Rulebook}},
		{name: "lv faq and policy", lang: "lv", text: "Lūdzu, izlasiet BUJ mūsu mājaslapā, noteikumi neļauj atmaksāt naudu.", want: []Sin{Runaround, Rulebook}},
		{name: "ca faq and policy", lang: "ca", text: "Si us plau, consulti les preguntes freqüents del web, la política no permet reemborsaments.", want: []Sin{Runaround, Rulebook}},
		{name: "en warm answer", lang: "en", conv: refund,
			text: "Hi Jamie, thanks for asking! You bought the headphones 26 days ago, so they're within our 30-day window: I've started the refund of £79 to your card today, and you'll see it in 3 to 5 working days. No need to send them back first. Best wishes, Ola"},
		{name: "it warm answer", lang: "it", conv: []Turn{{Role: "customer", Text: "Posso avere il rimborso delle cuffie comprate il mese scorso?"}},
			text: "Ciao Jamie, grazie per la domanda! Hai comprato le cuffie 26 giorni fa, quindi sei nei 30 giorni previsti: ho già avviato il rimborso di 79 € sulla tua carta, lo vedrai in 3-5 giorni lavorativi. Non serve rispedirle prima. Un saluto, Ola"},
		{name: "ru warm answer", lang: "ru", conv: []Turn{{Role: "customer", Text: "Можно вернуть деньги за наушники, купленные в прошлом месяце?"}},
			text: "Здравствуйте, Жанна! Спасибо за вопрос. Наушники куплены 26 дней назад, так что вы укладываетесь в 30 дней: я уже оформила возврат 7900 рублей на вашу карту, деньги придут за 3–5 рабочих дней. Отправлять наушники заранее не нужно. Всего доброго, Оля"},
		{name: "lv warm answer", lang: "lv", conv: []Turn{{Role: "customer", Text: "Vai varu atgūt naudu par austiņām, ko nopirku pagājušajā mēnesī?"}},
			text: "Sveiki, Jānis! Paldies par jautājumu. Austiņas nopirkāt pirms 26 dienām, tātad iekļaujaties 30 dienu termiņā: atmaksu 79 € uz jūsu karti jau noformēju, to redzēsiet 3–5 darba dienās. Sūtīt austiņas atpakaļ iepriekš nevajag. Visu labu, Ola"},
		{name: "ca warm answer", lang: "ca", conv: []Turn{{Role: "customer", Text: "Em podeu retornar els diners dels auriculars que vaig comprar el mes passat?"}},
			text: "Hola, Jana! Gràcies per preguntar-ho. Vas comprar els auriculars fa 26 dies, així que ets dins dels 30 dies: ja he tramitat el reemborsament de 79 € a la teva targeta i el veuràs en 3-5 dies laborables. No cal que els retornis abans. Salutacions, Ola"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := Input{Text: tc.text, Conversation: tc.conv, UILang: tc.lang}
			if got := a.LangOf(in); got != tc.lang {
				t.Fatalf("detected %q, want %q", got, tc.lang)
			}
			fs := a.Analyze(context.Background(), in)
			if tc.want == nil {
				if len(fs) > 0 {
					t.Fatalf("warm reply got findings: %+v", fs)
				}
				return
			}
			for _, s := range tc.want {
				if !hasSin(fs, s) {
					t.Errorf("missing %s; got %v", s, sinsOf(fs))
				}
			}
			for _, f := range fs {
				checkFinding(t, tc.text, f)
			}
		})
	}
}

// checkFinding asserts what makes a finding explainable and usable: a rule
// id, a quote that is the span, offsets on rune boundaries that agree with
// the rune offsets, and texts for the agent.
func checkFinding(t *testing.T, text string, f Finding) {
	t.Helper()
	if f.Rule == "" || !validSin(f.Sin) || f.Label == "" {
		t.Errorf("finding without rule, sin or label: %+v", f)
	}
	if f.Start < 0 || f.End > len(text) || f.Start > f.End {
		t.Fatalf("span [%d,%d) outside text of %d bytes", f.Start, f.End, len(text))
	}
	if !onBoundary(text, f.Start) || !onBoundary(text, f.End) {
		t.Errorf("span [%d,%d) not on rune boundaries", f.Start, f.End)
	}
	if f.Quote != text[f.Start:f.End] {
		t.Errorf("quote %q is not the span %q", f.Quote, text[f.Start:f.End])
	}
	if f.RuneStart != utf8.RuneCountInString(text[:f.Start]) || f.RuneEnd != utf8.RuneCountInString(text[:f.End]) {
		t.Errorf("rune span [%d,%d) disagrees with byte span [%d,%d)", f.RuneStart, f.RuneEnd, f.Start, f.End)
	}
	unfilled := func(s string) bool {
		for _, v := range []string{"{quote}", "{trigger}", "{plain}", "{term}"} {
			if strings.Contains(s, v) && !strings.Contains(f.Quote, v) {
				return true
			}
		}
		return false
	}
	if f.Explanation == "" || f.Suggestion == "" || unfilled(f.Explanation) || unfilled(f.Suggestion) {
		t.Errorf("finding %s lacks a filled explanation or suggestion: %q / %q", f.Rule, f.Explanation, f.Suggestion)
	}
}

func onBoundary(s string, i int) bool {
	return i == len(s) || utf8.RuneStart(s[i])
}

func TestExplanationInUILanguage(t *testing.T) {
	a := newTestAnalyzer(t)
	text := "Please read our FAQ on the website, policy does not allow refunds."
	want := map[string]string{"en": "Rulebook", "it": "Regolamento", "ru": "Ссылка на правила", "lv": "Noteikumu citēšana", "ca": "Reglamentisme", "xx": "Rulebook"}
	for ui, label := range want {
		fs := a.Analyze(context.Background(), Input{Text: text, UILang: ui})
		found := false
		for _, f := range fs {
			if f.Sin == Rulebook {
				found = true
				if f.Label != label {
					t.Errorf("ui %s: label %q, want %q", ui, f.Label, label)
				}
				if !strings.Contains(f.Explanation, "policy does not allow") {
					t.Errorf("ui %s: explanation %q does not quote the words", ui, f.Explanation)
				}
			}
		}
		if !found {
			t.Errorf("ui %s: no rulebook finding", ui)
		}
	}
}

func TestDetect(t *testing.T) {
	a := newTestAnalyzer(t)
	tests := []struct{ name, text, want string }{
		{"english", "Thanks for your patience, the parcel will arrive on Monday.", "en"},
		{"italian", "Grazie per la pazienza, il pacco arriverà lunedì.", "it"},
		{"russian", "Спасибо за терпение, посылка придёт в понедельник.", "ru"},
		{"latvian", "Paldies par pacietību, paka pienāks pirmdien.", "lv"},
		{"catalan", "Gràcies per la paciència, el paquet arribarà dilluns.", "ca"},
		{"nothing to go on", "12345 !!!", "en"},
		{"empty", "", "en"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := a.Detect(tc.text); got != tc.want {
				t.Errorf("Detect(%q) = %q, want %q", tc.text, got, tc.want)
			}
		})
	}
}

// TestContext checks the rules that depend on the conversation.
func TestContext(t *testing.T) {
	a := newTestAnalyzer(t)
	cust := func(s string) []Turn { return []Turn{{Role: "customer", Text: s}} }
	tests := []struct {
		name    string
		text    string
		conv    []Turn
		rule    string
		present bool
	}{
		{name: "jargon the customer did not use", text: "Hi Kim, your SLA is 4 hours. Best, Jo", conv: cust("How fast do you answer?"), rule: ruleJargon, present: true},
		{name: "jargon the customer used first", text: "Hi Kim, your SLA is 4 hours. Best, Jo", conv: cust("What is the SLA on my plan?"), rule: ruleJargon, present: false},
		{name: "code the customer did not write", text: "Hi Kim, the charge is ERR_PAY_402. Best, Jo", conv: cust("Why was I charged?"), rule: ruleCode, present: true},
		{name: "code the customer wrote", text: "Hi Kim, ERR_PAY_402 means the card was declined. Best, Jo", conv: cust("The app shows ERR_PAY_402."), rule: ruleCode, present: false},
		{name: "code introduced as the order number", text: "Hi Kim, your order number is AB12345. Best, Jo", conv: cust("What is my order number?"), rule: ruleCode, present: false},
		{name: "form the customer asked for", text: "Hi Kim, here it is: fill in the form at example.com/returns. Best, Jo", conv: cust("Where is the returns form?"), rule: "runaround.form", present: false},
		{name: "form the customer did not ask for", text: "Hi Kim, please fill in the form at example.com/returns. Best, Jo", conv: cust("My kettle leaks."), rule: "runaround.form", present: true},
		{name: "policy with an alternative", text: "Hi Kim, our policy does not allow refunds after 30 days, but I can offer you a voucher instead. Best, Jo", rule: "rulebook.policy", present: false},
		{name: "policy alone", text: "Hi Kim, our policy does not allow refunds after 30 days. Best, Jo", rule: "rulebook.policy", present: true},
		{name: "no conversation, no apathy", text: "Your parcel ships Monday.", rule: ruleProblemIgnored, present: false},
		{name: "problem ignored", text: "Hello, our opening hours are 9 to 5. Regards", conv: cust("My heater is broken."), rule: ruleProblemIgnored, present: true},
		{name: "problem acknowledged", text: "Hello, sorry to hear that, I've booked a repair for Monday. Regards", conv: cust("My heater is broken."), rule: ruleProblemIgnored, present: false},
		{name: "feeling ignored", text: "Hello, the heater ships Monday. Regards", conv: cust("I'm furious, my heater is broken."), rule: ruleFeelingIgnored, present: true},
		{name: "feeling acknowledged", text: "Hello, I'm so sorry, I understand. A new heater ships Monday. Regards", conv: cust("I'm furious, my heater is broken."), rule: ruleFeelingIgnored, present: false},
		{name: "id before any personal word", text: "Please send your order number.", conv: cust("Where is my parcel?"), rule: ruleIDFirst, present: true},
		{name: "id after a greeting", text: "Hi Kim, thanks for writing! Could you send your order number so I can check?", conv: cust("Where is my parcel?"), rule: ruleIDFirst, present: false},
		{name: "id later in a chat", text: "Could you send your order number?", conv: []Turn{{Role: "customer", Text: "Where is my parcel?"}, {Role: "agent", Text: "Hi Kim! Happy to check."}, {Role: "customer", Text: "thanks"}}, rule: ruleIDFirst, present: false},
		{name: "placeholder", text: "Hi {{first_name}}, your refund is done. Best, Jo", rule: rulePlaceholder, present: true},
		{name: "markdown link is not a placeholder", text: "Hi Kim, the guide is [Here](https://example.com). Best, Jo", rule: rulePlaceholder, present: false},
		{name: "short refusal", text: "No.", rule: ruleShortRefusal, present: true},
		{name: "long reply without greeting or closing", text: "The package was handed over on Monday and the courier confirmed it was delivered at noon to the address you gave us when you placed the order last week.", rule: ruleNoGreeting, present: true},
		{name: "short chat answer mid-conversation", text: "It left the warehouse an hour ago and arrives on Thursday.", conv: []Turn{{Role: "customer", Text: "Where is it?"}, {Role: "agent", Text: "Hi! Let me look."}, {Role: "customer", Text: "ok"}}, rule: ruleNoGreeting, present: false},
		{name: "negated action is no acknowledgement", text: "Hello, that is not something we will replace. Regards", conv: cust("My package arrived damaged."), rule: ruleProblemIgnored, present: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fs := a.Analyze(context.Background(), Input{Text: tc.text, Lang: "en", Conversation: tc.conv})
			got := false
			for _, f := range fs {
				checkFinding(t, tc.text, f)
				if f.Rule == tc.rule {
					got = true
				}
			}
			if got != tc.present {
				t.Errorf("rule %s present = %v, want %v; findings: %v", tc.rule, got, tc.present, rulesOf(fs))
			}
		})
	}
}

func rulesOf(fs []Finding) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.Rule+" "+f.Quote)
	}
	return out
}

// TestMessagesComplete: every rule, built in or phrase, explains itself in
// every shipped UI language.
func TestMessagesComplete(t *testing.T) {
	a := newTestAnalyzer(t)
	ids := map[string]bool{}
	for _, id := range []string{ruleFeelingIgnored, ruleProblemIgnored, ruleNoGreeting, ruleShortRefusal, ruleJargon, ruleAcronym, ruleCode, ruleIDFirst, rulePlaceholder} {
		ids[id] = true
	}
	for _, l := range a.langs {
		for _, r := range l.rules {
			ids[r.id] = true
		}
	}
	for _, ui := range []string{"en", "it", "ru", "lv", "ca"} {
		l := a.langs[ui]
		for id := range ids {
			m, ok := l.messages[id]
			if !ok || m.Explanation == "" || m.Suggestion == "" {
				t.Errorf("%s: no message for %s", ui, id)
			}
		}
		for _, s := range Sins {
			if l.sins[string(s)] == "" {
				t.Errorf("%s: no label for %s", ui, s)
			}
			if m, ok := l.messages[string(s)]; !ok || m.Explanation == "" {
				t.Errorf("%s: no fallback message for %s", ui, s)
			}
		}
	}
}

// TestResourceDir shows how a business extends the analyzer: its own
// glossary term, a new rule with its own id, and a rule switched off.
func TestResourceDir(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("en.acme.json", `{
  "jargon": [{"term": "flux unit*", "plain": "the part that powers the device"}],
  "rules": [{"id": "runaround.partner_portal", "sin": "runaround", "patterns": ["(log in to|use) the partner portal"]}],
  "disable": ["condescension.acronym"],
  "messages": {"runaround.partner_portal": {"explanation": "\"{quote}\" sends the customer to the partner portal.", "suggestion": "Do it for them."}}
}`)
	a, err := New(Opts{ResourceDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	text := "Hi Kim, the flux units need a reset; please log in to the partner portal. XYZ. Best, Jo"
	fs := a.Analyze(context.Background(), Input{Text: text, Lang: "en", Conversation: []Turn{{Role: "customer", Text: "My device will not start."}}})
	rules := map[string]Finding{}
	for _, f := range fs {
		checkFinding(t, text, f)
		rules[f.Rule] = f
	}
	if f, ok := rules[ruleJargon]; !ok || f.Quote != "flux units" || !strings.Contains(f.Suggestion, "the part that powers") {
		t.Errorf("business glossary term not flagged: %v", rulesOf(fs))
	}
	if f, ok := rules["runaround.partner_portal"]; !ok || !strings.Contains(f.Explanation, "partner portal") {
		t.Errorf("business rule not applied: %v", rulesOf(fs))
	}
	if _, ok := rules[ruleAcronym]; ok {
		t.Errorf("disabled rule still fires: %v", rulesOf(fs))
	}
	// The embedded analyzer flags the acronym and knows no partner portal.
	plain := newTestAnalyzer(t).Analyze(context.Background(), Input{Text: text, Lang: "en"})
	found := false
	for _, f := range plain {
		if f.Rule == ruleAcronym && f.Quote == "XYZ" {
			found = true
		}
		if f.Rule == "runaround.partner_portal" {
			t.Errorf("business rule leaked into the default analyzer")
		}
	}
	if !found {
		t.Errorf("default analyzer should flag XYZ: %v", rulesOf(plain))
	}
}

func TestResourceDirErrors(t *testing.T) {
	tests := []struct{ name, file, body, want string }{
		{"bad json", "en.json", `{"rules": [`, "en.json"},
		{"unknown field", "it.json", `{"rulez": []}`, "unknown field"},
		{"bad pattern", "en.json", `{"markers": {"greeting": ["(hi|hello"]}}`, "unclosed group"},
		{"bad sin", "en.json", `{"rules": [{"id": "x.y", "sin": "greed", "patterns": ["money"]}]}`, "seven sins"},
		{"unknown marker in unless", "en.json", `{"rules": [{"id": "x.y", "sin": "rulebook", "patterns": ["rules"], "unless": ["nonsense"]}]}`, "unknown marker group"},
		{"lang disagrees with name", "en.json", `{"lang": "it"}`, "name the file"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, tc.file), []byte(tc.body), 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := New(Opts{ResourceDir: dir})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want it to mention %q", err, tc.want)
			}
		})
	}
	if _, err := New(Opts{ResourceDir: filepath.Join(t.TempDir(), "missing")}); err == nil {
		t.Error("missing directory: want an error")
	}
}

// TestNewLanguage: a business can add a language of its own by shipping a
// complete resource file for it.
func TestNewLanguage(t *testing.T) {
	dir := t.TempDir()
	body := `{"detect": {"stopwords": ["und", "der", "die", "das", "ist", "nicht", "sie", "wir"]},
  "markers": {"greeting": ["(hallo|guten tag)"], "closing": ["(grüße|danke)"]},
  "rules": [{"id": "rulebook.policy", "sin": "rulebook", "patterns": ["(richtlinie|richtlinien) (erlaubt|erlauben) (keine|nicht)"]}]}`
	if err := os.WriteFile(filepath.Join(dir, "de.json"), []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	a, err := New(Opts{ResourceDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	text := "Hallo, unsere Richtlinie erlaubt keine Rückerstattung, das ist nicht möglich. Grüße"
	if got := a.Detect(text); got != "de" {
		t.Fatalf("Detect = %q, want de", got)
	}
	fs := a.Analyze(context.Background(), Input{Text: text})
	if !hasSin(fs, Rulebook) {
		t.Fatalf("no rulebook finding: %v", rulesOf(fs))
	}
	for _, f := range fs {
		checkFinding(t, text, f) // the explanation falls back to English
	}
}

func TestOptsLanguages(t *testing.T) {
	a, err := New(Opts{Languages: []string{"en", "it"}})
	if err != nil {
		t.Fatal(err)
	}
	if got := a.Detect("Спасибо за терпение, посылка придёт в понедельник."); got == "ru" {
		t.Errorf("detected ru although restricted to en and it")
	}
	if _, err := New(Opts{Languages: []string{"xx"}}); err == nil {
		t.Error("no language left: want an error")
	}
}

// TestConcurrent: one Analyzer serves many agents at once (run with -race).
func TestConcurrent(t *testing.T) {
	a := newTestAnalyzer(t)
	set := readLabelled(t, "testdata/labelled.jsonl")
	done := make(chan struct{})
	for g := 0; g < 4; g++ {
		go func(g int) {
			defer func() { done <- struct{}{} }()
			for i := g; i < len(set); i += 4 {
				a.Analyze(context.Background(), Input{Text: set[i].Text, Conversation: set[i].Conversation, UILang: set[i].Lang})
			}
		}(g)
	}
	for g := 0; g < 4; g++ {
		<-done
	}
}
