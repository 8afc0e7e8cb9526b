package quality

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"
)

// realSets are every set of real replies, in the order they were collected.
var realSets = []string{
	"testdata/real.jsonl",
	"testdata/realheldout.jsonl",
	"testdata/realheldout2.jsonl",
	"testdata/realheldout3.jsonl",
	"testdata/realheldout4.jsonl",
	"testdata/realheldout5.jsonl",
	"testdata/realheldout7.jsonl",
}

// realRun is one real reply and what the analyzer found in it with the
// evidence gate off.
type realRun struct {
	set   string
	reply realReply
	fs    []Finding
}

// runUngated analyses every real reply with the evidence gate off.
func runUngated(t testing.TB) []realRun {
	a := newRuleAnalyzer(t)
	var out []realRun
	for _, path := range realSets {
		for _, r := range readReal(t, path) {
			fs := a.Analyze(context.Background(), Input{Text: r.Text, Lang: r.Lang, Conversation: r.Conversation, Channel: r.Channel})
			out = append(out, realRun{set: path, reply: r, fs: fs})
		}
	}
	return out
}

// evidenceOf counts, per rule and channel class, the replies (outside the
// sets skip names) where the rule fired and the reply shows its sin (right) or not
// (wrong); a rule that fires twice on one reply counts once.
func evidenceOf(runs []realRun, skip ...string) map[string]map[string]ruleEvidence {
	ev := map[string]map[string]ruleEvidence{}
	for _, run := range runs {
		if slices.Contains(skip, run.set) {
			continue
		}
		want := map[Sin]bool{}
		for _, s := range run.reply.Sins {
			want[s] = true
		}
		cl := channelClass(run.reply.Channel)
		seen := map[string]bool{}
		for _, f := range run.fs {
			if seen[f.Rule] {
				continue
			}
			seen[f.Rule] = true
			if ev[f.Rule] == nil {
				ev[f.Rule] = map[string]ruleEvidence{}
			}
			e := ev[f.Rule][cl]
			if want[f.Sin] {
				e.right++
			} else {
				e.wrong++
			}
			ev[f.Rule][cl] = e
		}
	}
	return ev
}

// scoreGated counts, per reply and sin as measureReal does, the findings
// on the replies of set only that gate g lets through (all when g is nil).
func scoreGated(runs []realRun, g *evidenceGate, only string) counts {
	var c counts
	for _, run := range runs {
		if run.set != only {
			continue
		}
		got, want := map[Sin]bool{}, map[Sin]bool{}
		for _, f := range run.fs {
			if g.speaks(f.Rule, run.reply.Channel) {
				got[f.Sin] = true
			}
		}
		for _, s := range run.reply.Sins {
			want[s] = true
		}
		for _, s := range Sins {
			switch {
			case got[s] && want[s]:
				c.tp++
			case got[s]:
				c.fp++
			case want[s]:
				c.fn++
			}
		}
	}
	return c
}

// TestRealEvidence: the evidence gate's record (realEvidence) is what the
// rules do on the real sets now. When a rule or a set changes, the test
// prints the table to paste into evidence.go.
func TestRealEvidence(t *testing.T) {
	got := evidenceOf(runUngated(t))
	if reflect.DeepEqual(got, realEvidence) {
		return
	}
	ids := make([]string, 0, len(got))
	for id := range got {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	var b strings.Builder
	b.WriteString("var realEvidence = map[string]map[string]ruleEvidence{\n")
	for _, id := range ids {
		cls := make([]string, 0, len(got[id]))
		for cl := range got[id] {
			cls = append(cls, cl)
		}
		sort.Strings(cls)
		fmt.Fprintf(&b, "\t%q: {", id)
		for i, cl := range cls {
			if i > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "%q: {%d, %d}", cl, got[id][cl].right, got[id][cl].wrong)
		}
		b.WriteString("},\n")
	}
	b.WriteString("}\n")
	t.Errorf("realEvidence is not what the rules do on the real sets now; measured:\n%s", b.String())
}

// looMinPrecision is the pooled nested leave-one-set-out precision over
// the seven real sets (40 of 46, 0.87; it was 33 of 41, 0.80, over six when
// the evidence gate was built; docs/QUALITY.md); the test fails below it.
const looMinPrecision = 0.86

// choosePrior picks the gate's prior by leave-one-set-out over sets: the
// prior whose gates, each built without one set and measured on it, find
// the most right findings at a pooled precision of at least gateThreshold;
// when none reaches it, the most precise. It returns the choice and each
// prior's pooled counts, in gatePriors' order.
func choosePrior(runs []realRun, sets []string, exclude ...string) (float64, []counts) {
	var per []counts
	best, bestC := gatePriors[0], counts{tp: -1}
	for _, p := range gatePriors {
		var c counts
		for _, held := range sets {
			g := newEvidenceGate(evidenceOf(runs, append([]string{held}, exclude...)...), p)
			s := scoreGated(runs, g, held)
			c.tp, c.fp, c.fn = c.tp+s.tp, c.fp+s.fp, c.fn+s.fn
		}
		per = append(per, c)
		ok, bestOK := c.precision() >= gateThreshold, bestC.tp >= 0 && bestC.precision() >= gateThreshold
		switch {
		case bestC.tp < 0,
			ok && !bestOK,
			ok && bestOK && c.tp > bestC.tp,
			!ok && !bestOK && c.precision() > bestC.precision():
			best, bestC = p, c
		}
	}
	return best, per
}

// TestRealLeaveOneOut estimates the gate's precision on writing it has not
// seen. For each real set, the gate (its evidence and its prior) is built
// from the other sets alone and measured on the held-out one; the
// prior is chosen by an inner leave-one-set-out over those others (nested, so
// the choice never sees the held-out set). The rules' phrases were fitted
// to all seven sets, so this holds out the gate, not the phrases;
// docs/QUALITY.md says so beside the figures. The test also checks that
// the prior in use (gatePrior) is the one leave-one-set-out over all seven
// sets chooses.
func TestRealLeaveOneOut(t *testing.T) {
	runs := runUngated(t)
	var pooled, pooledOff counts
	var b strings.Builder
	fmt.Fprintf(&b, "\n%-30s %5s %4s %4s %4s %9s %7s   %s\n", "held-out set", "prior", "tp", "fp", "fn", "precision", "recall", "gate off")
	for _, held := range realSets {
		var inner []string
		for _, s := range realSets {
			if s != held {
				inner = append(inner, s)
			}
		}
		p, _ := choosePrior(runs, inner, held)
		c := scoreGated(runs, newEvidenceGate(evidenceOf(runs, held), p), held)
		off := scoreGated(runs, nil, held)
		pooled.tp, pooled.fp, pooled.fn = pooled.tp+c.tp, pooled.fp+c.fp, pooled.fn+c.fn
		pooledOff.tp, pooledOff.fp, pooledOff.fn = pooledOff.tp+off.tp, pooledOff.fp+off.fp, pooledOff.fn+off.fn
		fmt.Fprintf(&b, "%-30s %5.2f %4d %4d %4d %9.2f %7.2f   %.2f (%d/%d)\n", held, p, c.tp, c.fp, c.fn, c.precision(), c.recall(), off.precision(), off.tp, off.tp+off.fp)
	}
	fmt.Fprintf(&b, "%-30s %5s %4d %4d %4d %9.2f %7.2f   %.2f (%d/%d)\n", "pooled (nested)", "", pooled.tp, pooled.fp, pooled.fn, pooled.precision(), pooled.recall(), pooledOff.precision(), pooledOff.tp, pooledOff.tp+pooledOff.fp)
	chosen, per := choosePrior(runs, realSets)
	for i, p := range gatePriors {
		fmt.Fprintf(&b, "prior %.2f, leave-one-set-out over all seven: tp %d fp %d fn %d precision %.2f recall %.2f\n", p, per[i].tp, per[i].fp, per[i].fn, per[i].precision(), per[i].recall())
	}
	t.Log(b.String())
	if chosen != gatePrior {
		t.Errorf("leave-one-set-out over the seven sets chooses prior %.2f, the gate uses %.2f", chosen, gatePrior)
	}
	if pooled.precision() < looMinPrecision {
		t.Errorf("nested leave-one-set-out precision %.2f below %.2f", pooled.precision(), looMinPrecision)
	}
}

// ruleCount is how often one rule's findings were right (the reply is
// labelled with the rule's sin) and wrong, per channel.
type ruleCount struct {
	tp, fp int
	byChan map[string][2]int
}

// measureRules runs the analyzer over every real set and counts, per rule,
// the replies where the rule fired and the reply truly shows its sin (tp)
// or does not (fp). A rule that fires twice on one reply counts once.
func measureRules(t testing.TB) map[string]*ruleCount {
	a := newTestAnalyzer(t)
	out := map[string]*ruleCount{}
	for _, path := range realSets {
		for _, r := range readReal(t, path) {
			want := map[Sin]bool{}
			for _, s := range r.Sins {
				want[s] = true
			}
			seen := map[string]bool{}
			for _, f := range a.Analyze(context.Background(), Input{Text: r.Text, Lang: r.Lang, Conversation: r.Conversation, Channel: r.Channel}) {
				if seen[f.Rule] {
					continue
				}
				seen[f.Rule] = true
				rc := out[f.Rule]
				if rc == nil {
					rc = &ruleCount{byChan: map[string][2]int{}}
					out[f.Rule] = rc
				}
				ch := rc.byChan[r.Channel]
				if want[f.Sin] {
					rc.tp++
					ch[0]++
				} else {
					rc.fp++
					ch[1]++
				}
				rc.byChan[r.Channel] = ch
			}
		}
	}
	return out
}

// TestRealRulePrecision logs, for every rule that fires on the real sets,
// how often it is right, overall and per channel: the figures behind the
// precision-first gate in docs/QUALITY.md.
func TestRealRulePrecision(t *testing.T) {
	rules := measureRules(t)
	ids := make([]string, 0, len(rules))
	for id := range rules {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	var b strings.Builder
	fmt.Fprintf(&b, "\n%-34s %4s %4s %9s  per channel (tp/fp)\n", "rule", "tp", "fp", "precision")
	for _, id := range ids {
		rc := rules[id]
		chans := make([]string, 0, len(rc.byChan))
		for ch, n := range rc.byChan {
			chans = append(chans, fmt.Sprintf("%s %d/%d", ch, n[0], n[1]))
		}
		sort.Strings(chans)
		fmt.Fprintf(&b, "%-34s %4d %4d %9.2f  %s\n", id, rc.tp, rc.fp, float64(rc.tp)/float64(rc.tp+rc.fp), strings.Join(chans, ", "))
	}
	// Every real reply together, per channel, counted per reply and sin as
	// the per-set tests count.
	all, byChan := counts{}, map[string]*counts{}
	for _, path := range realSets {
		m := measureReal(t, path)
		all.tp, all.fp, all.fn = all.tp+m.all.tp, all.fp+m.all.fp, all.fn+m.all.fn
		for ch, c := range m.byChannel {
			if byChan[ch] == nil {
				byChan[ch] = &counts{}
			}
			byChan[ch].tp, byChan[ch].fp, byChan[ch].fn = byChan[ch].tp+c.tp, byChan[ch].fp+c.fp, byChan[ch].fn+c.fn
		}
	}
	fmt.Fprintf(&b, "all real sets: tp %d fp %d fn %d precision %.2f recall %.2f\n", all.tp, all.fp, all.fn, all.precision(), all.recall())
	chans := make([]string, 0, len(byChan))
	for ch := range byChan {
		chans = append(chans, ch)
	}
	sort.Strings(chans)
	for _, ch := range chans {
		c := byChan[ch]
		fmt.Fprintf(&b, "  %-7s tp %d fp %d fn %d precision %.2f\n", ch, c.tp, c.fp, c.fn, c.precision())
	}
	t.Log(b.String())
	if all.precision() < realAllPrecision {
		t.Errorf("all real sets: precision %.2f below %.2f", all.precision(), realAllPrecision)
	}
	// The gate's own bar: no rule may again be wrong more often than right
	// on a channel where it fires at least three times, except where
	// docs/QUALITY.md says why it is kept.
	for _, id := range ids {
		for ch, n := range rules[id].byChan {
			if n[0]+n[1] >= 3 && n[0] < n[1] && !keptWeak[id+"/"+ch] {
				t.Errorf("%s on %s: right %d, wrong %d: gate it or fix it", id, ch, n[0], n[1])
			}
		}
	}
}

// realAllPrecision is the precision over all seven real sets together with
// the evidence gate (46 of 50, 0.92; 38 of 42 over the first six, 67 of 78
// over the first five with the hand-made gate); the test fails below it.
const realAllPrecision = 0.92

// keptWeak are the rules, per channel, that stay on although they were
// wrong more often than right there: coldness.no_greeting_closing on email
// is the rule's purpose (a letter owes a greeting or a closing), and its two
// errors are a vocative it cannot read ("Massimo, …") and a label the set's
// own boundary contradicts; docs/QUALITY.md records them.
var keptWeak = map[string]bool{"coldness.no_greeting_closing/email": true}

// TestPrecisionGate: the rules that were unreliable on real replies keep
// silent on the channels where they were, and still fire in a letter; the
// forum's corroboration rule still holds beneath the evidence gate.
func TestPrecisionGate(t *testing.T) {
	a := newTestAnalyzer(t)
	ungated := newRuleAnalyzer(t)
	has := func(fs []Finding, rule string) bool {
		for _, f := range fs {
			if f.Rule == rule {
				return true
			}
		}
		return false
	}
	// apathy.problem_ignored: a terse reply beside the problem is apathy in
	// a letter. On a forum the rule itself fires only when the reply also
	// ends the matter (closes the thread, calls it no bug, tells the
	// customer to wait), and even then the evidence gate keeps it silent
	// there and on social (real forum replies: 4 right, 4 wrong).
	problem := []struct {
		lang, cust, terse, ends string
	}{
		{"en", "The export is broken, it fails every time.", "Our office is open nine to five on weekdays.",
			"Our office is open nine to five on weekdays. Closing this in favour of #12."},
		{"it", "L'esportazione non funziona, dà sempre errore.", "Il nostro ufficio è aperto dalle nove alle cinque.",
			"Il nostro ufficio è aperto dalle nove alle cinque. Chiudo la issue."},
		{"ru", "Экспорт не работает, всё время ошибка.", "Наш офис открыт с девяти до пяти.",
			"Наш офис открыт с девяти до пяти. Закрываю тикет."},
		{"lv", "Eksports nedarbojas, vienmēr ir kļūda.", "Mūsu birojs strādā no deviņiem līdz pieciem.",
			"Mūsu birojs strādā no deviņiem līdz pieciem. Slēdzu šo pieteikumu."},
		{"ca", "L'exportació no funciona, sempre dona error.", "La nostra oficina obre de nou a cinc.",
			"La nostra oficina obre de nou a cinc. Tanco aquesta incidència."},
	}
	for _, tc := range problem {
		conv := []Turn{{Role: "customer", Text: tc.cust}}
		run := func(a *Analyzer, text, ch string) bool {
			return has(a.Analyze(context.Background(), Input{Text: text, Lang: tc.lang, Channel: ch, Conversation: conv}), ruleProblemIgnored)
		}
		if !run(a, tc.terse, "email") {
			t.Errorf("%s %q by email: want apathy.problem_ignored", tc.lang, tc.terse)
		}
		if run(ungated, tc.terse, "forum") {
			t.Errorf("%s %q on a forum, gate off: terse is the habit there, want no apathy.problem_ignored", tc.lang, tc.terse)
		}
		if !run(ungated, tc.ends, "forum") {
			t.Errorf("%s %q on a forum, gate off: it closes the thread, want apathy.problem_ignored", tc.lang, tc.ends)
		}
		for _, ch := range []string{"forum", "social"} {
			if run(a, tc.ends, ch) {
				t.Errorf("%s %q on %s: gated, want no apathy.problem_ignored", tc.lang, tc.ends, ch)
			}
		}
	}
	// The word-level condescension rules and the stock phrase keep silent in
	// a brand's public reply, and still fire in a letter.
	for _, tc := range []struct{ lang, text, rule string }{
		{"en", "Hi, the DVR keeps recordings for nine months. Thanks", ruleAcronym},
		{"en", "Hi Ann, we apologise for any inconvenience caused. Your parcel left today. Thanks", "robotism.canned"},
		{"it", "Ciao Anna, ci scusiamo per il disagio arrecato. Il pacco è partito oggi. Grazie", "robotism.canned"},
		{"ru", "Здравствуйте, Анна, приносим извинения за доставленные неудобства. Посылка ушла сегодня. Спасибо", "robotism.canned"},
	} {
		if !has(a.Analyze(context.Background(), Input{Text: tc.text, Lang: tc.lang, Channel: "email"}), tc.rule) {
			t.Errorf("%s %q by email: want %s", tc.lang, tc.text, tc.rule)
		}
		if has(a.Analyze(context.Background(), Input{Text: tc.text, Lang: tc.lang, Channel: "social"}), tc.rule) {
			t.Errorf("%s %q on social: gated, want no %s", tc.lang, tc.text, tc.rule)
		}
	}
}

// TestThirdPartySupportNotRunaround: sending the customer to another
// company's support desk is not runaround (it is a brush-off, when the
// brush-off rules see it); a customer who asks whether there is a support
// team is answered, not run around, by its address; a customer who asks how
// to report abuse is answered, not lectured, by the terms it breaks.
func TestThirdPartySupportNotRunaround(t *testing.T) {
	a := newTestAnalyzer(t)
	for _, tc := range []struct{ lang, cust, text string }{
		{"en", "", "Please contact the support of your bank about the charge."},
		{"it", "", "Contatti l'assistenza della sua banca per l'addebito."},
		{"ru", "", "Обратитесь в службу поддержки провайдера и узнайте причину."},
		{"en", "Do you have a customer service dept? No way to ask questions.", "Hi Ann, you can contact our support team here: https://example.com/support"},
		{"it", "Avete un servizio clienti? Non trovo come scrivervi.", "Ciao Anna, la invitiamo a contattare il nostro servizio clienti qui: https://example.com/supporto"},
		{"ru", "У вас есть служба поддержки? Не могу найти, куда писать.", "Здравствуйте, обратитесь в службу поддержки здесь: https://example.com/support"},
	} {
		var conv []Turn
		if tc.cust != "" {
			conv = []Turn{{Role: "customer", Text: tc.cust}}
		}
		if fs := a.Analyze(context.Background(), Input{Text: tc.text, Lang: tc.lang, Channel: "forum", Conversation: conv}); hasSin(fs, Runaround) {
			t.Errorf("%s %q: got %v, want no runaround", tc.lang, tc.text, sinsOf(fs))
		}
	}
	// Our own support desk is still runaround, in Russian also in the
	// forms a tracker uses ("в тех поддержку", "в support").
	for _, text := range []string{"Напишите пожалуйста в support, посмотрят что не так.", "Напишите завтра в тех поддержку."} {
		if fs := a.Analyze(context.Background(), Input{Text: text, Lang: "ru", Channel: "forum"}); !hasSin(fs, Runaround) {
			t.Errorf("ru %q: got %v, want runaround", text, sinsOf(fs))
		}
	}
	for _, tc := range []struct{ lang, cust, text string }{
		{"en", "How can I report a website that is committing fraud on your platform?", "Hello, if you have found a site that violates our terms of service please report it through our Abuse page: https://example.com/abuse"},
	} {
		fs := a.Analyze(context.Background(), Input{Text: tc.text, Lang: tc.lang, Channel: "social", Conversation: []Turn{{Role: "customer", Text: tc.cust}}})
		if hasSin(fs, Rulebook) {
			t.Errorf("%s %q: got %v, want no rulebook", tc.lang, tc.text, sinsOf(fs))
		}
	}
}
