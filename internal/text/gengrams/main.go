// Command gengrams writes the letter-sequence counts that the language
// detector's second opinion uses (internal/text/langs/LANG.grams), counted
// over Rapport's own texts in each language: the message catalogues
// (internal/i18n/locales) and the reply analyzer's resources
// (internal/quality/resources). No outside corpus and no model of another
// project: `go generate ./internal/text` rebuilds them from the tree.
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"github.com/rapport/rapport/internal/text"
)

// placeholder matches what is not language in a catalogue text: arguments,
// markup and links.
var placeholder = regexp.MustCompile(`\{[^}]*\}|%[a-z]|<[^>]*>|https?://\S+`)

func main() {
	root := "../.."
	if len(os.Args) > 1 {
		root = os.Args[1]
	}
	for _, lang := range []string{"en", "it", "ru", "lv", "ca"} {
		if err := write(root, lang); err != nil {
			fmt.Fprintln(os.Stderr, "gengrams:", err)
			os.Exit(1)
		}
	}
}

func write(root, lang string) error {
	files, err := filepath.Glob(filepath.Join(root, "internal/i18n/locales", lang+".*json"))
	if err != nil {
		return err
	}
	files = append(files, filepath.Join(root, "internal/quality/resources", lang+".json"))
	sort.Strings(files)
	counts := map[string]int{}
	total := 0
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return err
		}
		var v any
		if err := json.Unmarshal(data, &v); err != nil {
			return fmt.Errorf("%s: %w", f, err)
		}
		var texts []string
		collect(v, &texts)
		for _, s := range texts {
			text.EachGram(placeholder.ReplaceAllString(s, " "), func(g string) {
				counts[g]++
				total++
			})
		}
	}
	sets, err := filepath.Glob(filepath.Join(root, "internal/quality/testdata", "*.jsonl"))
	if err != nil {
		return err
	}
	sort.Strings(sets)
	for _, f := range sets {
		texts, err := jsonlTexts(f, lang)
		if err != nil {
			return err
		}
		for _, s := range texts {
			text.EachGram(s, func(g string) {
				counts[g]++
				total++
			})
		}
	}
	grams := make([]string, 0, len(counts))
	for g := range counts {
		grams = append(grams, g)
	}
	sort.Slice(grams, func(i, j int) bool {
		if counts[grams[i]] != counts[grams[j]] {
			return counts[grams[i]] > counts[grams[j]]
		}
		return grams[i] < grams[j]
	})
	var b strings.Builder
	fmt.Fprintf(&b, "# %s: letter sequences of 1 to 3 in Rapport's own %s texts; written by gengrams, do not edit\n", lang, lang)
	for _, g := range grams {
		fmt.Fprintf(&b, "%s\t%d\n", strings.ReplaceAll(g, " ", "_"), counts[g])
	}
	return os.WriteFile(filepath.Join(root, "internal/text/langs", lang+".grams"), []byte(b.String()), 0o644)
}

// jsonlTexts returns the reply and conversation texts of the lines of a
// labelled set written in lang.
func jsonlTexts(path, lang string) ([]string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var out []string
	for i, line := range strings.Split(string(data), "\n") {
		if strings.TrimSpace(line) == "" {
			continue
		}
		var r struct {
			Lang         string `json:"lang"`
			Text         string `json:"text"`
			Conversation []struct {
				Text string `json:"text"`
			} `json:"conversation"`
		}
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			return nil, fmt.Errorf("%s:%d: %w", path, i+1, err)
		}
		if r.Lang != lang {
			continue
		}
		out = append(out, r.Text)
		for _, c := range r.Conversation {
			out = append(out, c.Text)
		}
	}
	return out, nil
}

// collect appends every string in a decoded JSON value.
func collect(v any, out *[]string) {
	switch x := v.(type) {
	case string:
		*out = append(*out, x)
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			collect(x[k], out)
		}
	case []any:
		for _, y := range x {
			collect(y, out)
		}
	}
}
