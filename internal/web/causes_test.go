package web

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/store/storetest"
	"github.com/rapport/rapport/internal/ticket"
)

func TestRootCausesFromTheTicketPage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f, _, rs, _ := newRecoveryFixture(t, db)
		al := f.login(t, "agent")
		first := ticketURL(f.ids["ticket"])
		// Bad input comes back next to the field, nothing written.
		res := al.post(t, first+"/causes", url.Values{"category": {"delivery"}, "title": {" "}})
		mustCode(t, res, http.StatusUnprocessableEntity, "no title")
		if !strings.Contains(pageText(section(t, res.body, "cause")), "Give the cause a title") {
			t.Fatalf("no title error: %s", section(t, res.body, "cause"))
		}
		res = al.post(t, first+"/causes", url.Values{"category": {"delivery"}, "title": {"Courier loses parcels"},
			"what_happened": {"Parcels lost at the depot"}, "prevention": {"Switch courier"},
			"owner_id": {strconv.FormatInt(f.ids["agent"], 10)}, "due": {"2025-03-20"}})
		mustCode(t, res, http.StatusSeeOther, "create cause")
		cs, err := rs.Causes(ctx, "", 0)
		if err != nil || len(cs) != 1 {
			t.Fatalf("causes %v %v", cs, err)
		}
		cause := strconv.FormatInt(cs[0].ID, 10)
		// A similar ticket gets the cause proposed, and links it in one click.
		second := f.newTicket(t, ticket.NewTicket{Subject: "My parcel never arrived", Body: "The parcel never arrived, lost by the courier?"})
		page := al.get(t, ticketURL(second))
		mustCode(t, page, http.StatusOK, "second ticket")
		if !strings.Contains(section(t, page.body, "cause"), "Courier loses parcels") {
			t.Fatalf("no proposal: %s", section(t, page.body, "cause"))
		}
		res = al.post(t, ticketURL(second)+"/causes/link", url.Values{"cause_id": {cause}})
		mustCode(t, res, http.StatusSeeOther, "link")
		res = al.post(t, ticketURL(second)+"/causes/link", url.Values{"cause_id": {cause}})
		mustCode(t, res, http.StatusUnprocessableEntity, "link twice")
		if !strings.Contains(pageText(res.body), "already linked to this cause") {
			t.Fatal("linking twice says nothing precise")
		}
		// Search by title from a third ticket.
		third := f.newTicket(t, ticket.NewTicket{Subject: "Where is it", Body: "nothing yet"})
		page = al.get(t, ticketURL(third)+"?cause_q=courier")
		if !strings.Contains(section(t, page.body, "cause-results"), "Courier loses parcels") {
			t.Fatal("search found nothing")
		}
		mustCode(t, al.post(t, ticketURL(third)+"/causes/link", url.Values{"cause_id": {cause}}), http.StatusSeeOther, "link third")
		// Done, then a fourth is a recurrence, shown on the ticket and the page.
		mustCode(t, al.post(t, "/causes/"+cause+"/done", url.Values{"done": {"1"}, "back": {strconv.FormatInt(third, 10)}}), http.StatusSeeOther, "done")
		f.clock.Advance(time.Hour)
		fourth := f.newTicket(t, ticket.NewTicket{Subject: "Lost again", Body: "lost"})
		mustCode(t, al.post(t, ticketURL(fourth)+"/causes/link", url.Values{"cause_id": {cause}}), http.StatusSeeOther, "link fourth")
		page = al.get(t, ticketURL(fourth))
		if !strings.Contains(pageText(section(t, page.body, "cause-linked")), "recurrence") {
			t.Fatal("the recurrence is not shown on the ticket")
		}
		mustCode(t, al.get(t, "/manage/causes"), http.StatusForbidden, "agent on causes")
		mia := f.login(t, "manager")
		list := mia.get(t, "/manage/causes?cause="+cause)
		mustCode(t, list, http.StatusOK, "causes page")
		row := pageText(section(t, list.body, "causes"))
		if !strings.Contains(row, "Courier loses parcels Delivery 4 0 1") {
			t.Fatalf("causes row: %s", row)
		}
	})
}

// TestEditRootCause: from the causes page a manager edits every field of a
// cause; bad input comes back on the cause's own form with the field's
// error and nothing is changed.
func TestEditRootCause(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f, _, rs, _ := newRecoveryFixture(t, db)
		mia := f.login(t, "manager")
		al := f.login(t, "agent")
		res := al.post(t, ticketURL(f.ids["ticket"])+"/causes", url.Values{"category": {"delivery"}, "title": {"Courier loses parcels"},
			"prevention": {"Switch courier"}})
		mustCode(t, res, http.StatusSeeOther, "create cause")
		cs, err := rs.Causes(ctx, "", 0)
		if err != nil || len(cs) != 1 {
			t.Fatalf("causes %v %v", cs, err)
		}
		id := strconv.FormatInt(cs[0].ID, 10)
		page := mia.get(t, "/manage/causes?cause="+id)
		mustCode(t, page, http.StatusOK, "causes page")
		if !strings.Contains(page.body, `id="cause-edit-`+id+`"`) || !strings.Contains(page.body, `value="Courier loses parcels"`) {
			t.Fatal("no edit form filled with the cause")
		}
		edit := url.Values{"title": {"Depot loses parcels"}, "category": {"process"}, "what_happened": {"Scans skipped at the depot"},
			"prevention": {"Scan at every hand-over"}, "owner_id": {strconv.FormatInt(f.ids["manager"], 10)}, "due": {"2025-04-30"},
			"status": {"open"}}
		bad := url.Values{}
		for k, v := range edit {
			bad[k] = v
		}
		bad.Set("due", "2020-01-01")
		res = mia.post(t, "/causes/"+id, bad)
		mustCode(t, res, http.StatusUnprocessableEntity, "due in the past")
		if !strings.Contains(res.body, `<p class="field-error">`) || !strings.Contains(res.body, `value="Depot loses parcels"`) {
			t.Fatal("the refused edit does not come back on its form")
		}
		if c, _ := rs.Cause(ctx, cs[0].ID); c.Title != "Courier loses parcels" {
			t.Fatalf("refused edit changed the cause: %+v", c)
		}
		res = mia.post(t, "/causes/"+id, edit)
		mustCode(t, res, http.StatusSeeOther, "edit")
		c, err := rs.Cause(ctx, cs[0].ID)
		if err != nil || c.Title != "Depot loses parcels" || c.Category != "process" || c.WhatHappened != "Scans skipped at the depot" ||
			c.Prevention != "Scan at every hand-over" || c.OwnerID != f.ids["manager"] || c.Due.Format(time.DateOnly) != "2025-05-01" {
			t.Fatalf("edited cause %+v %v", c, err)
		}
		// Saved again unchanged (the date field shows the day chosen), then done.
		page = mia.get(t, "/manage/causes?cause="+id)
		if !strings.Contains(page.body, `value="2025-04-30"`) {
			t.Fatal("the due date is not shown as chosen")
		}
		edit.Set("status", "done")
		mustCode(t, mia.post(t, "/causes/"+id, edit), http.StatusSeeOther, "done by edit")
		if c, _ := rs.Cause(ctx, cs[0].ID); c.Status != "done" || c.DoneAt.IsZero() {
			t.Fatalf("not done: %+v", c)
		}
	})
}
