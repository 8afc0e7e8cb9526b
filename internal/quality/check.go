package quality

import (
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/rapport/rapport/internal/text"
)

// Rule ids of the checks written in Go rather than as phrase patterns; their
// messages live in the resource files like the others.
const (
	ruleFeelingIgnored = "apathy.feeling_ignored"
	ruleProblemIgnored = "apathy.problem_ignored"
	ruleNoGreeting     = "coldness.no_greeting_closing"
	ruleShortRefusal   = "coldness.short_refusal"
	ruleJargon         = "condescension.jargon"
	ruleAcronym        = "condescension.acronym"
	ruleCode           = "condescension.code"
	ruleIDFirst        = "robotism.id_first"
	rulePlaceholder    = "robotism.placeholder"
	ruleContact        = "runaround.contact"
)

const (
	// minWordsForGreeting is the length from which a reply without any
	// greeting and any closing reads as cold; shorter chat answers in a
	// running conversation may leave both out. The first reply to a
	// customer needs them from minWordsFirstReply on.
	minWordsForGreeting = 25
	minWordsFirstReply  = 8
	// maxWordsShortRefusal is the length up to which a bare refusal with
	// no warm word at all reads as curt.
	maxWordsShortRefusal = 10
	// Only this much of the conversation is read, the most recent part.
	maxContextBytes = 16 << 10
)

// check is the state of one analysis.
type check struct {
	a          *Analyzer
	lang, ui   *language
	text       string
	toks       []text.Token
	ms         []text.Match
	firstMark  []int // marker index -> position in ms of its first match, -1 if none
	cust       []text.Token
	custMs     []text.Match // reply-language matches in everything the customer wrote
	recent     []text.Token // the customer's words since the last agent turn
	recentText string
	recentMs   []text.Match // reply-language matches in recent, when already scanned
	hadAgent   bool         // an agent already wrote in this conversation
	channel    string       // the reply's channel, folded (see Input.Channel)
	findings   []Finding
}

// prepare scans the reply and the customer's side of the conversation.
func (c *check) prepare(conv []Turn) {
	c.ms = c.lang.m.Scan(c.toks, make([]text.Match, 0, 16))
	c.firstMark = make([]int, len(c.lang.markers))
	for i := range c.firstMark {
		c.firstMark[i] = -1
	}
	// A warm marker right after a negation ("not something we will
	// replace", "no sorry") does not count.
	negEnd := map[int]bool{}
	if idx, ok := c.lang.markerIdx[mNegation]; ok {
		for _, m := range c.ms {
			if o := c.lang.owners[m.Owner]; o.kind == ownMarker && o.idx == idx {
				negEnd[m.To] = true
			}
		}
	}
	for i, m := range c.ms {
		o := c.lang.owners[m.Owner]
		if o.kind != ownMarker || c.firstMark[o.idx] >= 0 {
			continue
		}
		if negatable[c.lang.markers[o.idx]] && (negEnd[m.From] || negEnd[m.From-1] || negEnd[m.From-2]) {
			continue
		}
		c.firstMark[o.idx] = i
	}
	// The customer's turns, newest first until the budget is spent.
	var all, recent []string
	size, sinceAgent := 0, true
	for i := len(conv) - 1; i >= 0 && size < maxContextBytes; i-- {
		t := conv[i]
		if t.Role != "customer" {
			if t.Role == "agent" {
				c.hadAgent = true
				sinceAgent = false
			}
			continue
		}
		text := t.Text
		if size+len(text) > maxContextBytes {
			text = truncate(text, maxContextBytes-size)
		}
		size += len(text)
		all = append(all, text)
		if sinceAgent || len(recent) == 0 {
			recent = append(recent, text)
		}
	}
	if len(all) == 0 {
		return
	}
	c.cust = text.Tokenize(strings.Join(all, "\n"))
	c.custMs = c.lang.m.Scan(c.cust, nil)
	if len(recent) == len(all) {
		// Everything the customer wrote is recent: reuse the scan.
		c.recentText, c.recent, c.recentMs = strings.Join(all, "\n"), c.cust, c.custMs
		return
	}
	c.recentText = strings.Join(recent, "\n")
	c.recent = text.Tokenize(c.recentText)
}

// truncate cuts s to at most n bytes on a rune boundary.
func truncate(s string, n int) string {
	if n <= 0 {
		return ""
	}
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

func (c *check) has(group string) bool {
	idx, ok := c.lang.markerIdx[group]
	return ok && c.firstMark[idx] >= 0
}

// firstOf returns the first match of a marker group, or nil.
func (c *check) firstOf(group string) *text.Match {
	idx, ok := c.lang.markerIdx[group]
	if !ok || c.firstMark[idx] < 0 {
		return nil
	}
	return &c.ms[c.firstMark[idx]]
}

func (c *check) enabled(id string) bool {
	return !c.lang.disabled[id]
}

// add records a finding over bytes [start, end) of the reply.
func (c *check) add(sin Sin, id string, start, end int, pattern, trigger string, vars map[string]string) {
	f := Finding{Sin: sin, Rule: id, Start: start, End: end, Quote: c.text[start:end], Pattern: pattern, Trigger: trigger}
	if vars == nil {
		vars = map[string]string{}
	}
	vars["quote"] = f.Quote
	vars["trigger"] = trigger
	c.a.explain(c.ui, &f, vars)
	c.findings = append(c.findings, f)
}

func (c *check) run() {
	if len(c.toks) == 0 {
		return
	}
	c.phraseRules()
	c.jargon()
	c.placeholders() // before acronyms and codes, which skip what it found
	c.acronyms()
	c.codes()
	c.apathy()
	c.coldness()
	c.idFirst()
}

// phraseRules turns each match of a rule's pattern into a finding, unless
// one of the rule's exception markers is in the reply or the customer used
// one of its customer_unless phrases (then the reply answers what was asked).
func (c *check) phraseRules() {
	customerSaid := map[int]bool{}
	contact := -1 // runaround.contact, which a brush-off to our own support becomes
	for i := range c.lang.rules {
		if c.lang.rules[i].id == ruleContact {
			contact = i
		}
	}
	for _, m := range c.ms {
		o := c.lang.owners[m.Owner]
		if o.kind != ownRule {
			continue
		}
		idx := o.idx
		if c.lang.rules[idx].sin == BrushOff && c.toOwnSupport(m) {
			// "please contact our support team": the destination is the
			// business's own support inbox, the same help by another road.
			// That is runaround, judged by its rule and exceptions.
			if contact < 0 {
				continue
			}
			idx = contact
		}
		r := &c.lang.rules[idx]
		if !c.enabled(r.id) || c.excused(r, idx, customerSaid) {
			continue
		}
		c.add(r.sin, r.id, c.toks[m.From].Start, c.toks[m.To-1].End, m.Pattern, "", nil)
	}
}

// excused reports whether one of the rule's exception markers is in the
// reply or the customer used one of its customer_unless phrases.
func (c *check) excused(r *rule, idx int, customerSaid map[int]bool) bool {
	for _, u := range r.unless {
		if c.firstMark[u] >= 0 {
			return true
		}
	}
	if r.customerUnless != nil && len(c.cust) > 0 {
		said, ok := customerSaid[idx]
		if !ok {
			said = len(r.customerUnless.Scan(c.cust, nil)) > 0
			customerSaid[idx] = said
		}
		return said
	}
	return false
}

// toOwnSupport reports whether the match names the business's own support
// as where the customer should go: an own_support marker starts inside it
// or right after it ("you'll need to contact | our support team").
func (c *check) toOwnSupport(m text.Match) bool {
	gi, ok := c.lang.markerIdx[mOwnSupport]
	if !ok {
		return false
	}
	for _, x := range c.ms {
		if o := c.lang.owners[x.Owner]; o.kind == ownMarker && o.idx == gi && x.From >= m.From && x.From <= m.To {
			return true
		}
	}
	return false
}

// jargon flags glossary terms the customer did not use first.
func (c *check) jargon() {
	if !c.enabled(ruleJargon) || Technical(c.channel) {
		return
	}
	for _, m := range c.ms {
		o := c.lang.owners[m.Owner]
		if o.kind != ownJargon || c.customerUsed(m.Owner) || (m.To-m.From == 1 && c.channelTerm(c.toks[m.From].Word)) {
			continue
		}
		j := c.lang.jargon[o.idx]
		c.add(Condescension, ruleJargon, c.toks[m.From].Start, c.toks[m.To-1].End, j.Term, j.Term,
			map[string]string{"plain": j.Plain, "term": j.Term})
	}
}

func (c *check) customerUsed(own int) bool {
	for _, m := range c.custMs {
		if m.Owner == own {
			return true
		}
	}
	return false
}

// acronyms flags upper-case words of two to six letters that are neither
// known to customers nor used by this customer. Runs of capitals (shouting)
// are left alone.
func (c *check) acronyms() {
	if !c.enabled(ruleAcronym) || Technical(c.channel) {
		return
	}
	en := c.a.langs["en"]
	sig := c.signature()
	for i, t := range c.toks {
		w := c.text[t.Start:t.End]
		if !isAcronym(w) || c.lang.stop[t.Word] {
			continue
		}
		up := strings.ToUpper(w)
		if c.lang.known[up] || (en != nil && en.known[up]) || c.jargonAt(i) {
			continue
		}
		if (i > 0 && isAcronym(c.text[c.toks[i-1].Start:c.toks[i-1].End])) ||
			(i+1 < len(c.toks) && isAcronym(c.text[c.toks[i+1].Start:c.toks[i+1].End])) {
			continue
		}
		// The customer's own word, also in the plural or possessive they
		// wrote it in ("DLCs" answered with "DLC").
		if c.customerHasWord(t.Word) || c.customerHasWord(t.Word+"s") || c.insideFinding(t.Start) ||
			c.channelTerm(t.Word) || c.inAddress(t.Word) || inURL(c.text, t.Start) {
			continue
		}
		if i >= sig || c.initials(i) || pronounceable(w) || inIdentifier(c.text, t.Start, t.End) || c.spelledOut(w) {
			continue
		}
		c.add(Condescension, ruleAcronym, t.Start, t.End, "", w, map[string]string{"term": w})
	}
}

// inIdentifier reports whether the word at text[start:end] is part of a
// name joined by underscores (ACCESS_BACKGROUND_LOCATION): code, which the
// code rule judges, not an acronym.
func inIdentifier(text string, start, end int) bool {
	return (start > 0 && text[start-1] == '_') || (end < len(text) && text[end] == '_')
}

// spelledOut reports whether the reply writes the acronym's words out: its
// letters are the first letters of consecutive words of the reply, small
// words between them aside ("физического лица" … "ФЛ", "Agència Tributària
// de Catalunya" … "ATC"); hyphens split words.
func (c *check) spelledOut(acronym string) bool {
	letters := []rune(strings.ToLower(acronym))
	if len(letters) < 2 {
		return false
	}
	words := strings.FieldsFunc(strings.ToLower(c.text), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	for i := range words {
		j := 0
		for k := i; k < len(words) && j < len(letters); k++ {
			switch {
			case []rune(words[k])[0] == letters[j]:
				j++
			case j > 0 && c.lang.stop[text.FoldWord(words[k], text.FoldCase)]:
			default:
				k = len(words)
			}
		}
		if j == len(letters) {
			return true
		}
	}
	return false
}

// initials reports whether token i, the reply's last word, is the
// sender's initials: two or three capitals after the text has ended ("…
// our delay 😉 AT", "… on PC. *SR", "-KC"). On social replies any last
// word of two or three capitals is read so; elsewhere it has to stand
// apart from the sentence before it (a sentence end, a line break, an
// emoji or a sign-off mark), so that "please call the DMV" still counts.
func (c *check) initials(i int) bool {
	if i != len(c.toks)-1 || utf8.RuneCountInString(c.text[c.toks[i].Start:c.toks[i].End]) > 3 {
		return false
	}
	if c.channel == "social" || i == 0 {
		return true
	}
	if c.toks[i].Sentence != c.toks[i-1].Sentence {
		return true
	}
	for _, r := range c.text[c.toks[i-1].End:c.toks[i].Start] {
		if r != ' ' && r != ',' && r != '\t' {
			return true
		}
	}
	return false
}

// inURL reports whether byte position pos of s lies inside a web address
// ("…/article/CE-36244-9", "…/help/YPP-review"): the path of a link is
// not words addressed to the customer.
func inURL(s string, pos int) bool {
	start := strings.LastIndexAny(s[:pos], " \t\n\r(<\"")
	word := s[start+1 : pos]
	return strings.Contains(word, "://") || strings.HasPrefix(word, "www.")
}

// maxSignatureTokens is how long the words after the last closing may be
// and still be read as the signature: a name, a team, the business.
const maxSignatureTokens = 4

// signature returns the index of the first token of the reply's signature,
// the few words after its last closing ("Saluti / Assistenza ANSC",
// "Thanks, Dana (XYZ support)"), or len(c.toks) when there is none. The
// signature names the sender; its capitals are not jargon.
func (c *check) signature() int {
	idx, ok := c.lang.markerIdx[mClosing]
	if !ok {
		return len(c.toks)
	}
	end := -1
	for _, m := range c.ms {
		if o := c.lang.owners[m.Owner]; o.kind == ownMarker && o.idx == idx && m.To > end {
			end = m.To
		}
	}
	if end < 0 || len(c.toks)-end > maxSignatureTokens {
		return len(c.toks)
	}
	return end
}

// pronounceable reports whether an upper-case word of five letters or more
// has as many vowels as consonants: a word or name written in capitals
// ("APERTA", "FAENZA"), which is read aloud as a word, not spelled out as an
// acronym (SMTP, HTTPS).
func pronounceable(w string) bool {
	n, v := 0, 0
	for _, r := range w {
		n++
		if strings.ContainsRune("AEIOUYÀÈÉÌÒÙАЕЁИОУЫЭЮЯĀĒĪŪ", r) {
			v++
		}
	}
	return n >= 5 && 2*v >= n
}

// inAddress reports whether the folded word w is a label of a web or mail
// address in the reply ("NPR" beside "npr.org", "@acme"): the business's
// own name, which the customer wrote to, not jargon.
func (c *check) inAddress(w string) bool {
	low := strings.ToLower(c.text)
	for i := strings.Index(low, w); i >= 0; {
		end := i + len(w)
		before := i == 0 || !isCodeByte(low[i-1])
		if before && end+1 < len(low) && low[end] == '.' && low[end+1] >= 'a' && low[end+1] <= 'z' {
			return true
		}
		if i > 0 && low[i-1] == '@' {
			return true
		}
		j := strings.Index(low[end:], w)
		if j < 0 {
			break
		}
		i = end + j
	}
	return false
}

func isAcronym(w string) bool {
	n := 0
	for _, r := range w {
		if !unicode.IsUpper(r) {
			return false
		}
		n++
	}
	return n >= 2 && n <= 6
}

// jargonAt reports whether a glossary term covers token i (it is reported as jargon).
func (c *check) jargonAt(i int) bool {
	for _, m := range c.ms {
		if c.lang.owners[m.Owner].kind == ownJargon && m.From <= i && i < m.To {
			return true
		}
	}
	return false
}

func (c *check) customerHasWord(low string) bool {
	for _, t := range c.cust {
		if t.Word == low {
			return true
		}
	}
	return false
}

// codes flags product or internal codes (ERR_402, SKU-4471, PRX200) the
// customer did not write, unless a reference word ("order", "tracking
// number", "номер") introduces them: those are the customer's own data.
func (c *check) codes() {
	if !c.enabled(ruleCode) {
		return
	}
	refEnds := map[int]bool{}
	if idx, ok := c.lang.markerIdx[mReference]; ok {
		for _, m := range c.ms {
			if o := c.lang.owners[m.Owner]; o.kind == ownMarker && o.idx == idx {
				refEnds[m.To] = true
			}
		}
	}
	custLow := ""
	text := c.text
	for i := 0; i < len(text); {
		if !isCodeByte(text[i]) {
			i++
			continue
		}
		j := i
		for j < len(text) && isCodeByte(text[j]) {
			j++
		}
		start, end := i, j
		i = j
		for end > start && (text[end-1] == '-' || text[end-1] == '_') {
			end--
		}
		if !looksLikeCode(text[start:end]) {
			continue
		}
		if start > 0 && strings.IndexByte("/@.=:#&?%", text[start-1]) >= 0 {
			continue // part of a link, an address or a reference number
		}
		if end < len(text) && (text[end] == '@' || text[end] == '/' || (text[end] == '.' && end+1 < len(text) && isCodeByte(text[end+1]))) {
			continue
		}
		if c.knownLetters(text[start:end]) || c.insideFinding(start) || inURL(text, start) {
			continue
		}
		ti := sort.Search(len(c.toks), func(k int) bool { return c.toks[k].Start >= start })
		referenced := false
		for k := ti; k >= 0 && k >= ti-3; k-- {
			if refEnds[k] {
				referenced = true
				break
			}
		}
		if referenced {
			continue
		}
		if custLow == "" && len(c.cust) > 0 {
			var b strings.Builder
			for _, t := range c.cust {
				b.WriteString(t.Word)
				b.WriteByte(' ')
			}
			custLow = b.String()
		}
		if custLow != "" && codeInCustomer(custLow, text[start:end]) {
			continue
		}
		c.add(Condescension, ruleCode, start, end, "", text[start:end], map[string]string{"term": text[start:end]})
	}
}

func isCodeByte(b byte) bool {
	return b == '-' || b == '_' || (b >= '0' && b <= '9') || (b >= 'A' && b <= 'Z') || (b >= 'a' && b <= 'z')
}

// looksLikeCode: at least four characters, a digit, two capitals, no lower-case letter.
func looksLikeCode(s string) bool {
	if len(s) < 4 {
		return false
	}
	digits, upper := 0, 0
	for i := 0; i < len(s); i++ {
		switch b := s[i]; {
		case b >= '0' && b <= '9':
			digits++
		case b >= 'A' && b <= 'Z':
			upper++
		case b >= 'a' && b <= 'z':
			return false
		}
	}
	return digits > 0 && upper >= 2
}

// knownLetters reports whether the code's only run of letters is a known
// acronym ("10AM", "LV-1050", "A4").
func (c *check) knownLetters(code string) bool {
	var runs []string
	cur := strings.Builder{}
	for i := 0; i <= len(code); i++ {
		if i < len(code) && code[i] >= 'A' && code[i] <= 'Z' {
			cur.WriteByte(code[i])
			continue
		}
		if cur.Len() > 0 {
			runs = append(runs, cur.String())
			cur.Reset()
		}
	}
	if len(runs) != 1 {
		return false
	}
	en := c.a.langs["en"]
	return c.lang.known[runs[0]] || (en != nil && en.known[runs[0]])
}

// codeInCustomer reports whether the customer wrote the code, compared word by word.
func codeInCustomer(custLow, code string) bool {
	var words []string
	for _, t := range text.Tokenize(code) {
		words = append(words, t.Word)
	}
	return len(words) > 0 && strings.Contains(" "+custLow, " "+strings.Join(words, " ")+" ")
}

// placeholders flags template fields left unfilled: {{name}}, {name},
// [Customer Name], <ORDER_ID>, %NAME%, XXX.
func (c *check) placeholders() {
	if !c.enabled(rulePlaceholder) {
		return
	}
	text := c.text
	for i := 0; i < len(text); i++ {
		end := -1
		switch text[i] {
		case '{':
			if strings.HasPrefix(text[i:], "{{") {
				if j := strings.Index(text[i+2:], "}}"); j >= 0 && j <= 60 {
					end = i + 2 + j + 2
				}
			} else if j := strings.IndexByte(text[i+1:], '}'); j > 0 && j <= 40 && isIdent(text[i+1:i+1+j]) {
				end = i + 1 + j + 1
			}
		case '[':
			if j := strings.IndexByte(text[i+1:], ']'); j >= 2 && j <= 40 {
				inner := text[i+1 : i+1+j]
				after := i + 1 + j + 1
				if !strings.ContainsAny(inner, "[\n") && unicode.IsUpper(firstRune(inner)) && (after >= len(text) || text[after] != '(') &&
					!bracketHeading(text, i, after, inner) && !c.markerRightBefore(mUIControl, i) {
					end = after
				}
			}
		case '<':
			if j := strings.IndexByte(text[i+1:], '>'); j >= 2 && j <= 30 && isUpperField(text[i+1:i+1+j]) {
				end = i + 1 + j + 1
			}
		case '%':
			if j := strings.IndexByte(text[i+1:], '%'); j >= 2 && j <= 30 && isUpperField(text[i+1:i+1+j]) {
				end = i + 1 + j + 1
			}
		}
		if end > 0 {
			c.add(Robotism, rulePlaceholder, i, end, "", "", nil)
			i = end - 1
		}
	}
	for _, t := range c.toks {
		if len(t.Word) >= 3 && strings.Trim(t.Word, "x") == "" && !c.insideFinding(t.Start) {
			c.add(Robotism, rulePlaceholder, t.Start, t.End, "", "", nil)
		}
	}
}

func (c *check) insideFinding(pos int) bool {
	for _, f := range c.findings {
		if f.Start <= pos && pos < f.End {
			return true
		}
	}
	return false
}

// bracketHeading reports whether the bracket text[start:end] is a heading
// rather than a field: it fills its line and holds four words or more
// ("[How to get a refund]"). A field is a name or two ("[Customer Name]").
func bracketHeading(text string, start, end int, inner string) bool {
	lineStart := strings.LastIndexByte(text[:start], '\n') + 1
	lineEnd := len(text)
	if j := strings.IndexByte(text[end:], '\n'); j >= 0 {
		lineEnd = end + j
	}
	if strings.TrimSpace(text[lineStart:start]) != "" || strings.TrimSpace(text[end:lineEnd]) != "" {
		return false
	}
	return len(strings.Fields(inner)) >= 4
}

// markerRightBefore reports whether a match of the marker group ends on
// the word just before byte position pos: "press [Cancel]", "нажмите
// [Отмена]" name a button, not an unfilled field.
func (c *check) markerRightBefore(group string, pos int) bool {
	idx, ok := c.lang.markerIdx[group]
	if !ok {
		return false
	}
	next := len(c.toks)
	for k, t := range c.toks {
		if t.Start >= pos {
			next = k
			break
		}
	}
	if next == 0 {
		return false
	}
	if strings.TrimSpace(c.text[c.toks[next-1].End:pos]) != "" {
		return false
	}
	for _, m := range c.ms {
		if o := c.lang.owners[m.Owner]; o.kind == ownMarker && o.idx == idx && m.To == next {
			return true
		}
	}
	return false
}

// isIdent: a field name such as name, first_name or customer.name.
func isIdent(s string) bool {
	s = strings.TrimSpace(s)
	if s == "" {
		return false
	}
	for _, r := range s {
		if !(unicode.IsLetter(r) || unicode.IsDigit(r) || r == '_' || r == '.') {
			return false
		}
	}
	return unicode.IsLetter(firstRune(s))
}

// isUpperField: ORDER_ID, NAME, CUSTOMER NAME (no lower-case letter).
func isUpperField(s string) bool {
	letters := 0
	for _, r := range s {
		switch {
		case unicode.IsUpper(r):
			letters++
		case unicode.IsDigit(r) || r == '_' || r == ' ':
		default:
			return false
		}
	}
	return letters >= 2
}

// openingSpan is the first sentence of the reply that is not only a greeting.
func (c *check) openingSpan() (int, int) {
	greet := map[int]bool{}
	for _, m := range c.ms {
		if o := c.lang.owners[m.Owner]; o.kind == ownMarker && c.lang.markers[o.idx] == mGreeting {
			for k := m.From; k < m.To; k++ {
				greet[k] = true
			}
		}
	}
	i := 0
	for i < len(c.toks) {
		j := i
		onlyGreeting := true
		for j < len(c.toks) && c.toks[j].Sentence == c.toks[i].Sentence {
			if !greet[j] {
				onlyGreeting = false
			}
			j++
		}
		// A greeting sentence is two or three words ("Hi Anna"): skip it.
		if !(onlyGreeting || (greet[i] && j-i <= 3)) || j == len(c.toks) {
			return c.toks[i].Start, c.toks[j-1].End
		}
		i = j
	}
	return c.toks[0].Start, c.toks[0].End
}

// apathy: the customer expressed a feeling (then the reply needs an
// empathy marker), told of a hardship such as illness or a death (then
// empathy or a personal wish), or a problem (then any acknowledgement, empathy or
// action will do, or at least a mention of what the customer raised), and
// the reply has none. On conversational channels an action also answers a
// feeling (see below); a hardship always needs empathy or a personal wish.
func (c *check) apathy() {
	if len(c.recent) == 0 {
		return
	}
	langs := []*language{c.lang}
	if cl := c.a.langs[c.a.detector.DetectTokens(c.recentText, c.recent)]; cl != nil && cl != c.lang {
		langs = append(langs, cl)
	}
	var feeling, hardship, problem string
	custSolved := false
	problemSents := map[int]bool{}
	for _, l := range langs {
		var ms []text.Match
		switch {
		case l != c.lang:
			ms = l.m.Scan(c.recent, nil)
		case c.recentMs != nil:
			ms = c.recentMs
		default:
			ms = c.lang.m.Scan(c.recent, nil)
		}
		for _, m := range ms {
			o := l.owners[m.Owner]
			if o.kind != ownMarker {
				continue
			}
			q := c.recentText[c.recent[m.From].Start:c.recent[m.To-1].End]
			switch l.markers[o.idx] {
			case mFeeling:
				if feeling == "" {
					feeling = q
				}
			case mHardship:
				if hardship == "" {
					hardship = q
				}
			case mProblem:
				if problem == "" {
					problem = q
				}
				problemSents[c.recent[m.From].Sentence] = true
			case mSolved:
				// "abbiamo corretto i campi e superato il problema": the
				// customer reports it gone, so there is nothing left that
				// the reply could ignore.
				custSolved = true
			}
		}
	}
	empathy := c.has(mEmpathy)
	acknowledged := empathy || c.has(mAcknowledgement) || c.has(mAction) || c.has(mEngagement)
	start, end := c.openingSpan()
	switch {
	case feeling != "" && !empathy && !c.actsOnTurn() && c.enabled(ruleFeelingIgnored):
		// On a chat, social or forum turn a reply that acts on the problem
		// (fixes it, gives the steps, asks what it needs to act) has not
		// ignored the customer's frustration; a letter, or a reply that
		// only thanks or sends elsewhere, still needs a word for it.
		c.add(Apathy, ruleFeelingIgnored, start, end, "", feeling, nil)
	case feeling == "" && hardship != "" && !empathy && !c.has(mPersonal) && c.enabled(ruleFeelingIgnored):
		// Illness or a death in the family: a kind wish is enough.
		c.add(Apathy, ruleFeelingIgnored, start, end, "", hardship, nil)
	case feeling == "" && hardship == "" && problem != "" && !custSolved && !acknowledged && !c.onlyQuestions() && !c.mentions(problemSents, langs) && c.enabled(ruleProblemIgnored) &&
		(!Corroborated(ruleProblemIgnored, c.channel) || c.endsTheMatter()):
		// On a forum or social turn a terse reply is the habit: the
		// problem counts as ignored only when the reply also ends the
		// matter for the customer (see corroboratedRules).
		c.add(Apathy, ruleProblemIgnored, start, end, "", problem, nil)
	}
}

// endsTheMatter reports whether the reply ends the matter for the
// customer: it closes the thread or says the report is no bug (the
// dismissal markers), or another finding already sends the customer
// elsewhere, refuses by the rulebook or talks down.
func (c *check) endsTheMatter() bool {
	if c.has(mDismissal) {
		return true
	}
	for _, f := range c.findings {
		switch f.Sin {
		case Runaround, BrushOff, Rulebook, Condescension:
			return true
		}
	}
	return false
}

// actsOnTurn reports whether a chat, social or forum reply acts on the
// problem itself (an action or the steps to follow: "so we can help
// further", "please try a hard reset") and does nothing the analyzer
// already faults: it sends the customer nowhere else and talks down to no
// one. Such a turn has not ignored the customer's frustration; a letter,
// or a reply that acts but also sends the customer away or tells them to
// calm down, still needs a word for the feeling.
func (c *check) actsOnTurn() bool {
	if !Conversational(c.channel) || !(c.has(mAction) || c.has(mEngagement)) {
		return false
	}
	for _, f := range c.findings {
		switch f.Sin {
		case Runaround, BrushOff, Condescension, Coldness:
			return false
		}
	}
	return true
}

// onlyQuestions reports whether every sentence of the reply is a question
// ("What do you mean? Which order?"): asking the customer to say more is
// engaging with the problem, not ignoring it.
func (c *check) onlyQuestions() bool {
	for _, t := range c.toks {
		if !t.Question {
			return false
		}
	}
	return true
}

// stemRunes is how many leading letters of a word the overlap check
// compares, so that inflected forms meet ("заказ"/"заказа", "fault"/"faulty").
const stemRunes = 5

// mentions reports whether the reply uses a word (of four letters or more,
// not a stopword) of the customer's sentences that stated the problem: a
// reply that talks about the thing the customer raised has not ignored it,
// even without a word of acknowledgement.
func (c *check) mentions(sents map[int]bool, langs []*language) bool {
	want := map[string]bool{}
	for _, t := range c.recent {
		if sents[t.Sentence] && utf8.RuneCountInString(t.Word) >= 4 && !isStop(t.Word, langs) {
			want[stem(t.Word)] = true
		}
	}
	// Asking for the order number is not talking about the problem.
	skip := map[int]bool{}
	if idx, ok := c.lang.markerIdx[mIDRequest]; ok {
		for _, m := range c.ms {
			if o := c.lang.owners[m.Owner]; o.kind == ownMarker && o.idx == idx {
				for k := m.From; k < m.To; k++ {
					skip[k] = true
				}
			}
		}
	}
	for i, t := range c.toks {
		if !skip[i] && utf8.RuneCountInString(t.Word) >= 4 && want[stem(t.Word)] {
			return true
		}
	}
	return false
}

func isStop(w string, langs []*language) bool {
	for _, l := range langs {
		if l.stop[w] {
			return true
		}
	}
	return false
}

func stem(w string) string {
	n := 0
	for i := range w {
		if n == stemRunes {
			return w[:i]
		}
		n++
	}
	return w
}

// coldness: a letter (an email, or a reply on an unknown channel) of some
// length with neither a greeting nor a closing (shorter for a first reply
// than inside a running exchange), or a bare refusal with no warm word at
// all on any channel. A chat, phone, social or forum reply is a turn of a
// conversation: it owes no letter-style greeting.
func (c *check) coldness() {
	greeting, closing := c.has(mGreeting), c.has(mClosing)
	n := len(c.toks)
	min := minWordsForGreeting
	if !c.hadAgent {
		min = minWordsFirstReply
	}
	if n >= min && !greeting && !closing && !Conversational(c.channel) && c.enabled(ruleNoGreeting) {
		start, end := c.openingSpan()
		c.add(Coldness, ruleNoGreeting, start, end, "", "", nil)
		return
	}
	if n <= maxWordsShortRefusal && c.has(mRefusal) && !greeting && !closing && !c.has(mEmpathy) &&
		!c.has(mPersonal) && !c.has(mAlternative) && c.enabled(ruleShortRefusal) {
		c.add(Coldness, ruleShortRefusal, c.toks[0].Start, c.toks[n-1].End, "", "", nil)
	}
}

// idFirst: the opening asks for an order or account number before any
// personal word (greeting, thanks, empathy, acknowledgement). Later in a
// conversation asking for a number is ordinary, so only a first reply counts.
func (c *check) idFirst() {
	if c.hadAgent || !c.enabled(ruleIDFirst) {
		return
	}
	id := c.firstOf(mIDRequest)
	if id == nil || c.toks[id.From].Sentence-c.toks[0].Sentence > 1 {
		return
	}
	for _, g := range []string{mGreeting, mPersonal, mEmpathy, mAcknowledgement, mClosing} {
		if m := c.firstOf(g); m != nil && m.From < id.From {
			return
		}
	}
	// "send me the order number and I will forward it": the request says
	// what the agent will do with the number, which a form never does.
	if idx, ok := c.lang.markerIdx[mAction]; ok {
		sent := c.toks[id.From].Sentence
		for _, m := range c.ms {
			if o := c.lang.owners[m.Owner]; o.kind == ownMarker && o.idx == idx && m.From >= id.To && c.toks[m.From].Sentence == sent {
				return
			}
		}
	}
	c.add(Robotism, ruleIDFirst, c.toks[id.From].Start, c.toks[id.To-1].End, id.Pattern, "", nil)
}

// finish orders the findings, drops a rule's findings that overlap an
// earlier one of the same rule and adds rune offsets.
func (c *check) finish() []Finding {
	fs := c.findings
	sort.SliceStable(fs, func(i, j int) bool {
		if fs[i].Start != fs[j].Start {
			return fs[i].Start < fs[j].Start
		}
		return fs[i].End > fs[j].End
	})
	out := fs[:0]
	for _, f := range fs {
		if !c.a.gate.speaks(f.Rule, c.channel) {
			continue
		}
		dup := false
		for _, g := range out {
			if g.Rule == f.Rule && f.Start < g.End && g.Start < f.End {
				dup = true
				break
			}
		}
		if !dup {
			out = append(out, f)
		}
	}
	pos, runes := 0, 0
	at := func(b int) int {
		if b < pos {
			pos, runes = 0, 0
		}
		runes += utf8.RuneCountInString(c.text[pos:b])
		pos = b
		return runes
	}
	for i := range out {
		out[i].RuneStart = at(out[i].Start)
		out[i].RuneEnd = at(out[i].End)
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

func firstRune(s string) rune {
	r, _ := utf8.DecodeRuneInString(s)
	return r
}
