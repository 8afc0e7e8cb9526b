package web

import (
	"context"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/store/storetest"
	"github.com/rapport/rapport/internal/ticket"
)

// TestTicketPromise: from the ticket page an agent records an action plan
// with a reply (the customer reads the promised time in words), another on
// its own by a quick choice, marks one kept and cancels the other with a
// reason; bad input comes back on the form; the history says it all.
func TestTicketPromise(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		c := f.login(t, "agent")
		id := f.ids["ticket"]
		page := idPath("/tickets/", id, "")

		res := c.get(t, page)
		mustCode(t, res, http.StatusOK, "ticket page")
		contains(t, res.body, []string{`id="promise-form"`, `name="due"`, `value="later"`, `value="tomorrow"`, "No promises yet."},
			[]string{`value="bh4"`}) // no SLA calendar, no business-hours choice

		for _, tc := range []struct {
			name  string
			form  url.Values
			field string
		}{
			{"no what", url.Values{"what": {""}, "quick": {"later"}}, "Say what will happen."},
			{"past", url.Values{"what": {"call back"}, "due": {"2025-03-09T10:00"}}, "Choose a time in the future."},
			{"garbled", url.Values{"what": {"call back"}, "due": {"soon"}}, `<p class="field-error">`},
			{"no calendar", url.Values{"what": {"call back"}, "quick": {"bh4"}}, "There is no business calendar"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				res := c.post(t, page+"/promises", tc.form)
				mustCode(t, res, http.StatusUnprocessableEntity, tc.name)
				contains(t, res.body, []string{tc.field}, nil)
			})
		}

		// With a reply, by a picked time in the browser's zone (UTC+1: tz -60).
		res = c.post(t, page+"/promises", url.Values{"what": {"the replacement ships"}, "due": {"2025-03-11T13:00"},
			"tz": {"-60"}, "body": {"Sorry about the parcel."}})
		mustCode(t, res, http.StatusSeeOther, "promise with a reply")
		msgs, err := f.tickets.Messages(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		last := msgs[len(msgs)-1]
		want := "Sorry about the parcel.\n\nWhat we will do: the replacement ships — by Tuesday 11 March 2025 at 12:00 UTC."
		if last.Kind != ticket.Reply || last.BodyText != want {
			t.Fatalf("reply = %s %q, want %q", last.Kind, last.BodyText, want)
		}
		// On its own, tomorrow at 10:00.
		res = c.post(t, page+"/promises", url.Values{"what": {"check the warehouse"}, "quick": {"tomorrow"}})
		mustCode(t, res, http.StatusSeeOther, "promise on its own")
		ps, err := f.tickets.Promises(ctx, id)
		if err != nil || len(ps) != 2 {
			t.Fatalf("promises = %v, %v", ps, err)
		}
		if want := time.Date(2025, 3, 11, 10, 0, 0, 0, time.UTC); !ps[1].Due.Equal(want) {
			t.Errorf("tomorrow = %v, want %v", ps[1].Due, want)
		}
		if n := len(mustMessages(t, f, id)); n != len(msgs) {
			t.Errorf("a plan on its own wrote to the customer: %d messages, want %d", n, len(msgs))
		}

		res = c.post(t, page+"/promises/"+itoa(ps[0].ID)+"/keep", nil)
		mustCode(t, res, http.StatusSeeOther, "keep")
		res = c.post(t, page+"/promises/"+itoa(ps[0].ID)+"/keep", nil)
		mustCode(t, res, http.StatusUnprocessableEntity, "keep twice")
		res = c.post(t, page+"/promises/"+itoa(ps[1].ID)+"/cancel", url.Values{"reason": {""}})
		mustCode(t, res, http.StatusUnprocessableEntity, "cancel without a reason")
		res = c.post(t, page+"/promises/"+itoa(ps[1].ID)+"/cancel", url.Values{"reason": {"the parcel turned up"}})
		mustCode(t, res, http.StatusSeeOther, "cancel")
		res = c.post(t, idPath("/tickets/", f.newTicket(t, ticket.NewTicket{Subject: "Other"}), "/promises/"+itoa(ps[1].ID)+"/keep"), nil)
		mustCode(t, res, http.StatusNotFound, "keep through another ticket")

		res = c.get(t, page)
		contains(t, res.body, []string{
			`class="promise promise-kept"`, `class="promise promise-cancelled"`, "the parcel turned up",
			"Al Agent promised “the replacement ships” by", "Al Agent kept the promise “the replacement ships”",
			"Al Agent cancelled the promise “check the warehouse”",
		}, []string{"promise-keep"})
	})
}

// mustMessages returns the messages of ticket id.
func mustMessages(t *testing.T, f *fixture, id int64) []ticket.Message {
	t.Helper()
	msgs, err := f.tickets.Messages(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return msgs
}

// TestInboxPromised: the inbox shows each ticket's next open promise, red
// once it is overdue.
func TestInboxPromised(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		id := f.ids["ticket"]
		for _, h := range []int{5, 2} {
			if _, err := f.tickets.MakePromise(ctx, ticket.AgentActor(f.ids["agent"]), id, "call back",
				f.clock.Now().Add(time.Duration(h)*time.Hour), ""); err != nil {
				t.Fatal(err)
			}
		}
		c := f.login(t, "agent")
		res := c.get(t, "/?view=all")
		mustCode(t, res, http.StatusOK, "inbox")
		contains(t, res.body, []string{`<small class="promised" title="call back">Promised by 11:00</small>`}, []string{"overdue"})
		f.clock.Advance(3 * time.Hour) // the 11:00 one is overdue; its job has not run yet
		res = c.get(t, "/?view=all")
		contains(t, res.body, []string{`class="promised overdue"`, "Promise overdue since 11:00"}, nil)
	})
}

// TestPromiseDoneOffered: a customer message that says the promised thing
// has happened puts a "mark kept" offer on the promises card, and so does
// the agent's own reply saying it; the promise stays open until the agent
// clicks, and the offer goes once it is kept.
func TestPromiseDoneOffered(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		c := f.login(t, "agent")
		for _, tc := range []struct {
			name, customer, reply string
			want                  []string
		}{
			{"customer says done", "I received the replacement, thanks!", "",
				[]string{`class="notice promise-done"`, "The customer wrote “received the replacement”", "Yes, mark it kept"}},
			{"agent says done", "", "Good news: the replacement has shipped this morning.",
				[]string{`class="notice promise-done"`, "Your reply says “replacement has shipped”"}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				id := f.newTicket(t, ticket.NewTicket{Subject: "Broken lamp " + tc.name})
				page := idPath("/tickets/", id, "")
				res := c.post(t, page+"/promises", url.Values{"what": {"the replacement ships"}, "quick": {"later"},
					"body": {"Sorry, a replacement ships today."}})
				mustCode(t, res, http.StatusSeeOther, "promise")
				res = c.get(t, page)
				contains(t, res.body, []string{"promise-keep"}, []string{"promise-done"})

				f.clock.Advance(time.Minute)
				res = c.post(t, page+"/reply", url.Values{"body": {"Still on it, I will write again soon."}})
				mustCode(t, res, http.StatusSeeOther, "an ordinary reply")
				f.clock.Advance(time.Minute)
				if tc.customer != "" {
					if _, err := f.tickets.AddCustomerMessage(ctx, id, tc.customer, ""); err != nil {
						t.Fatal(err)
					}
				} else {
					res = c.post(t, page+"/reply", url.Values{"body": {tc.reply}})
					mustCode(t, res, http.StatusSeeOther, "the reply that says done")
				}
				res = c.get(t, page)
				contains(t, res.body, tc.want, nil)
				ps, err := f.tickets.Promises(ctx, id)
				if err != nil || len(ps) != 1 || ps[0].Status != ticket.PromiseOpen {
					t.Fatalf("promises = %v, %v; want one, still open (only offered)", ps, err)
				}
				res = c.post(t, page+"/promises/"+itoa(ps[0].ID)+"/keep", nil)
				mustCode(t, res, http.StatusSeeOther, "keep")
				res = c.get(t, page)
				contains(t, res.body, []string{`class="promise promise-kept"`}, []string{"promise-done"})
			})
		}
	})
}
