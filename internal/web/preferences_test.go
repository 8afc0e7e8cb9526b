package web

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/store/storetest"
)

func TestLanguageSwitch(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		c := f.login(t, "agent")
		lv := func(key string, args ...any) string { return f.cat.T("lv", key, args...) }

		res := c.post(t, "/preferences", url.Values{"locale": {"lv"}, "availability": {"away"}})
		mustCode(t, res, http.StatusSeeOther, "save preferences")
		res = c.get(t, "/preferences")
		contains(t, res.body, []string{`<html lang="lv">`, lv("flash.preferences_saved"), lv("prefs.title"), lv("availability.away")}, nil)

		page := idPath("/tickets/", f.ids["ticket"], "")
		mustCode(t, c.post(t, page+"/update", url.Values{"priority": {"high"}}), http.StatusSeeOther, "update")
		res = c.get(t, page)
		contains(t, res.body, []string{
			lv("nav.inbox"), lv("status.new"), lv("reply.send"), lv("ticket.transfers", 0),
			lv("event.priority", "Al Agent", lv("priority.normal"), lv("priority.high")),
			lv("month.3"),
		}, []string{">Inbox<", "Send reply", "changed the priority"})

		// Errors come in Latvian too.
		res = c.post(t, page+"/transfer", url.Values{"agent_id": {"1"}})
		contains(t, res.body, []string{lv("problem.reason_required")}, []string{"A transfer needs a reason."})

		// "" follows the browser.
		mustCode(t, c.post(t, "/preferences", url.Values{"locale": {""}, "availability": {"online"}}), http.StatusSeeOther, "browser language")
		c.lang = "it-IT,it;q=0.9"
		contains(t, c.get(t, "/").body, []string{`<html lang="it">`, f.cat.T("it", "nav.inbox")}, nil)
		c.lang = "ru"
		contains(t, c.get(t, "/").body, []string{`<html lang="ru">`, f.cat.T("ru", "nav.inbox")}, nil)

		res = c.post(t, "/preferences", url.Values{"locale": {"xx"}, "availability": {"online"}})
		mustCode(t, res, http.StatusUnprocessableEntity, "unknown language")
		res = c.post(t, "/preferences", url.Values{"locale": {"en"}, "availability": {"sleeping"}})
		mustCode(t, res, http.StatusUnprocessableEntity, "unknown availability")

		// The login page follows the browser, or a ?lang= link.
		anon := f.newClient(t)
		anon.lang = "ca-ES"
		contains(t, anon.get(t, "/login").body, []string{`<html lang="ca">`, f.cat.T("ca", "login.submit")}, nil)
		contains(t, anon.get(t, "/login?lang=ru").body, []string{`<html lang="ru">`, f.cat.T("ru", "login.submit")}, nil)
	})
}
