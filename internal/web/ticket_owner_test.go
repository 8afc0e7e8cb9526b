package web

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"testing"
	"time"

	"github.com/rapport/rapport/internal/agent"
	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/store/storetest"
)

// TestCollisionWarning: two agents on one ticket see each other, and who
// is writing a reply.
func TestCollisionWarning(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		al, bo := f.login(t, "agent"), f.login(t, "agent2")
		page := idPath("/tickets/", f.ids["ticket"], "")

		mustCode(t, al.get(t, page), http.StatusOK, "Al opens the ticket")
		res := bo.get(t, page)
		mustCode(t, res, http.StatusOK, "Bo opens the ticket")
		contains(t, res.body, []string{"Al Agent is viewing this ticket.", `data-url="` + page + `/presence"`}, nil)

		// Al starts writing; Bo's next heartbeat hears of it.
		mustCode(t, al.post(t, page+"/presence", url.Values{"state": {"replying"}}), http.StatusOK, "Al replying")
		res = bo.post(t, page+"/presence", url.Values{"state": {"viewing"}})
		mustCode(t, res, http.StatusOK, "Bo's heartbeat")
		var got struct {
			Others []presenceLine `json:"others"`
		}
		if err := json.Unmarshal([]byte(res.body), &got); err != nil {
			t.Fatalf("presence answer %q: %v", res.body, err)
		}
		if len(got.Others) != 1 || got.Others[0].State != "replying" ||
			got.Others[0].Text != "Al Agent is writing a reply to this ticket right now." {
			t.Fatalf("Bo sees %+v", got.Others)
		}
		mustCode(t, bo.post(t, page+"/presence", url.Values{"state": {"dancing"}}), http.StatusBadRequest, "unknown state")
		mustCode(t, bo.post(t, "/tickets/999999/presence", url.Values{"state": {"viewing"}}), http.StatusNotFound, "unknown ticket")

		// Al leaves; a minute later nobody shows.
		mustCode(t, al.post(t, page+"/presence", url.Values{"state": {"left"}}), http.StatusOK, "Al leaves")
		res = bo.post(t, page+"/presence", url.Values{"state": {"viewing"}})
		if err := json.Unmarshal([]byte(res.body), &got); err != nil || len(got.Others) != 0 {
			t.Errorf("after Al left Bo sees %+v (%v)", got.Others, err)
		}
	})
}

// TestCollaboratorsAndSnooze: asking for help is not a transfer; a
// snoozed ticket leaves the inbox until it wakes.
func TestCollaboratorsAndSnooze(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		al := f.login(t, "agent")
		id := f.ids["ticket"]
		page := idPath("/tickets/", id, "")
		mustCode(t, al.post(t, page+"/assign", nil), http.StatusSeeOther, "take the ticket")

		bo := strconv.FormatInt(f.ids["agent2"], 10)
		mustCode(t, al.post(t, page+"/collaborators", url.Values{"agent_id": {bo}}), http.StatusSeeOther, "ask Bo to help")
		res := al.get(t, page)
		contains(t, res.body, []string{"Collaborator added", `<span class="collab-name">Bo Agent</span>`,
			"Al Agent asked Bo Agent to help", "Transfers: 0"}, nil)
		res = al.post(t, page+"/collaborators", url.Values{"agent_id": {strconv.FormatInt(f.ids["agent"], 10)}})
		mustCode(t, res, http.StatusUnprocessableEntity, "the owner as collaborator")
		contains(t, res.body, []string{"The owner already works this ticket."}, nil)
		// Bo writes a note and the ticket stays Al's.
		mustCode(t, f.login(t, "agent2").post(t, page+"/notes", url.Values{"body": {"Old VAT rate on the invoice."}}),
			http.StatusSeeOther, "Bo's note")
		if tk, _ := f.tickets.Get(ctx, id); tk.OwnerID != f.ids["agent"] || tk.TransferCount != 0 {
			t.Fatalf("a collaborator's note moved the ticket: owner %d transfers %d", tk.OwnerID, tk.TransferCount)
		}
		mustCode(t, al.post(t, page+"/collaborators/"+bo+"/delete", nil), http.StatusSeeOther, "remove Bo")
		contains(t, al.get(t, page).body, []string{"Nobody is helping on this ticket.", "Al Agent removed Bo Agent as a collaborator"}, nil)

		// Snooze: a time in the past is refused; a preset works.
		res = al.post(t, page+"/snooze", url.Values{"until": {"2020-01-01T09:00"}})
		mustCode(t, res, http.StatusUnprocessableEntity, "snooze into the past")
		contains(t, res.body, []string{"Choose a time in the future."}, nil)
		mustCode(t, al.post(t, page+"/snooze", url.Values{"for": {"4h"}}), http.StatusSeeOther, "snooze 4 hours")
		tk, _ := f.tickets.Get(ctx, id)
		if want := f.clock.Now().Add(4 * time.Hour); !tk.SnoozedUntil.Equal(want) {
			t.Fatalf("snoozed until %v, want %v", tk.SnoozedUntil, want)
		}
		contains(t, al.get(t, page).body, []string{`id="snoozed-notice"`, "Snoozed until", `id="unsnooze"`}, nil)
		contains(t, al.get(t, "/?view=mine").body, nil, []string{"Parcel never arrived"})
		contains(t, al.get(t, "/?view=snoozed").body, []string{"Parcel never arrived"}, nil)

		// A time of the agent's own day, in their zone: 10:00 in Riga
		// (two hours east of UTC in March) is 08:00 UTC.
		zone := "Europe/Riga"
		if _, err := f.agents.Update(ctx, f.ids["agent"], agent.AgentUpdate{TimeZone: &zone}); err != nil {
			t.Fatal(err)
		}
		mustCode(t, al.post(t, page+"/snooze", url.Values{"until": {"2025-03-12T10:00"}}), http.StatusSeeOther, "snooze until a time")
		tk, _ = f.tickets.Get(ctx, id)
		if want := time.Date(2025, 3, 12, 8, 0, 0, 0, time.UTC); !tk.SnoozedUntil.Equal(want) {
			t.Fatalf("snoozed until %v, want %v", tk.SnoozedUntil, want)
		}
		mustCode(t, al.post(t, page+"/unsnooze", nil), http.StatusSeeOther, "wake now")
		contains(t, al.get(t, "/?view=mine").body, []string{"Parcel never arrived"}, nil)
		if tk, _ = f.tickets.Get(ctx, id); !tk.SnoozedUntil.IsZero() {
			t.Fatalf("still snoozed after waking: %v", tk.SnoozedUntil)
		}
	})
}
