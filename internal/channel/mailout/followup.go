package mailout

import (
	"html/template"
	"strings"
)

// followUpBody is the follow-up mail's text and, when the service has a
// public base URL, its HTML body with a yes and a no button to the answer
// page of token ("" otherwise: the HTML part is made from the text). The
// signature and the layout are Layout's.
func (s *Service) followUpBody(tr func(string, ...any) string, greeting string, id int64, token string) (string, template.HTML) {
	if s.o.BaseURL == "" {
		return strings.Join([]string{greeting, "", tr("mail.followup.body", id), "",
			tr("mail.followup.reply")}, "\n") + "\n", ""
	}
	link := strings.TrimRight(s.o.BaseURL, "/") + "/followup/" + token
	yes, no := link+"?answer=yes", link+"?answer=no"
	text := strings.Join([]string{greeting, "", tr("mail.followup.body", id), "",
		tr("mail.followup.question"), "",
		tr("mail.followup.yes") + ": " + yes,
		tr("mail.followup.no") + ": " + no, "",
		tr("mail.followup.words")}, "\n") + "\n"
	esc := template.HTMLEscapeString
	button := func(href, label, color string) string {
		return `<a href="` + esc(href) + `" style="display:inline-block;margin:4px 8px 4px 0;padding:12px 20px;background:` + color +
			`;color:#ffffff;text-decoration:none;border-radius:6px;font-weight:bold">` + esc(label) + `</a>`
	}
	var b strings.Builder
	b.WriteString(`<p style="margin:0 0 16px">` + esc(greeting) + `</p><p style="margin:0 0 16px">` + esc(tr("mail.followup.body", id)) + `</p>`)
	b.WriteString(`<p style="margin:0 0 8px;font-weight:bold;font-size:17px">` + esc(tr("mail.followup.question")) + `</p><p style="margin:0 0 16px">`)
	b.WriteString(button(yes, tr("mail.followup.yes"), "#15803d") + button(no, tr("mail.followup.no"), "#b91c1c"))
	b.WriteString(`</p><p style="margin:0 0 16px">` + esc(tr("mail.followup.words")) + `</p>`)
	return text, template.HTML(b.String())
}
