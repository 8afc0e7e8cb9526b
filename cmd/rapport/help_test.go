package main

import (
	"errors"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/rapport/rapport/internal/config"
)

// serverOnlyFlags are settings only a running server reads; no other
// command's help may offer them.
var serverOnlyFlags = []string{"addr", "workers", "smtp-addr", "imap", "smtp-relay", "smtp-relay-password",
	"mailboxes", "business-name", "auto-close-days", "follow-up-days", "outbox-dir", "attachments-dir",
	"public-url", "purchase-hook-secret", "secure-cookies", "shutdown-timeout", "log-level", "max-body-bytes", "pprof-addr"}

// helpFlag finds a flag line of a help text, in config.PrintSettings's
// form ("  --db   RAPPORT_DB ...") or flag.PrintDefaults's ("  -unit string").
var helpFlag = regexp.MustCompile(`(?m)^\s+--?([a-z0-9-]+)`)

// TestHelpListsWhatEachCommandUses runs every command's --help and checks
// that it lists exactly the settings the command reads: the server's for
// serve and demo, --db and the command's own for the database commands,
// and no server setting for the others.
func TestHelpListsWhatEachCommandUses(t *testing.T) {
	server := []string{"addr", "attachments-dir", "auto-close-days", "business-name", "follow-up-days", "imap",
		"locales-dir", "log-format", "log-level", "mailboxes", "max-body-bytes", "max-message-bytes", "notify-delay", "outbox-dir",
		"audit-retention",
		"public-url", "purchase-hook-secret", "secure-cookies", "shutdown-timeout", "smtp-addr", "smtp-relay",
		"smtp-relay-password", "smtp-relay-user", "smtp-tls-cert", "smtp-tls-key", "workers",
		"single-node", "smtp-max-sessions", "smtp-max-memory", "trusted-proxies", "require-2fa-roles"}
	// Job housekeeping (issue 14).
	server = append(server, "job-lease", "job-retention", "failed-job-retention", "pprof-addr")
	// Files in a bucket (issue 14): the server's, and those of the commands that read every file.
	bucket := []string{"s3-endpoint", "s3-bucket", "s3-region", "s3-access-key", "s3-secret-key", "s3-secret-key-file", "s3-tls", "s3-prefix"}
	server = append(server, bucket...)
	tests := []struct {
		name   string
		args   []string
		want   []string
		server bool // the command runs the server, so it has the server's settings
	}{
		{name: "serve", args: []string{"serve"}, want: append([]string{"db"}, server...), server: true},
		{name: "demo", args: []string{"demo"}, want: append([]string{"dir", "seed", "customers", "tickets"}, server...), server: true},
		{name: "migrate", args: []string{"migrate"}, want: []string{"db"}},
		{name: "backup", args: []string{"backup"}, want: []string{"db", "to", "force"}},
		{name: "setup", args: []string{"setup"}, want: []string{"db", "business-name", "sender-name", "signature", "time-zone", "languages",
			"hours", "mail-relay", "mail-relay-user", "mail-relay-password", "team", "admin-name", "admin-email", "admin-password", "admin-locale"}},
		{name: "user add", args: []string{"user", "add"}, want: []string{"db", "email", "name", "role", "languages", "locale"}},
		{name: "user passwd", args: []string{"user", "passwd"}, want: []string{"db", "email"}},
		{name: "token create", args: []string{"token", "create"}, want: []string{"db", "user", "name", "scopes", "days"}},
		{name: "token list", args: []string{"token", "list"}, want: []string{"db", "user"}},
		{name: "token revoke", args: []string{"token", "revoke"}, want: []string{"db"}},
		{name: "sso list", args: []string{"sso", "list"}, want: []string{"db"}},
		{name: "sso add", args: []string{"sso", "add"}, want: []string{"db", "name", "issuer", "client-id", "client-secret", "client-secret-stdin", "scopes", "role-claim", "role-rule", "jit", "default-role", "default-team", "allowed-domains", "active"}},
		{name: "sso update", args: []string{"sso", "update"}, want: []string{"db", "name", "issuer", "client-id", "client-secret", "client-secret-stdin", "scopes", "role-claim", "role-rule", "jit", "default-role", "default-team", "allowed-domains", "active"}},
		{name: "sso enable", args: []string{"sso", "enable"}, want: []string{"db"}},
		{name: "sso disable", args: []string{"sso", "disable"}, want: []string{"db"}},
		{name: "sso remove", args: []string{"sso", "remove"}, want: []string{"db"}},
		{name: "export", args: []string{"export"}, want: append([]string{"db", "to"}, bucket...)},
		{name: "import rapport", args: []string{"import", "rapport"}, want: []string{"db", "from"}},
		{name: "import purchases", args: []string{"import", "purchases"}, want: []string{"db", "skip-bad", "create-customers", "currency", "channel"}},
		{name: "clv fit", args: []string{"clv", "fit"}, want: []string{"unit", "calibration-end", "horizon", "summaries",
			"customer-col", "date-col", "amount-col", "skip-bad-lines", "format"}},
		{name: "churn evaluate", args: []string{"churn", "evaluate"}, want: []string{"label", "folds", "ignore", "l2", "seed",
			"max-categories", "min-category-count", "top", "json"}},
		{name: "churn score", args: []string{"churn", "score"}, want: []string{"db", "window", "reference", "top", "sort",
			"l2", "folds", "min-customers", "currency", "json"}},
		{name: "mail parse", args: []string{"mail", "parse"}, want: []string{"mailbox"}},
		{name: "quality check", args: []string{"quality", "check"}, want: []string{"resources", "ui-lang"}},
		{name: "attachments copy", args: []string{"attachments", "copy"}, want: []string{"db", "attachments-dir"}},
		{name: "metrics rebuild", args: []string{"metrics", "rebuild"}, want: []string{"db", "resume"}},
		{name: "loadtest", args: []string{"loadtest"}, want: []string{"url", "token", "smtp", "mailbox", "user", "password", "pid",
			"duration", "smtp-clients", "writers", "readers", "verify"}},
		{name: "bench chat", args: []string{"bench", "chat"}, want: []string{"url", "agent-url", "token", "conns", "active", "replies",
			"rate", "sources", "pid", "pprof", "dialers", "settle", "wait"}},
		{name: "bench seed", args: []string{"bench", "seed"}, want: []string{"db", "tickets", "messages", "end", "index"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, errOut, err := runCmd(t, "", append(tc.args, "--help")...)
			if err != nil && !errors.Is(err, flag.ErrHelp) {
				t.Fatalf("%s --help: %v", tc.name, err)
			}
			help := out + errOut
			var got []string
			for _, m := range helpFlag.FindAllStringSubmatch(help, -1) {
				got = append(got, m[1])
			}
			slices.Sort(got)
			want := slices.Clone(tc.want)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Errorf("%s --help lists %v, want %v:\n%s", tc.name, got, want, help)
			}
			if tc.server {
				return
			}
			for _, f := range serverOnlyFlags {
				if slices.Contains(tc.want, f) {
					continue // the command's own setting of the same name (setup's --business-name)
				}
				if strings.Contains(help, "--"+f+" ") || strings.Contains(help, "-"+f+" ") {
					t.Errorf("%s --help offers the server setting --%s:\n%s", tc.name, f, help)
				}
			}
		})
	}
}

// TestDemoRefusesDB keeps the demo's answer to --db now that the demo has
// no such setting: it always makes its own database.
func TestDemoRefusesDB(t *testing.T) {
	for _, args := range [][]string{{"demo", "--db", "x.db"}, {"demo", "-db=x.db"}} {
		_, _, err := runCmd(t, "", args...)
		if err == nil || !strings.Contains(err.Error(), "--db is not used") {
			t.Errorf("%v: err = %v, want the demo to say --db is not used", args, err)
		}
	}
}

// TestREADMEListsEveryCommandAndSetting keeps the README's command list
// and settings table complete, and its links inside the repository.
func TestREADMEListsEveryCommandAndSetting(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	readme := string(raw)
	c := config.Default()
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	c.Register(fs)
	fs.VisitAll(func(f *flag.Flag) {
		if !strings.Contains(readme, "`--"+f.Name+"`") {
			t.Errorf("README does not list the setting --%s", f.Name)
		}
		if !strings.Contains(readme, config.EnvName(f.Name)) && !strings.Contains(f.Name, "-key") && !strings.Contains(f.Name, "-password") {
			t.Errorf("README does not name the variable %s", config.EnvName(f.Name))
		}
	})
	for _, line := range strings.Split(usage, "\n") {
		if !strings.HasPrefix(line, "  ") {
			continue
		}
		cmd := strings.Join(strings.Fields(line)[:commandWords(line)], " ")
		// A pipe inside a Markdown table cell is written \|.
		if !strings.Contains(readme, "| `"+strings.ReplaceAll(cmd, "|", `\|`)) {
			t.Errorf("README's command table has no row for %q", cmd)
		}
	}
	for _, m := range regexp.MustCompile(`\]\(([^)]+)\)`).FindAllStringSubmatch(readme, -1) {
		target := m[1]
		if strings.HasPrefix(target, "#") {
			continue
		}
		if strings.Contains(target, "://") || strings.HasPrefix(target, "/") || strings.HasPrefix(filepath.Clean(target), "..") {
			t.Errorf("README links %s, outside the repository", target)
			continue
		}
		if _, err := os.Stat(filepath.Join("..", "..", target)); err != nil {
			t.Errorf("README links %s, which does not exist: %v", target, err)
		}
	}
}

// commandWords is how many words of a usage line name the command: two
// for the commands with a subcommand ("user add"), else one.
func commandWords(line string) int {
	switch strings.Fields(line)[0] {
	case "user", "token", "sso", "clv", "churn", "import", "mail", "quality", "attachments":
		return 2
	}
	return 1
}
