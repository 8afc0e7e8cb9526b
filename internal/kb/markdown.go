package kb

import (
	"bytes"
	"html/template"
	"strings"
	"unicode/utf8"

	"github.com/microcosm-cc/bluemonday"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
)

// md is the Markdown converter: CommonMark with tables, strikethrough,
// autolinks and task lists (GitHub's flavour). Raw HTML in the source is
// left out by goldmark (no WithUnsafe), and the output goes through policy
// besides, so that an editor's mistake or a pasted script never reaches a
// visitor.
var md = goldmark.New(goldmark.WithExtensions(extension.GFM), goldmark.WithParserOptions(parser.WithAutoHeadingID()))

// policy is what rendered articles may hold: bluemonday's policy for user
// content (links, images, tables, lists, code), links opened without
// passing the referrer to other sites.
var policy = func() *bluemonday.Policy {
	p := bluemonday.UGCPolicy()
	p.RequireNoFollowOnLinks(false)
	p.AddTargetBlankToFullyQualifiedLinks(false)
	p.RequireNoReferrerOnFullyQualifiedLinks(true)
	p.AllowAttrs("id").Matching(bluemonday.SpaceSeparatedTokens).OnElements("h1", "h2", "h3", "h4", "h5", "h6")
	return p
}()

// Render turns an article's Markdown into HTML safe to show anyone.
func Render(source string) template.HTML {
	var buf bytes.Buffer
	if err := md.Convert([]byte(source), &buf); err != nil {
		// goldmark fails only when writing to buf fails, which it cannot;
		// show the text escaped rather than nothing.
		return template.HTML("<p>" + template.HTMLEscapeString(source) + "</p>")
	}
	return template.HTML(policy.SanitizeBytes(buf.Bytes()))
}

// PlainText is the text of an article's Markdown without its markup: what
// the search index holds and excerpts are cut from. Code blocks are kept
// as text; link targets and image addresses are dropped.
func PlainText(source string) string {
	src := []byte(source)
	doc := md.Parser().Parse(text.NewReader(src))
	var b strings.Builder
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			if n.Type() == ast.TypeBlock && b.Len() > 0 {
				b.WriteString("\n")
			}
			return ast.WalkContinue, nil
		}
		switch v := n.(type) {
		case *ast.Text:
			b.Write(v.Segment.Value(src))
			if v.SoftLineBreak() || v.HardLineBreak() {
				b.WriteByte(' ')
			}
		case *ast.String:
			b.Write(v.Value)
		case *ast.CodeSpan:
			for c := v.FirstChild(); c != nil; c = c.NextSibling() {
				if t, ok := c.(*ast.Text); ok {
					b.Write(t.Segment.Value(src))
				}
			}
			return ast.WalkSkipChildren, nil
		case *ast.FencedCodeBlock, *ast.CodeBlock:
			lines := n.Lines()
			for i := 0; i < lines.Len(); i++ {
				seg := lines.At(i)
				b.Write(seg.Value(src))
			}
			return ast.WalkSkipChildren, nil
		case *ast.RawHTML, *ast.HTMLBlock:
			return ast.WalkSkipChildren, nil
		}
		return ast.WalkContinue, nil
	})
	return strings.Join(strings.Fields(b.String()), " ")
}

// Excerpt is the start of an article's text, at most n characters, cut at
// a word.
func Excerpt(source string, n int) string {
	t := PlainText(source)
	if utf8.RuneCountInString(t) <= n {
		return t
	}
	rs := []rune(t)[:n]
	cut := strings.LastIndexByte(string(rs), ' ')
	s := string(rs)
	if cut > n/2 {
		s = s[:cut]
	}
	return strings.TrimRight(s, " ,.;:") + "…"
}
