package web

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"sync/atomic"
	"testing"

	"github.com/rapport/rapport/internal/agent"
	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/store/storetest"
	"github.com/rapport/rapport/internal/ticket"
)

// TestAdminWebhooks: an admin adds a webhook from the menu (a bad address
// is refused beside its field, nothing written), a new ticket is delivered
// to the receiver and shows in the page's log, a replay sends it again,
// the page reads in Italian; managers and agents cannot reach it.
func TestAdminWebhooks(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		var got atomic.Int32
		rc := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Header.Get("webhook-signature") != "" {
				got.Add(1)
			}
			w.WriteHeader(http.StatusOK)
		}))
		t.Cleanup(rc.Close)

		admin := f.login(t, "admin")
		contains(t, admin.get(t, "/").body, []string{`href="/admin/webhooks"`}, nil)
		mustCode(t, admin.get(t, "/admin/webhooks"), http.StatusOK, "webhooks page")

		bad := url.Values{"url": {"ftp://crm.example/x"}, "events": {"ticket.created"}, "active": {"1"}}
		res := admin.post(t, "/admin/webhooks", bad)
		mustCode(t, res, http.StatusUnprocessableEntity, "ftp address")
		contains(t, res.body, []string{f.cat.T("en", "webhook.bad_url"), `value="ftp://crm.example/x"`, `value="ticket.created" checked`}, nil)
		if ws, _ := f.webhooks.List(ctx); len(ws) != 0 {
			t.Fatalf("a refused webhook was written: %+v", ws)
		}

		form := url.Values{"url": {rc.URL + "/rapport"}, "description": {"CRM"}, "events": {"ticket.created", "sla.breached"}, "active": {"1"}}
		res = admin.post(t, "/admin/webhooks", form)
		mustCode(t, res, http.StatusSeeOther, "create")
		where := res.header.Get("Location")
		if !regexp.MustCompile(`^/admin/webhooks/\d+$`).MatchString(where) {
			t.Fatalf("created: redirect to %q", where)
		}
		page := admin.get(t, where)
		contains(t, page.body, []string{"whsec_", `value="ticket.created" checked`, `value="sla.breached" checked`,
			f.cat.T("en", "webhooks.log_empty")}, []string{`value="ticket.note_added" checked`})

		if _, err := f.tickets.Create(ctx, ticket.SystemActor, ticket.NewTicket{Subject: "Where is my lamp?", Body: "It has not come.",
			Channel: "email", CustomerEmail: "luca@example.com"}); err != nil {
			t.Fatal(err)
		}
		for range 3 {
			if _, err := f.jobs.RunDue(ctx); err != nil {
				t.Fatal(err)
			}
		}
		if got.Load() != 1 {
			t.Fatalf("the receiver got %d signed deliveries, want 1", got.Load())
		}
		page = admin.get(t, where)
		contains(t, page.body, []string{f.cat.T("en", "webhooks.event.ticket.created"), f.cat.T("en", "webhooks.status.delivered"), "HTTP 200"}, nil)
		replay := regexp.MustCompile(`action="(/admin/webhooks/\d+/deliveries/\d+/replay)"`).FindStringSubmatch(page.body)
		if replay == nil {
			t.Fatal("no replay button")
		}
		mustCode(t, admin.post(t, replay[1], nil), http.StatusSeeOther, "replay")
		if _, err := f.jobs.RunDue(ctx); err != nil {
			t.Fatal(err)
		}
		if got.Load() != 2 {
			t.Fatalf("after a replay the receiver got %d deliveries, want 2", got.Load())
		}

		it := "it"
		if _, err := f.agents.Update(ctx, f.ids["admin"], agent.AgentUpdate{Locale: &it}); err != nil {
			t.Fatal(err)
		}
		contains(t, admin.get(t, where).body, []string{"Segreto di firma", "Ticket creato", "Consegnato"}, nil)

		for _, who := range []string{"manager", "agent"} {
			c := f.login(t, who)
			mustCode(t, c.get(t, "/admin/webhooks"), http.StatusForbidden, who+" reads the webhooks")
			mustCode(t, c.post(t, "/admin/webhooks", form), http.StatusForbidden, who+" adds a webhook")
		}
	})
}
