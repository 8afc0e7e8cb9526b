// Package quality is the reply analyzer: it reads a draft reply of an agent,
// with the conversation so far, and points out the seven sins of service
// (apathy, brush-off, coldness, condescension, robotism, rulebook and
// runaround) while there is still time to fix them.
//
// Every finding names the rule that made it and the words it matched. The
// rules are phrase patterns and marker word lists kept per language in
// resource files (resources/LANG.json, embedded), which a business extends
// with files of its own; docs/QUALITY.md describes them. The package has no
// network or database dependency: it is pure computation, fast enough to run
// as the agent types.
package quality

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/rapport/rapport/internal/text"
)

// Sin is one of the seven sins of service.
type Sin string

// The seven sins.
const (
	Apathy        Sin = "apathy"
	BrushOff      Sin = "brushoff"
	Coldness      Sin = "coldness"
	Condescension Sin = "condescension"
	Robotism      Sin = "robotism"
	Rulebook      Sin = "rulebook"
	Runaround     Sin = "runaround"
)

// Sins lists the seven sins in display order.
var Sins = []Sin{Apathy, BrushOff, Coldness, Condescension, Robotism, Rulebook, Runaround}

func validSin(s Sin) bool {
	for _, x := range Sins {
		if x == s {
			return true
		}
	}
	return false
}

// Turn is one earlier message of the conversation.
type Turn struct {
	// Role is "customer" or "agent".
	Role string `json:"role"`
	Text string `json:"text"`
}

// Input is a draft reply to analyse.
type Input struct {
	// Text is the draft reply.
	Text string
	// Lang is the reply's language; when empty or not loaded, it is
	// detected from the text.
	Lang string
	// Conversation is the thread so far, oldest first. Apathy, the jargon
	// check and the exceptions that depend on what the customer asked use
	// it; without it those checks assume the customer said nothing.
	Conversation []Turn
	// UILang is the language of the explanations and suggestions (the
	// agent's UI language); English when empty or unknown.
	UILang string
	// Channel is where the reply goes: "email" or "web" (a letter, which
	// keeps the greeting-and-closing check), "chat", "phone", "sms",
	// "social" or "forum" (one turn of a running exchange, which does
	// not), as the ticket's channel names it. Its vocabulary ("DM" on
	// social, "PR" on a forum) is not condescension. Empty or unknown
	// channels are read as letters.
	Channel string
}

// Finding is one sin found in a reply.
type Finding struct {
	Sin Sin `json:"sin"`
	// Label is the sin's name in the UI language.
	Label string `json:"label"`
	// Rule is the id of the rule that fired, e.g. "runaround.faq".
	Rule string `json:"rule"`
	// Start and End are byte offsets of the span in Input.Text.
	Start int `json:"start"`
	End   int `json:"end"`
	// RuneStart and RuneEnd are the same span counted in Unicode code points.
	RuneStart int `json:"rune_start"`
	RuneEnd   int `json:"rune_end"`
	// Quote is Input.Text[Start:End].
	Quote string `json:"quote"`
	// Pattern is the resource pattern that matched, for phrase rules.
	Pattern string `json:"pattern,omitempty"`
	// Trigger is what made a context rule apply: the customer's words for
	// apathy, the term for jargon.
	Trigger     string `json:"trigger,omitempty"`
	Explanation string `json:"explanation"`
	Suggestion  string `json:"suggestion"`
}

// Opts configures an Analyzer.
type Opts struct {
	// ResourceDir, when set, is a directory of extra resource files
	// (LANG.json or LANG.NAME.json) merged over the embedded ones.
	ResourceDir string
	// Languages, when set, restricts detection to these languages.
	Languages []string
	// DefaultLang is used when detection finds nothing; "en" when empty.
	DefaultLang string
	// Saved, when set, are the business's saved replies: a reply sent
	// from one unchanged is robotism (robotism.saved_reply).
	Saved SavedReplies
}

// Analyzer analyses replies. It is safe for concurrent use.
type Analyzer struct {
	langs       map[string]*language
	order       []string // detection candidates, in a stable order
	defaultLang string
	detector    *text.Detector
	saved       SavedReplies
	// gate is the evidence gate (evidence.go) that keeps rules silent on
	// conversational channels where real replies show them unreliable;
	// nil lets every rule speak.
	gate *evidenceGate
}

// ErrNoLanguage is returned by New when no language is left to analyse.
var ErrNoLanguage = errors.New("quality: no language resources")

// New loads the embedded language resources, merges the files of
// o.ResourceDir over them and compiles every pattern, failing on the first
// one that does not parse.
func New(o Opts) (*Analyzer, error) {
	files, err := loadResources(o.ResourceDir)
	if err != nil {
		return nil, err
	}
	a := &Analyzer{langs: map[string]*language{}, defaultLang: o.DefaultLang, saved: o.Saved, gate: newEvidenceGate(realEvidence, gatePrior)}
	if a.defaultLang == "" {
		a.defaultLang = "en"
	}
	codes := make([]string, 0, len(files))
	for code := range files {
		codes = append(codes, code)
	}
	sort.Strings(codes)
	for _, code := range codes {
		l, err := compile(files[code])
		if err != nil {
			return nil, err
		}
		a.langs[code] = l
	}
	profiles := map[string]text.Profile{}
	for _, code := range codes {
		if len(o.Languages) > 0 && !contains(o.Languages, code) {
			continue
		}
		a.order = append(a.order, code)
		profiles[code] = text.Profile{Stopwords: files[code].Detect.Stopwords, Letters: files[code].Detect.Letters}
	}
	if len(a.order) == 0 {
		return nil, ErrNoLanguage
	}
	if _, ok := a.langs[a.defaultLang]; !ok {
		return nil, fmt.Errorf("quality: default language %q has no resources", a.defaultLang)
	}
	// Drafts are detected on every pause in typing: the scorer alone, which
	// takes microseconds where the letter models take tens of them
	// (docs/PERFORMANCE.md), and which knows a business's own languages.
	a.detector, err = text.NewDetector(text.DetectorOpts{Languages: a.order, Profiles: profiles, Default: a.defaultLang})
	if err != nil {
		return nil, err
	}
	return a, nil
}

// Languages returns the languages the analyzer detects among.
func (a *Analyzer) Languages() []string {
	return append([]string(nil), a.order...)
}

// Detect returns the language of text among the analyzer's languages: each
// scores two points per frequent short word of it ("the", "che", "и", "un",
// "amb") and one per letter only it uses (Cyrillic for Russian, ā or ņ for
// Latvian, ç or ŀ for Catalan); the highest score wins, the default
// language when nothing scores (see text.Detector).
func (a *Analyzer) Detect(s string) string {
	return a.detector.Detect(s)
}

// Analyze returns the findings for one draft reply, ordered by position. A
// warm, specific reply gets none. The analysis is pure computation, but
// for reading the saved replies (Opts.Saved) under ctx.
func (a *Analyzer) Analyze(ctx context.Context, in Input) []Finding {
	toks := text.Tokenize(in.Text)
	lang := a.langs[in.Lang]
	if lang == nil {
		lang = a.langs[a.detector.DetectTokens(in.Text, toks)]
	}
	ui := a.langs[in.UILang]
	if ui == nil {
		ui = a.langs["en"]
	}
	if ui == nil {
		ui = a.langs[a.defaultLang]
	}
	c := &check{a: a, lang: lang, ui: ui, text: in.Text, toks: toks, channel: normChannel(in.Channel)}
	c.prepare(in.Conversation)
	c.run()
	a.savedReply(ctx, c)
	return c.finish()
}

// LangOf returns the language Analyze uses for in: in.Lang when the
// analyzer has it, otherwise the detected one.
func (a *Analyzer) LangOf(in Input) string {
	if _, ok := a.langs[in.Lang]; ok {
		return in.Lang
	}
	return a.Detect(in.Text)
}

// SinLabel returns the name of sin s in the UI language uiLang (English
// when the analyzer has no such language), as findings carry it.
func (a *Analyzer) SinLabel(s Sin, uiLang string) string {
	for _, code := range []string{uiLang, "en", a.defaultLang} {
		if l := a.langs[code]; l != nil && l.sins[string(s)] != "" {
			return l.sins[string(s)]
		}
	}
	return string(s)
}

// explain fills a finding's label, explanation and suggestion from the UI
// language's messages (English, then the sin's own message, as fallbacks).
func (a *Analyzer) explain(ui *language, f *Finding, vars map[string]string) {
	msg, ok := ui.messages[f.Rule]
	if !ok {
		msg, ok = a.langs["en"].messageFor(f.Rule)
	}
	if !ok {
		msg, ok = ui.messages[string(f.Sin)]
	}
	if !ok {
		msg, _ = a.langs["en"].messageFor(string(f.Sin))
	}
	f.Label = ui.sins[string(f.Sin)]
	if f.Label == "" {
		f.Label = string(f.Sin)
	}
	f.Explanation = fill(msg.Explanation, vars)
	f.Suggestion = fill(msg.Suggestion, vars)
}

func (l *language) messageFor(key string) (message, bool) {
	if l == nil {
		return message{}, false
	}
	m, ok := l.messages[key]
	return m, ok
}

// fill replaces {name} by vars[name] in one pass, so that a quote that
// itself contains "{trigger}" stays as written.
func fill(s string, vars map[string]string) string {
	if !strings.Contains(s, "{") {
		return s
	}
	var b strings.Builder
	for {
		i := strings.IndexByte(s, '{')
		if i < 0 {
			break
		}
		j := strings.IndexByte(s[i:], '}')
		if j < 0 {
			break
		}
		v, ok := vars[s[i+1:i+j]]
		if !ok {
			b.WriteString(s[:i+1])
			s = s[i+1:]
			continue
		}
		b.WriteString(s[:i])
		b.WriteString(v)
		s = s[i+j+1:]
	}
	b.WriteString(s)
	return b.String()
}
