package i18n

import (
	"regexp"
	"sort"
	"strings"
	"testing"
)

// categoryNumbers gives, per CLDR category, the whole numbers up to 1000
// that x/text puts in it for lang: the forms a count can take.
func categoryNumbers(lang string) map[string][]int {
	out := map[string][]int{}
	for n := 0; n <= 1000; n++ {
		c := Category(lang, n)
		out[c] = append(out[c], n)
	}
	return out
}

// Every plural entry of every catalogue has exactly the forms its language
// needs for whole numbers, plus "other"; every form that stands for more
// than one number shows the count; and English plural keys are in every
// language.
func TestPluralForms(t *testing.T) {
	c := MustLoad()
	if len(c.PluralKeys(Default)) == 0 {
		t.Fatal("no plural entries in the English catalogue")
	}
	for _, lang := range c.Languages() {
		t.Run(lang, func(t *testing.T) {
			numbers := categoryNumbers(lang)
			want := []string{"other"}
			for cat := range numbers {
				if cat != "other" {
					want = append(want, cat)
				}
			}
			sort.Strings(want)
			for _, key := range c.PluralKeys(lang) {
				forms := c.plurals[lang][key]
				got := make([]string, 0, len(forms))
				for cat, text := range forms {
					got = append(got, cat)
					if text == "" {
						t.Errorf("%s: %q: empty %q form", lang, key, cat)
					}
					if len(numbers[cat]) > 1 && !strings.Contains(text, "{n}") {
						t.Errorf("%s: %q: the %q form (%v...) does not show {n}", lang, key, cat, numbers[cat][:2])
					}
				}
				sort.Strings(got)
				if strings.Join(got, ",") != strings.Join(want, ",") {
					t.Errorf("%s: %q has forms %v, CLDR needs %v", lang, key, got, want)
				}
			}
			for _, key := range c.PluralKeys(Default) {
				if _, ok := c.plurals[lang][key]; !ok {
					t.Errorf("%s: %q is a plural entry in English but not here", lang, key)
				}
			}
		})
	}
}

// countBeforeNoun finds a count written before a word ("%d answers"), which
// needs a plural entry; ranges ("%d of %d") and units ("%d min") do not.
var countBeforeNoun = regexp.MustCompile(`%d\s+(\pL{2,})`)

// notNouns are the words that may follow a count in a plain English string.
var notNouns = map[string]bool{"of": true, "to": true, "min": true}

// unconverted are the plain English strings that still write a count before
// a noun; they are to become plural entries. The list only shrinks.
var unconverted = map[string]bool{
	"goals.reason":             true, // "(%d compared)"
	"kudos.err.message":        true,
	"loyalty.clv_hint":         true,
	"loyalty.in_days":          true,
	"qa.dismissals_hint":       true,
	"pulse.err.too_long":       true,
	"pulse.intro":              true,
	"pulse.manage.hidden":      true,
	"pulse.manage.intro":       true,
	"survey.err.comment":       true,
	"survey.page.comment_hint": true,
}

// No plain string uses the count placeholder {n}, and no plain English
// string writes a count before a noun unless it is listed as unconverted.
func TestCountsArePlural(t *testing.T) {
	c := MustLoad()
	for _, lang := range c.Languages() {
		for key, msg := range c.msgs[lang] {
			if strings.Contains(msg, "{n}") {
				t.Errorf("%s: %q uses {n} but is not a plural entry", lang, key)
			}
		}
	}
	for key, msg := range c.msgs[Default] {
		for _, m := range countBeforeNoun.FindAllStringSubmatch(msg, -1) {
			if !notNouns[m[1]] && !unconverted[key] {
				t.Errorf("%q writes a count before %q: make it a plural entry", key, m[1])
			}
		}
	}
	for key := range unconverted {
		if _, ok := c.msgs[Default][key]; !ok {
			t.Errorf("%q is listed as unconverted but is not a plain English string", key)
		}
	}
}

func TestN(t *testing.T) {
	c := MustLoad()
	tests := []struct {
		name, lang string
		n          int
		want       string
	}{
		{"english one", "en", 1, "1 answer"},
		{"english other", "en", 2, "2 answers"},
		{"italian other", "it", 0, "0 risposte"},
		{"russian one", "ru", 21, "21 ответ"},
		{"russian few", "ru", 3, "3 ответа"},
		{"russian many", "ru", 5, "5 ответов"},
		{"russian many teens", "ru", 12, "12 ответов"},
		{"latvian zero", "lv", 0, "0 atbilžu"},
		{"latvian zero teens", "lv", 11, "11 atbilžu"},
		{"latvian one", "lv", 21, "21 atbilde"},
		{"latvian other", "lv", 2, "2 atbildes"},
		{"catalan one", "ca", 1, "1 resposta"},
		{"unknown language", "ja", 1, "1 answer"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := c.N(tc.lang, "dashboard.answers_n", tc.n); got != tc.want {
				t.Errorf("N(%s, %d) = %q, want %q", tc.lang, tc.n, got, tc.want)
			}
			if got := c.T(tc.lang, "dashboard.answers_n", int64(tc.n)); got != tc.want {
				t.Errorf("T(%s, %d) = %q, want %q", tc.lang, tc.n, got, tc.want)
			}
		})
	}
}
