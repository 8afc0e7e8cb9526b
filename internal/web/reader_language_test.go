package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/rapport/rapport/internal/agent"
	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/store/storetest"
)

// A service's field errors show in the reader's language by the key the
// service gave, the password's length in the plural form of that language.
func TestFieldErrorsTranslated(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		admin := f.login(t, "admin")
		tests := []struct {
			name, lang string
			want       []string
		}{
			{"english", "en", []string{"Needs at least 8 characters.", "This is required."}},
			{"italian", "it", []string{"Servono almeno 8 caratteri.", f.cat.T("it", "valid.required")}},
			{"russian many", "ru", []string{"Нужно не меньше 8 символов.", f.cat.T("ru", "valid.required")}},
			{"latvian other", "lv", []string{"Vajag vismaz 8 rakstzīmes.", f.cat.T("lv", "valid.required")}},
			{"catalan", "ca", []string{"Calen almenys 8 caràcters.", f.cat.T("ca", "valid.required")}},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				lang := tc.lang
				if _, err := f.agents.Update(context.Background(), f.ids["admin"], agent.AgentUpdate{Locale: &lang}); err != nil {
					t.Fatal(err)
				}
				res := admin.post(t, "/admin/agents", url.Values{
					"name": {" "}, "email": {"new@rapport.test"}, "role": {"agent"}, "password": {"short"},
				})
				mustCode(t, res, http.StatusUnprocessableEntity, "short password and no name")
				contains(t, res.body, tc.want, []string{"needs at least 8"})
			})
		}
	})
}

// The admin's list of agents is in the order of the reader's language:
// Latvian puts Č after C, English among the Cs, and neither after Z.
func TestAgentsSortedByLanguage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		for i, name := range []string{"Zane Zariņa", "Čaks Čakste", "Cera Celma"} {
			if _, err := f.agents.Create(ctx, agent.NewAgent{Email: fmt.Sprintf("n%d@rapport.test", i), Name: name,
				Role: agent.RoleAgent, Password: "a long password"}); err != nil {
				t.Fatal(err)
			}
		}
		admin := f.login(t, "admin")
		tests := []struct {
			name, lang string
			want       []string
		}{
			{"latvian", "lv", []string{"Cera Celma", "Čaks Čakste", "Zane Zariņa"}},
			{"english", "en", []string{"Čaks Čakste", "Cera Celma", "Zane Zariņa"}},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				lang := tc.lang
				if _, err := f.agents.Update(ctx, f.ids["admin"], agent.AgentUpdate{Locale: &lang}); err != nil {
					t.Fatal(err)
				}
				body := admin.get(t, "/admin/agents").body
				last := -1
				for _, name := range tc.want {
					i := strings.Index(body, name)
					if i < last {
						t.Errorf("%s: %q comes before the names it should follow (want %v)", tc.lang, name, tc.want)
					}
					last = i
				}
			})
		}
	})
}

// The customer forms' field errors show in the agent's language.
func TestCustomerFieldErrorsTranslated(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		lang := "lv"
		if _, err := f.agents.Update(context.Background(), f.ids["agent"], agent.AgentUpdate{Locale: &lang}); err != nil {
			t.Fatal(err)
		}
		c := f.login(t, "agent")
		page := idPath("/customers/", f.ids["customer"], "")

		res := c.post(t, page+"/identities", url.Values{"kind": {"email"}, "value": {"not an email"}})
		mustCode(t, res, http.StatusUnprocessableEntity, "bad email")
		contains(t, res.body, []string{f.cat.T("lv", "valid.email")}, []string{"is not an email address"})

		res = c.post(t, page, url.Values{"name": {"Carla"}, "language": {"l v"}, "tags": {strings.Repeat("x", 60)}})
		mustCode(t, res, http.StatusUnprocessableEntity, "bad language and tag")
		contains(t, res.body, []string{f.cat.T("lv", "valid.language"), f.cat.T("lv", "valid.tags")},
			[]string{"is not a language code", "each tag is at most"})
	})
}
