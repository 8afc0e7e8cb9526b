package web

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/rapport/rapport/internal/audit"
	"github.com/rapport/rapport/internal/portal"
	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/store/storetest"
	"github.com/rapport/rapport/internal/ticket"
)

// portalLink is the sign-in link in the outbox's newest mail to a portal.
var portalLink = regexp.MustCompile(`/portal/link/(rpl_[A-Za-z0-9_-]{43})`)

// portalSignIn asks for a link for email on a fresh browser, runs the
// jobs and returns the browser and the mailed token ("" when none came).
func (f *fixture) portalAskLink(t *testing.T, email string) (*client, response) {
	t.Helper()
	c := f.newClient(t)
	page := c.get(t, "/portal/signin?lang=en")
	mustCode(t, page, http.StatusOK, "sign-in page")
	res := c.post(t, "/portal/signin", url.Values{"csrf": {csrfIn(t, page.body)}, "email": {email}, "lang": {"en"}})
	mustCode(t, res, http.StatusSeeOther, "ask for a link")
	sent := c.get(t, res.header.Get("Location"))
	mustCode(t, sent, http.StatusOK, "sent page")
	if _, err := f.jobs.RunDue(context.Background()); err != nil {
		t.Fatal(err)
	}
	return c, sent
}

// lastPortalToken is the token of the last sign-in link in the outbox.
func (f *fixture) lastPortalToken(t *testing.T) string {
	t.Helper()
	m := portalLink.FindAllStringSubmatch(outboxText(t, f.outbox), -1)
	if len(m) == 0 {
		return ""
	}
	return m[len(m)-1][1]
}

// The customer of issue 16's first Done-when: a link arrives in the outbox,
// signs in, sees the ticket (without the team's notes), replies into the
// same thread (the agent sees it), downloads their data; the link's second
// use is refused.
func TestPortalSignInReplyExport(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		tid := f.ids["ticket"]
		if _, err := f.tickets.AddNote(ctx, ticket.AgentActor(f.ids["agent"]), tid, "Internal: carrier is slow"); err != nil {
			t.Fatal(err)
		}
		// An unknown address is answered with the same page and mails nothing.
		_, unknown := f.portalAskLink(t, "nobody@example.com")
		if tok := f.lastPortalToken(t); tok != "" {
			t.Fatalf("a link was mailed for an unknown address")
		}
		c, known := f.portalAskLink(t, "Carla@Example.com")
		if unknown.body != known.body {
			t.Errorf("the answer differs for a known and an unknown address")
		}
		contains(t, known.body, []string{"If this address is one we know"}, nil)
		tok := f.lastPortalToken(t)
		if tok == "" {
			t.Fatalf("no sign-in link in the outbox: %s", outboxText(t, f.outbox))
		}
		// The link's page spends nothing: a scanner opening it twice is harmless.
		for range 2 {
			mustCode(t, c.get(t, "/portal/link/"+tok), http.StatusOK, "link page")
		}
		res := c.post(t, "/portal/link/"+tok, nil)
		mustCode(t, res, http.StatusSeeOther, "sign in")
		if loc := res.header.Get("Location"); loc != "/portal" {
			t.Fatalf("signed in to %q", loc)
		}
		var cookie *http.Cookie
		for _, ck := range res.headerCookies() {
			if ck.Name == portalCookie {
				cookie = ck
			}
		}
		if cookie == nil || !cookie.HttpOnly || cookie.SameSite != http.SameSiteLaxMode || cookie.Path != "/portal" {
			t.Fatalf("portal cookie %+v", cookie)
		}
		home := c.get(t, "/portal")
		mustCode(t, home, http.StatusOK, "portal home")
		contains(t, home.body, []string{"Parcel never arrived", "Carla Customer"}, nil)
		th := c.get(t, idPath("/portal/tickets/", tid, ""))
		mustCode(t, th, http.StatusOK, "ticket")
		contains(t, th.body, []string{"my parcel has not arrived yet"}, []string{"carrier is slow"})
		// A second use of the link, from anywhere, is refused with a page saying so.
		again := f.newClient(t).post(t, "/portal/link/"+tok, nil)
		mustCode(t, again, http.StatusGone, "second use")
		contains(t, again.body, []string{"already been used"}, nil)
		mustCode(t, f.newClient(t).get(t, "/portal/link/"+tok), http.StatusGone, "used link page")

		// A reply without the session's CSRF token is refused.
		mustCode(t, c.post(t, idPath("/portal/tickets/", tid, "/reply"), url.Values{"body": {"x"}}), http.StatusForbidden, "reply without csrf")
		c.csrf = csrfIn(t, th.body)
		res = c.post(t, idPath("/portal/tickets/", tid, "/reply"), url.Values{"body": {"It came today, thanks!"}})
		mustCode(t, res, http.StatusSeeOther, "reply")
		msgs, err := f.tickets.Messages(ctx, tid)
		if err != nil {
			t.Fatal(err)
		}
		last := msgs[len(msgs)-1]
		if last.Kind != ticket.CustomerMessage || last.BodyText != "It came today, thanks!" || last.TicketID != tid {
			t.Fatalf("last message %+v", last)
		}
		agentPage := f.login(t, "agent").get(t, idPath("/tickets/", tid, ""))
		contains(t, agentPage.body, []string{"It came today, thanks!"}, nil)

		// Another customer's ticket does not exist for this one.
		other := f.newTicket(t, ticket.NewTicket{Subject: "Someone else's", CustomerEmail: "dan@example.com"})
		mustCode(t, c.get(t, idPath("/portal/tickets/", other, "")), http.StatusNotFound, "another's ticket")
		mustCode(t, c.post(t, idPath("/portal/tickets/", other, "/reply"), url.Values{"body": {"hi"}}), http.StatusNotFound, "reply to another's")

		exp := c.get(t, "/portal/export.json")
		mustCode(t, exp, http.StatusOK, "export")
		var e portal.Export
		if err := json.Unmarshal([]byte(exp.body), &e); err != nil {
			t.Fatalf("export is not JSON: %v", err)
		}
		if e.Customer.Name != "Carla Customer" || len(e.Customer.Identities) != 1 || e.Customer.Identities[0].Value != "carla@example.com" {
			t.Errorf("export customer %+v", e.Customer)
		}
		if len(e.Tickets) != 1 || e.Tickets[0].ID != tid || len(e.Tickets[0].Messages) != 2 {
			t.Fatalf("export tickets %+v", e.Tickets)
		}
		if strings.Contains(exp.body, "carrier is slow") || strings.Contains(exp.body, "Someone else") {
			t.Errorf("export holds what is not the customer's: %s", exp.body)
		}
		if !strings.Contains(exp.header.Get("Content-Disposition"), "attachment") {
			t.Errorf("export is not a download: %q", exp.header.Get("Content-Disposition"))
		}
		// The download is in the audit log: the customer, what, from where.
		rows, err := f.audit.List(ctx, audit.Filter{Action: "export", TargetKind: "customer", TargetID: audit.ID(e.Customer.ID)})
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != 1 || rows[0].AgentID != 0 || rows[0].Addr == "" ||
			!strings.Contains(rows[0].After, `"by":"customer: portal data download"`) || !strings.Contains(rows[0].After, `"tickets":1`) ||
			!strings.Contains(rows[0].After, `"messages":2`) {
			t.Errorf("audit rows of the download: %+v", rows)
		}

		// An agent's session is not a portal session, and the reverse.
		mustCode(t, f.login(t, "agent").get(t, "/portal"), http.StatusSeeOther, "agent on the portal")
		mustCode(t, c.get(t, "/"), http.StatusSeeOther, "customer on the inbox")

		// Signing out ends the session.
		c.post(t, "/portal/signout", url.Values{"csrf": {c.csrf}})
		mustCode(t, c.get(t, "/portal"), http.StatusSeeOther, "after sign-out")
	})
}

// Links are rate-limited per address (and per client address); the answer
// stays neutral.
func TestPortalLinkRateLimit(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		for range portalMailLimit {
			f.portalAskLink(t, "carla@example.com")
		}
		c := f.newClient(t)
		page := c.get(t, "/portal/signin")
		res := c.post(t, "/portal/signin", url.Values{"csrf": {csrfIn(t, page.body)}, "email": {"carla@example.com"}})
		mustCode(t, res, http.StatusTooManyRequests, "fourth link for one address")
		tokens := map[string]bool{}
		for _, m := range portalLink.FindAllStringSubmatch(outboxText(t, f.outbox), -1) {
			tokens[m[1]] = true
		}
		if n := len(tokens); n != portalMailLimit {
			t.Errorf("%d links mailed, want %d", n, portalMailLimit)
		}
	})
}

// Issue 16's erasure from the web: the customer asks, an admin approves on
// /admin/erasure, the customer is anonymised and their messages erased.
func TestPortalErasureApprovedByAdmin(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		c, _ := f.portalAskLink(t, "carla@example.com")
		tok := f.lastPortalToken(t)
		mustCode(t, c.post(t, "/portal/link/"+tok, nil), http.StatusSeeOther, "sign in")
		home := c.get(t, "/portal")
		c.csrf = csrfIn(t, home.body)
		mustCode(t, c.post(t, "/portal/erasure", url.Values{"reason": {"Moving away"}}), http.StatusUnprocessableEntity, "erasure unconfirmed")
		mustCode(t, c.post(t, "/portal/erasure", url.Values{"reason": {"Moving away"}, "confirm": {"1"}}), http.StatusSeeOther, "ask for erasure")

		mustCode(t, f.login(t, "agent").get(t, "/admin/erasure"), http.StatusForbidden, "agent on erasure page")
		admin := f.login(t, "admin")
		page := admin.get(t, "/admin/erasure")
		mustCode(t, page, http.StatusOK, "erasure page")
		contains(t, page.body, []string{"Carla Customer", "Moving away"}, nil)
		list, err := f.portal.ErasureRequests(ctx, portal.ErasurePending)
		if err != nil || len(list) != 1 {
			t.Fatalf("pending requests %v, %v", list, err)
		}
		res := admin.post(t, idPath("/admin/erasure/", list[0].ID, "/approve"), url.Values{"confirm": {"1"}})
		mustCode(t, res, http.StatusSeeOther, "approve")
		cu, err := f.customers.Get(ctx, f.ids["customer"])
		if err != nil {
			t.Fatal(err)
		}
		if cu.Name != portal.Erased || len(cu.Identities) != 0 {
			t.Errorf("customer after erasure: %+v", cu)
		}
		msgs, err := f.tickets.Messages(ctx, f.ids["ticket"])
		if err != nil {
			t.Fatal(err)
		}
		if msgs[0].BodyText != portal.Erased {
			t.Errorf("the customer's message is still %q", msgs[0].BodyText)
		}
		// The session went with the customer's data.
		mustCode(t, c.get(t, "/portal"), http.StatusSeeOther, "portal after erasure")
		// Approving twice changes nothing.
		mustCode(t, admin.post(t, idPath("/admin/erasure/", list[0].ID, "/approve"), url.Values{"confirm": {"1"}}), http.StatusSeeOther, "approve again")
		if _, err := f.customers.FindByIdentity(ctx, "email", "carla@example.com"); err == nil {
			t.Errorf("the address still finds the customer")
		}
	})
}

// headerCookies are the cookies a response sets.
func (r response) headerCookies() []*http.Cookie {
	return (&http.Response{Header: r.header}).Cookies()
}

// signedInPortal signs the fixture's customer in to the portal and returns
// the browser, with the session's CSRF token.
func (f *fixture) signedInPortal(t *testing.T) *client {
	t.Helper()
	c, _ := f.portalAskLink(t, "carla@example.com")
	mustCode(t, c.post(t, "/portal/link/"+f.lastPortalToken(t), nil), http.StatusSeeOther, "sign in")
	home := c.get(t, "/portal")
	mustCode(t, home, http.StatusOK, "home")
	c.csrf = csrfIn(t, home.body)
	return c
}

// A new request from the portal is a ticket of the customer; language and
// zone are theirs to set, and the portal then speaks their language.
func TestPortalNewRequestAndPreferences(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		c := f.signedInPortal(t)
		mustCode(t, c.post(t, "/portal/tickets", url.Values{"subject": {"Invoice"}, "message": {""}}), http.StatusUnprocessableEntity, "empty request")
		res := c.post(t, "/portal/tickets", url.Values{"subject": {"Invoice copy"}, "message": {"Please send my invoice again."}, "key": {"k1"}})
		mustCode(t, res, http.StatusSeeOther, "new request")
		again := c.post(t, "/portal/tickets", url.Values{"subject": {"Invoice copy"}, "message": {"Please send my invoice again."}, "key": {"k1"}})
		if again.header.Get("Location") != res.header.Get("Location") {
			t.Errorf("a resubmitted form made another ticket: %s, %s", res.header.Get("Location"), again.header.Get("Location"))
		}
		page := c.get(t, res.header.Get("Location"))
		mustCode(t, page, http.StatusOK, "the new ticket")
		contains(t, page.body, []string{"Invoice copy", "Please send my invoice again."}, nil)
		list, err := f.portal.Tickets(ctx, f.ids["customer"])
		if err != nil || len(list) != 2 {
			t.Fatalf("tickets %+v, %v", list, err)
		}

		mustCode(t, c.post(t, "/portal/preferences", url.Values{"language": {"it"}, "time_zone": {"Mars/Olympus"}}), http.StatusUnprocessableEntity, "bad zone")
		mustCode(t, c.post(t, "/portal/preferences", url.Values{"language": {"it"}, "time_zone": {"Europe/Rome"}}), http.StatusSeeOther, "preferences")
		cu, err := f.customers.Get(ctx, f.ids["customer"])
		if err != nil || cu.Language != "it" || cu.TimeZone != "Europe/Rome" {
			t.Fatalf("customer %+v, %v", cu, err)
		}
		contains(t, c.get(t, "/portal").body, []string{"Le tue richieste", "Europe/Rome"}, nil)
	})
}
