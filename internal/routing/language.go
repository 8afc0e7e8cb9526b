// Package routing decides where a ticket goes: which language it is in,
// and (later) which team and agent own it.
package routing

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/pemistahl/lingua-go"
)

// Detector tells the language of customers' texts, among the languages a
// business works in only: fewer candidates mean fewer mistakes and less
// memory (lingua loads the models of these languages alone).
type Detector struct {
	d      lingua.LanguageDetector
	byLang map[lingua.Language]string
}

// MinConfidence is the lowest confidence at which Detect names a language.
const MinConfidence = 0.5

// NewDetector returns a Detector for the ISO 639-1 codes in langs (en, it,
// ru, lv, ca …); it needs at least two known languages.
func NewDetector(langs []string) (*Detector, error) {
	byLang := map[lingua.Language]string{}
	var ls []lingua.Language
	for _, code := range langs {
		code = strings.ToLower(strings.TrimSpace(code))
		l := lingua.GetLanguageFromIsoCode639_1(lingua.GetIsoCode639_1FromValue(code))
		if l == lingua.Unknown {
			return nil, fmt.Errorf("routing: unknown language code %q", code)
		}
		if _, dup := byLang[l]; !dup {
			byLang[l] = code
			ls = append(ls, l)
		}
	}
	if len(ls) < 2 {
		return nil, fmt.Errorf("routing: language detection needs at least two languages, got %d", len(ls))
	}
	d := lingua.NewLanguageDetectorBuilder().FromLanguages(ls...).WithLowAccuracyMode().Build()
	return &Detector{d: d, byLang: byLang}, nil
}

// Detect returns the language code of text, or "" when the text is too
// short or too mixed to tell.
func (d *Detector) Detect(text string) string {
	text = strings.TrimSpace(text)
	if utf8.RuneCountInString(text) < 3 {
		return ""
	}
	if len(text) > 4096 {
		// The opening says enough, and detection time grows with length.
		text = text[:4096]
		for !utf8.ValidString(text) {
			text = text[:len(text)-1]
		}
	}
	vals := d.d.ComputeLanguageConfidenceValues(text)
	if len(vals) == 0 || vals[0].Value() < MinConfidence {
		return ""
	}
	return d.byLang[vals[0].Language()]
}
