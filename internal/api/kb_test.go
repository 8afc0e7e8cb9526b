package api

import (
	"context"
	"log/slog"
	"strconv"
	"testing"

	"github.com/rapport/rapport/internal/i18n"
	"github.com/rapport/rapport/internal/kb"
	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/store/storetest"
)

func TestKBScenarios(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		log := slog.New(slog.DiscardHandler)
		svc := kb.New(kb.Opts{DB: db, Clock: f.clock})
		ctx := context.Background()
		cat, err := svc.SaveCategory(ctx, 0, kb.CategoryInput{Slug: "orders", Names: kb.Names{"en": "Orders"}})
		if err != nil {
			t.Fatal(err)
		}
		sec, err := svc.SaveSection(ctx, 0, kb.SectionInput{CategoryID: cat, Names: kb.Names{"en": "Returns"}})
		if err != nil {
			t.Fatal(err)
		}
		s := strconv.FormatInt(sec, 10)
		f.h = New(Opts{Agents: f.agents, Customers: f.customers, Tickets: f.tickets, Log: log, Mailboxes: []string{"support@rapport.test"},
			MaxMessageBytes: testMaxBody, MaxBodyBytes: testMaxBody, Version: "test", I18n: i18n.MustLoad(), Clock: f.clock, KB: svc})
		f.run(t, []scenario{
			{name: "an agent cannot write one", method: "POST", path: "/kb/articles", as: "agent",
				body: `{"section_id": ` + s + `, "language": "en", "title": "Returns"}`, status: 403},
			{name: "create a draft", method: "POST", path: "/kb/articles", as: "manager",
				body:   `{"section_id": ` + s + `, "language": "it", "title": "Come fare un reso", "body": "Stampa l'**etichetta**."}`,
				status: 201, json: map[string]string{"slug": "come-fare-un-reso", "translations.0.published": "false", "translations.0.draft": "true"},
				save: map[string]string{"a": "id"}},
			{name: "unknown language", method: "POST", path: "/kb/articles", as: "manager",
				body: `{"section_id": ` + s + `, "language": "de", "title": "Rückgabe"}`, status: 400, want: []string{`"language"`}},
			{name: "unknown section", method: "POST", path: "/kb/articles", as: "manager",
				body: `{"section_id": 999, "language": "en", "title": "Returns"}`, status: 400, want: []string{`"section"`}},
			{name: "a draft is not found", method: "GET", path: "/kb/search?q=etichetta&lang=it", as: "agent", status: 200,
				want: []string{`"data":[]`}},
			{name: "publish", method: "POST", path: "/kb/articles/{a}/publish", as: "manager", body: `{"language": "it"}`,
				status: 200, json: map[string]string{"translations.0.published": "true", "translations.0.draft": "false"}},
			{name: "found", method: "GET", path: "/kb/search?q=etich&lang=it", as: "agent", status: 200,
				json: map[string]string{"data.0.article_id": "{a}", "data.0.title": "Come fare un reso"}},
			{name: "translate and publish", method: "PUT", path: "/kb/articles/{a}", as: "manager",
				body: `{"language": "en", "title": "How to return", "body": "Print the label.", "publish": true}`, status: 200,
				json: map[string]string{"translations.0.language": "en", "translations.0.published": "true"}},
			{name: "list", method: "GET", path: "/kb/articles", as: "agent", status: 200, json: map[string]string{"data.0.language": "en", "data.1.language": "it"}},
			{name: "get", method: "GET", path: "/kb/articles/{a}", as: "agent", status: 200, json: map[string]string{"translations.1.title": "Come fare un reso"}},
			{name: "unpublish", method: "POST", path: "/kb/articles/{a}/publish", as: "manager", body: `{"language": "it", "publish": false}`,
				status: 200, json: map[string]string{"translations.1.published": "false"}},
			{name: "gone", method: "GET", path: "/kb/articles/999", as: "agent", status: 404},
			{name: "an agent cannot publish", method: "POST", path: "/kb/articles/{a}/publish", as: "agent", body: `{"language": "en"}`, status: 403},
		})
	})
}
