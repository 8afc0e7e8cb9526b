package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"testing"
	"time"

	"github.com/rapport/rapport/internal/channel/mailout"
	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/store/storetest"
	"github.com/rapport/rapport/internal/ticket"
)

// webTickets lists the tickets that came in by the contact form.
func (f *fixture) webTickets(t testing.TB) []ticket.Ticket {
	t.Helper()
	p, err := f.tickets.List(context.Background(), ticket.ListOptions{View: ticket.ViewAll, Channel: "web", Limit: ticket.MaxLimit})
	if err != nil {
		t.Fatal(err)
	}
	return p.Tickets
}

// contactForm is a filled-in contact form with the browser's token.
func contactForm(token, lang, email, subject, message string) url.Values {
	return url.Values{"csrf": {token}, "lang": {lang}, "name": {"Giulia Rossi"}, "email": {email},
		"subject": {subject}, "message": {message}, "website": {""}}
}

func TestContactForm(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		c := f.newClient(t)
		c.lang = "it-IT,it;q=0.9"

		// The form speaks the browser's language; the picker's ?lang= wins.
		page := c.get(t, "/contact")
		mustCode(t, page, http.StatusOK, "contact page")
		contains(t, page.body, []string{`<html lang="it">`, f.cat.T("it", "contact.title"), `name="website"`, `class="hp"`,
			`href="/contact?lang=lv"`, `name="lang" value="it"`}, []string{`action="/logout"`})
		contains(t, c.get(t, "/contact?lang=lv").body, []string{`<html lang="lv">`, f.cat.T("lv", "contact.intro")}, nil)
		token := csrfIn(t, page.body)

		// A bad email comes back next to its field, the rest kept; nothing is stored.
		res := c.post(t, "/contact", contactForm(token, "it", "giulia at example", "Ordine", "Dov’è il mio ordine?"))
		mustCode(t, res, http.StatusUnprocessableEntity, "bad email")
		contains(t, res.body, []string{`id="contact-email-error">` + f.cat.T("it", "valid.email"), `value="Giulia Rossi"`,
			"Dov’è il mio ordine?"}, nil)
		res = c.post(t, "/contact", contactForm(token, "it", "", "Ordine", "  "))
		mustCode(t, res, http.StatusUnprocessableEntity, "empty form")
		contains(t, res.body, []string{`id="contact-message-error">` + f.cat.T("it", "valid.required")}, nil)
		if n := len(f.webTickets(t)); n != 0 {
			t.Fatalf("an invalid form stored %d tickets", n)
		}

		// Without the token of the browser's cookie the form is refused.
		mustCode(t, c.post(t, "/contact", contactForm("forged", "it", "giulia@example.it", "x", "y")), http.StatusForbidden, "forged token")
		mustCode(t, f.newClient(t).post(t, "/contact", contactForm(token, "it", "giulia@example.it", "x", "y")), http.StatusForbidden, "no cookie")

		// A good message opens a web ticket in the form's language and
		// queues the acknowledgement; the thank-you page gives the number.
		res = c.post(t, "/contact", contactForm(token, "it", "Giulia@Example.it", "Ordine in ritardo", "Il mio ordine non è ancora arrivato."))
		mustCode(t, res, http.StatusSeeOther, "send")
		if loc := res.header.Get("Location"); loc != "/contact/thanks?lang=it" {
			t.Fatalf("after sending to %q", loc)
		}
		got := f.webTickets(t)
		if len(got) != 1 {
			t.Fatalf("%d web tickets, want 1", len(got))
		}
		tk := got[0]
		if tk.Subject != "Ordine in ritardo" || tk.Language != "it" || tk.CustomerEmail != "giulia@example.it" ||
			tk.CustomerName != "Giulia Rossi" || tk.Status != ticket.New {
			t.Errorf("web ticket %+v", tk)
		}
		ack, err := f.jobs.GetByKey(ctx, fmt.Sprintf("ack:%d", tk.ID))
		if err != nil || ack.Kind != mailout.JobAck || ack.Status != "pending" {
			t.Errorf("acknowledgement job %+v, %v", ack, err)
		}
		thanks := c.get(t, "/contact/thanks?lang=it")
		mustCode(t, thanks, http.StatusOK, "thanks")
		contains(t, thanks.body, []string{f.cat.T("it", "contact.thanks_ref", tk.ID), f.cat.T("it", "contact.thanks_text")}, nil)

		// The agents see it in the inbox as a web form ticket.
		agent := f.login(t, "agent")
		inbox := agent.get(t, "/?view=all&channel=web")
		mustCode(t, inbox, http.StatusOK, "inbox")
		if s := subjects(inbox.body); len(s) != 1 || s[0] != "Ordine in ritardo" {
			t.Errorf("web tickets in the inbox: %q", s)
		}
		contains(t, agent.get(t, idPath("/tickets/", tk.ID, "")).body, []string{"Web form", "Il mio ordine non è ancora arrivato."}, nil)

		// A robot filling the honeypot is thanked, and nothing is stored.
		bot := f.newClient(t)
		botToken := csrfIn(t, bot.get(t, "/contact").body)
		form := contactForm(botToken, "en", "bot@spam.example", "Cheap pills", "Buy now")
		form.Set("website", "http://spam.example")
		res = bot.post(t, "/contact", form)
		mustCode(t, res, http.StatusSeeOther, "honeypot")
		contains(t, bot.get(t, res.header.Get("Location")).body, []string{f.cat.T("en", "contact.thanks_title")}, []string{`id="contact-ref"`})
		if n := len(f.webTickets(t)); n != 1 {
			t.Errorf("the honeypot stored a ticket: %d web tickets", n)
		}

		// One address may send five messages in ten minutes (the robot used
		// one); the next is refused with 429 and stores nothing.
		for i := range 3 {
			res := c.post(t, "/contact", contactForm(token, "it", "giulia@example.it", "Ancora "+strconv.Itoa(i), "Messaggio "+strconv.Itoa(i)))
			mustCode(t, res, http.StatusSeeOther, "message within the limit")
		}
		res = c.post(t, "/contact", contactForm(token, "it", "giulia@example.it", "Troppi", "Uno di troppo"))
		mustCode(t, res, http.StatusTooManyRequests, "over the limit")
		contains(t, res.body, []string{f.cat.T("it", "contact.rate_limited"), "Uno di troppo"}, nil)
		if n := len(f.webTickets(t)); n != 4 {
			t.Errorf("%d web tickets after the limit, want 4", n)
		}
		f.clock.Advance(10*time.Minute + time.Second)
		mustCode(t, c.post(t, "/contact", contactForm(token, "it", "giulia@example.it", "Più tardi", "Di nuovo")),
			http.StatusSeeOther, "after the window")
	})
}

// The same message sent twice (a double click) is one ticket.
func TestContactFormDuplicate(t *testing.T) {
	f := newFixture(t, storetest.SQLite(t))
	c := f.newClient(t)
	token := csrfIn(t, c.get(t, "/contact").body)
	for range 2 {
		mustCode(t, c.post(t, "/contact", contactForm(token, "en", "dora@example.com", "Twice", "Same words")), http.StatusSeeOther, "send")
	}
	got := f.webTickets(t)
	if len(got) != 1 {
		t.Fatalf("%d tickets for one message sent twice", len(got))
	}
	contains(t, c.get(t, "/contact/thanks").body, []string{"#" + strconv.FormatInt(got[0].ID, 10)}, nil)
}
