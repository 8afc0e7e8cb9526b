package main

import (
	"context"
	"strings"
	"testing"

	"github.com/rapport/rapport/internal/agent"
	"github.com/rapport/rapport/internal/audit"
	"github.com/rapport/rapport/internal/jobs"
	"github.com/rapport/rapport/internal/sso"
	"github.com/rapport/rapport/internal/store"
)

// TestSSOCommand adds, lists, changes, switches off and on and removes a
// single sign-on provider from the command line, on both databases: the
// secret is read from the input and never printed, only the given flags
// change, and each change is in the audit log as done by the command line.
func TestSSOCommand(t *testing.T) {
	const secret = "client-secret-from-stdin-7731"
	for _, b := range importBackends {
		t.Run(b.name, func(t *testing.T) {
			dsn := b.dsn(t)
			steps := []struct {
				name     string
				stdin    string
				args     []string
				want     []string
				wantErr  string
				tooQuiet bool // stdout may be empty
			}{
				{name: "list with none", args: []string{"sso", "list"}, want: []string{"no provider"}},
				{name: "add without an issuer", stdin: secret + "\n", args: []string{"sso", "add", "--name", "Corp", "--client-id", "rapport", "--client-secret-stdin"},
					wantErr: "--issuer: is required"},
				{name: "add with a bad rule", stdin: secret + "\n", args: []string{"sso", "add", "--name", "Corp", "--issuer", "https://id.corp.example",
					"--client-id", "rapport", "--client-secret-stdin", "--role-claim", "groups", "--role-rule", "leads = king"}, wantErr: "--role-rule: line 1"},
				{name: "add without a secret", args: []string{"sso", "add", "--name", "Corp", "--issuer", "https://id.corp.example", "--client-id", "rapport"},
					wantErr: "--client-secret: is required"},
				{name: "add", stdin: secret + "\n", args: []string{"sso", "add", "--name", "Corp", "--issuer", "https://id.corp.example/",
					"--client-id", "rapport", "--client-secret-stdin", "--jit", "--allowed-domains", "corp.example"},
					want: []string{"provider 1 (Corp) added: https://id.corp.example, client rapport, secret ••••••••7731, on"}},
				{name: "list", args: []string{"sso", "list"}, want: []string{"Corp", "https://id.corp.example", "••••••••7731", "openid email profile", "yes, as agent", "corp.example", "on"}},
				{name: "update the rules only", args: []string{"sso", "update", "1", "--role-claim", "groups", "--role-rule", "leads = manager", "--role-rule", "support = agent"},
					want: []string{"provider 1 (Corp) changed", "••••••••7731"}},
				{name: "list after the update", args: []string{"sso", "list"}, want: []string{"leads=manager; support=agent", "groups", "yes, as agent", "corp.example"}},
				{name: "update of none", args: []string{"sso", "update", "9", "--name", "X"}, wantErr: "not found"},
				{name: "disable", args: []string{"sso", "disable", "1"}, want: []string{"disabled", ", off"}},
				{name: "enable", args: []string{"sso", "enable", "1"}, want: []string{"enabled", ", on"}},
				{name: "remove", args: []string{"sso", "remove", "1"}, want: []string{"provider 1 (Corp) removed"}},
				{name: "list after the removal", args: []string{"sso", "list"}, want: []string{"no provider"}},
			}
			for _, st := range steps {
				args := append(st.args, "--db", dsn)
				stdout, stderr, err := runCmd(t, st.stdin, args...)
				if strings.Contains(stdout+stderr, secret) || (err != nil && strings.Contains(err.Error(), secret)) {
					t.Errorf("%s: the secret is printed: %s%s %v", st.name, stdout, stderr, err)
				}
				if st.wantErr != "" {
					if err == nil || !strings.Contains(err.Error(), st.wantErr) {
						t.Errorf("%s: err = %v, want %q", st.name, err, st.wantErr)
					}
					continue
				}
				if err != nil {
					t.Fatalf("%s: %v\n%s", st.name, err, stderr)
				}
				for _, w := range st.want {
					if !strings.Contains(stdout, w) {
						t.Errorf("%s: output lacks %q:\n%s", st.name, w, stdout)
					}
				}
				if st.name == "update the rules only" {
					db, err := store.Open(context.Background(), dsn)
					if err != nil {
						t.Fatal(err)
					}
					p, err := sso.New(sso.Opts{DB: db, Agents: agent.New(db, jobs.SystemClock{})}).Get(context.Background(), 1)
					db.Close()
					if err != nil {
						t.Fatal(err)
					}
					if p.ClientSecret != secret || p.Name != "Corp" || !p.JIT || len(p.Rules) != 2 || p.Rules[0].Role != agent.RoleManager {
						t.Errorf("after the update: %+v", p)
					}
				}
			}

			db, err := store.Open(context.Background(), dsn)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			rows, err := audit.New(db, nil).List(context.Background(), audit.Filter{Action: "sso", TargetKind: "sso_provider", Limit: 100})
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]int{}
			for _, r := range rows {
				got[r.Action]++
				if r.AgentID != 0 || !strings.HasPrefix(r.Addr, "cli") {
					t.Errorf("audit row %+v: want the command line as actor", r)
				}
				if strings.Contains(r.Before+r.After, secret) {
					t.Errorf("the secret is in the audit log: %+v", r)
				}
			}
			if got["sso.provider_create"] != 1 || got["sso.provider_update"] != 3 || got["sso.provider_delete"] != 1 {
				t.Errorf("audit actions %v: want one create, three updates (rules, off, on), one delete", got)
			}
		})
	}
}
