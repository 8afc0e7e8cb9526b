package quality

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/rapport/rapport/internal/text"
)

//go:embed resources/*.json
var embedded embed.FS

// resourceFile is the shape of one language resource file. The embedded
// files (resources/LANG.json) and a business's own files (LANG.json or
// LANG.NAME.json in Opts.ResourceDir) share it; a business file adds to the
// lists and replaces single messages. docs/QUALITY.md describes each part.
type resourceFile struct {
	// Lang is the language code; it may be left out when the file name starts with it.
	Lang string `json:"lang"`
	// Detect adds to what the language detector counts: frequent short
	// words and letters no other supported language uses. The built-in
	// languages' lists are internal/text's (text.BuiltinProfile).
	Detect struct {
		Stopwords []string `json:"stopwords"`
		Letters   string   `json:"letters"`
	} `json:"detect"`
	// Markers are named groups of patterns the checks look for (greeting,
	// closing, empathy, problem, ...).
	Markers map[string][]string `json:"markers"`
	// Rules are phrase rules: a match is a finding of Sin unless a marker
	// group in Unless is present in the reply, or a pattern in
	// CustomerUnless appears in what the customer wrote.
	Rules []ruleSpec `json:"rules"`
	// Jargon is the glossary of terms a customer may not know.
	Jargon []jargonSpec `json:"jargon"`
	// KnownAcronyms are upper-case words customers are expected to know.
	KnownAcronyms []string `json:"known_acronyms"`
	// ChannelTerms are, per channel ("social", "forum", ...), the words
	// the channel itself shows its users ("DM" on social media, "PR" on a
	// code forum): neither an unknown acronym nor jargon there. A trailing
	// "*" matches any ending.
	ChannelTerms map[string][]string `json:"channel_terms"`
	// Disable lists rule ids to switch off.
	Disable []string `json:"disable"`
	// Sins names each sin in this language, for the agent's UI.
	Sins map[string]string `json:"sins"`
	// Messages holds, by rule id (or by sin, as a fallback for a
	// business's own rules), the explanation and suggestion in this
	// language, for the agent's UI.
	Messages map[string]message `json:"messages"`
}

type ruleSpec struct {
	ID             string   `json:"id"`
	Sin            Sin      `json:"sin"`
	Patterns       []string `json:"patterns"`
	Unless         []string `json:"unless,omitempty"`
	CustomerUnless []string `json:"customer_unless,omitempty"`
}

type jargonSpec struct {
	Term  string `json:"term"`
	Plain string `json:"plain"`
}

type message struct {
	Explanation string `json:"explanation"`
	Suggestion  string `json:"suggestion"`
}

// Marker groups the checks use by name.
const (
	mGreeting        = "greeting"
	mClosing         = "closing"
	mPersonal        = "personal"
	mEmpathy         = "empathy"
	mAcknowledgement = "acknowledgement"
	mAction          = "action"
	// mEngagement is a reply that works on the problem with the customer
	// without fixing it itself: the steps or the guide to follow, "let's
	// try", "make sure that". It answers a problem (and, on a chat or
	// social turn, a feeling) but does not excuse sending the customer to
	// another channel, as an action does.
	mEngagement  = "engagement"
	mAlternative = "alternative"
	mProblem     = "problem"
	mFeeling     = "feeling"
	mSolved      = "solved" // the customer reports the problem gone
	mHardship    = "hardship"
	mIDRequest   = "id_request"
	mReference   = "reference"
	mRefusal     = "refusal"
	mNegation    = "negation"
	// mUIControl is a verb that names pressing or choosing a control
	// ("press", "нажмите", "clicca su"): a bracket right after it is the
	// control's label, not an unfilled template field.
	mUIControl = "ui_control"
	// mDismissal is a reply that ends the matter for the customer: it
	// closes the thread ("closing this in favour of #12", "chiudo la
	// issue", "закрываю"), declares the report not a bug, or tells them
	// to wait ("жди"). On a forum or social turn it is what corroborates
	// apathy.problem_ignored (see corroboratedRules).
	mDismissal = "dismissal"
	// mThirdPartySupport is another company's support desk named as the
	// destination ("your bank's support", "службу поддержки провайдера"):
	// sending the customer there is a brush-off, never runaround.
	mThirdPartySupport = "third_party_support"
	// mOwnSupport is the business's own support channel named as such
	// ("our support team", "il nostro servizio clienti"): sending the
	// customer there is runaround (another of our inboxes), not brush-off
	// (another department or company).
	mOwnSupport = "own_support"
	// mFallback is a condition that makes another channel a fallback to
	// the reply's own help ("if this doesn't work", "se il problema
	// persiste", "если это не поможет"): a reply that gives its step and
	// then names where to write if the step fails is not runaround, whose
	// mark is that the other channel is the only road.
	mFallback = "fallback"
)

// negatable are the marker groups that a negation just before cancels.
var negatable = map[string]bool{mEmpathy: true, mAcknowledgement: true, mAction: true, mAlternative: true, mPersonal: true}

var markerGroups = []string{mGreeting, mClosing, mPersonal, mEmpathy, mAcknowledgement, mAction, mEngagement,
	mAlternative, mProblem, mSolved, mFeeling, mHardship, mIDRequest, mReference, mRefusal, mNegation, mOwnSupport, mDismissal, mThirdPartySupport, mFallback}

// ownerKind says what a compiled pattern belongs to.
type ownerKind uint8

const (
	ownMarker ownerKind = iota
	ownRule
	ownJargon
)

type owner struct {
	kind ownerKind
	idx  int // index into markers, rules or jargon
}

type rule struct {
	id             string
	sin            Sin
	unless         []int // marker indexes
	customerUnless *text.Matcher
}

// language is one language's compiled resources.
type language struct {
	code      string
	m         *text.Matcher
	owners    []owner
	markers   []string       // marker index -> group name
	markerIdx map[string]int // group name -> marker index
	rules     []rule
	jargon    []jargonSpec
	stop      map[string]bool
	known     map[string]bool
	chanTerms map[string][]string // channel -> folded terms, "*" suffix for any ending
	disabled  map[string]bool
	sins      map[string]string
	messages  map[string]message
}

// loadResources reads the embedded files and then the files in dir, if any,
// merging those of one language in name order.
func loadResources(dir string) (map[string]*resourceFile, error) {
	files := map[string]*resourceFile{}
	if err := readResourceDir(embedded, "resources", files); err != nil {
		return nil, err
	}
	if dir != "" {
		if err := readResourceDir(os.DirFS(dir), ".", files); err != nil {
			return nil, err
		}
	}
	return files, nil
}

func readResourceDir(fsys fs.FS, dir string, into map[string]*resourceFile) error {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return fmt.Errorf("quality: resources: %w", err)
	}
	var names []string
	for _, e := range entries {
		if !e.IsDir() && strings.HasSuffix(e.Name(), ".json") {
			names = append(names, e.Name())
		}
	}
	sort.Strings(names)
	for _, name := range names {
		data, err := fs.ReadFile(fsys, path.Join(dir, name))
		if err != nil {
			return fmt.Errorf("quality: resources: %w", err)
		}
		var f resourceFile
		dec := json.NewDecoder(strings.NewReader(string(data)))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&f); err != nil {
			return fmt.Errorf("quality: resources: %s: %w", name, err)
		}
		lang, _, _ := strings.Cut(strings.TrimSuffix(name, ".json"), ".")
		if f.Lang == "" {
			f.Lang = lang
		}
		if f.Lang != lang {
			return fmt.Errorf("quality: resources: %s says lang %q; name the file %s.json or %s.NAME.json", name, f.Lang, f.Lang, f.Lang)
		}
		if cur, ok := into[lang]; ok {
			cur.merge(&f)
		} else {
			into[lang] = &f
		}
	}
	return nil
}

// merge adds the lists of g to f and lets g's single entries replace f's.
func (f *resourceFile) merge(g *resourceFile) {
	f.Detect.Stopwords = append(f.Detect.Stopwords, g.Detect.Stopwords...)
	f.Detect.Letters += g.Detect.Letters
	if f.Markers == nil {
		f.Markers = map[string][]string{}
	}
	for k, v := range g.Markers {
		f.Markers[k] = append(f.Markers[k], v...)
	}
	for _, r := range g.Rules {
		found := false
		for i := range f.Rules {
			if f.Rules[i].ID == r.ID {
				f.Rules[i].Patterns = append(f.Rules[i].Patterns, r.Patterns...)
				f.Rules[i].Unless = append(f.Rules[i].Unless, r.Unless...)
				f.Rules[i].CustomerUnless = append(f.Rules[i].CustomerUnless, r.CustomerUnless...)
				found = true
				break
			}
		}
		if !found {
			f.Rules = append(f.Rules, r)
		}
	}
	f.Jargon = append(f.Jargon, g.Jargon...)
	f.KnownAcronyms = append(f.KnownAcronyms, g.KnownAcronyms...)
	if f.ChannelTerms == nil {
		f.ChannelTerms = map[string][]string{}
	}
	for k, v := range g.ChannelTerms {
		f.ChannelTerms[k] = append(f.ChannelTerms[k], v...)
	}
	f.Disable = append(f.Disable, g.Disable...)
	if f.Sins == nil {
		f.Sins = map[string]string{}
	}
	for k, v := range g.Sins {
		f.Sins[k] = v
	}
	if f.Messages == nil {
		f.Messages = map[string]message{}
	}
	for k, v := range g.Messages {
		f.Messages[k] = v
	}
}

// compile turns a merged resource file into a language ready to scan with.
func compile(f *resourceFile) (*language, error) {
	l := &language{
		code:      f.Lang,
		m:         text.NewMatcher(text.FoldCase),
		markerIdx: map[string]int{},
		stop:      map[string]bool{},
		known:     map[string]bool{},
		disabled:  map[string]bool{},
		sins:      f.Sins,
		messages:  f.Messages,
	}
	fail := func(what string, err error) error {
		return fmt.Errorf("quality: resources %s: %s: %w", f.Lang, what, err)
	}
	groups := append([]string(nil), markerGroups...)
	var extra []string
	for g := range f.Markers {
		if !contains(markerGroups, g) {
			extra = append(extra, g)
		}
	}
	sort.Strings(extra)
	groups = append(groups, extra...)
	for _, g := range groups {
		idx := len(l.markers)
		l.markers = append(l.markers, g)
		l.markerIdx[g] = idx
		own := len(l.owners)
		l.owners = append(l.owners, owner{kind: ownMarker, idx: idx})
		for _, p := range f.Markers[g] {
			if err := l.m.Add(p, own); err != nil {
				return nil, fail("marker "+g, err)
			}
		}
	}
	for _, rs := range f.Rules {
		if rs.ID == "" || !validSin(rs.Sin) {
			return nil, fail("rule "+rs.ID, fmt.Errorf("a rule needs an id and one of the seven sins, got sin %q", rs.Sin))
		}
		r := rule{id: rs.ID, sin: rs.Sin}
		for _, g := range rs.Unless {
			idx, ok := l.markerIdx[g]
			if !ok {
				return nil, fail("rule "+rs.ID, fmt.Errorf("unknown marker group %q in unless", g))
			}
			r.unless = append(r.unless, idx)
		}
		if len(rs.CustomerUnless) > 0 {
			r.customerUnless = text.NewMatcher(text.FoldCase)
			for _, p := range rs.CustomerUnless {
				if err := r.customerUnless.Add(p, 0); err != nil {
					return nil, fail("rule "+rs.ID, err)
				}
			}
		}
		own := len(l.owners)
		l.owners = append(l.owners, owner{kind: ownRule, idx: len(l.rules)})
		l.rules = append(l.rules, r)
		for _, p := range rs.Patterns {
			if err := l.m.Add(p, own); err != nil {
				return nil, fail("rule "+rs.ID, err)
			}
		}
	}
	for _, j := range f.Jargon {
		own := len(l.owners)
		l.owners = append(l.owners, owner{kind: ownJargon, idx: len(l.jargon)})
		l.jargon = append(l.jargon, j)
		if err := l.m.Add(j.Term, own); err != nil {
			return nil, fail("jargon", err)
		}
	}
	// Stop words also tell the checks which words say nothing of the
	// problem: the built-in profile's and the file's.
	builtin, _ := text.BuiltinProfile(f.Lang)
	for _, w := range append(append([]string(nil), builtin.Stopwords...), f.Detect.Stopwords...) {
		l.stop[text.FoldWord(w, text.FoldCase)] = true
	}
	for _, a := range f.KnownAcronyms {
		l.known[strings.ToUpper(a)] = true
	}
	l.chanTerms = map[string][]string{}
	for ch, terms := range f.ChannelTerms {
		for _, t := range terms {
			l.chanTerms[normChannel(ch)] = append(l.chanTerms[normChannel(ch)], text.FoldWord(t, text.FoldCase))
		}
	}
	for _, id := range f.Disable {
		l.disabled[id] = true
	}
	if l.sins == nil {
		l.sins = map[string]string{}
	}
	if l.messages == nil {
		l.messages = map[string]message{}
	}
	if !utf8.ValidString(f.Detect.Letters) {
		return nil, fail("detect", fmt.Errorf("letters are not UTF-8"))
	}
	return l, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
