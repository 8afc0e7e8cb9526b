package quality

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strings"
	"testing"
)

// labelled is one hand-labelled reply of testdata/labelled.jsonl.
type labelled struct {
	ID           string `json:"id"`
	Lang         string `json:"lang"`
	Text         string `json:"text"`
	Conversation []Turn `json:"conversation"`
	Sins         []Sin  `json:"sins"`
}

func readLabelled(t testing.TB, path string) []labelled {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []labelled
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	seen := map[string]bool{}
	for n := 1; sc.Scan(); n++ {
		if strings.TrimSpace(sc.Text()) == "" {
			continue
		}
		var l labelled
		dec := json.NewDecoder(strings.NewReader(sc.Text()))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&l); err != nil {
			t.Fatalf("%s:%d: %v", path, n, err)
		}
		if seen[l.ID] {
			t.Fatalf("%s:%d: duplicate id %s", path, n, l.ID)
		}
		seen[l.ID] = true
		for _, s := range l.Sins {
			if !validSin(s) {
				t.Fatalf("%s:%d: unknown sin %q", path, n, s)
			}
		}
		out = append(out, l)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// counts are the confusion counts of one sin (or one language).
type counts struct{ tp, fp, fn int }

func (c counts) precision() float64 {
	if c.tp+c.fp == 0 {
		return 1
	}
	return float64(c.tp) / float64(c.tp+c.fp)
}

func (c counts) recall() float64 {
	if c.tp+c.fn == 0 {
		return 1
	}
	return float64(c.tp) / float64(c.tp+c.fn)
}

// The levels the tests enforce; docs/QUALITY.md records them with the
// figures measured when they were set. Each sits a little below what the
// analyzer reached, so that a change that makes it worse fails.
//
// devLevels apply to the development set, testdata/labelled.jsonl, which the
// rules were written against: its figures flatter the analyzer.
var devLevels = levels{
	sinPrecision:  0.80, // per sin, all languages together
	sinRecall:     0.70,
	langPrecision: 0.90, // per language, all sins together
	langRecall:    0.85,
	goodClean:     0.98, // share of good replies with no finding at all
	detect:        0.98, // share of replies whose language is detected right
	minPerSin:     20,
	minGood:       100,
}

// heldOutLevels apply to testdata/heldout.jsonl, written after the rules
// were first frozen. Its first measurement is in docs/QUALITY.md; the rules
// were then improved on the kinds of miss it showed, so it is no longer
// unseen. Per-language figures are reported, not enforced (22 replies each).
var heldOutLevels = levels{
	sinPrecision: 0.80,
	sinRecall:    0.65,
	goodClean:    0.95,
	detect:       0.95,
	minPerSin:    10,
	minGood:      40,
}

// blindLevels apply to testdata/blind.jsonl, written after those fixes and
// measured once before one change (hardship wishes, see docs/QUALITY.md).
// With six replies per sin only the overall figures are enforced.
var blindLevels = levels{
	allPrecision: 0.80,
	allRecall:    0.40,
	goodClean:    0.95,
	detect:       0.95,
	minPerSin:    6,
	minGood:      30,
}

type levels struct {
	sinPrecision, sinRecall, langPrecision, langRecall, allPrecision, allRecall, goodClean, detect float64
	minPerSin, minGood                                                                             int
}

// TestLabelledSet measures the analyzer on the hand-labelled development
// set: a reply counts as flagged for a sin when at least one finding has
// that sin. Set QUALITY_DEBUG=1 to see each miss and false alarm.
func TestLabelledSet(t *testing.T) {
	measureSet(t, "testdata/labelled.jsonl", devLevels)
}

// TestHeldOutSet measures the analyzer on replies written after the rules
// were frozen: the honest estimate of how it does on text it was not tuned on.
func TestHeldOutSet(t *testing.T) {
	measureSet(t, "testdata/heldout.jsonl", heldOutLevels)
}

// TestBlindSet measures the analyzer on replies written last, after the
// rules had been improved on the held-out set.
func TestBlindSet(t *testing.T) {
	measureSet(t, "testdata/blind.jsonl", blindLevels)
}

func measureSet(t *testing.T, path string, lv levels) {
	a := newTestAnalyzer(t)
	set := readLabelled(t, path)
	debug := os.Getenv("QUALITY_DEBUG") != ""

	bySin := map[Sin]*counts{}
	byLang := map[string]*counts{}
	byLangSin := map[string]*counts{}
	perLang := map[string]int{}
	goodTotal, goodClean, detected := 0, 0, 0
	for _, s := range Sins {
		bySin[s] = &counts{}
	}
	for _, l := range set {
		if a.Detect(l.Text) == l.Lang {
			detected++
		} else if debug {
			t.Logf("DETECT %s: got %s", l.ID, a.Detect(l.Text))
		}
		fs := a.Analyze(context.Background(), Input{Text: l.Text, Lang: l.Lang, Conversation: l.Conversation})
		got := map[Sin]bool{}
		for _, f := range fs {
			got[f.Sin] = true
		}
		want := map[Sin]bool{}
		for _, s := range l.Sins {
			want[s] = true
		}
		perLang[l.Lang]++
		if len(want) == 0 {
			goodTotal++
			if len(fs) == 0 {
				goodClean++
			}
		}
		if byLang[l.Lang] == nil {
			byLang[l.Lang] = &counts{}
		}
		for _, s := range Sins {
			key := l.Lang + "/" + string(s)
			if byLangSin[key] == nil {
				byLangSin[key] = &counts{}
			}
			var c counts
			switch {
			case got[s] && want[s]:
				c.tp = 1
			case got[s]:
				c.fp = 1
			case want[s]:
				c.fn = 1
			}
			for _, dst := range []*counts{bySin[s], byLang[l.Lang], byLangSin[key]} {
				dst.tp += c.tp
				dst.fp += c.fp
				dst.fn += c.fn
			}
			if debug && (c.fp > 0 || c.fn > 0) {
				what := "MISSED"
				if c.fp > 0 {
					what = "FALSE"
				}
				t.Logf("%s %s %s: %q", what, s, l.ID, l.Text)
				for _, f := range fs {
					if f.Sin == s || c.fn > 0 {
						t.Logf("    %s %s %q", f.Sin, f.Rule, f.Quote)
					}
				}
			}
		}
	}

	langs := make([]string, 0, len(byLang))
	for l := range byLang {
		langs = append(langs, l)
	}
	sort.Strings(langs)

	var b strings.Builder
	fmt.Fprintf(&b, "\n%s: %d replies (%d good); per sin, all languages:\n", path, len(set), goodTotal)
	fmt.Fprintf(&b, "%-14s %5s %5s %5s %9s %7s\n", "sin", "tp", "fp", "fn", "precision", "recall")
	for _, s := range Sins {
		c := bySin[s]
		fmt.Fprintf(&b, "%-14s %5d %5d %5d %9.2f %7.2f\n", s, c.tp, c.fp, c.fn, c.precision(), c.recall())
	}
	fmt.Fprintf(&b, "\nper language, all sins:\n%-6s %7s %5s %5s %5s %9s %7s\n", "lang", "replies", "tp", "fp", "fn", "precision", "recall")
	for _, l := range langs {
		c := byLang[l]
		fmt.Fprintf(&b, "%-6s %7d %5d %5d %5d %9.2f %7.2f\n", l, perLang[l], c.tp, c.fp, c.fn, c.precision(), c.recall())
	}
	fmt.Fprintf(&b, "\nprecision/recall per language and sin:\n%-14s", "sin")
	for _, l := range langs {
		fmt.Fprintf(&b, " %11s", l)
	}
	b.WriteByte('\n')
	for _, s := range Sins {
		fmt.Fprintf(&b, "%-14s", s)
		for _, l := range langs {
			c := byLangSin[l+"/"+string(s)]
			fmt.Fprintf(&b, "   %.2f/%.2f", c.precision(), c.recall())
		}
		b.WriteByte('\n')
	}
	var all counts
	for _, s := range Sins {
		all.tp += bySin[s].tp
		all.fp += bySin[s].fp
		all.fn += bySin[s].fn
	}
	fmt.Fprintf(&b, "\nall sins together: tp %d fp %d fn %d precision %.2f recall %.2f\n", all.tp, all.fp, all.fn, all.precision(), all.recall())
	clean := float64(goodClean) / float64(goodTotal)
	det := float64(detected) / float64(len(set))
	fmt.Fprintf(&b, "\ngood replies with no finding: %d/%d (%.3f)\nlanguage detected right: %d/%d (%.3f)\n",
		goodClean, goodTotal, clean, detected, len(set), det)
	t.Log(b.String())

	for _, s := range Sins {
		c := bySin[s]
		if c.tp+c.fn < lv.minPerSin {
			t.Errorf("%s: only %d labelled replies, want at least %d", s, c.tp+c.fn, lv.minPerSin)
		}
		if c.precision() < lv.sinPrecision {
			t.Errorf("%s: precision %.2f below %.2f", s, c.precision(), lv.sinPrecision)
		}
		if c.recall() < lv.sinRecall {
			t.Errorf("%s: recall %.2f below %.2f", s, c.recall(), lv.sinRecall)
		}
	}
	for _, l := range langs {
		c := byLang[l]
		if c.precision() < lv.langPrecision {
			t.Errorf("%s: precision %.2f below %.2f", l, c.precision(), lv.langPrecision)
		}
		if c.recall() < lv.langRecall {
			t.Errorf("%s: recall %.2f below %.2f", l, c.recall(), lv.langRecall)
		}
	}
	if all.precision() < lv.allPrecision {
		t.Errorf("all sins: precision %.2f below %.2f", all.precision(), lv.allPrecision)
	}
	if all.recall() < lv.allRecall {
		t.Errorf("all sins: recall %.2f below %.2f", all.recall(), lv.allRecall)
	}
	if goodTotal < lv.minGood {
		t.Errorf("only %d good replies, want at least %d", goodTotal, lv.minGood)
	}
	if clean < lv.goodClean {
		t.Errorf("good replies with no finding: %.3f, below %.2f", clean, lv.goodClean)
	}
	if det < lv.detect {
		t.Errorf("language detected right: %.3f, below %.2f", det, lv.detect)
	}
}

func newTestAnalyzer(t testing.TB) *Analyzer {
	t.Helper()
	a, err := New(Opts{})
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// newRuleAnalyzer returns an analyzer with the evidence gate off: the rules
// themselves, as the gate measures them. Tests of a rule's reading on a
// conversational channel use it; whether the finding then reaches the agent
// there is the gate's decision (TestPrecisionGate, TestRealEvidence).
func newRuleAnalyzer(t testing.TB) *Analyzer {
	t.Helper()
	a := newTestAnalyzer(t)
	a.gate = nil
	return a
}
