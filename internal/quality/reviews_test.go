package quality_test

import (
	"context"
	"errors"
	"math"
	"sync"
	"testing"
	"time"

	"github.com/rapport/rapport/internal/agent"
	"github.com/rapport/rapport/internal/customer"
	"github.com/rapport/rapport/internal/jobs"
	"github.com/rapport/rapport/internal/quality"
	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/store/storetest"
	"github.com/rapport/rapport/internal/ticket"
	"github.com/rapport/rapport/internal/valid"
)

// The acceptance example and a warm answer to the same question.
const (
	faqReply  = "Please read our FAQ on the website, policy does not allow refunds."
	warmReply = "Hi Jamie, thanks for asking! You bought the headphones 26 days ago, so they're within our 30-day window: I've started the refund of £79 to your card today, and you'll see it in 3 to 5 working days. No need to send them back first. Best wishes, Ola"
	question  = "Can I get a refund for the headphones I bought last month?"
)

var (
	analyzerOnce sync.Once
	analyzer     *quality.Analyzer
	analyzerErr  error
)

// sharedAnalyzer loads the analyzer once for every test of the file.
func sharedAnalyzer(t testing.TB) *quality.Analyzer {
	t.Helper()
	analyzerOnce.Do(func() { analyzer, analyzerErr = quality.New(quality.Opts{}) })
	if analyzerErr != nil {
		t.Fatal(analyzerErr)
	}
	return analyzer
}

// reviewFixture is the Reviews service over real tickets and agents.
type reviewFixture struct {
	clock   *jobs.FakeClock
	tickets *ticket.Service
	reviews *quality.Reviews
	ids     map[string]int64
}

// monday is the start of the fixture's first week.
var monday = time.Date(2025, 3, 10, 0, 0, 0, 0, time.UTC)

func newReviewFixture(t testing.TB, db *store.DB) *reviewFixture {
	t.Helper()
	ctx := context.Background()
	clock := jobs.NewFakeClock(monday.Add(9 * time.Hour))
	q := jobs.New(db, clock, nil)
	customers := customer.New(db, clock)
	agents := agent.New(db, clock)
	f := &reviewFixture{clock: clock, ids: map[string]int64{},
		tickets: ticket.NewService(ticket.Opts{DB: db, Clock: clock, Jobs: q, Customers: customers})}
	var err error
	f.reviews, err = quality.NewReviews(quality.ReviewsOpts{DB: db, Analyzer: sharedAnalyzer(t), Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []struct {
		key  string
		role agent.Role
	}{{"mia", agent.RoleManager}, {"max", agent.RoleManager}, {"ada", agent.RoleAdmin}, {"al", agent.RoleAgent}, {"bo", agent.RoleAgent}} {
		a, err := agents.Create(ctx, agent.NewAgent{Email: p.key + "@shop.example", Name: p.key, Role: p.role, Password: "long enough"})
		if err != nil {
			t.Fatal(err)
		}
		f.ids[p.key] = a.ID
	}
	return f
}

// answered makes a ticket with the refund question and who's reply at the
// fixture clock's time, and returns the ticket id.
func (f *reviewFixture) answered(t testing.TB, who, reply string) int64 {
	t.Helper()
	ctx := context.Background()
	tk, err := f.tickets.Create(ctx, ticket.Actor{Kind: "customer"}, ticket.NewTicket{
		Subject: "Refund", Body: question, CustomerEmail: "jamie@example.com", CustomerName: "Jamie"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.tickets.Reply(ctx, ticket.AgentActor(f.ids[who]), tk.ID, reply, ""); err != nil {
		t.Fatal(err)
	}
	return tk.ID
}

func isValid(err error, field string) bool {
	var ve valid.Errors
	if !errors.As(err, &ve) {
		return false
	}
	_, ok := ve[field]
	return ok
}

func TestDismiss(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newReviewFixture(t, db)
		ctx := context.Background()
		id := f.answered(t, "al", faqReply)
		al := f.ids["al"]

		bad := []struct {
			name  string
			d     quality.Dismissal
			field string
		}{
			{"unknown sin", quality.Dismissal{Sin: "sloth", Rule: "sloth.x", Reason: quality.ReasonFalseAlarm}, "sin"},
			{"rule of another sin", quality.Dismissal{Sin: quality.Runaround, Rule: "rulebook.policy", Reason: quality.ReasonFalseAlarm}, "rule"},
			{"no reason", quality.Dismissal{Sin: quality.Runaround, Rule: "runaround.faq"}, "reason"},
			{"other without a note", quality.Dismissal{Sin: quality.Runaround, Rule: "runaround.faq", Reason: quality.ReasonOther}, "note"},
		}
		for _, tc := range bad {
			tc.d.AgentID, tc.d.TicketID = al, id
			if _, err := f.reviews.Dismiss(ctx, tc.d); !isValid(err, tc.field) {
				t.Errorf("%s: err %v, want a problem with %s", tc.name, err, tc.field)
			}
		}
		if _, err := f.reviews.Dismiss(ctx, quality.Dismissal{AgentID: al, TicketID: 999999, Sin: quality.Runaround,
			Rule: "runaround.faq", Reason: quality.ReasonFalseAlarm}); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("unknown ticket: %v", err)
		}

		d, err := f.reviews.Dismiss(ctx, quality.Dismissal{AgentID: al, TicketID: id, Sin: quality.Runaround,
			Rule: "runaround.faq", Quote: " read our FAQ ", Reason: quality.ReasonCustomerAsked, Note: "They asked for the link"})
		if err != nil {
			t.Fatal(err)
		}
		if d.ID == 0 || d.Quote != "read our FAQ" || !d.CreatedAt.Equal(f.clock.Now()) {
			t.Errorf("stored %+v", d)
		}
		if _, err := f.reviews.Dismiss(ctx, quality.Dismissal{AgentID: f.ids["bo"], TicketID: id, Sin: quality.Runaround,
			Rule: "runaround.faq", Quote: "read our FAQ", Reason: quality.ReasonFalseAlarm}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.reviews.Dismiss(ctx, quality.Dismissal{AgentID: al, TicketID: id, Sin: quality.Rulebook,
			Rule: "rulebook.policy", Quote: "policy does not allow", Reason: quality.ReasonOther, Note: "The law says so"}); err != nil {
			t.Fatal(err)
		}

		// The composer hides what this agent dismissed on this ticket.
		dismissed, err := f.reviews.Dismissed(ctx, id, al)
		if err != nil {
			t.Fatal(err)
		}
		fs := f.reviews.Analyzer().Analyze(ctx, quality.Input{Text: faqReply})
		left := quality.WithoutDismissed(fs, dismissed)
		for _, x := range left {
			if x.Sin == quality.Runaround || x.Sin == quality.Rulebook {
				t.Errorf("dismissed finding still shown: %+v", x)
			}
		}
		if len(left) != len(fs)-2 {
			t.Errorf("%d findings left of %d, want two fewer", len(left), len(fs))
		}
		if other, _ := f.reviews.Dismissed(ctx, id, f.ids["mia"]); len(other) != 0 {
			t.Errorf("another agent's dismissals leak: %v", other)
		}

		byRule, err := f.reviews.DismissalsByRule(ctx, monday)
		if err != nil {
			t.Fatal(err)
		}
		if len(byRule) != 2 || byRule[0].Rule != "runaround.faq" || byRule[0].Total != 2 ||
			byRule[0].ByReason[quality.ReasonCustomerAsked] != 1 || byRule[0].ByReason[quality.ReasonFalseAlarm] != 1 ||
			byRule[1].Rule != "rulebook.policy" || byRule[1].Total != 1 {
			t.Errorf("by rule: %+v", byRule)
		}
		recent, err := f.reviews.RecentDismissals(ctx, 10)
		if err != nil || len(recent) != 3 || recent[0].Note != "The law says so" || recent[0].AgentName != "al" {
			t.Errorf("recent: %+v %v", recent, err)
		}
	})
}

func TestRubrics(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newReviewFixture(t, db)
		ctx := context.Background()
		all, err := f.reviews.Rubrics(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(all) != 1 {
			t.Fatalf("seeded rubrics: %+v", all)
		}
		std := all[0]
		if std.Name != "Service standard" || !std.Active || std.Scale != quality.ScalePercent || std.WeightSum() != 100 ||
			len(std.Categories) != 4 || std.Categories[1].Key != "accuracy" || std.Categories[1].Weight != 30 ||
			len(std.AutoFails) != 2 || std.AutoFails[1].Name != "Wrong information given as fact" {
			t.Errorf("seeded rubric: %+v", std)
		}

		bad := []struct {
			name  string
			rb    quality.Rubric
			field string
		}{
			{"no name", quality.Rubric{Categories: []quality.Category{{Name: "Tone", Weight: 1}}}, "name"},
			{"no category", quality.Rubric{Name: "Empty"}, "categories"},
			{"zero weight", quality.Rubric{Name: "W", Categories: []quality.Category{{Name: "Tone", Weight: 0}}}, "category.1"},
			{"twice", quality.Rubric{Name: "T", Categories: []quality.Category{{Name: "Tone", Weight: 1}, {Name: "tone", Weight: 2}}}, "category.2"},
			{"bad scale", quality.Rubric{Name: "S", Scale: "ten", Categories: []quality.Category{{Name: "Tone", Weight: 1}}}, "scale"},
			{"nameless auto-fail", quality.Rubric{Name: "A", Categories: []quality.Category{{Name: "Tone", Weight: 1}},
				AutoFails: []quality.AutoFail{{Description: "x"}}}, "auto_fail.1"},
		}
		for _, tc := range bad {
			if _, err := f.reviews.SaveRubric(ctx, tc.rb); !isValid(err, tc.field) {
				t.Errorf("%s: err %v, want a problem with %s", tc.name, err, tc.field)
			}
		}
		if _, err := f.reviews.SaveRubric(ctx, quality.Rubric{Name: "Service standard",
			Categories: []quality.Category{{Name: "Tone", Weight: 1}}}); !errors.Is(err, store.ErrConflict) {
			t.Errorf("same name: %v", err)
		}

		rb, err := f.reviews.SaveRubric(ctx, quality.Rubric{Name: "Звонки", Scale: quality.ScaleFive, Active: true,
			Categories: []quality.Category{{Name: "Вежливость", Weight: 2}, {Name: "Решение", Weight: 3}, {Name: "Hold time", Weight: 1}},
			AutoFails:  []quality.AutoFail{{Name: "Грубость"}}})
		if err != nil {
			t.Fatal(err)
		}
		keys := []string{rb.Categories[0].Key, rb.Categories[1].Key, rb.Categories[2].Key, rb.AutoFails[0].Key}
		if keys[0] != "c1" || keys[1] != "c2" || keys[2] != "hold_time" || keys[3] != "f1" {
			t.Errorf("keys %v", keys)
		}
		// Editing keeps the keys of what stays, so old reviews still compare.
		rb.Categories = append(rb.Categories[1:], quality.Category{Name: "Новая", Weight: 1})
		rb.Active = false
		rb2, err := f.reviews.SaveRubric(ctx, rb)
		if err != nil {
			t.Fatal(err)
		}
		if rb2.Categories[0].Key != "c2" || rb2.Categories[2].Key != "c3" || rb2.Active {
			t.Errorf("after edit: %+v", rb2)
		}
		all, _ = f.reviews.Rubrics(ctx)
		if len(all) != 2 || all[0].ID != std.ID {
			t.Errorf("the active rubric comes first: %+v", all)
		}
		if _, err := f.reviews.SaveRubric(ctx, quality.Rubric{ID: 99999, Name: "Gone",
			Categories: []quality.Category{{Name: "Tone", Weight: 1}}}); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("unknown rubric: %v", err)
		}
	})
}

// stdScores scores the seeded rubric: empathy, accuracy, ownership, tone.
func stdScores(e, a, o, t int) map[string]int {
	return map[string]int{"empathy": e, "accuracy": a, "ownership": o, "tone": t}
}

func TestSaveReviewAndCalibrate(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newReviewFixture(t, db)
		ctx := context.Background()
		id := f.answered(t, "al", faqReply)
		rubrics, _ := f.reviews.Rubrics(ctx)
		std := rubrics[0]
		in := quality.ReviewInput{TicketID: id, RevieweeID: f.ids["al"], ReviewerID: f.ids["mia"], RubricID: std.ID,
			Scores: stdScores(80, 60, 100, 50), Comment: "  Good ownership.  "}

		bad := []struct {
			name   string
			change func(*quality.ReviewInput)
			field  string
		}{
			{"missing score", func(in *quality.ReviewInput) { in.Scores = map[string]int{"empathy": 1} }, "score_accuracy"},
			{"score too high", func(in *quality.ReviewInput) { in.Scores = stdScores(80, 101, 100, 50) }, "score_accuracy"},
			{"not on the ticket", func(in *quality.ReviewInput) { in.RevieweeID = f.ids["bo"] }, "reviewee_id"},
			{"unknown auto-fail", func(in *quality.ReviewInput) { in.AutoFails = []string{"nope"} }, "auto_fail"},
			{"unknown rubric", func(in *quality.ReviewInput) { in.RubricID = 9999 }, "rubric_id"},
		}
		for _, tc := range bad {
			x := in
			tc.change(&x)
			if _, err := f.reviews.SaveReview(ctx, x); !isValid(err, tc.field) {
				t.Errorf("%s: err %v, want a problem with %s", tc.name, err, tc.field)
			}
		}

		// (25·80 + 30·60 + 25·100 + 20·50) / 100 = 73
		rv, err := f.reviews.SaveReview(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		if rv.Total != 73 || rv.Failed() || rv.Comment != "Good ownership." || rv.RevieweeName != "al" ||
			rv.ReviewerName != "mia" || rv.RubricName != "Service standard" || len(rv.Scores) != 4 {
			t.Errorf("review %+v", rv)
		}
		// Saving again replaces the reviewer's review.
		in.Scores = stdScores(90, 90, 90, 90)
		again, err := f.reviews.SaveReview(ctx, in)
		if err != nil || again.ID != rv.ID || again.Total != 90 {
			t.Errorf("re-review: %+v %v", again, err)
		}
		// An auto-fail item makes the total 0 whatever the scores.
		failed, err := f.reviews.SaveReview(ctx, quality.ReviewInput{TicketID: id, RevieweeID: f.ids["al"], ReviewerID: f.ids["max"],
			RubricID: std.ID, Scores: stdScores(100, 100, 100, 100), AutoFails: []string{"wrong_fact", "wrong_fact"}})
		if err != nil {
			t.Fatal(err)
		}
		if failed.Total != 0 || len(failed.AutoFails) != 1 || failed.AutoFails[0].Name != "Wrong information given as fact" {
			t.Errorf("auto-failed review %+v", failed)
		}
		// A five-point rubric: 1 is 0 %, 5 is 100 %.
		five, err := f.reviews.SaveRubric(ctx, quality.Rubric{Name: "Five", Scale: quality.ScaleFive, Active: true,
			Categories: []quality.Category{{Key: "tone", Name: "Tone", Weight: 1}, {Key: "accuracy", Name: "Accuracy", Weight: 3}}})
		if err != nil {
			t.Fatal(err)
		}
		third, err := f.reviews.SaveReview(ctx, quality.ReviewInput{TicketID: id, RevieweeID: f.ids["al"], ReviewerID: f.ids["ada"],
			RubricID: five.ID, Scores: map[string]int{"tone": 5, "accuracy": 3}})
		if err != nil {
			t.Fatal(err)
		}
		if third.Total != 62.5 { // (1·100 + 3·50) / 4
			t.Errorf("five-point total %v, want 62.5", third.Total)
		}
		if _, err := f.reviews.SaveReview(ctx, quality.ReviewInput{TicketID: id, RevieweeID: f.ids["al"], ReviewerID: f.ids["ada"],
			RubricID: five.ID, Scores: map[string]int{"tone": 0, "accuracy": 3}}); !isValid(err, "score_tone") {
			t.Errorf("0 on a five-point scale: %v", err)
		}

		cals, err := f.reviews.Calibrate(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if len(cals) != 1 || len(cals[0].Reviews) != 3 {
			t.Fatalf("calibration %+v", cals)
		}
		c := cals[0]
		// Totals 90, 0, 62.5: mean 50.8, range 90, σ = 37.7.
		if c.Spread != 90 || c.Mean != 50.8 || c.StdDev != 37.7 {
			t.Errorf("mean %v spread %v sd %v", c.Mean, c.Spread, c.StdDev)
		}
		var acc quality.CategorySpread
		for _, cs := range c.Categories {
			if cs.Key == "accuracy" {
				acc = cs
			}
		}
		if acc.Min != 50 || acc.Max != 100 || acc.Spread != 50 {
			t.Errorf("accuracy spread %+v", acc)
		}
		items, err := f.reviews.Calibrations(ctx, 10)
		if err != nil || len(items) != 1 || items[0].Reviewers != 3 || items[0].Spread != 90 || items[0].TicketID != id {
			t.Errorf("calibrations %+v %v", items, err)
		}
		if _, err := f.reviews.Calibrate(ctx, 99999); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("calibrate unknown ticket: %v", err)
		}
		recent, err := f.reviews.RecentReviews(ctx, 10)
		if err != nil || len(recent) != 3 {
			t.Errorf("recent %d %v", len(recent), err)
		}
		if got, err := f.reviews.FindReview(ctx, id, f.ids["al"], f.ids["mia"]); err != nil || got.ID != rv.ID {
			t.Errorf("find %+v %v", got, err)
		}
		other := f.answered(t, "bo", warmReply)
		todo, err := f.reviews.ToReview(ctx, 10)
		if err != nil || len(todo) != 1 || todo[0].TicketID != other || todo[0].OwnerName != "bo" {
			t.Errorf("to review %+v %v", todo, err)
		}
	})
}

func TestSpread(t *testing.T) {
	tests := []struct {
		name                 string
		xs                   []float64
		mean, spread, stddev float64
	}{
		{"none", nil, 0, 0, 0},
		{"one", []float64{70}, 70, 0, 0},
		{"two", []float64{60, 80}, 70, 20, 10},
		{"three", []float64{2, 4, 4, 4, 5, 5, 7, 9}, 5, 7, 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m, s, sd := quality.Spread(tc.xs)
			if m != tc.mean || s != tc.spread || sd != tc.stddev {
				t.Errorf("Spread(%v) = %v %v %v", tc.xs, m, s, sd)
			}
		})
	}
	if got := quality.Total(quality.ScalePercent, []quality.Score{{Weight: 1, Value: 33}, {Weight: 2, Value: 67}}, false); math.Abs(got-55.7) > 1e-9 {
		t.Errorf("Total rounds to one decimal: %v", got)
	}
}

func TestScorecard(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newReviewFixture(t, db)
		ctx := context.Background()
		rubrics, _ := f.reviews.Rubrics(ctx)
		std := rubrics[0].ID
		review := func(ticketID int64, reviewer string, scores map[string]int, fails ...string) {
			t.Helper()
			if _, err := f.reviews.SaveReview(ctx, quality.ReviewInput{TicketID: ticketID, RevieweeID: f.ids["al"],
				ReviewerID: f.ids[reviewer], RubricID: std, Scores: scores, AutoFails: fails}); err != nil {
				t.Fatal(err)
			}
		}

		// The week before the period: counts for nothing.
		f.clock.Set(monday.AddDate(0, 0, -3))
		f.answered(t, "al", faqReply)
		// Week 1: one reply with sins, one without, two reviews, a dismissal.
		f.clock.Set(monday.Add(26 * time.Hour))
		bad := f.answered(t, "al", faqReply)
		f.answered(t, "al", warmReply)
		f.answered(t, "bo", faqReply)                             // someone else's
		review(bad, "mia", stdScores(80, 60, 100, 50))            // 73
		review(bad, "max", stdScores(100, 100, 100, 100), "rude") // 0
		if _, err := f.reviews.Dismiss(ctx, quality.Dismissal{AgentID: f.ids["al"], TicketID: bad, Sin: quality.Runaround,
			Rule: "runaround.faq", Reason: quality.ReasonFalseAlarm}); err != nil {
			t.Fatal(err)
		}
		// Week 2: nothing. Week 3: a clean reply and a review.
		f.clock.Set(monday.AddDate(0, 0, 15))
		good := f.answered(t, "al", warmReply)
		review(good, "mia", stdScores(90, 90, 90, 90)) // 90
		// After the period.
		f.clock.Set(monday.AddDate(0, 0, 22))
		f.answered(t, "al", faqReply)

		sc, err := f.reviews.Scorecard(ctx, f.ids["al"], monday.Add(40*time.Hour), monday.AddDate(0, 0, 21), time.UTC)
		if err != nil {
			t.Fatal(err)
		}
		if !sc.From.Equal(monday) || !sc.To.Equal(monday.AddDate(0, 0, 21)) || len(sc.Weeks) != 3 {
			t.Fatalf("period %v–%v, %d weeks", sc.From, sc.To, len(sc.Weeks))
		}
		w1, w2, w3, all := sc.Weeks[0], sc.Weeks[1], sc.Weeks[2], sc.Period
		if w1.Replies != 2 || w1.Rate(quality.Runaround) != 0.5 || w1.Rate(quality.Rulebook) != 0.5 ||
			w1.Rate(quality.Apathy) != 0 || w1.AnyRate() != 0.5 || w1.Reviews != 2 || w1.QAScore != 36.5 || w1.Dismissals != 1 {
			t.Errorf("week 1: %+v", w1)
		}
		if w2.Replies != 0 || w2.Reviews != 0 || w2.AnyRate() != 0 || !w2.Start.Equal(monday.AddDate(0, 0, 7)) {
			t.Errorf("week 2: %+v", w2)
		}
		if w3.Replies != 1 || w3.AnySin != 0 || w3.Reviews != 1 || w3.QAScore != 90 {
			t.Errorf("week 3: %+v", w3)
		}
		if all.Replies != 3 || all.Sins[quality.Runaround] != 1 || all.Reviews != 3 || all.QAScore != 54.3 || all.Dismissals != 1 {
			t.Errorf("period: %+v", all)
		}
		if _, err := f.reviews.Scorecard(ctx, f.ids["al"], monday, monday.AddDate(3, 0, 0), time.UTC); !isValid(err, "weeks") {
			t.Errorf("three years: %v", err)
		}
	})
}

func TestWeekStart(t *testing.T) {
	zone := func(name string) *time.Location {
		loc, err := time.LoadLocation(name)
		if err != nil {
			t.Fatal(err)
		}
		return loc
	}
	tokyo, rome, york := zone("Asia/Tokyo"), zone("Europe/Rome"), zone("America/New_York")
	tests := []struct {
		name string
		in   time.Time
		loc  *time.Location
		want time.Time
	}{
		{"monday morning", monday.Add(9 * time.Hour), time.UTC, monday},
		{"sunday night", monday.Add(-time.Minute), time.UTC, monday.AddDate(0, 0, -7)},
		{"monday midnight", monday, time.UTC, monday},
		{"other zone", time.Date(2025, 3, 17, 0, 30, 0, 0, time.FixedZone("CET", 3600)), time.UTC, monday},
		// Sunday 16 March 23:30 UTC is already Monday 08:30 in Tokyo.
		{"tokyo", time.Date(2025, 3, 16, 23, 30, 0, 0, time.UTC), tokyo, time.Date(2025, 3, 17, 0, 0, 0, 0, tokyo)},
		// Monday 03:30 UTC is still Sunday in New York (EDT since 9 March).
		{"new york", monday.Add(3*time.Hour + 30*time.Minute), york, time.Date(2025, 3, 3, 0, 0, 0, 0, york)},
		// The week holding the last Sunday of October 2026 (clocks back in
		// Rome) starts on Monday 19 October at 00:00 CEST.
		{"rome dst", time.Date(2026, 10, 25, 22, 30, 0, 0, time.UTC), rome, time.Date(2026, 10, 19, 0, 0, 0, 0, rome)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := quality.WeekStart(tc.in, tc.loc); !got.Equal(tc.want) {
				t.Errorf("WeekStart(%v) = %v, want %v", tc.in, got, tc.want)
			}
		})
	}
}

// TestScorecardZoneWeeks: a scorecard's weeks are the business's, eight
// of them across a DST change still eight whole weeks, each starting on a
// Monday at midnight there.
func TestScorecardZoneWeeks(t *testing.T) {
	rome, err := time.LoadLocation("Europe/Rome")
	if err != nil {
		t.Fatal(err)
	}
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newReviewFixture(t, db)
		// Monday 26 October 2026 00:30 in Rome, the day after the clocks
		// went back: Sunday 23:30 in UTC.
		f.clock.Set(time.Date(2026, 10, 26, 0, 30, 0, 0, rome))
		f.answered(t, "al", warmReply)
		from := time.Date(2026, 10, 5, 0, 0, 0, 0, rome)
		sc, err := f.reviews.Scorecard(context.Background(), f.ids["al"], from, from.AddDate(0, 0, 56), rome)
		if err != nil {
			t.Fatal(err)
		}
		if len(sc.Weeks) != 8 {
			t.Fatalf("%d weeks, want 8", len(sc.Weeks))
		}
		for i, w := range sc.Weeks {
			if l := w.Start.In(rome); l.Weekday() != time.Monday || l.Hour() != 0 || !w.Start.Equal(from.AddDate(0, 0, 7*i)) {
				t.Errorf("week %d starts %v", i, l)
			}
		}
		// The reply is in the week of Monday 26 October, not the one before.
		if sc.Weeks[3].Replies != 1 || sc.Weeks[2].Replies != 0 {
			t.Errorf("replies by week %d %d %d %d, want the reply in the fourth", sc.Weeks[0].Replies, sc.Weeks[1].Replies, sc.Weeks[2].Replies, sc.Weeks[3].Replies)
		}
		// In UTC days the same reply falls on Sunday, in the week before.
		utcFrom := time.Date(2026, 10, 5, 0, 0, 0, 0, time.UTC)
		utc, err := f.reviews.Scorecard(context.Background(), f.ids["al"], utcFrom, utcFrom.AddDate(0, 0, 56), time.UTC)
		if err != nil {
			t.Fatal(err)
		}
		if utc.Weeks[2].Replies != 1 {
			t.Errorf("in UTC weeks the reply is not in the third week: %+v", utc.Weeks[2])
		}
	})
}

func BenchmarkScorecard(b *testing.B) {
	f := newReviewFixture(b, storetest.SQLite(b))
	for i := 0; i < 240; i++ {
		f.clock.Set(monday.Add(time.Duration(i) * 8 * time.Hour))
		reply := warmReply
		if i%2 == 0 {
			reply = faqReply
		}
		f.answered(b, "al", reply)
	}
	ctx := context.Background()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		sc, err := f.reviews.Scorecard(ctx, f.ids["al"], monday, monday.AddDate(0, 0, 84), time.UTC)
		if err != nil || sc.Period.Replies != 240 {
			b.Fatalf("%d replies, %v", sc.Period.Replies, err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N)/240, "µs/reply")
}
