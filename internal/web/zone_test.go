package web

import (
	"context"
	"net/http"
	"net/url"
	"testing"

	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/store/storetest"
)

// TestReaderZone: every time on a page is in its reader's zone. An agent
// with none reads the business's; one who sets Asia/Tokyo in their
// preferences reads the same ticket in Tokyo's time, while the machine
// attribute stays UTC. A name that is not a zone is refused on the form.
func TestReaderZone(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		p, err := f.business.Profile(ctx)
		if err != nil {
			t.Fatal(err)
		}
		p.TimeZone = "Europe/Riga"
		if _, err := f.business.Save(ctx, p); err != nil {
			t.Fatal(err)
		}
		c := f.login(t, "agent")
		page := idPath("/tickets/", f.ids["ticket"], "")

		// Opened at 09:00 UTC on 10 March 2025: 11:00 in Riga, 18:00 in Tokyo.
		res := c.get(t, page)
		mustCode(t, res, http.StatusOK, "ticket in the business's zone")
		contains(t, res.body, []string{"Opened Mar 10, 2025, 11:00", `datetime="2025-03-10T09:00:00Z"`,
			`<span id="reader-zone">Times in Europe/Riga</span>`, `data-zone-save="`},
			[]string{"Times are in UTC", "Mar 10, 2025, 09:00", "UTC without JavaScript"})

		res = c.post(t, "/preferences", url.Values{"locale": {"en"}, "availability": {"online"}, "time_zone": {"Asia/Tokyo"}})
		mustCode(t, res, http.StatusSeeOther, "save the zone")
		res = c.get(t, page)
		contains(t, res.body, []string{"Opened Mar 10, 2025, 18:00", `datetime="2025-03-10T09:00:00Z"`,
			`<span id="reader-zone">Times in Asia/Tokyo</span>`, "In your time zone, Asia/Tokyo."},
			[]string{"Mar 10, 2025, 11:00", "Mar 10, 2025, 09:00", `data-zone-save="`})
		res = c.get(t, "/?view=all")
		contains(t, res.body, []string{`title="Mar 10, 2025, 18:00">18:00</time>`}, nil)
		res = c.get(t, "/preferences")
		contains(t, res.body, []string{`name="time_zone" list="zones" autocomplete="off" value="Asia/Tokyo"`, `<option value="Asia/Tokyo">`}, nil)

		res = c.post(t, "/preferences", url.Values{"locale": {"en"}, "availability": {"online"}, "time_zone": {"Mars/Olympus"}})
		mustCode(t, res, http.StatusUnprocessableEntity, "not a zone")
		contains(t, res.body, []string{"This is not a time zone (such as Europe/Rome).", `value="Mars/Olympus"`}, nil)
		if a, err := f.agents.Get(ctx, f.ids["agent"]); err != nil || a.TimeZone != "Asia/Tokyo" {
			t.Fatalf("zone after a refused change = %q, %v; want Asia/Tokyo kept", a.TimeZone, err)
		}
	})
}

// TestZoneFromBrowser: the page's script sends the browser's zone for an
// agent who has none; it is saved once and never overrides a chosen one;
// without the CSRF token nothing is saved; a name that is not a zone is a 422.
func TestZoneFromBrowser(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		c := f.login(t, "agent2")
		zoneOf := func() string {
			a, err := f.agents.Get(ctx, f.ids["agent2"])
			if err != nil {
				t.Fatal(err)
			}
			return a.TimeZone
		}
		res := c.post(t, "/preferences/time-zone", url.Values{"csrf": {"forged"}, "time_zone": {"Europe/Rome"}})
		mustCode(t, res, http.StatusForbidden, "without the token")
		res = c.post(t, "/preferences/time-zone", url.Values{"time_zone": {"Not/AZone"}})
		mustCode(t, res, http.StatusUnprocessableEntity, "not a zone")
		if z := zoneOf(); z != "" {
			t.Fatalf("zone = %q after refused requests", z)
		}
		res = c.post(t, "/preferences/time-zone", url.Values{"time_zone": {"Europe/Rome"}})
		mustCode(t, res, http.StatusNoContent, "the browser's zone")
		res = c.post(t, "/preferences/time-zone", url.Values{"time_zone": {"Asia/Tokyo"}})
		mustCode(t, res, http.StatusNoContent, "a second browser")
		if z := zoneOf(); z != "Europe/Rome" {
			t.Fatalf("zone = %q, want the first browser's, Europe/Rome", z)
		}
	})
}

// TestCustomerZone: an agent records a customer's zone on the customer
// page, which then shows the customer's local time; "" is unknown again.
func TestCustomerZone(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		c := f.login(t, "agent")
		page := idPath("/customers/", f.ids["customer"], "")
		form := func(zone string) url.Values {
			return url.Values{"name": {"Carla Customer"}, "language": {"it"}, "time_zone": {zone}}
		}
		res := c.get(t, page)
		contains(t, res.body, []string{`id="c-zone"`, "Empty when unknown: the customer is told times in the business&#39;s zone (UTC)."}, nil)
		res = c.post(t, page, form("Atlantis/Capital"))
		mustCode(t, res, http.StatusUnprocessableEntity, "not a zone")
		contains(t, res.body, []string{"This is not a time zone (such as Europe/Rome)."}, nil)
		res = c.post(t, page, form("Europe/Rome"))
		mustCode(t, res, http.StatusSeeOther, "a zone")
		contains(t, c.get(t, page).body, []string{"Customer&#39;s local time: 10:00 (Europe/Rome)"}, nil)
		if cu, err := f.customers.Get(ctx, f.ids["customer"]); err != nil || cu.TimeZone != "Europe/Rome" {
			t.Fatalf("customer zone = %q, %v", cu.TimeZone, err)
		}
		mustCode(t, c.post(t, page, form("")), http.StatusSeeOther, "unknown again")
		if cu, _ := f.customers.Get(ctx, f.ids["customer"]); cu.TimeZone != "" {
			t.Fatalf("customer zone = %q, want unknown", cu.TimeZone)
		}
	})
}

// TestAdminSetsAgentZone: an admin sets an agent's zone on the agent's
// admin page; a name that is not a zone is refused.
func TestAdminSetsAgentZone(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		admin := f.login(t, "admin")
		page := idPath("/admin/agents/", f.ids["agent"], "")
		form := func(zone string) url.Values {
			return url.Values{"name": {"Al Agent"}, "role": {"agent"}, "active": {"on"}, "locale": {"en"}, "languages": {"en"}, "time_zone": {zone}}
		}
		res := admin.post(t, page, form("Europe/Atlantis"))
		mustCode(t, res, http.StatusUnprocessableEntity, "not a zone")
		contains(t, res.body, []string{"This is not a time zone (such as Europe/Rome)."}, nil)
		mustCode(t, admin.post(t, page, form("America/Sao_Paulo")), http.StatusSeeOther, "a zone")
		if a, err := f.agents.Get(context.Background(), f.ids["agent"]); err != nil || a.TimeZone != "America/Sao_Paulo" {
			t.Fatalf("zone = %q, %v", a.TimeZone, err)
		}
		contains(t, admin.get(t, page).body, []string{`id="e-zone" type="text" name="time_zone" list="zones" autocomplete="off" value="America/Sao_Paulo"`}, nil)
	})
}
