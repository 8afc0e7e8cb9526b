package text

import (
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"slices"
	"sort"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

//go:embed langs/*.json
var langFS embed.FS

// Profile is what the fast language scorer knows of one language: its
// frequent short words and the letters no other supported language uses.
type Profile struct {
	Stopwords []string `json:"stopwords"`
	Letters   string   `json:"letters"`
}

// builtin holds the embedded profiles (langs/LANG.json), read once.
var builtin = sync.OnceValue(func() map[string]Profile {
	out := map[string]Profile{}
	names, _ := fs.Glob(langFS, "langs/*.json")
	for _, name := range names {
		data, err := langFS.ReadFile(name)
		if err != nil {
			panic(err)
		}
		var p struct {
			Lang string `json:"lang"`
			Profile
		}
		if err := json.Unmarshal(data, &p); err != nil || p.Lang == "" {
			panic(fmt.Sprintf("text: embedded %s: %v", name, err))
		}
		out[p.Lang] = p.Profile
	}
	return out
})

// BuiltinProfile returns the embedded profile of lang (en, it, ru, lv, ca).
func BuiltinProfile(lang string) (Profile, bool) {
	p, ok := builtin()[lang]
	return p, ok
}

// DetectorOpts configures NewDetector.
type DetectorOpts struct {
	// Languages are the candidates, as ISO 639-1 codes (en, it, ru, lv,
	// ca …): fewer candidates mean fewer mistakes.
	Languages []string
	// Profiles add stop words and letters to a language's built-in
	// profile, or give one to a language that has none.
	Profiles map[string]Profile
	// Grams, when set, has text that the scorer cannot tell clearly
	// decided by the letter-sequence models (langs/LANG.grams), among
	// Languages only. Every language must then have a model, and there
	// must be at least two.
	Grams bool
	// Default is what Detect returns when it cannot tell.
	Default string
}

// Detector tells the language of a text among a business's languages.
//
// It scores first, which takes microseconds: each language scores two
// points per frequent short word of it ("the", "che", "и", "un", "amb")
// and one per letter only it uses (Cyrillic for Russian, ā or ņ for
// Latvian, ç or ŀ for Catalan). With DetectorOpts.Grams, a text on which
// the scorer is not sure (no two frequent words, or a runner-up with half
// the points) goes to the letter-sequence models: each candidate's
// likelihood of the text's sequences of one to three letters, counted over
// Rapport's own texts in that language (gengrams). Without them the highest
// score wins. It is safe for concurrent use.
type Detector struct {
	order   []string         // candidates, sorted
	stop    map[string][]int // stop word -> indexes into order
	letters map[rune][]int   // distinctive letter -> indexes into order
	def     string
	grams   []gramModel // per candidate, with DetectorOpts.Grams
}

// sureScore is the least score, and twice the runner-up's, at which the
// scorer's answer stands without asking the letter models.
const sureScore = 4

// ErrNoLanguages is returned by NewDetector without candidate languages.
var ErrNoLanguages = errors.New("text: language detection needs candidate languages")

// NewDetector returns a Detector for o.
func NewDetector(o DetectorOpts) (*Detector, error) {
	d := &Detector{stop: map[string][]int{}, letters: map[rune][]int{}, def: o.Default}
	seen := map[string]bool{}
	for _, code := range o.Languages {
		code = strings.ToLower(strings.TrimSpace(code))
		if code != "" && !seen[code] {
			seen[code] = true
			d.order = append(d.order, code)
		}
	}
	if len(d.order) == 0 {
		return nil, ErrNoLanguages
	}
	sort.Strings(d.order)
	for i, code := range d.order {
		p, _ := BuiltinProfile(code)
		extra := o.Profiles[code]
		if !utf8.ValidString(extra.Letters) {
			return nil, fmt.Errorf("text: letters of %s are not UTF-8", code)
		}
		words := map[string]bool{}
		for _, w := range append(append([]string(nil), p.Stopwords...), extra.Stopwords...) {
			words[FoldWord(w, FoldCase)] = true
		}
		for w := range words {
			d.stop[w] = append(d.stop[w], i)
		}
		// A letter counts once per time it is listed, as before profiles
		// could be merged.
		for _, r := range p.Letters + extra.Letters {
			d.letters[r] = append(d.letters[r], i)
			if up := unicode.ToUpper(r); up != r {
				d.letters[up] = append(d.letters[up], i)
			}
		}
	}
	if o.Grams {
		if err := d.useGrams(); err != nil {
			return nil, err
		}
	}
	return d, nil
}

func (d *Detector) useGrams() error {
	models, err := gramModels()
	if err != nil {
		return err
	}
	if len(d.order) < 2 {
		return fmt.Errorf("text: language detection needs at least two languages, got %d", len(d.order))
	}
	for _, code := range d.order {
		m, ok := models[code]
		if !ok {
			return fmt.Errorf("text: no letter-sequence model for language %q", code)
		}
		d.grams = append(d.grams, m)
	}
	return nil
}

// Languages returns the candidate languages, sorted.
func (d *Detector) Languages() []string {
	return append([]string(nil), d.order...)
}

// Detect returns the language code of text, or the default when it
// cannot tell.
func (d *Detector) Detect(text string) string {
	return d.DetectTokens(text, Tokenize(text))
}

// DetectTokens is Detect for a text the caller has already tokenized with
// Tokenize, which spares the work twice on the hot path.
func (d *Detector) DetectTokens(text string, toks []Token) string {
	best, sure := d.score(text, toks, nil)
	if d.grams != nil && !sure {
		var margin float64
		if best, margin = d.gramsAmong(text, nil); margin < minMargin {
			best = ""
		}
	}
	if best == "" {
		return d.def
	}
	return best
}

// score returns the scorer's winner ("" when nothing scores) and whether
// it is sure of it.
// Only the candidates whose index is in allowed count; nil allows all.
func (d *Detector) score(text string, toks []Token, allowed []bool) (string, bool) {
	var small [8]int
	var scores []int
	if len(d.order) <= len(small) {
		scores = small[:len(d.order)]
	} else {
		scores = make([]int, len(d.order))
	}
	for _, t := range toks {
		for _, i := range d.stop[t.Word] {
			scores[i] += 2
		}
	}
	for _, r := range text {
		if r >= utf8.RuneSelf {
			for _, i := range d.letters[r] {
				scores[i]++
			}
		}
	}
	// The highest score wins; a tie goes to the default language when it
	// is among the tied, otherwise to the first in alphabetical order.
	best, bestScore, second := "", 0, 0
	for i, s := range scores {
		if allowed != nil && !allowed[i] {
			continue
		}
		switch {
		case s > bestScore || (s == bestScore && s > 0 && d.order[i] == d.def):
			second = max(second, bestScore)
			best, bestScore = d.order[i], s
		default:
			second = max(second, s)
		}
	}
	return best, bestScore >= sureScore && bestScore >= 2*second
}

// DetectSure returns the language of text and whether the detector is
// sure of it: the scorer is, or the letter-sequence models give it a lead of
// at least SureMargin.
// When it is not sure, lang is its best guess or "" (never the default),
// and a caller that knows better, such as the customer's preferred
// language, should use that instead: on one-line messages a guess is where
// the mistakes are (docs/QUALITY.md, "The customer's language").
func (d *Detector) DetectSure(text string) (lang string, sure bool) {
	return d.DetectSureAmong(text, nil)
}

// DetectSureAmong is DetectSure among the candidates named in among (the
// languages a business serves): a language outside them is never the
// answer, and the models' lead is over them alone. Nil or
// empty among is every candidate; one candidate is the answer, surely.
func (d *Detector) DetectSureAmong(text string, among []string) (lang string, sure bool) {
	var allowed []bool
	if len(among) > 0 {
		allowed = make([]bool, len(d.order))
		n, only := 0, ""
		for i, code := range d.order {
			if slices.Contains(among, code) {
				allowed[i], n, only = true, n+1, code
			}
		}
		switch n {
		case 0:
			allowed = nil // none of them is a candidate: ask among all
		case 1:
			return only, true
		}
	}
	best, sure := d.score(text, Tokenize(text), allowed)
	if sure || d.grams == nil {
		return best, sure
	}
	lang, margin := d.gramsAmong(text, allowed)
	return lang, lang != "" && margin >= SureMargin
}

// gramsAmong is the letter-sequence models' answer among the allowed
// candidates (nil: all), with its lead over the runner-up in natural-log
// points; "" when the text is shorter than three characters or has no
// letters.
func (d *Detector) gramsAmong(text string, allowed []bool) (string, float64) {
	text = clip(text)
	if utf8.RuneCountInString(text) < 3 {
		return "", 0 // "ok", "?": too short to tell
	}
	var small [8]float64
	var lp []float64
	if len(d.order) <= len(small) {
		lp = small[:len(d.order)]
	} else {
		lp = make([]float64, len(d.order))
	}
	rs := normGrams(text)
	if len(rs) <= 2 {
		return "", 0 // no letters
	}
	t := newGramText(rs)
	for i, m := range d.grams {
		if allowed == nil || allowed[i] {
			lp[i] = m.logLikelihood(t)
		}
	}
	best, second := -1, -1
	for i := range lp {
		if allowed != nil && !allowed[i] {
			continue
		}
		switch {
		case best < 0 || lp[i] > lp[best]:
			best, second = i, best
		case second < 0 || lp[i] > lp[second]:
			second = i
		}
	}
	if best < 0 {
		return "", 0
	}
	if second < 0 {
		return d.order[best], math.Inf(1)
	}
	return d.order[best], lp[best] - lp[second]
}

// clip trims text and keeps its opening 4 KiB: the opening says enough,
// and detection time grows with length.
func clip(text string) string {
	text = strings.TrimSpace(text)
	if len(text) > 4096 {
		text = text[:4096]
		for !utf8.ValidString(text) {
			text = text[:len(text)-1]
		}
	}
	return text
}
