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
