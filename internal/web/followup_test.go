package web

import (
	"context"
	"database/sql"
	"encoding/json"
	"net/http"
	"net/url"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/rapport/rapport/internal/channel/mailout"
	"github.com/rapport/rapport/internal/jobs"
	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/store/storetest"
	"github.com/rapport/rapport/internal/ticket"
)

// sendFollowUp solves the fixture's ticket and runs its follow-up job
// through a mail service whose links point at the test server; it returns
// the yes link's path from the mail's text.
func (f *surveyFixture) sendFollowUp(t *testing.T, id int64) string {
	t.Helper()
	ctx := context.Background()
	st := ticket.Solved
	if _, err := f.tickets.Update(ctx, ticket.AgentActor(f.ids["agent"]), id, ticket.Update{Status: &st}); err != nil {
		t.Fatal(err)
	}
	mailout.New(mailout.Opts{DB: f.db, Jobs: f.jobs, Tickets: f.tickets, I18n: f.cat, Transport: mailout.Outbox{Dir: f.outbox},
		Clock: f.clock, Mailbox: "support@shop.example", Business: "Aurora", BaseURL: f.srv.URL})
	payload, _ := json.Marshal(map[string]int64{"ticket_id": id})
	err := f.db.Tx(ctx, func(tx *sql.Tx) error {
		return f.jobs.Enqueue(ctx, tx, jobs.Job{Kind: mailout.JobFollowUp, Payload: payload})
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.jobs.RunDue(ctx); err != nil {
		t.Fatal(err)
	}
	text := f.lastMail(t)
	m := regexp.MustCompile(regexp.QuoteMeta(f.srv.URL) + `(/followup/[A-Za-z0-9_-]+)\?answer=yes\s`).FindStringSubmatch(text)
	if m == nil {
		t.Fatalf("no yes link in %s", text)
	}
	if !regexp.MustCompile(`/followup/[A-Za-z0-9_-]+\?answer=no\s`).MatchString(text) {
		t.Fatalf("no no link in %s", text)
	}
	return m[1]
}

// The customer's path: the mail's yes link shows the question and records
// nothing (a mail scanner opens it too); the button, a plain form, closes
// the ticket as a confirmed fix; pressing again says the answer is in and
// changes nothing; a wrong token gets its friendly page.
func TestFollowUpPage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newSurveyFixture(t, db)
		f.outbox = filepath.Join(t.TempDir(), "outbox")
		id := f.ids["ticket"]
		page := f.sendFollowUp(t, id)
		c := f.newClient(t)

		for range 2 {
			res := c.get(t, page+"?answer=yes")
			mustCode(t, res, http.StatusOK, "yes link")
			contains(t, res.body, []string{"Did the solution hold?", `method="post" action="` + page + `"`, `name="answer" value="yes"`, `name="answer" value="no"`},
				[]string{`name="csrf"`})
		}
		if tk, _ := f.tickets.Get(context.Background(), id); tk.Status != ticket.Solved {
			t.Fatalf("a GET changed the ticket: %s", tk.Status)
		}
		res := c.post(t, page, url.Values{"answer": {"yes"}})
		mustCode(t, res, http.StatusOK, "yes button")
		contains(t, res.body, []string{"your request is now closed"}, nil)
		tk, _ := f.tickets.Get(context.Background(), id)
		evs, _ := f.tickets.Events(context.Background(), id)
		confirmed := 0
		for _, e := range evs {
			if e.Type == ticket.EventFixConfirmed {
				confirmed++
			}
		}
		if tk.Status != ticket.Closed || tk.ReopenCount != 0 || confirmed != 1 {
			t.Fatalf("after yes: %s, %d reopens, %d confirmations", tk.Status, tk.ReopenCount, confirmed)
		}

		res = c.post(t, page, url.Values{"answer": {"no"}})
		mustCode(t, res, http.StatusConflict, "second press")
		contains(t, res.body, []string{"already recorded"}, nil)
		if tk, _ := f.tickets.Get(context.Background(), id); tk.Status != ticket.Closed {
			t.Fatalf("a replay changed the ticket: %s", tk.Status)
		}
		res = c.get(t, page)
		mustCode(t, res, http.StatusOK, "page after the answer")
		contains(t, res.body, []string{"already recorded"}, []string{`name="answer"`})

		mustCode(t, c.post(t, page, url.Values{"answer": {"maybe"}}), http.StatusBadRequest, "bad answer")
		res = c.get(t, "/followup/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")
		mustCode(t, res, http.StatusNotFound, "unknown token")
		contains(t, res.body, []string{"This link is not valid"}, nil)
	})
}

// An unclear written answer waits on the ticket page with the customer's
// words and two buttons: "Count as rework" and "It was fixed". Each acts
// once; a second press says the answer is decided and changes nothing.
func TestFollowUpDecideOnTicketPage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newSurveyFixture(t, db)
		f.outbox = filepath.Join(t.TempDir(), "outbox")
		ctx := context.Background()
		c := f.login(t, "agent")
		for _, tc := range []struct {
			name, fixed, flash string
			want               ticket.Status
			reopens            int
			history            string
		}{
			{"rework", "no", "Counted as rework.", ticket.Open, 1, "Al Agent counted the follow-up answer as rework"},
			{"fixed", "yes", "Closed as a confirmed fix.", ticket.Closed, 0, "Al Agent decided the fix had held"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				id := f.newTicket(t, ticket.NewTicket{Subject: "Unclear " + tc.name})
				if _, err := f.tickets.Assign(ctx, ticket.AgentActor(f.ids["agent"]), id, f.ids["agent"]); err != nil {
					t.Fatal(err)
				}
				f.sendFollowUp(t, id)
				if _, err := f.tickets.AddCustomerMessage(ctx, id, "When will my refund arrive?", ""); err != nil {
					t.Fatal(err)
				}
				page := ticketURL(id)
				res := c.get(t, page)
				mustCode(t, res, http.StatusOK, "ticket page")
				contains(t, res.body, []string{`id="followup-decide"`, "When will my refund arrive?",
					`action="/tickets/` + itoa(id) + `/followup/decide"`, "Count as rework", "It was fixed", `name="csrf"`}, nil)

				res = c.post(t, page+"/followup/decide", url.Values{"fixed": {tc.fixed}})
				mustCode(t, res, http.StatusSeeOther, "decide")
				res = c.get(t, page)
				contains(t, res.body, []string{tc.flash, tc.history}, []string{`id="followup-decide"`})
				tk, _ := f.tickets.Get(ctx, id)
				if tk.Status != tc.want || tk.ReopenCount != tc.reopens || tk.OwnerID != f.ids["agent"] {
					t.Errorf("after deciding: %s, %d reopens, owner %d", tk.Status, tk.ReopenCount, tk.OwnerID)
				}

				res = c.post(t, page+"/followup/decide", url.Values{"fixed": {"yes"}})
				mustCode(t, res, http.StatusConflict, "decide again")
				contains(t, res.body, []string{"This answer was already decided"}, nil)
				if again, _ := f.tickets.Get(ctx, id); again.Status != tk.Status || again.ReopenCount != tk.ReopenCount {
					t.Errorf("a second decision changed the ticket: %s, %d reopens", again.Status, again.ReopenCount)
				}
			})
		}
		mustCode(t, c.post(t, ticketURL(f.ids["ticket"])+"/followup/decide", url.Values{"fixed": {"maybe"}}), http.StatusBadRequest, "bad decision")
		res := c.post(t, ticketURL(f.ids["ticket"])+"/followup/decide", url.Values{"fixed": {"no"}})
		mustCode(t, res, http.StatusConflict, "nothing to decide")
		contains(t, res.body, []string{"There is no unclear follow-up answer"}, nil)
	})
}
