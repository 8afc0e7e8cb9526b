package web

import (
	"context"
	"github.com/rapport/rapport/internal/clientaddr"
	"github.com/rapport/rapport/internal/ratelimit"
	"io"
	"log/slog"
	"mime"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/mail"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/rapport/rapport/internal/channel/mailout"
	"github.com/rapport/rapport/internal/customer"
	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/store/storetest"
	"github.com/rapport/rapport/internal/survey"
	"github.com/rapport/rapport/internal/ticket"
)

// surveyFixture is the UI fixture with the survey service, mailing into an
// outbox folder, and survey links pointing at the test server.
type surveyFixture struct {
	*fixture
	surveys *survey.Service
	outbox  string
}

// newSurveyFixture builds the survey fixture on db; proxies, when given,
// are the trusted proxies.
func newSurveyFixture(t *testing.T, db *store.DB, proxies ...clientaddr.Proxies) *surveyFixture {
	t.Helper()
	f := newFixture(t, db)
	var h http.Handler
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { h.ServeHTTP(w, r) }))
	t.Cleanup(srv.Close)
	dir := filepath.Join(t.TempDir(), "outbox")
	mail := mailout.New(mailout.Opts{DB: db, Jobs: f.jobs, Tickets: f.tickets, I18n: f.cat, Transport: mailout.Outbox{Dir: dir},
		Clock: f.clock, Mailbox: "support@shop.example", Business: "Aurora"})
	svc := survey.New(survey.Opts{DB: db, Jobs: f.jobs, Clock: f.clock, I18n: f.cat, BaseURL: srv.URL, Business: "Aurora",
		Tickets: f.tickets, Mail: mail})
	var trusted clientaddr.Proxies
	if len(proxies) > 0 {
		trusted = proxies[0]
	}
	var err error
	h, err = New(Opts{Limits: ratelimit.New(f.db, f.clock), TrustedProxies: trusted,
		Agents: f.agents, Customers: f.customers, Tickets: f.tickets, I18n: f.cat, Clock: f.clock,
		Log: slog.New(slog.NewTextHandler(f.logs, nil)), Version: "test", MaxBodyBytes: testMaxBody,
		Intake: f.intake, SLA: f.sla, Router: f.router, Reviews: f.reviews, Surveys: svc,
	})
	if err != nil {
		t.Fatal(err)
	}
	f.srv.Close()
	f.srv = srv
	return &surveyFixture{fixture: f, surveys: svc, outbox: dir}
}

// solveAndSend solves ticket id and runs its survey job's work; it returns
// the path of the one-click link for answer v of the first question, and
// the survey's path.
func (f *surveyFixture) solveAndSend(t *testing.T, id int64, v string) (click, page string) {
	t.Helper()
	ctx := context.Background()
	st := ticket.Solved
	if _, err := f.tickets.Update(ctx, ticket.AgentActor(f.ids["agent"]), id, ticket.Update{Status: &st}); err != nil {
		t.Fatal(err)
	}
	if why, err := f.surveys.Send(ctx, id); err != nil || why != "" {
		t.Fatalf("send: %q %v", why, err)
	}
	text := f.lastMail(t)
	re := regexp.MustCompile(regexp.QuoteMeta(f.srv.URL) + `(/survey/[A-Za-z0-9_-]+)(\?q=[a-z]+&v=` + v + `)?\s`)
	var links []string
	for _, m := range re.FindAllStringSubmatch(text, -1) {
		links = append(links, m[1]+m[2])
	}
	if len(links) < 2 {
		t.Fatalf("no links in %s", text)
	}
	return links[0], links[len(links)-1]
}

// lastMail is the text part of the newest message in the outbox.
func (f *surveyFixture) lastMail(t *testing.T) string {
	t.Helper()
	entries, _ := os.ReadDir(f.outbox)
	var last string
	for _, e := range entries {
		if !strings.HasPrefix(e.Name(), ".") && e.Name() > last {
			last = e.Name()
		}
	}
	fh, err := os.Open(filepath.Join(f.outbox, last))
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	m, err := mail.ReadMessage(fh)
	if err != nil {
		t.Fatal(err)
	}
	_, params, _ := mime.ParseMediaType(m.Header.Get("Content-Type"))
	p, err := multipart.NewReader(m.Body, params["boundary"]).NextPart()
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(p)
	return string(b)
}

// history counts the kept answers of ticket id's survey.
func (f *surveyFixture) history(t *testing.T, id int64) (n int) {
	t.Helper()
	err := f.db.R.QueryRowContext(context.Background(),
		"SELECT count(*) FROM survey_answers a JOIN surveys s ON s.id = a.survey_id WHERE s.ticket_id = $1", id).Scan(&n)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func (f *surveyFixture) answers(t *testing.T, id int64) (csat, nps *int, ret string, rows int) {
	t.Helper()
	var r *string
	err := f.db.R.QueryRowContext(context.Background(), "SELECT csat, nps, return_intent FROM surveys WHERE ticket_id = $1", id).Scan(&csat, &nps, &r)
	if err != nil {
		t.Fatal(err)
	}
	f.db.R.QueryRowContext(context.Background(), "SELECT count(*) FROM surveys WHERE ticket_id = $1", id).Scan(&rows)
	if r != nil {
		ret = *r
	}
	return csat, nps, ret, rows
}

// The customer's path: the one-click link shows the answer chosen and
// records nothing until its form is posted (by survey.js, or the button),
// then shows the other questions; the form saves the rest and thanks; a
// double click, a wrong value, a wrong token, an expired link and another
// site's post each get their friendly answer.
func TestSurveyPages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newSurveyFixture(t, db)
		id := f.ids["ticket"]
		click, page := f.solveAndSend(t, id, "4")
		c := f.newClient(t)

		// A link scanner's HEAD and GET record nothing.
		req, _ := http.NewRequest(http.MethodHead, f.srv.URL+click, nil)
		mustCode(t, c.do(t, req), http.StatusOK, "HEAD of the link")
		res := c.get(t, click)
		mustCode(t, res, http.StatusOK, "one-click link")
		contains(t, res.body, []string{"Your answer is chosen below", `data-autosubmit`, `name="oneclick" value="csat"`,
			`name="csat" value="4" checked`, `name="nps"`, "/static/survey.js"},
			[]string{"We have recorded your answer", `name="csrf"`})
		if csat, _, _, _ := f.answers(t, id); csat != nil {
			t.Fatalf("a GET of the link recorded csat %d", *csat)
		}
		// The form's post (what survey.js sends at once) records it and
		// leads to the other questions.
		res = c.post(t, page, url.Values{"oneclick": {"csat"}, "csat": {"4"}, "nps": {""}, "comment": {""}})
		mustCode(t, res, http.StatusSeeOther, "the one-click post")
		if loc := res.header.Get("Location"); loc != page+"?done=csat" {
			t.Fatalf("one-click post leads to %q", loc)
		}
		res = c.get(t, page+"?done=csat")
		contains(t, res.body, []string{"We have recorded your answer", `name="nps"`, `name="speed"`, `name="return"`, `name="comment"`, `lang="en"`,
			"You can change your answers by tomorrow at 9:00"},
			[]string{`name="csat"`, `name="csrf"`, "data-autosubmit"})
		if csat, _, _, rows := f.answers(t, id); csat == nil || *csat != 4 || rows != 1 {
			t.Fatalf("after the click: csat %v, rows %d", csat, rows)
		}
		// A double click changes nothing: no second history row.
		mustCode(t, c.post(t, page, url.Values{"oneclick": {"csat"}, "csat": {"4"}}), http.StatusSeeOther, "second click")
		if n := f.history(t, id); n != 1 {
			t.Fatalf("%d history rows after a double click", n)
		}

		res = c.post(t, page, url.Values{"nps": {"11"}, "return": {"yes"}, "comment": {"Kind people."}})
		mustCode(t, res, http.StatusBadRequest, "out-of-range NPS")
		contains(t, res.body, []string{"Please choose a value from 0 to 10.", "Kind people.", `value="yes" checked`}, nil)
		if _, nps, ret, _ := f.answers(t, id); nps != nil || ret != "" {
			t.Fatal("a rejected form saved something")
		}
		res = c.get(t, page+"?q=csat&v=7")
		mustCode(t, res, http.StatusBadRequest, "out-of-range link")
		contains(t, res.body, []string{"Please choose a value from 1 to 5."}, nil)

		res = c.post(t, page, url.Values{"nps": {"9"}, "return": {"yes"}, "comment": {"Kind people."}})
		mustCode(t, res, http.StatusSeeOther, "form")
		if loc := res.header.Get("Location"); loc != page+"/thanks" {
			t.Fatalf("redirect to %q", loc)
		}
		res = c.get(t, page+"/thanks")
		mustCode(t, res, http.StatusOK, "thanks")
		contains(t, res.body, []string{"Thank you", "Change my answers"}, nil)
		if csat, nps, ret, rows := f.answers(t, id); *csat != 4 || *nps != 9 || ret != "yes" || rows != 1 {
			t.Fatalf("after the form: %v %v %q %d", *csat, nps, ret, rows)
		}
		// The page again: every question, with the answers given.
		res = c.get(t, page)
		mustCode(t, res, http.StatusOK, "survey page")
		contains(t, res.body, []string{`name="csat" value="4" checked`, `name="nps" value="9" checked`, "Kind people."}, nil)

		// Another site cannot post.
		req, _ = http.NewRequest(http.MethodPost, f.srv.URL+page, strings.NewReader("nps=0"))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", "https://evil.example")
		mustCode(t, c.do(t, req), http.StatusForbidden, "cross-site post")

		for _, bad := range []string{"/survey/nope", "/survey/" + strings.Repeat("A", 32), "/survey/" + strings.Repeat("A", 32) + "?q=csat&v=5"} {
			res = c.get(t, bad)
			mustCode(t, res, http.StatusNotFound, bad)
			contains(t, res.body, []string{"This survey link does not work"}, []string{"Rapport internal"})
		}
		it := f.newClient(t)
		it.lang = "it-IT,it;q=0.9"
		res = it.get(t, "/survey/"+strings.Repeat("B", 32))
		mustCode(t, res, http.StatusNotFound, "unknown, in Italian")
		contains(t, res.body, []string{"Questo link del sondaggio non funziona", `lang="it"`}, nil)
		mustCode(t, c.post(t, "/survey/"+strings.Repeat("C", 32), url.Values{"nps": {"3"}}), http.StatusNotFound, "post to unknown")

		// The expired page says the last day in the customer's zone.
		var custID, expires int64
		if err := f.db.R.QueryRowContext(context.Background(), "SELECT customer_id, expires_at FROM surveys WHERE ticket_id = $1", id).Scan(&custID, &expires); err != nil {
			t.Fatal(err)
		}
		tokyo := "Asia/Tokyo"
		if _, err := f.customers.Update(context.Background(), custID, customer.Update{TimeZone: &tokyo}); err != nil {
			t.Fatal(err)
		}
		loc, _ := time.LoadLocation(tokyo)
		until := time.UnixMilli(expires).In(loc)
		f.clock.Advance(31 * 24 * time.Hour)
		res = c.get(t, click)
		mustCode(t, res, http.StatusGone, "expired")
		contains(t, res.body, []string{"This survey has closed", "valid until " + until.Format("Jan 2, 2006, 15:04")}, nil)
		mustCode(t, c.post(t, page, url.Values{"nps": {"0"}}), http.StatusGone, "expired post")
		if _, nps, _, _ := f.answers(t, id); *nps != 9 {
			t.Fatal("an expired link changed an answer")
		}

		// Guessing tokens runs into the limit.
		last := response{}
		for i := 0; i < surveyLimit+1; i++ {
			last = c.get(t, "/survey/"+strings.Repeat("D", 32))
		}
		mustCode(t, last, http.StatusTooManyRequests, "rate limit")
		contains(t, last.body, []string{"Too many requests"}, nil)
	})
}

// A survey in Italian shows in Italian, whatever the browser says.
func TestSurveyPageLanguage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newSurveyFixture(t, db)
		id := f.newTicket(t, ticket.NewTicket{Subject: "Ordine", Channel: "email", Language: "it", CustomerEmail: "gio@example.it"})
		click, _ := f.solveAndSend(t, id, "5")
		c := f.newClient(t)
		c.lang = "ru"
		res := c.get(t, click)
		mustCode(t, res, http.StatusOK, "italian survey")
		contains(t, res.body, []string{`lang="it"`, "La Sua risposta è selezionata", "Invia le risposte"}, nil)
		res = c.post(t, "/survey/"+strings.TrimPrefix(strings.Split(click, "?")[0], "/survey/"), url.Values{"oneclick": {"csat"}, "csat": {"5"}})
		mustCode(t, res, http.StatusSeeOther, "italian post")
		res = c.get(t, res.header.Get("Location"))
		contains(t, res.body, []string{`lang="it"`, "Grazie! Abbiamo registrato la Sua risposta.", "Può modificare le risposte entro domani"}, nil)
	})
}

// Only admins reach the settings; a bad value comes back with its message,
// a good one is saved; the preview shows in every language.
func TestAdminSurveys(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newSurveyFixture(t, db)
		mustCode(t, f.login(t, "manager").get(t, "/admin/surveys"), http.StatusForbidden, "manager")
		admin := f.login(t, "admin")
		res := admin.get(t, "/admin/surveys")
		mustCode(t, res, http.StatusOK, "settings")
		contains(t, res.body, []string{"How did we do?", "Come ci siamo comportati?", "Как мы справились?", "Kā mums veicās?", "Com ho hem fet?",
			`/admin/surveys/preview?lang=ca`}, nil)
		res = admin.post(t, "/admin/surveys", url.Values{"enabled": {"on"}, "questions": {"nps", "comment"}, "window_days": {"abc"},
			"expiry_days": {"14"}, "delay_hours": {"2"}})
		mustCode(t, res, http.StatusUnprocessableEntity, "bad window")
		contains(t, res.body, []string{"Must be a whole number of days in range."}, nil)
		res = admin.post(t, "/admin/surveys", url.Values{"enabled": {"on"}, "window_days": {"10"}, "expiry_days": {"14"}, "delay_hours": {"2"}})
		mustCode(t, res, http.StatusUnprocessableEntity, "no questions")
		contains(t, res.body, []string{"Switch on at least one question."}, nil)
		res = admin.post(t, "/admin/surveys", url.Values{"enabled": {"on"}, "questions": {"nps", "comment"}, "window_days": {"10"},
			"expiry_days": {"14"}, "delay_hours": {"2"}, "incentive": {"Code THANKS10: a discount on your next order."}})
		mustCode(t, res, http.StatusSeeOther, "save")
		st, _ := f.surveys.Settings(context.Background())
		if !st.Enabled || strings.Join(st.Questions, ",") != "nps,comment" || st.WindowDays != 10 || st.ExpiryDays != 14 || st.DelayHours != 2 {
			t.Fatalf("saved %+v", st)
		}
		res = admin.get(t, "/admin/surveys/preview?lang=lv")
		mustCode(t, res, http.StatusOK, "preview")
		contains(t, res.body, []string{"Cik iespējams, ka Jūs ieteiktu Aurora", "q=nps&amp;v=10", "THANKS10"}, nil)
		if csp := res.header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") || strings.Contains(csp, "script") {
			t.Errorf("preview CSP %q", csp)
		}
	})
}

// The pulse: a manager sends it, agents see the banner and answer once,
// the manager sees nothing below three answers, then only aggregates.
func TestPulsePages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newSurveyFixture(t, db)
		agentC := f.login(t, "agent")
		mustCode(t, agentC.get(t, "/manage/pulse"), http.StatusForbidden, "agent on manage")
		boss := f.login(t, "manager")
		res := boss.post(t, "/manage/pulse", url.Values{"title": {""}, "team": {"0"}})
		mustCode(t, res, http.StatusUnprocessableEntity, "no title")
		res = boss.post(t, "/manage/pulse", url.Values{"title": {"Spring pulse"}, "team": {"0"}})
		mustCode(t, res, http.StatusSeeOther, "create")
		ps, _ := f.surveys.Pulses(context.Background())
		if len(ps) != 1 || ps[0].Recipients != 3 { // admin, agent, agent2
			t.Fatalf("pulses %+v", ps)
		}
		pid := ps[0].ID

		res = agentC.get(t, "/")
		contains(t, res.body, []string{`id="pulse-banner"`, `href="/pulse"`}, nil)
		res = agentC.get(t, "/pulse")
		mustCode(t, res, http.StatusOK, "pulse page")
		contains(t, res.body, []string{"Spring pulse", "I have what I need to serve customers well.", "Strongly agree"}, []string{`id="pulse-banner"`})
		res = agentC.post(t, idPath("/pulse/", pid, ""), url.Values{"equipped": {"9"}})
		mustCode(t, res, http.StatusBadRequest, "out of range")
		contains(t, res.body, []string{"Please choose a value from 1 to 5."}, nil)
		res = agentC.post(t, idPath("/pulse/", pid, ""), url.Values{"equipped": {"4"}, "processes": {"2"}, "obstacles": {"Two systems for one order."}})
		mustCode(t, res, http.StatusSeeOther, "answer")
		res = agentC.get(t, "/")
		contains(t, res.body, []string{"your anonymous answers are in"}, []string{`id="pulse-banner"`})
		mustCode(t, agentC.post(t, idPath("/pulse/", pid, ""), url.Values{"equipped": {"1"}}), http.StatusConflict, "second answer")

		res = boss.get(t, idPath("/manage/pulse/", pid, ""))
		mustCode(t, res, http.StatusOK, "results")
		contains(t, res.body, []string{`id="pulse-hidden"`, "1 of 3", "1 newer answer is held back until there are 3 new ones"}, []string{"Two systems", `class="mean"`})
		for _, who := range []string{"agent2", "admin"} {
			mustCode(t, f.login(t, who).post(t, idPath("/pulse/", pid, ""), url.Values{"equipped": {"2"}, "valued": {"5"}}), http.StatusSeeOther, who)
		}
		res = boss.get(t, idPath("/manage/pulse/", pid, ""))
		contains(t, res.body, []string{"Two systems for one order.", "<svg", "2.67", "3 of 3"}, []string{`id="pulse-hidden"`, `id="pulse-waiting"`})
		mustCode(t, boss.post(t, idPath("/manage/pulse/", pid, "/close"), nil), http.StatusSeeOther, "close")
		mustCode(t, boss.get(t, "/manage/pulse"), http.StatusOK, "list")
	})
}
