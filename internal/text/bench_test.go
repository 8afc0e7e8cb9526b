package text

import (
	"bufio"
	"encoding/json"
	"os"
	"strings"
	"testing"
)

// shortReplies are typical agent replies and customer messages, one to
// three sentences, as the analyzer and intake see them.
var shortReplies = []string{
	"Thanks for your patience, the parcel will arrive on Monday.",
	"Grazie per la pazienza, il pacco arriverà lunedì. Le scrivo appena parte.",
	"Спасибо за терпение, посылка придёт в понедельник.",
	"Paldies par pacietību, paka pienāks pirmdien. Ja nē, uzrakstiet man.",
	"Gràcies per la paciència, el paquet arribarà dilluns.",
	"Hi Anna, I've refunded the delivery fee. Is there anything else?",
	"Ordine in ritardo",
	"How do I change my password?",
}

// BenchmarkDetect tells the language of short replies three ways: the
// stop-word scorer alone (what the reply analyzer uses), the scorer with
// the letter-sequence models for what it is not sure of (what intake uses),
// and the models alone.
func BenchmarkDetect(b *testing.B) {
	langs := []string{"en", "it", "ru", "lv", "ca"}
	scorer, err := NewDetector(DetectorOpts{Languages: langs, Default: "en"})
	if err != nil {
		b.Fatal(err)
	}
	both, err := NewDetector(DetectorOpts{Languages: langs, Grams: true})
	if err != nil {
		b.Fatal(err)
	}
	both.Detect("Warm the models up.")
	for _, bc := range []struct {
		name   string
		detect func(string) string
	}{
		{"scorer", scorer.Detect},
		{"scorer+grams", both.Detect},
		{"grams", func(s string) string { l, _ := both.gramsAmong(s, nil); return l }},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				bc.detect(shortReplies[i%len(shortReplies)])
				i++
			}
		})
	}
}

// BenchmarkTokenizeScan tokenizes a 2 KB English reply and scans it with
// the reply analyzer's English patterns (markers, rules and glossary terms
// of internal/quality/resources/en.json), as the analyzer does on every
// pause in typing.
func BenchmarkTokenizeScan(b *testing.B) {
	m := NewMatcher(FoldCase)
	n := addResourcePatterns(b, m, "../quality/resources/en.json")
	reply := longReply(b, "en", 2048)
	b.Run("tokenize", func(b *testing.B) {
		b.SetBytes(int64(len(reply)))
		b.ReportAllocs()
		for b.Loop() {
			Tokenize(reply)
		}
	})
	b.Run("tokenize+scan", func(b *testing.B) {
		b.SetBytes(int64(len(reply)))
		b.ReportAllocs()
		found := 0
		for b.Loop() {
			found = len(m.Scan(Tokenize(reply), nil))
		}
		if found == 0 {
			b.Fatalf("no match of %d patterns", n)
		}
	})
}

// addResourcePatterns adds every pattern of a quality resource file to m,
// one owner each, and returns how many.
func addResourcePatterns(tb testing.TB, m *Matcher, path string) int {
	tb.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	var f struct {
		Markers map[string][]string
		Rules   []struct{ Patterns []string }
		Jargon  []struct{ Term string }
	}
	if err := json.Unmarshal(data, &f); err != nil {
		tb.Fatal(err)
	}
	var ps []string
	for _, g := range f.Markers {
		ps = append(ps, g...)
	}
	for _, r := range f.Rules {
		ps = append(ps, r.Patterns...)
	}
	for _, j := range f.Jargon {
		ps = append(ps, j.Term)
	}
	for i, p := range ps {
		if err := m.Add(p, i); err != nil {
			tb.Fatal(err)
		}
	}
	return len(ps)
}

// longReply joins the analyzer's labelled replies in lang up to n bytes.
func longReply(tb testing.TB, lang string, n int) string {
	tb.Helper()
	f, err := os.Open("../quality/testdata/labelled.jsonl")
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	var b strings.Builder
	for sc.Scan() && b.Len() < n {
		var l struct{ Lang, Text string }
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			tb.Fatal(err)
		}
		if l.Lang == lang {
			b.WriteString(l.Text)
			b.WriteString("\n\n")
		}
	}
	return b.String()
}
