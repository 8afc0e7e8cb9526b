package web

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/store/storetest"
	"github.com/rapport/rapport/internal/ticket"
)

func TestCustomerPage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		id := f.ids["customer"]
		page := idPath("/customers/", id, "")
		f.newTicket(t, ticket.NewTicket{Subject: "Second order question"})
		f.newTicket(t, ticket.NewTicket{Subject: "Not hers", CustomerEmail: "dan@example.com", CustomerName: "Dan"})
		c := f.login(t, "agent")

		res := c.get(t, page)
		mustCode(t, res, http.StatusOK, "customer page")
		contains(t, res.body, []string{"Carla Customer", "carla@example.com", "Parcel never arrived", "Second order question"}, []string{"Not hers"})

		res = c.post(t, page, url.Values{"name": {"Carla Rossi"}, "language": {"it"}, "vip": {"on"}, "notes": {"Prefers phone calls."}, "tags": {"gold, wholesale"}})
		mustCode(t, res, http.StatusSeeOther, "save profile")
		res = c.get(t, page)
		contains(t, res.body, []string{"Customer saved.", "Carla Rossi", `class="badge vip"`, "Prefers phone calls.", `value="gold, wholesale"`}, nil)
		cu, _ := f.customers.Get(ctx, id)
		if !cu.VIP || cu.Language != "it" || strings.Join(cu.Tags, ",") != "gold,wholesale" {
			t.Errorf("customer after save: %+v", cu)
		}

		res = c.post(t, page+"/identities", url.Values{"kind": {"phone"}, "value": {"+39 333 123 4567"}})
		mustCode(t, res, http.StatusSeeOther, "add phone")
		contains(t, c.get(t, page).body, []string{"Identity added.", "+393331234567"}, nil)

		res = c.post(t, page+"/identities", url.Values{"kind": {"email"}, "value": {"not an email"}})
		mustCode(t, res, http.StatusUnprocessableEntity, "bad email")
		contains(t, res.body, []string{"This is not an email address.", `value="not an email"`}, nil)

		res = c.post(t, page+"/identities", url.Values{"kind": {"email"}, "value": {"dan@example.com"}})
		mustCode(t, res, http.StatusConflict, "someone else's email")
		contains(t, res.body, []string{"already in use"}, nil)

		cu, _ = f.customers.Get(ctx, id)
		var phoneID int64
		for _, i := range cu.Identities {
			if i.Kind == "phone" {
				phoneID = i.ID
			}
		}
		if !regexp.MustCompile(`/identities/\d+/delete`).MatchString(res.body) {
			t.Error("no remove buttons")
		}
		mustCode(t, c.post(t, idPath(page+"/identities/", phoneID, "/delete"), nil), http.StatusSeeOther, "remove phone")
		contains(t, c.get(t, page).body, []string{"Identity removed."}, []string{"+393331234567"})
		mustCode(t, c.post(t, page+"/identities/999999/delete", nil), http.StatusNotFound, "remove unknown identity")

		// The list searches names and identities.
		res = c.get(t, "/customers?q=ross")
		mustCode(t, res, http.StatusOK, "customer search")
		contains(t, res.body, []string{"Carla Rossi"}, []string{"Dan"})
		res = c.get(t, "/customers?q=dan@example")
		contains(t, res.body, []string{">Dan<"}, []string{"Carla Rossi"})
		contains(t, c.get(t, "/customers").body, []string{"Carla Rossi", ">Dan<"}, nil)
	})
}
