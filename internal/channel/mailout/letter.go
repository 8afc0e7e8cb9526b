package mailout

import (
	"context"
	"html/template"
	"regexp"
	"strings"

	"github.com/rapport/rapport/internal/business"
	"github.com/rapport/rapport/internal/i18n"
)

// Profiles gives the business's profile; *business.Service is one. Mail
// reads it per send, so a change in the settings shows in the next mail
// without a restart.
type Profiles interface {
	Profile(ctx context.Context) (business.Profile, error)
}

// Identity is who mail to customers comes from: the business's profile,
// read now. When it cannot be read the mail still goes out, under the
// name the service was started with.
func (s *Service) Identity(ctx context.Context) business.Profile {
	if s.o.Profiles != nil {
		p, err := s.o.Profiles.Profile(ctx)
		if err == nil {
			return p
		}
		s.o.Log.Warn("business profile unreadable; mail goes out under the start-up name", "error", err)
	}
	return business.Profile{Name: s.o.Business}
}

// Voice is lang in the register (formal or informal) the business
// speaks it in, read now: every text of a mail to a customer goes
// through it.
func (s *Service) Voice(ctx context.Context, lang string) i18n.Voice {
	return s.o.I18n.Voice(lang, s.Identity(ctx).RegisterOf(lang) == business.Informal)
}

// Layout wraps the body of a mail to a customer in the business's
// identity. The text part is text followed by the signature and, when
// given, footer after a "-- " line. The HTML part is one simple page that
// mail clients show alike and a phone shows without zooming: inline
// styles, at most 600 px wide, the logo (or the name) on top, the body
// (body when given, else text in paragraphs with its links made
// clickable), the signature and the footer in small print.
func Layout(p business.Profile, lang, text string, body template.HTML, footer string) (plain, html string) {
	sign := p.SignOff()
	plain = strings.TrimRight(text, "\n") + "\n\n" + sign + "\n"
	if footer != "" {
		plain += "\n-- \n" + footer + "\n"
	}
	if body == "" {
		body = Paragraphs(text)
	}
	esc := template.HTMLEscapeString
	var b strings.Builder
	b.WriteString(`<!doctype html><html lang="` + esc(lang) + `"><head><meta charset="utf-8">` +
		`<meta name="viewport" content="width=device-width,initial-scale=1"><title>` + esc(p.Name) + `</title></head>`)
	b.WriteString(`<body style="margin:0;padding:0;background:#f4f5f7;font-family:Arial,Helvetica,sans-serif;font-size:16px;line-height:1.5;color:#1f2933">`)
	b.WriteString(`<div style="max-width:600px;margin:0 auto;padding:16px 12px">`)
	b.WriteString(`<div style="padding:8px 4px 16px">`)
	if p.LogoURL != "" {
		b.WriteString(`<img src="` + esc(p.LogoURL) + `" alt="` + esc(p.Name) + `" style="display:block;max-width:200px;max-height:64px;width:auto;height:auto;border:0">`)
	} else {
		b.WriteString(`<span style="font-size:20px;font-weight:bold;color:#1f2933">` + esc(p.Name) + `</span>`)
	}
	b.WriteString(`</div><div style="background:#ffffff;border-radius:8px;padding:20px 16px;word-wrap:break-word">`)
	b.WriteString(string(body))
	b.WriteString(`<p style="margin:24px 0 0">` + lines(sign) + `</p></div>`)
	if footer != "" {
		b.WriteString(`<p style="margin:12px 4px;font-size:12px;color:#52606d">` + lines(footer) + `</p>`)
	}
	b.WriteString(`</div></body></html>`)
	return plain, b.String()
}

// link finds the web addresses in a text, to make them clickable.
var link = regexp.MustCompile(`https?://[^\s<>"]+[^\s<>".,;:!?)\]]`)

// Paragraphs is text as HTML paragraphs: a blank line starts a paragraph,
// a line break stays one, and web addresses become links.
func Paragraphs(text string) template.HTML {
	text = strings.ReplaceAll(strings.TrimSpace(text), "\r\n", "\n")
	var b strings.Builder
	for _, para := range strings.Split(text, "\n\n") {
		if para = strings.TrimSpace(para); para != "" {
			b.WriteString(`<p style="margin:0 0 16px">` + lines(para) + `</p>`)
		}
	}
	return template.HTML(b.String())
}

// lines escapes s for HTML, with its line breaks as <br> and its web
// addresses as links.
func lines(s string) string {
	var b strings.Builder
	for i, line := range strings.Split(s, "\n") {
		if i > 0 {
			b.WriteString("<br>")
		}
		last := 0
		for _, m := range link.FindAllStringIndex(line, -1) {
			b.WriteString(template.HTMLEscapeString(line[last:m[0]]))
			u := template.HTMLEscapeString(line[m[0]:m[1]])
			b.WriteString(`<a href="` + u + `" style="color:#2563eb">` + u + `</a>`)
			last = m[1]
		}
		b.WriteString(template.HTMLEscapeString(line[last:]))
	}
	return b.String()
}
