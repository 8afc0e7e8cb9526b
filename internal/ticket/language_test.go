package ticket_test

import (
	"context"
	"testing"

	"github.com/rapport/rapport/internal/customer"
	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/store/storetest"
	"github.com/rapport/rapport/internal/ticket"
)

// TestAgentsLanguageCorrectionIsTheCustomersPreference: an agent who
// corrects a ticket's language corrects the customer's preferred language
// in the same change; an update that leaves the language as it is, or
// clears it, leaves the preference alone.
func TestAgentsLanguageCorrectionIsTheCustomersPreference(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		tk := f.create(t, ticket.NewTicket{Subject: "Login problem", Language: "en"})
		preferred := func() string {
			t.Helper()
			c, err := f.customers.Get(ctx, f.carla)
			if err != nil {
				t.Fatal(err)
			}
			return c.Language
		}
		lang := func(s string) *string { return &s }

		if _, err := f.svc.Update(ctx, f.by("al"), tk.ID, ticket.Update{Language: lang("it")}); err != nil {
			t.Fatal(err)
		}
		eq(t, f.get(t, tk.ID).Language, "it")
		eq(t, preferred(), "it")
		types := f.eventTypes(t, tk.ID)
		eq(t, types[len(types)-1], ticket.EventLanguage)

		// The customer's page changes the preference; a form that sends
		// the ticket's unchanged language with another field keeps it.
		if _, err := f.customers.Update(ctx, f.carla, customer.Update{Language: lang("ru")}); err != nil {
			t.Fatal(err)
		}
		high := "high"
		if _, err := f.svc.Update(ctx, f.by("al"), tk.ID, ticket.Update{Language: lang("it"), Priority: &high}); err != nil {
			t.Fatal(err)
		}
		eq(t, preferred(), "ru")

		// Clearing the ticket's language says nothing of the customer.
		if _, err := f.svc.Update(ctx, f.by("al"), tk.ID, ticket.Update{Language: lang("")}); err != nil {
			t.Fatal(err)
		}
		eq(t, f.get(t, tk.ID).Language, "")
		eq(t, preferred(), "ru")

		// A rejected change writes neither.
		if _, err := f.svc.Update(ctx, f.by("al"), tk.ID, ticket.Update{Language: lang("lv"), TeamID: new(int64(999999))}); err == nil {
			t.Fatal("an unknown team was accepted")
		}
		eq(t, f.get(t, tk.ID).Language, "")
		eq(t, preferred(), "ru")
	})
}
