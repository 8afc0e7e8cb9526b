package web

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/rapport/rapport/internal/agent"
	"github.com/rapport/rapport/internal/quality"
	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/store/storetest"
	"github.com/rapport/rapport/internal/ticket"
)

var (
	analyzerOnce sync.Once
	analyzer     *quality.Analyzer
	analyzerErr  error
)

// testAnalyzer is the reply analyzer, loaded once for every test.
func testAnalyzer(t testing.TB) *quality.Analyzer {
	t.Helper()
	analyzerOnce.Do(func() { analyzer, analyzerErr = quality.New(quality.Opts{}) })
	if analyzerErr != nil {
		t.Fatal(analyzerErr)
	}
	return analyzer
}

// The example, and the questions a warm reply answers.
const (
	faqDraft   = "Please read our FAQ on the website, policy does not allow refunds."
	questionEn = "Can I get a refund for the headphones I bought last month?"
	warmEn     = "Hi Jamie, thanks for asking! You bought the headphones 26 days ago, so they're within our 30-day window: I've started the refund of £79 to your card today, and you'll see it in 3 to 5 working days. No need to send them back first. Best wishes, Ola"
)

// analyzeJSON posts draft to the analyze endpoint of ticket id as app.js
// does, with the CSRF token in the header, and decodes the answer.
func (c *client) analyzeJSON(t testing.TB, id int64, draft string) (response, analyzeResponse) {
	t.Helper()
	res := c.postJSON(t, idPath("/tickets/", id, "/analyze"), map[string]string{"text": draft}, c.csrf)
	var out analyzeResponse
	if res.code == http.StatusOK {
		if err := json.Unmarshal([]byte(res.body), &out); err != nil {
			t.Fatalf("analyze answer %q: %v", res.body, err)
		}
	}
	return res, out
}

// postJSON posts v as JSON with token in the X-CSRF-Token header ("" for
// none).
func (c *client) postJSON(t testing.TB, path string, v any, token string) response {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequest(http.MethodPost, c.f.srv.URL+path, strings.NewReader(string(b)))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("X-CSRF-Token", token)
	}
	return c.do(t, req)
}

func sinsOf(fs []quality.Finding) map[quality.Sin]bool {
	out := map[quality.Sin]bool{}
	for _, f := range fs {
		out[f.Sin] = true
	}
	return out
}

// The Done-when of issue 7 over HTTP: the FAQ-and-policy draft shows
// runaround and rulebook in English, Italian and Russian; a warm reply that
// answers the customer's question shows nothing; explanations come in the
// agent's UI language.
func TestAnalyzeDraft(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		c := f.login(t, "agent")
		ticketFor := func(q string) int64 { return f.newTicket(t, ticket.NewTicket{Subject: "Refund", Body: q}) }
		refundEn := ticketFor(questionEn)
		tests := []struct {
			name   string
			ticket int64
			draft  string
			lang   string
			want   []quality.Sin // nil: no finding at all
		}{
			{"en faq and policy", refundEn, faqDraft, "en", []quality.Sin{quality.Runaround, quality.Rulebook}},
			{"it faq and policy", refundEn, "La preghiamo di leggere le FAQ sul sito, la nostra politica non consente rimborsi.", "it",
				[]quality.Sin{quality.Runaround, quality.Rulebook}},
			{"it formal", refundEn, "Consulti le FAQ sul nostro sito: il regolamento non consente rimborsi.", "it",
				[]quality.Sin{quality.Runaround, quality.Rulebook}},
			{"ru faq and policy", refundEn, "Пожалуйста, прочитайте FAQ на нашем сайте, правила компании не позволяют возврат средств.", "ru",
				[]quality.Sin{quality.Runaround, quality.Rulebook}},
			{"ru other words", refundEn, "Ознакомьтесь с разделом FAQ на сайте: политика магазина не предусматривает возврат денег.", "ru",
				[]quality.Sin{quality.Runaround, quality.Rulebook}},
			{"en warm answer", refundEn, warmEn, "en", nil},
			{"it warm answer", ticketFor("Posso avere il rimborso delle cuffie comprate il mese scorso?"),
				"Ciao Jamie, grazie per la domanda! Hai comprato le cuffie 26 giorni fa, quindi sei nei 30 giorni previsti: ho già avviato il rimborso di 79 € sulla tua carta, lo vedrai in 3-5 giorni lavorativi. Non serve rispedirle prima. Un saluto, Ola",
				"it", nil},
			{"ru warm answer", ticketFor("Можно вернуть деньги за наушники, купленные в прошлом месяце?"),
				"Здравствуйте, Жанна! Спасибо за вопрос. Наушники куплены 26 дней назад, так что вы укладываетесь в 30 дней: я уже оформила возврат 7900 рублей на вашу карту, деньги придут за 3–5 рабочих дней. Отправлять наушники заранее не нужно. Всего доброго, Оля",
				"ru", nil},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				res, out := c.analyzeJSON(t, tc.ticket, tc.draft)
				mustCode(t, res, http.StatusOK, "analyze")
				if ct := res.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
					t.Errorf("content type %q", ct)
				}
				if out.Lang != tc.lang {
					t.Errorf("read as %q, want %q", out.Lang, tc.lang)
				}
				got := sinsOf(out.Findings)
				if tc.want == nil && len(out.Findings) > 0 {
					t.Errorf("warm reply got findings: %+v", out.Findings)
				}
				for _, s := range tc.want {
					if !got[s] {
						t.Errorf("missing %s; got %v", s, got)
					}
				}
				for _, fd := range out.Findings {
					if fd.Label == "" || fd.Explanation == "" || fd.Suggestion == "" || fd.Quote == "" || fd.Rule == "" {
						t.Errorf("finding without words for the agent: %+v", fd)
					}
				}
			})
		}

		// The explanations follow the agent's UI language, not the draft's.
		it := "it"
		if _, err := f.agents.Update(context.Background(), f.ids["agent2"], agent.AgentUpdate{Locale: &it}); err != nil {
			t.Fatal(err)
		}
		_, out := f.login(t, "agent2").analyzeJSON(t, refundEn, faqDraft)
		var labels []string
		for _, fd := range out.Findings {
			labels = append(labels, fd.Label)
		}
		if l := strings.Join(labels, ","); !strings.Contains(l, "Rimpallo") || !strings.Contains(l, "Regolamento") {
			t.Errorf("Italian agent sees labels %q", l)
		}

		res, out := c.analyzeJSON(t, refundEn, "")
		if res.code != http.StatusOK || len(out.Findings) != 0 {
			t.Errorf("empty draft: %d %+v", res.code, out)
		}
		res, _ = c.analyzeJSON(t, 999999, faqDraft)
		mustCode(t, res, http.StatusNotFound, "analyze on an unknown ticket")
	})
}

// The JSON endpoints need the session's CSRF token, in the header or the
// form, like every other POST.
func TestAnalyzeCSRF(t *testing.T) {
	f := newFixture(t, storetest.SQLite(t))
	c := f.login(t, "agent")
	path := idPath("/tickets/", f.ids["ticket"], "/analyze")
	body := map[string]string{"text": faqDraft}
	mustCode(t, c.postJSON(t, path, body, ""), http.StatusForbidden, "no token")
	mustCode(t, c.postJSON(t, path, body, "not-the-token"), http.StatusForbidden, "wrong token")
	mustCode(t, c.postJSON(t, path, body, f.login(t, "agent2").csrf), http.StatusForbidden, "another session's token")
	mustCode(t, c.postJSON(t, idPath("/tickets/", f.ids["ticket"], "/findings/dismiss"),
		map[string]string{"sin": "runaround", "rule": "runaround.faq", "reason": "false_alarm"}, ""), http.StatusForbidden, "dismiss without token")
	mustCode(t, c.postJSON(t, path, body, c.csrf), http.StatusOK, "the session's token")

	// Another site's page cannot post, token or not.
	req, _ := http.NewRequest(http.MethodPost, f.srv.URL+path, strings.NewReader(`{"text":"x"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-CSRF-Token", c.csrf)
	req.Header.Set("Origin", "https://evil.example")
	mustCode(t, c.do(t, req), http.StatusForbidden, "cross-origin")

	// Not JSON, or JSON that does not parse.
	req, _ = http.NewRequest(http.MethodPost, f.srv.URL+path, strings.NewReader(`{"text":`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-CSRF-Token", c.csrf)
	mustCode(t, c.do(t, req), http.StatusBadRequest, "broken JSON")
	mustCode(t, c.post(t, path, url.Values{"text": {faqDraft}}), http.StatusBadRequest, "a form instead of JSON")
	// Without a session, the sign-in page.
	mustCode(t, f.newClient(t).postJSON(t, path, body, "x"), http.StatusSeeOther, "no session")
}

func TestDismissFinding(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		c := f.login(t, "agent")
		id := f.newTicket(t, ticket.NewTicket{Subject: "Refund", Body: questionEn})
		path := idPath("/tickets/", id, "/findings/dismiss")

		res := c.postJSON(t, path, map[string]string{"sin": "runaround", "rule": "runaround.faq", "quote": "read our FAQ", "reason": "other"}, c.csrf)
		mustCode(t, res, http.StatusUnprocessableEntity, "other without a note")
		if !strings.Contains(res.body, `"note":"This is required."`) {
			t.Errorf("problem: %s", res.body)
		}
		res = c.postJSON(t, path, map[string]string{"sin": "runaround", "rule": "runaround.faq", "quote": "read our FAQ",
			"reason": "customer_asked", "note": "They asked where the FAQ is"}, c.csrf)
		mustCode(t, res, http.StatusCreated, "dismiss")
		ds, err := f.reviews.RecentDismissals(context.Background(), 5)
		if err != nil || len(ds) != 1 {
			t.Fatalf("stored: %+v %v", ds, err)
		}
		d := ds[0]
		if d.AgentID != f.ids["agent"] || d.TicketID != id || d.Sin != quality.Runaround || d.Rule != "runaround.faq" ||
			d.Quote != "read our FAQ" || d.Reason != quality.ReasonCustomerAsked || d.Note != "They asked where the FAQ is" {
			t.Errorf("stored %+v", d)
		}
		// The agent no longer sees it on this ticket; others still do.
		_, out := c.analyzeJSON(t, id, faqDraft)
		if got := sinsOf(out.Findings); got[quality.Runaround] || !got[quality.Rulebook] {
			t.Errorf("after dismissing: %v", got)
		}
		_, out = f.login(t, "agent2").analyzeJSON(t, id, faqDraft)
		if !sinsOf(out.Findings)[quality.Runaround] {
			t.Errorf("another agent lost the finding")
		}
	})
}

// Without JavaScript, "Check reply" brings the page back with the draft and
// its findings, and a finding is dismissed with a plain form.
func TestCheckReplyWithoutJS(t *testing.T) {
	f := newFixture(t, storetest.SQLite(t))
	c := f.login(t, "agent")
	id := f.newTicket(t, ticket.NewTicket{Subject: "Refund", Body: questionEn})
	page := idPath("/tickets/", id, "")

	res := c.get(t, page)
	contains(t, res.body, []string{`formaction="` + page + `/check"`, `id="reply-findings"`, `id="reply-send"`,
		"As you write, anything that could sound cold"}, nil)

	res = c.post(t, page+"/check", url.Values{"body": {faqDraft}, "set_status": {""}})
	mustCode(t, res, http.StatusOK, "check reply")
	contains(t, res.body, []string{
		"Worth a second look:", ">" + faqDraft + "</textarea>",
		`<span class="f-sin">Runaround</span>`, ">read our FAQ</q>",
		`<span class="f-sin">Rulebook</span>`, ">policy does not allow</q>",
		`action="` + page + `/findings/dismiss"`,
	}, nil)
	if msgs, _ := f.tickets.Messages(context.Background(), id); len(msgs) != 1 {
		t.Errorf("checking sent the reply")
	}

	res = c.post(t, page+"/findings/dismiss", url.Values{"sin": {"runaround"}, "rule": {"runaround.faq"},
		"quote": {"read our FAQ"}, "reason": {"false_alarm"}, "body": {faqDraft}})
	mustCode(t, res, http.StatusOK, "dismiss by form")
	contains(t, res.body, []string{"Dismissed; thanks", ">" + faqDraft + "</textarea>", `<span class="f-sin">Rulebook</span>`},
		[]string{`<span class="f-sin">Runaround</span>`})

	res = c.post(t, page+"/findings/dismiss", url.Values{"sin": {"rulebook"}, "rule": {"rulebook.policy"},
		"quote": {"policy does not allow"}, "reason": {"other"}, "body": {faqDraft}})
	mustCode(t, res, http.StatusUnprocessableEntity, "dismiss by form without a note")
	contains(t, res.body, []string{"Please correct the marked fields.", ">" + faqDraft + "</textarea>"}, nil)

	// A warm reply checks clean.
	res = c.post(t, page+"/check", url.Values{"body": {warmEn}})
	contains(t, res.body, []string{"Nothing to change: this reads well."}, []string{`class="finding sin-`})
}

// TestAnalyzeDraftChannel: the ticket's channel reaches the analyzer. A
// short, warm chat answer without "Dear …" and "Kind regards" is not cold,
// and "DM" is no jargon on social media's own terms; the same answer to an
// email ticket still lacks a letter's greeting.
func TestAnalyzeDraftChannel(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		c := f.login(t, "agent")
		question := "My parcel was due yesterday and the tracking has not moved since Monday."
		chat := f.newTicket(t, ticket.NewTicket{Subject: "Parcel", Body: question, Channel: "chat"})
		email := f.newTicket(t, ticket.NewTicket{Subject: "Parcel", Body: question, Channel: "email"})
		draft := "So sorry about the wait! I've checked with the courier: your parcel left the depot this morning and will arrive tomorrow before noon."
		tests := []struct {
			name   string
			ticket int64
			cold   bool
		}{
			{"chat: a turn of the conversation", chat, false},
			{"email: a letter without greeting or closing", email, true},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				res, out := c.analyzeJSON(t, tc.ticket, draft)
				mustCode(t, res, http.StatusOK, "analyze")
				if got := sinsOf(out.Findings)[quality.Coldness]; got != tc.cold {
					t.Errorf("coldness %v, want %v: %+v", got, tc.cold, out.Findings)
				}
			})
		}
	})
}
