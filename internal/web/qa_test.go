package web

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"testing"
	"time"

	"github.com/rapport/rapport/internal/agent"
	"github.com/rapport/rapport/internal/quality"
	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/store/storetest"
	"github.com/rapport/rapport/internal/ticket"
)

// answered makes a ticket with the refund question, answered by the
// fixture agent named who with reply, and returns its id.
func (f *fixture) answered(t testing.TB, who, reply string) int64 {
	t.Helper()
	id := f.newTicket(t, ticket.NewTicket{Subject: "Refund", Body: questionEn})
	if _, err := f.tickets.Reply(context.Background(), ticket.AgentActor(f.ids[who]), id, reply, ""); err != nil {
		t.Fatal(err)
	}
	return id
}

// standardRubric is the id of the rubric the migration seeds.
func (f *fixture) standardRubric(t testing.TB) int64 {
	t.Helper()
	rbs, err := f.reviews.Rubrics(context.Background())
	if err != nil || len(rbs) == 0 {
		t.Fatalf("rubrics: %v %v", rbs, err)
	}
	return rbs[0].ID
}

// reviewForm is the rubric form of the seeded rubric filled in.
func reviewForm(rubric, reviewee int64, empathy, accuracy, ownership, tone string, fails ...string) url.Values {
	return url.Values{
		"rubric_id": {strconv.FormatInt(rubric, 10)}, "reviewee_id": {strconv.FormatInt(reviewee, 10)},
		"score_empathy": {empathy}, "score_accuracy": {accuracy}, "score_ownership": {ownership}, "score_tone": {tone},
		"auto_fail": fails, "comment": {"Answer the question before linking to the FAQ."},
	}
}

// Who may open what: agents never reach QA pages or rubrics (403), their
// own scorecard yes; managers review and see every scorecard; rubrics are
// admin settings.
func TestQARoles(t *testing.T) {
	f := newFixture(t, storetest.SQLite(t))
	id := f.answered(t, "agent", faqDraft)
	agentCard := "/agents/" + strconv.FormatInt(f.ids["agent"], 10) + "/scorecard"
	otherCard := "/agents/" + strconv.FormatInt(f.ids["agent2"], 10) + "/scorecard"
	rubric := "/admin/rubrics/" + strconv.FormatInt(f.standardRubric(t), 10)
	tests := []struct {
		who, method, path string
		want              int
	}{
		{"agent", "GET", "/qa", http.StatusForbidden},
		{"agent", "GET", "/admin/rubrics", http.StatusForbidden},
		{"agent", "GET", rubric, http.StatusForbidden},
		{"agent", "POST", "/admin/rubrics", http.StatusForbidden},
		{"agent", "GET", idPath("/tickets/", id, "/review"), http.StatusForbidden},
		{"agent", "POST", idPath("/tickets/", id, "/review"), http.StatusForbidden},
		{"agent", "GET", idPath("/tickets/", id, "/calibration"), http.StatusForbidden},
		{"agent", "GET", agentCard, http.StatusOK},
		{"agent", "GET", otherCard, http.StatusForbidden},
		{"manager", "GET", "/qa", http.StatusOK},
		{"manager", "GET", idPath("/tickets/", id, "/review"), http.StatusOK},
		{"manager", "GET", idPath("/tickets/", id, "/calibration"), http.StatusOK},
		{"manager", "GET", otherCard, http.StatusOK},
		{"manager", "GET", "/admin/rubrics", http.StatusForbidden},
		{"admin", "GET", "/admin/rubrics", http.StatusOK},
		{"admin", "GET", rubric, http.StatusOK},
		{"admin", "GET", "/admin/rubrics/new", http.StatusOK},
		{"manager", "GET", "/tickets/999999/review", http.StatusNotFound},
		{"manager", "GET", "/agents/999999/scorecard", http.StatusNotFound},
	}
	clients := map[string]*client{}
	for _, tc := range tests {
		t.Run(tc.who+" "+tc.method+" "+tc.path, func(t *testing.T) {
			c := clients[tc.who]
			if c == nil {
				c = f.login(t, tc.who)
				clients[tc.who] = c
			}
			var res response
			if tc.method == "GET" {
				res = c.get(t, tc.path)
			} else {
				res = c.post(t, tc.path, nil)
			}
			mustCode(t, res, tc.want, tc.method+" "+tc.path)
		})
	}
	// The menu offers what each may open.
	contains(t, clients["agent"].get(t, "/").body, []string{`href="` + agentCard + `"`}, []string{`href="/qa"`})
	contains(t, clients["manager"].get(t, "/").body, []string{`href="/qa"`}, nil)
	contains(t, clients["manager"].get(t, idPath("/tickets/", id, "")).body, []string{`id="review-link"`}, nil)
	contains(t, clients["agent"].get(t, idPath("/tickets/", id, "")).body, nil, []string{`id="review-link"`})
}

func TestReviewAndCalibrate(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		id := f.answered(t, "agent", faqDraft)
		std := f.standardRubric(t)
		mia := f.login(t, "manager")
		if _, err := f.reviews.Dismiss(context.Background(), quality.Dismissal{AgentID: f.ids["agent"], TicketID: id,
			Sin: quality.Runaround, Rule: "runaround.faq", Quote: "read our FAQ", Reason: quality.ReasonCustomerAsked}); err != nil {
			t.Fatal(err)
		}
		page := idPath("/tickets/", id, "/review")

		// The review page: the thread with the analyzer's findings on the
		// reply, and the seeded rubric's form.
		res := mia.get(t, page)
		mustCode(t, res, http.StatusOK, "review page")
		contains(t, res.body, []string{
			questionEn, faqDraft, "The analyzer would have flagged:",
			`<span class="f-sin">Runaround</span>`, `<span class="f-sin">Rulebook</span>`,
			"Service standard", `name="score_empathy"`, `name="score_accuracy"`, `name="score_ownership"`, `name="score_tone"`,
			"weight 30", `value="wrong_fact"`, "Wrong information given as fact", "Al Agent",
			"Al Agent dismissed this while writing: The customer asked for exactly this",
		}, nil)

		// A missing score comes back on the form.
		res = mia.post(t, page, reviewForm(std, f.ids["agent"], "80", "", "100", "50"))
		mustCode(t, res, http.StatusUnprocessableEntity, "review without accuracy")
		contains(t, res.body, []string{"Please correct the marked fields.", "This is required.", `value="80"`}, nil)
		res = mia.post(t, page, reviewForm(std, f.ids["agent"], "80", "140", "100", "50"))
		mustCode(t, res, http.StatusUnprocessableEntity, "score out of range")
		contains(t, res.body, []string{"Give a whole number within the rubric's scale."}, nil)
		res = mia.post(t, page, reviewForm(std, f.ids["agent2"], "80", "60", "100", "50"))
		mustCode(t, res, http.StatusUnprocessableEntity, "reviewee who never touched the ticket")
		contains(t, res.body, []string{"Pick the ticket's owner or an agent who replied."}, nil)

		// (25·80 + 30·60 + 25·100 + 20·50) / 100 = 73
		res = mia.post(t, page, reviewForm(std, f.ids["agent"], "80", "60", "100", "50"))
		mustCode(t, res, http.StatusSeeOther, "save review")
		if loc := res.header.Get("Location"); loc != idPath("/tickets/", id, "/calibration") {
			t.Errorf("after saving to %q", loc)
		}
		rv, err := f.reviews.FindReview(context.Background(), id, f.ids["agent"], f.ids["manager"])
		if err != nil || rv.Total != 73 || rv.Failed() || rv.Comment == "" {
			t.Fatalf("stored review %+v %v", rv, err)
		}
		// The form comes back with the review to change.
		contains(t, mia.get(t, page).body, []string{"Review saved.", "You reviewed this on", "(total 73)", `name="score_accuracy" value="60"`}, nil)

		// A second reviewer ticks an auto-fail item: total 0 whatever the scores.
		ada := f.login(t, "admin")
		mustCode(t, ada.post(t, page, reviewForm(std, f.ids["agent"], "100", "100", "100", "100", "wrong_fact")),
			http.StatusSeeOther, "auto-failed review")
		rv2, err := f.reviews.FindReview(context.Background(), id, f.ids["agent"], f.ids["admin"])
		if err != nil || rv2.Total != 0 || !rv2.HasMark("wrong_fact") {
			t.Fatalf("auto-failed review %+v %v", rv2, err)
		}

		// Calibration: totals 73 and 0, spread 73, σ 36.5.
		res = mia.get(t, idPath("/tickets/", id, "/calibration"))
		mustCode(t, res, http.StatusOK, "calibration")
		contains(t, res.body, []string{
			"Work of Al Agent", "Mia Manager", "Ada Admin",
			`id="cal-spread-` + strconv.FormatInt(f.ids["agent"], 10) + `">73<`,
			`id="cal-sd-` + strconv.FormatInt(f.ids["agent"], 10) + `">36.5<`,
			`id="cal-mean-` + strconv.FormatInt(f.ids["agent"], 10) + `">36.5<`,
			`<span class="badge fail">Wrong information given as fact</span>`,
		}, nil)

		// The QA page lists both reviews and the calibration.
		res = mia.get(t, "/qa")
		contains(t, res.body, []string{"Latest reviews", "Al Agent", "auto-fail", "Tickets that several reviewers scored"}, nil)
	})
}

func TestRubricAdmin(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		ada := f.login(t, "admin")
		contains(t, ada.get(t, "/admin/rubrics").body, []string{"Service standard", "Empathy (25)", "Accuracy (30)", "Rude language"}, nil)

		form := url.Values{
			"name": {"Phone calls"}, "description": {"For calls logged by phone."}, "scale": {"five"}, "active": {"on"},
			"cat_key": {"", "", ""}, "cat_name": {"Greeting", "Resolution", ""}, "cat_weight": {"1", "x", ""}, "cat_desc": {"", "", ""},
			"fail_key": {"", ""}, "fail_name": {"Hung up", ""}, "fail_desc": {"", ""},
		}
		res := ada.post(t, "/admin/rubrics", form)
		mustCode(t, res, http.StatusUnprocessableEntity, "bad weight")
		contains(t, res.body, []string{"Give a weight from 1 to 100.", `value="x"`, `value="Phone calls"`}, nil)

		form["cat_weight"] = []string{"1", "3", ""}
		res = ada.post(t, "/admin/rubrics", form)
		mustCode(t, res, http.StatusSeeOther, "create rubric")
		rbs, _ := f.reviews.Rubrics(context.Background())
		var rb quality.Rubric
		for _, x := range rbs {
			if x.Name == "Phone calls" {
				rb = x
			}
		}
		if rb.ID == 0 || rb.Scale != quality.ScaleFive || len(rb.Categories) != 2 || rb.Categories[1].Weight != 3 ||
			len(rb.AutoFails) != 1 || rb.AutoFails[0].Name != "Hung up" || !rb.Active {
			t.Fatalf("created %+v", rb)
		}
		if loc := res.header.Get("Location"); loc != adminRubricURL(rb.ID) {
			t.Errorf("after create to %q", loc)
		}
		res = ada.get(t, adminRubricURL(rb.ID))
		contains(t, res.body, []string{"Rubric saved.", `value="Greeting"`, `value="greeting"`, `value="Hung up"`}, nil)

		// Edit: rename, drop a category, deactivate.
		edit := url.Values{"name": {"Phone calls v2"}, "scale": {"five"},
			"cat_key": {"greeting", "resolution"}, "cat_name": {"Greeting", ""}, "cat_weight": {"2", ""}, "cat_desc": {"", ""}}
		mustCode(t, ada.post(t, adminRubricURL(rb.ID), edit), http.StatusSeeOther, "edit rubric")
		rb, _ = f.reviews.Rubric(context.Background(), rb.ID)
		if rb.Name != "Phone calls v2" || len(rb.Categories) != 1 || rb.Categories[0].Weight != 2 || rb.Active || len(rb.AutoFails) != 0 {
			t.Errorf("edited %+v", rb)
		}
		// The name of another rubric is taken.
		edit["name"] = []string{"Service standard"}
		mustCode(t, ada.post(t, adminRubricURL(rb.ID), edit), http.StatusConflict, "taken name")
		mustCode(t, ada.post(t, "/admin/rubrics/999999", edit), http.StatusNotFound, "unknown rubric")
	})
}

func TestScorecardPage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		std := f.standardRubric(t)
		ctx := context.Background()
		review := func(id int64, who string, e, a, o, tone int, fails ...string) {
			t.Helper()
			if _, err := f.reviews.SaveReview(ctx, quality.ReviewInput{TicketID: id, RevieweeID: f.ids["agent"], ReviewerID: f.ids[who],
				RubricID: std, Scores: map[string]int{"empathy": e, "accuracy": a, "ownership": o, "tone": tone}, AutoFails: fails}); err != nil {
				t.Fatal(err)
			}
		}
		// Last week (the fixture's clock is Monday 10 March 2025): a reply
		// with sins, a warm one, two reviews (73 and 0).
		f.clock.Set(time.Date(2025, 3, 4, 10, 0, 0, 0, time.UTC))
		bad := f.answered(t, "agent", faqDraft)
		f.answered(t, "agent", warmEn)
		review(bad, "manager", 80, 60, 100, 50)
		review(bad, "admin", 100, 100, 100, 100, "rude")
		// This week: one warm reply, reviewed 90.
		f.clock.Set(time.Date(2025, 3, 11, 10, 0, 0, 0, time.UTC))
		good := f.answered(t, "agent", warmEn)
		review(good, "manager", 90, 90, 90, 90)
		f.answered(t, "agent2", faqDraft) // someone else's

		res := f.login(t, "manager").get(t, "/agents/"+strconv.FormatInt(f.ids["agent"], 10)+"/scorecard?weeks=4")
		mustCode(t, res, http.StatusOK, "scorecard")
		contains(t, res.body, []string{
			"Scorecard: Al Agent",
			`id="sc-qa">54.3<`, "reviews: 3", // (73 + 0 + 90) / 3
			`id="sc-any">33.3%<`, "replies: 3",
			`id="rate-runaround">33.3%<`, `id="rate-rulebook">33.3%<`, `id="rate-apathy">0%<`,
			"from Mar 10, 2025", "from Mar 3, 2025", "from Feb 17, 2025",
			"36.5 <small class=\"muted\">(2)</small>", "90 <small class=\"muted\">(1)</small>",
			"<svg", "<polyline", "<title>Week of Mar 3: QA score 36.5 (reviews: 2)</title>",
		}, []string{"from Feb 10, 2025"})

		// The agent's own, in Italian: a decimal comma.
		it := "it"
		if _, err := f.agents.Update(ctx, f.ids["agent"], agent.AgentUpdate{Locale: &it}); err != nil {
			t.Fatal(err)
		}
		res = f.login(t, "agent").get(t, "/agents/"+strconv.FormatInt(f.ids["agent"], 10)+"/scorecard")
		mustCode(t, res, http.StatusOK, "own scorecard")
		contains(t, res.body, []string{`id="sc-qa">54,3<`, `id="rate-runaround">33,3%<`, "Rimpallo"}, nil)
	})
}
