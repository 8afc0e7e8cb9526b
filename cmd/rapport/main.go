// Command rapport runs the Rapport customer-service platform and its
// administrative commands.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/rapport/rapport/internal/config"
)

const usage = `Rapport: customer service that measures what good service is worth.

usage: rapport <command> [flags]

commands:
  serve              run the server (web UI, API, job workers)
  demo               run the server on a fresh SQLite database full of generated demo data
  migrate            apply database migrations and exit
  backup --to FILE   copy a SQLite database consistently while the server runs (PostgreSQL: pg_dump)
  setup              the first run without a browser: business, hours, mail relay, first team and admin
  user add           add an agent, manager or admin
  user passwd        set an agent's password
  token create       print a new API token for an agent (--scopes, --days)
  token list         list API tokens: scopes, expiry, last use, state
  token revoke ID    revoke an API token for good
  sso list           list the single sign-on (OpenID Connect) providers, secrets masked
  sso add            add a single sign-on provider (issuer, client, scopes, role rules, JIT, domains)
  sso update ID      change a provider: only the flags given (sso enable ID, sso disable ID too)
  sso remove ID      remove a single sign-on provider
  clv fit FILE       fit lifetime-value models (BG/NBD, Gamma-Gamma) on a transactions CSV
  churn evaluate FILE --label COLUMN  cross-validate the churn model on any tabular CSV
  churn score        train the churn model on the database's history and score every customer
  export --to DIR    write every table as JSON lines (attachments included) to a folder
  move --to postgres://…  copy a SQLite installation into an empty PostgreSQL database, counts checked
  import rapport --from DIR  restore an export into a new, empty database (SQLite or PostgreSQL)
  import purchases FILE  import purchases from a CSV file (one transaction; --skip-bad, --create-customers)
  import zendesk|freshdesk|helpscout DIR  bring another help desk's export in (--dry-run; re-runs add only what is new)
  metrics rebuild    rebuild the metrics rollups in the business's time zone, in small batches
  mail parse FILE…   show, as JSON, how Rapport reads email messages
  quality check      find the seven sins of service in replies (JSON lines on stdin)
  attachments copy   copy files kept in the attachments folder by earlier versions into the database
  loadtest           put a mixed load (mail, API writes, inbox, search, dashboard) on a running server and report
  bench chat         hold many idle chat widgets open on a server, then time agents' replies to their arrival at the visitors
  version            print the version

Run "rapport <command> --help" for a command's settings.
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	if errors.Is(err, flag.ErrHelp) {
		return
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "rapport:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return errors.New("no command given")
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "serve":
		return serve(ctx, rest, stderr)
	case "demo":
		return demoCmd(ctx, rest, stdout, stderr)
	case "migrate":
		return migrate(ctx, rest, stdout, stderr)
	case "backup":
		return backupCmd(ctx, rest, stdout, stderr)
	case "setup":
		return setupCmd(ctx, rest, stdin, stdout, stderr)
	case "user":
		return userCmd(ctx, rest, stdin, stdout, stderr)
	case "token":
		return tokenCmd(ctx, rest, stdout, stderr)
	case "sso":
		return ssoCmd(ctx, rest, stdin, stdout, stderr)
	case "churn":
		return churnCmd(ctx, rest, stdin, stdout, stderr)
	case "clv":
		return clvCmd(ctx, rest, stdin, stdout, stderr)
	case "export":
		return exportCmd(ctx, rest, stdout, stderr)
	case "move":
		return moveCmd(ctx, rest, stdout, stderr)
	case "import":
		return importCmd(ctx, rest, stdin, stdout, stderr)
	case "mail":
		return mailCmd(ctx, rest, stdin, stdout, stderr)
	case "quality":
		return qualityCmd(ctx, rest, stdin, stdout, stderr)
	case "attachments":
		return attachmentsCmd(ctx, rest, stdout, stderr)
	case "metrics":
		return metricsCmd(ctx, rest, stdout, stderr)
	case "loadtest":
		return loadtestCmd(ctx, rest, stdout, stderr)
	case "bench":
		return benchCmd(ctx, rest, stdout, stderr)
	case "version", "--version", "-v":
		return version(stdout)
	case "help", "--help", "-h":
		fmt.Fprint(stdout, usage)
		return nil
	default:
		fmt.Fprint(stderr, usage)
		return fmt.Errorf("unknown command %q", cmd)
	}
}

// newLogger builds the process logger from the configuration.
func newLogger(cfg config.Config, w io.Writer) *slog.Logger {
	var level slog.Level
	level.UnmarshalText([]byte(cfg.LogLevel))
	opts := &slog.HandlerOptions{Level: level}
	if cfg.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}
