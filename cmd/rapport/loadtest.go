package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/rapport/rapport/internal/config"
	"github.com/rapport/rapport/internal/loadtest"
)

const loadtestUsage = `usage: rapport loadtest --url URL --token TOKEN [--smtp HOST:PORT --mailbox ADDRESS] [flags]

Puts a mixed load on a running server for --duration: new mail over SMTP,
tickets created and answered through the API, and the inbox, searches and the
dashboard (30, 90 and 365 days) read through the API and, with --user and
--password, through the web pages. The token and the user must be a
manager's (the dashboard needs it). At the end it prints each request's
count, errors, rate, median and 99th percentile, the server's memory over
time (with --pid, from /proc), and checks that acknowledged mail and
replies are stored. It fails when any request failed or anything was lost.
`

// loadtestCmd runs "rapport loadtest".
func loadtestCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var o loadtest.Opts
	fs := flag.NewFlagSet("loadtest", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.URL, "url", "http://127.0.0.1:8080", "the server's base URL")
	fs.StringVar(&o.Token, "token", "", "a manager's API token (required)")
	fs.StringVar(&o.SMTP, "smtp", "", "the server's SMTP listener, host:port; empty sends no mail")
	fs.StringVar(&o.Mailbox, "mailbox", "", "the address the mail is sent to (one of the server's --mailboxes)")
	fs.StringVar(&o.User, "user", "", "a manager's email, to read the web pages too; empty reads through the API only")
	fs.StringVar(&o.Password, "password", "", "that manager's password")
	fs.IntVar(&o.PID, "pid", 0, "the server's process id, to sample its memory; 0 for none")
	fs.DurationVar(&o.Duration, "duration", time.Minute, "how long the load runs")
	fs.IntVar(&o.SMTPClients, "smtp-clients", 8, "SMTP connections sending mail")
	fs.IntVar(&o.Writers, "writers", 32, "API clients creating tickets and replying")
	fs.IntVar(&o.Readers, "readers", 4, "clients reading the inbox, searching and opening the dashboard")
	fs.IntVar(&o.Verify, "verify", 500, "acknowledged mails and tickets looked up at the end; 0 for all")
	fs.Usage = func() {
		fmt.Fprint(stderr, loadtestUsage+"\nSettings (flag, environment variable, default):\n")
		config.PrintSettings(stderr, fs)
	}
	if err := config.Parse(fs, args, os.Getenv); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		fs.Usage()
		return fmt.Errorf("loadtest: unexpected argument %q", fs.Arg(0))
	}
	if o.Duration <= 0 || o.SMTPClients < 0 || o.Writers < 0 || o.Readers < 0 {
		return fmt.Errorf("loadtest: --duration must be positive and the client counts not negative")
	}
	o.Log = stderr
	rep, err := loadtest.Run(ctx, o)
	if err != nil {
		return err
	}
	rep.Print(stdout)
	if n := rep.Errors(); n > 0 || rep.Lost > 0 {
		return fmt.Errorf("loadtest: %d failed requests, %d acknowledged writes lost", n, rep.Lost)
	}
	return nil
}
