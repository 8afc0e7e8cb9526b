package text

import (
	"bufio"
	"bytes"
	"embed"
	"fmt"
	"math"
	"strconv"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

//go:generate go run ./gengrams ../..

//go:embed langs/*.grams
var gramFS embed.FS

// The models are letter-trigram language models: the likelihood of each
// letter given the two before it, interpolated with the letter given the
// one before it, the letter alone and any of gramAlphabet letters, with
// these weights. Interpolation keeps a sequence the counts never saw from
// deciding alone, and the per-letter likelihood does not favour the
// language with the fewest counted texts.
const (
	gramW3, gramW2, gramW1, gramW0 = 0.6, 0.3, 0.09, 0.01
	gramAlphabet                   = 100
)

// SureMargin is the least lead, in natural-log points of likelihood, that
// the letter models must have over the runner-up for DetectSure to be
// sure of their answer.
const SureMargin = 3.5

// minMargin is the least lead at which Detect names the models' answer
// rather than the default.
const minMargin = 1.0

// gramModel holds one language's counts of letter sequences of one to
// three ("_" or " " is a word's edge).
type gramModel struct {
	counts  map[string]int
	letters int // the sum of the one-letter counts
}

// logLikelihood returns the natural log of the likelihood of the letters
// of t (a normGrams text) under m.
func (m gramModel) logLikelihood(t gramText) float64 {
	lp := 0.0
	for i := 1; i+1 < len(t.at); i++ {
		p := gramW0 / gramAlphabet
		if c := m.counts[t.s[t.at[i]:t.at[i+1]]]; c > 0 {
			p += gramW1 * float64(c) / float64(m.letters)
		}
		if d := m.counts[t.s[t.at[i-1]:t.at[i]]]; d > 0 {
			p += gramW2 * float64(m.counts[t.s[t.at[i-1]:t.at[i+1]]]) / float64(d)
		}
		if i >= 2 {
			if d := m.counts[t.s[t.at[i-2]:t.at[i]]]; d > 0 {
				p += gramW3 * float64(m.counts[t.s[t.at[i-2]:t.at[i+1]]]) / float64(d)
			}
		}
		lp += math.Log(p)
	}
	return lp
}

// gramText is a text as normGrams leaves it, with the byte offset of each
// letter and of its end, so that sequences are substrings.
type gramText struct {
	s  string
	at []int
}

func newGramText(rs []rune) gramText {
	var b strings.Builder
	at := make([]int, 0, len(rs)+1)
	for _, r := range rs {
		at = append(at, b.Len())
		b.WriteRune(r)
	}
	at = append(at, b.Len())
	return gramText{s: b.String(), at: at}
}

// gramModels holds the embedded models (langs/LANG.grams), read once.
var gramModels = sync.OnceValues(func() (map[string]gramModel, error) {
	out := map[string]gramModel{}
	names, err := gramFS.ReadDir("langs")
	if err != nil {
		return nil, err
	}
	for _, e := range names {
		lang, ok := strings.CutSuffix(e.Name(), ".grams")
		if !ok {
			continue
		}
		data, err := gramFS.ReadFile("langs/" + e.Name())
		if err != nil {
			return nil, err
		}
		m, err := parseGrams(data)
		if err != nil {
			return nil, fmt.Errorf("text: langs/%s: %w", e.Name(), err)
		}
		out[lang] = m
	}
	return out, nil
})

// parseGrams reads a .grams file: comment lines, then "sequence<TAB>count"
// with "_" for a word boundary.
func parseGrams(data []byte) (gramModel, error) {
	counts := map[string]int{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for line := 1; sc.Scan(); line++ {
		s := sc.Text()
		if s == "" || strings.HasPrefix(s, "#") {
			continue
		}
		g, n, ok := strings.Cut(s, "\t")
		k, err := strconv.Atoi(n)
		if !ok || g == "" || err != nil || k <= 0 {
			return gramModel{}, fmt.Errorf("line %d: want sequence, tab, count", line)
		}
		counts[strings.ReplaceAll(g, "_", " ")] += k
	}
	if err := sc.Err(); err != nil {
		return gramModel{}, err
	}
	m := gramModel{counts: counts}
	for g, k := range counts {
		if utf8.RuneCountInString(g) == 1 && g != " " {
			m.letters += k
		}
	}
	if m.letters == 0 {
		return gramModel{}, fmt.Errorf("no letters")
	}
	return m, nil
}

// EachGram calls fn with every sequence of one to three characters of s
// as normGrams leaves it (" th" marks a word's start): what gengrams counts.
func EachGram(s string, fn func(string)) {
	rs := normGrams(s)
	for n := 1; n <= 3; n++ {
		for i := 0; i+n <= len(rs); i++ {
			if n <= 2 && rs[i] == ' ' && (n == 1 || rs[i+1] == ' ') {
				continue
			}
			fn(string(rs[i : i+n]))
		}
	}
}

// normGrams lowers s and keeps its letters (and ' and ·), with one space
// for each run of anything else and a space at either end.
func normGrams(s string) []rune {
	rs := make([]rune, 0, len(s)+2)
	rs = append(rs, ' ')
	for _, r := range s {
		switch {
		case r == '’':
			r = '\''
		case unicode.IsLetter(r) || r == '\'' || r == '·':
			r = unicode.ToLower(r)
		default:
			r = ' '
		}
		if r == ' ' && rs[len(rs)-1] == ' ' {
			continue
		}
		rs = append(rs, r)
	}
	if rs[len(rs)-1] != ' ' {
		rs = append(rs, ' ')
	}
	return rs
}
