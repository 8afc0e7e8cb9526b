package web

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/rapport/rapport/internal/store/storetest"
	"github.com/rapport/rapport/internal/ticket"
)

// TestBrowserColleagueCannotSolve is issue 13's Done-when for who changes
// a ticket: Bo, of the billing team, opens Al's logistics ticket in a real
// browser and tries to solve it; the page says that only the owner, a
// collaborator or a manager may, and the ticket stays open.
func TestBrowserColleagueCannotSolve(t *testing.T) {
	f := newFixture(t, storetest.SQLite(t))
	ctx := context.Background()
	for _, tm := range []struct {
		name  string
		agent int64
	}{{"Logistics", f.ids["agent"]}, {"Billing", f.ids["agent2"]}} {
		team, err := f.agents.CreateTeam(ctx, tm.name, "")
		if err != nil {
			t.Fatal(err)
		}
		if err := f.agents.SetTeamMembers(ctx, team.ID, []int64{tm.agent}); err != nil {
			t.Fatal(err)
		}
		f.ids[tm.name] = team.ID
	}
	id := f.newTicket(t, ticket.NewTicket{Subject: "Parcel lost", OwnerID: f.ids["agent"], TeamID: f.ids["Logistics"]})
	before, err := f.tickets.Get(ctx, id)
	if err != nil {
		t.Fatal(err)
	}

	bctx := newBrowser(t, 60*time.Second, 1280, 900)
	err = chromedp.Do(bctx,
		chromedp.Navigate(f.srv.URL+"/"),
		chromedp.WaitVisible(chromedp.ID("email")),
		chromedp.SendKeys(chromedp.ID("email"), "agent2@rapport.test"),
		chromedp.SendKeys(chromedp.ID("password"), testPassword),
		chromedp.Submit(chromedp.ID("password")),
		chromedp.WaitVisible(chromedp.CSS("nav.tabs")),
		chromedp.Navigate(f.srv.URL+idPath("/tickets/", id, "")),
		chromedp.WaitVisible(chromedp.Search(`//h1[contains(., "Parcel lost")]`)),
		chromedp.SetValue(chromedp.ID("status-select"), "solved"),
		chromedp.Click(chromedp.CSS(`#update button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.Search(`//section[@id="update"]//p[@role="alert"][contains(., "Only the ticket's owner")]`)),
	)
	if err != nil {
		t.Fatalf("browser: sign in as Bo, open Al's ticket and solve it: %v", err)
	}
	alert, err := chromedp.Run(bctx, chromedp.Text(chromedp.CSS(`#update p[role="alert"]`)))
	if err != nil {
		t.Fatal(err)
	}
	if want := "Only the ticket's owner, a collaborator or a manager can change its status or transfer it."; !strings.Contains(alert, want) {
		t.Errorf("the page says %q; want %q", alert, want)
	}
	status, err := chromedp.Run(bctx, chromedp.Text(chromedp.ID("ticket-status")))
	if err != nil {
		t.Fatal(err)
	}
	if status != "Open" {
		t.Errorf("the page shows the status %q; want Open", status)
	}
	after, err := f.tickets.Get(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if after.Status != before.Status || after.Status != ticket.Open || !after.SolvedAt.IsZero() || !after.UpdatedAt.Equal(before.UpdatedAt) {
		t.Errorf("the refused solve changed the ticket: %+v", after)
	}
}
