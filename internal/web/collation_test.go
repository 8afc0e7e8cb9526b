package web

import (
	"context"
	"strings"
	"testing"

	"github.com/rapport/rapport/internal/agent"
	"github.com/rapport/rapport/internal/sla"
	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/store/storetest"
)

// Team and calendar names (on the SLA page) are listed in the order of the reader's
// language, not in the database's byte order of lower(name): Latvian puts
// Č after C and Š after S; English sorts them among the Cs and the Ss;
// Catalan puts Àngels among the As, where byte order puts it after Z.
func TestNamesSortedByLanguage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		names := []string{"Zemgale", "Šauļi", "Sula", "Čiekuri", "Cukurs", "Àngels", "Anna"}
		for _, name := range names {
			if _, err := f.agents.CreateTeam(ctx, name, ""); err != nil {
				t.Fatal(err)
			}
			if _, err := f.sla.SaveCalendar(ctx, sla.CalendarRow{Name: name + " hours", Timezone: "Europe/Riga",
				Week: "mon-fri 09:00-17:00"}); err != nil {
				t.Fatal(err)
			}
		}
		admin := f.login(t, "admin")
		tests := []struct {
			name, lang string
			want       []string
		}{
			{"latvian", "lv", []string{"Àngels", "Anna", "Cukurs", "Čiekuri", "Sula", "Šauļi", "Zemgale"}},
			{"english", "en", []string{"Àngels", "Anna", "Čiekuri", "Cukurs", "Šauļi", "Sula", "Zemgale"}},
			{"catalan", "ca", []string{"Àngels", "Anna", "Čiekuri", "Cukurs", "Šauļi", "Sula", "Zemgale"}},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				lang := tc.lang
				if _, err := f.agents.Update(ctx, f.ids["admin"], agent.AgentUpdate{Locale: &lang}); err != nil {
					t.Fatal(err)
				}
				for _, page := range []struct{ path, suffix string }{{"/admin/sla", ""}, {"/admin/sla", " hours"}} {
					res := admin.get(t, page.path)
					mustCode(t, res, 200, page.path)
					last := -1
					for _, name := range tc.want {
						i := strings.Index(res.body, ">"+name+page.suffix+"<")
						if i < 0 {
							t.Fatalf("%s: %q is not listed", page.path, name+page.suffix)
						}
						if i < last {
							t.Errorf("%s in %s: %q comes before the names it should follow (want %v)", page.path, tc.lang, name, tc.want)
						}
						last = i
					}
				}
			})
		}
	})
}
