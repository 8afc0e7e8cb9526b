package i18n

import (
	"encoding/json"
	"io/fs"
	"regexp"
	"strings"
	"testing"
)

func TestVoice(t *testing.T) {
	c := MustLoad()
	tests := []struct {
		lang     string
		informal bool
		want     string
	}{
		{"it", false, "Gentile Anna,"},
		{"it", true, "Ciao Anna,"},
		{"ru", false, "Здравствуйте, Anna!"},
		{"ru", true, "Привет, Anna!"},
		{"lv", true, "Sveiki, Anna!"},
		{"ca", false, "Bon dia, Anna:"},
		{"en", true, c.T("en", "mail.ack.greeting", "Anna")}, // English has one register
	}
	for _, tc := range tests {
		if got := c.Voice(tc.lang, tc.informal).T("mail.ack.greeting", "Anna"); got != tc.want {
			t.Errorf("%s informal=%v: %q, want %q", tc.lang, tc.informal, got, tc.want)
		}
	}
	// A key without an informal variant reads the same in both registers.
	if a, b := c.Voice("it", true).T("followup.yes"), c.T("it", "followup.yes"); a != b {
		t.Errorf("neutral key differs: %q, %q", a, b)
	}
}

// customerKeys are the prefixes of the texts customers read: mail to them
// and the pages they open from it.
var customerKeys = []string{
	"mail.ack.", "mail.reply.", "mail.followup.", "followup.answered", "followup.done_", "followup.expired",
	"followup.intro", "followup.no", "followup.not_found", "followup.title", "followup.yes", "contact.",
	"recovery.notice", "referral.share", "survey.err.", "survey.high.", "survey.low.", "survey.mail.",
	"survey.page.", "survey.q.", "survey.return.", "promise.mail",
}

func isCustomerKey(k string) bool {
	for _, p := range customerKeys {
		if strings.HasPrefix(k, p) {
			return true
		}
	}
	return false
}

// registerWords are words that only one register uses, per language:
// pronouns and the verb forms Rapport's customer texts use.
var registerWords = map[string]struct{ formal, informal *regexp.Regexp }{
	"it": {
		formal:   words(`Lei|Sua|Suo|Sue|Suoi|servirLa|L'abbiamo|risponda|scriva|Ci scriva|scelga|clicchi|controlli|provi|attenda|riprovi|condivida|conosce|desidera|direbbe|vorrebbe|tornerà|avrà|valuta|può|Gentile`),
		informal: words(`tu|ti|te|tuo|tua|tuoi|tue|vuoi|puoi|devi|hai|sei|rispondi|scrivi|scrivici|scegli|clicca|controlla|prova|attendi|riprova|condividi|conosci|contattaci|ciao|diresti|vorresti|tornerai|avrai|valuti|servirti`),
	},
	"ru": {
		formal:   words(`вы|вас|вам|вами|ваш|ваша|ваше|ваши|вашего|вашей|вашем|вашим|ваших|хотите|можете|напишите|ответьте|выберите|нажмите|подождите|попробуйте|проверьте|скопируйте|оставьте|свяжитесь|поделитесь|знаете|здравствуйте|расскажете|помогаете|порекомендуете|обратитесь|оцениваете`),
		informal: words(`ты|тебя|тебе|тобой|твой|твоя|твоё|твое|твои|твоего|твоей|твоём|твоим|твоих|хочешь|можешь|напиши|ответь|выбери|нажми|подожди|попробуй|проверь|скопируй|оставь|свяжись|поделись|знаешь|привет|расскажешь|помогаешь|порекомендуешь|обратишься|оцениваешь`),
	},
	"lv": {
		formal:   words(`jūs|jums|jūsu|varat|vēlaties|rakstiet|atstājiet|pagaidiet|mēģiniet|izvēlieties|noklikšķiniet|pārbaudiet|iekopējiet|kopīgojiet|zināt|sazinieties|esat|pastāstīsiet|saņemsiet|pateicāt|rakstījāt|atsūtījāt|vēlējāties|gaidījāt|vērtējat|atbildiet|saīsiniet|atgriezīsieties|palīdzat|jutāties`),
		informal: words(`tu|tev|tevi|tavs|tava|tavu|tavas|tavai|tavam|tavā|tavi|vari|vēlies|raksti|atstāj|pagaidi|mēģini|izvēlies|noklikšķini|pārbaudi|iekopē|kopīgo|zini|sazinies|esi|pastāstīsi|saņemsi|pateici|uzrakstīji|atsūtīji|vēlējies|gaidīji|vērtē|saīsini|atgriezīsies|palīdzi|juties|sveiki`),
	},
	"ca": {
		formal:   words(`vostè|vostès|seu|seva|seus|seves|oferir-li|respongui|escrigui'ns|deixi|esperi|torni-ho|triï|faci|revisi|provi|comparteixi|coneix|contacti|diria|vulgui|recomanaria|necessiti|valora|rebrà|està satisfet`),
		informal: words(`tu|et|teu|teva|teus|teves|vols|pots|tens|estàs|respon|responguis|escriu-nos|deixa|torna-ho|tria|fes|revisa|prova|comparteix|coneixes|contacta|diries|vulguis|recomanaries|tornaràs|necessitis|valores|facis|rebràs|oferir-te|servir-te|t'hem|hola`),
	},
}

// words matches any of the |-separated words as a whole word, any case
// but for the formal Italian pronouns, which are capitalised.
func words(alts string) *regexp.Regexp {
	return regexp.MustCompile(`(?:^|[^\p{L}'-])(?:` + alts + `)(?:$|[^\p{L}'-])`)
}

// Every customer text of a language with two registers is written in the
// formal one, its informal variant in the informal one, and a text that
// addresses the customer formally has an informal variant.
func TestRegisters(t *testing.T) {
	c := MustLoad()
	for lang, w := range registerWords {
		t.Run(lang, func(t *testing.T) {
			for _, k := range c.Keys(lang) {
				if strings.HasSuffix(k, InformalSuffix) || !isCustomerKey(k) {
					continue
				}
				formal := c.T(lang, k)
				informal := c.Voice(lang, true).T(k)
				if m := w.informal.FindString(lower(lang, formal)); m != "" {
					t.Errorf("%s %q (formal) has the informal %q: %q", lang, k, strings.TrimSpace(m), formal)
				}
				if m := w.formal.FindString(lower(lang, informal)); m != "" {
					t.Errorf("%s %q (informal) has the formal %q: %q", lang, k, strings.TrimSpace(m), informal)
				}
				if w.formal.MatchString(lower(lang, formal)) && informal == formal {
					t.Errorf("%s %q addresses the customer formally and has no %s variant", lang, k, InformalSuffix)
				}
				if lang == "lv" && regexp.MustCompile(`(?:^|\P{L})(jūs|jums|jūsu)(?:$|\P{L})`).MatchString(formal) {
					t.Errorf("lv %q: the formal Jūs is capitalised in letters: %q", k, formal)
				}
			}
		})
	}
}

// lower lowers s for matching, but for Italian, whose formal pronouns are
// told apart by their capital (Lei, Sua) and whose informal ones are
// lower-case anyway.
func lower(lang, s string) string {
	if lang == "it" {
		return s
	}
	return strings.ToLower(s)
}

// A key is in one file of a language only: the files are read in name
// order and a later one would silently replace an earlier one's text.
func TestNoKeyInTwoFiles(t *testing.T) {
	entries, err := fs.ReadDir(localesFS, "locales")
	if err != nil {
		t.Fatal(err)
	}
	where := map[string]string{} // lang + key → file
	for _, e := range entries {
		lang, _, _ := strings.Cut(strings.TrimSuffix(e.Name(), ".json"), ".")
		data, err := fs.ReadFile(localesFS, "locales/"+e.Name())
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]json.RawMessage
		if err := json.Unmarshal(data, &m); err != nil {
			t.Fatal(err)
		}
		for k := range m {
			if f, ok := where[lang+" "+k]; ok {
				t.Errorf("%s: %q is in %s and %s", lang, k, f, e.Name())
			}
			where[lang+" "+k] = e.Name()
		}
	}
}
