package sso

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/rapport/rapport/internal/agent"
	"github.com/rapport/rapport/internal/audit"
	"github.com/rapport/rapport/internal/jobs"
	"github.com/rapport/rapport/internal/store"
	"github.com/rapport/rapport/internal/store/storetest"
	"github.com/rapport/rapport/internal/valid"
)

func TestParseRules(t *testing.T) {
	tests := []struct {
		name     string
		text     string
		want     []Rule
		wantLine int // 0: no error
	}{
		{"empty", "", []Rule{}, 0},
		{"two rules, comments and blanks", "# leads\nsupport-leads = manager\n\n  support=agent  \n",
			[]Rule{{"support-leads", agent.RoleManager}, {"support", agent.RoleAgent}}, 0},
		{"value with an equals sign", "a=b = Admin", []Rule{{"a=b", agent.RoleAdmin}}, 0},
		{"value with spaces", "Support Team = agent", []Rule{{"Support Team", agent.RoleAgent}}, 0},
		{"no equals sign", "ok = agent\nsupport manager", nil, 2},
		{"unknown role", "support = owner", nil, 1},
		{"empty value", " = admin", nil, 1},
		{"NUL", "a\x00 = admin", nil, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseRules(tc.text)
			var re *RuleError
			if tc.wantLine != 0 {
				if !errors.As(err, &re) || re.Line != tc.wantLine {
					t.Fatalf("ParseRules(%q) = %v, %v; want an error on line %d", tc.text, got, err, tc.wantLine)
				}
				return
			}
			if err != nil || len(got) != len(tc.want) {
				t.Fatalf("ParseRules(%q) = %v, %v; want %v", tc.text, got, err, tc.want)
			}
			for i := range got {
				if got[i] != tc.want[i] {
					t.Errorf("rule %d = %v, want %v", i, got[i], tc.want[i])
				}
			}
			again, err := ParseRules(FormatRules(got))
			if err != nil || len(again) != len(got) {
				t.Errorf("written back and read again: %v, %v", again, err)
			}
		})
	}
	if _, err := ParseRules(strings.Repeat("x = agent\n", MaxRules+1)); err == nil {
		t.Error("more than MaxRules rules accepted")
	}
}

func FuzzParseRules(f *testing.F) {
	for _, s := range []string{"", "a = admin", "a=b = manager\n# c\n\nx = agent", "=", "a =", "\xff = agent", "a = AGENT\r\n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		rules, err := ParseRules(text)
		if err != nil {
			var re *RuleError
			if !errors.As(err, &re) || re.Line < 1 {
				t.Fatalf("error %v without its line", err)
			}
			return
		}
		for _, r := range rules {
			if !r.Role.Valid() || r.Value == "" || strings.ContainsAny(r.Value, "\n\x00") {
				t.Fatalf("rule %+v read from %q", r, text)
			}
		}
		again, err := ParseRules(FormatRules(rules))
		if err != nil || len(again) != len(rules) {
			t.Fatalf("rules %v written back read as %v, %v", rules, again, err)
		}
		for i := range again {
			if again[i] != rules[i] {
				t.Fatalf("rule %v came back as %v", rules[i], again[i])
			}
		}
	})
}

func TestMapRole(t *testing.T) {
	rules := []Rule{{"support", agent.RoleAgent}, {"leads", agent.RoleManager}, {"it", agent.RoleAdmin}, {"true", agent.RoleManager}}
	tests := []struct {
		name  string
		claim any
		want  agent.Role
		ok    bool
	}{
		{"string", "leads", agent.RoleManager, true},
		{"list takes the highest", []any{"support", "it", "leads"}, agent.RoleAdmin, true},
		{"list without a match", []any{"sales", 3.0}, "", false},
		{"boolean", true, agent.RoleManager, true},
		{"missing", nil, "", false},
		{"object", map[string]any{"leads": true}, "", false},
		{"case matters", "Leads", "", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := MapRole(rules, tc.claim)
			if got != tc.want || ok != tc.ok {
				t.Errorf("MapRole(%v) = %q, %v; want %q, %v", tc.claim, got, ok, tc.want, tc.ok)
			}
		})
	}
}

func TestProviders(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := audit.WithActor(context.Background(), audit.Actor{Addr: "192.0.2.7"})
		clock := jobs.NewFakeClock(jobs.SystemClock{}.Now())
		agents := agent.New(db, clock)
		s := New(Opts{DB: db, Agents: agents, Clock: clock, CallbackURL: "https://help.example.com/login/sso/callback"})
		in := Input{Name: "Okta", Issuer: "https://id.example.com/", ClientID: "rapport", ClientSecret: "s3cret-value-7890",
			Scopes: "email profile groups", RoleClaim: "groups", Rules: "leads = manager", JIT: true,
			DefaultRole: "agent", AllowedDomains: "Example.com, @shop.example", Active: true}

		bad := []struct {
			name, field string
			change      func(*Input)
		}{
			{"no name", "name", func(i *Input) { i.Name = " " }},
			{"issuer not http", "issuer", func(i *Input) { i.Issuer = "ftp://id.example.com" }},
			{"issuer with a query", "issuer", func(i *Input) { i.Issuer = "https://id.example.com?x=1" }},
			{"no client id", "client_id", func(i *Input) { i.ClientID = "" }},
			{"no secret", "client_secret", func(i *Input) { i.ClientSecret = "" }},
			{"bad rule", "role_rules", func(i *Input) { i.Rules = "leads manager" }},
			{"rules without a claim", "role_claim", func(i *Input) { i.RoleClaim = "" }},
			{"bad role", "default_role", func(i *Input) { i.DefaultRole = "owner" }},
			{"bad domain", "allowed_domains", func(i *Input) { i.AllowedDomains = "user@example.com" }},
		}
		for _, tc := range bad {
			t.Run(tc.name, func(t *testing.T) {
				i := in
				tc.change(&i)
				_, err := s.Create(ctx, i)
				var fields valid.Fields
				if !errors.As(err, &fields) || fields[tc.field].Key == "" {
					t.Fatalf("Create = %v, want a message on %s", err, tc.field)
				}
			})
		}
		if list, _ := s.List(ctx); len(list) != 0 {
			t.Fatalf("refused providers were stored: %v", list)
		}

		p, err := s.Create(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		if p.Issuer != "https://id.example.com" || strings.Join(p.Scopes, " ") != "openid email profile groups" ||
			strings.Join(p.AllowedDomains, " ") != "example.com shop.example" || !p.JIT || !p.Active || len(p.Rules) != 1 {
			t.Errorf("stored %+v", p)
		}
		if m := p.SecretMasked(); strings.Contains(m, "s3cret") || !strings.HasSuffix(m, "7890") {
			t.Errorf("masked secret %q", m)
		}
		// An empty secret keeps the stored one.
		in.ClientSecret, in.Name, in.Active = "", "Okta SSO", false
		p, err = s.Update(ctx, p.ID, in)
		if err != nil || p.ClientSecret != "s3cret-value-7890" || p.Name != "Okta SSO" || p.Active {
			t.Fatalf("Update = %+v, %v", p, err)
		}
		if links, _ := s.Links(ctx); len(links) != 0 {
			t.Errorf("a provider switched off is on the login page: %v", links)
		}
		in.ClientSecret = "another-secret-1111"
		if _, err := s.Update(ctx, p.ID, in); err != nil {
			t.Fatal(err)
		}
		rows, err := audit.New(db, clock).List(ctx, audit.Filter{Action: "sso", Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != 3 {
			t.Fatalf("%d audit entries, want create and two updates", len(rows))
		}
		for _, r := range rows {
			if strings.Contains(r.Before+r.After, "s3cret") || strings.Contains(r.Before+r.After, "another-secret") {
				t.Errorf("a client secret is in the audit log: %s %s", r.Before, r.After)
			}
			if r.Addr != "192.0.2.7" {
				t.Errorf("audit address %q", r.Addr)
			}
		}
		if err := s.Delete(ctx, p.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Get(ctx, p.ID); !errors.Is(err, ErrNotFound) {
			t.Errorf("Get after Delete = %v", err)
		}
		// A state never issued is refused before anything is asked of a provider.
		if _, err := s.Finish(ctx, Return{State: "forged", CookieState: "forged", Code: "x"}); !errors.Is(err, ErrState) {
			t.Errorf("Finish with a forged state = %v", err)
		}
	})
}
