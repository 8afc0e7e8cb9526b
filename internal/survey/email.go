package survey

import (
	"context"
	"fmt"
	"html/template"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Email is a survey invitation as it is sent: subject, plain text and HTML.
type Email struct {
	Subject string
	Text    string
	HTML    template.HTML
}

// Choice is one answer to a question, as a one-click link or a radio
// button shows it.
type Choice struct {
	Value string
	Label string // the number, or the word for intent to return
	Hint  string // the meaning of the scale's ends; "" in between
}

// Choices are the answers to question q in lang, lowest first; nil for the
// comment.
func (s *Service) Choices(lang, q string) []Choice {
	tr := func(key string) string { return s.o.I18n.T(lang, key) }
	if q == Return {
		out := make([]Choice, len(ReturnChoices))
		for i, c := range ReturnChoices {
			out[i] = Choice{Value: c, Label: tr("survey.return." + c)}
		}
		return out
	}
	lo, hi, ok := Scale(q)
	if !ok {
		return nil
	}
	var out []Choice
	for v := lo; v <= hi; v++ {
		c := Choice{Value: strconv.Itoa(v), Label: strconv.Itoa(v)}
		switch v {
		case lo:
			c.Hint = tr("survey.low." + q)
		case hi:
			c.Hint = tr("survey.high." + q)
		}
		out = append(out, c)
	}
	return out
}

// Question is the text of question q in lang.
func (s *Service) Question(lang, q string) string {
	if q == NPS {
		return s.o.I18n.T(lang, "survey.q.nps", s.o.Business)
	}
	return s.o.I18n.T(lang, "survey.q."+q)
}

// compose writes the invitation for ticket number id in lang: the first
// question with a one-click link per answer, a link to the whole survey,
// the incentive line when there is one, and the expiry.
func (s *Service) compose(lang string, st Settings, name string, id int64, subject, link string, expires time.Time, zone *time.Location) Email {
	tr := func(key string, args ...any) string { return s.o.I18n.T(lang, key, args...) }
	greeting := tr("survey.mail.greeting_anon")
	if f := strings.Fields(name); len(f) > 0 {
		greeting = tr("survey.mail.greeting", f[0])
	}
	intro := tr("survey.mail.intro", id, subject)
	first := st.First()
	var text, html strings.Builder
	esc := template.HTMLEscapeString
	text.WriteString(greeting + "\n\n" + intro + "\n\n")
	html.WriteString(`<!doctype html><html lang="` + esc(lang) + `"><body style="margin:0;padding:0;background:#f4f5f7;font-family:Arial,Helvetica,sans-serif;color:#1f2933">`)
	html.WriteString(`<div style="max-width:560px;margin:0 auto;padding:24px 16px">`)
	html.WriteString(`<p>` + esc(greeting) + `</p><p>` + esc(intro) + `</p>`)
	if choices := s.Choices(lang, first); len(choices) > 0 {
		q := s.Question(lang, first)
		text.WriteString(q + "\n" + tr("survey.mail.click") + "\n\n")
		html.WriteString(`<p style="font-weight:bold;font-size:17px">` + esc(q) + `</p><table role="presentation" cellspacing="0" cellpadding="0" style="border-collapse:separate;border-spacing:4px"><tr>`)
		for _, c := range choices {
			href := link + "?" + url.Values{"q": {first}, "v": {c.Value}}.Encode()
			label := c.Label
			if c.Hint != "" {
				label += " – " + c.Hint
			}
			text.WriteString("  " + label + ": " + href + "\n")
			html.WriteString(`<td><a href="` + esc(href) + `" title="` + esc(label) + `" style="display:inline-block;min-width:28px;padding:10px 6px;text-align:center;background:#2563eb;color:#ffffff;text-decoration:none;border-radius:6px;font-weight:bold">` + esc(c.Label) + `</a></td>`)
		}
		html.WriteString(`</tr></table>`)
		if lo, hi := choices[0].Hint, choices[len(choices)-1].Hint; lo != "" && hi != "" {
			html.WriteString(`<p style="font-size:13px;color:#52606d">` + esc(choices[0].Label+" = "+lo+" · "+choices[len(choices)-1].Label+" = "+hi) + `</p>`)
		}
		text.WriteString("\n")
	}
	text.WriteString(tr("survey.mail.all") + "\n" + link + "\n\n")
	html.WriteString(`<p><a href="` + esc(link) + `" style="color:#2563eb">` + esc(tr("survey.mail.all")) + `</a></p>`)
	if st.Incentive != "" {
		text.WriteString(st.Incentive + "\n\n")
		html.WriteString(`<p style="padding:12px;background:#fff7e6;border-radius:6px">` + esc(st.Incentive) + `</p>`)
	}
	exp := tr("survey.mail.expires", s.o.I18n.Until(lang, expires, zone))
	text.WriteString(exp + "\n\n" + tr("survey.mail.thanks") + "\n" + tr("survey.mail.signature", s.o.Business) + "\n")
	html.WriteString(`<p style="font-size:13px;color:#52606d">` + esc(exp) + `</p><p>` + esc(tr("survey.mail.thanks")) + `<br>` + esc(tr("survey.mail.signature", s.o.Business)) + `</p></div></body></html>`)
	return Email{
		Subject: tr("survey.mail.subject", id),
		Text:    text.String(),
		HTML:    template.HTML(html.String()),
	}
}

// Preview is the invitation as a customer writing in lang would get it
// with settings st, for a made-up ticket: what the admin page shows.
// The last day is in the business's zone, a customer's when theirs is
// unknown.
func (s *Service) Preview(ctx context.Context, lang string, st Settings) Email {
	now, zone := s.o.Clock.Now(), time.UTC
	if s.o.Mail != nil {
		zone = s.o.Mail.CustomerZone(ctx, 0)
	}
	return s.compose(lang, st, s.o.I18n.T(lang, "survey.preview.name"), 1042, s.o.I18n.T(lang, "survey.preview.subject"),
		s.Link("PREVIEW"), now.Add(time.Duration(st.ExpiryDays)*24*time.Hour), zone)
}

// String is e's text, for logs and tests.
func (e Email) String() string { return fmt.Sprintf("Subject: %s\n\n%s", e.Subject, e.Text) }
