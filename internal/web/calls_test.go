package web

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/store/storetest"
	"github.com/rapport/rapport/internal/ticket"
)

// ticketIn reads the ticket id from a redirect to its page.
func ticketIn(t testing.TB, r response) int64 {
	t.Helper()
	loc := r.header.Get("Location")
	id, err := strconv.ParseInt(strings.TrimPrefix(loc, "/tickets/"), 10, 64)
	if !strings.HasPrefix(loc, "/tickets/") || err != nil {
		t.Fatalf("redirect to %q, want a ticket; body: %s", loc, r.body)
	}
	return id
}

func TestPhoneLog(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		c := f.login(t, "agent")
		carla := f.ids["customer"]

		// The inbox and the customer page lead to the form.
		contains(t, c.get(t, "/").body, []string{`href="/calls/new"`, "Log a call"}, nil)
		contains(t, c.get(t, customerURL(carla)).body, []string{`href="/calls/new?customer=` + strconv.FormatInt(carla, 10) + `"`}, nil)
		form := c.get(t, callsURL(carla, 0))
		mustCode(t, form, http.StatusOK, "form for a known caller")
		contains(t, form.body, []string{`name="customer" value="` + strconv.FormatInt(carla, 10) + `"`, "Carla Customer"}, []string{`name="phone"`})

		// A call needs someone who called and what they said.
		res := c.post(t, "/calls", url.Values{"summary": {"Wants a refund"}})
		mustCode(t, res, http.StatusUnprocessableEntity, "no caller")
		contains(t, res.body, []string{"Give the caller's phone number or email.", "Wants a refund"}, nil)
		res = c.post(t, "/calls", url.Values{"phone": {"call me maybe"}, "summary": {" "}})
		mustCode(t, res, http.StatusUnprocessableEntity, "bad phone, no summary")
		contains(t, res.body, []string{"This is not a phone number.", "This is required."}, nil)

		// A new caller by phone: a phone ticket the agent owns.
		res = c.post(t, "/calls", url.Values{
			"phone": {"+39 333 123 4567"}, "name": {"Marco Bianchi"}, "kind": {"complaint"}, "language": {"it"},
			"summary": {"Wants a refund for order 55.\nWill send photos."},
		})
		mustCode(t, res, http.StatusSeeOther, "log a call")
		id := ticketIn(t, res)
		tk, err := f.tickets.Get(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if tk.Channel != "phone" || tk.OwnerID != f.ids["agent"] || tk.Kind != "complaint" || tk.Language != "it" ||
			tk.Subject != "Wants a refund for order 55." || tk.CustomerName != "Marco Bianchi" {
			t.Errorf("phone ticket %+v", tk)
		}
		page := c.get(t, ticketURL(id))
		contains(t, page.body, []string{"Call logged.", "Phone", "Al Agent opened the ticket", "Will send photos."}, nil)
		// The ticket page offers to log the next call on it.
		contains(t, page.body, []string{`href="/calls/new?ticket=` + strconv.FormatInt(id, 10) + `"`}, nil)

		// A known caller picked on the customer page.
		res = c.post(t, "/calls", url.Values{"customer": {strconv.FormatInt(carla, 10)}, "subject": {"Delivery date"}, "summary": {"Asked when the parcel comes."}})
		mustCode(t, res, http.StatusSeeOther, "known caller")
		if tk, _ := f.tickets.Get(ctx, ticketIn(t, res)); tk.CustomerID != carla || tk.Subject != "Delivery date" || tk.Channel != "phone" {
			t.Errorf("known caller's ticket %+v", tk)
		}

		// A call onto an existing ticket adds the customer's words to it.
		form = c.get(t, callsURL(0, id))
		contains(t, form.body, []string{`name="ticket" value="` + strconv.FormatInt(id, 10) + `"`, "Wants a refund for order 55."}, nil)
		res = c.post(t, "/calls", url.Values{"ticket": {"#" + strconv.FormatInt(id, 10)}, "summary": {"Photos sent by email."}})
		mustCode(t, res, http.StatusSeeOther, "call on a ticket")
		if got := ticketIn(t, res); got != id {
			t.Errorf("call on ticket %d went to %d", id, got)
		}
		msgs, _ := f.tickets.Messages(ctx, id)
		if len(msgs) != 2 || msgs[1].Kind != ticket.CustomerMessage || !strings.Contains(msgs[1].BodyText, "Photos sent by email.") {
			t.Errorf("messages after the second call: %+v", msgs)
		}

		// An unknown or malformed ticket number is a field error.
		res = c.post(t, "/calls", url.Values{"ticket": {"999999"}, "summary": {"x"}})
		mustCode(t, res, http.StatusUnprocessableEntity, "unknown ticket")
		contains(t, res.body, []string{"There is no ticket with this number."}, nil)
		res = c.post(t, "/calls", url.Values{"ticket": {"twelve"}, "summary": {"x"}})
		mustCode(t, res, http.StatusUnprocessableEntity, "malformed ticket number")
		contains(t, res.body, []string{"This is not a ticket number."}, nil)
	})
}
