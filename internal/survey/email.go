package survey

import (
	"context"
	"fmt"
	"html/template"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/rapport/rapport/internal/business"
	"github.com/rapport/rapport/internal/channel/mailout"
	"github.com/rapport/rapport/internal/i18n"
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
func (s *Service) Choices(ctx context.Context, lang, q string) []Choice {
	return s.choices(s.voice(s.identity(ctx), lang), q)
}

// choices are the answers to question q in voice v.
func (s *Service) choices(v i18n.Voice, q string) []Choice {
	tr := func(key string) string { return v.T(key) }
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

// Question is the text of question q in lang, naming the business as its
// profile is now.
func (s *Service) Question(ctx context.Context, lang, q string) string {
	biz := s.identity(ctx)
	return s.question(s.voice(biz, lang), q, biz.Name)
}

// question is question q in voice v for the business named biz.
func (s *Service) question(v i18n.Voice, q, biz string) string {
	if q == NPS {
		return v.T("survey.q.nps", biz)
	}
	return v.T("survey.q." + q)
}

// voice is lang in the register the business biz speaks it in.
func (s *Service) voice(biz business.Profile, lang string) i18n.Voice {
	return s.o.I18n.Voice(lang, biz.RegisterOf(lang) == business.Informal)
}

// identity is the business the survey comes from, read now: the mail
// service's profile, else the name the service was started with.
func (s *Service) identity(ctx context.Context) business.Profile {
	if s.o.Mail != nil {
		return s.o.Mail.Identity(ctx)
	}
	return business.Profile{Name: s.o.Business}
}

// compose writes the invitation of business biz for ticket number id in
// lang: the first question with a one-click link per answer, a link to the
// whole survey, the incentive line when there is one, and the expiry. It
// is the body: the mail service adds the business's logo and signature
// (mailout.Layout). The last day is said in zone, the customer's.
func (s *Service) compose(biz business.Profile, lang string, st Settings, name string, id int64, subject, link string, expires time.Time, zone *time.Location) Email {
	v := s.voice(biz, lang)
	tr := v.T
	greeting := tr("survey.mail.greeting_anon")
	if f := strings.Fields(name); len(f) > 0 {
		greeting = tr("survey.mail.greeting", f[0])
	}
	intro := tr("survey.mail.intro", id, subject)
	first := st.First()
	var text, html strings.Builder
	esc := template.HTMLEscapeString
	text.WriteString(greeting + "\n\n" + intro + "\n\n")
	html.WriteString(`<p style="margin:0 0 16px">` + esc(greeting) + `</p><p style="margin:0 0 16px">` + esc(intro) + `</p>`)
	if choices := s.choices(v, first); len(choices) > 0 {
		q := s.question(v, first, biz.Name)
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
	text.WriteString(exp + "\n\n" + tr("survey.mail.thanks") + "\n")
	html.WriteString(`<p style="font-size:13px;color:#52606d">` + esc(exp) + `</p><p style="margin:0">` + esc(tr("survey.mail.thanks")) + `</p>`)
	return Email{
		Subject: tr("survey.mail.subject", id),
		Text:    text.String(),
		HTML:    template.HTML(html.String()),
	}
}

// Preview is the invitation as a customer writing in lang would get it
// with settings st, for a made-up ticket, in the business's layout: what
// the admin page shows. The last day is in the business's zone, a
// customer's when theirs is unknown.
func (s *Service) Preview(ctx context.Context, lang string, st Settings) Email {
	now, zone := s.o.Clock.Now(), time.UTC
	if s.o.Mail != nil {
		zone = s.o.Mail.CustomerZone(ctx, 0)
	}
	biz := s.identity(ctx)
	e := s.compose(biz, lang, st, s.o.I18n.T(lang, "survey.preview.name"), 1042, s.o.I18n.T(lang, "survey.preview.subject"),
		s.Link("PREVIEW"), now.Add(time.Duration(st.ExpiryDays)*24*time.Hour), zone)
	text, html := mailout.Layout(biz, lang, e.Text, e.HTML, "")
	e.Text, e.HTML = text, template.HTML(html)
	return e
}

// String is e's text, for logs and tests.
func (e Email) String() string { return fmt.Sprintf("Subject: %s\n\n%s", e.Subject, e.Text) }
