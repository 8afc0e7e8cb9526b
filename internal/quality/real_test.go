package quality

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
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

// TestRealSet measures the analyzer on real support replies
// (testdata/real.jsonl): precision is what matters here, since a finding
// on a reply a good support team actually sent is a false alarm the agent
// learns to ignore. QUALITY_DEBUG=1 lists every false alarm and miss.
func TestRealSet(t *testing.T) {
	a := newTestAnalyzer(t)
	set := readReal(t, "testdata/real.jsonl")
	debug := os.Getenv("QUALITY_DEBUG") != ""
	bySin := map[Sin]*counts{}
	for _, s := range Sins {
		bySin[s] = &counts{}
	}
	byChannel := map[string]*counts{}
	perChannel, perLang := map[string]int{}, map[string]int{}
	good, goodClean := 0, 0
	for _, r := range set {
		fs := a.Analyze(context.Background(), Input{Text: r.Text, Lang: r.Lang, Conversation: r.Conversation, Channel: r.Channel})
		got, want := map[Sin]bool{}, map[Sin]bool{}
		for _, f := range fs {
			got[f.Sin] = true
		}
		for _, s := range r.Sins {
			want[s] = true
		}
		perChannel[r.Channel]++
		perLang[r.Lang]++
		if len(want) == 0 {
			good++
			if len(fs) == 0 {
				goodClean++
			}
		}
		if byChannel[r.Channel] == nil {
			byChannel[r.Channel] = &counts{}
		}
		for _, s := range Sins {
			c := bySin[s]
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
	var all counts
	var b strings.Builder
	fmt.Fprintf(&b, "\nreal set: %d replies (%d good); channels %v; languages %v\n", len(set), good, perChannel, perLang)
	fmt.Fprintf(&b, "%-14s %5s %5s %5s %9s %7s\n", "sin", "tp", "fp", "fn", "precision", "recall")
	for _, s := range Sins {
		c := bySin[s]
		all.tp += c.tp
		all.fp += c.fp
		all.fn += c.fn
		fmt.Fprintf(&b, "%-14s %5d %5d %5d %9.2f %7.2f\n", s, c.tp, c.fp, c.fn, c.precision(), c.recall())
	}
	fmt.Fprintf(&b, "all findings: tp %d fp %d fn %d precision %.2f recall %.2f\n", all.tp, all.fp, all.fn, all.precision(), all.recall())
	for ch, c := range byChannel {
		fmt.Fprintf(&b, "channel %-7s %3d replies: tp %d fp %d fn %d precision %.2f\n", ch, perChannel[ch], c.tp, c.fp, c.fn, c.precision())
	}
	fmt.Fprintf(&b, "good replies with no finding: %d/%d\n", goodClean, good)
	t.Log(b.String())
}
