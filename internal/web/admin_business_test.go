package web

import (
	"context"
	"net/http"
	"net/url"
	"testing"

	"github.com/rapport/rapport/internal/business"
	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/store/storetest"
)

// TestAdminBusiness: an admin edits the whole profile from the menu; a bad
// field is shown beside it and nothing changes; managers and agents cannot
// reach the page.
func TestAdminBusiness(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		admin := f.login(t, "admin")
		home := admin.get(t, "/")
		contains(t, home.body, []string{`href="/admin/business"`}, nil)
		page := admin.get(t, "/admin/business")
		mustCode(t, page, http.StatusOK, "business page")
		contains(t, page.body, []string{`name="name" value="Shop"`, `name="register_it"`, "Lei", `name="languages" value="lv" checked`}, nil)

		form := url.Values{
			"name": {"Aurora Home & Garden"}, "sender_name": {"Aurora customer care"}, "time_zone": {"Europe/Rome"},
			"languages": {"it", "en"}, "default_language": {"it"}, "register_it": {"informal"}, "register_ru": {"formal"},
			"signature": {"Giulia and the Aurora team"}, "logo_url": {"http://insecure.example/logo.png"},
		}
		res := admin.post(t, "/admin/business", form)
		mustCode(t, res, http.StatusUnprocessableEntity, "http logo")
		contains(t, res.body, []string{f.cat.T("en", "valid.https_url"), `value="Aurora customer care"`}, nil)
		if p, _ := f.business.Profile(context.Background()); p.Name != "Shop" {
			t.Fatalf("a refused save changed the profile: %+v", p)
		}

		form.Set("logo_url", "https://aurora.example/logo.png")
		mustCode(t, admin.post(t, "/admin/business", form), http.StatusSeeOther, "save")
		p, err := f.business.Profile(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if p.Name != "Aurora Home & Garden" || p.From() != "Aurora customer care" || p.RegisterOf("it") != business.Informal ||
			p.Default() != "it" || p.Serves("ru") || p.LogoURL != "https://aurora.example/logo.png" || p.SignOff() != "Giulia and the Aurora team" {
			t.Fatalf("saved profile = %+v", p)
		}
		page = admin.get(t, "/admin/business")
		contains(t, page.body, []string{"Saved.", `value="Aurora customer care"`, `name="languages" value="it" checked`, `<option value="informal" selected>`},
			[]string{`name="languages" value="ru" checked`})

		for _, who := range []string{"manager", "agent"} {
			c := f.login(t, who)
			mustCode(t, c.get(t, "/admin/business"), http.StatusForbidden, who+" reads the business page")
			mustCode(t, c.post(t, "/admin/business", form), http.StatusForbidden, who+" saves the business page")
		}
	})
}
