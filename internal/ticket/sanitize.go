package ticket

import (
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// body is a message body ready to store: plain text always, sanitised HTML
// when the message came as HTML.
type body struct {
	Text string
	HTML string
}

// cleanBody sanitises rawHTML with the UGC policy and, when text is empty,
// takes the plain text from the HTML. Both come back trimmed; an empty Text
// means the message says nothing.
func (s *Service) cleanBody(text, rawHTML string) body {
	var b body
	if strings.TrimSpace(rawHTML) != "" {
		b.HTML = strings.TrimSpace(s.ugc.Sanitize(rawHTML))
	}
	b.Text = strings.TrimSpace(text)
	if b.Text == "" && b.HTML != "" {
		b.Text = htmlText(b.HTML)
	}
	if b.Text == "" {
		b.HTML = "" // markup without words (an empty <p>, a stripped <script>)
	}
	return b
}

// blockAtoms are the elements that start a new line in plain text.
var blockAtoms = map[atom.Atom]bool{
	atom.P: true, atom.Div: true, atom.Br: true, atom.Li: true, atom.Tr: true,
	atom.H1: true, atom.H2: true, atom.H3: true, atom.H4: true, atom.H5: true, atom.H6: true,
	atom.Blockquote: true, atom.Pre: true, atom.Ul: true, atom.Ol: true, atom.Table: true, atom.Hr: true,
}

// htmlText is the readable text of an HTML fragment: entities decoded, one
// line per block, blank runs collapsed, script and style dropped.
func htmlText(fragment string) string {
	z := html.NewTokenizer(strings.NewReader(fragment))
	var sb strings.Builder
	skip := 0 // inside <script> or <style>
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			return tidyLines(sb.String())
		case html.TextToken:
			if skip == 0 {
				// Source line breaks are spaces in HTML; blocks make lines.
				sb.WriteString(strings.Map(func(r rune) rune {
					if r == '\n' || r == '\r' || r == '\t' {
						return ' '
					}
					return r
				}, string(z.Text())))
			}
		case html.StartTagToken, html.EndTagToken, html.SelfClosingTagToken:
			name, _ := z.TagName()
			a := atom.Lookup(name)
			switch {
			case a == atom.Script || a == atom.Style:
				if tt == html.StartTagToken {
					skip++
				} else if tt == html.EndTagToken && skip > 0 {
					skip--
				}
			case blockAtoms[a]:
				sb.WriteByte('\n')
			}
		}
	}
}

// tidyLines trims every line, joins runs of spaces and keeps at most one
// blank line in a row.
func tidyLines(s string) string {
	var out []string
	blank := false
	for line := range strings.SplitSeq(s, "\n") {
		line = strings.Join(strings.Fields(line), " ")
		if line == "" {
			if len(out) > 0 && !blank {
				out = append(out, "")
			}
			blank = true
			continue
		}
		blank = false
		out = append(out, line)
	}
	return strings.TrimSpace(strings.Join(out, "\n"))
}
