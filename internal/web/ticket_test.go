package web

import (
	"context"
	"errors"
	"github.com/rapport/rapport/internal/ratelimit"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/store/storetest"
	"github.com/rapport/rapport/internal/ticket"
)

func TestTicketPage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		c := f.login(t, "agent")
		htmlID := f.newTicket(t, ticket.NewTicket{
			Subject: "HTML mail", Body: "fallback",
			BodyHTML: `<p>Hello <b>bold</b> friend</p><script>alert(1)</script><img src=x onerror="alert(2)">`,
		})
		res := c.get(t, idPath("/tickets/", htmlID, ""))
		mustCode(t, res, http.StatusOK, "ticket page")
		// Sanitised HTML renders as HTML; nothing active survives.
		contains(t, res.body, []string{"<b>bold</b>", "HTML mail"}, []string{"<script>alert", "onerror"})

		res = c.get(t, idPath("/tickets/", f.ids["ticket"], ""))
		mustCode(t, res, http.StatusOK, "ticket page")
		contains(t, res.body, []string{
			"Parcel never arrived", "Carla Customer", "carla@example.com",
			"Hello,<br>\nmy parcel has not arrived yet.<br>", // text keeps its line breaks
			`class="msg msg-customer"`, "New", "Unassigned", "Transfers: 0",
			"Carla Customer opened the ticket", // history
			`name="set_status"`, `action="/tickets/` + strconv.FormatInt(f.ids["ticket"], 10) + `/transfer"`,
		}, nil)

		for _, path := range []string{"/tickets/999999", "/tickets/abc", "/tickets/0", "/customers/999999", "/admin/nothing", "/nope"} {
			res := f.login(t, "admin").get(t, path)
			mustCode(t, res, http.StatusNotFound, path)
			contains(t, res.body, []string{"Not found"}, nil)
		}
	})
}

func TestTicketReply(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		c := f.login(t, "agent")
		id := f.ids["ticket"]
		page := idPath("/tickets/", id, "")

		// An empty reply comes back with the error next to the field.
		res := c.post(t, page+"/reply", url.Values{"body": {"  "}})
		mustCode(t, res, http.StatusUnprocessableEntity, "empty reply")
		contains(t, res.body, []string{"This is required.", "Please correct the marked fields."}, nil)

		res = c.post(t, page+"/reply", url.Values{"body": {"We are on it <right away>."}})
		mustCode(t, res, http.StatusSeeOther, "reply")
		if loc := res.header.Get("Location"); loc != page+"#reply" {
			t.Errorf("after reply to %q", loc)
		}
		res = c.get(t, page)
		contains(t, res.body, []string{
			"Reply sent.", `class="msg msg-reply"`, "We are on it &lt;right away&gt;.",
			`id="ticket-status">Open<`, "Al Agent replied", "Al Agent took the ticket",
		}, nil)
		// The flash shows once.
		contains(t, c.get(t, page).body, nil, []string{"Reply sent."})

		res = c.post(t, page+"/reply", url.Values{"body": {"It has been delivered."}, "set_status": {"solved"}})
		mustCode(t, res, http.StatusSeeOther, "reply and solve")
		tk, err := f.tickets.Get(context.Background(), id)
		if err != nil || tk.Status != ticket.Solved {
			t.Fatalf("after reply and solve: %v %v", tk.Status, err)
		}
		contains(t, c.get(t, page).body, []string{`id="ticket-status">Solved<`, "changed the status from Open to Solved"}, nil)

		res = c.post(t, page+"/reply", url.Values{"body": {"x"}, "set_status": {"closed"}})
		mustCode(t, res, http.StatusUnprocessableEntity, "reply and close")
	})
}

func TestTicketNote(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		c := f.login(t, "agent")
		page := idPath("/tickets/", f.ids["ticket"], "")
		mustCode(t, c.post(t, page+"/notes", url.Values{"body": {"Courier says Tuesday."}}), http.StatusSeeOther, "note")
		res := c.get(t, page)
		contains(t, res.body, []string{"Internal note added.", `class="msg msg-note"`, "Courier says Tuesday.", "Al Agent added an internal note"}, nil)
		// A note does not answer the customer.
		tk, _ := f.tickets.Get(context.Background(), f.ids["ticket"])
		if tk.Status != ticket.New || !tk.FirstResponseAt.IsZero() {
			t.Errorf("a note changed the ticket: %+v", tk)
		}
	})
}

func TestTicketAssignAndTransfer(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		c := f.login(t, "agent")
		id := f.ids["ticket"]
		page := idPath("/tickets/", id, "")
		team, err := f.agents.CreateTeam(context.Background(), "Logistics", "Parcels")
		if err != nil {
			t.Fatal(err)
		}

		mustCode(t, c.post(t, page+"/assign", nil), http.StatusSeeOther, "assign to me")
		tk, _ := f.tickets.Get(context.Background(), id)
		if tk.OwnerID != f.ids["agent"] {
			t.Fatalf("owner %d, want the agent", tk.OwnerID)
		}
		// An owned ticket moves only by transfer.
		res := f.login(t, "agent2").post(t, page+"/assign", url.Values{"agent_id": {strconv.FormatInt(f.ids["agent2"], 10)}})
		mustCode(t, res, http.StatusConflict, "assign an owned ticket")
		contains(t, res.body, []string{"already has an owner"}, nil)

		// A transfer without a reason is refused and changes nothing.
		res = c.post(t, page+"/transfer", url.Values{"agent_id": {strconv.FormatInt(f.ids["agent2"], 10)}, "reason": {"  "}})
		mustCode(t, res, http.StatusUnprocessableEntity, "transfer without reason")
		contains(t, res.body, []string{"A transfer needs a reason.", "This is required."}, nil)
		tk, _ = f.tickets.Get(context.Background(), id)
		if tk.OwnerID != f.ids["agent"] || tk.TransferCount != 0 {
			t.Fatalf("a refused transfer changed the ticket: owner %d, transfers %d", tk.OwnerID, tk.TransferCount)
		}

		res = c.post(t, page+"/transfer", url.Values{
			"agent_id": {strconv.FormatInt(f.ids["agent2"], 10)}, "team_id": {strconv.FormatInt(team.ID, 10)},
			"reason": {"Bo handles couriers"},
		})
		mustCode(t, res, http.StatusSeeOther, "transfer")
		res = c.get(t, page)
		contains(t, res.body, []string{
			"Ticket transferred.", "Transfers: 1",
			"Al Agent transferred the ticket from Al Agent to Bo Agent (Logistics)", "Reason: Bo handles couriers",
		}, nil)
		tk, _ = f.tickets.Get(context.Background(), id)
		if tk.OwnerID != f.ids["agent2"] || tk.TeamID != team.ID || tk.TransferCount != 1 {
			t.Errorf("after transfer: owner %d team %d transfers %d", tk.OwnerID, tk.TeamID, tk.TransferCount)
		}
		mustCode(t, c.post(t, page+"/transfer", url.Values{"agent_id": {"abc"}, "reason": {"x"}}),
			http.StatusUnprocessableEntity, "transfer to a malformed id")

		// A second transfer, by Bo who owns the ticket now, asks for
		// confirmation and says the customer has been passed on once
		// already; confirmed, it goes through.
		bo := f.login(t, "agent2")
		back := url.Values{"agent_id": {strconv.FormatInt(f.ids["agent"], 10)}, "reason": {"Al promised a call back"}}
		res = bo.post(t, page+"/transfer", back)
		mustCode(t, res, http.StatusConflict, "second transfer unconfirmed")
		contains(t, res.body, []string{"This customer has already been passed on once", `id="transfer-confirm"`,
			`name="again" value="1"`, "Al promised a call back"}, []string{`id="transfer-already"`})
		if tk, _ = f.tickets.Get(context.Background(), id); tk.OwnerID != f.ids["agent2"] || tk.TransferCount != 1 {
			t.Fatalf("an unconfirmed second transfer changed the ticket: owner %d, transfers %d", tk.OwnerID, tk.TransferCount)
		}
		back.Set("again", "1")
		mustCode(t, bo.post(t, page+"/transfer", back), http.StatusSeeOther, "second transfer confirmed")
		if tk, _ = f.tickets.Get(context.Background(), id); tk.OwnerID != f.ids["agent"] || tk.TransferCount != 2 {
			t.Fatalf("after the confirmed transfer: owner %d, transfers %d", tk.OwnerID, tk.TransferCount)
		}
		contains(t, c.get(t, page).body, []string{"Transfers: 2", `id="transfer-already"`}, nil)
	})
}

func TestTicketUpdate(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		c := f.login(t, "agent")
		id := f.ids["ticket"]
		page := idPath("/tickets/", id, "")
		res := c.post(t, page+"/update", url.Values{"status": {"pending"}, "priority": {"urgent"}, "kind": {"complaint"}, "language": {"it"}})
		mustCode(t, res, http.StatusSeeOther, "update")
		res = c.get(t, page)
		contains(t, res.body, []string{
			"Ticket updated.", `id="ticket-status">Pending<`,
			"Al Agent changed the status from New to Pending",
			"Al Agent changed the priority from Normal to Urgent",
			"Al Agent changed the kind from Question to Complaint",
			"Al Agent changed the language from Unknown to Italian",
		}, nil)

		res = c.post(t, page+"/update", url.Values{"priority": {"enormous"}})
		mustCode(t, res, http.StatusUnprocessableEntity, "bad priority")
		contains(t, res.body, []string{"Pick one of the listed values."}, nil)
		res = c.post(t, page+"/update", url.Values{"status": {"closed"}})
		mustCode(t, res, http.StatusUnprocessableEntity, "closing by hand")
		contains(t, res.body, []string{"Tickets close by themselves"}, nil)

		mustCode(t, c.post(t, page+"/tags", url.Values{"tags": {"Refund, delivery ,, refund"}}), http.StatusSeeOther, "tags")
		tk, _ := f.tickets.Get(context.Background(), id)
		if strings.Join(tk.Tags, ",") != "delivery,refund" {
			t.Errorf("tags %v", tk.Tags)
		}
		contains(t, c.get(t, page).body, []string{`value="delivery, refund"`, "Al Agent added the tags delivery, refund"}, nil)
	})
}

func TestBodyTooLarge(t *testing.T) {
	f := newFixture(t, storetest.SQLite(t))
	c := f.login(t, "agent")
	res := c.post(t, idPath("/tickets/", f.ids["ticket"], "/reply"), url.Values{"body": {strings.Repeat("a", testMaxBody+1)}})
	mustCode(t, res, http.StatusRequestEntityTooLarge, "oversized reply")
	contains(t, res.body, []string{"Too large"}, nil)
	msgs, _ := f.tickets.Messages(context.Background(), f.ids["ticket"])
	if len(msgs) != 1 {
		t.Errorf("an oversized reply was stored")
	}
}

func TestSecurityHeaders(t *testing.T) {
	f := newFixture(t, storetest.SQLite(t))
	c := f.login(t, "agent")
	for _, path := range []string{"/", "/login", "/nope", "/static/app.css"} {
		res := c.get(t, path)
		h := res.header
		if csp := h.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe-inline") {
			t.Errorf("%s: CSP %q", path, csp)
		}
		if h.Get("X-Frame-Options") != "DENY" || h.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("%s: headers %v", path, h)
		}
	}
	res := c.get(t, "/static/app.css")
	mustCode(t, res, http.StatusOK, "css")
	if !strings.HasPrefix(res.header.Get("Content-Type"), "text/css") {
		t.Errorf("css served as %q", res.header.Get("Content-Type"))
	}
	// No inline script or style anywhere, as the CSP would block it.
	home := c.get(t, idPath("/tickets/", f.ids["ticket"], ""))
	contains(t, home.body, []string{`<script src="/static/app.js`}, []string{"<script>", "<style", " style=", " onclick="})
}

func TestClosedTicketIsReadOnly(t *testing.T) {
	f := newFixture(t, storetest.SQLite(t))
	id := f.ids["ticket"]
	if _, err := f.tickets.Update(context.Background(), ticket.SystemActor, id, ticket.Update{Status: ptr(ticket.Closed)}); err != nil {
		t.Fatal(err)
	}
	c := f.login(t, "agent")
	page := idPath("/tickets/", id, "")
	res := c.get(t, page)
	mustCode(t, res, http.StatusOK, "closed ticket")
	contains(t, res.body, []string{"This ticket is closed", `id="ticket-status">Closed<`, "The ticket closed automatically"},
		[]string{`action="` + page + `/reply"`, `action="` + page + `/transfer"`})
	res = c.post(t, page+"/reply", url.Values{"body": {"too late"}})
	mustCode(t, res, http.StatusConflict, "reply to a closed ticket")
	contains(t, res.body, []string{"This ticket is closed and can no longer change."}, nil)
}

// An unexpected error becomes a plain 500 page; its details (which may
// hold SQL) go to the log only.
func TestInternalErrorHidesDetails(t *testing.T) {
	f := newFixture(t, storetest.SQLite(t))
	c := f.login(t, "agent")
	h, err := New(Opts{Limits: ratelimit.New(f.db, f.clock), Agents: f.agents, Customers: f.customers, Tickets: f.tickets, I18n: f.cat, Log: slogTo(f.logs)})
	if err != nil {
		t.Fatal(err)
	}
	s := h.(*server)
	rec := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodGet, "/tickets/1", nil)
	s.fail(rec, req, &reqCtx{lang: "en"}, errors.New(`ticket: get 1: SELECT secret FROM tickets: disk I/O error`))
	if rec.Code != http.StatusInternalServerError {
		t.Fatalf("status %d", rec.Code)
	}
	contains(t, rec.Body.String(), []string{"Something went wrong"}, []string{"SELECT", "secret", "disk I/O"})
	if !strings.Contains(f.logs.String(), "SELECT secret FROM tickets") {
		t.Errorf("the error was not logged: %s", f.logs.String())
	}
	mustCode(t, c.get(t, "/static/"), http.StatusNotFound, "static folder listing")
}

func slogTo(w io.Writer) *slog.Logger { return slog.New(slog.NewTextHandler(w, nil)) }

func TestMalformedForm(t *testing.T) {
	f := newFixture(t, storetest.SQLite(t))
	c := f.login(t, "agent")
	req, _ := http.NewRequest(http.MethodPost, f.srv.URL+idPath("/tickets/", f.ids["ticket"], "/notes"), strings.NewReader("body=%zz&csrf="+c.csrf))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	res := c.do(t, req)
	mustCode(t, res, http.StatusBadRequest, "malformed form")
	contains(t, res.body, []string{"Bad request"}, nil)
}

// A ticket routed to an owner as it is created says so without making the
// customer the one who assigned it.
func TestRoutedAssignmentHistory(t *testing.T) {
	f := newFixture(t, storetest.SQLite(t))
	id := f.newTicket(t, ticket.NewTicket{Subject: "Routed", OwnerID: f.ids["agent2"]})
	res := f.login(t, "agent").get(t, idPath("/tickets/", id, ""))
	contains(t, res.body, []string{"The ticket was assigned to Bo Agent"}, []string{"Carla Customer assigned"})
}
