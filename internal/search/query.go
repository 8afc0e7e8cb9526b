package search

import (
	"strconv"
	"strings"
	"unicode"
)

// Query is a parsed search: text to find, text to leave out, and the
// operators that look at other things than text. Parse makes it; it is
// never invalid.
type Query struct {
	Terms   []Term   // all must be found
	Not     []Term   // none may be found (-word, -"a phrase")
	From    []string // from:address, or a bare address or phone: the customer's identity, exactly
	Numbers []int64  // #123, or a bare short number: the ticket with that number
	Tags    []string // tag:x: every tag must be on the ticket
}

// Term is a word (Prefix when it ended with *) or a quoted phrase.
type Term struct {
	Text   string
	Phrase bool
	Prefix bool
}

// Empty reports whether q asks for nothing.
func (q Query) Empty() bool {
	return len(q.Terms) == 0 && len(q.Not) == 0 && len(q.From) == 0 && len(q.Numbers) == 0 && len(q.Tags) == 0
}

// HasText reports whether q has text that must be found, so that its
// results can be ranked.
func (q Query) HasText() bool { return len(q.Terms) > 0 }

// maxTerms bounds what one query asks of the database.
const maxTerms = 16

// Parse reads the search box's syntax: words; "quoted phrases"; -word and
// -"phrase" to leave out; from:address (an email address or phone number
// of the customer); #number; tag:x; a bare email address or phone number
// is from:, a bare number of up to six digits is #number. Nothing is an
// error: what does not fit the syntax is read as words, and what holds no
// letter or digit is dropped.
func Parse(s string) Query {
	var q Query
	for _, tok := range tokenize(s) {
		if len(q.Terms)+len(q.Not)+len(q.From)+len(q.Numbers)+len(q.Tags) >= maxTerms {
			break
		}
		q.add(tok)
	}
	return q
}

// token is one piece of the input: its text, whether it was quoted, and
// whether a minus stood before it.
type token struct {
	text   string
	quoted bool
	neg    bool
}

// tokenize splits s on white space, keeping quoted runs together. An
// unclosed quote runs to the end.
func tokenize(s string) []token {
	var toks []token
	rs := []rune(strings.ToValidUTF8(s, " "))
	for i := 0; i < len(rs); {
		if unicode.IsSpace(rs[i]) {
			i++
			continue
		}
		neg := false
		if rs[i] == '-' && i+1 < len(rs) && (rs[i+1] == '"' || isWordRune(rs[i+1])) {
			neg = true
			i++
		}
		if rs[i] == '"' {
			j := i + 1
			for j < len(rs) && rs[j] != '"' {
				j++
			}
			toks = append(toks, token{text: string(rs[i+1 : j]), quoted: true, neg: neg})
			i = j + 1
			continue
		}
		j := i
		for j < len(rs) && !unicode.IsSpace(rs[j]) && rs[j] != '"' {
			j++
		}
		toks = append(toks, token{text: string(rs[i:j]), neg: neg})
		i = j
	}
	return toks
}

func isWordRune(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }

// add puts one token where it belongs.
func (q *Query) add(t token) {
	if t.quoted {
		q.addText(t.text, true, t.neg)
		return
	}
	if !t.neg {
		low := strings.ToLower(t.text)
		switch {
		case strings.HasPrefix(low, "from:"):
			if v, ok := identity(t.text[len("from:"):]); ok {
				q.From = append(q.From, v)
				return
			}
		case strings.HasPrefix(low, "tag:"):
			if tag := strings.Trim(strings.ToLower(t.text[len("tag:"):]), " "); tag != "" && strings.IndexFunc(tag, isWordRune) >= 0 {
				q.Tags = append(q.Tags, tag)
				return
			}
		case strings.HasPrefix(t.text, "#"):
			if n, ok := number(t.text[1:], 18); ok {
				q.Numbers = append(q.Numbers, n)
				return
			}
		default:
			if n, ok := number(t.text, 6); ok {
				q.Numbers = append(q.Numbers, n)
				return
			}
			if v, ok := identity(t.text); ok {
				q.From = append(q.From, v)
				return
			}
		}
	}
	q.addText(t.text, false, t.neg)
}

// addText adds text as one term, or as a phrase of its words when it holds
// several; a lone word ending in * is a prefix.
func (q *Query) addText(text string, quoted, neg bool) {
	words := Words(text)
	if len(words) == 0 {
		return
	}
	t := Term{Text: strings.Join(words, " "), Phrase: len(words) > 1}
	if !quoted && !t.Phrase && strings.HasSuffix(text, "*") {
		t.Prefix = true
	}
	if neg {
		q.Not = append(q.Not, t)
	} else {
		q.Terms = append(q.Terms, t)
	}
}

// Words splits s into its words (runs of letters and digits), lower-cased,
// the way both databases' tokenizers do closely enough for queries.
func Words(s string) []string {
	return strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return !isWordRune(r) })
}

// number reads a positive decimal of at most digits digits.
func number(s string, digits int) (int64, bool) {
	if s == "" || len(s) > digits || strings.TrimLeft(s, "0123456789") != "" {
		return 0, false
	}
	n, err := strconv.ParseInt(s, 10, 64)
	return n, err == nil && n > 0
}

// identity reads s as an email address (lower-cased; its domain has a
// dot, so that "ana@example" stays words, found as a part of an address)
// or a phone number (digits with an optional leading +, as customer
// identities store them).
func identity(s string) (string, bool) {
	s = strings.TrimSpace(s)
	if at := strings.IndexByte(s, '@'); at > 0 && strings.Contains(s[at+1:], ".") && !strings.HasSuffix(s, ".") && !strings.ContainsAny(s, " <>,;") {
		return strings.ToLower(s), true
	}
	p := strings.NewReplacer("-", "", ".", "", "(", "", ")", "").Replace(s)
	digits := strings.TrimPrefix(p, "+")
	if len(digits) >= 7 && len(digits) <= 20 && strings.TrimLeft(digits, "0123456789") == "" {
		return p, true
	}
	return "", false
}

// String writes q back in the syntax Parse reads, so that Parse(q.String())
// is q.
func (q Query) String() string {
	var parts []string
	term := func(t Term, neg bool) string {
		s := t.Text
		switch {
		case t.Phrase:
			s = `"` + s + `"`
		case t.Prefix:
			s += "*"
		default:
			if _, ok := number(s, 6); ok {
				s = `"` + s + `"`
			} else if _, ok := identity(s); ok {
				s = `"` + s + `"`
			} else if strings.Contains(s, ":") || strings.HasPrefix(s, "#") {
				s = `"` + s + `"`
			}
		}
		if neg {
			s = "-" + s
		}
		return s
	}
	for _, t := range q.Terms {
		parts = append(parts, term(t, false))
	}
	for _, t := range q.Not {
		parts = append(parts, term(t, true))
	}
	for _, f := range q.From {
		parts = append(parts, "from:"+f)
	}
	for _, n := range q.Numbers {
		parts = append(parts, "#"+strconv.FormatInt(n, 10))
	}
	for _, t := range q.Tags {
		parts = append(parts, "tag:"+t)
	}
	return strings.Join(parts, " ")
}
