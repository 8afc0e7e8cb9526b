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

// realReply is one row of testdata/real.jsonl: a reply written by a
// company's support staff and published (forum thread, social post, chat
// transcript, email quoted in an article), with the page it comes from.
type realReply struct {
	ID           string `json:"id"`
	Lang         string `json:"lang"`
	Channel      string `json:"channel"`
	Text         string `json:"text"`
	Conversation []Turn `json:"conversation"`
	Sins         []Sin  `json:"sins"`
	Source       string `json:"source"`
}

func readReal(t testing.TB, path string) []realReply {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []realReply
	seen := map[string]bool{}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for n := 1; sc.Scan(); n++ {
		if strings.TrimSpace(sc.Text()) == "" {
			continue
		}
		var r realReply
		dec := json.NewDecoder(strings.NewReader(sc.Text()))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&r); err != nil {
			t.Fatalf("%s:%d: %v", path, n, err)
		}
		switch {
		case seen[r.ID]:
			t.Fatalf("%s:%d: duplicate id %s", path, n, r.ID)
		case !strings.HasPrefix(r.Source, "http://") && !strings.HasPrefix(r.Source, "https://"):
			t.Fatalf("%s:%d: source %q is not a URL", path, n, r.Source)
		case r.Channel == "" || r.Lang == "" || r.Text == "":
			t.Fatalf("%s:%d: channel, lang and text are required", path, n)
		}
		seen[r.ID] = true
		for _, s := range r.Sins {
			if !validSin(s) {
				t.Fatalf("%s:%d: unknown sin %q", path, n, s)
			}
		}
		out = append(out, r)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// realSetBar is what one set of real replies must hold and what the
// analyzer must reach on it. The figures are measured ones, not targets:
// each set was collected, labelled and committed before the analyzer first
// read it, measured once blind, and its floor records where it stands now;
// docs/QUALITY.md gives the blind, fitted and leave-one-set-out figures.
type realSetBar struct {
	path       string
	minReplies int
	minSinful  int            // replies labelled with at least one sin
	minLang    map[string]int // replies per language, at least
	minChannel map[string]int // replies per channel, at least
	// precision is the floor for all findings together; the test fails
	// when the analyzer does worse than it does now.
	precision float64
	// sinPrecision, when set, is also the floor for each sin with at least
	// realSinMinFindings findings.
	sinPrecision float64
}

// realSinMinFindings is how many findings a sin needs before its own
// precision is held to realSetBar.sinPrecision.
const realSinMinFindings = 5

// realBars are the seven sets of real replies, in the order they were
// collected (testdata/README-real.md tells where each comes from). Each
// floor is the precision with the evidence gate (evidence.go), which is
// built from all seven sets: fitted figures, not blind ones (1.00 where the
// gate leaves one to six findings, all right).
var realBars = map[string]realSetBar{
	// real.jsonl: the first set, the one the rules were first fitted to.
	"real": {path: "testdata/real.jsonl", minReplies: 120, minSinful: 20,
		minChannel: map[string]int{"email": 5, "chat": 5, "social": 5},
		precision:  0.93, sinPrecision: 0.90},
	// realheldout.jsonl: collected after the rules were fitted to
	// real.jsonl; 11 of 13 right after two rounds of general fixes made
	// against it, 11 of 12 after the precision-first gate: a development
	// set now.
	"realheldout": {path: "testdata/realheldout.jsonl", minReplies: 120, minSinful: 20,
		precision: 1.00},
	// realheldout2.jsonl: English, Italian and Russian trackers; 0.15 blind
	// (5 of 33), 0.33 after the fixes it led to, 0.83 after the gate.
	"realheldout2": {path: "testdata/realheldout2.jsonl", minReplies: 100, minSinful: 30,
		minLang:   map[string]int{"en": 30, "it": 30, "ru": 30},
		precision: 1.00},
	// realheldout3.jsonl: brands' public replies on social media and
	// support e-mails (726bbcb); 0.34 blind (14 of 41), 0.69 after fixes,
	// 0.78 after the gate, 0.87 (13 of 15; floor 0.86) once the seventh set's evidence
	// let runaround.website speak on social.
	"realheldout3": {path: "testdata/realheldout3.jsonl", minReplies: 120, minSinful: 40,
		minChannel: map[string]int{"social": 100},
		precision:  0.86},
	// realheldout4.jsonl: Italian and Russian trackers, brands' replies on
	// Twitter, a few live-chat turns (4089a1c); 0.30 blind (8 of 27), 0.77
	// after the gate and the fixes it led to.
	"realheldout4": {path: "testdata/realheldout4.jsonl", minReplies: 120, minSinful: 30,
		minLang:   map[string]int{"en": 30, "it": 30, "ru": 30},
		precision: 1.00},
	// realheldout5.jsonl: vendors' and public bodies' trackers, a few
	// e-mails and call-centre replies (351b7d3); 0.15 blind (2 of 13), 0.22
	// after the fixes it led to.
	"realheldout5": {path: "testdata/realheldout5.jsonl", minReplies: 120, minSinful: 30,
		minLang:   map[string]int{"en": 60, "it": 20, "ru": 15},
		precision: 0.50},
	// realheldout7.jsonl: brands' replies on Twitter (IBM dataset, dev.json
	// part not used before), Italian public bodies' and Russian and small
	// vendors' trackers (c45d55c); 0.75 blind (3 of 4), 1.00 (3 of 3) after
	// the fallback fix it led to, 1.00 (6 of 6) with its evidence in the
	// gate.
	"realheldout7": {path: "testdata/realheldout7.jsonl", minReplies: 120, minSinful: 40,
		minLang:    map[string]int{"en": 100, "it": 15, "ru": 8},
		minChannel: map[string]int{"social": 90, "forum": 40},
		precision:  1.00},
}

// runRealSet measures the analyzer on one set of real replies, each read on
// its own channel, and holds it to its bar: precision is what matters here,
// since a finding on a reply a good support team actually sent is a false
// alarm the agent learns to ignore. QUALITY_DEBUG=1 lists every false alarm
// and miss.
func runRealSet(t *testing.T, name string) {
	bar, ok := realBars[name]
	if !ok {
		t.Fatalf("no real set %q", name)
	}
	m := measureReal(t, bar.path)
	if m.replies < bar.minReplies || m.replies-m.good < bar.minSinful {
		t.Errorf("%d replies, %d with a sin: want at least %d and %d", m.replies, m.replies-m.good, bar.minReplies, bar.minSinful)
	}
	for lang, min := range bar.minLang {
		if m.perLang[lang] < min {
			t.Errorf("only %d %s replies, want at least %d", m.perLang[lang], lang, min)
		}
	}
	for ch, min := range bar.minChannel {
		if m.perChannel[ch] < min {
			t.Errorf("only %d %s replies, want at least %d", m.perChannel[ch], ch, min)
		}
	}
	if m.all.tp+m.all.fp == 0 {
		t.Fatal("no finding at all: precision cannot be measured")
	}
	if m.all.precision() < bar.precision {
		t.Errorf("all findings: precision %.2f below %.2f", m.all.precision(), bar.precision)
	}
	if bar.sinPrecision == 0 {
		return
	}
	for _, s := range Sins {
		if c := m.bySin[s]; c.tp+c.fp >= realSinMinFindings && c.precision() < bar.sinPrecision {
			t.Errorf("%s: precision %.2f below %.2f (%d findings)", s, c.precision(), bar.sinPrecision, c.tp+c.fp)
		}
	}
}

// One test per set, so that each can be run alone by the name
// docs/QUALITY.md gives it.

func TestRealSet(t *testing.T)         { runRealSet(t, "real") }
func TestRealHeldOutSet(t *testing.T)  { runRealSet(t, "realheldout") }
func TestRealHeldOut2Set(t *testing.T) { runRealSet(t, "realheldout2") }
func TestRealHeldOut3Set(t *testing.T) { runRealSet(t, "realheldout3") }
func TestRealHeldOut4Set(t *testing.T) { runRealSet(t, "realheldout4") }
func TestRealHeldOut5Set(t *testing.T) { runRealSet(t, "realheldout5") }
func TestRealHeldOut7Set(t *testing.T) { runRealSet(t, "realheldout7") }

// realMeasure is what measureReal counted on one set of real replies.
type realMeasure struct {
	replies, good, goodClean int
	bySin                    map[Sin]*counts
	all                      counts
	perChannel               map[string]int
	perLang                  map[string]int
	byChannel                map[string]*counts
}

// measureReal runs the analyzer over a set of real replies, each on its own
// channel, logs precision and recall per sin, per channel and overall, and
// returns the counts for the caller's bars. QUALITY_DEBUG=1 lists every
// false alarm and miss with the rule that fired.
func measureReal(t *testing.T, path string) realMeasure {
	t.Helper()
	a := newTestAnalyzer(t)
	set := readReal(t, path)
	debug := os.Getenv("QUALITY_DEBUG") != ""
	m := realMeasure{replies: len(set), bySin: map[Sin]*counts{}, perChannel: map[string]int{}}
	for _, s := range Sins {
		m.bySin[s] = &counts{}
	}
	byChannel := map[string]*counts{}
	m.byChannel = byChannel
	perLang := map[string]int{}
	m.perLang = perLang
	for _, r := range set {
		fs := a.Analyze(context.Background(), Input{Text: r.Text, Lang: r.Lang, Conversation: r.Conversation, Channel: r.Channel})
		got, want := map[Sin]bool{}, map[Sin]bool{}
		for _, f := range fs {
			got[f.Sin] = true
		}
		for _, s := range r.Sins {
			want[s] = true
		}
		m.perChannel[r.Channel]++
		perLang[r.Lang]++
		if len(want) == 0 {
			m.good++
			if len(fs) == 0 {
				m.goodClean++
			}
		}
		if byChannel[r.Channel] == nil {
			byChannel[r.Channel] = &counts{}
		}
		for _, s := range Sins {
			c := m.bySin[s]
			ch := byChannel[r.Channel]
			switch {
			case got[s] && want[s]:
				c.tp++
				ch.tp++
			case got[s]:
				c.fp++
				ch.fp++
			case want[s]:
				c.fn++
				ch.fn++
			}
			if debug && got[s] != want[s] {
				what := "MISSED"
				if got[s] {
					what = "FALSE"
				}
				t.Logf("%s %s %s [%s]: %q", what, s, r.ID, r.Channel, r.Text)
				for _, f := range fs {
					if f.Sin == s {
						t.Logf("    %s %q", f.Rule, f.Quote)
					}
				}
			}
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "\n%s: %d replies (%d good); channels %v; languages %v\n", path, len(set), m.good, m.perChannel, perLang)
	fmt.Fprintf(&b, "%-14s %5s %5s %5s %9s %7s\n", "sin", "tp", "fp", "fn", "precision", "recall")
	for _, s := range Sins {
		c := m.bySin[s]
		m.all.tp += c.tp
		m.all.fp += c.fp
		m.all.fn += c.fn
		fmt.Fprintf(&b, "%-14s %5d %5d %5d %9.2f %7.2f\n", s, c.tp, c.fp, c.fn, c.precision(), c.recall())
	}
	fmt.Fprintf(&b, "all findings: tp %d fp %d fn %d precision %.2f recall %.2f\n", m.all.tp, m.all.fp, m.all.fn, m.all.precision(), m.all.recall())
	chans := make([]string, 0, len(byChannel))
	for ch := range byChannel {
		chans = append(chans, ch)
	}
	sort.Strings(chans)
	for _, ch := range chans {
		c := byChannel[ch]
		fmt.Fprintf(&b, "channel %-7s %3d replies: tp %d fp %d fn %d precision %.2f\n", ch, m.perChannel[ch], c.tp, c.fp, c.fn, c.precision())
	}
	fmt.Fprintf(&b, "good replies with no finding: %d/%d\n", m.goodClean, m.good)
	t.Log(b.String())
	return m
}

// recordedRecall is, per hand-written set and sin, the replies flagged
// right out of those labelled with the sin, as docs/QUALITY.md records
// them before the real-reply fixes. The fixes for real replies must not
// cost the team's own sets any of them.
var recordedRecall = map[string]map[Sin][2]int{
	"testdata/labelled.jsonl": {Apathy: {50, 65}, BrushOff: {26, 26}, Coldness: {43, 44}, Condescension: {27, 27},
		Robotism: {26, 26}, Rulebook: {27, 27}, Runaround: {27, 27}},
	"testdata/heldout.jsonl": {Apathy: {20, 20}, BrushOff: {10, 10}, Coldness: {11, 15}, Condescension: {10, 10},
		Robotism: {10, 10}, Rulebook: {10, 10}, Runaround: {10, 10}},
	"testdata/blind.jsonl": {Apathy: {4, 13}, BrushOff: {0, 6}, Coldness: {7, 11}, Condescension: {5, 6},
		Robotism: {6, 6}, Rulebook: {5, 6}, Runaround: {1, 7}},
}

// TestRecallKept fails when a sin's recall on one of the hand-written sets
// falls below its recorded value: a fix for real replies (the channel, the
// channel's vocabulary, resolution words) must not blind the analyzer to
// what it caught before.
func TestRecallKept(t *testing.T) {
	a := newTestAnalyzer(t)
	for path, want := range recordedRecall {
		t.Run(path, func(t *testing.T) {
			got := map[Sin]*counts{}
			for _, s := range Sins {
				got[s] = &counts{}
			}
			for _, l := range readLabelled(t, path) {
				flagged := map[Sin]bool{}
				for _, f := range a.Analyze(context.Background(), Input{Text: l.Text, Lang: l.Lang, Conversation: l.Conversation}) {
					flagged[f.Sin] = true
				}
				for _, s := range l.Sins {
					if flagged[s] {
						got[s].tp++
					} else {
						got[s].fn++
					}
				}
			}
			for s, w := range want {
				c := got[s]
				if c.tp+c.fn != w[1] {
					t.Errorf("%s: %d replies labelled, recorded %d: update recordedRecall with the set", s, c.tp+c.fn, w[1])
				}
				if c.tp < w[0] {
					t.Errorf("%s: recall %d/%d (%.2f), below the recorded %d/%d", s, c.tp, c.tp+c.fn, c.recall(), w[0], w[1])
				}
			}
		})
	}
}
