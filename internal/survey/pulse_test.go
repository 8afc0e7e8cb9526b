package survey

import (
	"errors"
	"math"
	"sort"
	"strings"
	"testing"

	"github.com/rapport/rapport/internal/agent"
	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/store/storetest"
	"github.com/rapport/rapport/internal/valid"
)

// A pulse goes to a team's active agents (not the manager who sends it);
// each answers once; the answers carry no agent; results show nothing
// below three answers and the exact aggregates from then on.
func TestPulse(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := e.ctx
		mk := func(name string, role agent.Role) int64 {
			a, err := e.agents.Create(ctx, agent.NewAgent{Email: name + "@shop.example", Name: name, Role: role, Password: "long enough"})
			if err != nil {
				t.Fatal(err)
			}
			return a.ID
		}
		boss := mk("boss", agent.RoleManager)
		ann, bob, cid, dan := mk("ann", agent.RoleAgent), mk("bob", agent.RoleAgent), mk("cid", agent.RoleAgent), mk("dan", agent.RoleAgent)
		outsider := mk("out", agent.RoleAgent)
		team, err := e.agents.CreateTeam(ctx, "Front desk", "")
		if err != nil {
			t.Fatal(err)
		}
		if err := e.agents.SetTeamMembers(ctx, team.ID, []int64{boss, ann, bob, cid, dan}); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.CreatePulse(ctx, boss, "  ", team.ID); !hasField(err, "title") {
			t.Fatalf("empty title: %v", err)
		}
		if _, err := e.svc.CreatePulse(ctx, boss, "Spring", 9999); !hasField(err, "team") {
			t.Fatalf("no such team: %v", err)
		}
		p, err := e.svc.CreatePulse(ctx, boss, "Spring", team.ID)
		if err != nil {
			t.Fatal(err)
		}
		if p.Recipients != 4 || p.Answered != 0 || p.TeamName != "Front desk" {
			t.Fatalf("pulse %+v", p)
		}
		if got, err := e.svc.PendingPulse(ctx, ann); err != nil || got.ID != p.ID {
			t.Fatalf("ann's pending pulse: %+v %v", got, err)
		}
		for _, id := range []int64{boss, outsider} {
			if _, err := e.svc.PendingPulse(ctx, id); !errors.Is(err, ErrNotFound) {
				t.Errorf("agent %d has a pulse: %v", id, err)
			}
		}
		ans := func(equipped, processes, valued int, text string) PulseAnswer {
			sc := map[string]*int{}
			for q, v := range map[string]int{PulseEquipped: equipped, PulseProcesses: processes, PulseValued: valued} {
				if v != 0 {
					sc[q] = intp(v)
				}
			}
			return PulseAnswer{Scores: sc, Obstacles: text}
		}
		// Bad answers change nothing.
		for name, a := range map[string]PulseAnswer{
			"score 6": ans(6, 3, 3, ""), "score 0 given": {Scores: map[string]*int{PulseValued: intp(0)}},
			"nothing": ans(0, 0, 0, "  "), "unknown question": {Scores: map[string]*int{"salary": intp(3)}},
			"too long": ans(3, 3, 3, strings.Repeat("x", MaxPulseObstacles+1)),
		} {
			if err := e.svc.AnswerPulse(ctx, ann, p.ID, a); err == nil {
				t.Errorf("%s: accepted", name)
			}
		}
		if err := e.svc.AnswerPulse(ctx, ann, p.ID, ans(4, 2, 3, "The old order system is slow.")); err != nil {
			t.Fatal(err)
		}
		if err := e.svc.AnswerPulse(ctx, ann, p.ID, ans(5, 5, 5, "")); !errors.Is(err, ErrAnswered) {
			t.Fatalf("second answer: %v", err)
		}
		if err := e.svc.AnswerPulse(ctx, outsider, p.ID, ans(1, 1, 1, "")); !errors.Is(err, ErrNotFound) {
			t.Fatalf("outsider: %v", err)
		}
		if _, err := e.svc.PendingPulse(ctx, ann); !errors.Is(err, ErrNotFound) {
			t.Fatal("an answered pulse is still pending")
		}
		if err := e.svc.AnswerPulse(ctx, bob, p.ID, ans(2, 1, 0, "")); err != nil {
			t.Fatal(err)
		}
		r, err := e.svc.Results(ctx, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !r.Hidden || r.Answers != 0 || r.Waiting != 2 || r.Scales != nil || r.Texts != nil {
			t.Fatalf("two answers are shown: %+v", r)
		}
		if err := e.svc.AnswerPulse(ctx, cid, p.ID, ans(3, 3, 5, "Too many transfers between teams.")); err != nil {
			t.Fatal(err)
		}
		r, err = e.svc.Results(ctx, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		if r.Hidden || r.Answers != 3 || r.Pulse.Answered != 3 {
			t.Fatalf("results %+v", r)
		}
		want := []struct {
			n      int
			mean   float64
			counts [5]int
		}{
			{3, 3, [5]int{0, 1, 1, 1, 0}}, // equipped 4, 2, 3
			{3, 2, [5]int{1, 1, 1, 0, 0}}, // processes 2, 1, 3
			{2, 4, [5]int{0, 0, 1, 0, 1}}, // valued 3, skipped, 5
		}
		for i, w := range want {
			got := r.Scales[i]
			if got.Question != PulseScales[i] || got.N != w.n || math.Abs(got.Mean-w.mean) > 1e-9 || got.Counts != w.counts {
				t.Errorf("%s: %+v, want %+v", PulseScales[i], got, w)
			}
		}
		texts := append([]string(nil), r.Texts...)
		sort.Strings(texts)
		if strings.Join(texts, "|") != "The old order system is slow.|Too many transfers between teams." {
			t.Errorf("texts %q", r.Texts)
		}
		// Nothing in the answers table can lead back to an agent.
		rows, err := db.R.QueryContext(ctx, "SELECT * FROM pulse_answers LIMIT 1")
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rows.Columns()
		rows.Close()
		for _, c := range cols {
			if strings.Contains(c, "agent") || strings.HasSuffix(c, "_at") {
				t.Errorf("pulse_answers has column %s", c)
			}
		}

		// Closed: no more answers, nothing pending.
		if err := e.svc.ClosePulse(ctx, p.ID); err != nil {
			t.Fatal(err)
		}
		if err := e.svc.AnswerPulse(ctx, dan, p.ID, ans(3, 3, 3, "")); !errors.Is(err, ErrNotFound) {
			t.Fatalf("answer to a closed pulse: %v", err)
		}
		if _, err := e.svc.PendingPulse(ctx, dan); !errors.Is(err, ErrNotFound) {
			t.Fatal("closed pulse is pending")
		}
		// To everyone: every active agent but the sender.
		all, err := e.svc.CreatePulse(ctx, boss, "Everyone", 0)
		if err != nil {
			t.Fatal(err)
		}
		if all.Recipients != 6 { // ann, bob, cid, dan, outsider and the env's agent
			t.Fatalf("all: %d recipients", all.Recipients)
		}
		ps, err := e.svc.Pulses(ctx)
		if err != nil || len(ps) != 2 || ps[0].ID != all.ID || !ps[1].Closed {
			t.Fatalf("pulses %+v %v", ps, err)
		}
	})
}

func hasField(err error, field string) bool {
	var ve valid.Errors
	return errors.As(err, &ve) && ve[field] != ""
}

// TestPulseReleaseSteps: an open pulse's results change only in steps of
// at least MinPulseAnswers new answers, so that reloading the page around
// one person's answer shows nothing of it; closing releases the rest.
func TestPulseReleaseSteps(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := e.ctx
		boss, err := e.agents.Create(ctx, agent.NewAgent{Email: "boss@shop.example", Name: "Boss", Role: agent.RoleManager, Password: "long enough"})
		if err != nil {
			t.Fatal(err)
		}
		var staff []int64
		for _, name := range []string{"a1", "a2", "a3", "a4", "a5", "a6", "a7"} {
			a, err := e.agents.Create(ctx, agent.NewAgent{Email: name + "@shop.example", Name: name, Role: agent.RoleAgent, Password: "long enough"})
			if err != nil {
				t.Fatal(err)
			}
			staff = append(staff, a.ID)
		}
		p, err := e.svc.CreatePulse(ctx, boss.ID, "Autumn", 0)
		if err != nil {
			t.Fatal(err)
		}
		// Each agent rates "equipped" with a score of their own (1–5, the
		// sixth and seventh 5), so the counts show whose answers are in.
		wantShown := []int{0, 0, 3, 3, 3, 6, 6}
		var before PulseResults
		for i, id := range staff {
			score := min(i+1, 5)
			if err := e.svc.AnswerPulse(ctx, id, p.ID, PulseAnswer{Scores: map[string]*int{PulseEquipped: intp(score)}, Obstacles: "note " + string(rune('A'+i))}); err != nil {
				t.Fatal(err)
			}
			r, err := e.svc.Results(ctx, p.ID)
			if err != nil {
				t.Fatal(err)
			}
			if r.Answers != wantShown[i] || r.Waiting != i+1-wantShown[i] || r.Hidden != (wantShown[i] < MinPulseAnswers) {
				t.Fatalf("after %d answers: %d shown, %d waiting, hidden %v; want %d shown", i+1, r.Answers, r.Waiting, r.Hidden, wantShown[i])
			}
			if i > 0 && wantShown[i] == wantShown[i-1] {
				// The reload after this answer shows exactly what the one
				// before it showed.
				if fmtResults(r) != fmtResults(before) {
					t.Errorf("after answer %d the results changed by one answer:\n%s\nbefore:\n%s", i+1, fmtResults(r), fmtResults(before))
				}
			}
			before = r
		}
		if err := e.svc.ClosePulse(ctx, p.ID); err != nil {
			t.Fatal(err)
		}
		r, err := e.svc.Results(ctx, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		if r.Answers != 7 || r.Waiting != 0 || r.Scales[0].Counts != [5]int{1, 1, 1, 1, 3} || len(r.Texts) != 7 {
			t.Fatalf("closed: %d shown, %d waiting, counts %v, %d texts", r.Answers, r.Waiting, r.Scales[0].Counts, len(r.Texts))
		}
	})
}

// fmtResults is what a manager sees of r, texts sorted.
func fmtResults(r PulseResults) string {
	texts := append([]string(nil), r.Texts...)
	sort.Strings(texts)
	var b strings.Builder
	for _, sc := range r.Scales {
		b.WriteString(sc.Question)
		for _, c := range sc.Counts {
			b.WriteString(" " + string(rune('0'+c)))
		}
		b.WriteString("\n")
	}
	return b.String() + strings.Join(texts, "|")
}
