package web

import (
	"context"
	"net/http"
	"net/url"
	"testing"

	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/store/storetest"
)

func TestAdminRegularsFirst(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		// A new form each time: post adds the client's CSRF token to it.
		on := func() url.Values { return url.Values{"regulars_first": {"on"}} }

		// Only admins choose who is served first.
		for _, who := range []string{"agent", "manager"} {
			mustCode(t, f.login(t, who).post(t, "/admin/sla/routing", on()), http.StatusForbidden, who+" saves routing")
		}
		if st, err := f.router.Settings(ctx); err != nil || st.RegularsFirst {
			t.Fatalf("after refused requests: %+v %v", st, err)
		}

		admin := f.login(t, "admin")
		page := admin.get(t, "/admin/sla")
		mustCode(t, page, http.StatusOK, "SLA admin")
		contains(t, page.body, []string{`id="routing"`, "Serve regular customers first", `<input type="checkbox" name="regulars_first"> `}, nil)

		mustCode(t, admin.post(t, "/admin/sla/routing", on()), http.StatusSeeOther, "switch on")
		if st, err := f.router.Settings(ctx); err != nil || !st.RegularsFirst {
			t.Fatalf("after switching on: %+v %v", st, err)
		}
		contains(t, admin.get(t, "/admin/sla").body, []string{"Routing saved.", `name="regulars_first" checked>`}, nil)

		// An unticked box is not sent: saving without it switches it off.
		mustCode(t, admin.post(t, "/admin/sla/routing", url.Values{}), http.StatusSeeOther, "switch off")
		if st, err := f.router.Settings(ctx); err != nil || st.RegularsFirst {
			t.Fatalf("after switching off: %+v %v", st, err)
		}
	})
}
