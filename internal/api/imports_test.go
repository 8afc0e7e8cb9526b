package api

import (
	"context"
	"log/slog"
	"strconv"
	"testing"

	"github.com/rapport/rapport/internal/attachment"
	"github.com/rapport/rapport/internal/i18n"
	"github.com/rapport/rapport/internal/importer"
	"github.com/rapport/rapport/internal/metrics"
	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/store/storetest"
)

// TestImportScenarios: after a Zendesk import, an admin reads the imports
// and one's report (counts and the skipped records with their reasons);
// a manager cannot; an unknown or malformed id is 404.
func TestImportScenarios(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		log := slog.New(slog.DiscardHandler)
		f.h = New(Opts{Agents: f.agents, Customers: f.customers, Tickets: f.tickets, Log: log, Mailboxes: []string{"support@rapport.test"},
			MaxMessageBytes: testMaxBody, MaxBodyBytes: testMaxBody, Version: "test", I18n: i18n.MustLoad(), Clock: f.clock,
			Imports: importer.NewRuns(db)})
		f.run(t, []scenario{
			{name: "none yet", method: "GET", path: "/imports", as: "admin", status: 200, want: []string{`"data":[]`}},
		})
		im, err := importer.New(importer.Opts{DB: db, Clock: f.clock, Agents: f.agents, Customers: f.customers, Tickets: f.tickets,
			Attachments: attachment.New(db, nil, f.clock), Metrics: metrics.New(metrics.Opts{DB: db, Clock: f.clock})})
		if err != nil {
			t.Fatal(err)
		}
		ds, err := importer.ReadZendesk("../importer/testdata/zendesk")
		if err != nil {
			t.Fatal(err)
		}
		rep, err := im.Run(context.Background(), ds, importer.RunOpts{})
		if err != nil {
			t.Fatal(err)
		}
		f.ids["run"] = rep.RunID
		f.run(t, []scenario{
			{name: "a manager cannot list them", method: "GET", path: "/imports", as: "manager", status: 403},
			{name: "list", method: "GET", path: "/imports", as: "admin", status: 200,
				json: map[string]string{"data.0.id": "{run}", "data.0.source": "zendesk", "data.0.status": "done", "data.0.new.tickets": "4"}},
			{name: "report", method: "GET", path: "/imports/{run}", as: "admin", status: 200,
				json: map[string]string{"new.messages": "8", "new.notes": "2", "existing.tickets": "0",
					"skipped." + strconv.Itoa(len(rep.Skipped)-1) + ".kind": rep.Skipped[len(rep.Skipped)-1].Kind},
				want: []string{`"reason":"deleted in Zendesk"`, `"external_id":"105"`}},
			{name: "unknown", method: "GET", path: "/imports/999999", as: "admin", status: 404},
			{name: "not a number", method: "GET", path: "/imports/x", as: "admin", status: 404},
		})
	})
}
