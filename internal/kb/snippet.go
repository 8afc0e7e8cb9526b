package kb

import (
	"html"
	"html/template"
	"strings"
	"unicode"
)

// Snippet is a passage of an article around what a search found, with
// marks around each word found.
type Snippet string

// Marks around a found word; articles' text never holds them (private-use
// characters, removed from the text before marking).
const (
	markOpen  = "\ue000"
	markClose = "\ue001"
)

// HTML is s safe to show: its text escaped, each found word in <mark>.
func (s Snippet) HTML() template.HTML {
	t := html.EscapeString(string(s))
	return template.HTML(strings.NewReplacer(markOpen, "<mark>", markClose, "</mark>").Replace(t))
}

// Text is s without its marks.
func (s Snippet) Text() string {
	return strings.NewReplacer(markOpen, "", markClose, "").Replace(string(s))
}

// snippetWords is how many words a snippet shows.
const snippetWords = 28

// makeSnippet cuts the passage of text around the first word that is, or
// starts with, one of words (lower-case, without accents, as the index
// compares them), marking every such word in it; the start of text when
// none is (a stemmed match on PostgreSQL, or one in the title only).
// Snippets are made here rather than by the databases (FTS5's snippet(),
// ts_headline) because both re-run the whole query for each article.
func makeSnippet(text string, words []string) Snippet {
	text = strings.NewReplacer(markOpen, "", markClose, "").Replace(text)
	type tok struct {
		start, end int
		hit        bool
	}
	var toks []tok
	isWord := func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }
	start := -1
	flush := func(end int) {
		w := fold(strings.ToLower(text[start:end]))
		hit := false
		for _, q := range words {
			if q != "" && strings.HasPrefix(w, q) {
				hit = true
				break
			}
		}
		toks = append(toks, tok{start, end, hit})
		start = -1
	}
	for i, r := range text {
		if isWord(r) {
			if start < 0 {
				start = i
			}
		} else if start >= 0 {
			flush(i)
		}
	}
	if start >= 0 {
		flush(len(text))
	}
	if len(toks) == 0 {
		return ""
	}
	first := 0
	for i, t := range toks {
		if t.hit {
			first = i
			break
		}
	}
	from := max(0, first-6)
	to := min(len(toks), from+snippetWords)
	var b strings.Builder
	if from > 0 {
		b.WriteString("…")
	}
	pos := toks[from].start
	for _, t := range toks[from:to] {
		b.WriteString(text[pos:t.start])
		if t.hit {
			b.WriteString(markOpen + text[t.start:t.end] + markClose)
		} else {
			b.WriteString(text[t.start:t.end])
		}
		pos = t.end
	}
	if to < len(toks) {
		b.WriteString("…")
	}
	return Snippet(strings.Join(strings.Fields(b.String()), " "))
}
