package demo

import (
	"testing"

	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/store/storetest"
)

// The demo's service standard (five languages, one version), goals with
// Rapport's suggestions, thanks between colleagues, kudos collected from
// the history, and leaderboard opt-ins.
func TestDemoGoalsAndStandard(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		generate(t, db, 7, 80, 400)
		count := func(q string) int { return countRows(t, db, q) }
		if n := count(`SELECT COUNT(*) FROM service_standards WHERE body <> ''`); n != len(languages) {
			t.Errorf("standard in %d languages, want %d", n, len(languages))
		}
		for _, lang := range languages {
			if serviceStandard[lang] == "" {
				t.Errorf("no standard text in %s", lang)
			}
		}
		if n := count(`SELECT COUNT(*) FROM goals`); n != 6 {
			t.Errorf("%d goals, want 6", n)
		}
		if n := count(`SELECT COUNT(*) FROM goals WHERE team_id IS NOT NULL`); n != 1 {
			t.Errorf("%d team goals, want 1", n)
		}
		// Emma's first-response goal has history to be suggested from.
		if n := count(`SELECT COUNT(*) FROM goals WHERE metric = 'frt_calendar' AND suggested IS NOT NULL AND baseline IS NOT NULL AND target = suggested`); n != 1 {
			t.Errorf("suggested first-response goals: %d, want 1", n)
		}
		if n := count(`SELECT COUNT(*) FROM kudos WHERE kind = 'manual'`); n != len(demoKudos) {
			t.Errorf("%d manual kudos, want %d", n, len(demoKudos))
		}
		if n := count(`SELECT COUNT(*) FROM kudos WHERE kind = 'survey'`); n == 0 {
			t.Error("no kudos from survey comments")
		}
		if n := count(`SELECT COUNT(*) FROM leaderboard_optins`); n != 5 {
			t.Errorf("%d on the leaderboard, want 5", n)
		}
	})
}
