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

// countBeforeWord finds a count written before a word ("%d answers",
// "%d persone"), which needs a plural entry; a second placeholder after
// the word makes it a range ("%d of %d", "%d до %d"), which does not.
var countBeforeWord = regexp.MustCompile(`%(\[\d+\])?[dv]\s+(\pL{2,})(\s+%)?`)

// units are the abbreviations a count may stand before in a plain string:
// they do not change with the number.
var units = map[string]bool{"min": true, "мин": true}

// No plain string uses the count placeholder {n}, and no plain string of
// any language writes a count before a word, except in a range or before
// a unit: such a string must be a plural entry.
func TestCountsArePlural(t *testing.T) {
	c := MustLoad()
	for _, lang := range c.Languages() {
		for key, msg := range c.msgs[lang] {
			if strings.Contains(msg, "{n}") {
				t.Errorf("%s: %q uses {n} but is not a plural entry", lang, key)
			}
			for _, m := range countBeforeWord.FindAllStringSubmatch(msg, -1) {
				if m[3] == "" && !units[m[2]] {
					t.Errorf("%s: %q writes a count before %q: make it a plural entry", lang, key, m[2])
				}
			}
		}
	}
}

// The check above finds what it is meant to find.
func TestCountsArePluralFinds(t *testing.T) {
	tests := []struct {
		name, msg string
		bad       bool
	}{
		{"count before a noun", "in the last %d days", true},
		{"Italian", "almeno %d persone", true},
		{"Russian", "за последние %d дней", true},
		{"count after a label", "tickets: %d", false},
		{"range", "Page %d of %d", false},
		{"Russian range", "от %d до %d", false},
		{"unit", "%d h %d min", false},
		{"reference", "request #%d: %s", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			bad := false
			for _, m := range countBeforeWord.FindAllStringSubmatch(tc.msg, -1) {
				bad = bad || (m[3] == "" && !units[m[2]])
			}
			if bad != tc.bad {
				t.Errorf("%q: flagged %v, want %v", tc.msg, bad, tc.bad)
			}
		})
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
