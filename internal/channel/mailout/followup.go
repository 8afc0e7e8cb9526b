package mailout

import (
	"html/template"
	"strings"
)

// followUpBody is the follow-up mail's text and HTML: the question, a yes
// and a no button to the answer page of token when the service has a
// public base URL (no HTML part otherwise), and the invitation to reply
// in words.
func (s *Service) followUpBody(tr func(string, ...any) string, lang, greeting string, id int64, token string) (string, string) {
	if s.o.BaseURL == "" {
		return strings.Join([]string{greeting, "", tr("mail.followup.body", id), "",
			tr("mail.followup.reply"), "", tr("mail.signature", s.o.Business)}, "\n") + "\n", ""
	}
	link := strings.TrimRight(s.o.BaseURL, "/") + "/followup/" + token
	yes, no := link+"?answer=yes", link+"?answer=no"
	text := strings.Join([]string{greeting, "", tr("mail.followup.body", id), "",
		tr("mail.followup.question"), "",
		tr("mail.followup.yes") + ": " + yes,
		tr("mail.followup.no") + ": " + no, "",
		tr("mail.followup.words"), "", tr("mail.signature", s.o.Business)}, "\n") + "\n"
	esc := template.HTMLEscapeString
	button := func(href, label, color string) string {
		return `<a href="` + esc(href) + `" style="display:inline-block;margin:4px 8px 4px 0;padding:12px 20px;background:` + color +
			`;color:#ffffff;text-decoration:none;border-radius:6px;font-weight:bold">` + esc(label) + `</a>`
	}
	var b strings.Builder
	b.WriteString(`<!doctype html><html lang="` + esc(lang) + `"><body style="margin:0;padding:0;font-family:Arial,Helvetica,sans-serif;color:#1f2933">`)
	b.WriteString(`<div style="max-width:560px;margin:0 auto;padding:24px 16px">`)
	b.WriteString(`<p>` + esc(greeting) + `</p><p>` + esc(tr("mail.followup.body", id)) + `</p>`)
	b.WriteString(`<p style="font-weight:bold;font-size:17px">` + esc(tr("mail.followup.question")) + `</p><p>`)
	b.WriteString(button(yes, tr("mail.followup.yes"), "#15803d") + button(no, tr("mail.followup.no"), "#b91c1c"))
	b.WriteString(`</p><p>` + esc(tr("mail.followup.words")) + `</p><p>` + esc(tr("mail.signature", s.o.Business)) + `</p></div></body></html>`)
	return text, b.String()
}
