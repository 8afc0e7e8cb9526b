package i18n

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// Every shipped catalogue has exactly the keys of the English one, with the
// same formatting verbs, so no agent meets an English string in their UI.
func TestCataloguesComplete(t *testing.T) {
	c := MustLoad()
	en := c.msgs[Default]
	if len(en) == 0 {
		t.Fatal("empty English catalogue")
	}
	verbs := regexp.MustCompile(`%[-+# 0-9.]*[a-zA-Z%]`)
	for _, lang := range Supported {
		t.Run(lang, func(t *testing.T) {
			m, ok := c.msgs[lang]
			if !ok {
				t.Fatalf("no catalogue for %s", lang)
			}
			for k, v := range en {
				tr, ok := m[k]
				if !ok || tr == "" {
					t.Errorf("%s: missing %q", lang, k)
					continue
				}
				if a, b := verbs.FindAllString(v, -1), verbs.FindAllString(tr, -1); len(a) != len(b) {
					t.Errorf("%s: %q has verbs %v, English %v", lang, k, b, a)
				}
			}
			for k, tr := range m {
				// An informal variant stands for its formal key, which
				// English has (English itself has no informal keys).
				base, informal := strings.CutSuffix(k, InformalSuffix)
				v, ok := en[base]
				if !ok || (informal && lang == Default) {
					t.Errorf("%s: %q is not in the English catalogue", lang, k)
					continue
				}
				if a, b := verbs.FindAllString(v, -1), verbs.FindAllString(tr, -1); informal && len(a) != len(b) {
					t.Errorf("%s: %q has verbs %v, English %v", lang, k, b, a)
				}
			}
		})
	}
}

func TestMatch(t *testing.T) {
	c := MustLoad()
	tests := []struct{ name, header, want string }{
		{"latvian", "lv-LV,lv;q=0.9,en;q=0.5", "lv"},
		{"russian second", "de-DE,ru;q=0.8", "ru"},
		{"catalan", "ca-ES", "ca"},
		{"unknown", "ja-JP", "en"},
		{"empty", "", "en"},
		{"garbage", ";;;q=x", "en"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := c.Match(tc.header); got != tc.want {
				t.Errorf("Match(%q) = %q, want %q", tc.header, got, tc.want)
			}
		})
	}
}

func TestOverrideDir(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "it.json"), []byte(`{"app.name": "Rapporto"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	c, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if got := c.T("it", "app.name"); got != "Rapporto" {
		t.Errorf("override: got %q", got)
	}
	if got := c.T("en", "app.name"); got != "Rapport" {
		t.Errorf("English untouched: got %q", got)
	}
	if got := c.T("lv", "no.such.key"); got != "no.such.key" {
		t.Errorf("missing key: got %q", got)
	}
}

// TestOverrideOrder checks that files decoded in parallel are merged in
// name order: a later file's key replaces an earlier one's whatever the
// shape of either.
func TestOverrideOrder(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"it.a.json": `{"x.plain": "uno", "x.plural": {"one": "{n} biglietto", "other": "{n} biglietti"}}`,
		"it.b.json": `{"x.plain": {"one": "{n} pezzo", "other": "{n} pezzi"}, "x.plural": "due"}`,
	}
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	c, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if got := c.N("it", "x.plain", 2); got != "2 pezzi" {
		t.Errorf("plural after plain: got %q", got)
	}
	if got := c.T("it", "x.plural"); got != "due" {
		t.Errorf("plain after plural: got %q", got)
	}
}

// TestBadCatalogue checks that a broken file stops the load with an error
// that names the file and the key.
func TestBadCatalogue(t *testing.T) {
	tests := []struct {
		name, body, want string
	}{
		{"not JSON", `{"a": `, "it.json"},
		{"a number", `{"a": 1}`, `"a" is neither a string nor plural forms`},
		{"a form not a string", `{"a": {"other": 1}}`, `"a" is neither a string nor plural forms`},
		{"not a category", `{"a": {"lots": "x", "other": "y"}}`, `"lots" is not a CLDR plural category`},
		{"no other", `{"a": {"one": "x"}}`, `"a" has no "other" form`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, "it.json"), []byte(tc.body), 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := Load(dir)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want an error with %q", err, tc.want)
			}
		})
	}
}
