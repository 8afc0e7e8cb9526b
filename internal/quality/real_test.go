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

// The levels TestRealSet enforces on testdata/real.jsonl; docs/QUALITY.md
// records them with the figures measured.
const (
	realMinReplies      = 120
	realMinSinful       = 20
	realPrecision       = 0.90 // all findings together
	realSinPrecision    = 0.90 // per sin, once it has realSinMinFindings
	realSinMinFindings  = 5
	realMinChannelCount = 5 // replies of each of email, chat, social
)

// TestRealSet measures the analyzer on real support replies
// (testdata/real.jsonl), each read on its own channel: precision is what
// matters here, since a finding on a reply a good support team actually
// sent is a false alarm the agent learns to ignore. QUALITY_DEBUG=1 lists
// every false alarm and miss.
func TestRealSet(t *testing.T) {
	m := measureReal(t, "testdata/real.jsonl")
	if m.replies < realMinReplies || m.replies-m.good < realMinSinful {
		t.Errorf("%d replies, %d with a sin: want at least %d and %d", m.replies, m.replies-m.good, realMinReplies, realMinSinful)
	}
	for _, ch := range []string{"email", "chat", "social"} {
		if m.perChannel[ch] < realMinChannelCount {
			t.Errorf("only %d %s replies, want at least %d", m.perChannel[ch], ch, realMinChannelCount)
		}
	}
	if m.all.precision() < realPrecision {
		t.Errorf("all findings: precision %.2f below %.2f", m.all.precision(), realPrecision)
	}
	for _, s := range Sins {
		if c := m.bySin[s]; c.tp+c.fp >= realSinMinFindings && c.precision() < realSinPrecision {
			t.Errorf("%s: precision %.2f below %.2f (%d findings)", s, c.precision(), realSinPrecision, c.tp+c.fp)
		}
	}
}

// The levels TestRealHeldOutSet enforces on testdata/realheldout.jsonl, a
// second set of real replies that the rules were not written against.
// docs/QUALITY.md records the first measurement and the current one.
const (
	heldOutRealMinReplies = 120
	heldOutRealMinSinful  = 20
	// heldOutRealPrecision is the measured precision after two rounds of
	// general fixes made against this set (11 of 13 findings right), raised
	// to 11 of 12 by the precision-first gate (analyzer4): it is a
	// development set now. docs/QUALITY.md says so. Raise it as the rules
	// earn it.
	heldOutRealPrecision = 0.91
)

// TestRealHeldOutSet measures the analyzer on testdata/realheldout.jsonl:
// real public support replies collected after the rules had been fitted to
// testdata/real.jsonl and labelled before the analyzer was run on them, so
// its precision is the honest estimate of how often a finding on real
// writing is right.
func TestRealHeldOutSet(t *testing.T) {
	m := measureReal(t, "testdata/realheldout.jsonl")
	if m.replies < heldOutRealMinReplies || m.replies-m.good < heldOutRealMinSinful {
		t.Errorf("%d replies, %d with a sin: want at least %d and %d", m.replies, m.replies-m.good, heldOutRealMinReplies, heldOutRealMinSinful)
	}
	if m.all.tp+m.all.fp == 0 {
		t.Fatal("no finding at all: precision cannot be measured")
	}
	if m.all.precision() < heldOutRealPrecision {
		t.Errorf("all findings: precision %.2f below %.2f", m.all.precision(), heldOutRealPrecision)
	}
}

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

// The levels TestRealHeldOut2Set enforces on testdata/realheldout2.jsonl, a
// third set of real replies, collected and labelled (and committed) after
// the fixes made against testdata/realheldout.jsonl and before the analyzer
// first ran on it. docs/QUALITY.md records that first measurement.
const (
	heldOut2MinReplies = 100
	heldOut2MinSinful  = 30
	heldOut2MinLang    = 30 // replies in each of English, Italian, Russian
	// heldOut2Precision is a measured precision, not a target: 0.15 on the
	// first run (5 of 33 findings right), 0.33 (4 of 12) after the general
	// fixes that run led to. The test fails when the analyzer gets worse
	// than it is now; docs/QUALITY.md records both figures.
	// The precision-first gate (analyzer4) raised it to 0.83 (5 of 6).
	heldOut2Precision = 0.83
)

// TestRealHeldOut2Set measures the analyzer on testdata/realheldout2.jsonl.
func TestRealHeldOut2Set(t *testing.T) {
	m := measureReal(t, "testdata/realheldout2.jsonl")
	if m.replies < heldOut2MinReplies || m.replies-m.good < heldOut2MinSinful {
		t.Errorf("%d replies, %d with a sin: want at least %d and %d", m.replies, m.replies-m.good, heldOut2MinReplies, heldOut2MinSinful)
	}
	for _, lang := range []string{"en", "it", "ru"} {
		if m.perLang[lang] < heldOut2MinLang {
			t.Errorf("only %d %s replies, want at least %d", m.perLang[lang], lang, heldOut2MinLang)
		}
	}
	if m.all.tp+m.all.fp == 0 {
		t.Fatal("no finding at all: precision cannot be measured")
	}
	if m.all.precision() < heldOut2Precision {
		t.Errorf("all findings: precision %.2f below %.2f", m.all.precision(), heldOut2Precision)
	}
}

// The levels TestRealHeldOut3Set enforces on testdata/realheldout3.jsonl, a
// fourth set of real replies: brands' public replies on social media and
// support emails, collected, labelled and committed (726bbcb) before the
// analyzer first ran on them. docs/QUALITY.md records that first
// measurement and the one after the fixes it led to.
const (
	heldOut3MinReplies = 120
	heldOut3MinSinful  = 40
	heldOut3MinSocial  = 100
	// heldOut3Precision is a measured precision, not a target: 0.34 on the
	// first, blind run (14 of 41 findings right), 0.69 (18 of 26) after the
	// general fixes that run led to, so the set is no longer unseen. The
	// test fails when the analyzer gets worse than it is now;
	// docs/QUALITY.md records both figures. The issue asks 0.90.
	// The precision-first gate (analyzer4) raised it to 0.78 (18 of 23).
	heldOut3Precision = 0.78
)

// TestRealHeldOut3Set measures the analyzer on testdata/realheldout3.jsonl.
func TestRealHeldOut3Set(t *testing.T) {
	m := measureReal(t, "testdata/realheldout3.jsonl")
	if m.replies < heldOut3MinReplies || m.replies-m.good < heldOut3MinSinful {
		t.Errorf("%d replies, %d with a sin: want at least %d and %d", m.replies, m.replies-m.good, heldOut3MinReplies, heldOut3MinSinful)
	}
	if m.perChannel["social"] < heldOut3MinSocial {
		t.Errorf("only %d social replies, want at least %d", m.perChannel["social"], heldOut3MinSocial)
	}
	if m.all.tp+m.all.fp == 0 {
		t.Fatal("no finding at all: precision cannot be measured")
	}
	if m.all.precision() < heldOut3Precision {
		t.Errorf("all findings: precision %.2f below %.2f", m.all.precision(), heldOut3Precision)
	}
}

// The levels TestRealHeldOut4Set enforces on testdata/realheldout4.jsonl, a
// fifth set of real replies (Italian and Russian support trackers, brands'
// replies on Twitter, a few live-chat turns), collected, labelled and
// committed with this test before the analyzer first ran on them.
// docs/QUALITY.md records that first measurement.
const (
	heldOut4MinReplies = 120
	heldOut4MinSinful  = 30
	heldOut4MinLang    = 30 // replies in each of English, Italian, Russian
	// heldOut4Precision is a measured precision, not a target: 0.30 on the
	// first, blind run (8 of 27 findings right, commit 4089a1c), 0.77 (10
	// of 13) after the precision-first gate and the fixes that run led to,
	// so it is fitted to this set. The test fails when the analyzer gets
	// worse than it is now. The issue asks 0.90.
	heldOut4Precision = 0.76
)

// TestRealHeldOut4Set measures the analyzer on testdata/realheldout4.jsonl
// and logs the per-sin table.
func TestRealHeldOut4Set(t *testing.T) {
	m := measureReal(t, "testdata/realheldout4.jsonl")
	if m.replies < heldOut4MinReplies || m.replies-m.good < heldOut4MinSinful {
		t.Errorf("%d replies, %d with a sin: want at least %d and %d", m.replies, m.replies-m.good, heldOut4MinReplies, heldOut4MinSinful)
	}
	for _, lang := range []string{"en", "it", "ru"} {
		if m.perLang[lang] < heldOut4MinLang {
			t.Errorf("only %d %s replies, want at least %d", m.perLang[lang], lang, heldOut4MinLang)
		}
	}
	if m.all.tp+m.all.fp == 0 {
		t.Fatal("no finding at all: precision cannot be measured")
	}
	if m.all.precision() < heldOut4Precision {
		t.Errorf("all findings: precision %.2f below %.2f", m.all.precision(), heldOut4Precision)
	}
}

// The levels TestRealHeldOut5Set enforces on testdata/realheldout5.jsonl, a
// sixth set of real replies (vendors' and public bodies' support trackers in
// English, Italian and Russian, a few support e-mails and call-centre
// replies), collected, labelled and committed with this test before the
// analyzer first ran on them. docs/QUALITY.md records that first measurement.
const (
	heldOut5MinReplies = 120
	heldOut5MinSinful  = 30
	// heldOut5Precision is the blind figure, not a target: 0.15 on the
	// first run (2 of 13 findings right, commit 351b7d3); 0.22 (2 of 9)
	// after the fixes that run led to, which are fitted to this set. The
	// test fails when the analyzer does worse than it did blind. The issue
	// asks 0.90.
	heldOut5Precision = 0.15
)

// heldOut5MinLang is how many replies each language holds at least.
var heldOut5MinLang = map[string]int{"en": 60, "it": 20, "ru": 15}

// TestRealHeldOut5Set measures the analyzer on testdata/realheldout5.jsonl
// and logs the per-sin table and the per-channel lines.
func TestRealHeldOut5Set(t *testing.T) {
	m := measureReal(t, "testdata/realheldout5.jsonl")
	if m.replies < heldOut5MinReplies || m.replies-m.good < heldOut5MinSinful {
		t.Errorf("%d replies, %d with a sin: want at least %d and %d", m.replies, m.replies-m.good, heldOut5MinReplies, heldOut5MinSinful)
	}
	for lang, min := range heldOut5MinLang {
		if m.perLang[lang] < min {
			t.Errorf("only %d %s replies, want at least %d", m.perLang[lang], lang, min)
		}
	}
	if m.all.tp+m.all.fp == 0 {
		t.Fatal("no finding at all: precision cannot be measured")
	}
	if m.all.precision() < heldOut5Precision {
		t.Errorf("all findings: precision %.2f below %.2f", m.all.precision(), heldOut5Precision)
	}
}
