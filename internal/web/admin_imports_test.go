package web

import (
	"context"
	"html"
	"net/http"
	"strconv"
	"testing"

	"github.com/rapport/rapport/internal/agent"
	"github.com/rapport/rapport/internal/importer"
	"github.com/rapport/rapport/internal/metrics"
	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/store/storetest"
)

// TestAdminImports: after `rapport import zendesk` (the importer on the
// test export), an admin finds the import from the menu, its counts and
// every skipped record with the reason, in English and in Italian;
// managers and agents cannot reach the pages; an unknown import is 404.
func TestAdminImports(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		admin := f.login(t, "admin")
		contains(t, admin.get(t, "/admin/imports").body, []string{f.cat.T("en", "imports.empty")}, nil)

		im, err := importer.New(importer.Opts{DB: db, Clock: f.clock, Agents: f.agents, Customers: f.customers, Tickets: f.tickets,
			Attachments: f.files, Metrics: metrics.New(metrics.Opts{DB: db, Clock: f.clock})})
		if err != nil {
			t.Fatal(err)
		}
		ds, err := importer.ReadZendesk("../importer/testdata/zendesk")
		if err != nil {
			t.Fatal(err)
		}
		rep, err := im.Run(ctx, ds, importer.RunOpts{})
		if err != nil {
			t.Fatal(err)
		}

		contains(t, admin.get(t, "/").body, []string{`href="/admin/imports"`}, nil)
		list := admin.get(t, "/admin/imports")
		mustCode(t, list, http.StatusOK, "imports page")
		where := "/admin/imports/" + strconv.FormatInt(rep.RunID, 10)
		contains(t, list.body, []string{`href="` + where + `"`, "Zendesk", "testdata/zendesk", "4 new tickets"}, nil)

		page := admin.get(t, where)
		mustCode(t, page, http.StatusOK, "import report")
		body := html.UnescapeString(page.body)
		contains(t, body, []string{f.cat.N("en", "imports.skipped_n", len(rep.Skipped)), "deleted in Zendesk",
			`its requester "9999" is not among the export's customers`, `"not-downloaded.png" is not in the export folder`,
			f.cat.T("en", "imports.agents_hint"), "<th scope=\"row\">Tickets</th><td>4</td><td>0</td>"}, nil)

		it := "it"
		if _, err := f.agents.Update(ctx, f.ids["admin"], agent.AgentUpdate{Locale: &it}); err != nil {
			t.Fatal(err)
		}
		contains(t, html.UnescapeString(admin.get(t, where).body), []string{"Importazione da Zendesk", "Numero originale", "Note interne"}, nil)
		mustCode(t, admin.get(t, "/admin/imports/999999"), http.StatusNotFound, "an unknown import")

		for _, who := range []string{"manager", "agent"} {
			c := f.login(t, who)
			mustCode(t, c.get(t, "/admin/imports"), http.StatusForbidden, who+" reads the imports")
			mustCode(t, c.get(t, where), http.StatusForbidden, who+" reads a report")
		}
	})
}
